import { createHash } from 'node:crypto';
import { fromWall, toWall, UTC, type Zone } from '../catalog/timezone.js';
import { elementType, type Interval, isArrayType, type SqlType } from '../catalog/types.js';
import {
  castValue,
  DAY_MS,
  dateToDays,
  formatJson,
  msToDate,
  parseDate,
  roundHalfAway,
  roundHalfEven,
  toText,
} from '../catalog/values.js';
import { invalidParameterValue, SqlError } from '../errors.js';
import { comparatorFor, equalsFor, keyFor, tupleKeyFor } from './compare.js';

/** Per-query values functions may read (now() is fixed for the whole statement, as in PostgreSQL). */
export interface FnEnv {
  readonly now: number;
  /** The session time zone: how timestamptz values read as wall-clock time. */
  readonly zone: Zone;
}

/** A compiled function: receives evaluated arguments; strict functions never see NULLs. */
export type FnImpl = (args: unknown[]) => unknown;

/** A function implementation chosen once from the argument and result types. */
interface FnDef {
  /** Strict functions return NULL when any argument is NULL, without being called. */
  readonly strict: boolean;
  readonly make: (types: readonly SqlType[], ret: SqlType, env: FnEnv) => FnImpl;
}

const chars = (s: string): string[] => Array.from(s);
const s0 = (a: unknown[]): string => a[0] as string;
const n = (v: unknown): number => v as number;

const strict = (make: FnDef['make']): FnDef => ({ strict: true, make });
const simple = (f: FnImpl): FnDef => ({ strict: true, make: () => f });

function trimChars(s: string, set: string, left: boolean, right: boolean): string {
  const cs = new Set(chars(set));
  const a = chars(s);
  let i = 0;
  let j = a.length;
  if (left) while (i < j && cs.has(a[i]!)) i++;
  if (right) while (j > i && cs.has(a[j - 1]!)) j--;
  return a.slice(i, j).join('');
}

function substring(s: string, start: number, len?: number): string {
  if (len !== undefined && len < 0) throw new SqlError('22011', 'negative substring length not allowed');
  const a = chars(s);
  const from = Math.max(start, 1);
  const to = len === undefined ? a.length + 1 : start + len;
  if (to <= from) return '';
  return a.slice(from - 1, to - 1).join('');
}

function pad(s: string, len: number, fill: string, left: boolean): string {
  const a = chars(s);
  if (len <= 0) return '';
  if (a.length >= len) return a.slice(0, len).join('');
  const f = chars(fill);
  if (f.length === 0) return s;
  const padding: string[] = [];
  while (padding.length < len - a.length) padding.push(f[padding.length % f.length]!);
  return left ? padding.join('') + s : s + padding.join('');
}

/** Rounds half to even, as PostgreSQL does for double precision (rint). */
function roundTo(x: number, places: number): number {
  const f = 10 ** places;
  const y = roundHalfAway(Number((x * f).toPrecision(15)));
  return y / f;
}

function truncTo(x: number, places: number): number {
  const f = 10 ** places;
  return Math.trunc(Number((x * f).toPrecision(15))) / f;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** ISO 8601 week number and week-year of a UTC instant. */
function isoWeek(ms: number): { week: number; year: number } {
  // The Thursday of the instant's Monday-based week decides the ISO year and the week number.
  const day = Math.floor(ms / DAY_MS);
  const dow = (new Date(day * DAY_MS).getUTCDay() + 6) % 7;
  const thursday = new Date((day - dow + 3) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const ordinal = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS);
  return { week: Math.floor(ordinal / 7) + 1, year };
}

/** date_trunc on an epoch-ms instant (UTC). */
function dateTrunc(unit: string, ms: number): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  switch (unit.toLowerCase()) {
    case 'microseconds':
    case 'milliseconds':
      return ms;
    case 'second':
      return Math.floor(ms / 1000) * 1000;
    case 'minute':
      return Math.floor(ms / 60_000) * 60_000;
    case 'hour':
      return Math.floor(ms / 3_600_000) * 3_600_000;
    case 'day':
      return Math.floor(ms / DAY_MS) * DAY_MS;
    case 'week': {
      const day = Math.floor(ms / DAY_MS);
      const dow = (new Date(day * DAY_MS).getUTCDay() + 6) % 7;
      return (day - dow) * DAY_MS;
    }
    case 'month':
      return Date.UTC(y, mo, 1);
    case 'quarter':
      return Date.UTC(y, mo - (mo % 3), 1);
    case 'year':
      return Date.UTC(y, 0, 1);
    case 'decade':
      return Date.UTC(y - (((y % 10) + 10) % 10), 0, 1);
    case 'century':
      return Date.UTC(Math.floor((y - 1) / 100) * 100 + 1, 0, 1);
    case 'millennium':
      return Date.UTC(Math.floor((y - 1) / 1000) * 1000 + 1, 0, 1);
    default:
      throw invalidParameterValue(`unit "${unit}" not recognized for type timestamp with time zone`);
  }
}

