/** What went wrong with a Paymo request, one value per {@link PaymoError} subclass. */
export type PaymoErrorKind =
  | 'auth'
  | 'not-found'
  | 'validation'
  | 'rate-limited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'outcome-unknown'
  | 'bad-response'
  | 'aborted';

/** A sanitised summary of the low-level error behind a failure (never the raw error object). */
export interface PaymoErrorCause {
  /** e.g. `ECONNRESET`, `UND_ERR_SOCKET`. */
  readonly code?: string;
  readonly message: string;
}

/** The facts every Paymo error carries. `path` is the request path and query, never credentials. */
export interface PaymoErrorInit {
  readonly method: string;
  readonly path: string;
  readonly attempts: number;
  readonly status?: number;
  /** The `message` field of Paymo's JSON error body, if it sent one. */
  readonly paymoMessage?: string;
  readonly cause?: PaymoErrorCause;
}

/**
 * Base class of every error the Paymo client raises.
 * Contract: `message` says what Paymo answered (or what failed) and what to do; no property and no
 * part of the message ever contains the API key. `retryable` tells whether repeating the same call
 * later may succeed; `sqlState` is the SQLSTATE the engine should report it under.
 */
export class PaymoError extends Error {
  readonly kind: PaymoErrorKind;
  readonly method: string;
  readonly path: string;
  readonly attempts: number;
  readonly status?: number;
  readonly paymoMessage?: string;
  readonly retryable: boolean;
  readonly sqlState: string;
  /** The sanitised low-level failure, when there was one. */
  declare readonly cause?: PaymoErrorCause;

  constructor(
    kind: PaymoErrorKind,
    message: string,
    init: PaymoErrorInit,
    extra: { readonly retryable: boolean; readonly sqlState: string },
  ) {
    super(message, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = new.target.name;
    this.kind = kind;
    this.method = init.method;
    this.path = init.path;
    this.attempts = init.attempts;
    if (init.status !== undefined) this.status = init.status;
    if (init.paymoMessage !== undefined) this.paymoMessage = init.paymoMessage;
    this.retryable = extra.retryable;
    this.sqlState = extra.sqlState;
  }
}

/** Paymo refused the credentials (401) or the key's user lacks the right (403). */
export class PaymoAuthError extends PaymoError {
  constructor(init: PaymoErrorInit) {
    const what =
      init.status === 403
        ? "the API key's user may lack the rights for this, or an account limit was reached"
        : 'check that the API key is valid and not revoked (Paymo: My Account → API Keys)';
    super('auth', `${rejected(init)}; ${what}`, init, {
      retryable: false,
      sqlState: init.status === 403 ? '42501' : '28000',
    });
  }
}

/** The object or resource does not exist in Paymo (404), or a read-one answer held no object. */
export class PaymoNotFoundError extends PaymoError {
  constructor(init: PaymoErrorInit) {
    super('not-found', `${rejected(init)}; the object does not exist or was deleted`, init, {
      retryable: false,
      sqlState: '02000',
    });
  }
}

/** Paymo rejected the request's content (400, 409 and other 4xx): Paymo's message says why. */
export class PaymoValidationError extends PaymoError {
  constructor(init: PaymoErrorInit) {
    super('validation', rejected(init), init, { retryable: false, sqlState: '22023' });
  }
}

/**
 * Paymo kept answering 429 until the retries ran out, or (attempts 0) an earlier 429 asked for a longer
 * pause than this client waits; `retryAfterSeconds` is the wait Paymo asked for.
 */
export class PaymoRateLimitError extends PaymoError {
  readonly retryAfterSeconds?: number;

