import {
  datatypeMismatch,
  invalidDatetime,
  invalidTextRepresentation,
  numericOutOfRange,
  SqlError,
} from '../errors.js';
import { fromWall, offsetSuffix, toWall, UTC, type Zone } from './timezone.js';
import { elementType, type Interval, isArrayType, type SqlType } from './types.js';

/** Milliseconds per day. */
export const DAY_MS = 86_400_000;

/** Days since 1970-01-01 for a 'YYYY-MM-DD' date. */
export function dateToDays(d: string): number {
  const y = Number(d.slice(0, d.length - 6));
  const m = Number(d.slice(-5, -3));
  const day = Number(d.slice(-2));
  return Math.floor(Date.UTC(y, m - 1, day) / DAY_MS) + (y >= 0 && y < 100 ? yearFix(y) : 0);
}

// Date.UTC maps years 0..99 to 1900..1999.
function yearFix(y: number): number {
  const wrong = Date.UTC(y, 0, 1);
  const d = new Date(0);
  d.setUTCFullYear(y, 0, 1);
  return Math.round((d.getTime() - wrong) / DAY_MS);
}

/** 'YYYY-MM-DD' for days since 1970-01-01. */
export function daysToDate(days: number): string {
  return msToDate(days * DAY_MS);
}

/** The UTC calendar date of an epoch-ms timestamp, as 'YYYY-MM-DD'. */
export function msToDate(ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const ys = y >= 0 && y < 10000 ? String(y).padStart(4, '0') : String(y);
  return `${ys}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

const DATE_RE = /^\s*(\d{4,})-(\d{1,2})-(\d{1,2})\s*$/;
const TS_RE =
  /^\s*(\d{4,})-(\d{1,2})-(\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)?\s*$/i;

/** Parses a date literal; throws 22007 on malformed or impossible dates. */
export function parseDate(s: string): string {
  const m = DATE_RE.exec(s) ?? TS_RE.exec(s);
  if (!m) {
    const low = s.trim().toLowerCase();
    if (low === 'today' || low === 'now') return msToDate(Date.now());
    throw invalidDatetime('date', s);
  }
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const out = `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || msToDate(dateToDays(out) * DAY_MS) !== out) {
    throw new SqlError('22008', `date/time field value out of range: "${s}"`);
  }
  return out;
}

/**
 * Parses a timestamp literal to epoch ms; throws 22007. For timestamptz an explicit offset wins,
 * otherwise the wall-clock time is read in `zone` (the session time zone).
 */
export function parseTimestamp(
  s: string,
  type: 'timestamptz' | 'timestamp' = 'timestamptz',
  zone: Zone = UTC,
): number {
  const m = TS_RE.exec(s);
  if (!m) {
    const low = s.trim().toLowerCase();
    if (low === 'now') return Date.now();
    if (low === 'today') return dateToDays(msToDate(Date.now())) * DAY_MS;
    if (low === 'epoch') return 0;
    throw invalidDatetime(type === 'timestamp' ? 'timestamp' : 'timestamp with time zone', s);
  }
  const date = parseDate(`${m[1]}-${m[2]}-${m[3]}`);
  const h = Number(m[4] ?? 0);
  const mi = Number(m[5] ?? 0);
  const sec = Number(m[6] ?? 0);
  if (h > 24 || mi > 59 || sec > 60)
    throw new SqlError('22008', `date/time field value out of range: "${s}"`);
  const frac = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  let ms = dateToDays(date) * DAY_MS + ((h * 60 + mi) * 60 + sec) * 1000 + frac;
  const tz = m[8];
  if (type !== 'timestamptz') return ms;
  if (!tz) return fromWall(zone, ms);
  if (!['Z', 'UTC', 'GMT'].includes(tz.toUpperCase())) {
    const t = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(tz)!;
    const off = (Number(t[2]) * 60 + Number(t[3] ?? 0)) * 60_000;
    ms -= t[1] === '+' ? off : -off;
  }
  return ms;
}

/**
 * PostgreSQL's text output for a timestamp (ISO DateStyle): `2024-01-02 03:04:05.678+00`. With a
 * zone, a timestamptz prints as that zone's wall-clock time and offset.
 */