/** extract / date_part on an instant, a date or an interval. */
function extract(field: string, v: unknown, type: SqlType, zone: Zone = UTC): number {
  const f = field.toLowerCase().replace(/s$/, '') === 'millisecond' ? 'milliseconds' : field.toLowerCase();
  if (type === 'interval') {
    const iv = v as Interval;
    switch (f) {
      case 'year':
      case 'years':
        return Math.trunc(iv.months / 12);
      case 'month':
      case 'mon':
        return iv.months % 12;
      case 'day':
      case 'days':
        return iv.days;
      case 'hour':
        return Math.trunc(iv.ms / 3_600_000);
      case 'minute':
        return Math.trunc((iv.ms % 3_600_000) / 60_000);
      case 'second':
        return (iv.ms % 60_000) / 1000;
      case 'epoch':
        return (
          Math.trunc(iv.months / 12) * 365.25 * 86400 +
          (iv.months % 12) * 30 * 86400 +
          iv.days * 86400 +
          iv.ms / 1000
        );
      default:
        throw invalidParameterValue(`unit "${field}" not supported for type interval`);
    }
  }
  if (f === 'epoch' && type === 'timestamptz') return (v as number) / 1000;
  if (type === 'timestamptz' && (f === 'timezone' || f === 'timezone_hour' || f === 'timezone_minute')) {
    const off = zone.offset(v as number) / 1000;
    return f === 'timezone'
      ? off
      : f === 'timezone_hour'
        ? Math.trunc(off / 3600)
        : Math.trunc((off % 3600) / 60);
  }
  // Fields of a timestamptz are those of the session zone's wall clock.
  const ms =
    type === 'date'
      ? dateToDays(v as string) * DAY_MS
      : type === 'timestamptz'
        ? toWall(zone, v as number)
        : (v as number);
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  switch (f) {
    case 'year':
      return y;
    case 'month':
      return d.getUTCMonth() + 1;
    case 'day':
      return d.getUTCDate();
    case 'hour':
      return d.getUTCHours();
    case 'minute':
      return d.getUTCMinutes();
    case 'second':
      return d.getUTCSeconds() + d.getUTCMilliseconds() / 1000;
    case 'milliseconds':
      return d.getUTCSeconds() * 1000 + d.getUTCMilliseconds();
    case 'microsecond':
    case 'microseconds':
      return (d.getUTCSeconds() * 1000 + d.getUTCMilliseconds()) * 1000;
    case 'dow':
      return d.getUTCDay();
    case 'isodow':
      return d.getUTCDay() === 0 ? 7 : d.getUTCDay();
    case 'doy':
      return Math.floor((ms - Date.UTC(y, 0, 1)) / DAY_MS) + 1;
    case 'week':
      return isoWeek(ms).week;
    case 'isoyear':
      return isoWeek(ms).year;
    case 'quarter':
      return Math.floor(d.getUTCMonth() / 3) + 1;
    case 'epoch':
      return ms / 1000;
    case 'decade':
      return Math.floor(y / 10);
    case 'century':
      return y > 0 ? Math.floor((y - 1) / 100) + 1 : Math.floor(y / 100);
    case 'millennium':
      return y > 0 ? Math.floor((y - 1) / 1000) + 1 : Math.floor(y / 1000);
    case 'julian':
      return Math.floor(ms / DAY_MS) + 2440588;
    case 'timezone':
    case 'timezone_hour':
    case 'timezone_minute':
      return 0;
    default:
      throw invalidParameterValue(`unit "${field}" not recognized for type ${type}`);
  }
}

