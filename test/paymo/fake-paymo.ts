import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Clock } from '../../src/paymo/rate-limiter.js';

/** One request as the fake server saw it. */
export interface FakeRequest {
  readonly method: string;
  /** Path without the query, e.g. `/api/tasks`. */
  readonly path: string;
  /** The raw (still encoded) query string without `?`. */
  readonly rawQuery: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** `now()` of the server's clock when the request arrived. */
  readonly at: number;
}

/** How the fake answers one request. */
export type FakeReply =
  | {
      readonly status?: number;
      readonly headers?: Readonly<Record<string, string>>;
      /** Serialised as the JSON body. */
      readonly json?: unknown;
      /** Sent verbatim (wins over `json`). */
      readonly body?: string | Buffer;
      readonly gzip?: boolean;
      /** Real ms to wait before answering. */
      readonly delayMs?: number;
    }
  | { readonly hang: true }
  /** Sends 200 headers and half of `body`, then destroys the socket. */
  | { readonly dropMidBody: string };

/** A scripted stand-in for Paymo bound to 127.0.0.1 on a free port. */
export interface FakePaymo {
  /** `http://127.0.0.1:<port>/api/` */
  readonly baseUrl: string;
  readonly requests: FakeRequest[];
  /** Most requests being handled at once so far. */
  readonly maxConcurrent: number;
  close(): Promise<void>;
}

/** Starts a fake Paymo whose every answer comes from `handler`. */
export async function startFakePaymo(
  handler: (request: FakeRequest) => FakeReply | Promise<FakeReply>,
  options: { readonly now?: () => number } = {},
): Promise<FakePaymo> {
  const now = options.now ?? Date.now;
  const requests: FakeRequest[] = [];
  let active = 0;
  let maxConcurrent = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const request: FakeRequest = {
        method: req.method ?? 'GET',
        path: q < 0 ? url : url.slice(0, q),
        rawQuery: q < 0 ? '' : url.slice(q + 1),
        query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: now(),
      };
      requests.push(request);
      active++;
      maxConcurrent = Math.max(maxConcurrent, active);
      res.on('close', () => active--);
      Promise.resolve(handler(request)).then(
        (reply) => answer(res, reply),
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: `fake handler failed: ${String(error)}` }));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api/`,
    requests,
    get maxConcurrent() {
      return maxConcurrent;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function answer(res: ServerResponse, reply: FakeReply): Promise<void> {
  if ('hang' in reply) return;
  if ('dropMidBody' in reply) {
    const full = Buffer.from(reply.dropMidBody);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(full.length) });
    res.write(full.subarray(0, Math.floor(full.length / 2)), () => res.socket?.destroy());
    return;
  }
  if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
  let body: Buffer =
    reply.body !== undefined
      ? Buffer.from(reply.body)
      : Buffer.from(reply.json === undefined ? '' : JSON.stringify(reply.json));
  const headers: Record<string, string> = { 'content-type': 'application/json', ...reply.headers };
  if (reply.gzip) {
    body = gzipSync(body);
    headers['content-encoding'] = 'gzip';
  }
  headers['content-length'] = String(body.length);
  res.writeHead(reply.status ?? 200, headers);
  res.end(body);
}

/** A JSON reply with `status` (default 200). */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): FakeReply {
  return { status, json: body, headers };
}

/**
 * Paymo's documented fixed window, per fake server: a window opens with the first request and lasts
 * `periodSeconds`; over the limit the answer is 429 with `Retry-After` (not consuming quota).
 * Returns the headers to send and whether the request is allowed.
 */
export function fixedWindow(
  limit: number,
  periodSeconds: number,
  now: () => number,
): () => { allowed: boolean; headers: Record<string, string> } {
  let start = Number.NEGATIVE_INFINITY;
  let used = 0;
  return () => {
    const t = now();
    if (t - start >= periodSeconds * 1000) {
      start = t;
      used = 0;
    }
    const base = { 'x-ratelimit-limit': String(limit), 'x-ratelimit-decay-period': String(periodSeconds) };
    if (used >= limit) {
      const retry = Math.max(1, Math.ceil((start + periodSeconds * 1000 - t) / 1000));
      return {
        allowed: false,
        headers: { ...base, 'x-ratelimit-remaining': '0', 'retry-after': String(retry) },
      };
    }
    used++;
    return { allowed: true, headers: { ...base, 'x-ratelimit-remaining': String(limit - used) } };
  };
}

/** A {@link Clock} whose time only moves when someone sleeps, plus a record of every sleep. */
export interface VirtualClock extends Clock {
  /** Durations passed to `sleep`, in call order. */
  readonly sleeps: number[];
  /** Sleeps neither finished nor aborted. */
  pending(): number;
}

/**
 * A virtual clock: `sleep(ms)` returns at once (on a later turn of the event loop) after moving
 * time forward, earliest wake-up first. While `idle()` returns false (e.g. requests are on the
 * wire) time does not move, so real network latency never overlaps a virtual jump.
 */
export function virtualClock(options: { readonly start?: number; idle?: () => boolean } = {}): VirtualClock {
  let now = options.start ?? 1_000_000;
  const sleeps: number[] = [];
  const timers: Array<{ at: number; fire: () => void }> = [];
  let ticking = false;
  const tick = (): void => {
    ticking = false;
    if (timers.length === 0) return;
    if (options.idle && !options.idle()) {
      ticking = true;
      setTimeout(tick, 1);
      return;
    }
    timers.sort((a, b) => a.at - b.at);
    const timer = timers.shift()!;
    now = Math.max(now, timer.at);
    timer.fire();
    schedule();
  };
  const schedule = (): void => {
    if (!ticking && timers.length > 0) {
      ticking = true;
      setImmediate(tick);
    }
  };
  return {
    sleeps,
    pending: () => timers.length,
    now: () => now,
    sleep(ms, signal) {
      sleeps.push(ms);
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const timer = {
          at: now + Math.max(0, ms),
          fire: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = (): void => {
          const i = timers.indexOf(timer);
          if (i >= 0) timers.splice(i, 1);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        timers.push(timer);
        schedule();
      });
    },
  };
}
