import type { UserFunction } from '../catalog/catalog.js';
import type { ScanRequest, ScanStats, StatementStats } from '../catalog/table-source.js';
import { UTC, type Zone } from '../catalog/timezone.js';
import type { Interval, Row } from '../catalog/types.js';
import { addInterval } from '../catalog/values.js';
import { queryCanceled, SqlError } from '../errors.js';
import {
  assertNever,
  children,
  type Expr,
  hasSubquery,
  isInitValue,
  mapChildren,
  mapExpr,
} from '../plan/expr.js';
import { splitJoinKeys } from '../plan/join-keys.js';
import { type LogicalPlan, outputOf } from '../plan/logical.js';
import { compileAggregate } from './aggregate.js';
import { keyFor, tupleKeyFor } from './compare.js';
import { type Compiled, type CompileEnv, CompileScope, compile, layoutOf } from './compile.js';
import { sortComparator, TopN } from './sort.js';
import { computeWindow } from './window.js';

/** Rows produced per batch by operators that emit from memory. */
const BATCH = 1024;

/** Default largest IN list per scan call for dynamic (semi-join) filters. */
const DEFAULT_IN_LIST = 200;

/**
 * Longest stretch, in ms, a cancellable statement computes before it lets the event loop run: a
 * query over cached or in-memory rows never waits for I/O, so without this a cancel request, a
 * statement timeout or another client's query would wait until it finished.
 */
const SLICE_MS = 10;

/** What EXPLAIN ANALYZE reports for one plan node. */
export interface NodeStats {
  rows: number;
  /** Inclusive wall time spent producing this node's rows (children included), ms. */
  ms: number;
  loops: number;
  /** For scans: what the source recorded, summed over calls. */
  scan?: ScanStats;
  /** For scans: how many `scan()` calls the executor made (dynamic filters split into batches). */
  scanCalls?: number;
}

/** Options of one execution. */
export interface ExecOptions {
  readonly signal?: AbortSignal;
  /** Record per-node statistics (EXPLAIN ANALYZE). */
  readonly analyze?: boolean;
  /** Statement timestamp in epoch ms (defaults to the start of execution). */
  readonly now?: number;
  /** Session time zone (default UTC). */
  readonly zone?: Zone;
  /** Host-registered scalar functions. */
  readonly userFunction?: (name: string) => UserFunction | undefined;
}

function* chunks(rows: readonly Row[]): Generator<Row[]> {
  for (let i = 0; i < rows.length; i += BATCH) yield rows.slice(i, i + BATCH);
}

/**
 * Runs a logical plan. Operators are async generators of row batches; expressions are compiled once
 * per node execution into closures over positional rows. One Executor serves one statement.
 */
export class Executor {
  /** Per-node statistics, filled when `analyze` is set (and scan statistics always). */
  readonly stats = new Map<LogicalPlan, NodeStats>();
  /** The statement's running totals over every scan this executor ran (handed to each scan). */
  readonly statement: StatementStats;
  private readonly outer = new Map<number, unknown>();
  private readonly ctePlans = new Map<number, LogicalPlan>();
  private readonly cteResults = new Map<number, Promise<Row[]>>();
  /** Dynamic IN-list values per scan id, set by joins that run their build side first. */
  private readonly dynamic = new Map<number, unknown[]>();
  private readonly env: CompileEnv;

  constructor(private readonly opts: ExecOptions = {}) {
    const stats = this.stats;
    this.statement = {
      // Summed when asked, so a scan sees the requests of scans running beside it.
      get requests() {
        let n = 0;
        for (const s of stats.values()) n += s.scan?.requests ?? 0;
        return n;
      },
    };
    this.env = {
      now: opts.now ?? Date.now(),
      zone: opts.zone ?? UTC,
      outer: this.outer,
      runPlan: (plan) => this.collect(plan),
      ...(opts.userFunction ? { userFunction: opts.userFunction } : {}),
    };
  }

  /** All rows of a plan. */
  async collect(plan: LogicalPlan): Promise<Row[]> {
    const out: Row[] = [];
    for await (const b of this.run(plan)) for (const r of b) out.push(r);
    return out;
  }

  /** The row batches of a plan. */
  run(plan: LogicalPlan): AsyncIterable<Row[]> {
    const it = this.node(plan);
    return this.opts.analyze || this.opts.signal ? this.instrument(plan, it) : it;
  }