/** to_char for timestamps/dates with the common template patterns (FM prefix supported). */
function toChar(ms: number, fmt: string): string {
  const d = new Date(ms);
  const p2 = (x: number): string => String(x).padStart(2, '0');
  const isoDay = (): number => d.getUTCDay() || 7;
  const doy = (): number => extract('doy', ms, 'timestamptz');
  const weekFrom = (day: number): number => Math.floor((day - 1) / 7) + 1;
  const tokens: [string, (fm: boolean) => string][] = [
    ['YYYY', () => String(d.getUTCFullYear()).padStart(4, '0')],
    ['IYYY', () => String(isoWeek(ms).year)],
    ['YY', () => p2(d.getUTCFullYear() % 100)],
    ['MONTH', (fm) => padName(MONTHS[d.getUTCMonth()]!.toUpperCase(), fm)],
    ['Month', (fm) => padName(MONTHS[d.getUTCMonth()]!, fm)],
    ['month', (fm) => padName(MONTHS[d.getUTCMonth()]!.toLowerCase(), fm)],
    ['MON', () => MONTHS[d.getUTCMonth()]!.slice(0, 3).toUpperCase()],
    ['Mon', () => MONTHS[d.getUTCMonth()]!.slice(0, 3)],
    ['mon', () => MONTHS[d.getUTCMonth()]!.slice(0, 3).toLowerCase()],
    ['MM', (fm) => (fm ? String(d.getUTCMonth() + 1) : p2(d.getUTCMonth() + 1))],
    ['DAY', (fm) => padName(DAYS[d.getUTCDay()]!.toUpperCase(), fm)],
    ['Day', (fm) => padName(DAYS[d.getUTCDay()]!, fm)],
    ['day', (fm) => padName(DAYS[d.getUTCDay()]!.toLowerCase(), fm)],
    ['DY', () => DAYS[d.getUTCDay()]!.slice(0, 3).toUpperCase()],
    ['Dy', () => DAYS[d.getUTCDay()]!.slice(0, 3)],
    ['dy', () => DAYS[d.getUTCDay()]!.slice(0, 3).toLowerCase()],
    ['IDDD', () => String((isoWeek(ms).week - 1) * 7 + isoDay()).padStart(3, '0')],
    ['ID', () => String(isoDay())],
    ['DDD', () => String(extract('doy', ms, 'timestamptz')).padStart(3, '0')],
    ['DD', (fm) => (fm ? String(d.getUTCDate()) : p2(d.getUTCDate()))],
    ['HH24', (fm) => (fm ? String(d.getUTCHours()) : p2(d.getUTCHours()))],
    ['HH12', (fm) => (fm ? String(d.getUTCHours() % 12 || 12) : p2(d.getUTCHours() % 12 || 12))],
    ['HH', (fm) => (fm ? String(d.getUTCHours() % 12 || 12) : p2(d.getUTCHours() % 12 || 12))],
    ['MI', () => p2(d.getUTCMinutes())],
    ['SS', () => p2(d.getUTCSeconds())],
    ['MS', () => String(d.getUTCMilliseconds()).padStart(3, '0')],
    ['AM', () => (d.getUTCHours() < 12 ? 'AM' : 'PM')],
    ['PM', () => (d.getUTCHours() < 12 ? 'AM' : 'PM')],
    ['am', () => (d.getUTCHours() < 12 ? 'am' : 'pm')],
    ['pm', () => (d.getUTCHours() < 12 ? 'am' : 'pm')],
    ['IW', (fm) => (fm ? String(isoWeek(ms).week) : p2(isoWeek(ms).week))],
    // WW: weeks counted from January 1st; W: from the 1st of the month; J: Julian day number.
    ['WW', (fm) => (fm ? String(weekFrom(doy())) : p2(weekFrom(doy())))],
    ['W', () => String(weekFrom(d.getUTCDate()))],
    ['J', () => String(Math.floor(ms / DAY_MS) + 2440588)],
    ['Q', () => String(Math.floor(d.getUTCMonth() / 3) + 1)],
    ['D', () => String(d.getUTCDay() + 1)],
    ['TZ', () => 'UTC'],
  ];
  let out = '';
  let i = 0;
  while (i < fmt.length) {
    if (fmt[i] === '"') {
      const end = fmt.indexOf('"', i + 1);
      out += fmt.slice(i + 1, end < 0 ? fmt.length : end);
      i = end < 0 ? fmt.length : end + 1;
      continue;
    }
    let fm = false;
    if (fmt.startsWith('FM', i)) {
      fm = true;
      i += 2;
    }
    const t = tokens.find(([k]) => fmt.startsWith(k, i));
    if (t) {
      out += t[1](fm);
      i += t[0].length;
    } else if (!fm) {
      out += fmt[i];
      i++;
    }
  }
  return out;
}

/**
 * to_char for numbers with the common template: 9 (digit or space), 0 (digit or zero), . or D
 * (decimal point), , or G (group separator), FM (no padding, no trailing fraction zeros from 9s).
 * The sign takes one position left of the first printed digit; too many digits print as '#'.
 */
function numberToChar(value: number, format: string): string {
  const fm = format.startsWith('FM');
  const fmt = (fm ? format.slice(2) : format).replace(/D/g, '.').replace(/G/g, ',');
  const dot = fmt.indexOf('.');
  const intFmt = dot < 0 ? fmt : fmt.slice(0, dot);
  const fracFmt = dot < 0 ? '' : fmt.slice(dot + 1);
  const fracDigits = (fracFmt.match(/[09]/g) ?? []).length;
  const intSlots = (intFmt.match(/[09]/g) ?? []).length;
  const rounded = Math.abs(roundTo(value, fracDigits));
  const [ip, fp = ''] = rounded.toFixed(fracDigits).split('.');
  const intDigits = ip === '0' ? '' : ip!;
  if (intDigits.length > intSlots) return `${fm ? '' : ' '}${fmt.replace(/[09]/g, '#')}`;
  // Integer part, right to left.
  let out = '';
  let k = intDigits.length - 1;
  let firstDigit = -1;
  const firstZero = intFmt.search(/0/);
  for (let i = intFmt.length - 1; i >= 0; i--) {
    const c = intFmt[i]!;
    if (c === '9' || c === '0') {
      if (k >= 0) {
        out = intDigits[k--] + out;
        firstDigit = i;
      } else if (c === '0' || (firstZero >= 0 && i >= firstZero)) {
        out = `0${out}`;
        firstDigit = i;
      } else if (fracDigits === 0 && intDigits === '' && i === intFmt.lastIndexOf('9') && out.trim() === '') {
        out = `0${out}`;
        firstDigit = i;
      } else out = ` ${out}`;
    } else if (c === ',') out = (k >= 0 || (firstZero >= 0 && i > firstZero) ? ',' : ' ') + out;
    else out = c + out;
  }
  // The sign sits just left of the first printed digit.
  const sign = value < 0 && rounded !== 0 ? '-' : ' ';
  const at = firstDigit < 0 ? out.length : out.length - (intFmt.length - firstDigit);
  out = `${out.slice(0, at)}${sign}${out.slice(at)}`;
  let frac = '';
  if (dot >= 0) {
    let d = 0;
    for (const c of fracFmt) frac += c === '9' || c === '0' ? fp[d++] : c;
    if (fm) {
      const zeros = fracFmt.replace(/[^09]/g, '');
      let end = frac.length;
      while (end > 0 && frac[end - 1] === '0' && zeros[end - 1] === '9') end--;
      frac = frac.slice(0, end);
    }
    frac = `.${frac}`;
  }
  const res = out + frac;
  return fm ? res.replace(/^ +/, '') : res;
}