export function formatTimestamp(ms: number, withZone = true, zone: Zone = UTC): string {
  if (withZone && zone !== UTC) {
    const off = zone.offset(ms);
    return `${formatTimestamp(ms + off, false)}${offsetSuffix(off)}`;
  }
  const date = msToDate(ms);
  // Whole microseconds: interval arithmetic can leave a fraction of a millisecond.
  const us = Math.round((((ms % DAY_MS) + DAY_MS) % DAY_MS) * 1000);
  const h = Math.floor(us / 3_600_000_000);
  const mi = Math.floor((us % 3_600_000_000) / 60_000_000);
  const s = Math.floor((us % 60_000_000) / 1_000_000);
  const frac = us % 1_000_000;
  let out = `${date} ${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  if (frac) out += `.${String(frac).padStart(6, '0').replace(/0+$/, '')}`;
  return withZone ? `${out}+00` : out;
}

const UNIT_MS: Record<string, number> = {
  microsecond: 0.001,
  millisecond: 1,
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
};

function normUnit(u: string): string {
  const lower = u.toLowerCase();
  // Plural 's' off, except where it is the unit itself: `ms` is milliseconds, not minutes.
  const x = lower === 'ms' || lower === 'us' ? lower : lower.replace(/s$/, '');
  const map: Record<string, string> = {
    y: 'year',
    yr: 'year',
    year: 'year',
    mon: 'month',
    month: 'month',
    w: 'week',
    week: 'week',
    d: 'day',
    day: 'day',
    h: 'hour',
    hr: 'hour',
    hour: 'hour',
    m: 'minute',
    min: 'minute',
    minute: 'minute',
    sec: 'second',
    second: 'second',
    ms: 'millisecond',
    msec: 'millisecond',
    millisecond: 'millisecond',
    u: 'microsecond',
    us: 'microsecond',
    usec: 'microsecond',
    microsecond: 'microsecond',
    decade: 'decade',
    century: 'century',
    millennium: 'millennium',
  };
  return map[x] ?? x;
}

/** Parses interval text (`1 day 2 hours`, `3 mons`, `01:30:00`, `1 year -2 days`, ISO `P1D`). */
export function parseInterval(s: string): Interval {
  let months = 0;
  let days = 0;
  let ms = 0;
  const text = s.trim().toLowerCase();
  if (text === '') throw invalidDatetime('interval', s);
  const iso =
    /^p(?:(\d+)y)?(?:(\d+)m)?(?:(\d+)w)?(?:(\d+)d)?(?:t(?:(\d+)h)?(?:(\d+)m)?(?:([\d.]+)s)?)?$/.exec(text);
  if (iso) {
    return {
      months: Number(iso[1] ?? 0) * 12 + Number(iso[2] ?? 0),
      days: Number(iso[3] ?? 0) * 7 + Number(iso[4] ?? 0),
      ms: (Number(iso[5] ?? 0) * 3600 + Number(iso[6] ?? 0) * 60 + Number(iso[7] ?? 0)) * 1000,
    };
  }
  const re = /([+-]?\d+(?:\.\d+)?)\s*([a-z]+)|([+-]?)(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?|(\bago\b)/g;
  let matched = 0;
  let ago = false;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    matched += m[0].length;
    if (m[7]) {
      ago = true;
      continue;
    }
    if (m[1] !== undefined) {
      const n = Number(m[1]);
      const unit = normUnit(m[2]!);
      // Fractions cascade like PostgreSQL's: of years into whole months, of months into days
      // (30 a month), of weeks and days into time.
      const years = (per: number): void => {
        const whole = Math.trunc(n);
        months += whole * per + Math.round((n - whole) * per);
      };
      switch (unit) {
        case 'millennium':
          years(12000);
          break;
        case 'century':
          years(1200);
          break;
        case 'decade':
          years(120);
          break;
        case 'year':
          years(12);
          break;
        case 'month':
          months += Math.trunc(n);
          days += (n - Math.trunc(n)) * 30;
          break;
        case 'week':
          days += n * 7;
          break;
        case 'day':
          days += n;
          break;
        default: {
          const f = UNIT_MS[unit];
          if (f === undefined) throw invalidDatetime('interval', s);
          ms += n * f;
        }
      }
    } else {
      const sign = m[3] === '-' ? -1 : 1;
      ms += sign * ((Number(m[4]) * 60 + Number(m[5])) * 60 + Number(m[6] ?? 0)) * 1000;
    }
  }
  if (matched === 0) throw invalidDatetime('interval', s);
  // Reject leftovers such as '1 fortnight' that matched nothing useful.
  const rest = text.replace(re, '').replace(/[\s,@]/g, '');
  if (rest.length > 0) throw invalidDatetime('interval', s);
  const wholeDays = Math.trunc(days);
  // The time part keeps microseconds (PostgreSQL's resolution), as a fraction of a millisecond.
  const time = Math.round((ms + (days - wholeDays) * DAY_MS) * 1000) / 1000;
  if (ago) return { months: -months, days: -wholeDays, ms: -time };
  return { months, days: wholeDays, ms: time };
}

/**
 * `iv * mul / div` as PostgreSQL computes interval × and ÷: fractional months cascade into days
 * (30 per month), fractional days into time (24 h per day); time keeps microseconds.
 */
export function scaleInterval(iv: Interval, mul: number, div = 1): Interval {
  const m = (iv.months * mul) / div;
  const months = Math.trunc(m);
  const d = (iv.days * mul) / div + (m - months) * 30;
  const days = Math.trunc(d);
  const ms = (iv.ms * mul) / div + (d - days) * DAY_MS;
  return { months, days, ms: Math.round(ms * 1000) / 1000 };
}

/** PostgreSQL's text output for an interval (postgres IntervalStyle): `1 year 2 mons 3 days 04:05:06`. */
export function formatInterval(iv: Interval): string {
  const parts: string[] = [];
  // After a negative field, a positive one carries its sign: `-1 days +02:00:00`.
  let afterNegative = false;
  const field = (v: number, unit: string): void => {
    if (!v) return;
    parts.push(`${afterNegative && v > 0 ? '+' : ''}${v} ${unit}${v === 1 ? '' : 's'}`);
    afterNegative = v < 0;
  };
  field(Math.trunc(iv.months / 12), 'year');
  field(iv.months % 12, 'mon');
  field(iv.days, 'day');
  if (iv.ms || parts.length === 0) {
    const neg = iv.ms < 0;
    // Whole microseconds: the time part may hold a fraction of a millisecond.
    const us = Math.round(Math.abs(iv.ms) * 1000);
    const h = Math.floor(us / 3_600_000_000);
    const mi = Math.floor((us % 3_600_000_000) / 60_000_000);
    const sec = Math.floor((us % 60_000_000) / 1_000_000);
    const frac = us % 1_000_000;
    const sign = neg ? '-' : afterNegative ? '+' : '';
    let t = `${sign}${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
    if (frac) t += `.${String(frac).padStart(6, '0').replace(/0+$/, '')}`;
    parts.push(t);
  }
  return parts.join(' ');
}

