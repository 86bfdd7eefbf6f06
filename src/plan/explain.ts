import type { ScanStats } from '../catalog/table-source.js';
import { toText } from '../catalog/values.js';
import { assertNever, type Expr, type SortKey } from './expr.js';
import { splitJoinKeys } from './join-keys.js';
import { type LogicalPlan, outputOf } from './logical.js';
import { estimateOf, plannedScans, scanRequestOf } from './scans.js';
import { forEachNode } from './walk.js';
import type { WritePlan } from './write.js';

/** Runtime figures EXPLAIN ANALYZE prints next to a node (see exec's NodeStats). */
export interface ExplainStats {
  readonly rows: number;
  readonly ms: number;
  readonly loops: number;
  readonly scan?: ScanStats;
  readonly scanCalls?: number;
}

/** Renders an expression as SQL-like text for EXPLAIN; `subName` names its subqueries (`SubPlan 1`). */
export function exprToString(e: Expr, subName: (sub: Expr) => string = () => 'SubPlan'): string {
  const s = (x: Expr): string => exprToString(x, subName);
  switch (e.kind) {
    case 'column':
      return e.table === undefined ? e.name : `${e.table}.${e.name}`;
    case 'literal':
      if (e.value === null) return 'NULL';
      if (typeof e.value === 'number' || typeof e.value === 'boolean') {
        return e.type === 'timestamptz' || e.type === 'timestamp'
          ? `'${toText(e.value, e.type)}'`
          : String(e.value);
      }
      return `'${toText(e.value, e.type === 'unknown' ? 'text' : e.type).replace(/'/g, "''")}'`;
    case 'call':
      if (e.args.length === 2 && /^[^a-z]/.test(e.fn))
        return `(${s(e.args[0]!)} ${e.fn === '!=' ? '<>' : e.fn} ${s(e.args[1]!)})`;
      if (e.fn === 'neg') return `(-${s(e.args[0]!)})`;
      return `${e.fn}(${e.args.map(s).join(', ')})`;
    case 'and':
      return `(${e.args.map(s).join(' AND ')})`;
    case 'or':
      return `(${e.args.map(s).join(' OR ')})`;
    case 'not':
      return `(NOT ${s(e.arg)})`;
    case 'is_null':
      return `(${s(e.arg)} IS ${e.negated ? 'NOT ' : ''}NULL)`;
    case 'is_bool':
      return `(${s(e.arg)} IS ${e.negated ? 'NOT ' : ''}${e.value ? 'TRUE' : 'FALSE'})`;
    case 'distinct_from':
      return `(${s(e.left)} IS ${e.negated ? 'NOT ' : ''}DISTINCT FROM ${s(e.right)})`;
    case 'in_list':
      return `(${s(e.arg)} ${e.negated ? 'NOT IN' : 'IN'} (${e.list.map(s).join(', ')}))`;
    case 'like':
      return `(${s(e.arg)} ${e.negated ? 'NOT ' : ''}${e.caseInsensitive ? 'ILIKE' : 'LIKE'} ${s(e.pattern)}${e.escape ? ` ESCAPE ${s(e.escape)}` : ''})`;
    case 'between':
      return `(${s(e.arg)} ${e.negated ? 'NOT ' : ''}BETWEEN ${s(e.low)} AND ${s(e.high)})`;
    case 'case':
      return `CASE${e.whens.map((w) => ` WHEN ${s(w.when)} THEN ${s(w.result)}`).join('')}${e.else ? ` ELSE ${s(e.else)}` : ''} END`;
    case 'cast':
      return `${s(e.arg)}::${e.type}`;
    case 'any':
      return `(${s(e.left)} ${e.op} ${e.all ? 'ALL' : 'ANY'}(${s(e.right)}))`;
    case 'array':
      return `ARRAY[${e.items.map(s).join(', ')}]`;
    case 'subquery': {
      const name = subName(e);
      if (e.mode === 'exists') return `${e.negated ? 'NOT ' : ''}EXISTS(${name})`;
      if (e.mode === 'in') return `(${s(e.arg!)} ${e.negated ? 'NOT IN' : 'IN'} (${name}))`;
      if (e.mode === 'array') return `ARRAY(${name})`;
      return `(${name})`;
    }
    case 'agg':
      return `${e.call.fn}(${e.call.star ? '*' : `${e.call.distinct ? 'DISTINCT ' : ''}${e.call.args.map(s).join(', ')}`})`;
    case 'window':
      return `${e.call.fn}(...) OVER (...)`;
    case 'srf':
      return `${e.fn}(${e.args.map(s).join(', ')})`;
    default:
      return assertNever(e);
  }
}

