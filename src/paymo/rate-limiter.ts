import { createHash } from 'node:crypto';

/**
 * A source of time for rate-limit waits and retry backoff.
 * `now()` is milliseconds on any monotonic scale; `sleep(ms, signal)` resolves after `ms`
 * milliseconds of that scale, or rejects with `signal.reason` as soon as `signal` aborts.
 */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock: wall-clock milliseconds and `setTimeout`-based, abortable sleeps. */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** Settings of a {@link RateLimiter}; every field has a default matching Paymo's observed budget. */
export interface RateLimiterOptions {
  /** Most requests of this key in flight at once (default 8). */
  readonly maxConcurrency?: number;
  /** Requests per window assumed until a response says otherwise (default 5, Paymo's observed limit). */
  readonly limit?: number;
  /** Window length assumed until a response says otherwise, in ms (default 5000). */
  readonly windowMs?: number;
  /** Extra ms every request start keeps its budget slot, to absorb network latency (default 100). */
  readonly marginMs?: number;
  /** Largest random extra added to a 429 pause so paused requests do not stampede (default 250). */
  readonly jitterMs?: number;
  /** Ignore the request budget entirely (still honours 429 pauses and `maxConcurrency`). */
  readonly unlimited?: boolean;
  /** Time source for waits (default {@link systemClock}). */
  readonly clock?: Clock;
  /** Random numbers in [0, 1) for jitter (default `Math.random`). */
  readonly random?: () => number;
}

/** What one finished request taught the limiter: its status and its response headers. */
export interface RateObservation {
  readonly status?: number;
  /** Lower-case header names, as node and undici deliver them. */
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
}

/** A granted right to start one request; `release` must be called exactly once when it ends. */
export interface RatePermit {
  /** How long the request waited in the limiter's queue, in clock ms. */
  readonly waitedMs: number;
  /**
   * Ends the request, feeding its status and headers back to the limiter. Returns the pause a
   * 429 imposed (`retryAfterMs`, without jitter), if any. Calls after the first are ignored.
   */
  release(observation?: RateObservation): { readonly retryAfterMs?: number };
}

/** Counters and the current budget view of a {@link RateLimiter}. */
export interface RateLimiterStats {
  /** Requests started through the limiter. */
  readonly started: number;
  /** Requests that could not start immediately (budget, 429 pause or concurrency). */
  readonly waits: number;
  /** Sum of the waits of all started requests, in clock ms. */
  readonly totalWaitMs: number;
  /** 429 answers observed. */
  readonly rateLimited: number;
  readonly inFlight: number;
  readonly queued: number;
  /** Requests per window currently assumed (learned from `X-Ratelimit-Limit`). */
  readonly limit: number;
  /** Window length currently assumed, in ms (learned from `X-Ratelimit-Decay-Period`). */
  readonly windowMs: number;
  /** Budget slots left right now by the limiter's own bookkeeping. */
  readonly remaining: number;
  /** Clock time until which every request of the key is held after a 429 (0 when none). */
  readonly pausedUntil: number;
}

interface Slot {
  /** Clock time the slot was taken (a request start, or an inferred request of another client). */
  readonly at: number;
  readonly phantom: boolean;
  /** How many requests the slot stands for (phantom slots may stand for many). */
  readonly weight: number;
  /** Upper bound on expiry from a server-announced window reset (429 `Retry-After`). */
  cap: number;
}

interface Waiter {
  readonly enqueuedAt: number;
  readonly resolve: (permit: RatePermit) => void;
  readonly reject: (reason: unknown) => void;
  readonly cleanup: () => void;
  waited: boolean;
}

/**
 * Gates request starts for one Paymo API key, so that every client and query using the key stays
 * inside Paymo's budget together.
 *
 * Model: each start occupies a budget slot for one window (+ margin). A start is allowed while fewer
 * than `limit` slots are occupied, which keeps any fixed server window at or under `limit` requests
 * without knowing where the server's windows begin. Response headers refine the model: the limit and
 * window length are learned, and when `X-Ratelimit-Remaining` shows more usage than this limiter
 * accounts for (another process using the key), phantom slots are added so the window is not
 * overrun. A 429 holds every request of the key until `Retry-After` (+ jitter) has passed. Waiting
 * happens only when the budget is known to be spent: there are no fixed sleeps between requests.
 */
