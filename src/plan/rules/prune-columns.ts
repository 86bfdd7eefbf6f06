import { columnIds, type Expr } from '../expr.js';
import { type LogicalPlan, outputOf } from '../logical.js';
import { mapNodeExprs, mapSubplans, nodeExprs } from '../walk.js';
import type { Rule } from './rule.js';

/**
 * Projection pruning: every node keeps only the columns something above it reads, so each scan asks
 * its source for the columns the query needs and nothing else. The root keeps its full output.
 *
 * Before: `Project name → Filter (status = 'open') → Scan tasks [id, name, status, project_id, …]`
 * After:  `Project name → Filter (status = 'open') → Scan tasks [name, status]`
 */
export const pruneColumns: Rule = {
  name: 'prune-columns',
  apply(plan) {
    return prune(plan, all(plan));
  },
};

function all(p: LogicalPlan): Set<number> {
  return new Set(outputOf(p).map((c) => c.id));
}

function idsIn(exprs: readonly Expr[], into: Set<number>): Set<number> {
  for (const e of exprs) columnIds(e, into);
  return into;
}

function prune(p0: LogicalPlan, need: ReadonlySet<number>): LogicalPlan {
  // Subquery plans keep their whole output: the enclosing expression reads it positionally.
  const p = mapNodeExprs(p0, (e) => mapSubplans(e, (sp) => prune(sp, all(sp))));
  const own = idsIn(nodeExprs(p), new Set(need));
  switch (p.kind) {
    case 'scan': {
      const keep = p.output.filter(
        (c) => need.has(c.id) || (p.dynamicColumn !== undefined && c.name === p.dynamicColumn),
      );
      return keep.length === p.output.length ? p : { ...p, output: keep };
    }
    case 'values':
    case 'cte_ref':
    case 'function_scan':
      return p;
    case 'project': {
      const idx = p.output.map((c, i) => (need.has(c.id) ? i : -1)).filter((i) => i >= 0);
      const exprs = idx.map((i) => p.exprs[i]!);
      const output = idx.map((i) => p.output[i]!);
      return { ...p, exprs, output, input: prune(p.input, idsIn(exprs, new Set())) };
    }
    case 'filter':
    case 'sort':
    case 'limit':
      return { ...p, input: prune(p.input, own) };
    case 'distinct':
      return { ...p, input: prune(p.input, p.on ? own : all(p.input)) };
    case 'aggregate':
      return { ...p, input: prune(p.input, idsIn(nodeExprs(p), new Set())) };
    case 'window':
    case 'project_set':
      return { ...p, input: prune(p.input, own) };
    case 'join': {
      const lids = all(p.left);
      const rids = all(p.right);
      const needs = new Set(own);
      if (p.dynamic) columnIds(p.dynamic.buildKey, needs);
      // The left columns a LATERAL right side reads must survive on the left.
      for (const id of p.lateral ?? []) needs.add(id);
      const l = new Set([...needs].filter((id) => lids.has(id)));
      const r = new Set([...needs].filter((id) => rids.has(id)));
      return { ...p, left: prune(p.left, l), right: prune(p.right, r) };
    }
    case 'setop':
      return { ...p, left: prune(p.left, all(p.left)), right: prune(p.right, all(p.right)) };
    case 'recursive_union':
      return { ...p, anchor: prune(p.anchor, all(p.anchor)), step: prune(p.step, all(p.step)) };
    case 'with':
      return {
        ...p,
        ctes: p.ctes.map((c) => ({ ...c, plan: prune(c.plan, all(c.plan)) })),
        input: prune(p.input, need),
      };
  }
}
