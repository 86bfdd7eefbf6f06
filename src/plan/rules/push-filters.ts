import type { FilterSupport } from '../../catalog/table-source.js';
import {
  and,
  type ColumnDef,
  type CompareOp,
  columnIds,
  conjuncts,
  type Expr,
  exprKey,
  hasSubquery,
  isInitValue,
  isVolatile,
  mapExpr,
  placeRuntimeValues,
} from '../expr.js';
import { type LogicalPlan, outputOf } from '../logical.js';
import { mapNodeExprs, mapSubplans } from '../walk.js';
import type { Rule, RuleContext } from './rule.js';

type Scan = Extract<LogicalPlan, { kind: 'scan' }>;

/**
 * Pushes predicates as far down as they stay correct: through projections (substituting the
 * projected expressions), sorts, plain DISTINCT and aggregates (predicates on pass-through group
 * keys), into join conditions (a Filter above a cross join becomes an inner join) and into the sides
 * of joins (inner: both; left: the preserved side's WHERE predicates and the other side's ON
 * predicates; semi/anti likewise). On the way it reduces outer joins whose WHERE rejects NULLs of
 * the nullable side to inner joins, and copies literal constraints across equi-join keys
 * (`t.project_id = p.id AND p.id = 10` also gives `t.project_id = 10`). At a scan each AND conjunct
 * of a simple form is offered to the source: `exact` ones move into the scan, `inexact` ones go into
 * the scan AND stay in a Filter above it, `unsupported` ones stay in the Filter. In a correlated
 * subquery, a column of the enclosing query may stand where a literal goes (a run-time parameter).
 *
 * Before: `Filter ((p.id = t.project_id) AND (t.status = 'open')) → Cross Join (Scan projects, Scan tasks)`
 * After:  `Hash Join inner on (p.id = t.project_id) → (Scan projects, Scan tasks [pushed: status = 'open'])`
 */
export const pushFilters: Rule = {
  name: 'push-filters',
  apply(plan, ctx) {
    return push(plan, [], ctx);
  },
};

function wrap(p: LogicalPlan, preds: readonly Expr[]): LogicalPlan {
  return preds.length === 0 ? p : { kind: 'filter', input: p, predicate: and(preds) };
}

function idsOf(p: LogicalPlan): Set<number> {
  return new Set(outputOf(p).map((c) => c.id));
}

function subplansOptimised(p: LogicalPlan, ctx: RuleContext): LogicalPlan {
  return mapNodeExprs(p, (e) => mapSubplans(e, (sp) => push(sp, [], ctx)));
}

function push(p0: LogicalPlan, preds: readonly Expr[], ctx: RuleContext): LogicalPlan {
  const p = subplansOptimised(p0, ctx);
  switch (p.kind) {
    case 'filter':
      return push(p.input, [...preds, ...conjuncts(p.predicate)], ctx);
    case 'project': {
      const map = new Map<number, Expr>();
      p.output.forEach((c, i) => {
        if (!map.has(c.id)) map.set(c.id, p.exprs[i]!);
      });
      const down: Expr[] = [];
      const keep: Expr[] = [];
      for (const pr of preds) {
        const sub = mapExpr(pr, (e) => (e.kind === 'column' && map.has(e.id) ? map.get(e.id)! : e));
        if (isVolatile(sub) || hasWindowOrAgg(sub)) keep.push(pr);
        else down.push(sub);
      }
      return wrap({ ...p, input: push(p.input, down, ctx) }, keep);
    }
    case 'sort':
      return { ...p, input: push(p.input, preds, ctx) };
    case 'distinct':
      if (p.on) return wrap({ ...p, input: push(p.input, [], ctx) }, preds);
      return { ...p, input: push(p.input, preds, ctx) };
    case 'aggregate': {
      const inputIds = idsOf(p.input);
      const passKeys = new Set(
        p.groupBy.filter((g) => g.kind === 'column').map((g) => (g as { id: number }).id),
      );
      const outIds = new Set(p.output.map((c) => c.id));
      const down: Expr[] = [];
      const keep: Expr[] = [];
      for (const pr of preds) {
        const used = [...columnIds(pr)].filter((id) => outIds.has(id));
        if (
          p.groupBy.length > 0 &&
          used.every((id) => passKeys.has(id) && inputIds.has(id)) &&
          !isVolatile(pr)
        ) {
          down.push(pr);
        } else keep.push(pr);
      }
      return wrap({ ...p, input: push(p.input, down, ctx) }, keep);
    }
    case 'join':
      return pushJoin(p, preds, ctx);
    case 'scan':
      return pushScan(p, preds, ctx);
    case 'with':
      return wrap(
        {
          ...p,
          ctes: p.ctes.map((c) => ({ ...c, plan: push(c.plan, [], ctx) })),
          input: push(p.input, [], ctx),
        },
        preds,
      );
    case 'limit':
    case 'window':
    case 'project_set':
      return wrap({ ...p, input: push(p.input, [], ctx) }, preds);
    case 'setop':
      return wrap({ ...p, left: push(p.left, [], ctx), right: push(p.right, [], ctx) }, preds);
    case 'recursive_union':
      return wrap({ ...p, anchor: push(p.anchor, [], ctx), step: push(p.step, [], ctx) }, preds);
    case 'values':
    case 'cte_ref':
    case 'function_scan':
      return wrap(p, preds);
  }
}

