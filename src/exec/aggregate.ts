import type { Interval, Row, SqlType } from '../catalog/types.js';
import { decimalFix, scaleInterval } from '../catalog/values.js';
import { numericOutOfRange, SqlError } from '../errors.js';
import type { AggCall } from '../plan/expr.js';
import { comparatorFor, keyFor } from './compare.js';
import { type Compiled, type CompileScope, compile } from './compile.js';
import { sortComparator } from './sort.js';

/** Running state of one aggregate for one group. */
export interface Accumulator {
  add(row: Row): void;
  result(): unknown;
}

/** Creates fresh accumulators for one aggregate call (one per group / window frame). */
export type AccumulatorFactory = () => Accumulator;

const addIv = (a: Interval, b: Interval): Interval => ({
  months: a.months + b.months,
  days: a.days + b.days,
  ms: a.ms + b.ms,
});

/** Builds the fold for an aggregate over plain (already filtered, deduplicated, ordered) values. */
function fold(call: AggCall): () => { step(v: unknown, extra: unknown): void; result(): unknown } {
  const t: SqlType = call.args[0]?.type ?? 'unknown';
  switch (call.fn) {
    case 'count':
      return () => {
        let c = 0;
        return {
          step(v) {
            if (call.star || v !== null) c++;
          },
          result: () => c,
        };
      };
    case 'sum':
      if (t === 'interval') {
        return () => {
          let s: Interval | null = null;
          return {
            step(v) {
              if (v !== null) s = s === null ? (v as Interval) : addIv(s, v as Interval);
            },
            result: () => s,
          };
        };
      }
      return () => {
        let s: number | null = null;
        return {
          step(v) {
            if (v !== null) s = (s ?? 0) + (v as number);
          },
          result: () => {
            if (s !== null && call.type === 'bigint' && !Number.isSafeInteger(s))
              throw numericOutOfRange('bigint');
            return s !== null && call.type === 'numeric' ? decimalFix(s) : s;
          },
        };
      };
    case 'avg':
      if (t === 'interval') {
        return () => {
          let s: Interval = { months: 0, days: 0, ms: 0 };
          let c = 0;
          return {
            step(v) {
              if (v !== null) {
                s = addIv(s, v as Interval);
                c++;
              }
            },
            result: () => (c === 0 ? null : scaleInterval(s, 1, c)),
          };
        };
      }
      return () => {
        let s = 0;
        let c = 0;
        return {
          step(v) {
            if (v !== null) {
              s += v as number;
              c++;
            }
          },
          result: () => (c === 0 ? null : (call.type === 'numeric' ? decimalFix(s) : s) / c),
        };
      };
    case 'min':
    case 'max': {
      const cmp = comparatorFor(t);
      const sign = call.fn === 'min' ? -1 : 1;
      return () => {
        let best: unknown = null;
        return {
          step(v) {
            if (v !== null && (best === null || sign * cmp(v, best) > 0)) best = v;
          },
          result: () => best,
        };
      };
    }
    case 'stddev':
    case 'stddev_samp':
    case 'stddev_pop':
    case 'variance':
    case 'var_samp':
    case 'var_pop': {
      const pop = call.fn.endsWith('_pop');
      const root = call.fn.startsWith('stddev');
      return () => {
        // Welford's running mean and sum of squared deviations.
        let n = 0;
        let mean = 0;
        let m2 = 0;
        return {
          step(v) {
            if (v === null) return;
            const x = v as number;
            n++;
            const d = x - mean;
            mean += d / n;
            m2 += d * (x - mean);
          },
          result: () => {
            if (n === 0 || (!pop && n === 1)) return n === 1 && pop ? 0 : null;
            const variance = m2 / (pop ? n : n - 1);
            return root ? Math.sqrt(variance) : variance;
          },
        };
      };
    }
    case 'percentile_cont':
    case 'percentile_disc':
    case 'mode':
      return () => {
        // Values arrive in WITHIN GROUP order (the buffered path sorts them first).
        const vals: unknown[] = [];
        let frac: number | null = null;
        return {
          step(v, extra) {
            if (frac === null && typeof extra === 'number') frac = extra;
            if (v !== null) vals.push(v);
          },
          result: () => {
            if (vals.length === 0) return null;
            if (call.fn === 'mode') {
              let best: unknown = null;
              let bestN = 0;
              let run = 0;
              for (let i = 0; i < vals.length; i++) {
                run = i > 0 && vals[i] === vals[i - 1] ? run + 1 : 1;
                if (run > bestN) {
                  bestN = run;
                  best = vals[i];
                }
              }
              return best;
            }
            const f = frac ?? 0;
            if (f < 0 || f > 1) throw new SqlError('22003', `percentile value ${f} is not between 0 and 1`);
            if (call.fn === 'percentile_disc') return vals[Math.max(0, Math.ceil(f * vals.length) - 1)];
            const pos = f * (vals.length - 1);
            const lo = Math.floor(pos);
            const hi = Math.ceil(pos);
            const a = vals[lo] as number;
            const b = vals[hi] as number;
            return a + (b - a) * (pos - lo);
          },
        };
      };
    case 'string_agg':
      return () => {
        let s: string | null = null;
        return {
          step(v, sep) {
            if (v === null) return;
            s = s === null ? (v as string) : s + ((sep as string | null) ?? '') + (v as string);
          },
          result: () => s,
        };
      };
    case 'array_agg':
      return () => {
        let a: unknown[] | null = null;
        return {
          step(v) {
            (a ??= []).push(v);
          },
          result: () => (a === null ? null : [...a]),
        };
      };
    case 'bool_and':
    case 'bool_or': {
      const isAnd = call.fn === 'bool_and';
      return () => {
        let r: boolean | null = null;
        return {
          step(v) {
            if (v === null) return;
            r = r === null ? (v as boolean) : isAnd ? r && (v as boolean) : r || (v as boolean);
          },
          result: () => r,
        };
      };
    }
    default:
      throw new Error(`unknown aggregate ${call.fn}`);
  }
}