function keyToString(k: SortKey, subName: (sub: Expr) => string): string {
  const dflt = k.nullsFirst === k.desc;
  return `${exprToString(k.expr, subName)}${k.desc ? ' DESC' : ''}${dflt ? '' : k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST'}`;
}

/**
 * Renders a plan as indented text, one node per line; scans list their source's describeScan lines
 * and request estimate; `verbose` adds each node's output columns and types. With `stats`, each node also shows rows, loops and time, and scans show
 * what the source recorded (requests, rows fetched, cache hits, retries).
 */
export function explainPlan(
  plan: LogicalPlan,
  stats?: ReadonlyMap<LogicalPlan, ExplainStats>,
  opts: { verbose?: boolean } = {},
): string {
  const lines = renderPlan(plan, 0, stats, opts);
  const estimate = estimateOf(plannedScans(plan));
  if (!stats && estimate.known && estimate.scans > 0) {
    // Correlated subplans may run once per outer key, so their scans make this a lower bound.
    lines.push(`Estimated requests: ${estimate.repeated ? 'at least ' : ''}${estimate.total}`);
  }
  return lines.join('\n');
}

/** The plan's EXPLAIN lines, indented `depth` levels. */
function renderPlan(
  plan: LogicalPlan,
  depth0: number,
  stats: ReadonlyMap<LogicalPlan, ExplainStats> | undefined,
  opts: { verbose?: boolean },
  names: SubplanNames = subplanNames(),
): string[] {
  const lines: string[] = [];
  const { subName, number } = names;
  const initName = (e: Expr): string => (e.kind === 'cast' ? initName(e.arg) : subName(e));
  const str = (e: Expr): string => exprToString(e, subName);
  const walk = (p: LogicalPlan, depth: number): void => {
    const pad = '  '.repeat(depth);
    const st = stats?.get(p);
    const actual = stats
      ? st
        ? ` (actual rows=${st.rows} loops=${st.loops} time=${st.ms.toFixed(3)} ms)`
        : ' (never executed)'
      : '';
    const line = (text: string): void => {
      lines.push(`${pad}${text}${actual}`);
      // VERBOSE: what each node hands upward, with SQL types.
      if (opts.verbose)
        lines.push(
          `${pad}    output: ${
            outputOf(p)
              .map((c) => `${c.name} ${c.type}`)
              .join(', ') || '(none)'
          }`,
        );
    };
    const detail = (text: string): void => {
      lines.push(`${pad}    ${text}`);
    };
    // The subqueries whose plans are shown under this node: a scan's pushed `id = (SELECT …)` runs
    // once before the scan.
    const own: Extract<Expr, { kind: 'subquery' }>[] = [];
    const withSubplans =
      p.kind === 'scan'
        ? p.filters
        : p.kind === 'filter'
          ? [p.predicate]
          : p.kind === 'project'
            ? p.exprs
            : [];
    for (const e of withSubplans) findSubqueries(e, (sub) => own.push(sub));
    number(withSubplans);
    switch (p.kind) {
      case 'scan': {
        const req = scanRequestOf(p, initName);
        const est = p.source.estimateRequests?.(req);
        line(
          `Scan ${p.table}${p.alias !== p.table ? ` AS ${p.alias}` : ''}${est !== undefined ? ` (est. requests=${est})` : ''}`,
        );
        detail(`columns: ${p.output.map((c) => c.name).join(', ') || '(none)'}`);
        if (p.filters.length > 0) detail(`pushed filters: ${p.filters.map(str).join(' AND ')}`);
        if (p.limit !== undefined) detail(`pushed limit: ${p.limit}`);
        if (p.dynamicColumn !== undefined) detail(`dynamic filter: ${p.dynamicColumn} IN (keys from join)`);
        for (const e of p.embedded ?? []) detail(`parent ${e}`);
        for (const d of p.source.describeScan(req)) detail(d);
        if (st?.scan) {
          detail(
            `requests=${st.scan.requests} rows fetched=${st.scan.rowsFetched} cache hits=${st.scan.cacheHits} retries=${st.scan.retries}${st.scanCalls !== undefined ? ` scan calls=${st.scanCalls}` : ''}`,
          );
        }
        break;
      }
      case 'values':
        line(`Values (${p.rows.length} row${p.rows.length === 1 ? '' : 's'})`);
        return;
      case 'function_scan':
        line(`Function Scan ${p.fn}(${p.args.map(str).join(', ')})`);
        return;
      case 'filter': {
        line(`Filter ${str(p.predicate)}`);
        // Rows fetched but thrown away locally: what an exact pushdown would have saved.
        const input = stats?.get(p.input);
        if (st && input) detail(`rows removed by filter: ${input.rows - st.rows}`);
        break;
      }
      case 'project':
        line(
          `Project ${p.exprs
            .map((e, i) => {
              const t = str(e);
              const n = p.output[i]!.name;
              return t === n ? t : `${t} AS ${n}`;
            })
            .join(', ')}`,
        );
        break;
      case 'join': {
        const lids = new Set(outputOf(p.left).map((c) => c.id));
        const rids = new Set(outputOf(p.right).map((c) => c.id));
        const kind = p.lateral
          ? 'Nested Loop (lateral: right side per left row)'
          : splitJoinKeys(p.on, lids, rids).leftKeys.length > 0
            ? 'Hash Join'
            : 'Nested Loop';
        line(`${kind} ${p.joinType}${p.nullAware ? ' (null-aware)' : ''}${p.on ? ` on ${str(p.on)}` : ''}`);
        if (p.dynamic) {
          detail(
            `semi-join pushdown: ${p.dynamic.build} side first, ${str(p.dynamic.buildKey)} → ${p.dynamic.column}`,
          );
        }
        break;
      }
      case 'aggregate':
        line(
          `Aggregate${p.groupBy.length > 0 ? ` group by ${p.groupBy.map(str).join(', ')}` : ''}: ${p.aggs
            .map((a) => str({ kind: 'agg', call: a, type: a.type }))
            .join(', ')}`,
        );
        break;
      case 'window':
        line(`Window ${p.funcs.map((f) => f.fn).join(', ')}`);
        break;
      case 'project_set':
        line(`ProjectSet ${p.funcs.map((f) => `${f.fn}(${f.args.map(str).join(', ')})`).join(', ')}`);
        break;
      case 'sort':
        line(`Sort ${p.keys.map((k) => keyToString(k, subName)).join(', ')}`);
        break;
      case 'limit':
        line(`Limit ${p.limit ?? 'ALL'}${p.offset ? ` offset ${p.offset}` : ''}`);
        break;
      case 'distinct':
        line(p.on ? `Distinct on ${p.on.map(str).join(', ')}` : 'Distinct');
        break;
      case 'setop':
        line(`${p.op[0]!.toUpperCase()}${p.op.slice(1)}${p.all ? ' All' : ''}`);
        break;
      case 'cte_ref':
        line(`CTE Scan ${p.name}`);
        return;
      case 'recursive_union':
        line(`Recursive Union${p.all ? ' All' : ''}`);
        walk(p.anchor, depth + 1);
        walk(p.step, depth + 1);
        return;
      case 'with':
        line('With');
        for (const c of p.ctes) {
          lines.push(`${pad}  CTE ${c.name}`);
          walk(c.plan, depth + 2);
        }
        walk(p.input, depth + 1);
        return;
      default:
        assertNever(p);
    }
    for (const c of childrenOf(p)) walk(c, depth + 1);
    for (const sub of own) {
      const correlated = sub.correlated.length > 0;
      lines.push(
        `${pad}  ${subName(sub)}${correlated ? ' (correlated: runs once per distinct outer key)' : ''}`,
      );
      walk(sub.plan, depth + 2);
    }
  };
  walk(plan, depth0);
  return lines;
}