function hasWindowOrAgg(e: Expr): boolean {
  let found = false;
  mapExpr(e, (x) => {
    if (x.kind === 'agg' || x.kind === 'window') found = true;
    return x;
  });
  return found;
}

function pushJoin(
  p: Extract<LogicalPlan, { kind: 'join' }>,
  preds: readonly Expr[],
  ctx: RuleContext,
): LogicalPlan {
  const lids = idsOf(p.left);
  const rids = idsOf(p.right);
  const toLeft: Expr[] = [];
  const toRight: Expr[] = [];
  const above: Expr[] = [];
  const onKeep: Expr[] = [];
  const onConj = p.on ? conjuncts(p.on) : [];
  const side = (e: Expr): 'left' | 'right' | 'both' | 'none' => {
    const ids = [...columnIds(e)];
    const l = ids.some((id) => lids.has(id));
    const r = ids.some((id) => rids.has(id));
    if (l && r) return 'both';
    if (l) return 'left';
    if (r) return 'right';
    return 'none';
  };
  let joinType = p.joinType;
  // A WHERE predicate that cannot be true when the nullable side is all NULL turns an outer join
  // into an inner one (PostgreSQL's reduce_outer_joins), which then lets filters and keys flow down.
  if (joinType === 'left' && preds.some((e) => rejectsNulls(e, rids))) joinType = 'inner';
  else if (joinType === 'right' && preds.some((e) => rejectsNulls(e, lids))) joinType = 'inner';
  else if (joinType === 'full') {
    const l = preds.some((e) => rejectsNulls(e, lids));
    const r = preds.some((e) => rejectsNulls(e, rids));
    if (l && r) joinType = 'inner';
    else if (l) joinType = 'left';
    else if (r) joinType = 'right';
  }
  switch (joinType) {
    case 'inner':
    case 'cross': {
      for (const e of [...preds, ...onConj]) {
        if (isVolatile(e)) {
          above.push(e);
          continue;
        }
        const s = side(e);
        if (s === 'left' || s === 'none') toLeft.push(e);
        else if (s === 'right') toRight.push(e);
        else if (hasSubquery(e)) above.push(e);
        else onKeep.push(e);
      }
      if (onKeep.length > 0) joinType = 'inner';
      else if (joinType === 'inner') joinType = 'cross';
      break;
    }
    case 'left':
    case 'right': {
      const preserved = joinType === 'left' ? 'left' : 'right';
      for (const e of preds) {
        const s = side(e);
        if ((s === preserved || s === 'none') && !isVolatile(e))
          (preserved === 'left' ? toLeft : toRight).push(e);
        else above.push(e);
      }
      for (const e of onConj) {
        const s = side(e);
        const other = preserved === 'left' ? 'right' : 'left';
        if (s === other && !isVolatile(e)) (other === 'left' ? toLeft : toRight).push(e);
        else onKeep.push(e);
      }
      break;
    }
    case 'semi':
    case 'anti': {
      for (const e of preds) {
        if (!isVolatile(e)) toLeft.push(e);
        else above.push(e);
      }
      for (const e of onConj) {
        const s = side(e);
        if (s === 'right' && !isVolatile(e)) toRight.push(e);
        else if (s === 'left' && joinType === 'semi' && !isVolatile(e)) toLeft.push(e);
        else onKeep.push(e);
      }
      break;
    }
    case 'full':
      above.push(...preds);
      onKeep.push(...onConj);
      break;
  }
  // Transitivity over equi-join keys: `t.project_id = p.id AND p.id = 10` also gives
  // `t.project_id = 10`, so both scans get a filter the source can use. Only into sides whose
  // unmatched rows are dropped anyway (inner / semi: both; left: the nullable right; right: left).
  if (joinType !== 'full' && joinType !== 'anti') {
    const intoRight = joinType !== 'right';
    const intoLeft =
      joinType === 'inner' || joinType === 'cross' || joinType === 'semi' || joinType === 'right';
    const fromLeft = [...toLeft];
    const fromRight = [...toRight];
    for (const c of onKeep) {
      if (c.kind !== 'call' || c.fn !== '=') continue;
      const [a, b] = c.args as [Expr, Expr];
      if (a.kind !== 'column' || b.kind !== 'column' || a.type !== b.type) continue;
      const [l, r] =
        lids.has(a.id) && rids.has(b.id) ? [a, b] : lids.has(b.id) && rids.has(a.id) ? [b, a] : [];
      if (!l || !r) continue;
      if (intoRight) for (const f of fromLeft) addDerived(f, l, r, toRight);
      if (intoLeft) for (const f of fromRight) addDerived(f, r, l, toLeft);
    }
  }
  const joined: LogicalPlan = {
    ...p,
    joinType,
    left: push(p.left, toLeft, ctx),
    right: push(p.right, toRight, ctx),
    on: onKeep.length > 0 ? and(dedupe(onKeep)) : null,
  };
  return wrap(joined, above);
}

