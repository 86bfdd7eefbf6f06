import { createHash, randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { PaymoClient, type PaymoClientOptions } from '../../src/paymo/http-client.js';
import {
  apiKeyFingerprint,
  parseRetryAfter,
  RateLimiter,
  type RatePermit,
  rateLimiterFor,
} from '../../src/paymo/rate-limiter.js';
import {
  type FakePaymo,
  fixedWindow,
  json,
  startFakePaymo,
  type VirtualClock,
  virtualClock,
} from './fake-paymo.js';

const opened: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});

/** Resolves after the event loop has run pending immediates (virtual-clock wake-ups). */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

function startedAt(clock: VirtualClock, limiter: RateLimiter): Promise<{ at: number; permit: RatePermit }> {
  return limiter.acquire().then((permit) => ({ at: clock.now(), permit }));
}

describe('RateLimiter (unit, virtual clock)', () => {
  it('assumes 5 requests per 5 s before any header and waits for the window, not a fixed sleep', async () => {
    const clock = virtualClock({ start: 0 });
    const limiter = new RateLimiter({ clock, marginMs: 100 });
    const first = await Promise.all([1, 2, 3, 4, 5].map(() => startedAt(clock, limiter)));
    expect(first.map((s) => s.at)).toEqual([0, 0, 0, 0, 0]);
    expect(clock.sleeps).toEqual([]);
    for (const s of first) s.permit.release();
    const sixth = await startedAt(clock, limiter);
    expect(sixth.at).toBe(5100);
    sixth.permit.release();
    expect(limiter.stats()).toMatchObject({ started: 6, waits: 1, totalWaitMs: 5100, rateLimited: 0 });
  });

  it('releases waiters as soon as a header shows a bigger budget, dropping its timer', async () => {
    const clock = virtualClock({ start: 0, idle: () => false });
    const limiter = new RateLimiter({ clock });
    const first = await Promise.all([1, 2, 3, 4, 5].map(() => limiter.acquire()));
    const sixth = startedAt(clock, limiter);
    await settle();
    expect(limiter.stats().queued).toBe(1);
    expect(clock.pending()).toBe(1);
    first[0].release({
      status: 200,
      headers: {
        'x-ratelimit-limit': '1000000',
        'x-ratelimit-remaining': '999999',
        'x-ratelimit-decay-period': '1',
      },
    });
    expect((await sixth).at).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  it('learns limit and window from X-Ratelimit headers', async () => {
    const clock = virtualClock({ start: 0 });
    const limiter = new RateLimiter({ clock, marginMs: 0 });
    const a = await startedAt(clock, limiter);
    a.permit.release({
      status: 200,
      headers: { 'x-ratelimit-limit': '2', 'x-ratelimit-remaining': '1', 'x-ratelimit-decay-period': '1' },
    });
    expect(limiter.stats()).toMatchObject({ limit: 2, windowMs: 1000, remaining: 1 });
    const b = await startedAt(clock, limiter);
    const c = await startedAt(clock, limiter);
    expect([a.at, b.at, c.at]).toEqual([0, 0, 1000]);
  });

  it('counts usage reported by the server beyond its own (another process on the key)', async () => {
    const clock = virtualClock({ start: 0 });
    const limiter = new RateLimiter({ clock, marginMs: 0 });
    const a = await startedAt(clock, limiter);
    // Someone else already spent 3 of the 5 requests in this window.
    a.permit.release({
      status: 200,
      headers: { 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '1', 'x-ratelimit-decay-period': '5' },
    });
    expect(limiter.stats().remaining).toBe(1);
    const b = await startedAt(clock, limiter);
    const c = await startedAt(clock, limiter);
    expect([b.at, c.at]).toEqual([0, 5000]);
  });

  it('on 429 pauses every request of the key for Retry-After plus jitter', async () => {
    const clock = virtualClock({ start: 0 });
    const limiter = new RateLimiter({ clock, jitterMs: 400, random: () => 0.25, limit: 100 });
    const a = await startedAt(clock, limiter);
    const result = a.permit.release({
      status: 429,
      headers: { 'retry-after': '2', 'x-ratelimit-remaining': '0' },
    });
    expect(result).toEqual({ retryAfterMs: 2000 });
    expect(limiter.stats()).toMatchObject({ rateLimited: 1, pausedUntil: 2100 });
    const waiting = [startedAt(clock, limiter), startedAt(clock, limiter)];
    const starts = await Promise.all(waiting);
    expect(starts.map((s) => s.at)).toEqual([2100, 2100]);
  });

  it('caps concurrency and starts the next request when one finishes', async () => {
    const clock = virtualClock({ start: 0 });
    const limiter = new RateLimiter({ clock, maxConcurrency: 2, unlimited: true });
    const a = await limiter.acquire();
    await limiter.acquire();
    let thirdStarted = false;
    const third = limiter.acquire().then((p) => {
      thirdStarted = true;
      return p;
    });
    await settle();
    expect(thirdStarted).toBe(false);
    expect(limiter.stats()).toMatchObject({ inFlight: 2, queued: 1 });
    a.release();
    await third;
    expect(limiter.stats()).toMatchObject({ inFlight: 2, queued: 0, waits: 1 });
  });

  it('rejects a waiting acquire when its signal aborts and frees the queue', async () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 60_000 });
    (await limiter.acquire()).release();
    const controller = new AbortController();
    const pending = limiter.acquire(controller.signal);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(limiter.stats()).toMatchObject({ queued: 0, started: 1 });
    await expect(limiter.acquire(controller.signal)).rejects.toBe(reason);
  });

  it('parses Retry-After seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const inTen = new Date(Date.now() + 10_000).toUTCString();
    expect(parseRetryAfter(inTen)).toBeGreaterThan(8000);
    expect(parseRetryAfter(new Date(0).toUTCString())).toBe(0);
  });

  it('keeps one limiter per key and origin, named by a SHA-256 digest', () => {
    const key = `key-${randomUUID()}`;
    const a = rateLimiterFor(key, 'https://app.paymoapp.com');
    expect(rateLimiterFor(key, 'https://app.paymoapp.com')).toBe(a);
    expect(rateLimiterFor(`${key}x`, 'https://app.paymoapp.com')).not.toBe(a);
    expect(rateLimiterFor(key, 'http://127.0.0.1:1')).not.toBe(a);
    expect(apiKeyFingerprint(key)).toBe(createHash('sha256').update(key).digest('hex'));
    expect(inspect(a, { showHidden: true, depth: Infinity })).not.toContain(key);
  });
});

