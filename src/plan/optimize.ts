import type { LogicalPlan } from './logical.js';
import { foldConstants } from './rules/fold-constants.js';
import { inlineCtes } from './rules/inline-ctes.js';
import { orToIn } from './rules/or-to-in.js';
import { parentInclude } from './rules/parent-include.js';
import { pruneColumns } from './rules/prune-columns.js';
import { pushFilters } from './rules/push-filters.js';
import { pushLimit } from './rules/push-limit.js';
import { removeIdentityProjects } from './rules/remove-identity-projects.js';
import type { Rule, RuleContext } from './rules/rule.js';
import { semiJoinPushdown } from './rules/semi-join.js';

/**
 * The optimizer's rules in the order they run. Order matters: CTEs are inlined before filters move;
 * constants fold and ORs become IN lists before filters are offered to sources; columns are pruned
 * once filters have settled; parents then come along through their children's scans where that
 * saves requests (it needs settled filters and columns, and its own columns are pruned again);
 * limits and semi-join filters are decided last, on the final shape.
 */
export const RULES: readonly Rule[] = [
  inlineCtes,
  foldConstants,
  orToIn,
  pushFilters,
  foldConstants,
  pruneColumns,
  removeIdentityProjects,
  parentInclude,
  pruneColumns,
  pushLimit,
  semiJoinPushdown,
];

/** Optimizer settings. */
export interface OptimizeOptions extends Partial<RuleContext> {
  /** Run only rules whose name is listed (for tests); default all. */
  readonly only?: readonly string[];
}

/** Applies the rules in order; pure: the input plan is not modified. */
export function optimize(plan: LogicalPlan, opts: OptimizeOptions = {}): LogicalPlan {
  const ctx: RuleContext = { pushdown: opts.pushdown ?? true };
  let p = plan;
  for (const r of RULES) if (!opts.only || opts.only.includes(r.name)) p = r.apply(p, ctx);
  return p;
}