/** What EXPLAIN ANALYZE of a write reports about the writes themselves. */
export interface WriteExplainStats {
  readonly rows: number;
  readonly ms: number;
  readonly write: ScanStats;
}

const WRITE_NODE: Record<WritePlan['op'], string> = { insert: 'Insert', update: 'Update', delete: 'Delete' };

/**
 * EXPLAIN of a write: a node naming the operation, table and expected requests (one per row: the
 * count is exact for INSERT … VALUES, per row otherwise), with the assigned columns or SET list,
 * RETURNING, the source's describeWrite lines and any `notes` (e.g. that a safety setting would
 * refuse it), then the read plan below it (UPDATE / DELETE, INSERT … SELECT, VALUES that read
 * tables) with its own scans and requests. With statistics (EXPLAIN ANALYZE, the write was
 * performed) it shows rows written and the write requests made.
 */
export function explainWrite(
  plan: WritePlan,
  opts: {
    readonly verbose?: boolean;
    readonly notes?: readonly string[];
    readonly stats?: ReadonlyMap<LogicalPlan, ExplainStats>;
    readonly write?: WriteExplainStats;
  } = {},
): string {
  const t = plan.target;
  const rowsKnown = plan.op === 'insert' && plan.cells !== undefined ? plan.cells.length : undefined;
  const est =
    rowsKnown !== undefined ? `rows=${rowsKnown}, est. requests=${rowsKnown}` : 'est. requests=1 per row';
  const actual = opts.write ? ` (actual rows=${opts.write.rows} time=${opts.write.ms.toFixed(3)} ms)` : '';
  const lines = [
    `${WRITE_NODE[plan.op]} on ${t.name}${t.alias !== t.name ? ` AS ${t.alias}` : ''} (${est})${actual}`,
  ];
  const detail = (text: string): void => {
    lines.push(`    ${text}`);
  };
  const columns =
    plan.op === 'insert' ? plan.columns : plan.op === 'update' ? plan.slots.map((s) => s.column.name) : [];
  if (plan.op === 'insert')
    detail(`columns: ${plan.columns.join(', ') || '(none: every column takes its default)'}`);
  const names = subplanNames();
  if (plan.op === 'update') {
    names.number(plan.slots.map((s) => s.expr));
    detail(
      `set: ${plan.slots.map((s) => `${s.column.name} = ${exprToString(s.expr, names.subName)}`).join(', ') || '(nothing)'}`,
    );
  }
  if (plan.returning) detail(`returning: ${plan.returning.fields.map((f) => f.name).join(', ')}`);
  for (const d of t.source.describeWrite?.(plan.op, columns) ?? []) detail(d);
  for (const n of opts.notes ?? []) detail(`note: ${n}`);
  if (opts.write) {
    const w = opts.write.write;
    detail(`write requests=${w.requests} retries=${w.retries}`);
  }
  let readsTables = false;
  forEachNode(plan.input, (p) => {
    if (p.kind === 'scan') readsTables = true;
  });
  const read = renderPlan(
    plan.input,
    1,
    opts.stats,
    opts.verbose === undefined ? {} : { verbose: opts.verbose },
    names,
  );
  if (readsTables || plan.op !== 'insert') lines.push(...read);
  if (!opts.write) {
    const e = estimateOf(plannedScans(plan.input));
    const writes = rowsKnown !== undefined ? `${rowsKnown} to write` : '1 per row written';
    const reads = e.known ? `${e.repeated ? 'at least ' : ''}${e.total} to read` : 'the reads';
    lines.push(
      `Estimated requests: ${e.scans === 0 ? (rowsKnown ?? '1 per row written') : `${reads}, then ${writes}`}`,
    );
  }
  return lines.join('\n');
}

