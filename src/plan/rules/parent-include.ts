import type { ParentEmbedding, ScanRequest } from '../../catalog/table-source.js';
import {
  and,
  type ColumnDef,
  colRef,
  columnIds,
  conjuncts,
  type Expr,
  exprKey,
  hasSubquery,
  isVolatile,
  mapExpr,
  placeholderFor,
} from '../expr.js';
import { splitJoinKeys } from '../join-keys.js';
import { inputsOf, type LogicalPlan, outputOf, withInputs } from '../logical.js';
import { scanRequestOf } from '../scans.js';
import { forEachNode, mapNodeExprs, mapSubplans, nodeExprs } from '../walk.js';
import { sourceFilterForm } from './push-filters.js';
import type { Rule } from './rule.js';

type Scan = Extract<LogicalPlan, { kind: 'scan' }>;
type Join = Extract<LogicalPlan, { kind: 'join' }>;
type Project = Extract<LogicalPlan, { kind: 'project' }>;

/**
 * Parent include (the engine side of Trino's `applyJoin` for many-to-one joins): a join of a child
 * scan with the scan of its parent on `child.column = parent.key` becomes one scan of
 * `child.source.withParent(parent.source, column)`, which reads the parent's columns in the child's
 * own requests (Paymo: `include=`), when that makes fewer requests than reading both sides, even
 * with semi-join pushdown (`estimateRequests` of each side, plain or keyed by the other side's
 * keys, against the combined scan's).
 *
 * The parent side is a scan, possibly under a Filter; the child scan may sit below filters,
 * projections and the row-preserving sides of other joins (chains: `entries ⋈ users ⋈ tasks`
 * embeds both). Inner joins (either order) keep `parent.key IS NOT NULL` and the parent's filters
 * in a Filter over the combined scan; those the source takes (`supportsFilters` on the combined
 * names) also go into it. A LEFT join with the parent on the nullable side (or the RIGHT join
 * mirror) keeps every child row: the parent's filters only blank its columns (`CASE WHEN …`). FULL,
 * semi and anti joins, LATERAL, and parent scans with a limit or correlation parameters are left
 * alone. A Project maps the combined scan's columns back to the ids the plan above reads (merged
 * into a Project right above it), so nothing above changes. Runs after push-filters and
 * prune-columns (filters and columns settled), before push-limit and semi-join pushdown (which then
 * see one scan).
 *
 * Before: `Project e.id, u.name → Hash Join inner on (u.id = e.user_id) →
 *          (Scan time_entries e [task_id = 7], Scan users u [id, name])`
 * After:  `Project e.id, user.name AS name → Filter (user.id IS NOT NULL) →
 *          Scan time_entries e [task_id = 7; id, user.id, user.name; parent users AS u via include=user]`
 */
export const parentInclude: Rule = {
  name: 'parent-include',
  apply(plan, ctx) {
    if (!ctx.pushdown) return plan;
    let next = maxId(plan);
    const made: Made = { fresh: () => ++next, projects: new WeakSet() };
    const visit = (p: LogicalPlan): LogicalPlan => {
      const ins = inputsOf(p);
      let q = ins.length > 0 ? withInputs(p, ins.map(visit)) : p;
      q = mapNodeExprs(q, (e) => mapSubplans(e, visit));
      if (q.kind === 'project') return merged(q, made);
      return q.kind === 'join' ? (embedJoin(q, made) ?? q) : q;
    };
    return visit(plan);
  },
};

/** Fresh column ids, and the projections this rule made (merged into the Project above them). */
interface Made {
  readonly fresh: () => number;
  readonly projects: WeakSet<LogicalPlan>;
}

function maxId(plan: LogicalPlan): number {
  let max = 0;
  forEachNode(plan, (p) => {
    for (const c of outputOf(p)) max = Math.max(max, c.id);
    for (const e of nodeExprs(p)) for (const id of columnIds(e)) max = Math.max(max, id);
  });
  return max;
}

