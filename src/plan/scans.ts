/**
 * The scans of a planned statement as its sources see them, and what they are expected to cost in
 * upstream requests: one walk shared by EXPLAIN's "Estimated requests" line and the catalog's
 * statement check (Catalog.checkStatement), so the figure a refusal quotes is the one EXPLAIN shows.
 */
import type { PlannedScan } from '../catalog/catalog.js';
import type { ScanRequest } from '../catalog/table-source.js';
import { children, type Expr, placeRuntimeValues } from './expr.js';
import { inputsOf, type LogicalPlan } from './logical.js';
import { nodeExprs } from './walk.js';

/**
 * The request a scan node will send, as its source sees it at plan time. A dynamic (semi-join)
 * filter is shown as `column IN ()` with an empty list: its values exist only at run time. A value
 * the executor puts into a pushed filter just before the scan (an uncorrelated subquery's, named by
 * `nameOf`, or a correlation parameter's) is a placeholder literal with `runtime` set.
 */
export function scanRequestOf(
  p: Extract<LogicalPlan, { kind: 'scan' }>,
  nameOf: (init: Expr) => string = () => 'subquery value',
): ScanRequest {
  const col =
    p.dynamicColumn === undefined ? undefined : p.source.schema.find((c) => c.name === p.dynamicColumn);
  const dyn: Expr | undefined = col
    ? {
        kind: 'in_list',
        arg: { kind: 'column', id: -p.scanId, name: col.name, type: col.type },
        list: [],
        negated: false,
        type: 'boolean',
      }
    : undefined;
  const params = new Set(p.paramIds);
  return {
    columns: p.output.map((c) => c.name),
    filters: p.filters.map((f) => placeRuntimeValues(f, (c) => params.has(c.id), nameOf)),
    ...(p.limit !== undefined ? { limit: p.limit } : {}),
    ...(dyn ? { dynamicFilters: [dyn] } : {}),
  };
}

/**
 * Every scan of `plan`, subquery plans included, each once, with its request. A scan is `repeated`
 * when it may run any number of times, zero included: inside a correlated subquery, on the right of
 * a LATERAL join, or in the step of a recursive CTE.
 */
export function plannedScans(plan: LogicalPlan): PlannedScan[] {
  const out: PlannedScan[] = [];
  // Each subquery's value gets its own name, so requests built on different values never look alike
  // (the catalog's statement check counts requests with the same text once).
  const names = new Map<Expr, string>();
  const nameOf = (e: Expr): string => {
    let n = names.get(e);
    if (n === undefined) names.set(e, (n = `subquery value ${names.size + 1}`));
    return n;
  };
  const visit = (p: LogicalPlan, repeated: boolean): void => {
    if (p.kind === 'scan') {
      out.push({ table: p.table, source: p.source, request: scanRequestOf(p, nameOf), repeated });
    }
    for (const e of nodeExprs(p)) subplans(e, (sub, correlated) => visit(sub, repeated || correlated));
    if (p.kind === 'join' && p.lateral !== undefined) {
      visit(p.left, repeated);
      visit(p.right, true);
    } else if (p.kind === 'recursive_union') {
      visit(p.anchor, repeated);
      visit(p.step, true);
    } else for (const c of inputsOf(p)) visit(c, repeated);
  };
  visit(plan, false);
  return out;
}

function subplans(e: Expr, f: (plan: LogicalPlan, correlated: boolean) => void): void {
  if (e.kind === 'subquery') f(e.plan, e.correlated.length > 0);
  for (const c of children(e)) subplans(c, f);
}

/** What the scans of a plan are expected to cost. */
export interface RequestEstimate {
  /** Summed estimates of the scans that gave one. */
  readonly total: number;
  readonly scans: number;
  /** Every scan gave an estimate. */
  readonly known: boolean;
  /** Some scans may run many times (see {@link plannedScans}): the total counts each once, a lower bound. */
  readonly repeated: boolean;
}

/** The summed `estimateRequests` of a plan's scans (EXPLAIN's "Estimated requests"). */
export function estimateOf(scans: readonly PlannedScan[]): RequestEstimate {
  let total = 0;
  let known = true;
  for (const s of scans) {
    const n = s.source.estimateRequests?.(s.request);
    if (n === undefined) known = false;
    else total += n;
  }
  return { total, scans: scans.length, known, repeated: scans.some((s) => s.repeated) };
}