export class RateLimiter {
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #maxConcurrency: number;
  readonly #marginMs: number;
  readonly #jitterMs: number;
  readonly #unlimited: boolean;
  #limit: number;
  #windowMs: number;
  #slots: Slot[] = [];
  #queue: Waiter[] = [];
  #inFlight = 0;
  #pausedUntil = 0;
  #timer: { at: number; controller: AbortController } | undefined;
  #started = 0;
  #waits = 0;
  #totalWaitMs = 0;
  #rateLimited = 0;

  constructor(options: RateLimiterOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#maxConcurrency = positive(options.maxConcurrency, 8, 'maxConcurrency');
    this.#limit = positive(options.limit, 5, 'limit');
    this.#windowMs = positive(options.windowMs, 5000, 'windowMs');
    this.#marginMs = Math.max(0, options.marginMs ?? 100);
    this.#jitterMs = Math.max(0, options.jitterMs ?? 250);
    this.#unlimited = options.unlimited ?? false;
  }

  /**
   * Waits until a request may start and returns its permit. Rejects with `signal.reason` if the
   * signal aborts while waiting (the request then never counts against the budget).
   */
  acquire(signal?: AbortSignal): Promise<RatePermit> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<RatePermit>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.#queue.indexOf(waiter);
        if (i >= 0) this.#queue.splice(i, 1);
        if (this.#queue.length === 0) this.#cancelTimer();
        reject(signal?.reason);
        this.#pump();
      };
      const waiter: Waiter = {
        enqueuedAt: this.#clock.now(),
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
        waited: false,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
      this.#pump();
    });
  }

  /** How long a 429's pause still holds every request of this key (0 when none does). */
  pausedForMs(): number {
    return Math.max(0, this.#pausedUntil - this.#clock.now());
  }

  /** Current counters and budget view (see {@link RateLimiterStats}). */
  stats(): RateLimiterStats {
    const now = this.#clock.now();
    const occupied = this.#occupancy(this.#liveSlots(now));
    return {
      started: this.#started,
      waits: this.#waits,
      totalWaitMs: this.#totalWaitMs,
      rateLimited: this.#rateLimited,
      inFlight: this.#inFlight,
      queued: this.#queue.length,
      limit: this.#limit,
      windowMs: this.#windowMs,
      remaining: this.#unlimited ? Number.POSITIVE_INFINITY : Math.max(0, this.#limit - occupied),
      pausedUntil: this.#pausedUntil > now ? this.#pausedUntil : 0,
    };
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const head = this.#queue[0];
      if (this.#inFlight >= this.#maxConcurrency) {
        head.waited = true;
        return; // a release() pumps again
      }
      const now = this.#clock.now();
      const readyAt = this.#readyAt(now);
      if (readyAt > now) {
        head.waited = true;
        this.#schedule(readyAt, now);
        return;
      }
      this.#queue.shift();
      this.#grant(head, now);
    }
    // A pending real timer would keep the process alive for up to a window after the work is done.
    this.#cancelTimer();
  }

  #grant(waiter: Waiter, now: number): void {
    waiter.cleanup();
    const waitedMs = Math.max(0, now - waiter.enqueuedAt);
    if (waiter.waited) this.#waits++;
    this.#totalWaitMs += waitedMs;
    this.#started++;
    this.#inFlight++;
    const slot: Slot = { at: now, phantom: false, weight: 1, cap: Number.POSITIVE_INFINITY };
    this.#slots.push(slot);
    let released = false;
    waiter.resolve({
      waitedMs,
      release: (observation) => {
        if (released) return {};
        released = true;
        this.#inFlight--;
        const result = observation ? this.#observe(observation, slot.at) : {};
        this.#pump();
        return result;
      },
    });
  }

  /** Earliest clock time a request may start, judged by the pause and the budget. */
  #readyAt(now: number): number {
    const t = Math.max(now, this.#pausedUntil);
    if (this.#unlimited) return t;
    const live = this.#liveSlots(now);
    let excess = this.#occupancy(live) - this.#limit + 1;
    if (excess <= 0) return t;
    // Free the oldest slots until one unit of budget is available.
    live.sort((a, b) => this.#expiry(a) - this.#expiry(b));
    for (const slot of live) {
      excess -= slot.weight;
      if (excess <= 0) return Math.max(t, this.#expiry(slot));
    }
    return t;
  }

  /** The slots still occupied at `now`; prunes the expired ones. */
  #liveSlots(now: number): Slot[] {
    this.#slots = this.#slots.filter((slot) => this.#expiry(slot) > now);
    return [...this.#slots];
  }

  #occupancy(slots: readonly Slot[]): number {
    let sum = 0;
    for (const slot of slots) sum += slot.weight;
    return sum;
  }

  #expiry(slot: Slot): number {
    // The window length is re-read so a learned (shorter) window frees older slots sooner.
    return Math.min(slot.at + this.#windowMs + this.#marginMs, slot.cap);
  }

  #observe(observation: RateObservation, startedAt: number): { retryAfterMs?: number } {
    const headers = observation.headers ?? {};
    const now = this.#clock.now();
    const limit = intHeader(headers, 'x-ratelimit-limit');
    const remaining = intHeader(headers, 'x-ratelimit-remaining');
    const decay = numberHeader(headers, 'x-ratelimit-decay-period');
    if (limit !== undefined && limit > 0) this.#limit = limit;
    if (decay !== undefined && decay > 0) this.#windowMs = decay * 1000;
    if (remaining !== undefined && remaining >= 0 && !this.#unlimited) {
      const serverUsed = this.#limit - remaining;
      let known = 0;
      for (const slot of this.#liveSlots(now)) {
        if (slot.phantom || slot.at <= startedAt) known += slot.weight;
      }
      // Usage the server reports beyond our own starts belongs to someone else sharing the key.
      if (serverUsed > known) {
        this.#slots.push({
          at: now,
          phantom: true,
          weight: serverUsed - known,
          cap: Number.POSITIVE_INFINITY,
        });
      }
    }
    if (observation.status !== 429) return {};
    this.#rateLimited++;
    const retryAfterMs = parseRetryAfter(headerValue(headers, 'retry-after')) ?? this.#windowMs;
    const resetAt = now + retryAfterMs;
    this.#pausedUntil = Math.max(this.#pausedUntil, resetAt + this.#random() * this.#jitterMs);
    // The server named its window reset: nothing counted before it constrains the next window.
    for (const slot of this.#slots) slot.cap = Math.min(slot.cap, resetAt + this.#marginMs);
    return { retryAfterMs };
  }

  #schedule(at: number, now: number): void {
    if (this.#timer && this.#timer.at <= at) return; // an earlier wake-up re-evaluates anyway
    this.#cancelTimer();
    const controller = new AbortController();
    const timer = { at, controller };
    this.#timer = timer;
    this.#clock.sleep(at - now, controller.signal).then(
      () => {
        if (this.#timer !== timer) return;
        this.#timer = undefined;
        this.#pump();
      },
      () => {},
    );
  }

  #cancelTimer(): void {
    this.#timer?.controller.abort();
    this.#timer = undefined;
  }
}