function padName(s: string, fm: boolean): string {
  return fm ? s : s.padEnd(9, ' ');
}

/** age(a, b): a symbolic interval (years, months, days) between two instants, PostgreSQL style. */
function age(a: number, b: number): Interval {
  const sign = a >= b ? 1 : -1;
  const [hi, lo] = sign > 0 ? [new Date(a), new Date(b)] : [new Date(b), new Date(a)];
  let tod = (hi.getTime() % DAY_MS) - (lo.getTime() % DAY_MS);
  let days = hi.getUTCDate() - lo.getUTCDate();
  let months = hi.getUTCMonth() - lo.getUTCMonth() + (hi.getUTCFullYear() - lo.getUTCFullYear()) * 12;
  if (tod < 0) {
    tod += DAY_MS;
    days--;
  }
  while (days < 0) {
    months--;
    // PostgreSQL borrows the length of the earlier date's month.
    days += new Date(Date.UTC(lo.getUTCFullYear(), lo.getUTCMonth() + 1, 0)).getUTCDate();
  }
  return { months: sign * months, days: sign * days, ms: sign * tod };
}

function jsonGet(v: unknown, key: unknown, scalarAsArray = false): unknown {
  if (typeof key === 'number') {
    // jsonb stores a top-level scalar as a one-element array, so `'"x"'::jsonb -> 0` (and -1) is
    // the scalar itself in PostgreSQL; path extraction does not do this.
    if (scalarAsArray && v !== null && typeof v !== 'object') return key === 0 || key === -1 ? v : null;
    if (!Array.isArray(v)) return null;
    const i = key < 0 ? v.length + key : key;
    return i >= 0 && i < v.length ? v[i] : null;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  return Object.hasOwn(o, key as string) ? o[key as string] : null;
}

function jsonText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : formatJson(v);
}

const likeMetas = /[.*+?^${}()|[\]\\]/g;

/**
 * Compiles a LIKE pattern to a predicate: plain equality, prefix, suffix or substring tests for the
 * common shapes (`abc`, `abc%`, `%abc`, `%abc%` without `_` or escapes, case-sensitive), a RegExp
 * otherwise.
 */
export function likeMatcher(
  pattern: string,
  caseInsensitive: boolean,
  escapeChar = '\\',
): (s: string) => boolean {
  if (!caseInsensitive && !pattern.includes('_') && (escapeChar === '' || !pattern.includes(escapeChar))) {
    const inner = pattern.replace(/^%+/, '').replace(/%+$/, '');
    if (!inner.includes('%')) {
      const lead = pattern.startsWith('%');
      const trail = pattern.endsWith('%') && pattern.length > 0;
      if (inner === '' && (lead || trail)) return () => true;
      if (lead && trail) return (s) => s.includes(inner);
      if (lead) return (s) => s.endsWith(inner);
      if (trail) return (s) => s.startsWith(inner);
      return (s) => s === inner;
    }
  }
  const re = likeToRegExp(pattern, caseInsensitive, escapeChar);
  return (s) => re.test(s);
}

/** Compiles a LIKE pattern to a RegExp (`%`, `_`, escape character; default escape `\`). */
export function likeToRegExp(pattern: string, caseInsensitive: boolean, escapeChar = '\\'): RegExp {
  let re = '';
  const a = chars(pattern);
  for (let i = 0; i < a.length; i++) {
    const c = a[i]!;
    if (escapeChar !== '' && c === escapeChar) {
      const next = a[++i];
      if (next === undefined) throw new SqlError('22025', 'LIKE pattern must not end with escape character');
      re += next.replace(likeMetas, '\\$&');
    } else if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += c.replace(likeMetas, '\\$&');
  }
  return new RegExp(`^${re}$`, caseInsensitive ? 'isu' : 'su');
}