describe('RateLimiter with clients and a rate-limiting fake Paymo', () => {
  async function limitedFake(limit: number, periodSeconds: number, now: () => number, delayMs = 0) {
    const check = fixedWindow(limit, periodSeconds, now);
    const server = await startFakePaymo(
      () => {
        const { allowed, headers } = check();
        return allowed
          ? { json: { tasks: [{ id: 1 }] }, headers, delayMs }
          : { status: 429, json: { message: 'Rate limit exceeded' }, headers };
      },
      { now },
    );
    opened.push(server);
    return server;
  }

  function client(server: FakePaymo, options: Partial<PaymoClientOptions>): PaymoClient {
    const c = new PaymoClient({ apiKey: `key-${randomUUID()}`, baseUrl: server.baseUrl, ...options });
    opened.push(c);
    return c;
  }

  it('makes the 6th quick request wait for the window instead of drawing a 429', async () => {
    let limiter: RateLimiter | undefined;
    const clock = virtualClock({ start: 0, idle: () => (limiter?.stats().inFlight ?? 0) === 0 });
    const server = await limitedFake(5, 2, clock.now);
    const c = client(server, { clock });
    limiter = c.rateLimiter;
    await c.list('tasks'); // learns: limit 5, 4 left, 2 s window
    expect(limiter.stats()).toMatchObject({ limit: 5, windowMs: 2000 });
    await Promise.all([1, 2, 3, 4, 5].map(() => c.list('tasks')));
    expect(server.requests).toHaveLength(6);
    const times = server.requests.map((r) => r.at);
    expect(times.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(times[5]).toBeGreaterThanOrEqual(2000);
    expect(times[5]).toBeLessThanOrEqual(2200);
    expect(limiter.stats()).toMatchObject({ started: 6, waits: 1, rateLimited: 0 });
  });

  it('a 429 holds back the other requests of the same key, not only the failing one', async () => {
    let limiter: RateLimiter | undefined;
    const clock = virtualClock({ start: 0, idle: () => (limiter?.stats().inFlight ?? 0) === 0 });
    let n = 0;
    const server = await startFakePaymo(
      () => (++n === 1 ? json({ message: 'slow down' }, 429, { 'retry-after': '2' }) : json({ tasks: [] })),
      { now: clock.now },
    );
    opened.push(server);
    const key = `key-${randomUUID()}`;
    const options = { apiKey: key, baseUrl: server.baseUrl, clock, rateLimit: { limit: 100, jitterMs: 0 } };
    const other = new PaymoClient(options);
    opened.push(other);
    let otherCall: Promise<unknown> | undefined;
    const first = new PaymoClient({
      ...options,
      onRequest: (e) => {
        if (e.status === 429) otherCall = other.list('tasks');
      },
    });
    opened.push(first);
    limiter = first.rateLimiter;
    expect(other.rateLimiter).toBe(limiter);
    await first.list('tasks');
    await otherCall;
    expect(server.requests.map((r) => r.at)).toEqual([0, 2000, 2000]);
    expect(limiter.stats()).toMatchObject({ rateLimited: 1, started: 3 });
  });

  it('two clients with the same key share one limiter and its concurrency cap', async () => {
    const server = await limitedFake(1000, 1, Date.now, 30);
    const key = `key-${randomUUID()}`;
    const a = client(server, { apiKey: key, rateLimit: { maxConcurrency: 2, limit: 100 } });
    const b = client(server, { apiKey: key });
    expect(b.rateLimiter).toBe(a.rateLimiter);
    await Promise.all([a, a, a, b, b, b].map((c) => c.list('tasks')));
    expect(server.requests).toHaveLength(6);
    expect(server.maxConcurrent).toBeLessThanOrEqual(2);
    expect(a.rateLimiter.stats()).toMatchObject({ started: 6, inFlight: 0 });
  });

  it('clients with different keys do not share a limiter', async () => {
    const server = await limitedFake(1000, 1, Date.now, 50);
    const a = client(server, { rateLimit: { maxConcurrency: 1, limit: 100 } });
    const b = client(server, { rateLimit: { maxConcurrency: 1, limit: 100 } });
    expect(b.rateLimiter).not.toBe(a.rateLimiter);
    await Promise.all([a.list('tasks'), b.list('tasks')]);
    expect(server.maxConcurrent).toBe(2);
    expect(a.rateLimiter.stats().started).toBe(1);
    expect(b.rateLimiter.stats().started).toBe(1);
  });

  it('keeps within a real 2-per-second window on the system clock', async () => {
    const server = await limitedFake(2, 1, Date.now);
    const c = client(server, { rateLimit: { marginMs: 50 } });
    await c.list('tasks'); // learn the 2 / 1 s budget
    const started = Date.now();
    await Promise.all([c.list('tasks'), c.list('tasks')]);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(2000);
    expect(c.rateLimiter.stats()).toMatchObject({ started: 3, rateLimited: 0, waits: 1 });
  });
});
