import { Random } from './random.js';

/**
 * Fault injection for the simulator, deterministic from a seed: the same seed and the same request
 * sequence give the same faults, so a failing test can be replayed.
 */

/** The faults the simulator can inject. */
export type FaultKind =
  /** Answer 500/502/503 without touching data. */
  | '5xx'
  /**
   * Answer 429 with `Retry-After` (seconds, from `ms`, default 1 s) without touching data, as Paymo
   * does when other clients of the same key spent the window's budget.
   */
  | '429'
  /** Delay the response (the request is processed normally). */
  | 'latency'
  /** Destroy the connection before processing: nothing happened. */
  | 'drop'
  /** Process the request (a write is applied), then destroy the connection without answering. */
  | 'drop-after-commit'
  /** Answer 200 with a body cut in the middle of the JSON. */
  | 'malformed'
  /** Silently cut included child collections short (like Paymo's include cap, but random). */
  | 'truncate-includes';

/** Random faults: a probability per kind, and the latency range. */
export interface FaultConfig {
  readonly seed?: number;
  readonly rates?: Partial<Record<FaultKind, number>>;
  /** Latency bounds in ms for `latency` faults. */
  readonly latencyMs?: readonly [number, number];
}

/** A fault scripted from code: applied to the next `times` matching requests. */
export interface ScriptedFault {
  readonly kind: FaultKind;
  readonly times?: number;
  readonly method?: string;
  /** Path prefix such as `/api/entries`. */
  readonly path?: string;
  /** Status for `5xx` (default 500). */
  readonly status?: number;
  /** Let this many matching requests through untouched first (e.g. fail the 20th POST of an import). */
  readonly skip?: number;
  /** Delay for `latency` (default 1000 ms). */
  readonly ms?: number;
}

/** The fault chosen for one request. */
export interface FaultDecision {
  readonly kind: FaultKind;
  readonly status?: number;
  readonly ms?: number;
}

const KINDS: readonly FaultKind[] = [
  '5xx',
  '429',
  'latency',
  'drop',
  'drop-after-commit',
  'malformed',
  'truncate-includes',
];

/** Decides, per request, which fault (if any) to inject. */
export class FaultInjector {
  private rng: Random;
  private scripted: { fault: ScriptedFault; left: number; skip: number }[] = [];
  private config: FaultConfig;

  constructor(config: FaultConfig = {}) {
    this.config = config;
    this.rng = new Random(config.seed ?? 1);
  }

  /** Replaces the random fault configuration (and reseeds). */
  configure(config: FaultConfig): void {
    this.config = config;
    this.rng = new Random(config.seed ?? 1);
  }

  /** Queues a fault for the next matching request(s). */
  inject(fault: ScriptedFault): void {
    this.scripted.push({ fault, left: fault.times ?? 1, skip: fault.skip ?? 0 });
  }

  /** Drops scripted faults and random rates. */
  clear(): void {
    this.scripted = [];
    this.config = {};
  }

  /** The fault for this request, or null. */
  decide(method: string, path: string): FaultDecision | null {
    for (const s of this.scripted) {
      const f = s.fault;
      if (f.method && f.method.toUpperCase() !== method) continue;
      if (f.path && !path.startsWith(f.path)) continue;
      if (s.skip > 0) {
        s.skip--;
        continue;
      }
      s.left--;
      if (s.left <= 0) this.scripted.splice(this.scripted.indexOf(s), 1);
      return { kind: f.kind, status: f.status ?? 500, ms: f.ms ?? 1000 };
    }
    const rates = this.config.rates;
    if (!rates) return null;
    // One draw per kind in a fixed order keeps the sequence reproducible for a seed.
    for (const kind of KINDS) {
      const p = rates[kind];
      if (!p) continue;
      if (this.rng.next() < p) {
        if (kind === '5xx') return { kind, status: [500, 502, 503][Math.floor(this.rng.next() * 3)] };
        if (kind === 'latency') {
          const [lo, hi] = this.config.latencyMs ?? [50, 500];
          return { kind, ms: Math.round(lo + this.rng.next() * (hi - lo)) };
        }
        return { kind };
      }
    }
    return null;
  }
}

/**
 * Parses the CLI form, e.g. `5xx=0.05,latency=0.1@20-200,drop=0.02,malformed=0.01,seed=7`.
 * Kinds: 5xx, 429, latency, drop, drop-after-commit, malformed, truncate-includes; `seed=N`.
 */
export function parseFaultSpec(spec: string): FaultConfig {
  const rates: Partial<Record<FaultKind, number>> = {};
  let seed: number | undefined;
  let latencyMs: [number, number] | undefined;
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([a-z0-9-]+)=([0-9.]+)(?:@(\d+)-(\d+))?$/.exec(part);
    if (!m) throw new Error(`invalid fault '${part}': expected kind=probability (e.g. 5xx=0.05)`);
    const [, name, value, lo, hi] = m;
    if (name === 'seed') {
      seed = Number(value);
      continue;
    }
    if (!KINDS.includes(name as FaultKind)) {
      throw new Error(`unknown fault kind '${name}': expected one of ${KINDS.join(', ')}`);
    }
    const p = Number(value);
    if (!(p >= 0 && p <= 1)) throw new Error(`fault probability for ${name} must be between 0 and 1`);
    rates[name as FaultKind] = p;
    if (lo !== undefined) latencyMs = [Number(lo), Number(hi)];
  }
  return { rates, ...(seed !== undefined ? { seed } : {}), ...(latencyMs ? { latencyMs } : {}) };
}