/**
 * Adds an interval to an epoch-ms timestamp the way PostgreSQL does: months, then days, on the
 * wall clock of `zone` (so a day stays a calendar day across DST), then the time part as elapsed time.
 */
export function addInterval(ms: number, iv: Interval, sign = 1, zone: Zone = UTC): number {
  if (zone !== UTC && (iv.months || iv.days)) {
    const wall = addInterval(toWall(zone, ms), { months: iv.months, days: iv.days, ms: 0 }, sign);
    return fromWall(zone, wall) + sign * iv.ms;
  }
  let out = ms;
  if (iv.months) {
    const d = new Date(out);
    const day = d.getUTCDate();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() + sign * iv.months);
    const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    d.setUTCDate(Math.min(day, last));
    out = d.getTime();
  }
  return out + sign * (iv.days * DAY_MS + iv.ms);
}

/**
 * Rounds a double to 15 significant digits: `numeric` is carried as a double, and this keeps
 * decimal arithmetic such as 0.1 + 0.2 equal to 0.3, as PostgreSQL's exact numeric gives.
 */
export function decimalFix(v: number): number {
  return Number.isInteger(v) || !Number.isFinite(v) ? v : Number(v.toPrecision(15));
}

/**
 * Formats a number the way PostgreSQL prints double precision: shortest round-trip digits, in
 * exponent form (`1e+15`, `1.5e-05`) when the decimal exponent is below -4 or at least 15 (where
 * JavaScript switches only at 1e21 and 1e-7), `Infinity`, `NaN`, `-0`.
 */
