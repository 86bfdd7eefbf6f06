import type { LogicalPlan } from '../logical.js';
import { transformDeep } from '../walk.js';
import type { Rule } from './rule.js';

/**
 * Pushes LIMIT (plus OFFSET) into a scan when only projections sit between them: every filter left
 * on the scan is exact, and nothing above can drop rows, so the first n source rows are the answer.
 * A Filter, join, aggregate, sort or DISTINCT in between blocks it.
 *
 * Before: `Limit 10 → Project name → Scan tasks [pushed: status = 'open']`
 * After:  `Limit 10 → Project name → Scan tasks [pushed: status = 'open', limit 10]`
 */
export const pushLimit: Rule = {
  name: 'push-limit',
  apply(plan, ctx) {
    if (!ctx.pushdown) return plan;
    return transformDeep(plan, (p) => {
      if (p.kind !== 'limit' || p.limit === null) return p;
      const n = p.limit + p.offset;
      const down = (q: LogicalPlan): LogicalPlan | undefined => {
        if (q.kind === 'project') {
          const inner = down(q.input);
          return inner ? { ...q, input: inner } : undefined;
        }
        if (q.kind === 'scan' && q.dynamicColumn === undefined)
          return { ...q, limit: Math.min(q.limit ?? n, n) };
        return undefined;
      };
      const input = down(p.input);
      return input ? { ...p, input } : p;
    });
  },
};
