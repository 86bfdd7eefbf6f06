/** The Paymo catalog: every spec as a PaymoTable under its name and aliases, plus `paymo_capabilities`. */
import { Catalog, type PlannedScan } from '../catalog/catalog.js';
import { budgetError } from './budget.js';
import { DEFAULT_CACHE_TTL_MS, ResponseCache, StatementScope, type WriteEpoch } from './cache.js';
import { capabilitiesTable } from './capabilities.js';
import type { PaymoClient } from './http-client.js';
import { PaymoTable, type PaymoTableContext } from './paymo-table.js';
import { ALL_SPECS, validateSpecs } from './specs/index.js';
import type { ObjectSpec } from './specs/types.js';

/** Default most Paymo requests one statement (all its scans together) may make before it fails with 53400. */
export const DEFAULT_REQUEST_BUDGET = 50;

/** Default largest `in (…)` list per request (ids of ~8 digits keep the URL near 1 kB). */
export const DEFAULT_MAX_IN_LIST = 100;

/** Settings of {@link createPaymoCatalog}; only `client` is required. */
export interface PaymoCatalogOptions {
  readonly client: PaymoClient;
  /** Freshness of cached reads in ms (default 30 000; 0 shares only in-flight requests). */
  readonly cacheTtlMs?: number;
  /** Most requests one statement may make, all its scans together (default {@link DEFAULT_REQUEST_BUDGET}). */
  readonly requestBudget?: number;
  readonly maxInListSize?: number;
  /** `fail` refuses scans without a required filter instead of using the specs' fan-out (default `spec`). */
  readonly fallbacks?: 'spec' | 'fail';
  /** Included children per response at which a flattened read re-reads parents one by one (default 2 500). */
  readonly includeCap?: number;
  /** The specs to serve (default every spec); validated at creation. */
  readonly specs?: readonly ObjectSpec[];
}

/** A Catalog of Paymo tables with handles on the shared cache and budget. */
export class PaymoCatalog extends Catalog {
  /** The response cache shared by every table (invalidate after writes). */
  readonly cache: ResponseCache;
  /** Tables by SQL name. */
  readonly paymoTables: ReadonlyMap<string, PaymoTable>;
  readonly #ctx: PaymoTableContext;

  constructor(ctx: PaymoTableContext, specs: readonly ObjectSpec[]) {
    super();
    this.#ctx = ctx;
    this.cache = ctx.cache;
    const tables = new Map<string, PaymoTable>();
    for (const spec of specs) {
      const t = new PaymoTable(spec, ctx);
      tables.set(spec.name, t);
      this.register(spec.name, t, spec.aliases);
    }
    this.paymoTables = tables;
    this.register('paymo_capabilities', capabilitiesTable(specs));
  }

  /**
   * Runs one statement: every Paymo request `run` makes (directly or through work it starts) is
   * made at most once, whatever the cache TTL; the memo is dropped when `run` settles.
   */
  async statement<T>(run: () => Promise<T>): Promise<T> {
    const scope = new StatementScope();
    try {
      return await this.cache.inStatement(run, scope);
    } finally {
      scope.close();
    }
  }

  /**
   * Opens a statement scope for a statement run in steps (a stream): call `step` for each step,
   * `close` when it ends or is abandoned. A scope never closed only holds its own memo.
   */
  openStatement(): { step<T>(fn: () => T): T; close(): void } {
    const scope = new StatementScope();
    return {
      step: (fn) => this.cache.inStatement(fn, scope),
      close: () => scope.close(),
    };
  }

  /** The per-statement request budget. */
  get requestBudget(): number {
    return this.#ctx.requestBudget;
  }

  /**
   * Refuses, before any request, a statement whose Paymo scans together are estimated above the
   * budget (53400 naming the count, the tables and what to change). Requests the cache would
   * answer are not counted (except for a write, whose reads are fresh), scans that may run any number of times are left to the run-time check,
   * and a scan asking for exactly the requests of an earlier one is counted once: the statement's
   * memo answers it.
   */
  override checkStatement(scans: readonly PlannedScan[], statement: { readonly write: boolean }): void {
    const budget = this.#ctx.requestBudget;
    const counted: { table: PaymoTable; request: PlannedScan['request']; n: number }[] = [];
    const seen = new Set<string>();
    for (const s of scans) {
      if (s.repeated || !(s.source instanceof PaymoTable)) continue;
      // A write reads fresh (beginWrite): the cache answers none of its reads.
      const n = statement.write ? s.source.estimateRequests(s.request) : s.source.uncachedRequests(s.request);
      if (n === 0) continue;
      if ((s.request.dynamicFilters ?? []).length === 0) {
        // Join keys differ per scan even where the text is the same; anything else is the same requests.
        const key = `${s.source.spec.name}\n${s.source.describeScan(s.request).join('\n')}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      counted.push({ table: s.source, request: s.request, n });
    }
    const total = counted.reduce((sum, c) => sum + c.n, 0);
    if (total <= budget) return;
    const top = counted.reduce((a, b) => (b.n > a.n ? b : a));
    const how = top.table.budgetHow(top.request);
    if (counted.length === 1) throw budgetError(`reading "${top.table.spec.name}"`, total, budget, how);
    const byTable = new Map<string, number>();
    for (const c of counted) byTable.set(c.table.spec.name, (byTable.get(c.table.spec.name) ?? 0) + c.n);
    const detail = [...byTable].map(([t, n]) => `${t} ${n}`).join(', ');
    throw budgetError('this statement', total, budget, how && `"${top.table.spec.name}": ${how}`, detail);
  }

  /** Changes the request budget (`SET paymo.max_requests`). */
  setRequestBudget(n: number): void {
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`request budget must be a positive integer, got ${n}`);
    this.#ctx.requestBudget = n;
  }
}

/** The write epoch of each client: the catalogs (sessions) over one client share it. */
const EPOCHS = new WeakMap<PaymoClient, WriteEpoch>();

function epochOf(client: PaymoClient): WriteEpoch {
  let e = EPOCHS.get(client);
  if (!e) {
    e = { writes: 0 };
    EPOCHS.set(client, e);
  }
  return e;
}

/**
 * Builds the catalog of every Paymo table over one client. Throws if the specs are inconsistent
 * (validateSpecs), so a broken declaration fails at start-up rather than in a query.
 */
export function createPaymoCatalog(options: PaymoCatalogOptions): PaymoCatalog {
  const specs = options.specs ?? ALL_SPECS;
  const problems = validateSpecs(specs);
  if (problems.length > 0) throw new Error(`invalid Paymo table specs:\n${problems.join('\n')}`);
  const budget = options.requestBudget ?? DEFAULT_REQUEST_BUDGET;
  if (!Number.isInteger(budget) || budget < 1)
    throw new RangeError(`requestBudget must be a positive integer`);
  const ctx: PaymoTableContext = {
    client: options.client,
    cache: new ResponseCache({
      ttlMs: options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS,
      epoch: epochOf(options.client),
    }),
    requestBudget: budget,
    maxInListSize: options.maxInListSize ?? DEFAULT_MAX_IN_LIST,
    fallbacks: options.fallbacks ?? 'spec',
    knownCounts: new Map(),
    ...(options.includeCap !== undefined ? { includeCap: options.includeCap } : {}),
  };
  return new PaymoCatalog(ctx, specs);
}
