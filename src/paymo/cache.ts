/**
 * The cross-query cache of Paymo read responses, keyed by method + path + query. Entries are
 * promises, so identical requests that overlap in time share one HTTP exchange (no request is made
 * twice within a statement while its answer is still fresh). A failed request is never cached.
 */

/** Default freshness of a cached read: short, so answers stay live while repeated queries save requests. */
export const DEFAULT_CACHE_TTL_MS = 30_000;

interface Entry {
  readonly value: Promise<unknown>;
  /** Clock ms after which the entry is stale; Infinity while the request is in flight. */
  expires: number;
}

/** Counters of a cache. */
export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly size: number;
}

/** A TTL cache of read results with in-flight sharing and invalidation by resource. */
export class ResponseCache {
  #ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();
  #hits = 0;
  #misses = 0;

  constructor(options: { ttlMs?: number; now?: () => number } = {}) {
    this.#ttlMs = Math.max(0, options.ttlMs ?? DEFAULT_CACHE_TTL_MS);
    this.#now = options.now ?? Date.now;
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
   * The cached value of `key`, or the result of `load()` stored under it. `hit` tells whether the
   * answer came from the cache (or from an identical request already in flight).
   */
  async get<T>(key: string, load: () => Promise<T>): Promise<{ value: T; hit: boolean }> {
    const now = this.#now();
    const found = this.#entries.get(key);
    if (found && found.expires > now) {
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
    for (const key of [...this.#entries.keys()]) {
      let text = key;
      try {
        text = decodeURIComponent(key);
      } catch {
        // A key that does not decode is matched as it is.
      }
      if (word.test(text)) this.#entries.delete(key);
    }
  }

  /** Drops everything. */
  clear(): void {
    this.#entries.clear();
  }

  /** Hit/miss counters and the number of entries. */
  stats(): CacheStats {
    return { hits: this.#hits, misses: this.#misses, size: this.#entries.size };
  }
}