/** A Project over one this rule made, as one Project (its column references substituted). */
function merged(outer: Project, made: Made): Project {
  const inner = outer.input;
  if (inner.kind !== 'project' || !made.projects.has(inner) || outer.exprs.some(hasSubquery)) return outer;
  const byId = new Map(inner.output.map((c, i) => [c.id, inner.exprs[i]!] as const));
  const out: Project = {
    ...outer,
    input: inner.input,
    exprs: outer.exprs.map((e) => mapExpr(e, (x) => (x.kind === 'column' ? (byId.get(x.id) ?? x) : x))),
  };
  if (made.projects.has(outer)) made.projects.add(out);
  return out;
}

/** The parent side: a scan, possibly under a Filter of its own (local predicates). */
function parentSide(p: LogicalPlan): { scan: Scan; local: Expr[] } | undefined {
  const scan = p.kind === 'filter' ? p.input : p;
  if (scan.kind !== 'scan' || scan.limit !== undefined || scan.paramIds || scan.dynamicColumn)
    return undefined;
  return { scan, local: p.kind === 'filter' ? conjuncts(p.predicate) : [] };
}

/** What replaces the child scan: its subtree and the parent columns (old ids) it adds to every row. */
interface Replacement {
  readonly plan: LogicalPlan;
  readonly added: readonly ColumnDef[];
}

/** Builds the replacement of a child scan reading `column`; `below` is a Filter's predicate right above it. */
type Replace = (scan: Scan, column: string, below: readonly Expr[]) => Replacement | undefined;

/**
 * Finds the scan producing column `id` below nodes that keep each of its rows at most once with
 * all its columns (filters, projections, inner joins, the preserved side of LEFT / semi / anti
 * joins) and replaces it by `f(…)`; projections on the way pass the added columns.
 */
function replaceChild(p: LogicalPlan, id: number, f: Replace, made: Made): Replacement | undefined {
  const usable = (s: LogicalPlan): s is Scan =>
    s.kind === 'scan' &&
    s.limit === undefined &&
    s.dynamicColumn === undefined &&
    s.output.some((c) => c.id === id);
  switch (p.kind) {
    case 'scan': {
      return usable(p) ? f(p, p.output.find((c) => c.id === id)!.name, []) : undefined;
    }
    case 'filter': {
      // A Filter on the scan itself goes below the new projection, with the new checks.
      if (usable(p.input))
        return f(p.input, p.input.output.find((c) => c.id === id)!.name, conjuncts(p.predicate));
      const r = replaceChild(p.input, id, f, made);
      return r && { plan: { ...p, input: r.plan }, added: r.added };
    }
    case 'project': {
      const e = p.exprs[p.output.findIndex((c) => c.id === id)];
      const r = e?.kind === 'column' ? replaceChild(p.input, e.id, f, made) : undefined;
      if (!r) return undefined;
      const plan: Project = {
        ...p,
        input: r.plan,
        exprs: [...p.exprs, ...r.added.map(colRef)],
        output: [...p.output, ...r.added],
      };
      if (made.projects.has(p)) made.projects.add(plan);
      return { plan: merged(plan, made), added: r.added };
    }
    case 'join': {
      if (p.lateral || p.dynamic) return undefined;
      const inLeft = outputOf(p.left).some((c) => c.id === id);
      const through = inLeft
        ? ['inner', 'cross', 'left', 'semi', 'anti'].includes(p.joinType)
        : p.joinType === 'inner' || p.joinType === 'cross';
      if (!through) return undefined;
      const r = replaceChild(inLeft ? p.left : p.right, id, f, made);
      if (!r) return undefined;
      return { plan: inLeft ? { ...p, left: r.plan } : { ...p, right: r.plan }, added: r.added };
    }
    default:
      return undefined;
  }
}

/** Requests of a scan request, or undefined when the source cannot say. */
function cost(s: { readonly source: Scan['source'] }, r: ScanRequest): number | undefined {
  return s.source.estimateRequests?.(r);
}

/**
 * The scan's request with a plan-time dynamic `column IN ()` filter, if its source takes IN on it
 * and no filter pins the column already (semi-join pushdown skips those: nothing to gain).
 */
