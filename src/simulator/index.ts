import { BEHAVIOURS } from './behaviours.js';
import { type FaultConfig, FaultInjector, parseFaultSpec } from './faults.js';
import { type Dataset, generateDataset, type Scale } from './generate.js';
import { FixedWindowRateLimiter, parseRateLimit, type RateLimitConfig } from './rate-limit.js';
import { RequestLog } from './request-log.js';
import { RESOURCES, validateResources } from './resources.js';
import { SimulatorServer } from './server.js';
import { Store } from './store.js';

export type { FaultConfig, FaultKind, ScriptedFault } from './faults.js';
export type { Dataset, Scale } from './generate.js';
export type { RateLimitConfig } from './rate-limit.js';
export type { RequestLogEntry, RequestMatch } from './request-log.js';
export { RequestLog } from './request-log.js';

/** Options of startSimulator; every one has a default that mimics production Paymo. */
export interface SimulatorOptions {
  /** Interface to bind; loopback by default. */
  readonly host?: string;
  /** Port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Dataset size: `tiny` (default; tests), `demo` (the embedded demo company), `large` (benchmarks). */
  readonly scale?: Scale;
  readonly seed?: number;
  /** Anchor day of the generated data (default today, UTC). */
  readonly now?: Date;
  /** A prebuilt dataset (skips generation). */
  readonly dataset?: Dataset;
  /** An extra API key that authenticates as the first Admin user (the CLI's `--api-key`). */
  readonly apiKey?: string;
  /** Fixed-window limit per API key: `{limit, periodSeconds}`, `'N/S'`, or null/`'off'`; default 5/5 s. */
  readonly rateLimit?: RateLimitConfig | string | null;
  /** Random faults, as a config or the CLI spec (`5xx=0.05,drop=0.01,seed=7`). */
  readonly faults?: FaultConfig | string;
  /** Enforce the required list filters of paymo-api.md 1.11: true (default), false, or a list of paths. */
  readonly requiredFilters?: boolean | readonly string[];
  /** Paymo's cap of included items per type per response: a number (default 2500) or false. */
  readonly includeCap?: number | false;
  /** Gzip responses when the client accepts it (default true, like Paymo). */
  readonly gzip?: boolean;
  /** The simulator's clock in epoch ms (default Date.now); tests pin it. */
  readonly clock?: () => number;
}

/** A running simulator. */
export interface SimulatorHandle {
  /** Base URL ending in `/api/`, e.g. `http://127.0.0.1:41234/api/`. */
  readonly baseUrl: string;
  /** The API key to use (the `apiKey` option, or the first generated Admin key). */
  readonly apiKey: string;
  /** Every key the simulator accepts, with its user. */
  readonly apiKeys: readonly { key: string; userId: number }[];
  /** Every request answered, with counters; readable and resettable. */
  readonly requestLog: RequestLog;
  /** Fault injection: `inject({kind, times, method, path})`, `configure(config)`, `clear()`. */
  readonly faults: FaultInjector;
  /** The simulator's data, for assertions on state after writes. */
  readonly store: Store;
  /** Starts a fresh rate-limit window for every key. */
  resetRateLimit(): void;
  /** Stops the server. */
  close(): Promise<void>;
}

/** Starts a local Paymo API simulator (paymo-api.md) over a generated or given dataset. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const problems = validateResources(RESOURCES);
  if (problems.length > 0) throw new Error(`invalid resource definitions:\n${problems.join('\n')}`);
  const clock = options.clock ?? Date.now;
  const dataset =
    options.dataset ??
    generateDataset({
      scale: options.scale ?? 'tiny',
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  const store = new Store();
  // A caller-supplied dataset stays the caller's: the store gets copies it may mutate.
  const own = options.dataset === undefined;
  for (const [path, recs] of dataset.records) {
    for (const rec of recs) store.insert(path, own ? rec : structuredClone(rec));
  }

  const apiKeys = new Map(dataset.apiKeys.map((k) => [k.key, k.userId]));
  const firstAdmin = dataset.apiKeys[0];
  if (!firstAdmin) throw new Error('the dataset has no API key');
  if (options.apiKey) apiKeys.set(options.apiKey, firstAdmin.userId);

  const rl = options.rateLimit;
  const rateConfig =
    rl === undefined ? { limit: 5, periodSeconds: 5 } : typeof rl === 'string' ? parseRateLimit(rl) : rl;
  // The rate limit runs on real time even when a test pins the data clock.
  const limiter = new FixedWindowRateLimiter(rateConfig);
  const faults = new FaultInjector(
    typeof options.faults === 'string' ? parseFaultSpec(options.faults) : options.faults,
  );
  const log = new RequestLog();
  const rf = options.requiredFilters ?? true;
  const server = new SimulatorServer({
    store,
    resources: RESOURCES,
    behaviours: BEHAVIOURS,
    apiKeys,
    limiter,
    faults,
    log,
    clock,
    enforceRequiredFilters: (path) => (typeof rf === 'boolean' ? rf : rf.includes(path)),
    includeCap: options.includeCap === false ? Number.POSITIVE_INFINITY : (options.includeCap ?? 2500),
    gzip: options.gzip ?? true,
  });
  const baseUrl = await server.listen(options.host ?? '127.0.0.1', options.port ?? 0);
  return {
    baseUrl,
    apiKey: options.apiKey ?? firstAdmin.key,
    apiKeys: [...apiKeys].map(([key, userId]) => ({ key, userId })),
    requestLog: log,
    faults,
    store,
    resetRateLimit: () => limiter.reset(),
    close: () => server.close(),
  };
}
