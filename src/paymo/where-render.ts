/**
 * Renders pushed filters as the text of Paymo's `where=` parameter (paymo-api.md 1.8–1.9).
 *
 * Security model: Paymo's quoting rules are undocumented, so no escaping is trusted. A string is
 * only ever sent inside double quotes and only when it cannot end the quotes or be read as a second
 * condition under any plausible parser: no `"`, no `\`, no control characters, no ` and ` (any
 * case, any whitespace around) and no `&&`. Callers ask `isSafeText` at plan time and answer
 * `unsupported` for anything else (the filter then runs locally); `renderWhere` checks again and
 * throws, so an unsafe value can never reach the wire even through a caller bug.
 */

/** An operator as Paymo writes it. */
export type WhereOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'like' | 'in' | 'not in';

/**
 * A value in a condition: `number` (ids, integers, decimals), `bool`, `null`, `text` (always
 * double-quoted), `date` (bare `YYYY-MM-DD`), `unix` (whole Unix seconds, for date-time attributes).
 */
export type WhereValue =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'date'; readonly value: string }
  | { readonly kind: 'unix'; readonly value: number };

/** One condition; `values` has one entry unless `op` is `in` / `not in` (then at least one). */
export interface WhereCondition {
  readonly field: string;
  readonly op: WhereOp;
  readonly values: readonly WhereValue[];
}

/** A value that must not be sent (a caller bug: it should have answered `unsupported`). */
export class UnsafeWhereValueError extends Error {
  override readonly name = 'UnsafeWhereValueError';
}

const FIELD = /^[a-z_][a-z0-9_]*$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// C0/C1 controls, DEL, and the Unicode line/paragraph separators some parsers treat as newlines.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const AND_WORD = /(^|\s)and(\s|$)/i;
const KEYWORDS: ReadonlySet<string> = new Set(['null', 'anyone', 'true', 'false']);

/**
 * True if `s` may be sent as a double-quoted string: non-empty, no `"`, `\`, control characters,
 * ` and ` or `&&`, and not a word Paymo gives a meaning to (`null`, `anyone`, `true`, `false`),
 * which an unquoting parser might read as that meaning instead of the text.
 */
export function isSafeText(s: string): boolean {
  if (s.length === 0 || s.length > 500) return false;
  if (s.includes('"') || s.includes('\\') || s.includes('&&')) return false;
  if (CONTROL.test(s) || AND_WORD.test(s)) return false;
  return !KEYWORDS.has(s.trim().toLowerCase());
}

/** True if `n` renders as a plain decimal (no exponent, not NaN/Infinity). */
export function isSafeNumber(n: number): boolean {
  return Number.isFinite(n) && !/e/i.test(String(n));
}

/** The text of one value; throws UnsafeWhereValueError for anything `isSafe*` would refuse. */
export function renderValue(v: WhereValue): string {
  switch (v.kind) {
    case 'number':
      if (!isSafeNumber(v.value)) throw new UnsafeWhereValueError(`unsafe number in where: ${v.value}`);
      return String(v.value);
    case 'unix':
      if (!Number.isSafeInteger(v.value)) throw new UnsafeWhereValueError(`unsafe Unix time: ${v.value}`);
      return String(v.value);
    case 'bool':
      return v.value ? 'true' : 'false';
    case 'null':
      return 'null';
    case 'date':
      if (!DATE.test(v.value)) throw new UnsafeWhereValueError(`not a YYYY-MM-DD date: ${v.value}`);
      return v.value;
    case 'text':
      if (!isSafeText(v.value)) throw new UnsafeWhereValueError('unsafe text value in where');
      return `"${v.value}"`;
    default: {
      const never: never = v;
      throw new UnsafeWhereValueError(`unknown value ${JSON.stringify(never)}`);
    }
  }
}

/** One condition as text: symbolic operators unspaced (`a>=1`), word operators spaced (`a in (1,2)`). */
export function renderCondition(c: WhereCondition): string {
  if (!FIELD.test(c.field))
    throw new UnsafeWhereValueError(`bad where field name ${JSON.stringify(c.field)}`);
  if (c.values.length === 0) throw new UnsafeWhereValueError(`condition on ${c.field} has no value`);
  if (c.op === 'in' || c.op === 'not in')
    return `${c.field} ${c.op} (${c.values.map(renderValue).join(',')})`;
  if (c.values.length !== 1) throw new UnsafeWhereValueError(`${c.op} on ${c.field} takes one value`);
  const v = renderValue(c.values[0]!);
  return c.op === 'like' ? `${c.field} like ${v}` : `${c.field}${c.op}${v}`;
}

/** The whole `where` text: conditions joined by ` and ` (Paymo has no OR); '' for none. */
export function renderWhere(conds: readonly WhereCondition[]): string {
  return conds.map(renderCondition).join(' and ');
}

/** Unix seconds of epoch milliseconds, rounded down (`floor`) or up (`ceil`) to a whole second. */
export function unixSeconds(ms: number, round: 'floor' | 'ceil'): number {
  return round === 'floor' ? Math.floor(ms / 1000) : Math.ceil(ms / 1000);
}

/** `YYYY-MM-DDTHH:MM:SSZ` of epoch milliseconds (the interval pseudo-attributes' bound form). */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
