/**
 * The request budget of a statement (`paymo.max_requests`): every Paymo API read of one statement
 * counts against it, across all its scans (joins, subqueries, UNION, a write's reads), and answers
 * from the cache do not. A statement whose scans together are estimated above it is refused before
 * any request; one that learns it needs more only while running (a fan-out's batches, join keys,
 * more pages than known) stops before the request that would cross it. Per-row write requests are
 * capped by `paymo.max_write_rows` instead, so a write is never cut off half-way by this budget.
 */
import { SqlError } from '../errors.js';

/** The hint's advice, after any table-specific explanation; `needed` when the count is known. */
function advice(needed?: number): string {
  const set = needed === undefined ? 'SET paymo.max_requests' : `SET paymo.max_requests = ${needed}`;
  return `Add filters Paymo can evaluate (see paymo_capabilities), or raise the budget: ${set} (requestBudget in connect()).`;
}

/**
 * A 53400 error for a statement estimated at `needed` requests before it runs: `what` names the
 * reads (`reading "tasks"`, `this statement`), `detail` splits the count by table, `how` says why a
 * table needs that many (ends with a space, or is empty).
 */
export function budgetError(
  what: string,
  needed: number,
  budget: number,
  how: string,
  detail?: string,
): SqlError {
  return new SqlError(
    '53400',
    `${what} would need about ${needed} Paymo API requests${detail ? ` (${detail})` : ''}, above the budget of ${budget} per statement`,
    { hint: `${how}${advice(needed)}` },
  );
}

/**
 * A 53400 error raised while running: the statement has made `made` requests and reading `table`
 * needs `more`, which would take it past the budget. Nothing beyond `made` was sent.
 */
export function runningBudgetError(
  table: string,
  made: number,
  more: number,
  budget: number,
  how: string,
): SqlError {
  return new SqlError(
    '53400',
    `this statement would need at least ${made + more} Paymo API requests (${made} made, reading "${table}" needs ${more} more), above the budget of ${budget} per statement`,
    { hint: `${how}${advice()}` },
  );
}
