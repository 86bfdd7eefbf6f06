import { ApiError } from './api-error.js';
import { isoDate, isoSeconds, parseDate, parseDateTime } from './time.js';
import type { FieldDef, ResourceDef } from './types.js';

/** Currency codes Paymo accepts (paymo-api.md 2.32). */
export const CURRENCIES: ReadonlySet<string> = new Set(
  (
    'AED AMD ANG AOA ARS AUD AWG BAM BDT BGN BRL BWP CAD CFP CHF CLF CLP CNY COP CRC CZK DKK DOP DZD EEK ' +
    'EGP EUR GBP GTQ HKD HRK HUF IDR ILS INR IRR ISK JMD JOD JPY KES KRW KWD KYD KZT LKR LTL LVL MAD MDL ' +
    'MUR MXN MYR NAD NGN NIO NOK NZD OMR PEN PHP PKR PLN PYG QAR RMB RON RSD RUB SAR SEK SGD SKK TBH TND ' +
    'TRY TTD TWD U$S UAH US$ USD UYU VEF VND ZAR'
  ).split(' '),
);

/** Fields whose values must be currency codes. */
const CURRENCY_FIELDS = new Set(['currency', 'default_currency']);

function invalid(field: string, value: unknown, expected: string): never {
  throw new ApiError(
    400,
    `Invalid value ${JSON.stringify(value)} for field '${field}': expected ${expected}`,
  );
}

/**
 * Coerces one body value to the stored form of its field, or throws 400. Numbers may arrive as
 * strings and booleans as `"1"`/`"true"` (form-encoded bodies); date-times are stored as UTC `Z`.
 */
export function coerceValue(def: FieldDef, value: unknown): unknown {
  const f = def.name;
  if (value === null || (value === '' && def.type !== 'string' && def.type !== 'html')) {
    if (!def.nullable) throw new ApiError(400, `Field '${f}' cannot be empty`);
    return null;
  }
  switch (def.type) {
    case 'int': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) invalid(f, value, 'an integer');
      return n;
    }
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) invalid(f, value, 'a number');
      return n;
    }
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === '1' || value === 'true') return true;
      if (value === 0 || value === '0' || value === 'false') return false;
      return invalid(f, value, 'true or false');
    case 'string':
    case 'html': {
      if (typeof value === 'number' || typeof value === 'boolean') value = String(value);
      if (typeof value !== 'string') invalid(f, value, 'a string');
      if (def.enum && !def.enum.includes(value)) invalid(f, value, `one of ${def.enum.join(', ')}`);
      if (CURRENCY_FIELDS.has(f) && !CURRENCIES.has(value)) invalid(f, value, 'a currency code');
      return value;
    }
    case 'date': {
      if (typeof value === 'number') return isoDate(value * 1000);
      if (typeof value !== 'string' || Number.isNaN(parseDate(value))) invalid(f, value, 'a date YYYY-MM-DD');
      return value;
    }
    case 'datetime': {
      const ms = parseDateTime(value);
      if (Number.isNaN(ms)) invalid(f, value, 'an ISO 8601 date-time or Unix seconds');
      return isoSeconds(ms);
    }
    case 'int[]': {
      const arr = typeof value === 'string' ? value.split(',').filter((s) => s.trim() !== '') : value;
      if (!Array.isArray(arr)) invalid(f, value, 'an array of ids');
      return arr.map((x) => {
        const n = typeof x === 'string' ? Number(x) : x;
        if (typeof n !== 'number' || !Number.isInteger(n)) invalid(f, value, 'an array of ids');
        return n;
      });
    }
    case 'string[]':
      if (!Array.isArray(value) || value.some((x) => typeof x !== 'string'))
        invalid(f, value, 'an array of strings');
      return value;
    case 'object':
      if (typeof value !== 'object' || Array.isArray(value)) invalid(f, value, 'an object');
      return value;
    case 'any':
      return value;
  }
}

/** The validated, coerced stored fields of a create or update body, plus the virtual parameters. */
export interface ParsedBody {
  /** Stored fields to write (RW, C on create, W). */
  readonly fields: Record<string, unknown>;
  /** Virtual request parameters (access V), uncoerced. */
  readonly virtual: Record<string, unknown>;
}

/**
 * Splits a request body by the resource's field table: unknown and read-only fields are ignored
 * silently (paymo-api.md 1.4), `C` fields are accepted on create only, values are coerced.
 */
export function parseBody(
  def: ResourceDef,
  body: Record<string, unknown>,
  mode: 'create' | 'update',
): ParsedBody {
  const fields: Record<string, unknown> = {};
  const virtual: Record<string, unknown> = {};
  const byName = fieldMap(def);
  for (const [k, v] of Object.entries(body)) {
    const fd = byName.get(k);
    if (!fd || fd.access === 'RO') continue;
    if (fd.access === 'V') {
      virtual[fd.name] = v;
      continue;
    }
    if (fd.access === 'C' && mode === 'update') continue;
    // The documented spelling wins when a body carries both it and an alias.
    if (k !== fd.name && fd.name in body) continue;
    fields[fd.name] = coerceValue(fd, v);
  }
  return { fields, virtual };
}

/** Throws 400 naming the first required field missing from a create body. */
export function checkRequired(def: ResourceDef, parsed: ParsedBody): void {
  for (const fd of def.fields) {
    if (!fd.required) continue;
    const v = fd.access === 'V' ? parsed.virtual[fd.name] : parsed.fields[fd.name];
    if (v === undefined || v === null || v === '') {
      throw new ApiError(400, `Field '${fd.name}' is required`);
    }
  }
}

const fieldMaps = new WeakMap<ResourceDef, Map<string, FieldDef>>();

/** Field definitions of a resource by name (cached). */
export function fieldMap(def: ResourceDef): Map<string, FieldDef> {
  let m = fieldMaps.get(def);
  if (!m) {
    m = new Map(def.fields.map((f) => [f.name, f]));
    for (const f of def.fields) for (const a of f.aliases ?? []) if (!m.has(a)) m.set(a, f);
    fieldMaps.set(def, m);
  }
  return m;
}