/**
 * Compiles an aggregate call into an accumulator factory. FILTER, DISTINCT and ORDER BY inside the
 * call are honoured: rows failing FILTER are skipped; with DISTINCT or ORDER BY the values are
 * buffered, deduplicated / sorted, then folded when the result is asked for.
 */
export function compileAggregate(call: AggCall, scope: CompileScope): AccumulatorFactory {
  const arg: Compiled = call.args.length > 0 ? compile(call.args[0]!, scope) : () => null;
  const extra: Compiled = call.args.length > 1 ? compile(call.args[1]!, scope) : () => null;
  const filter = call.filter ? compile(call.filter, scope) : undefined;
  const mk = fold(call);
  if (!call.distinct && call.orderBy.length === 0) {
    return () => {
      const f = mk();
      return {
        add(row) {
          if (filter && filter(row) !== true) return;
          f.step(arg(row), extra(row));
        },
        result: () => f.result(),
      };
    };
  }
  const keys = call.orderBy.map((k) => compile(k.expr, scope));
  const cmp = sortComparator(call.orderBy.map((k) => ({ ...k, type: k.expr.type })));
  const key = keyFor(call.args[0]?.type ?? 'unknown');
  return () => {
    const buf: { v: unknown; x: unknown; k: unknown[] }[] = [];
    return {
      add(row) {
        if (filter && filter(row) !== true) return;
        buf.push({ v: arg(row), x: extra(row), k: keys.map((f) => f(row)) });
      },
      result() {
        let items = buf;
        if (call.orderBy.length > 0) items = [...buf].sort((a, b) => cmp(a.k, b.k));
        if (call.distinct) {
          const seen = new Set<unknown>();
          items = items.filter((it) => {
            const k = key(it.v);
            if (seen.has(k)) return false;
            seen.add(k);
            return true;
          });
        }
        const f = mk();
        for (const it of items) f.step(it.v, it.x);
        return f.result();
      },
    };
  };
}