const FUNCTIONS: Record<string, FnDef> = {
  // Internal: a row value as one distinct-comparable key (count(DISTINCT (a, b))); NULL fields included.
  row: {
    strict: false,
    make: (types) => {
      const key = tupleKeyFor(types);
      return (a) => key(a);
    },
  },
  // Per character like PostgreSQL (libc towlower): no final-sigma rule (ΣΑΣ → σασ) and İ → i,
  // where JavaScript's full case mapping gives ς and i + U+0307.
  lower: simple((a) => {
    const s = s0(a);
    if (!/[\u0130\u03a3]/.test(s)) return s.toLowerCase();
    return chars(s)
      .map((c) => (c === '\u0130' ? 'i' : c.toLowerCase()))
      .join('');
  }),
  // Per character, so 'ß' stays 'ß' as in PostgreSQL instead of becoming 'SS'.
  upper: simple((a) =>
    chars(s0(a))
      .map((c) => {
        const u = c.toUpperCase();
        return u.length === c.length ? u : c;
      })
      .join(''),
  ),
  initcap: simple((a) =>
    s0(a)
      .toLowerCase()
      .replace(/(^|[^\p{L}\p{N}])(\p{L})/gu, (_m, p, c) => p + c.toUpperCase()),
  ),
  length: simple((a) => chars(s0(a)).length),
  char_length: simple((a) => chars(s0(a)).length),
  character_length: simple((a) => chars(s0(a)).length),
  octet_length: simple((a) => Buffer.byteLength(s0(a))),
  substring: {
    strict: true,
    make: (types) =>
      types.length === 2 && types[1] === 'text'
        ? regexSubstring()
        : (a) => substring(s0(a), n(a[1]), a.length > 2 ? n(a[2]) : undefined),
  },
  substr: simple((a) => substring(s0(a), n(a[1]), a.length > 2 ? n(a[2]) : undefined)),
  left: simple((a) => {
    const c = chars(s0(a));
    const k = n(a[1]);
    return (k >= 0 ? c.slice(0, k) : c.slice(0, Math.max(0, c.length + k))).join('');
  }),
  right: simple((a) => {
    const c = chars(s0(a));
    const k = n(a[1]);
    return (k >= 0 ? c.slice(Math.max(0, c.length - k)) : c.slice(-k)).join('');
  }),
  lpad: simple((a) => pad(s0(a), n(a[1]), a.length > 2 ? (a[2] as string) : ' ', true)),
  rpad: simple((a) => pad(s0(a), n(a[1]), a.length > 2 ? (a[2] as string) : ' ', false)),
  btrim: simple((a) => trimChars(s0(a), a.length > 1 ? (a[1] as string) : ' ', true, true)),
  trim: simple((a) => trimChars(s0(a), a.length > 1 ? (a[1] as string) : ' ', true, true)),
  ltrim: simple((a) => trimChars(s0(a), a.length > 1 ? (a[1] as string) : ' ', true, false)),
  rtrim: simple((a) => trimChars(s0(a), a.length > 1 ? (a[1] as string) : ' ', false, true)),
  replace: simple((a) =>
    a[1] === ''
      ? s0(a)
      : s0(a)
          .split(a[1] as string)
          .join(a[2] as string),
  ),
  split_part: simple((a) => {
    const k = n(a[2]);
    if (k === 0) throw invalidParameterValue('field position must not be zero');
    const parts = a[1] === '' ? [s0(a)] : s0(a).split(a[1] as string);
    const idx = k > 0 ? k - 1 : parts.length + k;
    return parts[idx] ?? '';
  }),
  position: simple((a) => {
    const i = (a[1] as string).indexOf(s0(a));
    return i < 0 ? 0 : chars((a[1] as string).slice(0, i)).length + 1;
  }),
  strpos: simple((a) => {
    const i = s0(a).indexOf(a[1] as string);
    return i < 0 ? 0 : chars(s0(a).slice(0, i)).length + 1;
  }),
  repeat: simple((a) => s0(a).repeat(Math.max(0, n(a[1])))),
  reverse: simple((a) => chars(s0(a)).reverse().join('')),
  starts_with: simple((a) => s0(a).startsWith(a[1] as string)),
  string_to_array: {
    strict: false,
    make: () => (a) => {
      if (a[0] === null) return null;
      const s = s0(a);
      const parts = a[1] === null ? chars(s) : s === '' ? [] : a[1] === '' ? [s] : s.split(a[1] as string);
      return a.length > 2 && a[2] !== null ? parts.map((x) => (x === a[2] ? null : x)) : parts;
    },
  },
  regexp_replace: simple((a) => {
    const flags = a.length > 3 ? (a[3] as string) : '';
    let re: RegExp;
    try {
      re = new RegExp(a[1] as string, `u${flags.includes('g') ? 'g' : ''}${flags.includes('i') ? 'i' : ''}`);
    } catch {
      throw new SqlError('2201B', `invalid regular expression: ${a[1] as string}`);
    }
    // PostgreSQL writes back-references as \1; JavaScript as $1.
    const repl = (a[2] as string)
      .replace(/\$/g, '$$$$')
      .replace(/\\(\d)/g, '$$$1')
      .replace(/\\&/g, '$$&');
    return s0(a).replace(re, repl);
  }),
  translate: simple((a) => {
    const from = chars(a[1] as string);
    const to = chars(a[2] as string);
    return chars(s0(a))
      .map((c) => {
        const i = from.indexOf(c);
        return i < 0 ? c : (to[i] ?? '');
      })
      .join('');
  }),
  quote_ident: simple((a) => (/^[a-z_][a-z0-9_$]*$/.test(s0(a)) ? s0(a) : `"${s0(a).replace(/"/g, '""')}"`)),
  quote_literal: strict((types, _r, env) => (a) => quoteLiteral(toText(a[0], types[0]!, true, env.zone))),
  format: {
    strict: false,
    make: (types, _r, env) => (a) => {
      if (a[0] === null) return null;
      let next = 1;
      return s0(a).replace(/%(%|s|I|L)/g, (_m, spec: string) => {
        if (spec === '%') return '%';
        if (next >= a.length) throw new SqlError('22023', 'too few arguments for format()');
        const v = a[next];
        const t = types[next++]!;
        const txt = v === null ? null : toText(v, t, true, env.zone);
        if (spec === 's') return txt ?? '';
        if (spec === 'L') return txt === null ? 'NULL' : quoteLiteral(txt);
        if (txt === null) throw new SqlError('22004', 'null values cannot be formatted as an SQL identifier');
        return /^[a-z_][a-z0-9_$]*$/.test(txt) ? txt : `"${txt.replace(/"/g, '""')}"`;
      });
    },
  },
  md5: simple((a) => createHash('md5').update(s0(a)).digest('hex')),
  chr: simple((a) => String.fromCodePoint(n(a[0]))),
  ascii: simple((a) => s0(a).codePointAt(0) ?? 0),
  concat: {
    strict: false,
    make: (types, _r, env) => (a) =>
      a.map((v, i) => (v === null ? '' : toText(v, types[i]!, true, env.zone))).join(''),
  },
  concat_ws: {
    strict: false,
    make: (types, _r, env) => (a) => {
      if (a[0] === null) return null;
      const parts: string[] = [];
      for (let i = 1; i < a.length; i++)
        if (a[i] !== null) parts.push(toText(a[i], types[i]!, true, env.zone));
      return parts.join(a[0] as string);
    },
  },
  abs: simple((a) => Math.abs(n(a[0]))),
  round: strict((types) => {
    if (types.length === 2) return (a) => roundTo(n(a[0]), n(a[1]));
    return types[0] === 'double precision' ? (a) => roundHalfEven(n(a[0])) : (a) => roundHalfAway(n(a[0]));
  }),
  trunc: strict((types) =>
    types.length === 2 ? (a) => truncTo(n(a[0]), n(a[1])) : (a) => Math.trunc(n(a[0])),
  ),
  ceil: simple((a) => Math.ceil(n(a[0])) || 0),
  ceiling: simple((a) => Math.ceil(n(a[0])) || 0),
  floor: simple((a) => Math.floor(n(a[0]))),
  sign: simple((a) => Math.sign(n(a[0]))),
  mod: simple((a) => {
    if (n(a[1]) === 0) throw new SqlError('22012', 'division by zero');
    return n(a[0]) % n(a[1]);
  }),
  power: simple((a) => power(n(a[0]), n(a[1]))),
  pow: simple((a) => power(n(a[0]), n(a[1]))),
  sqrt: simple((a) => {
    if (n(a[0]) < 0) throw new SqlError('2201F', 'cannot take square root of a negative number');
    return Math.sqrt(n(a[0]));
  }),
  exp: simple((a) => Math.exp(n(a[0]))),
  ln: simple((a) => {
    if (n(a[0]) <= 0) throw new SqlError('2201E', 'cannot take logarithm of a non-positive number');
    return Math.log(n(a[0]));
  }),
  log: simple((a) => (a.length === 2 ? Math.log(n(a[1])) / Math.log(n(a[0])) : Math.log10(n(a[0])))),
  random: simple(() => Math.random()),
  pi: simple(() => Math.PI),
  now: strict((_t, _r, env) => () => env.now),
  current_timestamp: strict((_t, _r, env) => () => env.now),
  statement_timestamp: strict((_t, _r, env) => () => env.now),
  transaction_timestamp: strict((_t, _r, env) => () => env.now),
  clock_timestamp: simple(() => Date.now()),
  localtimestamp: strict((_t, _r, env) => () => toWall(env.zone, env.now)),
  current_date: strict((_t, _r, env) => () => msToDate(toWall(env.zone, env.now))),
  date_trunc: strict((types, _r, env) => {
    if (types[1] === 'interval') {
      return () => {
        throw new SqlError('0A000', 'date_trunc on interval is not supported');
      };
    }
    // A timestamptz is truncated on the session zone's wall clock, then read back as an instant.
    if (types[1] === 'timestamptz' && env.zone !== UTC) {
      return (a) => fromWall(env.zone, dateTrunc(s0(a), toWall(env.zone, n(a[1]))));
    }
    return (a) => dateTrunc(s0(a), n(a[1]));
  }),
  date_part: strict((types, _r, env) => (a) => extract(s0(a), a[1], types[1]!, env.zone)),
  extract: strict((types, _r, env) => (a) => extract(s0(a), a[1], types[1]!, env.zone)),
  age: strict((types, _r, env) => {
    const wall = (v: number): number => (types[0] === 'timestamptz' ? toWall(env.zone, v) : v);
    return types.length === 1
      ? (a) => age(dateTrunc('day', toWall(env.zone, env.now)), wall(n(a[0])))
      : (a) => age(wall(n(a[0])), wall(n(a[1])));
  }),
  make_date: simple((a) => {
    const y = n(a[0]);
    const s = `${String(Math.abs(y)).padStart(4, '0')}-${String(n(a[1])).padStart(2, '0')}-${String(n(a[2])).padStart(2, '0')}`;
    try {
      return parseDate(s);
    } catch {
      throw new SqlError('22008', `date field value out of range: ${y}-${n(a[1])}-${n(a[2])}`);
    }
  }),
  to_char: strict((types, _r, env) => {
    const t = types[0]!;
    if (t === 'date') return (a) => toChar(dateToDays(s0(a)) * DAY_MS, a[1] as string);
    if (t === 'timestamptz') return (a) => toChar(toWall(env.zone, n(a[0])), a[1] as string);
    if (t === 'timestamp') return (a) => toChar(n(a[0]), a[1] as string);
    if (t === 'integer' || t === 'bigint' || t === 'numeric' || t === 'double precision') {
      return (a) => numberToChar(n(a[0]), a[1] as string);
    }
    return () => {
      throw new SqlError('0A000', `to_char(${t}) is not supported`);
    };
  }),
  to_date: simple((a) => {
    const fmt = (a[1] as string).toUpperCase();
    const s = s0(a);
    if (fmt === 'YYYY-MM-DD') return parseDate(s);
    const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
    if (fmt === 'YYYYMMDD' && m) return parseDate(`${m[1]}-${m[2]}-${m[3]}`);
    throw new SqlError('0A000', `to_date format "${a[1] as string}" is not supported`);
  }),
  to_timestamp: simple((a) => Math.round(n(a[0]) * 1000)),
  coalesce: {
    strict: false,
    make: () => (a) => {
      for (const v of a) if (v !== null) return v;
      return null;
    },
  },
  nullif: {
    strict: false,
    make: (types) => {
      const eq = equalsFor(types[0]!);
      return (a) => (a[0] !== null && a[1] !== null && eq(a[0], a[1]) ? null : a[0]);
    },
  },
  greatest: { strict: false, make: (types) => extremum(types[0]!, 1) },
  least: { strict: false, make: (types) => extremum(types[0]!, -1) },
  '->': simple((a) => {
    const v = jsonGet(a[0], a[1], true);
    return v === undefined ? null : v;
  }),
  '->>': simple((a) => jsonText(jsonGet(a[0], a[1], true))),
  jsonb_typeof: simple((a) => {
    const v = a[0];
    if (Array.isArray(v)) return 'array';
    if (v === null) return 'null';
    return typeof v === 'object' ? 'object' : typeof v === 'number' ? 'number' : typeof v;
  }),
  jsonb_array_length: simple((a) => {
    if (!Array.isArray(a[0])) throw invalidParameterValue('cannot get array length of a non-array');
    return (a[0] as unknown[]).length;
  }),
  jsonb_extract_path_text: simple((a) => {
    let v: unknown = a[0];
    for (let i = 1; i < a.length && v !== null; i++) {
      const k = a[i] as string;
      v = Array.isArray(v) && /^-?\d+$/.test(k) ? jsonGet(v, Number(k)) : jsonGet(v, k);
    }
    return jsonText(v);
  }),
  to_jsonb: strict(
    (types) => (a) =>
      types[0] === 'text' || types[0] === 'unknown' ? a[0] : castValue(a[0], types[0]!, 'jsonb'),
  ),
  jsonb_cat: simple((a) => {
    const [x, y] = a;
    if (Array.isArray(x) || Array.isArray(y))
      return [...(Array.isArray(x) ? x : [x]), ...(Array.isArray(y) ? y : [y])];
    if (x && y && typeof x === 'object' && typeof y === 'object')
      return { ...(x as object), ...(y as object) };
    return [x, y];
  }),
  array_length: simple((a) =>
    (a[0] as unknown[]).length === 0 || n(a[1]) !== 1 ? null : (a[0] as unknown[]).length,
  ),
  cardinality: simple((a) => (a[0] as unknown[]).length),
  array_to_string: {
    strict: false,
    make: (types, _r, env) => {
      const el = elementType(types[0]!);
      return (a) => {
        if (a[0] === null || a[1] === null) return null;
        const nullStr = a.length > 2 ? (a[2] as string | null) : null;
        const parts: string[] = [];
        for (const v of a[0] as unknown[]) {
          if (v === null) {
            if (nullStr !== null) parts.push(nullStr);
          } else parts.push(toText(v, el, true, env.zone));
        }
        return parts.join(a[1] as string);
      };
    },
  },
  array_position: {
    strict: false,
    make: (types) => {
      const eq = equalsFor(isArrayType(types[0]!) ? elementType(types[0]!) : 'unknown');
      return (a) => {
        if (a[0] === null) return null;
        const arr = a[0] as unknown[];
        for (let i = 0; i < arr.length; i++) {
          if (a[1] === null ? arr[i] === null : arr[i] !== null && eq(arr[i], a[1])) return i + 1;
        }
        return null;
      };
    },
  },
  array_subscript: simple((a) => {
    const arr = a[0] as unknown[];
    const i = n(a[1]);
    return i >= 1 && i <= arr.length ? arr[i - 1] : null;
  }),
  array_cat: {
    strict: false,
    make: (types) => (a) => {
      const [x, y] = a;
      const lArr = isArrayType(types[0]!);
      const rArr = isArrayType(types[1]!);
      if (lArr && rArr) {
        if (x === null) return y;
        if (y === null) return x;
        return [...(x as unknown[]), ...(y as unknown[])];
      }
      if (lArr) return x === null ? [y] : [...(x as unknown[]), y];
      return y === null ? [x] : [x, ...(y as unknown[])];
    },
  },
  jsonb_exists: simple((a) => {
    const v = a[0];
    if (Array.isArray(v)) return v.some((x) => x === a[1]);
    return v !== null && typeof v === 'object' ? Object.hasOwn(v as object, a[1] as string) : false;
  }),
  contains: strict((types) => containsFn(types[0]!)),
  contained: strict((types) => {
    const f = containsFn(types[0]!);
    return (a) => f([a[1], a[0]]);
  }),
  array_overlap: strict((types) => {
    const key = keyFor(elementType(types[0]!));
    return (a) => {
      const s = new Set((a[0] as unknown[]).filter((x) => x !== null).map(key));
      return (a[1] as unknown[]).some((x) => x !== null && s.has(key(x)));
    };
  }),
  version: simple(() => 'PostgreSQL 15.0 (paymo-sql) on x86_64-pc-linux-gnu, compiled by node, 64-bit'),
  '~': strict(() => regexMatcher('')),
  '~*': strict(() => regexMatcher('i')),
};

