/**
 * The cross-query cache of Paymo read responses, keyed by method + path + query. Entries are
 * promises, so identical requests that overlap in time share one HTTP exchange. A failed request is
 * never cached.
 *
 * Statement scopes make "no request twice within one statement" hold whatever the TTL: code run
 * through `inStatement` (the session wraps every statement, and every step of a streamed one) sees
 * a memo of each answer the statement already got. The scope travels with the async context
 * (AsyncLocalStorage), so statements running side by side on one catalog never share a memo, and
 * a stream nobody finishes leaves nothing behind but its own memo, collected with it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Default freshness of a cached read: short, so answers stay live while repeated queries save requests. */
export const DEFAULT_CACHE_TTL_MS = 30_000;

interface Entry {
  readonly value: Promise<unknown>;
  /** Clock ms after which the entry is stale; Infinity while the request is in flight. */
  expires: number;
}

/**
 * A write counter shared by every cache over one Paymo account (one per HTTP client): a write seen
 * by one session's cache makes the others drop their answers before their next read.
 */
export interface WriteEpoch {
  writes: number;
}

/** Counters of a cache. */
export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly size: number;
}

/** The answers one statement got, by cache key; `close()` drops them and stops collecting. */
export class StatementScope {
  readonly #memo = new Map<string, Promise<unknown>>();
  #closed = false;
  #fresh = false;

  /** True once the statement asked for fresh reads: answers stored before it are not used. */
  get fresh(): boolean {
    return this.#fresh;
  }

  /**
   * From now on the statement reads upstream, not from answers cached before it (a write's reads);
   * what it reads is still kept for the rest of the statement and cached as usual.
   */
  requireFresh(): void {
    this.#fresh = true;
    this.#memo.clear();
  }

  /** The answer (or the request in flight) of `key` in this statement, if any. */
  lookup(key: string): Promise<unknown> | undefined {
    return this.#memo.get(key);
  }

