import { assertNever, children, type Expr, mapChildren } from './expr.js';
import { inputsOf, type LogicalPlan, withInputs } from './logical.js';

/** Visits every node of a plan, including plans of subqueries inside expressions. */
export function forEachNode(plan: LogicalPlan, f: (p: LogicalPlan) => void): void {
  f(plan);
  for (const e of nodeExprs(plan)) forEachSubplan(e, (sp) => forEachNode(sp, f));
  for (const c of inputsOf(plan)) forEachNode(c, f);
}

function forEachSubplan(e: Expr, f: (p: LogicalPlan) => void): void {
  if (e.kind === 'subquery') f(e.plan);
  for (const c of children(e)) forEachSubplan(c, f);
}

/** The expressions a node evaluates directly (not those of its inputs). */
export function nodeExprs(p: LogicalPlan): Expr[] {
  switch (p.kind) {
    case 'scan':
      return [...p.filters];
    case 'values':
      return p.rows.flat();
    case 'function_scan':
      return [...p.args];
    case 'filter':
      return [p.predicate];
    case 'project':
      return [...p.exprs];
    case 'join':
      return p.on ? [p.on] : [];
    case 'aggregate':
      return [
        ...p.groupBy,
        ...p.aggs.flatMap((a) => [
          ...a.args,
          ...(a.filter ? [a.filter] : []),
          ...a.orderBy.map((k) => k.expr),
        ]),
      ];
    case 'window':
      return p.funcs.flatMap((w) => [
        ...w.args,
        ...w.partitionBy,
        ...w.orderBy.map((k) => k.expr),
        ...(w.agg ? [...w.agg.args, ...(w.agg.filter ? [w.agg.filter] : [])] : []),
      ]);
    case 'project_set':
      return p.funcs.flatMap((f) => f.args);
    case 'sort':
      return p.keys.map((k) => k.expr);
    case 'distinct':
      return p.on ? [...p.on] : [];
    case 'limit':
    case 'setop':
    case 'cte_ref':
    case 'with':
    case 'recursive_union':
      return [];
    default:
      return assertNever(p);
  }
}

/** Rewrites every expression a node evaluates directly with `f` (applied to each top-level expression). */
export function mapNodeExprs(p: LogicalPlan, f: (e: Expr) => Expr): LogicalPlan {
  switch (p.kind) {
    case 'scan':
      return { ...p, filters: p.filters.map(f) };
    case 'values':
      return { ...p, rows: p.rows.map((r) => r.map(f)) };
    case 'function_scan':
      return { ...p, args: p.args.map(f) };
    case 'filter':
      return { ...p, predicate: f(p.predicate) };
    case 'project':
      return { ...p, exprs: p.exprs.map(f) };
    case 'join':
      return p.on ? { ...p, on: f(p.on) } : p;
    case 'aggregate':
      return {
        ...p,
        groupBy: p.groupBy.map(f),
        aggs: p.aggs.map((a) => ({
          ...a,
          args: a.args.map(f),
          ...(a.filter ? { filter: f(a.filter) } : {}),
          orderBy: a.orderBy.map((k) => ({ ...k, expr: f(k.expr) })),
        })),
      };
    case 'window':
      return {
        ...p,
        funcs: p.funcs.map((w) => ({
          ...w,
          args: w.args.map(f),
          partitionBy: w.partitionBy.map(f),
          orderBy: w.orderBy.map((k) => ({ ...k, expr: f(k.expr) })),
          ...(w.agg
            ? {
                agg: {
                  ...w.agg,
                  args: w.agg.args.map(f),
                  ...(w.agg.filter ? { filter: f(w.agg.filter) } : {}),
                },
              }
            : {}),
        })),
      };
    case 'project_set':
      return { ...p, funcs: p.funcs.map((fn) => ({ ...fn, args: fn.args.map(f) })) };
    case 'sort':
      return { ...p, keys: p.keys.map((k) => ({ ...k, expr: f(k.expr) })) };
    case 'distinct':
      return p.on ? { ...p, on: p.on.map(f) } : p;
    case 'limit':
    case 'setop':
    case 'cte_ref':
    case 'with':
    case 'recursive_union':
      return p;
    default:
      return assertNever(p);
  }
}

/** Applies a plan rewrite to every subquery plan inside an expression tree. */
export function mapSubplans(e: Expr, f: (p: LogicalPlan) => LogicalPlan): Expr {
  const m = (x: Expr): Expr => {
    const y = mapChildren(x, m);
    return y.kind === 'subquery' ? { ...y, plan: f(y.plan) } : y;
  };
  return m(e);
}

/** Rebuilds a plan bottom-up applying `f` to every node, descending into subquery plans too. */
export function transformDeep(plan: LogicalPlan, f: (p: LogicalPlan) => LogicalPlan): LogicalPlan {
  const ins = inputsOf(plan).map((c) => transformDeep(c, f));
  let next = ins.length > 0 ? withInputs(plan, ins) : plan;
  next = mapNodeExprs(next, (e) => mapSubplans(e, (sp) => transformDeep(sp, f)));
  return f(next);
}
