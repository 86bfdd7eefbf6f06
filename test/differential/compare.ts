import type { TextResult } from './harness.js';

/**
 * How a paymo-sql answer is compared with PostgreSQL's (both as PostgreSQL text output):
 *
 * - Same number of columns, same column names, same type names (PostgreSQL's result types).
 * - Rows: when the query is marked `ordered` (a top-level ORDER BY that fully determines the order)
 *   row i must match row i; otherwise both sides are sorted first (multiset comparison).
 * - Cells compare as exact text, with one exception: in `numeric` and `double precision` columns
 *   (and arrays of them) two numbers are equal when they differ by at most 1e-12 relative to the
 *   larger (absolute 1e-12 near zero). The engine keeps `numeric` as an IEEE double without a
 *   display scale (src/catalog/types.ts), so a sum of money may drift in the 13th digit and `1.50`
 *   reads `1.5`; that design difference is recorded once in KNOWN_DIFFERENCES (compared strictly)
 *   instead of failing every money query. Everything else (integers, text, dates, timestamps,
 *   intervals, booleans, jsonb, other arrays) must match byte for byte.
 */
export const NUMERIC_TOLERANCE = 1e-12;

const FLOATISH = new Set(['numeric', 'double precision']);

function isFloatish(type: string): boolean {
  return FLOATISH.has(type) || FLOATISH.has(type.replace(/\[\]$/, ''));
}

function numbersEqual(a: string, b: string): boolean {
  if (a === b) return true;
  const x = Number(a);
  const y = Number(b);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
  return Math.abs(x - y) <= NUMERIC_TOLERANCE * Math.max(1, Math.abs(x), Math.abs(y));
}

/** Elements of a one-dimensional array literal of numbers (`{1.5,NULL,2}`), or null if not one. */
function numberElements(s: string): string[] | null {
  if (!s.startsWith('{') || !s.endsWith('}') || s.includes('"')) return null;
  const body = s.slice(1, -1);
  return body === '' ? [] : body.split(',');
}

function cellsEqual(a: string | null, b: string | null, type: string): boolean {
  if (a === null || b === null) return a === b;
  if (a === b) return true;
  if (!isFloatish(type)) return false;
  if (type.endsWith('[]')) {
    const xs = numberElements(a);
    const ys = numberElements(b);
    if (!xs || !ys || xs.length !== ys.length) return false;
    return xs.every((x, i) => (x === 'NULL' || ys[i] === 'NULL' ? x === ys[i] : numbersEqual(x, ys[i])));
  }
  return numbersEqual(a, b);
}

/** A sort key for a cell: numbers in float columns are rounded so both sides sort alike. */
function sortKey(cell: string | null, type: string): string {
  if (cell === null) return '\u0000N';
  if (isFloatish(type) && !type.endsWith('[]')) {
    const n = Number(cell);
    if (Number.isFinite(n)) return `\u0001${n.toPrecision(10)}`;
  }
  return `\u0002${cell}`;
}

function sortRows(rows: readonly (readonly (string | null)[])[], types: readonly string[]) {
  const keyed = rows.map((r) => ({ r, k: r.map((c, i) => sortKey(c, types[i] ?? 'text')).join('\u0003') }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return keyed.map((x) => x.r);
}

/** Why two results differ, or null when they are the same answer under the rules above. */
export function compareResults(expected: TextResult, actual: TextResult, ordered: boolean): string | null {
  if (expected.names.length !== actual.names.length)
    return `column count: expected ${expected.names.length} (${expected.names}), got ${actual.names.length} (${actual.names})`;
  if (expected.names.join('\u0000') !== actual.names.join('\u0000'))
    return `column names: expected ${JSON.stringify(expected.names)}, got ${JSON.stringify(actual.names)}`;
  if (expected.types.join('\u0000') !== actual.types.join('\u0000'))
    return `column types: expected ${JSON.stringify(expected.types)}, got ${JSON.stringify(actual.types)}`;
  if (expected.rows.length !== actual.rows.length)
    return `row count: expected ${expected.rows.length}, got ${actual.rows.length}${firstExtra(expected, actual)}`;
  const types = expected.types;
  const e = ordered ? expected.rows : sortRows(expected.rows, types);
  const a = ordered ? actual.rows : sortRows(actual.rows, types);
  for (let i = 0; i < e.length; i++) {
    for (let j = 0; j < types.length; j++) {
      if (!cellsEqual(e[i][j], a[i][j], types[j])) {
        return `row ${i} column ${expected.names[j]}: expected ${JSON.stringify(e[i][j])}, got ${JSON.stringify(a[i][j])}\n  expected row: ${JSON.stringify(e[i])}\n  actual row:   ${JSON.stringify(a[i])}`;
      }
    }
  }
  return null;
}

/** A hint at which rows one side has that the other lacks (first of each). */
function firstExtra(expected: TextResult, actual: TextResult): string {
  const key = (r: readonly (string | null)[]) => JSON.stringify(r);
  const ek = new Set(expected.rows.map(key));
  const ak = new Set(actual.rows.map(key));
  const missing = expected.rows.find((r) => !ak.has(key(r)));
  const extra = actual.rows.find((r) => !ek.has(key(r)));
  return `${missing ? `\n  missing e.g. ${key(missing)}` : ''}${extra ? `\n  extra e.g. ${key(extra)}` : ''}`;
}

/** Strict comparison (exact text, exact order): used for the recorded known differences. */
export function sameText(a: TextResult, b: TextResult): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
