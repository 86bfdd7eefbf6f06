/**
 * SQL values as Paymo's JSON wants them in write bodies (paymo-api.md 1.8, 2.19), and the selector
 * columns (report `clients` / `users`) whose text form differs from Paymo's on both sides.
 *
 * Values arrive in the catalog's JS representation (catalog/types.ts), already coerced to the
 * column's type by the engine: dates stay `YYYY-MM-DD`, timestamps become Paymo's UTC form with
 * whole seconds (`2024-05-01T09:30:00Z`; Paymo stores no fractions, so they are cut), numbers and
 * booleans stay JSON numbers and booleans, arrays stay arrays, jsonb is sent as the JSON it holds.
 */
import type { SqlType } from '../catalog/types.js';
import { SqlError } from '../errors.js';
import type { ColumnSpec, IdSelector } from './specs/types.js';

/** A selector as Paymo sent it (preset word, or ids as numbers or strings), as its text column shows it: `all`, `12,15`. */
export function readSelector(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => String(x)).join(',');
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

/** The ids of a selector written as a comma list, `{12,15}` (an integer array cast to text) or `[12,15]`. */
function selectorIds(text: string): string[] | undefined {
  let body = text;
  if (/^\{.*\}$|^\[.*\]$/s.test(body)) body = body.slice(1, -1);
  if (body.trim() === '') return [];
  const parts = body.split(',').map((p) => p.trim().replace(/^"(.*)"$/, '$1'));
  return parts.every((p) => /^[1-9][0-9]{0,15}$/.test(p)) ? parts : undefined;
}

/**
 * The selector value Paymo takes: a preset word as it is, ids as one comma-separated string
 * (`12,15`, the form Skyvia documents; an empty list sends ''). Throws 22P02 naming the column.
 */
function encodeSelector(column: string, selector: IdSelector, value: unknown): string {
  const text = Array.isArray(value) ? `{${value.join(',')}}` : String(value).trim();
  if (selector.presets.includes(text)) return text;
  const ids = selectorIds(text);
  if (ids === undefined) {
    throw new SqlError('22P02', `invalid value for column "${column}": "${String(value)}"`, {
      hint: `Give one of ${selector.presets.join(', ')}, or ids comma-separated such as '12,15' (an integer array such as ARRAY[12,15] works too).`,
    });
  }
  return ids.join(',');
}

/** Paymo's UTC date-time form with whole seconds: `2024-05-01T09:30:00Z`. Throws 22008 outside years 1–9999. */
function paymoDateTime(column: string, ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const year = d.getUTCFullYear();
  if (!Number.isFinite(ms) || year < 1 || year > 9999)
    throw new SqlError('22008', `timestamp out of range for Paymo in column "${column}"`);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function badValue(column: string, type: SqlType, v: unknown): SqlError {
  return new SqlError(
    '22023',
    `cannot send value ${JSON.stringify(v)} to Paymo as ${type} for column "${column}"`,
  );
}

function encodeScalar(column: string, type: SqlType, v: unknown): unknown {
  switch (type) {
    case 'bigint':
    case 'integer':
      if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
      throw badValue(column, type, v);
    case 'numeric':
    case 'double precision':
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      throw badValue(column, type, v);
    case 'text':
      if (typeof v === 'string') return v;
      throw badValue(column, type, v);
    case 'boolean':
      if (typeof v === 'boolean') return v;
      throw badValue(column, type, v);
    case 'date':
      if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
      throw badValue(column, type, v);
    case 'timestamptz':
    case 'timestamp':
      if (typeof v === 'number') return paymoDateTime(column, v);
      throw badValue(column, type, v);
    case 'jsonb':
      return v;
    default:
      throw badValue(column, type, v);
  }
}

/** One column's value in Paymo's JSON form (NULL → null); throws 22xxx naming the column. */
export function encodeValue(column: ColumnSpec, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (column.selector) return encodeSelector(column.name, column.selector, value);
  const type = column.type;
  if (type.endsWith('[]')) {
    if (!Array.isArray(value)) throw badValue(column.name, type, value);
    const el = type.slice(0, -2) as SqlType;
    return value.map((x) => {
      if (x === null || x === undefined)
        throw new SqlError(
          '22004',
          `array for column "${column.name}" may not contain NULLs: Paymo keeps no NULL elements`,
        );
      return encodeScalar(column.name, el, x);
    });
  }
  return encodeScalar(column.name, type, value);
}
