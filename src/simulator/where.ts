/**
 * The `where` filter language of the simulated Paymo API (paymo-api.md 1.8, 1.9, 1.11): parse a
 * clause into conditions, compile them once into a record predicate, and check required filters.
 *
 * Parsing is syntax only; meaning (field types, `anyone`, virtual filters) is applied by
 * compileWhere, so the server can parse once, route `child.field` conditions to includes with
 * splitByPrefix, check the required filter, and compile each part against its own schema.
 */
import type { CallContext, FieldType, Rec, RequiredFilter, ResourceDef, VirtualFilter } from './types.js';

/** A `where` operator, normalised: word operators are lower case with single spaces. */
export type WhereOp = '=' | '!=' | '<>' | '>' | '>=' | '<' | '<=' | 'like' | 'not like' | 'in' | 'not in';

/** A literal as written: quotes removed, `\"` / `\'` / `\\` escapes resolved; `quoted` keeps `"null"` apart from `null`. */
export interface WhereLiteral {
  readonly text: string;
  readonly quoted: boolean;
}

/** One condition; `field` may be dotted (`projects.active`) and `values` has one entry unless op is `in`/`not in`. */
export interface WhereCondition {
  readonly field: string;
  readonly op: WhereOp;
  readonly values: readonly WhereLiteral[];
}