export function formatDouble(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return 'Infinity';
  if (n === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const a = Math.abs(n);
  if (a >= 1e-4 && a < 1e15) return String(n);
  const e = n.toExponential();
  const at = e.indexOf('e');
  const x = Number(e.slice(at + 1));
  if (x >= -4 && x < 15) return String(n);
  return `${e.slice(0, at)}e${x < 0 ? '-' : '+'}${String(Math.abs(x)).padStart(2, '0')}`;
}

/** Formats a numeric as PostgreSQL does: plain digits, never exponent notation. */
export function formatNumeric(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  const s = String(n);
  const at = s.indexOf('e');
  if (at < 0) return s;
  // Expand `d.ddde±x` into plain digits.
  const neg = s.startsWith('-');
  const mant = s.slice(neg ? 1 : 0, at);
  const x = Number(s.slice(at + 1));
  const dot = mant.indexOf('.');
  const digits = mant.replace('.', '');
  const point = (dot < 0 ? mant.length : dot) + x;
  const body =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return neg ? `-${body}` : body;
}

/**
 * PostgreSQL text form of a value of the given type. `output` selects the type's output function
 * (what concat(), array elements and the wire protocol show: booleans as t/f) instead of the cast to
 * text (`true::text` and `||` give 'true').
 */
export function toText(v: unknown, type: SqlType, output = false, zone: Zone = UTC): string {
  switch (type) {
    case 'boolean':
      return output ? (v ? 't' : 'f') : v ? 'true' : 'false';
    case 'timestamptz':
      return formatTimestamp(v as number, true, zone);
    case 'timestamp':
      return formatTimestamp(v as number, false);
    case 'interval':
      return formatInterval(v as Interval);
    case 'jsonb':
      return formatJson(v);
    case 'double precision':
      return formatDouble(v as number);
    case 'numeric':
    case 'integer':
    case 'bigint':
      return formatNumeric(v as number);
    default:
      if (isArrayType(type)) {
        const el = elementType(type);
        const items = (v as unknown[]).map((x) => {
          if (x === null) return 'NULL';
          const t = toText(x, el, true, zone);
          return t === '' || /[\s,{}"\\]/.test(t) || t.toUpperCase() === 'NULL'
            ? `"${t.replace(/["\\]/g, '\\$&')}"`
            : t;
        });
        return `{${items.join(',')}}`;
      }
      return typeof v === 'string' ? v : String(v);
  }
}

// Any UTF-16 unit at or above U+D800: only then can code-unit order differ from code-point order.
const HIGH_UNIT = /[\ud800-\uffff]/;

/** Maps a UTF-16 unit ≥ U+D800 so that surrogates (code points above U+FFFF) sort after U+E000–U+FFFF. */
const codePointRank = (c: number): number => (c >= 0xe000 ? c - 0x800 : c + 0x2000);

/**
 * Orders two strings by Unicode code point, which is UTF-8 byte order: PostgreSQL's "C" collation.
 * JavaScript's `<` compares UTF-16 code units, which agrees except where a character above U+FFFF
 * meets one in U+E000–U+FFFF, so the native comparison answers unless both strings hold such units.
 */
export function compareText(a: string, b: string): number {
  const native = a < b ? -1 : a > b ? 1 : 0;
  if (native === 0 || !HIGH_UNIT.test(a) || !HIGH_UNIT.test(b)) return native;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x >= 0xd800 && y >= 0xd800 ? codePointRank(x) - codePointRank(y) : x - y;
  }
  return a.length - b.length;
}

/** The length of a string in UTF-8 bytes. */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A surrogate pair (2 units) is 4 bytes; other units ≥ U+0800 are 3, ≥ U+0080 are 2.
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return n;
}