  private nodeStats(plan: LogicalPlan): NodeStats {
    let s = this.stats.get(plan);
    if (!s) this.stats.set(plan, (s = { rows: 0, ms: 0, loops: 0 }));
    return s;
  }

  private checkCancel(): void {
    if (this.opts.signal?.aborted) throw queryCanceled();
  }

  private sliceStart = performance.now();

  /** After SLICE_MS of computing, a promise that resumes after pending I/O and timers (then checks for cancel). */
  private pause(): Promise<void> | undefined {
    if (performance.now() - this.sliceStart < SLICE_MS) return undefined;
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.sliceStart = performance.now();
      this.checkCancel();
    });
  }

  private async *instrument(plan: LogicalPlan, it: AsyncIterable<Row[]>): AsyncGenerator<Row[]> {
    const st = this.opts.analyze ? this.nodeStats(plan) : undefined;
    if (st) st.loops++;
    const iter = it[Symbol.asyncIterator]();
    try {
      for (;;) {
        this.checkCancel();
        const t0 = performance.now();
        const r = await iter.next();
        if (st) st.ms += performance.now() - t0;
        if (r.done) break;
        if (st) st.rows += r.value.length;
        const paused = this.opts.signal ? this.pause() : undefined;
        if (paused) await paused;
        yield r.value;
      }
    } finally {
      await iter.return?.();
    }
  }

  private scope(cols: readonly { id: number }[]): CompileScope {
    return new CompileScope(layoutOf(cols), this.env);
  }

  private node(p: LogicalPlan): AsyncIterable<Row[]> {
    switch (p.kind) {
      case 'scan':
        return this.scan(p);
      case 'values':
        return this.values(p);
      case 'function_scan':
        return this.functionScan(p);
      case 'filter':
        return this.filter(p);
      case 'project':
        return this.project(p);
      case 'join':
        return this.join(p);
      case 'aggregate':
        return this.aggregate(p);
      case 'window':
        return this.window(p);
      case 'project_set':
        return this.projectSet(p);
      case 'sort':
        return this.sort(p);
      case 'limit':
        return this.limit(p);
      case 'distinct':
        return this.distinct(p);
      case 'setop':
        return this.setop(p);
      case 'cte_ref':
        return this.cteRef(p);
      case 'recursive_union':
        return this.recursiveUnion(p);
      case 'with':
        for (const c of p.ctes) this.ctePlans.set(c.cteId, c.plan);
        return this.run(p.input);
      default:
        return assertNever(p);
    }
  }

  /**
   * Replaces correlation parameters (columns of an enclosing query) in pushed filters by their
   * current values; undefined when a value is NULL in a form that can then match nothing.
   */
  private bindParams(p: Extract<LogicalPlan, { kind: 'scan' }>): Expr[] | undefined {
    const params = new Set(p.paramIds);
    const out: Expr[] = [];
    for (const f of p.filters) {
      const bound = mapExpr(f, (e) => {
        if (e.kind !== 'column' || !params.has(e.id)) return e;
        if (!this.outer.has(e.id))
          throw new SqlError('XX000', `internal error: parameter ${e.name} has no value`);
        return { kind: 'literal', value: this.outer.get(e.id), type: e.type };
      });
      const g = withoutNulls(bound);
      if (!g) return undefined;
      out.push(g);
    }
    return out;
  }

  /**
   * Replaces the uncorrelated scalar subqueries of pushed filters (`id = (SELECT max(id) …)`) by
   * their values, run once before the scan; undefined when a NULL value makes a filter match nothing.
   */
  private async bindSubqueries(filters: readonly Expr[]): Promise<Expr[] | undefined> {
    const out: Expr[] = [];
    for (const f of filters) {
      if (!hasSubquery(f)) {
        out.push(f);
        continue;
      }
      // Top-down, so a cast subquery becomes one literal (push-filters put only these here).
      const scope = this.scope([]);
      const subs = new Map<Expr, Compiled>();
      const collect = (e: Expr): void => {
        if (isInitValue(e)) subs.set(e, compile(e, scope));
        else children(e).forEach(collect);
      };
      collect(f);
      await scope.prepare([[]]);
      const bind = (e: Expr): Expr => {
        const fn = subs.get(e);
        return fn ? { kind: 'literal', value: fn([]) ?? null, type: e.type } : mapChildren(e, bind);
      };
      const bound = bind(f);
      const g = withoutNulls(bound);
      if (!g) return undefined;
      out.push(g);
    }
    return out;
  }

  private async *scan(p: Extract<LogicalPlan, { kind: 'scan' }>): AsyncGenerator<Row[]> {
    let filters = p.paramIds ? this.bindParams(p) : p.filters;
    if (filters?.some(hasSubquery)) filters = await this.bindSubqueries(filters);
    // A NULL parameter in a comparison matches no row: no request at all.
    if (!filters) return;
    const req: ScanRequest = {
      columns: p.output.map((c) => c.name),
      filters,
      ...(p.limit !== undefined ? { limit: p.limit } : {}),
    };
    const st = this.nodeStats(p);
    st.scan ??= { requests: 0, rowsFetched: 0, cacheHits: 0, retries: 0 };
    const ctx = {
      stats: st.scan,
      statement: this.statement,
      ...(this.opts.signal ? { signal: this.opts.signal } : {}),
    };
    const requests: ScanRequest[] = [];
    const values = p.dynamicColumn !== undefined ? this.dynamic.get(p.scanId) : undefined;
    const size = Math.max(1, p.source.maxInListSize ?? DEFAULT_IN_LIST);
    const batches = values === undefined ? 0 : Math.ceil(values.length / size);
    // Many keys can cost more requests in IN batches than one plain scan: then scan plainly (the
    // join still filters). The source decides, or its estimate does; without either, keys are sent.
    const keyed = (): boolean => {
      if (p.source.preferKeyBatches) return p.source.preferKeyBatches(req, p.dynamicColumn!, values!.length);
      const plain = p.source.estimateRequests?.(req);
      return plain === undefined || batches <= 1 || batches <= plain;
    };
    if (values === undefined || (values.length > 0 && !keyed())) requests.push(req);
    else {
      // The build side produced no keys: nothing can match, so make no request at all.
      const col = p.source.schema.find((c) => c.name === p.dynamicColumn)!;
      const ref: Expr = { kind: 'column', id: -p.scanId, name: col.name, type: col.type };
      for (let i = 0; i < values.length; i += size) {
        const list = values
          .slice(i, i + size)
          .map((v): Expr => ({ kind: 'literal', value: v, type: col.type }));
        const dyn: Expr = { kind: 'in_list', arg: ref, list, negated: false, type: 'boolean' };
        requests.push({ ...req, dynamicFilters: [dyn] });
      }
    }
    let emitted = 0;
    for (const r of requests) {
      st.scanCalls = (st.scanCalls ?? 0) + 1;
      let checked = false;
      for await (const batch of p.source.scan(r, ctx)) {
        this.checkCancel();
        if (batch.length === 0) continue;
        if (!checked) {
          // A source bug (wrong row width) would otherwise surface as wrong answers far away.
          checked = true;
          const w = batch[0]!.length;
          if (w !== r.columns.length) {
            throw new SqlError(
              'XX000',
              `table ${p.table}: scan returned rows of ${w} values for ${r.columns.length} requested columns (${r.columns.join(', ')})`,
            );
          }
        }
        yield batch;
        emitted += batch.length;
        if (p.limit !== undefined && emitted >= p.limit) return;
      }
    }
  }

  private async *values(p: Extract<LogicalPlan, { kind: 'values' }>): AsyncGenerator<Row[]> {
    const scope = this.scope([]);
    const rows = p.rows.map((r) => r.map((e) => compile(e, scope)));
    await scope.prepare([[]]);
    yield rows.map((r) => r.map((f) => f([])));
  }

  private async *functionScan(p: Extract<LogicalPlan, { kind: 'function_scan' }>): AsyncGenerator<Row[]> {
    const scope = this.scope([]);
    const args = p.args.map((a) => compile(a, scope));
    await scope.prepare([[]]);
    const vals = args.map((f) => f([]));
    const out: Row[] = [];
    for (const v of setValues(p.fn, p.output[0]!.type === 'timestamptz', vals, this.env.zone)) {
      out.push([v]);
      if (out.length >= BATCH) {
        this.checkCancel();
        yield out.splice(0);
      }
    }
    if (out.length > 0) yield out;
  }

  private async *projectSet(p: Extract<LogicalPlan, { kind: 'project_set' }>): AsyncGenerator<Row[]> {
    const scope = this.scope(outputOf(p.input));
    const fns = p.funcs.map((f, i) => ({
      fn: f.fn,
      ts: p.setOutput[i]!.type === 'timestamptz',
      args: f.args.map((a) => compile(a, scope)),
    }));
    for await (const batch of this.run(p.input)) {
      await scope.prepare(batch);
      const out: Row[] = [];
      for (const r of batch) {
        // Several set-returning functions run in lockstep; shorter ones pad with NULL (PostgreSQL 10+).
        const lists = fns.map((f) => [
          ...setValues(
            f.fn,
            f.ts,
            f.args.map((a) => a(r)),
            this.env.zone,
          ),
        ]);
        const n = Math.max(0, ...lists.map((l) => l.length));
        for (let i = 0; i < n; i++) out.push([...r, ...lists.map((l) => (i < l.length ? l[i] : null))]);
      }
      if (out.length > 0) yield out;
    }
  }

  private async *filter(p: Extract<LogicalPlan, { kind: 'filter' }>): AsyncGenerator<Row[]> {
    const scope = this.scope(outputOf(p.input));
    const pred = compile(p.predicate, scope);
    for await (const batch of this.run(p.input)) {
      await scope.prepare(batch);
      const out: Row[] = [];
      for (const r of batch) if (pred(r) === true) out.push(r);
      if (out.length > 0) yield out;
    }
  }

  private async *project(p: Extract<LogicalPlan, { kind: 'project' }>): AsyncGenerator<Row[]> {
    const scope = this.scope(outputOf(p.input));
    const fs = p.exprs.map((e) => compile(e, scope));
    const n = fs.length;
    for await (const batch of this.run(p.input)) {
      await scope.prepare(batch);
      const out = new Array<Row>(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const r = batch[i]!;
        const o = new Array<unknown>(n);
        for (let j = 0; j < n; j++) o[j] = fs[j]!(r);
        out[i] = o;
      }
      yield out;
    }
  }

  /**
   * LATERAL join: the right side runs once per distinct value combination of the left columns it
   * reads (set as outer values, so its scans receive them as pushed parameters), then a nested loop.
   */
  private async *lateralJoin(p: Extract<LogicalPlan, { kind: 'join' }>): AsyncGenerator<Row[]> {
    const lcols = outputOf(p.left);
    const rcols = outputOf(p.right);
    const lpos = (p.lateral ?? []).map((id) => lcols.findIndex((c) => c.id === id));
    const both = this.scope([...lcols, ...rcols]);
    const on = p.on ? compile(p.on, both) : undefined;
    const nullsR = new Array<unknown>(rcols.length).fill(null);
    const cache = new Map<string, Row[]>();
    for await (const batch of this.run(p.left)) {
      const out: Row[] = [];
      for (const l of batch) {
        const key = JSON.stringify(lpos.map((i) => l[i] ?? null));
        let rows = cache.get(key);
        if (!rows) {
          const saved = (p.lateral ?? []).map((id) => [id, this.outer.has(id), this.outer.get(id)] as const);
          (p.lateral ?? []).forEach((id, k) => {
            this.outer.set(id, l[lpos[k]!]);
          });
          try {
            rows = await this.collect(p.right);
          } finally {
            for (const [id, had, v] of saved) {
              if (had) this.outer.set(id, v);
              else this.outer.delete(id);
            }
          }
          cache.set(key, rows);
        }
        let matched = false;
        for (const r of rows) {
          const row = concatRow(l, r, lcols.length, rcols.length);
          if (on && on(row) !== true) continue;
          matched = true;
          out.push(row);
        }
        if (!matched && p.joinType === 'left') out.push(concatRow(l, nullsR, lcols.length, rcols.length));
      }
      if (out.length > 0) yield out;
    }
  }

  private async *join(p: Extract<LogicalPlan, { kind: 'join' }>): AsyncGenerator<Row[]> {
    if (p.lateral) {
      yield* this.lateralJoin(p);
      return;
    }
    const lcols = outputOf(p.left);
    const rcols = outputOf(p.right);
    const lids = new Set(lcols.map((c) => c.id));
    const rids = new Set(rcols.map((c) => c.id));
    const keys = splitJoinKeys(p.on, lids, rids);
    const both = this.scope([...lcols, ...rcols]);
    const residual = keys.residual ? compile(keys.residual, both) : undefined;
    const lscope = this.scope(lcols);
    const rscope = this.scope(rcols);
    const lkey = keys.leftKeys.map((k) => compile(k, lscope));
    const rkey = keys.rightKeys.map((k) => compile(k, rscope));
    const tkey = tupleKeyFor(keys.leftKeys.map((k) => k.type));
    const single = keys.leftKeys.length === 1 ? keyFor(keys.leftKeys[0]!.type) : undefined;
    const keyOf = (fs: Compiled[], r: Row): unknown => {
      // NULL keys never match in an equi-join.
      if (single) {
        const v = fs[0]!(r);
        return v === null ? undefined : single(v);
      }
      const vals = fs.map((f) => f(r));
      return vals.some((v) => v === null) ? undefined : tkey(vals);
    };
    const rwidth = rcols.length;
    const lwidth = lcols.length;
    const nullsR = new Array<unknown>(rwidth).fill(null);
    const nullsL = new Array<unknown>(lwidth).fill(null);

    // Semi-join pushdown: materialise the build side, hand its distinct keys to the other side's scan.
    let leftRows: Row[] | undefined;
    let rightRows: Row[] | undefined;
    if (p.dynamic) {
      const buildLeft = p.dynamic.build === 'left';
      const rows = await this.collect(buildLeft ? p.left : p.right);
      if (buildLeft) leftRows = rows;
      else rightRows = rows;
      const bscope = this.scope(buildLeft ? lcols : rcols);
      const bk = compile(p.dynamic.buildKey, bscope);
      const seen = new Set<unknown>();
      for (const r of rows) {
        const v = bk(r);
        if (v !== null) seen.add(v);
      }
      this.dynamic.set(p.dynamic.scanId, [...seen]);
    }
    rightRows ??= await this.collect(p.right);
    const needBoth = residual !== undefined;
    if (needBoth) await both.prepare([]);

    const hashed = lkey.length > 0;
    const table = new Map<unknown, number[]>();
    if (hashed) {
      for (let i = 0; i < rightRows.length; i++) {
        const k = keyOf(rkey, rightRows[i]!);
        if (k === undefined) continue;
        let b = table.get(k);
        if (!b) table.set(k, (b = []));
        b.push(i);
      }
    }
    if (p.nullAware && (lkey.length !== 1 || residual)) {
      // The binder builds NOT IN joins on one `x = y` only; anything else would be answered wrongly.
      throw new SqlError(
        'XX000',
        'internal error: a NOT IN join needs exactly one key and no other condition',
      );
    }
    const nullAware = p.nullAware
      ? await this.notInState(p, leftRows, rightRows, lkey, rkey, keyOf)
      : undefined;
    const allRight = rightRows.map((_, i) => i);
    const matchedRight =
      p.joinType === 'right' || p.joinType === 'full' ? new Uint8Array(rightRows.length) : undefined;
    const jt = p.joinType;
    const rr = rightRows;

    const probe = async function* (this: Executor, batches: AsyncIterable<Row[]>): AsyncGenerator<Row[]> {
      for await (const batch of batches) {
        if (residual) await both.prepare(batch.map((l) => [...l, ...nullsR]));
        let out: Row[] = [];
        for (const l of batch) {
          // A many-to-many (or cross) join can multiply a batch a thousandfold: emit as it fills,
          // so memory stays bounded and the statement stays cancellable.
          if (out.length >= BATCH) {
            yield out;
            out = [];
          }
          if (nullAware) {
            // x NOT IN (S): true for an empty S; else NULL (dropped) for a NULL x or a NULL in S.
            const k = nullAware.empty ? undefined : keyOf(lkey, l);
            if (nullAware.empty || (!nullAware.hasNull && k !== undefined && !table.has(k))) out.push(l);
            continue;
          }
          let cands: number[] | undefined;
          if (hashed) {
            const k = keyOf(lkey, l);
            cands = k === undefined ? undefined : table.get(k);
          } else cands = allRight;
          let matched = false;
          if (cands) {
            for (const i of cands) {
              const r = rr[i]!;
              let row: Row | undefined;
              if (residual) {
                row = concatRow(l, r, lwidth, rwidth);
                if (residual(row) !== true) continue;
              }
              matched = true;
              if (jt === 'semi' || jt === 'anti') break;
              if (matchedRight) matchedRight[i] = 1;
              out.push(row ?? concatRow(l, r, lwidth, rwidth));
            }
          }
          if (jt === 'semi' && matched) out.push(l);
          else if (jt === 'anti' && !matched) out.push(l);
          else if ((jt === 'left' || jt === 'full') && !matched) out.push(l.concat(nullsR));
        }
        if (out.length > 0) yield out;
      }
    };
    const leftStream: AsyncIterable<Row[]> = leftRows ? arrayBatches(leftRows) : this.run(p.left);
    yield* probe.call(this, leftStream);
    if (matchedRight) {
      const out: Row[] = [];
      for (let i = 0; i < rr.length; i++) if (!matchedRight[i]) out.push(nullsL.concat(rr[i]!));
      yield* chunks(out);
    }
  }

  /**
   * What a null-aware anti join (`x NOT IN (S)`) needs of its right side S beyond the matches:
   * whether S holds a NULL and whether it is empty. The planner sends join keys into S only when its
   * key column cannot be NULL, so a keyed S misses no NULL; but a keyed S that came back empty says
   * nothing about S itself, which matters for NULL left keys: then S is read plainly up to its first
   * row (a source stops fetching once the executor stops asking).
   */
  private async notInState(
    p: Extract<LogicalPlan, { kind: 'join' }>,
    leftRows: readonly Row[] | undefined,
    rightRows: readonly Row[],
    lkey: Compiled[],
    rkey: Compiled[],
    keyOf: (fs: Compiled[], r: Row) => unknown,
  ): Promise<{ empty: boolean; hasNull: boolean }> {
    const hasNull = rightRows.some((r) => keyOf(rkey, r) === undefined);
    let empty = rightRows.length === 0;
    const keyed = p.dynamic?.build === 'left';
    if (empty && keyed && leftRows?.some((l) => keyOf(lkey, l) === undefined)) {
      this.dynamic.delete(p.dynamic!.scanId);
      for await (const b of this.run(p.right)) {
        if (b.length > 0) {
          empty = false;
          break;
        }
      }
    }
    return { empty, hasNull };
  }

  private async *aggregate(p: Extract<LogicalPlan, { kind: 'aggregate' }>): AsyncGenerator<Row[]> {
    const scope = this.scope(outputOf(p.input));
    const keys = p.groupBy.map((g) => compile(g, scope));
    const aggs = p.aggs.map((a) => compileAggregate(a, scope));
    const tkey = tupleKeyFor(p.groupBy.map((g) => g.type));
    const groups = new Map<unknown, { key: unknown[]; accs: ReturnType<(typeof aggs)[number]>[] }>();
    const single = keys.length === 0;
    const oneKey = keys.length === 1 ? keys[0]! : undefined;
    const oneKeyOf = keys.length === 1 ? keyFor(p.groupBy[0]!.type) : undefined;
    for await (const batch of this.run(p.input)) {
      await scope.prepare(batch);
      if (single) {
        let g = groups.get(0);
        if (!g) groups.set(0, (g = { key: [], accs: aggs.map((a) => a()) }));
        const accs = g.accs;
        for (const a of accs) for (const r of batch) a.add(r);
        continue;
      }
      for (const r of batch) {
        // One grouping key (the common case) needs no per-row array.
        let g: { key: unknown[]; accs: ReturnType<(typeof aggs)[number]>[] } | undefined;
        if (oneKey) {
          const v = oneKey(r);
          const k = oneKeyOf!(v);
          g = groups.get(k);
          if (!g) groups.set(k, (g = { key: [v], accs: aggs.map((a) => a()) }));
        } else {
          const kv = keys.map((f) => f(r));
          const k = tkey(kv);
          g = groups.get(k);
          if (!g) groups.set(k, (g = { key: kv, accs: aggs.map((a) => a()) }));
        }
        const accs = g.accs;
        for (let i = 0; i < accs.length; i++) accs[i]!.add(r);
      }
    }
    // An aggregate without GROUP BY returns one row even over no input.
    if (single && groups.size === 0) groups.set(0, { key: [], accs: aggs.map((a) => a()) });
    const out: Row[] = [];
    for (const g of groups.values()) out.push([...g.key, ...g.accs.map((a) => a.result())]);
    yield* chunks(out);
  }

  private async *window(p: Extract<LogicalPlan, { kind: 'window' }>): AsyncGenerator<Row[]> {
    const rows = await this.collect(p.input);
    const scope = this.scope(outputOf(p.input));
    await scope.prepare(rows);
    const cols = p.funcs.map((f) => computeWindow(f, rows, scope));
    yield* chunks(rows.map((r, i) => [...r, ...cols.map((c) => c[i])]));
  }

  private sortSetup(p: Extract<LogicalPlan, { kind: 'sort' }>) {
    const scope = this.scope(outputOf(p.input));
    const keyFns = p.keys.map((k) => compile(k.expr, scope));
    const cmp = sortComparator(
      p.keys.map((k) => ({ desc: k.desc, nullsFirst: k.nullsFirst, type: k.expr.type })),
    );
    return { scope, keyFns, cmp: (a: { k: unknown[] }, b: { k: unknown[] }) => cmp(a.k, b.k) };
  }

  private async *sort(p: Extract<LogicalPlan, { kind: 'sort' }>, topN?: number): AsyncGenerator<Row[]> {
    const { scope, keyFns, cmp } = this.sortSetup(p);
    const top = topN !== undefined ? new TopN<{ r: Row; k: unknown[] }>(topN, cmp) : undefined;
    const all: { r: Row; k: unknown[] }[] = [];
    for await (const batch of this.run(p.input)) {
      await scope.prepare(batch);
      for (const r of batch) {
        const item = { r, k: keyFns.map((f) => f(r)) };
        if (top) top.push(item);
        else all.push(item);
      }
    }
    const sorted = top ? top.result() : all.sort(cmp);
    yield* chunks(sorted.map((x) => x.r));
  }

  private async *limit(p: Extract<LogicalPlan, { kind: 'limit' }>): AsyncGenerator<Row[]> {
    if (p.limit === 0) return;
    const input =
      p.input.kind === 'sort' && p.limit !== null
        ? this.opts.analyze || this.opts.signal
          ? this.instrument(p.input, this.sort(p.input, p.limit + p.offset))
          : this.sort(p.input, p.limit + p.offset)
        : this.run(p.input);
    let skip = p.offset;
    let left = p.limit ?? Number.POSITIVE_INFINITY;
    for await (const batch of input) {
      let b = batch;
      if (skip > 0) {
        if (b.length <= skip) {
          skip -= b.length;
          continue;
        }
        b = b.slice(skip);
        skip = 0;
      }
      if (b.length >= left) {
        yield b.slice(0, left);
        return;
      }
      left -= b.length;
      yield b;
    }
  }

  private async *distinct(p: Extract<LogicalPlan, { kind: 'distinct' }>): AsyncGenerator<Row[]> {
    const cols = outputOf(p.input);
    const scope = this.scope(cols);
    const on = p.on?.map((e) => compile(e, scope));
    const tkey = tupleKeyFor(
      (p.on ?? cols.map((c): Expr => ({ kind: 'column', id: c.id, name: c.name, type: c.type }))).map(
        (e) => e.type,
      ),
    );
    const seen = new Set<unknown>();
    for await (const batch of this.run(p.input)) {
      await scope.prepare(batch);
      const out: Row[] = [];
      for (const r of batch) {
        const k = tkey(on ? on.map((f) => f(r)) : r);
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(r);
      }
      if (out.length > 0) yield out;
    }
  }

  private async *setop(p: Extract<LogicalPlan, { kind: 'setop' }>): AsyncGenerator<Row[]> {
    const tkey = tupleKeyFor(p.output.map((c) => c.type));
    if (p.op === 'union') {
      if (p.all) {
        yield* this.run(p.left);
        yield* this.run(p.right);
        return;
      }
      const seen = new Set<unknown>();
      for (const side of [p.left, p.right]) {
        for await (const batch of this.run(side)) {
          const out = batch.filter((r) => {
            const k = tkey(r);
            if (seen.has(k)) return false;
            seen.add(k);
            return true;
          });
          if (out.length > 0) yield out;
        }
      }
      return;
    }
    const counts = new Map<unknown, number>();
    for await (const batch of this.run(p.right)) {
      for (const r of batch) {
        const k = tkey(r);
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
    }
    const emitted = new Set<unknown>();
    for await (const batch of this.run(p.left)) {
      const out: Row[] = [];
      for (const r of batch) {
        const k = tkey(r);
        const c = counts.get(k) ?? 0;
        if (p.op === 'intersect') {
          if (c === 0) continue;
          if (p.all) counts.set(k, c - 1);
          else if (emitted.has(k)) continue;
          emitted.add(k);
          out.push(r);
        } else if (p.all) {
          if (c > 0) counts.set(k, c - 1);
          else out.push(r);
        } else if (c === 0 && !emitted.has(k)) {
          emitted.add(k);
          out.push(r);
        }
      }
      if (out.length > 0) yield out;
    }
  }

  private async *recursiveUnion(p: Extract<LogicalPlan, { kind: 'recursive_union' }>): AsyncGenerator<Row[]> {
    const tkey = tupleKeyFor(p.output.map((c) => c.type));
    const seen = p.all ? undefined : new Set<unknown>();
    const fresh = (rows: Row[]): Row[] =>
      seen
        ? rows.filter((r) => {
            const k = tkey(r);
            if (seen.has(k)) return false;
            seen.add(k);
            return true;
          })
        : rows;
    let work = fresh(await this.collect(p.anchor));
    let total = work.length;
    yield* chunks(work);
    for (let round = 1; work.length > 0; round++) {
      // Each round reads only the rows the previous round added (PostgreSQL's working table).
      this.cteResults.set(p.workId, Promise.resolve(work));
      work = fresh(await this.collect(p.step));
      total += work.length;
      if (round > 100_000 || total > 10_000_000) {
        throw new SqlError(
          '54001',
          'recursive query did not terminate (more than 100000 rounds or 10 million rows)',
        );
      }
      yield* chunks(work);
    }
  }

  private async *cteRef(p: Extract<LogicalPlan, { kind: 'cte_ref' }>): AsyncGenerator<Row[]> {
    let rows = this.cteResults.get(p.cteId);
    if (!rows) {
      const plan = this.ctePlans.get(p.cteId);
      if (!plan) throw new SqlError('XX000', `internal error: CTE ${p.name} is not defined`);
      rows = this.collect(plan);
      this.cteResults.set(p.cteId, rows);
    }
    yield* chunks(await rows);
  }
}

