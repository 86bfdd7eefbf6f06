import { colRef } from '../expr.js';
import { type LogicalPlan, outputOf } from '../logical.js';
import { forEachNode, transformDeep } from '../walk.js';
import type { Rule } from './rule.js';

/**
 * Inlines CTEs referenced at most once, so filters and limits can reach their scans; CTEs referenced
 * several times stay materialised once.
 *
 * Before: `With [CTE c: Scan t] → Filter (x = 1) → CTE Scan c`
 * After:  `Filter (x = 1) → Project (t.x AS x) → Scan t`
 */
export const inlineCtes: Rule = {
  name: 'inline-ctes',
  apply(plan) {
    const uses = new Map<number, number>();
    forEachNode(plan, (p) => {
      if (p.kind === 'cte_ref') uses.set(p.cteId, (uses.get(p.cteId) ?? 0) + 1);
    });
    const defs = new Map<number, LogicalPlan>();
    forEachNode(plan, (p) => {
      if (p.kind === 'with') for (const c of p.ctes) defs.set(c.cteId, c.plan);
    });
    const inline = (p: LogicalPlan): LogicalPlan =>
      transformDeep(p, (n) => {
        // Working-table references of a recursive CTE have no definition of their own: left alone.
        if (n.kind === 'cte_ref' && defs.has(n.cteId) && (uses.get(n.cteId) ?? 0) <= 1) {
          const body = inline(defs.get(n.cteId)!);
          const out = outputOf(body);
          return { kind: 'project', input: body, exprs: out.map(colRef), output: n.output };
        }
        if (n.kind === 'with') {
          const kept = n.ctes.filter((c) => (uses.get(c.cteId) ?? 0) > 1);
          return kept.length === 0 ? n.input : { ...n, ctes: kept };
        }
        return n;
      });
    return inline(plan);
  },
};