/** A malformed or unsupported where clause; the simulator answers 400 with `message`. */
export class WhereError extends Error {
  override readonly name = 'WhereError';
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

const FIELD_RE = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/y;
// Longest first, so `>=` is never read as `>` followed by a value `=…`.
const SYMOPS = ['>=', '<=', '!=', '<>', '=', '>', '<'] as const;
const WORDOP_RE = /(not[ \t\r\n]+)?(like|in)(?![A-Za-z0-9_])/iy;
const AND_RE = /and(?=[ \t\r\n]|$)/iy;

function isWs(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** Quotes a piece of user input for an error message, shortened so a huge clause stays readable. */
function excerpt(s: string): string {
  return s.length > 60 ? `'${s.slice(0, 57)}...'` : `'${s}'`;
}

class WhereParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseAll(): WhereCondition[] {
    const out: WhereCondition[] = [];
    this.skipWs();
    if (this.atEnd()) return out;
    for (;;) {
      const cond = this.condition();
      out.push(cond);
      const hadWs = this.skipWs();
      if (this.atEnd()) return out;
      if (this.text.startsWith('&&', this.pos)) {
        this.pos += 2;
      } else if (hadWs && this.matchAnd()) {
        this.pos += 3;
      } else {
        // `+05:30` sent unencoded in a query string arrives as ` 05:30`.
        const lostPlus =
          /^\d{2}:?\d{2}\b/.test(this.rest()) && /T\d{2}:\d{2}/.test(cond.values.at(-1)?.text ?? '');
        throw new WhereError(
          `Unexpected ${excerpt(this.rest())} after condition ${excerpt(formatCondition(cond))} in where clause ` +
            (lostPlus
              ? `(a '+' in a time zone offset must be URL-encoded as %2B)`
              : `(conditions are joined with 'and')`),
        );
      }
      this.skipWs();
    }
  }

  private condition(): WhereCondition {
    const start = this.pos;
    if (this.atEnd() || this.atSeparator()) {
      throw new WhereError(`Empty condition in where clause ${excerpt(this.text)}`);
    }
    FIELD_RE.lastIndex = this.pos;
    const m = FIELD_RE.exec(this.text);
    if (!m) throw new WhereError(`Expected a field name at ${excerpt(this.rest())} in where clause`);
    const field = m[0];
    this.pos += field.length;
    const hadWs = this.skipWs();

    const sym = SYMOPS.find((o) => this.text.startsWith(o, this.pos));
    if (sym !== undefined) {
      this.pos += sym.length;
      const wsAfter = this.skipWs();
      const value = this.value(false, `${field}${sym}`, start);
      if (!value.quoted && wsAfter && value.text.toLowerCase() === 'and') {
        throw new WhereError(`Missing value after ${excerpt(`${field}${sym}`)} in where clause`);
      }
      return { field, op: sym, values: [value] };
    }

    if (hadWs) {
      WORDOP_RE.lastIndex = this.pos;
      const w = WORDOP_RE.exec(this.text);
      if (w) {
        this.pos += w[0].length;
        const word = w[2].toLowerCase() as 'like' | 'in';
        const op: WhereOp = w[1] !== undefined ? (`not ${word}` as const) : word;
        const shown = `${field} ${op}`;
        if (word === 'in') return { field, op, values: this.list(shown) };
        const wsAfter = this.skipWs();
        const c = this.text[this.pos];
        if (!wsAfter && c !== '"' && c !== "'") {
          throw new WhereError(`Missing value after ${excerpt(shown)} in where clause`);
        }
        return { field, op, values: [this.value(false, shown, start)] };
      }
    }

    if (this.atEnd()) throw new WhereError(`Missing operator after ${excerpt(field)} in where clause`);
    throw new WhereError(`Unknown operator in where condition ${excerpt(this.conditionText(start))}`);
  }

  private list(shown: string): WhereLiteral[] {
    this.skipWs();
    if (this.text[this.pos] !== '(') {
      throw new WhereError(`Expected '(' after ${excerpt(shown)} in where clause`);
    }
    this.pos++;
    this.skipWs();
    if (this.text[this.pos] === ')') {
      throw new WhereError(
        `'${shown.slice(shown.indexOf(' ') + 1)}' needs at least one value: ${excerpt(`${shown} ()`)}`,
      );
    }
    const values: WhereLiteral[] = [];
    for (;;) {
      if (this.atEnd())
        throw new WhereError(`Missing ')' after the list of ${excerpt(shown)} in where clause`);
      const c = this.text[this.pos];
      if (c === ',' || c === ')')
        throw new WhereError(`Empty value in the list of ${excerpt(shown)} in where clause`);
      values.push(this.value(true, shown, this.pos));
      this.skipWs();
      if (this.atEnd())
        throw new WhereError(`Missing ')' after the list of ${excerpt(shown)} in where clause`);
      const next = this.text[this.pos];
      if (next === ')') {
        this.pos++;
        return values;
      }
      if (next !== ',') {
        throw new WhereError(
          `Unexpected ${excerpt(this.rest())} in the list of ${excerpt(shown)} in where clause`,
        );
      }
      this.pos++;
      this.skipWs();
    }
  }

  private value(inList: boolean, shown: string, condStart: number): WhereLiteral {
    const text = this.text;
    const q = text[this.pos];
    if (q === '"' || q === "'") return this.quoted(q);
    const start = this.pos;
    const len = text.length;
    let i = start;
    while (i < len) {
      const code = text.charCodeAt(i);
      // `,` and `)` end a bare value (list syntax); `&&` is the alternative conjunction.
      if (isWs(code) || code === 44 || code === 41 || (code === 38 && text.charCodeAt(i + 1) === 38)) break;
      i++;
    }
    if (i === start) throw new WhereError(`Missing value after ${excerpt(shown)} in where clause`);
    this.pos = i;
    const raw = text.slice(start, i);
    // `a==1`, `a=>1`, `a=<1` would otherwise silently compare against the string `=1` / `>1`.
    if (!inList && /^[=<>!]/.test(raw)) {
      throw new WhereError(`Unknown operator in where condition ${excerpt(this.conditionText(condStart))}`);
    }
    return { text: raw, quoted: false };
  }

  private quoted(q: string): WhereLiteral {
    const text = this.text;
    const start = this.pos;
    let i = start + 1;
    let seg = i;
    let out = '';
    while (i < text.length) {
      const c = text[i];
      if (c === '\\' && (text[i + 1] === q || text[i + 1] === '\\')) {
        out += text.slice(seg, i) + text[i + 1];
        i += 2;
        seg = i;
        continue;
      }
      if (c === q) {
        out += text.slice(seg, i);
        this.pos = i + 1;
        return { text: out, quoted: true };
      }
      i++;
    }
    throw new WhereError(`Unterminated quoted value ${excerpt(text.slice(start))} in where clause`);
  }

  private atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  private atSeparator(): boolean {
    return this.text.startsWith('&&', this.pos) || this.matchAnd();
  }

  private matchAnd(): boolean {
    AND_RE.lastIndex = this.pos;
    return AND_RE.test(this.text);
  }

  /** Skips whitespace; true when some was skipped. */
  private skipWs(): boolean {
    const start = this.pos;
    while (this.pos < this.text.length && isWs(this.text.charCodeAt(this.pos))) this.pos++;
    return this.pos > start;
  }

  private rest(): string {
    return this.text.slice(this.pos);
  }

  /** The text of the condition starting at `start`, up to the next conjunction, for messages. */
  private conditionText(start: number): string {
    const tail = this.text.slice(start);
    const m = /\s+and\s|&&/i.exec(tail);
    return (m ? tail.slice(0, m.index) : tail).trim();
  }
}

/**
 * Parses a `where` clause (the 1.9 [SIM] grammar). Blank text gives `[]`. Throws WhereError, quoting
 * the offending part, on an empty condition, a missing or unknown operator, an unterminated quote, a
 * missing `)`, an empty `in ()` list, or trailing text that is not a conjunction.
 */
export function parseWhere(text: string): WhereCondition[] {
  return new WhereParser(text).parseAll();
}

function formatLiteral(l: WhereLiteral): string {
  if (!l.quoted && /^[^\s,()"'&]+$/.test(l.text)) return l.text;
  return `"${l.text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** Renders one condition back to `where` syntax; parseWhere(formatCondition(c)) gives back `c`. */
export function formatCondition(c: WhereCondition): string {
  if (c.op === 'in' || c.op === 'not in')
    return `${c.field} ${c.op} (${c.values.map(formatLiteral).join(',')})`;
  const v = c.values.length > 0 ? formatLiteral(c.values[0]) : '';
  return c.op === 'like' || c.op === 'not like' ? `${c.field} ${c.op} ${v}` : `${c.field}${c.op}${v}`;
}

/** Renders conditions as one clause joined with ` and ` (the documented conjunction). */
export function formatWhere(conds: readonly WhereCondition[]): string {
  return conds.map(formatCondition).join(' and ');
}

/**
 * Separates a parsed clause into the main object's conditions (`own`, undotted) and conditions on
 * included collections, keyed by include path (everything before the last dot) with the field
 * rewritten to the last segment: `projects.tasklists.tasks.complete=false` → key
 * `projects.tasklists.tasks`, field `complete`. Order within each part is kept.
 */
export function splitByPrefix(conds: readonly WhereCondition[]): {
  own: WhereCondition[];
  byPrefix: Map<string, WhereCondition[]>;
} {
  const own: WhereCondition[] = [];
  const byPrefix = new Map<string, WhereCondition[]>();
  for (const c of conds) {
    const dot = c.field.lastIndexOf('.');
    if (dot < 0) {
      own.push(c);
      continue;
    }
    const prefix = c.field.slice(0, dot);
    let list = byPrefix.get(prefix);
    if (!list) {
      list = [];
      byPrefix.set(prefix, list);
    }
    list.push({ ...c, field: c.field.slice(dot + 1) });
  }
  return { own, byPrefix };
}

// ---------------------------------------------------------------------------------------------
// Literal coercion and date-time parsing
// ---------------------------------------------------------------------------------------------

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const UNIX_RE = /^[+-]?\d+(?:\.\d+)?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

function isNullLiteral(l: WhereLiteral): boolean {
  return !l.quoted && l.text.toLowerCase() === 'null';
}

function isAnyone(l: WhereLiteral): boolean {
  return l.text.toLowerCase() === 'anyone';
}

function badValue(l: WhereLiteral, type: FieldType, field: string, expected: string): WhereError {
  return new WhereError(
    `Invalid value ${excerpt(l.text)} for ${type} field '${field}' in where condition (expected ${expected})`,
  );
}

function daysInMonth(y: number, m: number): number {
  return m === 2
    ? y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(m)
      ? 30
      : 31;
}

/** Epoch ms of a UTC calendar time; Date.UTC alone maps years 0–99 to 1900–1999. */
function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if (y >= 100) return t;
  const dt = new Date(t);
  dt.setUTCFullYear(y);
  return dt.getTime();
}

/** ISO 8601 date or date-time (no zone = UTC) to epoch ms; NaN unless it names a real instant. */
function parseIsoMs(s: string): number {
  const m = ISO_RE.exec(s);
  if (!m) return Number.NaN;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = m[4] ? Number(m[4]) : 0;
  const mi = m[5] ? Number(m[5]) : 0;
  const sec = m[6] ? Number(m[6]) : 0;
  const frac = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || sec > 59)
    return Number.NaN;
  let offsetMin = 0;
  if (m[9]) {
    const oh = Number(m[10]);
    const om = m[11] ? Number(m[11]) : 0;
    if (oh > 23 || om > 59) return Number.NaN;
    offsetMin = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return utcMs(y, mo, d, h, mi, sec, frac) - offsetMin * 60_000;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm; cheaper than Date.UTC). */
function daysFromCivil(year: number, m: number, d: number): number {
  const y = m <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The two-digit number at `s[at]`, `s[at+1]`, or -1 when either is not a digit. */
function twoDigits(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48;
  const b = s.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Whether `v` has the shape of Paymo's canonical UTC date-time, `2014-12-12T14:42:49Z`. */
function isCanonicalDatetime(v: string): boolean {
  return (
    v.length === 20 &&
    v.charCodeAt(19) === 90 &&
    v.charCodeAt(10) === 84 &&
    v.charCodeAt(4) === 45 &&
    v.charCodeAt(7) === 45 &&
    v.charCodeAt(13) === 58 &&
    v.charCodeAt(16) === 58
  );
}

/**
 * A stored date-time (ISO 8601 string, normally `2014-12-12T14:42:49Z`) as epoch ms; NaN for null,
 * absent or unreadable values. The canonical 20-character form is decoded without a regex because
 * the simulator runs this over a million time entries per filtered list.
 */
export function datetimeToMs(v: unknown): number {
  if (typeof v !== 'string') return v instanceof Date ? v.getTime() : Number.NaN;
  if (isCanonicalDatetime(v)) {
    const yh = twoDigits(v, 0);
    const yl = twoDigits(v, 2);
    const y = yh * 100 + yl;
    const mo = twoDigits(v, 5);
    const d = twoDigits(v, 8);
    const h = twoDigits(v, 11);
    const mi = twoDigits(v, 14);
    const s = twoDigits(v, 17);
    if (
      yh >= 1 &&
      yl >= 0 &&
      mo >= 1 &&
      mo <= 12 &&
      d >= 1 &&
      (d <= 28 || d <= daysInMonth(y, mo)) &&
      h >= 0 &&
      h <= 23 &&
      mi >= 0 &&
      mi <= 59 &&
      s >= 0 &&
      s <= 59
    ) {
      return (((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60 + s) * 1000;
    }
  }
  return parseIsoMs(v);
}

/** Epoch ms as `2014-12-12T14:42:49Z` when that form is exact (whole seconds, years 1000–9999). */
function canonicalDatetime(ms: number): string | undefined {
  if (ms % 1000 !== 0 || ms < Date.UTC(1000, 0, 1) || ms >= Date.UTC(10000, 0, 1)) return undefined;
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** A stored `YYYY-MM-DD` date as epoch ms at 00:00 UTC; NaN for null, absent or unreadable values. */
export function dateToMs(v: unknown): number {
  if (typeof v !== 'string') return Number.NaN;
  const m = DATE_RE.exec(v);
  if (!m) return Number.NaN;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return Number.NaN;
  return utcMs(y, mo, d, 0, 0, 0, 0);
}

function msToDate(ms: number): string | undefined {
  const dt = new Date(ms);
  const y = dt.getUTCFullYear();
  if (Number.isNaN(ms) || y < 0 || y > 9999) return undefined;
  return `${String(y).padStart(4, '0')}-${String(dt.getUTCMonth() + 1).padStart(2, '0')}-${String(dt.getUTCDate()).padStart(2, '0')}`;
}

function coerceNumber(l: WhereLiteral, type: FieldType, field: string): number {
  const t = l.text.trim();
  if (!NUMBER_RE.test(t)) throw badValue(l, type, field, 'a number');
  return Number(t);
}

function coerceDatetimeMs(l: WhereLiteral, type: FieldType, field: string): number {
  const t = l.text.trim();
  const ms = UNIX_RE.test(t) ? Math.round(Number(t) * 1000) : parseIsoMs(t);
  if (!Number.isFinite(ms)) {
    throw badValue(l, type, field, 'Unix seconds or an ISO 8601 date-time such as 2014-12-01T00:00:00Z');
  }
  return ms;
}

function coerceDate(l: WhereLiteral, type: FieldType, field: string): string {
  const t = l.text.trim();
  const ms = UNIX_RE.test(t) ? Math.round(Number(t) * 1000) : DATE_RE.test(t) ? dateToMs(t) : parseIsoMs(t);
  const date = Number.isFinite(ms) ? msToDate(ms) : undefined;
  if (date === undefined) throw badValue(l, type, field, 'YYYY-MM-DD or Unix seconds');
  return date;
}

/**
 * Coerces one literal to the comparable value of a field of `type`: bare `null` → null (any type);
 * bool → boolean (`true`/`false`, bare or quoted, any case); int/number → number; string/html → the
 * text; date → `YYYY-MM-DD` (Unix seconds and ISO date-times become their UTC date); datetime →
 * epoch ms (Unix seconds, or ISO 8601 with `Z`/offset/no zone = UTC, or a bare date = 00:00 UTC);
 * int[]/string[] → one element (`anyone` is returned as the string `anyone`); any → boolean, number
 * or text by its look; object → only null. Throws WhereError naming the field and the value.
 */
export function coerceLiteral(lit: WhereLiteral, type: FieldType, field: string): unknown {
  if (isNullLiteral(lit)) return null;
  switch (type) {
    case 'bool': {
      const t = lit.text.trim().toLowerCase();
      if (t === 'true') return true;
      if (t === 'false') return false;
      throw badValue(lit, type, field, 'true or false');
    }
    case 'int':
    case 'number':
      return coerceNumber(lit, type, field);
    case 'string':
    case 'html':
    case 'string[]':
      return lit.text;
    case 'date':
      return coerceDate(lit, type, field);
    case 'datetime':
      return coerceDatetimeMs(lit, type, field);
    case 'int[]':
      return isAnyone(lit) ? 'anyone' : coerceNumber(lit, type, field);
    case 'any': {
      const t = lit.text.toLowerCase();
      if (t === 'true' || t === 'false') return t === 'true';
      return !lit.quoted && NUMBER_RE.test(lit.text) ? Number(lit.text) : lit.text;
    }
    case 'object':
      throw badValue(lit, type, field, 'null');
    default: {
      const never: never = type;
      throw new WhereError(`Unsupported field type ${String(never)} for '${field}'`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------------------------

/** What the compiler needs to know about the object being filtered. */
export type WhereSchema = Pick<ResourceDef, 'fields' | 'virtualFilters'>;

type Pred = (rec: Rec, ctx: CallContext) => boolean;
type Getter = (rec: Rec, ctx: CallContext) => unknown;
type Key = number | string | boolean;

/**
 * How one scalar type compares: `lit` turns a (non-null) literal into a key, `key` turns a stored
 * value into one (undefined for null, absent or unreadable), `cmp` orders two keys.
 */
interface Domain {
  lit(l: WhereLiteral): Key;
  key(v: unknown): Key | undefined;
  cmp(a: Key, b: Key): number;
}

function cmpPrimitive(a: Key, b: Key): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function numberKey(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isNaN(v) ? undefined : v;
  // Tolerate numeric strings: some Paymo attributes arrive as strings (company `due_interval`).
  if (typeof v === 'string' && v.trim() !== '' && NUMBER_RE.test(v.trim())) return Number(v);
  return undefined;
}

function domainFor(type: FieldType, field: string): Domain {
  switch (type) {
    case 'int':
    case 'number':
      return {
        lit: (l) => coerceNumber(l, type, field),
        key: numberKey,
        cmp: (a, b) => (a as number) - (b as number),
      };
    case 'string':
    case 'html':
      return {
        lit: (l) => l.text,
        key: (v) =>
          typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined,
        cmp: cmpPrimitive,
      };
    case 'date':
      return {
        lit: (l) => coerceDate(l, type, field),
        key: (v) => {
          if (typeof v !== 'string') return undefined;
          if (v.length === 10) return v;
          const ms = datetimeToMs(v);
          return Number.isNaN(ms) ? undefined : msToDate(ms);
        },
        cmp: cmpPrimitive,
      };
    case 'datetime':
      return {
        lit: (l) => coerceDatetimeMs(l, type, field),
        key: (v) => {
          const ms = datetimeToMs(v);
          return Number.isNaN(ms) ? undefined : ms;
        },
        cmp: (a, b) => (a as number) - (b as number),
      };
    default:
      // `any`: numbers compare as numbers, everything else by its text.
      return {
        lit: (l) => coerceLiteral(l, 'any', field) as Key,
        key: (v) =>
          typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : undefined,
        cmp: (a, b) =>
          typeof a === 'number' && typeof b === 'number' ? a - b : cmpPrimitive(String(a), String(b)),
      };
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** `like` matching: case-insensitive; `%`/`_` wildcards anchored when `%` is present, else substring. */
function likeMatcher(pattern: string): RegExp {
  if (!pattern.includes('%')) return new RegExp(escapeRegExp(pattern), 'iu');
  let src = '^';
  for (const ch of pattern) src += ch === '%' ? '[\\s\\S]*' : ch === '_' ? '[\\s\\S]' : escapeRegExp(ch);
  return new RegExp(`${src}$`, 'iu');
}

function unsupported(op: WhereOp, what: string, field: string, hint: string): WhereError {
  return new WhereError(
    `Operator '${op}' is not supported on ${what} '${field}' in where condition (${hint})`,
  );
}

function compileLike(c: WhereCondition, get: Getter): Pred {
  const re = likeMatcher(c.values[0].text);
  const want = c.op === 'like';
  return (rec, ctx) => {
    const v = get(rec, ctx);
    if (v === null || v === undefined) return false;
    return re.test(typeof v === 'string' ? v : String(v)) === want;
  };
}

function compileScalar(c: WhereCondition, type: FieldType, get: Getter, field: string): Pred {
  const { op, values } = c;
  if (op === 'like' || op === 'not like') return compileLike(c, get);
  const d = domainFor(type, field);

  if (op === 'in' || op === 'not in') {
    let hasNull = false;
    const set = new Set<Key>();
    for (const l of values) {
      if (isNullLiteral(l)) hasNull = true;
      else set.add(d.lit(l));
    }
    const key = d.key;
    if (op === 'in') {
      return (rec, ctx) => {
        const k = key(get(rec, ctx));
        return k === undefined ? hasNull : set.has(k);
      };
    }
    return (rec, ctx) => {
      const k = key(get(rec, ctx));
      return k !== undefined && !set.has(k);
    };
  }

  const lit = values[0];
  if (isNullLiteral(lit)) {
    if (op === '=') return (rec, ctx) => get(rec, ctx) == null;
    if (op === '!=' || op === '<>') return (rec, ctx) => get(rec, ctx) != null;
    return () => false;
  }
  const L = d.lit(lit);
  const { key, cmp } = d;

  // The hot paths of the simulator (`project_id=5`, `status=paid`) skip key/cmp when the stored
  // value already has the literal's JS type.
  if (op === '=' && (type === 'int' || type === 'number' || type === 'string' || type === 'html')) {
    return (rec, ctx) => {
      const v = get(rec, ctx);
      if (v === L) return true;
      if (typeof v === typeof L || v === null || v === undefined) return false;
      const k = key(v);
      return k !== undefined && cmp(k, L) === 0;
    };
  }
  const test = orderTest(op);
  const canon = type === 'datetime' ? canonicalDatetime(L as number) : undefined;
  if (canon !== undefined) {
    // Fixed-width UTC ISO strings sort like the instants they name, so the common stored form is
    // compared as text (~10 ns) instead of being decoded (~50 ns) for every record.
    return (rec, ctx) => {
      const v = get(rec, ctx);
      if (typeof v === 'string' && isCanonicalDatetime(v)) return test(v < canon ? -1 : v > canon ? 1 : 0);
      const k = key(v);
      return k !== undefined && test(cmp(k, L));
    };
  }
  return (rec, ctx) => {
    const k = key(get(rec, ctx));
    return k !== undefined && test(cmp(k, L));
  };
}

function orderTest(op: WhereOp): (c: number) => boolean {
  switch (op) {
    case '=':
      return (c) => c === 0;
    case '!=':
    case '<>':
      return (c) => c !== 0;
    case '>':
      return (c) => c > 0;
    case '>=':
      return (c) => c >= 0;
    case '<':
      return (c) => c < 0;
    case '<=':
      return (c) => c <= 0;
    default:
      throw new WhereError(`Operator '${op}' cannot be used here`);
  }
}

function compileBool(c: WhereCondition, get: Getter, field: string): Pred {
  const { op } = c;
  if (op !== '=' && op !== '!=' && op !== '<>') {
    throw unsupported(op, 'boolean field', field, 'use = or !=');
  }
  const lit = c.values[0];
  if (isNullLiteral(lit)) {
    return op === '=' ? (rec, ctx) => get(rec, ctx) == null : (rec, ctx) => get(rec, ctx) != null;
  }
  const L = coerceLiteral(lit, 'bool', field) as boolean;
  if (op === '=') return (rec, ctx) => get(rec, ctx) === L;
  return (rec, ctx) => get(rec, ctx) === !L;
}

function compileArray(c: WhereCondition, type: 'int[]' | 'string[]', get: Getter, field: string): Pred {
  const { op, values } = c;
  if (op !== '=' && op !== '!=' && op !== '<>' && op !== 'in' && op !== 'not in') {
    throw unsupported(op, 'array field', field, 'use =, !=, in or not in');
  }
  let anyone = false;
  let hasNull = false;
  const items: unknown[] = [];
  for (const l of values) {
    if (isNullLiteral(l)) hasNull = true;
    else if (isAnyone(l)) anyone = true;
    else items.push(type === 'int[]' ? coerceNumber(l, type, field) : l.text);
  }
  const isEmpty = (v: unknown): boolean =>
    v === null || v === undefined || (Array.isArray(v) && v.length === 0);

  if (op === 'in' || op === 'not in') {
    const set = new Set(items);
    const hit = (v: unknown): boolean => {
      if (v === null || v === undefined) return hasNull || anyone;
      if (!Array.isArray(v)) return false;
      if (anyone && v.length === 0) return true;
      for (let i = 0; i < v.length; i++) if (set.has(v[i])) return true;
      return false;
    };
    return op === 'in' ? (rec, ctx) => hit(get(rec, ctx)) : (rec, ctx) => !hit(get(rec, ctx));
  }

  const positive = op === '=';
  if (hasNull) return positive ? (rec, ctx) => get(rec, ctx) == null : (rec, ctx) => get(rec, ctx) != null;
  if (anyone) return positive ? (rec, ctx) => isEmpty(get(rec, ctx)) : (rec, ctx) => !isEmpty(get(rec, ctx));
  const x = items[0];
  const contains = (v: unknown): boolean => Array.isArray(v) && v.includes(x);
  return positive ? (rec, ctx) => contains(get(rec, ctx)) : (rec, ctx) => !contains(get(rec, ctx));
}

function compileObject(c: WhereCondition, get: Getter, field: string): Pred {
  const { op } = c;
  if ((op === '=' || op === '!=' || op === '<>') && isNullLiteral(c.values[0])) {
    return op === '=' ? (rec, ctx) => get(rec, ctx) == null : (rec, ctx) => get(rec, ctx) != null;
  }
  throw new WhereError(
    `Field '${field}' holds an object; only '${field}=null' and '${field}!=null' are supported in where conditions`,
  );
}

function compileTyped(c: WhereCondition, type: FieldType, get: Getter, field: string): Pred {
  switch (type) {
    case 'int[]':
    case 'string[]':
      return compileArray(c, type, get, field);
    case 'bool':
      return compileBool(c, get, field);
    case 'object':
      return compileObject(c, get, field);
    default:
      return compileScalar(c, type, get, field);
  }
}

function intervalBoundMs(l: WhereLiteral, type: 'date' | 'datetime', name: string): number {
  if (isNullLiteral(l)) throw badValue(l, type, name, 'a date, not null');
  return type === 'date' ? dateToMs(coerceDate(l, type, name)) : coerceDatetimeMs(l, type, name);
}

function compileVirtual(c: WhereCondition, vf: VirtualFilter): Pred {
  switch (vf.kind) {
    case 'derived': {
      const value = vf.value;
      return compileTyped(c, vf.type, (rec, ctx) => value(rec, ctx), vf.name);
    }
    case 'interval': {
      if (c.op !== 'in' || c.values.length !== 2) {
        throw new WhereError(
          `'${vf.name}' only accepts ${vf.name} in ("<start>","<end>"), got ${excerpt(formatCondition(c))}`,
        );
      }
      const from = intervalBoundMs(c.values[0], vf.type, vf.name);
      const to = intervalBoundMs(c.values[1], vf.type, vf.name);
      const test = vf.test;
      return (rec, ctx) => test(rec, from, to, ctx);
    }
    case 'predicate': {
      if (c.op !== '=') {
        throw new WhereError(`'${vf.name}' only accepts '=', got ${excerpt(formatCondition(c))}`);
      }
      const value = coerceLiteral(c.values[0], vf.type, vf.name);
      const test = vf.test;
      return (rec, ctx) => test(rec, value, ctx);
    }
    default: {
      const never: never = vf;
      throw new WhereError(`Unsupported virtual filter ${String(never)}`);
    }
  }
}

function compileCondition(c: WhereCondition, schema: WhereSchema): Pred {
  if (c.field.includes('.')) {
    throw new WhereError(
      `Condition ${excerpt(formatCondition(c))} filters an included collection and cannot apply to the listed objects`,
    );
  }
  const isList = c.op === 'in' || c.op === 'not in';
  if (c.values.length === 0 || (!isList && c.values.length !== 1)) {
    throw new WhereError(`Condition on '${c.field}' with operator '${c.op}' has ${c.values.length} values`);
  }
  // A virtual filter wins over a stored field of the same name: it exists precisely to change
  // what filtering on that name means.
  const vf = schema.virtualFilters?.find((v) => v.name === c.field);
  if (vf) return compileVirtual(c, vf);
  const fd = schema.fields.find((f) => f.name === c.field && f.access !== 'W' && f.access !== 'V');
  if (!fd)
    throw new WhereError(`Unknown field '${c.field}' in where condition ${excerpt(formatCondition(c))}`);
  const name = fd.name;
  return compileTyped(c, fd.type, (rec) => rec[name], name);
}

/**
 * Compiles undotted conditions into one predicate (their conjunction), resolving each field in
 * `schema.fields` (write-only and virtual-parameter fields excluded) or `schema.virtualFilters`.
 * All literals are coerced here, so errors surface before any record is read: WhereError for an
 * unknown field, a dotted field (route those with splitByPrefix), a bad value or an operator the
 * field's type does not support. Semantics are those of paymo-api.md 1.9 [SIM]; comparisons other
 * than `= null` / `!= null` / `in (…, null)` are false on null or absent values, as in SQL.
 */
export function compileWhere(
  conds: readonly WhereCondition[],
  schema: WhereSchema,
): (rec: Rec, ctx: CallContext) => boolean {
  const preds = conds.map((c) => compileCondition(c, schema));
  switch (preds.length) {
    case 0:
      return () => true;
    case 1:
      return preds[0];
    case 2: {
      const [a, b] = preds;
      return (rec, ctx) => a(rec, ctx) && b(rec, ctx);
    }
    default:
      return (rec, ctx) => {
        for (let i = 0; i < preds.length; i++) if (!preds[i](rec, ctx)) return false;
        return true;
      };
  }
}

// ---------------------------------------------------------------------------------------------
// Required list filters (1.11)
// ---------------------------------------------------------------------------------------------

/**
 * Whether a list request's conditions meet its required filter (1.11 [SIM]): a top-level `=` or
 * `in` on a field of `rf.anyOf`, an `in` on a field of `rf.intervals`, or conditions (any
 * operator) on every field of one `rf.allOf` group. Dotted conditions never count.
 */
export function satisfiesRequiredFilter(conds: readonly WhereCondition[], rf: RequiredFilter): boolean {
  const own = conds.filter((c) => !c.field.includes('.'));
  if (own.some((c) => (c.op === '=' || c.op === 'in') && rf.anyOf.includes(c.field))) return true;
  const intervals = rf.intervals ?? [];
  if (own.some((c) => c.op === 'in' && intervals.includes(c.field))) return true;
  return (rf.allOf ?? []).some(
    (group) => group.length > 0 && group.every((f) => own.some((c) => c.field === f)),
  );
}

/**
 * The human text naming what a required filter accepts, for the 400 message, e.g.
 * `a filter on one of: task_id, project_id, user_id, client_id, or time_interval in ("<start>","<end>")`.
 */
export function describeRequiredFilter(rf: RequiredFilter): string {
  const alts = [
    ...rf.anyOf,
    ...(rf.intervals ?? []).map((f) => `${f} in ("<start>","<end>")`),
    ...(rf.allOf ?? []).map((g) => g.join(' and ')),
  ];
  if (alts.length === 0) return 'a filter';
  if (alts.length === 1) return `a filter on ${alts[0]}`;
  return `a filter on one of: ${alts.slice(0, -1).join(', ')}, or ${alts[alts.length - 1]}`;
}