/**
 * If `f` constrains column `from` by literals only (=, IN, BETWEEN, <, …), adds the same constraint
 * on `to` to `into` (equal join keys share every such constraint).
 */
function addDerived(
  f: Expr,
  from: Extract<Expr, { kind: 'column' }>,
  to: Extract<Expr, { kind: 'column' }>,
  into: Expr[],
): void {
  const isFrom = (x: Expr | undefined): boolean => x?.kind === 'column' && x.id === from.id;
  const lits = (xs: readonly Expr[]): boolean => xs.every((x) => x.kind === 'literal');
  let derived: Expr | undefined;
  if (
    f.kind === 'call' &&
    f.fn in FLIP &&
    f.args.length === 2 &&
    isFrom(f.args[0]) &&
    lits(f.args.slice(1))
  ) {
    derived = { ...f, args: [to, f.args[1]!] };
  } else if (
    f.kind === 'call' &&
    f.fn in FLIP &&
    f.args.length === 2 &&
    isFrom(f.args[1]) &&
    lits(f.args.slice(0, 1))
  ) {
    derived = { ...f, args: [f.args[0]!, to] };
  } else if (f.kind === 'in_list' && !f.negated && isFrom(f.arg) && lits(f.list)) {
    derived = { ...f, arg: to };
  } else if (f.kind === 'between' && !f.negated && isFrom(f.arg) && lits([f.low, f.high])) {
    derived = { ...f, arg: to };
  }
  if (derived && !into.some((x) => exprKey(x) === exprKey(derived))) into.push(derived);
}

const STRICT_COMPARE = new Set(['=', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '||', 'neg']);

/** True if an expression is NULL whenever every column in `ids` it reads is NULL (strict operators only). */
function nullsIn(e: Expr, ids: ReadonlySet<number>): boolean {
  switch (e.kind) {
    case 'column':
      return ids.has(e.id);
    case 'cast':
      return nullsIn(e.arg, ids);
    case 'call':
      return STRICT_COMPARE.has(e.fn) && e.args.some((a) => nullsIn(a, ids));
    default:
      return false;
  }
}

/**
 * True if the predicate is never TRUE when the columns in `ids` are all NULL: comparisons, IN,
 * LIKE and BETWEEN on them, IS NOT NULL, and AND/OR combinations thereof. Conservative: anything
 * else (IS NULL, COALESCE, CASE, IS DISTINCT FROM) answers false.
 */
export function rejectsNulls(e: Expr, ids: ReadonlySet<number>): boolean {
  switch (e.kind) {
    case 'call':
      return nullsIn(e, ids) && ['=', '!=', '<', '<=', '>', '>='].includes(e.fn);
    case 'in_list':
    case 'like':
    case 'between':
      return nullsIn(e.arg, ids);
    case 'is_null':
      return e.negated && nullsIn(e.arg, ids);
    case 'is_bool':
      return !e.negated && nullsIn(e.arg, ids);
    case 'column':
      return e.type === 'boolean' && ids.has(e.id);
    case 'and':
      return e.args.some((a) => rejectsNulls(a, ids));
    case 'or':
      return e.args.every((a) => rejectsNulls(a, ids));
    case 'not':
      return e.arg.kind !== 'not' && nullsIn(e.arg, ids);
    default:
      return false;
  }
}

