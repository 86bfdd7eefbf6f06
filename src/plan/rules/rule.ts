import type { LogicalPlan } from '../logical.js';

/** Settings rules may consult. */
export interface RuleContext {
  /** When false, nothing is pushed into TableSources (filters, limits, dynamic semi-join filters). */
  readonly pushdown: boolean;
}

/** An optimizer rule: a pure function from plan to equivalent plan, named for EXPLAIN and tests. */
export interface Rule {
  readonly name: string;
  readonly apply: (plan: LogicalPlan, ctx: RuleContext) => LogicalPlan;
}
