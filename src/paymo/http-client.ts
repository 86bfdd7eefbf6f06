import { inspect, promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { Pool } from 'undici';
import {
  PaymoAbortedError,
  PaymoAuthError,
  PaymoBadResponseError,
  type PaymoError,
  type PaymoErrorCause,
  type PaymoErrorInit,
  PaymoNetworkError,
  PaymoNotFoundError,
  PaymoOutcomeUnknownError,
  PaymoRateLimitError,
  PaymoServerError,
  PaymoTimeoutError,
  PaymoValidationError,
} from './errors.js';
import {
  type Clock,
  RateLimiter,
  type RateLimiterOptions,
  type RateLimiterStats,
  rateLimiterFor,
  systemClock,
} from './rate-limiter.js';

const gunzipAsync = promisify(gunzip);

/** Paymo's production API root (paymo-api.md 1.1). */
export const DEFAULT_BASE_URL = 'https://app.paymoapp.com/api/';

/**
 * Default rows per page for {@link PaymoClient.listAll}: Paymo's documented per-response cap
 * (2500 items per resource type, paymo-api.md 1.7), so a full page never trips the cap and the
 * fewest requests are spent.
 */
export const DEFAULT_PAGE_SIZE = 2500;

/** One Paymo object as decoded from JSON. */
export type PaymoRow = Record<string, unknown>;

/** A Paymo object id (integers everywhere except session tokens). */
export type PaymoId = number | string;

/** The HTTP verbs the client uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * What one HTTP exchange with Paymo cost, reported through `onRequest` once per attempt.
 * Contains no credentials. `query` is the encoded query string without `?` ('' when none).
 */
export interface PaymoRequestEvent {
  readonly method: HttpMethod;
  readonly path: string;
  readonly query: string;
  /** HTTP status, absent when no response arrived (timeout, connection error, abort). */
  readonly status?: number;
  /** 1-based attempt number of the logical call this exchange belongs to. */
  readonly attempt: number;
  /** `ok`: the call returns; `retry`: another attempt follows; `error`: the call throws. */
  readonly outcome: 'ok' | 'retry' | 'error';
  /** The {@link PaymoError} kind behind a `retry` or `error` outcome. */
  readonly errorKind?: string;
  /** Wall time of the exchange itself, ms (excludes rate-limit waits and backoff). */
  readonly durationMs: number;
  /** Time spent waiting for the rate limiter before this exchange, in clock ms. */
  readonly waitMs: number;
  /** Response body bytes as received (compressed when gzip). */
  readonly bytes: number;
  /** Response body bytes after decompression. */
  readonly decodedBytes: number;
}

/** Settings of a {@link PaymoClient}. Only `apiKey` is required. */
export interface PaymoClientOptions {
  /** The Paymo API key; sent as the HTTP Basic user name, never logged or shown. */
  readonly apiKey: string;
  /** API root, ending in `/api/` (default {@link DEFAULT_BASE_URL}). */
  readonly baseUrl?: string;
  /** Per-attempt limit from sending the request to the end of the response body (default 60 000). */
  readonly timeoutMs?: number;
  /** Retries after the first attempt, for the failures that may be retried (default 5). */
  readonly maxRetries?: number;
  /** Rows per page for `listAll` and for `list` with `page` (default {@link DEFAULT_PAGE_SIZE}). */
  readonly pageSize?: number;
  /** Keep-alive connections of this client's pool (default 8). */
  readonly connections?: number;
  /** First backoff ceiling in ms; doubles per retry, full jitter (default 500). */
  readonly retryBaseMs?: number;
  /** Largest backoff ceiling in ms (default 30 000). */
  readonly retryMaxMs?: number;
  /** A 429 asking to wait longer than this (ms) fails at once instead of waiting (default 300 000). */
  readonly maxRetryAfterMs?: number;
  /** Time source for rate-limit waits and backoff (network timeouts always use real time). */
  readonly clock?: Clock;
  /** Random numbers in [0, 1) for backoff jitter (default `Math.random`). */
  readonly random?: () => number;
  /**
   * The limiter to use. Default: the process-wide limiter of this key and origin, created on first
   * use with `rateLimit` (plus this client's `clock`). `false` disables budget limiting for this
   * client (it still honours 429 and uses a private limiter).
   */
  readonly rateLimiter?: RateLimiter;
  readonly rateLimit?: RateLimiterOptions | false;
  /** Called after every HTTP exchange; exceptions it throws are ignored. */
  readonly onRequest?: (event: PaymoRequestEvent) => void;
}

/** Per-call options common to every method. */
export interface CallOptions {
  /** Cancels the call: in-flight requests, rate-limit waits and backoff sleeps. */
  readonly signal?: AbortSignal;
}

/** Options of reads that return objects. */
export interface ReadOptions extends CallOptions {
  /** `include` list: a comma-separated string or the keys as an array. */
  readonly include?: string | readonly string[];
  /** The envelope key to read; default: the envelope's single top-level key. */
  readonly key?: string;
  /** Extra query parameters (e.g. `partial_include`); encoded by the client. */
  readonly query?: Readonly<Record<string, string | number | boolean>>;
}

/** Options of {@link PaymoClient.list}. */
export interface ListOptions extends ReadOptions {
  /** Rendered `where` expression (e.g. `project_id=5 and name like "a b"`); encoded by the client. */
  readonly where?: string;
  /** 0-based page; with neither `page` nor `pageSize` Paymo returns every row. */
  readonly page?: number;
  readonly pageSize?: number;
}

/** Options of {@link PaymoClient.listAll}. */
export interface ListAllOptions extends ReadOptions {
  readonly where?: string;
  readonly pageSize?: number;
}

/** Options of writes. */
export interface WriteOptions extends CallOptions {
  /** The envelope key to read; default: the envelope's single top-level key. */
  readonly key?: string;
}

/** What a create returned: the new object and Paymo's `Location` header, if sent. */
export interface PaymoCreated {
  readonly row: PaymoRow;
  readonly location?: string;
}

/** Counters of one client (all attempts, including retries). */
export interface PaymoClientStats {
  readonly requests: number;
  readonly retries: number;
  readonly bytes: number;
  readonly decodedBytes: number;
}

interface Exchange {
  readonly attempts: number;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly json: unknown;
}

type FailureKind = 'timeout' | 'network' | 'aborted' | 'bad-response';

interface Failure {
  readonly kind: FailureKind;
  /** False only when the request certainly never left this machine (connection refused, DNS). */
  readonly sent: boolean;
  /** Status, when the failure happened while reading a response body. */
  readonly status?: number;
  readonly cause: PaymoErrorCause;
}

type AttemptResult =
  | {
      readonly ok: true;
      readonly status: number;
      readonly headers: Readonly<Record<string, string | string[] | undefined>>;
      readonly body: Buffer;
      readonly bytes: number;
    }
  | { readonly ok: false; readonly failure: Failure; readonly bytes: number };

/** Node/undici error codes that mean the request never reached the server. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * The one place that speaks HTTP to Paymo: authentication, envelopes, paging, gzip, retries with
 * backoff, rate limiting shared per API key, and typed errors.
 *
 * Reads (GET) are retried on 429, 5xx, timeouts, connection errors and malformed JSON. Writes are
 * retried only when Paymo certainly did not apply them (429, or a connection that was never made);
 * a write that may have reached Paymo and failed raises {@link PaymoOutcomeUnknownError}.
 * Call {@link PaymoClient.close} when done.
 */
export class PaymoClient {
  /** The API root this client talks to, e.g. `https://app.paymoapp.com/api/`. */
  readonly baseUrl: string;
  /** The limiter gating this client's requests (shared with every client of the same key). */
  readonly rateLimiter: RateLimiter;
  readonly #apiKey: string;
  readonly #authorization: string;
  readonly #basePath: string;
  readonly #pool: Pool;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #pageSize: number;
  readonly #retryBaseMs: number;
  readonly #retryMaxMs: number;
  readonly #maxRetryAfterMs: number;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #onRequest: ((event: PaymoRequestEvent) => void) | undefined;
  #requests = 0;
  #retries = 0;
  #bytes = 0;
  #decodedBytes = 0;

  constructor(options: PaymoClientOptions) {
    if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
      throw new TypeError('PaymoClient: apiKey must be a non-empty string');
    }
    const url = new URL(options.baseUrl ?? DEFAULT_BASE_URL);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new TypeError(`PaymoClient: baseUrl must be an http(s) URL, got ${url.protocol}`);
    }
    if (url.username || url.password) {
      throw new TypeError('PaymoClient: baseUrl must not contain credentials; pass apiKey instead');
    }
    url.search = '';
    url.hash = '';
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    this.baseUrl = url.href;
    this.#basePath = url.pathname;
    this.#apiKey = options.apiKey;
    this.#authorization = `Basic ${Buffer.from(`${options.apiKey}:X`, 'utf8').toString('base64')}`;
    this.#timeoutMs = positiveInt(options.timeoutMs, 60_000, 'timeoutMs');
    this.#maxRetries = nonNegativeInt(options.maxRetries, 5, 'maxRetries');
    this.#pageSize = positiveInt(options.pageSize, DEFAULT_PAGE_SIZE, 'pageSize');
    this.#retryBaseMs = Math.max(0, options.retryBaseMs ?? 500);
    this.#retryMaxMs = Math.max(this.#retryBaseMs, options.retryMaxMs ?? 30_000);
    this.#maxRetryAfterMs = Math.max(0, options.maxRetryAfterMs ?? 300_000);
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#onRequest = options.onRequest;
    if (options.rateLimiter) {
      this.rateLimiter = options.rateLimiter;
    } else if (options.rateLimit === false) {
      this.rateLimiter = new RateLimiter({ unlimited: true, clock: this.#clock });
    } else {
      this.rateLimiter = rateLimiterFor(options.apiKey, url.origin, {
        clock: this.#clock,
        ...options.rateLimit,
      });
    }
    this.#pool = new Pool(url.origin, {
      connections: positiveInt(options.connections, 8, 'connections'),
      pipelining: 1,
      keepAliveTimeout: 4_000,
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
      connect: { timeout: Math.min(this.#timeoutMs, 30_000) },
    });
  }

  /** Rows of one list request: `GET <resource>?where&include[&page&page_size]`. */
  async list(resource: string, options: ListOptions = {}): Promise<PaymoRow[]> {
    const paged = options.page !== undefined || options.pageSize !== undefined;
    const query = listQuery(
      options,
      paged ? (options.page ?? 0) : undefined,
      paged ? (options.pageSize ?? this.#pageSize) : undefined,
    );
    const path = this.#path(resource);
    const exchange = await this.#send('GET', path, query, undefined, options.signal);
    return this.#rows(exchange, 'GET', path, query, resource, options.key);
  }

  /**
   * Every row of a list, one array per page (page 0, 1, … of `pageSize` rows), stopping after the
   * first short page. Pages are fetched lazily as the iterator is consumed; empty pages are not
   * yielded.
   */
  async *listAll(
    resource: string,
    options: ListAllOptions = {},
  ): AsyncGenerator<PaymoRow[], void, undefined> {
    const pageSize = positiveInt(options.pageSize, this.#pageSize, 'pageSize');
    let previousFirstId: unknown;
    for (let page = 0; ; page++) {
      const rows = await this.list(resource, { ...options, page, pageSize });
      if (rows.length === 0) return;
      const firstId = rows[0].id;
      if (page > 0 && firstId !== undefined && firstId === previousFirstId) {
        // A server that ignores `page` would otherwise make this loop forever.
        throw new PaymoBadResponseError({
          method: 'GET',
          path: target(this.#path(resource), listQuery(options, page, pageSize)),
          attempts: 1,
          problem: `page ${page} repeats page ${page - 1} (Paymo ignored the page parameter)`,
        });
      }
      previousFirstId = firstId;
      yield rows;
      // More rows than asked for means paging was ignored and everything came at once.
      if (rows.length !== pageSize) return;
    }
  }

  /** One object by id: `GET <resource>/<id>`; raises {@link PaymoNotFoundError} if absent. */
  async get(resource: string, id: PaymoId, options: ReadOptions = {}): Promise<PaymoRow> {
    const query = listQuery(options, undefined, undefined);
    const path = this.#path(resource, id);
    const exchange = await this.#send('GET', path, query, undefined, options.signal);
    return this.#one(exchange, 'GET', path, query, resource, options.key, true);
  }

  /** A singleton object such as `company`, whose envelope holds an object rather than an array. */
  async getSingleton(resource: string, options: ReadOptions = {}): Promise<PaymoRow> {
    const query = listQuery(options, undefined, undefined);
    const path = this.#path(resource);
    const exchange = await this.#send('GET', path, query, undefined, options.signal);
    return this.#one(exchange, 'GET', path, query, resource, options.key, true);
  }

  /** Creates an object: `POST <resource>` with a JSON body; returns it with the `Location` header. */
  async create(
    resource: string,
    body: Readonly<Record<string, unknown>>,
    options: WriteOptions = {},
  ): Promise<PaymoCreated> {
    const path = this.#path(resource);
    const exchange = await this.#send('POST', path, '', body, options.signal);
    const row = this.#one(exchange, 'POST', path, '', resource, options.key, false);
    const location = first(exchange.headers.location);
    return location !== undefined ? { row, location } : { row };
  }

  /** Partially updates an object: `PUT <resource>/<id>` with the changed fields; returns the new state. */
  async update(
    resource: string,
    id: PaymoId,
    body: Readonly<Record<string, unknown>>,
    options: WriteOptions = {},
  ): Promise<PaymoRow> {
    const path = this.#path(resource, id);
    const exchange = await this.#send('PUT', path, '', body, options.signal);
    return this.#one(exchange, 'PUT', path, '', resource, options.key, false);
  }

  /** Partially updates a singleton such as `company`: `PUT <resource>`; returns the new state. */
  async updateSingleton(
    resource: string,
    body: Readonly<Record<string, unknown>>,
    options: WriteOptions = {},
  ): Promise<PaymoRow> {
    const path = this.#path(resource);
    const exchange = await this.#send('PUT', path, '', body, options.signal);
    return this.#one(exchange, 'PUT', path, '', resource, options.key, false);
  }

  /** Deletes an object: `DELETE <resource>/<id>`. Resolves once Paymo confirmed (2xx). */
  async delete(resource: string, id: PaymoId, options: CallOptions = {}): Promise<void> {
    await this.#send('DELETE', this.#path(resource, id), '', undefined, options.signal);
  }

  /** The request target (`/api/tasks?where=…`) a `list` call with these options would use. */
  describeList(resource: string, options: Omit<ListOptions, 'signal'> = {}): string {
    const paged = options.page !== undefined || options.pageSize !== undefined;
    return target(
      this.#path(resource),
      listQuery(
        options,
        paged ? (options.page ?? 0) : undefined,
        paged ? (options.pageSize ?? this.#pageSize) : undefined,
      ),
    );
  }

  /** This client's counters (the shared limiter's are in `rateLimiter.stats()`). */
  stats(): PaymoClientStats & { readonly rateLimiter: RateLimiterStats } {
    return {
      requests: this.#requests,
      retries: this.#retries,
      bytes: this.#bytes,
      decodedBytes: this.#decodedBytes,
      rateLimiter: this.rateLimiter.stats(),
    };
  }

  /** Closes the connection pool after in-flight requests finish. */
  async close(): Promise<void> {
    await this.#pool.close();
  }

  /** Closes the connection pool at once, failing in-flight requests. */
  async destroy(): Promise<void> {
    await this.#pool.destroy();
  }

  /** A description without credentials. */
  toString(): string {
    return `PaymoClient(${this.baseUrl})`;
  }

  /** A JSON form without credentials. */
  toJSON(): { baseUrl: string } {
    return { baseUrl: this.baseUrl };
  }

  /** What `util.inspect` and `console.log` show: no credentials, no pool internals. */
  [inspect.custom](): string {
    return `PaymoClient { baseUrl: '${this.baseUrl}', apiKey: '[redacted]' }`;
  }

  #path(resource: string, id?: PaymoId): string {
    if (!/^[a-z][a-z0-9_]*(\/[a-z0-9_]+)*$/.test(resource)) {
      throw new TypeError(`PaymoClient: invalid resource name '${resource}'`);
    }
    if (id === undefined) return `${this.#basePath}${resource}`;
    if (typeof id === 'number' ? !Number.isSafeInteger(id) : id === '') {
      throw new TypeError(`PaymoClient: invalid id '${String(id)}' for ${resource}`);
    }
    return `${this.#basePath}${resource}/${strictEncode(String(id))}`;
  }

  async #send(
    method: HttpMethod,
    path: string,
    query: string,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<Exchange> {
    const fullPath = target(path, query);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      const base: PaymoErrorInit = { method, path: fullPath, attempts: attempt };
      if (signal?.aborted)
        throw new PaymoAbortedError({ ...base, attempts: attempt - 1, outcomeUnknown: false });
      // A pause longer than this client would wait out in a retry fails now instead of hanging the
      // statement silently for minutes (a 429 with a long Retry-After ended an earlier statement).
      const pausedMs = this.rateLimiter.pausedForMs();
      if (pausedMs > this.#maxRetryAfterMs) {
        throw new PaymoRateLimitError({
          ...base,
          attempts: 0,
          retryAfterSeconds: Math.ceil(pausedMs / 1000),
        });
      }
      let permit: Awaited<ReturnType<RateLimiter['acquire']>>;
      try {
        permit = await this.rateLimiter.acquire(signal);
      } catch {
        throw new PaymoAbortedError({ ...base, attempts: attempt - 1, outcomeUnknown: false });
      }
      const started = performance.now();
      const result = await this.#attempt(method, fullPath, payload, signal);
      const durationMs = performance.now() - started;
      const released = permit.release(
        result.ok ? { status: result.status, headers: result.headers } : { status: result.failure.status },
      );
      this.#requests++;
      this.#bytes += result.bytes;

      const canRetry = attempt <= this.#maxRetries;
      let decision:
        | { readonly exchange: Exchange }
        | { readonly retry: PaymoError; readonly backoff: boolean };
      let decodedBytes = 0;
      try {
        if (result.ok) {
          decodedBytes = result.body.length;
          decision = this.#judgeResponse(method, base, result.status, result.headers, result.body, {
            canRetry,
            retryAfterMs: released.retryAfterMs,
          });
        } else {
          decision = this.#judgeFailure(method, base, result.failure, canRetry);
        }
      } catch (error) {
        this.#emit({
          method,
          path,
          query,
          status: result.ok ? result.status : result.failure.status,
          attempt,
          outcome: 'error',
          errorKind: (error as PaymoError).kind,
          durationMs,
          waitMs: permit.waitedMs,
          bytes: result.bytes,
          decodedBytes,
        });
        this.#decodedBytes += decodedBytes;
        throw error;
      }
      this.#decodedBytes += decodedBytes;
      const final = decision;
      this.#emit({
        method,
        path,
        query,
        status: result.ok ? result.status : result.failure.status,
        attempt,
        outcome: 'retry' in final ? 'retry' : 'ok',
        ...('retry' in final ? { errorKind: final.retry.kind } : {}),
        durationMs,
        waitMs: permit.waitedMs,
        bytes: result.bytes,
        decodedBytes,
      });
      if (!('retry' in final)) return final.exchange;
      this.#retries++;
      if (final.backoff) {
        const ceiling = Math.min(this.#retryMaxMs, this.#retryBaseMs * 2 ** (attempt - 1));
        try {
          await this.#clock.sleep(this.#random() * ceiling, signal);
        } catch {
          throw new PaymoAbortedError({ ...base, outcomeUnknown: false });
        }
      }
    }
  }

  /**
   * Classifies an HTTP response: returns the exchange, asks for a retry, or throws the final error.
   * Retries are granted only while `canRetry`; the retry error is what is thrown when they run out.
   */
  #judgeResponse(
    method: HttpMethod,
    base: PaymoErrorInit,
    status: number,
    headers: Readonly<Record<string, string | string[] | undefined>>,
    body: Buffer,
    ctx: { readonly canRetry: boolean; readonly retryAfterMs: number | undefined },
  ): { readonly exchange: Exchange } | { readonly retry: PaymoError; readonly backoff: boolean } {
    const isRead = method === 'GET';
    if (status >= 200 && status < 300) {
      const text = body.toString('utf8');
      if (text.trim() === '') {
        if (method === 'DELETE') return { exchange: { attempts: base.attempts, status, headers, json: {} } };
        throw new PaymoBadResponseError({
          ...base,
          status,
          problem: 'the body is empty',
          applied: !isRead,
        });
      }
      try {
        return { exchange: { attempts: base.attempts, status, headers, json: JSON.parse(text) } };
      } catch (error) {
        if (method === 'DELETE') return { exchange: { attempts: base.attempts, status, headers, json: {} } };
        const bad = new PaymoBadResponseError({
          ...base,
          status,
          problem: `the body is not valid JSON (${this.#redact((error as Error).message)})`,
          applied: !isRead,
        });
        if (isRead && ctx.canRetry) return { retry: bad, backoff: true };
        throw bad;
      }
    }
    const init: PaymoErrorInit = { ...base, status, ...this.#paymoMessage(body) };
    if (status === 429) {
      const retryAfterMs = ctx.retryAfterMs;
      const error = new PaymoRateLimitError({
        ...init,
        ...(retryAfterMs !== undefined ? { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) } : {}),
      });
      // Paymo rejected the request outright, so even writes are safe to repeat; the limiter
      // already holds every request of this key until Retry-After has passed.
      if (ctx.canRetry && (retryAfterMs ?? 0) <= this.#maxRetryAfterMs)
        return { retry: error, backoff: false };
      throw error;
    }
    if (status >= 500 || status === 408) {
      if (!isRead) throw new PaymoOutcomeUnknownError({ ...init, reason: 'server' });
      const error =
        status === 408
          ? new PaymoTimeoutError({ ...init, timeoutMs: this.#timeoutMs })
          : new PaymoServerError(init);
      if (ctx.canRetry) return { retry: error, backoff: true };
      throw error;
    }
    if (status === 401 || status === 403) throw new PaymoAuthError(init);
    if (status === 404) throw new PaymoNotFoundError(init);
    if (status >= 400) throw new PaymoValidationError(init);
    throw new PaymoBadResponseError({
      ...init,
      problem: `unexpected HTTP status ${status}${status >= 300 && status < 400 ? ' (a redirect: check the base URL)' : ''}`,
      applied: false,
    });
  }

  #judgeFailure(
    method: HttpMethod,
    base: PaymoErrorInit,
    failure: Failure,
    canRetry: boolean,
  ): { readonly retry: PaymoError; readonly backoff: boolean } {
    const isRead = method === 'GET';
    const init: PaymoErrorInit = {
      ...base,
      cause: failure.cause,
      ...(failure.status !== undefined ? { status: failure.status } : {}),
    };
    if (failure.kind === 'aborted') {
      throw new PaymoAbortedError({ ...init, outcomeUnknown: !isRead && failure.sent });
    }
    if (!isRead && failure.sent) {
      const status = failure.status;
      if (status !== undefined && status >= 200 && status < 300) {
        throw new PaymoBadResponseError({
          ...init,
          problem: `the response body could not be read (${failure.cause.message})`,
          applied: true,
        });
      }
      throw new PaymoOutcomeUnknownError({
        ...init,
        reason: failure.kind === 'timeout' ? 'timeout' : 'network',
      });
    }
    const error =
      failure.kind === 'timeout'
        ? new PaymoTimeoutError({ ...init, timeoutMs: this.#timeoutMs })
        : failure.kind === 'bad-response'
          ? new PaymoBadResponseError({ ...init, problem: failure.cause.message })
          : new PaymoNetworkError(init);
    if (canRetry) return { retry: error, backoff: true };
    throw error;
  }

  /** One HTTP exchange, never throwing: the body is read whole and gunzipped here. */
  async #attempt(
    method: HttpMethod,
    fullPath: string,
    payload: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<AttemptResult> {
    const controller = new AbortController();
    const timeoutReason = new Error('timeout');
    const abortReason = new Error('aborted');
    const timer = setTimeout(() => controller.abort(timeoutReason), this.#timeoutMs);
    const onAbort = (): void => controller.abort(abortReason);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) controller.abort(abortReason);
    const headers: Record<string, string> = {
      authorization: this.#authorization,
      accept: 'application/json',
      'accept-encoding': 'gzip',
      'user-agent': 'paymo-sql',
    };
    if (payload !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    let status: number | undefined;
    let bytes = 0;
    try {
      const response = await this.#pool.request({
        path: fullPath,
        method,
        headers,
        body: payload,
        signal: controller.signal,
      });
      status = response.statusCode;
      const chunks: Buffer[] = [];
      for await (const chunk of response.body) {
        const buffer = chunk as Buffer;
        bytes += buffer.length;
        chunks.push(buffer);
      }
      let body = Buffer.concat(chunks, bytes);
      const encoding = first(response.headers['content-encoding'])?.trim().toLowerCase();
      if (encoding === 'gzip' || encoding === 'x-gzip') {
        try {
          body = await gunzipAsync(body);
        } catch (error) {
          return {
            ok: false,
            bytes,
            failure: {
              kind: 'bad-response',
              sent: true,
              status,
              cause: { message: `gzip body could not be decompressed (${this.#redact(String(error))})` },
            },
          };
        }
      } else if (encoding && encoding !== 'identity') {
        return {
          ok: false,
          bytes,
          failure: {
            kind: 'bad-response',
            sent: true,
            status,
            cause: { message: `unsupported Content-Encoding '${encoding}'` },
          },
        };
      }
      return { ok: true, status, headers: response.headers, body, bytes };
    } catch (error) {
      return { ok: false, bytes, failure: this.#classify(error, controller.signal, timeoutReason, status) };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  #classify(error: unknown, signal: AbortSignal, timeoutReason: Error, status: number | undefined): Failure {
    const withStatus = status !== undefined ? { status } : {};
    if (signal.aborted) {
      const timedOut = signal.reason === timeoutReason;
      return {
        kind: timedOut ? 'timeout' : 'aborted',
        sent: true,
        ...withStatus,
        cause: { message: timedOut ? `no complete answer within ${this.#timeoutMs} ms` : 'cancelled' },
      };
    }
    const code = errorCode(error);
    const message = this.#redact(error instanceof Error ? error.message : String(error));
    const cause: PaymoErrorCause = code ? { code, message } : { message };
    if (code && TIMEOUT_CODES.has(code)) return { kind: 'timeout', sent: true, ...withStatus, cause };
    const sent = !(code && NOT_SENT_CODES.has(code)) || status !== undefined;
    return { kind: 'network', sent, ...withStatus, cause };
  }

  #rows(
    exchange: Exchange,
    method: HttpMethod,
    path: string,
    query: string,
    resource: string,
    key: string | undefined,
  ): PaymoRow[] {
    const value = this.#envelope(exchange, method, path, query, resource, key);
    if (!Array.isArray(value) || !value.every(isObject)) {
      throw this.#badEnvelope(
        exchange,
        method,
        path,
        query,
        'the envelope does not hold an array of objects',
      );
    }
    return value as PaymoRow[];
  }

  #one(
    exchange: Exchange,
    method: HttpMethod,
    path: string,
    query: string,
    resource: string,
    key: string | undefined,
    isRead: boolean,
  ): PaymoRow {
    const value = this.#envelope(exchange, method, path, query, resource, key);
    if (isObject(value)) return value;
    if (Array.isArray(value)) {
      if (value.length > 0 && isObject(value[0])) return value[0];
      if (value.length === 0 && isRead) {
        throw new PaymoNotFoundError({
          method,
          path: target(path, query),
          attempts: exchange.attempts,
          status: exchange.status,
          paymoMessage: 'the answer holds no object',
        });
      }
    }
    throw this.#badEnvelope(exchange, method, path, query, 'the envelope does not hold an object');
  }

  /** The value under the envelope key: `key` if given, else the single top-level key. */
  #envelope(
    exchange: Exchange,
    method: HttpMethod,
    path: string,
    query: string,
    resource: string,
    key: string | undefined,
  ): unknown {
    const json = exchange.json;
    if (!isObject(json))
      throw this.#badEnvelope(exchange, method, path, query, 'the body is not a JSON object');
    if (key !== undefined) {
      if (!(key in json)) {
        throw this.#badEnvelope(exchange, method, path, query, `the envelope has no key '${key}'`);
      }
      return json[key];
    }
    const keys = Object.keys(json);
    if (keys.length === 1) return json[keys[0]];
    const last = resource.slice(resource.lastIndexOf('/') + 1);
    if (last in json) return json[last];
    const shown = keys.slice(0, 5).join(', ');
    throw this.#badEnvelope(
      exchange,
      method,
      path,
      query,
      keys.length === 0 ? 'the envelope is empty' : `the envelope has several keys (${shown})`,
    );
  }

  #badEnvelope(
    exchange: Exchange,
    method: HttpMethod,
    path: string,
    query: string,
    problem: string,
  ): PaymoBadResponseError {
    return new PaymoBadResponseError({
      method,
      path: target(path, query),
      attempts: exchange.attempts,
      status: exchange.status,
      problem,
      applied: method !== 'GET',
    });
  }

  #paymoMessage(body: Buffer): { paymoMessage?: string } {
    try {
      const json: unknown = JSON.parse(body.toString('utf8'));
      if (isObject(json) && typeof json.message === 'string' && json.message !== '') {
        return { paymoMessage: this.#redact(json.message) };
      }
    } catch {
      // Proxies answer errors with HTML; the status alone has to do.
    }
    return {};
  }

  /** Removes the key and its Basic-auth forms from text that came from elsewhere. */
  #redact(text: string): string {
    const base64 = this.#authorization.slice('Basic '.length);
    const forms = [this.#apiKey, base64, Buffer.from(this.#apiKey, 'utf8').toString('base64')];
    let out = text;
    for (const form of forms) {
      if (form.length > 0) out = out.split(form).join('[redacted]');
    }
    return out;
  }

  #emit(event: PaymoRequestEvent): void {
    if (!this.#onRequest) return;
    try {
      this.#onRequest(event);
    } catch {
      // An observer must not break the request it observes.
    }
  }
}