function dedupe(es: readonly Expr[]): Expr[] {
  const seen = new Set<string>();
  return es.filter((e) => {
    const k = exprKey(e);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const FLIP: Record<CompareOp, CompareOp> = {
  '=': '=',
  '!=': '!=',
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
};

/**
 * Puts a predicate into the form sources are promised (column first, literals only) if it has one
 * over this scan's columns; returns the column id it constrains (an OR across columns: its first
 * alternative's), or undefined.
 */
export function sourceFilterForm(
  e: Expr,
  cols: ReadonlyMap<number, ColumnDef>,
  allowParams = false,
): { expr: Expr; column: number } | undefined {
  const isCol = (x: Expr): x is Extract<Expr, { kind: 'column' }> => x.kind === 'column' && cols.has(x.id);
  // With allowParams, a column of an enclosing query (a correlation parameter, constant for one
  // run of the subquery) or an uncorrelated scalar subquery (one value for the whole statement)
  // stands where a literal goes; the executor substitutes its value before the scan.
  const isLit = (x: Expr): boolean =>
    x.kind === 'literal' || (allowParams && ((x.kind === 'column' && !cols.has(x.id)) || isInitValue(x)));
  switch (e.kind) {
    case 'column':
      // A bare boolean column (`WHERE active`) filters exactly like `active = true`.
      return isCol(e) && e.type === 'boolean'
        ? {
            expr: {
              kind: 'call',
              fn: '=',
              args: [e, { kind: 'literal', value: true, type: 'boolean' }],
              type: 'boolean',
            },
            column: e.id,
          }
        : undefined;
    case 'not':
      return isCol(e.arg) && e.arg.type === 'boolean'
        ? {
            expr: {
              kind: 'call',
              fn: '=',
              args: [e.arg, { kind: 'literal', value: false, type: 'boolean' }],
              type: 'boolean',
            },
            column: e.arg.id,
          }
        : undefined;
    case 'call': {
      if (!(e.fn in FLIP) || e.args.length !== 2) return undefined;
      const [a, b] = e.args as [Expr, Expr];
      if (isCol(a) && isLit(b)) return { expr: e, column: a.id };
      if (isCol(b) && isLit(a))
        return { expr: { ...e, fn: FLIP[e.fn as CompareOp], args: [b, a] }, column: b.id };
      return undefined;
    }
    case 'in_list':
      return isCol(e.arg) && e.list.every(isLit) ? { expr: e, column: e.arg.id } : undefined;
    case 'any':
      // `lit = ANY(array_col)`: membership in an array column.
      return !e.all && e.op === '=' && isLit(e.left) && isCol(e.right)
        ? { expr: e, column: e.right.id }
        : undefined;
    case 'is_null':
      return isCol(e.arg) ? { expr: e, column: e.arg.id } : undefined;
    case 'like':
      return isCol(e.arg) && isLit(e.pattern) && (!e.escape || isLit(e.escape))
        ? { expr: e, column: e.arg.id }
        : undefined;
    case 'between':
      return isCol(e.arg) && isLit(e.low) && isLit(e.high) ? { expr: e, column: e.arg.id } : undefined;
    case 'or': {
      // Each alternative a simple form on a column of this scan (the same or different ones); the
      // source decides whether one of its conditions covers them all.
      const parts = e.args.map((a) => (a.kind === 'or' ? undefined : sourceFilterForm(a, cols, false)));
      if (parts.some((x) => !x)) return undefined;
      return { expr: { ...e, args: parts.map((x) => x!.expr) }, column: parts[0]!.column };
    }
    default:
      return undefined;
  }
}

function pushScan(p: Scan, preds: readonly Expr[], ctx: RuleContext): LogicalPlan {
  if (!ctx.pushdown || preds.length === 0) return wrap(p, preds);
  const cols = new Map(p.output.map((c) => [c.id, c] as const));
  const candidates: { index: number; expr: Expr }[] = [];
  preds.forEach((pr, index) => {
    if (isVolatile(pr)) return;
    const f = sourceFilterForm(pr, cols, true);
    // Only a subquery that stands where a literal goes (isInitValue) may reach the scan.
    if (f && !hasSubquery(placeRuntimeValues(f.expr, () => false))) candidates.push({ index, expr: f.expr });
  });
  if (candidates.length === 0) return wrap(p, preds);
  // Sources are asked with placeholder literals where a correlation parameter or a subquery's value will go.
  const asked = candidates.map((c) => placeRuntimeValues(c.expr, (x) => !cols.has(x.id)));
  const answers: FilterSupport[] = p.source.supportsFilters(asked);
  const pushed: Expr[] = [];
  const drop = new Set<number>();
  candidates.forEach((c, i) => {
    const a = answers[i] ?? 'unsupported';
    if (a === 'unsupported') return;
    pushed.push(c.expr);
    if (a === 'exact') drop.add(c.index);
  });
  const remaining = preds.filter((_, i) => !drop.has(i));
  const params = new Set(p.paramIds ?? []);
  for (const f of pushed) for (const id of columnIds(f)) if (!cols.has(id)) params.add(id);
  return wrap(
    { ...p, filters: [...p.filters, ...pushed], ...(params.size > 0 ? { paramIds: [...params] } : {}) },
    remaining,
  );
}