function keyed(scan: Scan, column: string): ScanRequest | undefined {
  const col = scan.output.find((c) => c.name === column) ?? scan.source.schema.find((c) => c.name === column);
  if (!col) return undefined;
  const on = (e: Expr): boolean => e.kind === 'column' && e.name === column;
  const pinned = scan.filters.some(
    (f) =>
      (f.kind === 'call' && f.fn === '=' && on(f.args[0]!)) ||
      (f.kind === 'in_list' && !f.negated && on(f.arg)),
  );
  if (pinned) return undefined;
  const arg: Expr = { kind: 'column', id: -scan.scanId, name: col.name, type: col.type };
  const probe: Expr = {
    kind: 'in_list',
    arg,
    list: [{ kind: 'literal', value: placeholderFor(col.type), type: col.type }],
    negated: false,
    type: 'boolean',
  };
  const [answer] = scan.source.supportsFilters([probe]);
  if (answer === undefined || answer === 'unsupported') return undefined;
  return { ...scanRequestOf(scan), dynamicFilters: [{ ...probe, list: [] }] };
}

/** Fewest requests the two scans need as a join: plain, or either side keyed by the other's (semi-join). */
function joinCost(child: Scan, column: string, parent: Scan, key: string): number | undefined {
  const c = cost(child, scanRequestOf(child));
  const p = cost(parent, scanRequestOf(parent));
  if (c === undefined || p === undefined) return undefined;
  const options = [c + p];
  const pk = keyed(parent, key);
  const pkCost = pk && cost(parent, pk);
  if (pkCost !== undefined) options.push(c + pkCost);
  const ck = keyed(child, column);
  const ckCost = ck && cost(child, ck);
  if (ckCost !== undefined) options.push(p + ckCost);
  return Math.min(...options);
}

function embedJoin(j: Join, made: Made): LogicalPlan | undefined {
  if (j.lateral || j.dynamic) return undefined;
  const sides: ('left' | 'right')[] =
    j.joinType === 'inner'
      ? ['right', 'left']
      : j.joinType === 'left'
        ? ['right']
        : j.joinType === 'right'
          ? ['left']
          : [];
  const lids = new Set(outputOf(j.left).map((c) => c.id));
  const rids = new Set(outputOf(j.right).map((c) => c.id));
  const keys = splitJoinKeys(j.on, lids, rids);
  for (const side of sides) {
    const parent = parentSide(side === 'left' ? j.left : j.right);
    if (!parent) continue;
    for (let i = 0; i < keys.leftKeys.length; i++) {
      const pk = side === 'left' ? keys.leftKeys[i]! : keys.rightKeys[i]!;
      const ck = side === 'left' ? keys.rightKeys[i]! : keys.leftKeys[i]!;
      if (pk.kind !== 'column' || ck.kind !== 'column') continue;
      // Every other condition: checked above (inner), or not at all (outer joins decline).
      const extra = [
        ...keys.leftKeys.flatMap((l, k): Expr[] =>
          k === i ? [] : [{ kind: 'call', fn: '=', args: [l, keys.rightKeys[k]!], type: 'boolean' }],
        ),
        ...(keys.residual ? conjuncts(keys.residual) : []),
      ];
      if (j.joinType !== 'inner' && extra.length > 0) continue;
      const out = embedPair(j, side, parent, pk, ck, extra, made);
      if (out) return out;
    }
  }
  return undefined;
}

