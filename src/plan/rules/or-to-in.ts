import { type Expr, exprKey, mapExpr } from '../expr.js';
import { mapNodeExprs, transformDeep } from '../walk.js';
import type { Rule } from './rule.js';

/**
 * Rewrites ORs of equalities (and IN lists) on one column into a single IN list, so a source that
 * accepts `in (…)` answers one request instead of one per branch. Other OR branches stay ORed.
 *
 * Before: `Filter ((status = 'a') OR (status = 'b') OR (status IN ('c')))`
 * After:  `Filter (status IN ('a', 'b', 'c'))`
 */
export const orToIn: Rule = {
  name: 'or-to-in',
  apply(plan) {
    return transformDeep(plan, (p) => mapNodeExprs(p, (e) => mapExpr(e, rewrite)));
  },
};

function eqParts(e: Expr): { target: Expr; values: Expr[] } | undefined {
  if (e.kind === 'call' && e.fn === '=' && e.args.length === 2) {
    const [a, b] = e.args as [Expr, Expr];
    if (a.kind === 'column' && b.kind === 'literal') return { target: a, values: [b] };
    if (b.kind === 'column' && a.kind === 'literal') return { target: b, values: [a] };
  }
  if (
    e.kind === 'in_list' &&
    !e.negated &&
    e.arg.kind === 'column' &&
    e.list.every((x) => x.kind === 'literal')
  ) {
    return { target: e.arg, values: [...e.list] };
  }
  return undefined;
}

function rewrite(e: Expr): Expr {
  if (e.kind !== 'or') return e;
  const groups = new Map<string, { target: Expr; values: Expr[]; count: number }>();
  const rest: Expr[] = [];
  for (const a of e.args) {
    const p = eqParts(a);
    if (!p) {
      rest.push(a);
      continue;
    }
    const k = exprKey(p.target);
    const g = groups.get(k);
    if (g) {
      g.values.push(...p.values);
      g.count++;
    } else groups.set(k, { ...p, count: 1 });
  }
  if ([...groups.values()].every((g) => g.count === 1 && g.values.length === 1)) return e;
  const merged: Expr[] = [...groups.values()].map((g) => {
    const seen = new Set<string>();
    const list = g.values.filter((v) => {
      const k = exprKey(v);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    return list.length === 1
      ? { kind: 'call', fn: '=', args: [g.target, list[0]!], type: 'boolean' }
      : { kind: 'in_list', arg: g.target, list, negated: false, type: 'boolean' };
  });
  const args = [...merged, ...rest];
  return args.length === 1 ? args[0]! : { kind: 'or', args, type: 'boolean' };
}