  constructor(init: PaymoErrorInit & { readonly retryAfterSeconds?: number }) {
    const after =
      init.retryAfterSeconds !== undefined ? `retry after ${init.retryAfterSeconds} s` : 'retry later';
    // attempts 0: not sent at all, because an earlier 429's pause still holds the key.
    const what =
      init.attempts === 0
        ? `${init.method} ${init.path} was not sent: an earlier 429 Too Many Requests still holds this API key`
        : `${init.method} ${init.path} was answered 429 Too Many Requests ${init.attempts} time(s)`;
    super(
      'rate-limited',
      `Paymo rate limit: ${what}; ${after}, or run fewer queries at once with this API key`,
      init,
      { retryable: true, sqlState: '53400' },
    );
    if (init.retryAfterSeconds !== undefined) this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/** Paymo failed (5xx) on a read, after every retry. */
export class PaymoServerError extends PaymoError {
  constructor(init: PaymoErrorInit) {
    super(
      'server',
      `Paymo failed on ${init.method} ${init.path} (${init.status})${said(init)} after ${init.attempts} ` +
        'attempt(s); Paymo may be having trouble, try again later',
      init,
      { retryable: true, sqlState: '08006' },
    );
  }
}

/** The connection to Paymo failed (refused, reset, dropped mid-response, DNS) on a read or before a write was sent. */
export class PaymoNetworkError extends PaymoError {
  constructor(init: PaymoErrorInit) {
    super(
      'network',
      `Could not complete ${init.method} ${init.path}: ${causeText(init)} after ${init.attempts} ` +
        'attempt(s); check the network connection and the Paymo base URL',
      init,
      { retryable: true, sqlState: '08001' },
    );
  }
}

/** Paymo did not answer a read within the timeout, after every retry. */
export class PaymoTimeoutError extends PaymoError {
  readonly timeoutMs: number;

  constructor(init: PaymoErrorInit & { readonly timeoutMs: number }) {
    super(
      'timeout',
      `Paymo did not answer ${init.method} ${init.path} within ${init.timeoutMs} ms ` +
        `(${init.attempts} attempt(s)); try again later or raise the timeout`,
      init,
      { retryable: true, sqlState: '08006' },
    );
    this.timeoutMs = init.timeoutMs;
  }
}

/**
 * A write may have reached Paymo but its answer was lost (5xx, timeout or connection error after
 * sending). It is never retried automatically: the change may or may not have been applied.
 */
export class PaymoOutcomeUnknownError extends PaymoError {
  /** What interrupted the write. */
  readonly reason: 'server' | 'timeout' | 'network';

  constructor(init: PaymoErrorInit & { readonly reason: 'server' | 'timeout' | 'network' }) {
    const why =
      init.reason === 'server'
        ? `Paymo answered ${init.status}${said(init)}`
        : init.reason === 'timeout'
          ? 'Paymo did not answer in time'
          : `the connection failed (${causeText(init)})`;
    const advice =
      init.method === 'POST'
        ? 'the create may or may not have been applied: check in Paymo whether the object exists ' +
          'before retrying, or a duplicate may be created'
        : init.method === 'DELETE'
          ? 'the delete may or may not have been applied: check in Paymo whether the object still exists'
          : 'the update may or may not have been applied: check the object in Paymo before retrying';
    super('outcome-unknown', `${init.method} ${init.path} outcome unknown: ${why}; ${advice}`, init, {
      retryable: false,
      sqlState: '40003',
    });
    this.reason = init.reason;
  }
}

/**
 * Paymo's answer could not be used: malformed JSON, an unexpected envelope or status. When
 * `applied` is true the request was a write Paymo accepted (2xx): the change happened even though
 * its answer is unreadable.
 */
export class PaymoBadResponseError extends PaymoError {
  readonly applied: boolean;

  constructor(init: PaymoErrorInit & { readonly problem: string; readonly applied?: boolean }) {
    const applied = init.applied ?? false;
    const status = init.status !== undefined ? ` (${init.status})` : '';
    const tail = applied
      ? 'Paymo accepted the change, so it was applied; re-read the object to see its new state'
      : 'this looks like a Paymo or proxy fault; try again later';
    super(
      'bad-response',
      `Unusable answer from Paymo to ${init.method} ${init.path}${status} after ${init.attempts} ` +
        `attempt(s): ${init.problem}; ${tail}`,
      init,
      { retryable: !applied, sqlState: '08P01' },
    );
    this.applied = applied;
  }
}

/**
 * The caller's AbortSignal cancelled the request. `outcomeUnknown` is true when a write was
 * already in flight, so the change may or may not have been applied.
 */
export class PaymoAbortedError extends PaymoError {
  readonly outcomeUnknown: boolean;

  constructor(init: PaymoErrorInit & { readonly outcomeUnknown: boolean }) {
    super(
      'aborted',
      `${init.method} ${init.path} was cancelled` +
        (init.outcomeUnknown
          ? ' while in flight: the change may or may not have been applied; check it in Paymo'
          : ''),
      init,
      { retryable: false, sqlState: '57014' },
    );
    this.outcomeUnknown = init.outcomeUnknown;
  }
}

function rejected(init: PaymoErrorInit): string {
  const message = init.paymoMessage ? `: ${init.paymoMessage}` : '';
  return `Paymo rejected ${init.method} ${init.path} (${init.status})${message}`;
}

function said(init: PaymoErrorInit): string {
  return init.paymoMessage ? `: ${init.paymoMessage}` : '';
}

function causeText(init: PaymoErrorInit): string {
  if (!init.cause) return 'unknown network error';
  return init.cause.code && !init.cause.message.includes(init.cause.code)
    ? `${init.cause.code}: ${init.cause.message}`
    : init.cause.message;
}