function childrenOf(p: LogicalPlan): LogicalPlan[] {
  switch (p.kind) {
    case 'filter':
    case 'project':
    case 'aggregate':
    case 'window':
    case 'project_set':
    case 'sort':
    case 'limit':
    case 'distinct':
      return [p.input];
    case 'join':
    case 'setop':
      return [p.left, p.right];
    default:
      return [];
  }
}

/**
 * Numbers subqueries in the order the text first mentions them: `(SubPlan n)` in an expression,
 * `SubPlan n` over its plan, and `{SubPlan n}` for its value in a scan's requests.
 */
interface SubplanNames {
  readonly subName: (sub: Expr) => string;
  /** Gives the unnumbered subqueries of `exprs` the next numbers. */
  readonly number: (exprs: readonly Expr[]) => void;
}

function subplanNames(): SubplanNames {
  const numbers = new Map<Expr, number>();
  return {
    subName: (e) => {
      const n = numbers.get(e);
      return n === undefined ? 'SubPlan' : `SubPlan ${n}`;
    },
    number: (exprs) => {
      for (const e of exprs)
        findSubqueries(e, (sub) => {
          if (!numbers.has(sub)) numbers.set(sub, numbers.size + 1);
        });
    },
  };
}

function findSubqueries(e: Expr, f: (sub: Extract<Expr, { kind: 'subquery' }>) => void): void {
  if (e.kind === 'subquery') {
    f(e);
    if (e.arg) findSubqueries(e.arg, f);
    return;
  }
  for (const v of Object.values(e)) {
    if (Array.isArray(v)) {
      for (const x of v) {
        if (x && typeof x === 'object' && 'kind' in x) findSubqueries(x as Expr, f);
        else if (x && typeof x === 'object' && 'when' in x) {
          findSubqueries((x as { when: Expr }).when, f);
          findSubqueries((x as { result: Expr }).result, f);
        }
      }
    } else if (v && typeof v === 'object' && 'kind' in v) findSubqueries(v as Expr, f);
  }
}
