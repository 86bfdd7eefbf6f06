/** Settings of the simulator's fixed-window rate limit (paymo-api.md 1.6). */
export interface RateLimitConfig {
  /** Requests allowed per window. */
  readonly limit: number;
  /** Window length in seconds (`X-Ratelimit-Decay-Period`). */
  readonly periodSeconds: number;
}

/** The outcome of one rate-limit check, with the headers every response carries. */
export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly headers: Record<string, string>;
}

/**
 * Per-key fixed windows: a window opens with a key's first request and lasts `periodSeconds`;
 * a request over the limit is answered 429 with `Retry-After` and does not consume quota.
 */
export class FixedWindowRateLimiter {
  private readonly windows = new Map<string, { start: number; used: number }>();

  constructor(
    private readonly config: RateLimitConfig | null,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request of `key` (null config = limiting off, headers still sent). */
  check(key: string): RateLimitDecision {
    const cfg = this.config;
    if (!cfg) {
      return { allowed: true, headers: headersFor(1_000_000, 1_000_000, 1) };
    }
    const t = this.now();
    const periodMs = cfg.periodSeconds * 1000;
    let w = this.windows.get(key);
    if (!w || t - w.start >= periodMs) {
      w = { start: t, used: 0 };
      this.windows.set(key, w);
    }
    if (w.used >= cfg.limit) {
      const retryAfter = Math.max(1, Math.ceil((w.start + periodMs - t) / 1000));
      return {
        allowed: false,
        headers: { ...headersFor(cfg.limit, 0, cfg.periodSeconds), 'Retry-After': String(retryAfter) },
      };
    }
    w.used++;
    return { allowed: true, headers: headersFor(cfg.limit, cfg.limit - w.used, cfg.periodSeconds) };
  }

  /** Forgets every window (tests start from a fresh budget). */
  reset(): void {
    this.windows.clear();
  }
}

function headersFor(limit: number, remaining: number, period: number): Record<string, string> {
  return {
    'X-Ratelimit-Limit': String(limit),
    'X-Ratelimit-Remaining': String(remaining),
    'X-Ratelimit-Decay-Period': String(period),
  };
}

/** Parses the CLI form `N/S` (N requests per S seconds) or `off`. */
export function parseRateLimit(spec: string): RateLimitConfig | null {
  if (spec === 'off') return null;
  const m = /^(\d+)\/(\d+(?:\.\d+)?)s?$/.exec(spec.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) <= 0) {
    throw new Error(`invalid rate limit '${spec}': expected N/S (requests per seconds, e.g. 5/5) or off`);
  }
  return { limit: Number(m[1]), periodSeconds: Number(m[2]) };
}