/** jsonb text output: PostgreSQL puts a space after `:` and `,`. */
export function formatJson(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(formatJson).join(', ')}]`;
  if (typeof v === 'object') {
    // jsonb stores keys sorted by length in UTF-8 bytes, then bytewise.
    const keys = Object.keys(v as object).sort((a, b) => utf8Length(a) - utf8Length(b) || compareText(a, b));
    return `{${keys.map((k) => `${JSON.stringify(k)}: ${formatJson((v as Record<string, unknown>)[k])}`).join(', ')}}`;
  }
  return JSON.stringify(v);
}

function parseArrayText(s: string, el: SqlType): unknown[] {
  const t = s.trim();
  if (!t.startsWith('{'))
    throw new SqlError('22P02', `malformed array literal: "${s}"`, {
      detail: 'Array value must start with "{" or dimension information.',
    });
  if (!t.endsWith('}')) throw new SqlError('22P02', `malformed array literal: "${s}"`);
  const body = t.slice(1, -1);
  if (body.trim() === '') return [];
  const out: unknown[] = [];
  let i = 0;
  while (i <= body.length) {
    while (body[i] === ' ') i++;
    let item = '';
    let quoted = false;
    if (body[i] === '"') {
      quoted = true;
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i++;
        item += body[i];
        i++;
      }
      i++;
    } else {
      while (i < body.length && body[i] !== ',') item += body[i++];
      item = item.trim();
    }
    out.push(!quoted && item.toUpperCase() === 'NULL' ? null : castValue(item, 'text', el));
    while (body[i] === ' ') i++;
    i++;
  }
  return out;
}

const INT_RE = /^\s*[+-]?\d+\s*$/;
const NUM_RE = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

function textToNumber(s: string, type: SqlType): number {
  if (type === 'integer' || type === 'bigint') {
    if (!INT_RE.test(s)) throw invalidTextRepresentation(type, s);
    const n = Number(s);
    try {
      checkIntRange(n, type);
    } catch {
      // Reading text names the value, as PostgreSQL's input functions do.
      throw new SqlError('22003', `value "${s}" is out of range for type ${type}`);
    }
    return n;
  }
  const low = s.trim().toLowerCase();
  if (type === 'double precision' || type === 'numeric') {
    if (low === 'nan') return Number.NaN;
    if (type === 'double precision' && (low === 'infinity' || low === 'inf' || low === '+infinity')) {
      return Number.POSITIVE_INFINITY;
    }
    if (type === 'double precision' && (low === '-infinity' || low === '-inf'))
      return Number.NEGATIVE_INFINITY;
  }
  if (!NUM_RE.test(s)) throw invalidTextRepresentation(type, s);
  return Number(s);
}

/** Throws 22003 when an integral value does not fit the type. */
export function checkIntRange(n: number, type: SqlType): void {
  if (type === 'integer' && (n > 2147483647 || n < -2147483648)) throw numericOutOfRange('integer');
  if (type === 'bigint' && !Number.isSafeInteger(n) && Math.abs(n) > 9.223372036854776e18) {
    throw numericOutOfRange('bigint');
  }
}

/** Rounds half away from zero, as PostgreSQL does for numeric → integer casts and round(). */
export function roundHalfAway(n: number): number {
  return n < 0 ? -Math.round(-n) : Math.round(n);
}

/** Rounds half to even (C's rint), as PostgreSQL does for double precision → integer casts and round(float8). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Converts a non-NULL value from one type to another following PostgreSQL's cast rules;
 * throws 22P02 / 22007 for unreadable text and 42846-style 42804 for casts that do not exist.
 */
export function castValue(v: unknown, from: SqlType, to: SqlType, zone: Zone = UTC): unknown {
  if (v === null) return null;
  if (from === to) return v;
  if (to === 'unknown') return v;
  if (to === 'text') return toText(v, from, false, zone);
  if (from === 'text' || from === 'unknown') {
    const s = typeof v === 'string' ? v : String(v);
    switch (to) {
      case 'integer':
      case 'bigint':
      case 'numeric':
      case 'double precision':
        if (typeof v === 'number') return v;
        return textToNumber(s, to);
      case 'boolean': {
        if (typeof v === 'boolean') return v;
        const b = s.trim().toLowerCase();
        if (['t', 'true', 'y', 'yes', 'on', '1'].includes(b)) return true;
        if (['f', 'false', 'n', 'no', 'off', '0'].includes(b)) return false;
        throw invalidTextRepresentation('boolean', s);
      }
      case 'date':
        return parseDate(s);
      case 'timestamptz':
      case 'timestamp':
        if (typeof v === 'number') return v;
        if (v instanceof Date) return v.getTime();
        return parseTimestamp(s, to, zone);
      case 'interval':
        if (typeof v === 'object') return v;
        return parseInterval(s);
      case 'jsonb':
        if (typeof v !== 'string') return v;
        try {
          return JSON.parse(s);
        } catch {
          throw invalidTextRepresentation('json', s);
        }
      default:
        if (isArrayType(to)) return Array.isArray(v) ? v : parseArrayText(s, elementType(to));
    }
  }
  const num = (x: unknown): number => x as number;
  switch (to) {
    case 'integer':
    case 'bigint':
      if (from === 'numeric' || from === 'double precision') {
        const n = num(v);
        if (!Number.isFinite(n)) throw numericOutOfRange(to);
        // numeric rounds half away from zero, double precision half to even (2.5 → 2, 3.5 → 4).
        const r = from === 'numeric' ? roundHalfAway(n) : roundHalfEven(n);
        checkIntRange(r, to);
        return r;
      }
      if (from === 'integer' || from === 'bigint') {
        checkIntRange(num(v), to);
        return v;
      }
      if (from === 'boolean' && to === 'integer') return v ? 1 : 0;
      if (from === 'jsonb' && typeof v === 'number') return castValue(v, 'numeric', to);
      break;
    case 'numeric':
    case 'double precision':
      if (from === 'integer' || from === 'bigint' || from === 'numeric' || from === 'double precision')
        return v;
      if (from === 'jsonb' && typeof v === 'number') return v;
      break;
    case 'boolean':
      if (from === 'integer') return num(v) !== 0;
      if (from === 'jsonb' && typeof v === 'boolean') return v;
      break;
    case 'date':
      if (from === 'timestamptz') return msToDate(toWall(zone, num(v)));
      if (from === 'timestamp') return msToDate(num(v));
      break;
    case 'timestamptz':
    case 'timestamp':
      // date and timestamp are wall-clock values: as timestamptz they are read in the session zone.
      if (from === 'date')
        return to === 'timestamptz'
          ? fromWall(zone, dateToDays(v as string) * DAY_MS)
          : dateToDays(v as string) * DAY_MS;
      if (from === to) return v;
      if (from === 'timestamp') return fromWall(zone, num(v));
      if (from === 'timestamptz') return toWall(zone, num(v));
      break;
    case 'jsonb':
      if (from === 'integer' || from === 'bigint' || from === 'numeric' || from === 'double precision')
        return v;
      if (from === 'boolean') return v;
      break;
    default:
      if (isArrayType(to) && isArrayType(from)) {
        const ef = elementType(from);
        const et = elementType(to);
        return (v as unknown[]).map((x) => (x === null ? null : castValue(x, ef, et, zone)));
      }
  }
  if (from === 'jsonb') {
    throw new SqlError('22023', `cannot cast jsonb ${jsonKind(v)} to type ${to}`);
  }
  throw datatypeMismatch(`cannot cast type ${from} to ${to}`);
}

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** True if a cast from one type to another exists (used by the binder to reject impossible casts early). */
export function canCast(from: SqlType, to: SqlType): boolean {
  if (from === to || from === 'unknown' || to === 'text' || from === 'text') return true;
  const numeric = ['integer', 'bigint', 'numeric', 'double precision'];
  if (numeric.includes(to))
    return numeric.includes(from) || from === 'jsonb' || (from === 'boolean' && to === 'integer');
  if (to === 'boolean') return from === 'integer' || from === 'jsonb';
  if (to === 'date') return from === 'timestamptz' || from === 'timestamp';
  if (to === 'timestamptz' || to === 'timestamp')
    return from === 'date' || from === 'timestamptz' || from === 'timestamp';
  // PostgreSQL casts to jsonb only from text (use to_jsonb() for other types).
  if (to === 'jsonb') return false;
  if (isArrayType(to) && isArrayType(from)) return canCast(elementType(from), elementType(to));
  return false;
}