  /** Keeps the answer of `key` for the rest of the statement (dropped again if it fails). */
  remember(key: string, value: Promise<unknown>): void {
    if (this.#closed) return;
    this.#memo.set(key, value);
    value.catch(() => {
      if (this.#memo.get(key) === value) this.#memo.delete(key);
    });
  }

  /** Drops the entries whose key `matches` (writes invalidate what they change). */
  forget(matches: (key: string) => boolean): void {
    for (const k of [...this.#memo.keys()]) if (matches(k)) this.#memo.delete(k);
  }

  /** Ends the statement: the memo is emptied and nothing more is kept. */
  close(): void {
    this.#closed = true;
    this.#memo.clear();
  }

  /** Answers kept (for tests). */
  get size(): number {
    return this.#memo.size;
  }
}

/** A TTL cache of read results with in-flight sharing, statement scopes and invalidation by resource. */
export class ResponseCache {
  #ttlMs: number;
  readonly #now: () => number;
  readonly #epoch: WriteEpoch | undefined;
  #seenWrites = 0;
  readonly #entries = new Map<string, Entry>();
  readonly #statement = new AsyncLocalStorage<StatementScope>();
  #hits = 0;
  #misses = 0;

  constructor(options: { ttlMs?: number; now?: () => number; epoch?: WriteEpoch } = {}) {
    this.#ttlMs = Math.max(0, options.ttlMs ?? DEFAULT_CACHE_TTL_MS);
    this.#now = options.now ?? Date.now;
    this.#epoch = options.epoch;
    this.#seenWrites = options.epoch?.writes ?? 0;
  }

  /** Current TTL in ms (0 = answers are shared only while in flight). */
  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** Changes the TTL for entries stored from now on (`SET paymo.cache_ttl`). */
  setTtl(ms: number): void {
    this.#ttlMs = Math.max(0, ms);
  }

  /** The cache key of a request: `GET /api/entries?where=…`. */
  static key(method: string, path: string, query: string): string {
    return query === '' ? `${method} ${path}` : `${method} ${path}?${query}`;
  }

  /**
   * Runs `fn` (and everything it starts) as part of the statement `scope` (default: a new one).
   * The caller closes the scope when the statement is over; `fn` may be called again with the same
   * scope for each step of a streamed statement.
   */
  inStatement<T>(fn: () => T, scope: StatementScope = new StatementScope()): T {
    return this.#statement.run(scope, fn);
  }

  /** The statement scope of the calling async context, if any. */
  currentStatement(): StatementScope | undefined {
    return this.#statement.getStore();
  }

  /**
   * Whether `get(key, …)` would answer now without a request: from the calling statement's memo, an
   * identical request in flight, or a fresh entry (none after another cache over the account wrote,
   * nor for a statement that asked for fresh reads).
   */
  has(key: string): boolean {
    const scope = this.#statement.getStore();
    if (scope?.lookup(key)) return true;
    if (scope?.fresh || (this.#epoch && this.#epoch.writes !== this.#seenWrites)) return false;
    const found = this.#entries.get(key);
    return found !== undefined && found.expires > this.#now();
  }

  /**
   * The cached value of `key`, or the result of `load()` stored under it. `hit` tells whether the
   * answer came from the cache, from an identical request already in flight, or from an earlier
   * answer of the same statement (kept whatever the TTL).
   */
  async get<T>(key: string, load: () => Promise<T>): Promise<{ value: T; hit: boolean }> {
    if (this.#epoch && this.#epoch.writes !== this.#seenWrites) {
      // Another cache over the same account saw a write: nothing held here can be trusted.
      this.#seenWrites = this.#epoch.writes;
      this.#entries.clear();
    }
    const scope = this.#statement.getStore();
    const seen = scope?.lookup(key);
    if (seen) {
      this.#hits++;
      return { value: (await seen) as T, hit: true };
    }
    if (!scope) return this.#shared(key, load);
    const result = this.#shared(key, load, scope.fresh);
    scope.remember(
      key,
      result.then((r) => r.value),
    );
    return result;
  }

  async #shared<T>(key: string, load: () => Promise<T>, fresh = false): Promise<{ value: T; hit: boolean }> {
    const now = this.#now();
    const found = this.#entries.get(key);
    if (found && found.expires > now && !fresh) {
      this.#hits++;
      return { value: (await found.value) as T, hit: true };
    }
    this.#misses++;
    const value = load();
    const entry: Entry = { value, expires: Number.POSITIVE_INFINITY };
    this.#entries.set(key, entry);
    try {
      const v = await value;
      if (this.#entries.get(key) === entry) {
        if (this.#ttlMs > 0) entry.expires = this.#now() + this.#ttlMs;
        else this.#entries.delete(key);
      }
      return { value: v, hit: false };
    } catch (error) {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
      throw error;
    }
  }

  /**
   * Drops every entry that may hold objects of a resource, for writes: its own paths (`/api/tasks`,
   * `/api/tasks/5`) and any request that names it elsewhere (`include=thread.comments`). Dropping
   * too much only costs a request; keeping a stale answer would be wrong.
   */
  invalidate(resource: string): void {
    const word = new RegExp(`(^|[^a-z0-9_])${resource.replace(/[^a-z0-9_]/gi, '')}([^a-z0-9_]|$)`, 'i');
    const matches = (key: string): boolean => {
      let text = key;
      try {
        text = decodeURIComponent(key);
      } catch {
        // A key that does not decode is matched as it is.
      }
      return word.test(text);
    };
    for (const key of [...this.#entries.keys()]) if (matches(key)) this.#entries.delete(key);
    this.#statement.getStore()?.forget(matches);
  }

  /** Drops everything (the calling statement's memo too). */
  clear(): void {
    this.#entries.clear();
    this.#statement.getStore()?.forget(() => true);
  }

  /**
   * Called after every write attempt that may have reached Paymo (success, failure, unknown
   * outcome): drops every cached answer, the calling statement's memo, and (through the shared
   * write epoch) the answers of every other cache over the same Paymo account.
   *
   * Everything, not the written resource: Paymo's side effects reach resources no foreign key
   * names (paymo-api.md 1.12: a new invoice moves company counters and bills expenses and time
   * entries; deleting a client removes projects, task lists, tasks and time; time entries change
   * live report contents; a project created without a client creates one). A dependency map would
   * have to list nearly every resource for some write, and one missed edge serves stale rows; a
   * write costs at least one request itself, so refetching afterwards is the cheap side.
   */
  afterWrite(): void {
    if (this.#epoch) {
      this.#epoch.writes++;
      this.#seenWrites = this.#epoch.writes;
    }
    this.clear();
  }

  /** Hit/miss counters and the number of entries. */
  stats(): CacheStats {
    return { hits: this.#hits, misses: this.#misses, size: this.#entries.size };
  }
}