function embedPair(
  j: Join,
  side: 'left' | 'right',
  parent: { scan: Scan; local: Expr[] },
  parentKey: Extract<Expr, { kind: 'column' }>,
  childKey: Extract<Expr, { kind: 'column' }>,
  extra: readonly Expr[],
  made: Made,
): LogicalPlan | undefined {
  const inner = j.joinType === 'inner';
  const pscan = parent.scan;
  const pkName = pscan.output.find((c) => c.id === parentKey.id)?.name;
  if (pkName === undefined) return undefined;
  // Parent predicates: those its source took and those left above it (deduplicated).
  const seen = new Set<string>();
  const preds = [...pscan.filters, ...parent.local].filter((e) => {
    const k = exprKey(e);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (!inner && preds.some((e) => hasSubquery(e) || isVolatile(e))) return undefined;
  // The parent's columns: those it outputs, and those its pushed filters read (now checked here).
  const pcols = [...pscan.output];
  for (const f of pscan.filters) {
    mapExpr(f, (x) => {
      if (x.kind === 'column' && !pcols.some((c) => c.id === x.id))
        pcols.push({ id: x.id, name: x.name, type: x.type, ...(x.table ? { table: x.table } : {}) });
      return x;
    });
  }
  const replace: Replace = (cscan, column, below) => {
    const emb: ParentEmbedding | undefined = cscan.source.withParent?.(pscan.source, column);
    if (!emb || emb.parentKey !== pkName) return undefined;
    if (!pcols.every((c) => emb.columns.has(c.name))) return undefined;
    const before = joinCost(cscan, column, pscan, pkName);
    if (before === undefined) return undefined;
    // The parent's columns under fresh ids and the combined source's names.
    const byOld = new Map<number, Extract<Expr, { kind: 'column' }>>();
    const added: ColumnDef[] = pcols.map((c) => {
      const def: ColumnDef = { id: made.fresh(), name: emb.columns.get(c.name)!, type: c.type };
      byOld.set(c.id, { kind: 'column', id: def.id, name: def.name, type: def.type });
      return def;
    });
    const renamed = (e: Expr): Expr => mapExpr(e, (x) => (x.kind === 'column' ? (byOld.get(x.id) ?? x) : x));
    // Inner joins: offer the parent's predicates to the combined source under its names.
    const filters = [...cscan.filters];
    let local = preds;
    if (inner) {
      const cols = new Map(pcols.map((c) => [c.id, c] as const));
      const offers = preds.flatMap((e, index) => {
        const form = !hasSubquery(e) && !isVolatile(e) ? sourceFilterForm(e, cols) : undefined;
        return form ? [{ index, expr: renamed(form.expr) }] : [];
      });
      const answers = emb.source.supportsFilters(offers.map((o) => o.expr));
      const exact = new Set<number>();
      offers.forEach((o, k) => {
        const a = answers[k] ?? 'unsupported';
        if (a !== 'unsupported') filters.push(o.expr);
        if (a === 'exact') exact.add(o.index);
      });
      local = preds.filter((_, k) => !exact.has(k));
    }
    const scan: Scan = {
      ...cscan,
      source: emb.source,
      output: [...cscan.output, ...added],
      filters,
      embedded: [
        ...(cscan.embedded ?? []),
        `${pscan.table}${pscan.alias !== pscan.table ? ` AS ${pscan.alias}` : ''} via ${emb.via}`,
      ],
    };
    const after = cost(scan, scanRequestOf(scan));
    if (after === undefined || after >= before) return undefined;
    // Checks on the scan's own columns (new ids) go below the projection; subqueries, which may
    // read the old ids, above it.
    const low: Expr[] = [...below];
    const high: Expr[] = [];
    if (inner) {
      low.push({ kind: 'is_null', arg: byOld.get(parentKey.id)!, negated: true, type: 'boolean' });
      for (const e of local) (hasSubquery(e) ? high : low).push(hasSubquery(e) ? e : renamed(e));
    }
    // Outer join: a parent that fails its predicates leaves the child row with NULL parent columns.
    const cond = !inner && preds.length > 0 ? renamed(and(preds)) : undefined;
    const project: Project = {
      kind: 'project',
      input: low.length > 0 ? { kind: 'filter', input: scan, predicate: and(low) } : scan,
      exprs: [
        ...cscan.output.map(colRef),
        ...added.map((c): Expr => {
          const ref = colRef(c);
          return cond ? { kind: 'case', whens: [{ when: cond, result: ref }], type: c.type } : ref;
        }),
      ],
      output: [...cscan.output, ...pcols],
    };
    made.projects.add(project);
    const plan: LogicalPlan =
      high.length > 0 ? { kind: 'filter', input: project, predicate: and(high) } : project;
    return { plan, added: pcols };
  };
  const r = replaceChild(side === 'left' ? j.right : j.left, childKey.id, replace, made);
  if (!r) return undefined;
  const body: LogicalPlan =
    extra.length > 0 ? { kind: 'filter', input: r.plan, predicate: and(extra) } : r.plan;
  // The join's columns in the join's order, as before.
  const want = outputOf(j);
  const have = outputOf(body);
  if (want.length === have.length && want.every((c, i) => c.id === have[i]!.id)) return body;
  const top: Project = { kind: 'project', input: body, exprs: want.map(colRef), output: want };
  made.projects.add(top);
  return merged(top, made);
}