/** The values of unnest(array) or generate_series(start, stop[, step]); nothing when an argument is NULL. */
function* setValues(
  fn: string,
  timestamps: boolean,
  vals: readonly unknown[],
  zone: Zone,
): Generator<unknown> {
  if (vals.some((v) => v === null)) return;
  if (fn === 'unnest') {
    yield* vals[0] as unknown[];
    return;
  }
  if (timestamps) {
    const [start, stop, step] = vals as [number, number, Interval];
    if (!step) throw new SqlError('42883', 'generate_series(timestamp, timestamp) needs a step interval');
    if (step.months === 0 && step.days === 0 && step.ms === 0)
      throw new SqlError('22023', 'step size cannot equal zero');
    const forward = addInterval(start, step, 1, zone) > start;
    for (let t = start; forward ? t <= stop : t >= stop; t = addInterval(t, step, 1, zone)) yield t;
    return;
  }
  const [start, stop, step = 1] = vals as number[];
  if (step === 0) throw new SqlError('22023', 'step size cannot equal zero');
  for (let v = start!; step > 0 ? v <= stop! : v >= stop!; v += step) yield v;
}

function concatRow(l: Row, r: Row, lw: number, rw: number): Row {
  const out = new Array<unknown>(lw + rw);
  for (let i = 0; i < lw; i++) out[i] = l[i];
  for (let i = 0; i < rw; i++) out[lw + i] = r[i];
  return out;
}

async function* arrayBatches(rows: readonly Row[]): AsyncGenerator<Row[]> {
  yield* chunks(rows);
}

/**
 * A bound pushed filter without NULL values: NULLs leave an IN list; undefined when the filter can
 * then match nothing (an empty IN list, or a comparison with NULL).
 */
function withoutNulls(g: Expr): Expr | undefined {
  if (g.kind === 'in_list') {
    const list = g.list.filter((x) => !(x.kind === 'literal' && x.value === null));
    return list.length === 0 ? undefined : { ...g, list };
  }
  if (
    g.kind !== 'is_null' &&
    g.kind !== 'or' &&
    children(g).some((x) => x.kind === 'literal' && x.value === null)
  )
    return undefined;
  return g;
}
