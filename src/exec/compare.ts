import type { Interval, SqlType } from '../catalog/types.js';
import { isArrayType } from '../catalog/types.js';
import { compareText, DAY_MS, formatJson } from '../catalog/values.js';

/** Orders two non-NULL values of one type: negative, zero or positive. */
export type Comparator = (a: unknown, b: unknown) => number;

const cmpPrimitive = (a: unknown, b: unknown): number => {
  // Text orders by code point (PostgreSQL's COLLATE "C"); numbers, ISO dates and booleans naturally.
  if (typeof a === 'string' && typeof b === 'string') return compareText(a, b);
  const x = a as number;
  const y = b as number;
  return x < y ? -1 : x > y ? 1 : 0;
};

const cmpNumber = (a: unknown, b: unknown): number => {
  const x = a as number;
  const y = b as number;
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) return 0;
  // PostgreSQL sorts NaN above every other number and equal to itself.
  return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
};

/** PostgreSQL compares intervals by their total length with 30-day months and 24-hour days. */
export function intervalSpan(iv: Interval): number {
  return (iv.months * 30 + iv.days) * DAY_MS + iv.ms;
}

/** The comparator for a type (values are never NULL here; callers handle NULL ordering). */
export function comparatorFor(type: SqlType): Comparator {
  switch (type) {
    case 'integer':
    case 'bigint':
    case 'numeric':
    case 'double precision':
    case 'timestamptz':
    case 'timestamp':
      return cmpNumber;
    case 'text':
      return compareText as Comparator;
    case 'boolean':
      return (a, b) => (a === b ? 0 : a ? 1 : -1);
    case 'interval':
      return (a, b) => intervalSpan(a as Interval) - intervalSpan(b as Interval);
    case 'jsonb':
      return (a, b) => cmpPrimitive(formatJson(a), formatJson(b));
    default:
      if (isArrayType(type)) {
        const el = comparatorFor(type.slice(0, -2) as SqlType);
        return (a, b) => {
          const x = a as unknown[];
          const y = b as unknown[];
          for (let i = 0; i < Math.min(x.length, y.length); i++) {
            const p = x[i];
            const q = y[i];
            if (p === null || q === null) {
              if (p !== q) return p === null ? 1 : -1;
              continue;
            }
            const c = el(p, q);
            if (c !== 0) return c;
          }
          return x.length - y.length;
        };
      }
      return cmpPrimitive;
  }
}

/** Equality for two non-NULL values of one type. */
export function equalsFor(type: SqlType): (a: unknown, b: unknown) => boolean {
  switch (type) {
    case 'integer':
    case 'bigint':
    case 'numeric':
    case 'double precision':
    case 'timestamptz':
    case 'timestamp':
      return (a, b) => a === b || (Number.isNaN(a as number) && Number.isNaN(b as number));
    case 'text':
    case 'date':
    case 'boolean':
    case 'unknown':
      return (a, b) => a === b;
    default: {
      const c = comparatorFor(type);
      return (a, b) => c(a, b) === 0;
    }
  }
}

/** A hashable key for one value (NULL included) such that equal values give equal keys. */
export function keyFor(type: SqlType): (v: unknown) => unknown {
  switch (type) {
    case 'integer':
    case 'bigint':
    case 'numeric':
    case 'double precision':
    case 'timestamptz':
    case 'timestamp':
    case 'text':
    case 'date':
    case 'boolean':
    case 'unknown':
      return (v) => v;
    case 'interval':
      return (v) => (v === null ? null : `i${intervalSpan(v as Interval)}`);
    default:
      return (v) => (v === null ? null : formatJson(v));
  }
}

/** A key for a tuple of values: a primitive for one column, a string for several. */
export function tupleKeyFor(types: readonly SqlType[]): (vals: readonly unknown[]) => unknown {
  const keys = types.map(keyFor);
  if (keys.length === 1) {
    const k = keys[0]!;
    return (vals) => k(vals[0]);
  }
  return (vals) => {
    let s = '';
    for (let i = 0; i < keys.length; i++) {
      const v = keys[i]!(vals[i]);
      s +=
        v === null
          ? '\u0000N'
          : typeof v === 'string'
            ? `\u0000s${v.length}:${v}`
            : `\u0000${typeof v}${String(v)}`;
    }
    return s;
  };
}