/**
 * Encodes a query string the way Paymo expects: `key=value` pairs joined by `&`, every reserved
 * character percent-encoded (space as `%20`, not `+`), in the given order.
 */
export function encodeQuery(params: ReadonlyArray<readonly [string, string]>): string {
  return params.map(([k, v]) => `${strictEncode(k)}=${strictEncode(v)}`).join('&');
}

function listQuery(
  options: Pick<ListOptions, 'where' | 'include' | 'query'>,
  page: number | undefined,
  pageSize: number | undefined,
): string {
  const params: Array<[string, string]> = [];
  if (options.where !== undefined && options.where !== '') params.push(['where', options.where]);
  const include = typeof options.include === 'string' ? options.include : options.include?.join(',');
  if (include !== undefined && include !== '') params.push(['include', include]);
  for (const [k, v] of Object.entries(options.query ?? {})) params.push([k, String(v)]);
  if (page !== undefined) params.push(['page', String(nonNegativeInt(page, 0, 'page'))]);
  if (pageSize !== undefined) params.push(['page_size', String(positiveInt(pageSize, 1, 'pageSize'))]);
  return encodeQuery(params);
}

function target(path: string, query: string): string {
  return query === '' ? path : `${path}?${query}`;
}

function strictEncode(text: string): string {
  // encodeURIComponent leaves !'()* alone; they are encoded too so no server mistakes them for syntax.
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; isErrorLike(e) && depth < 4; e = e.cause, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

function isErrorLike(value: unknown): value is { code?: unknown; cause?: unknown } {
  return typeof value === 'object' && value !== null;
}

function positiveInt(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`PaymoClient: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function nonNegativeInt(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`PaymoClient: ${name} must be a non-negative integer, got ${value}`);
  }
  return value;
}