/**
 * Parses a `Retry-After` header (delay-seconds or HTTP-date) into milliseconds from now.
 * Returns undefined for a missing or unreadable value; never returns a negative delay.
 */
export function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** SHA-256 hex digest of an API key: how the limiter registry names a key without holding it. */
export function apiKeyFingerprint(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

const registry = new Map<string, RateLimiter>();

/**
 * The process-wide limiter for `apiKey` at `origin` (e.g. `https://app.paymoapp.com`), created
 * with `options` on first use; later calls return the same instance and ignore `options`.
 * The registry is keyed by the origin and the key's SHA-256 digest, never by the key itself.
 */
export function rateLimiterFor(apiKey: string, origin: string, options?: RateLimiterOptions): RateLimiter {
  const id = `${origin} ${apiKeyFingerprint(apiKey)}`;
  let limiter = registry.get(id);
  if (!limiter) {
    limiter = new RateLimiter(options);
    registry.set(id, limiter);
  }
  return limiter;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new RangeError(`RateLimiter: ${name} must be a positive number, got ${value}`);
  return value;
}

function headerValue(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function numberHeader(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): number | undefined {
  const v = headerValue(headers, name);
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function intHeader(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): number | undefined {
  const n = numberHeader(headers, name);
  return n !== undefined && Number.isInteger(n) ? n : undefined;
}