/** `@>`: array containment (ignoring NULLs and multiplicity) or jsonb containment. */
function containsFn(type: SqlType): FnImpl {
  if (isArrayType(type)) {
    const key = keyFor(elementType(type));
    return (a) => {
      const have = new Set((a[0] as unknown[]).map(key));
      return (a[1] as unknown[]).every((x) => x !== null && have.has(key(x)));
    };
  }
  const json = (x: unknown, y: unknown): boolean => {
    if (Array.isArray(x)) {
      if (!Array.isArray(y)) return x.some((e) => !Array.isArray(e) && json(e, y));
      return y.every((ye) => x.some((xe) => json(xe, ye)));
    }
    if (x !== null && typeof x === 'object') {
      if (y === null || typeof y !== 'object' || Array.isArray(y)) return false;
      return Object.entries(y as object).every(
        ([k, v]) => Object.hasOwn(x as object, k) && json((x as Record<string, unknown>)[k], v),
      );
    }
    return x === y;
  };
  return (a) => json(a[0], a[1]);
}

function quoteLiteral(s: string): string {
  const body = s.replace(/'/g, "''");
  return s.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

function power(x: number, y: number): number {
  if (x === 0 && y < 0) throw new SqlError('2201F', 'zero raised to a negative power is undefined');
  if (x < 0 && !Number.isInteger(y)) {
    throw new SqlError('2201F', 'a negative number raised to a non-integer power yields a complex result');
  }
  return x ** y;
}

/** substring(s FROM pattern): the first parenthesised group's match if the pattern has one, else the match. */
function regexSubstring(): FnImpl {
  let last = '';
  let re: RegExp | undefined;
  return (a) => {
    if (re === undefined || last !== a[1]) {
      last = a[1] as string;
      try {
        re = new RegExp(last, 'u');
      } catch {
        throw new SqlError('2201B', `invalid regular expression: ${last}`);
      }
    }
    const m = re.exec(s0(a));
    if (!m) return null;
    return m.length > 1 ? (m[1] ?? null) : m[0];
  };
}

function regexMatcher(flags: string): FnImpl {
  let last = '';
  let re: RegExp | undefined;
  return (a) => {
    if (re === undefined || last !== a[1]) {
      last = a[1] as string;
      try {
        re = new RegExp(last, `u${flags}`);
      } catch {
        throw new SqlError('2201B', `invalid regular expression: ${last}`);
      }
    }
    return re.test(s0(a));
  };
}

function extremum(type: SqlType, sign: 1 | -1): FnImpl {
  const cmp = comparatorFor(type);
  return (a) => {
    let best: unknown = null;
    for (const v of a) {
      if (v !== null && (best === null || sign * cmp(v, best) > 0)) best = v;
    }
    return best;
  };
}

/** Looks up and instantiates a function for these argument types; throws if the library lacks it. */
export function makeFunction(
  name: string,
  types: readonly SqlType[],
  ret: SqlType,
  env: FnEnv,
): { strict: boolean; impl: FnImpl } {
  const def = FUNCTIONS[name];
  // The binder only types functions this library has (a test checks every one), so this is a
  // safety net; it answers as PostgreSQL does for a function it does not know.
  if (!def) throw new SqlError('42883', `function ${name}(${types.join(', ')}) does not exist`);
  return { strict: def.strict, impl: def.make(types, ret, env) };
}

/** Names of all implemented functions (checked against the binder's signatures in tests). */
export function implementedFunctions(): string[] {
  return Object.keys(FUNCTIONS);
}
