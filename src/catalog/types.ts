import { featureNotSupported } from '../errors.js';

/**
 * A SQL type the engine understands. Runtime representation (the one place it is written down; every
 * operator, function and TableSource must use exactly these JS values):
 *
 * | SQL type           | JS value                                                                   |
 * |--------------------|----------------------------------------------------------------------------|
 * | NULL (any type)    | `null` (never `undefined`)                                                 |
 * | `bigint`,`integer` | `number` (integral; ids and counts stay far below 2^53)                    |
 * | `numeric`          | `number` (IEEE double: fast, exact for money with 2 decimals up to ~10^13)  |
 * | `double precision` | `number`                                                                   |
 * | `text`             | `string`                                                                   |
 * | `boolean`          | `boolean`                                                                  |
 * | `date`             | `string` `'YYYY-MM-DD'` (sorts and compares correctly as a string)         |
 * | `timestamptz`      | `number`: milliseconds since 1970-01-01T00:00:00Z (an absolute instant)     |
 * | `timestamp`        | `number`: milliseconds since the epoch, read as UTC wall-clock time        |
 * | `interval`         | `Interval` `{ months, days, ms }` (PostgreSQL's three fields)              |
 * | `jsonb`            | parsed JSON (`JSON.parse` output); a top-level JSON `null` reads as SQL NULL |
 * | `T[]`              | JS array of `T`'s representation, elements may be `null`                   |
 * | `unknown`          | untyped literal (`'abc'`, `NULL`, `$1` before coercion): string or null     |
 *
 * How a timestamptz reads as wall-clock time (casts to date/text, date_trunc, extract, to_char,
 * adding days/months) depends on the session time zone (timezone.ts; UTC unless a query says
 * otherwise). Timestamps read from sources are whole milliseconds; an interval's `ms` (and so a
 * timestamp computed with it) may carry a fraction down to the microsecond, PostgreSQL's resolution,
 * which the text output shows.
 */
export type ScalarType =
  | 'bigint'
  | 'integer'
  | 'numeric'
  | 'double precision'
  | 'text'
  | 'boolean'
  | 'date'
  | 'timestamptz'
  | 'timestamp'
  | 'interval'
  | 'jsonb';

/** A column or expression type: a scalar, a one-dimensional array of a scalar, or `unknown`. */
export type SqlType = ScalarType | `${ScalarType}[]` | 'unknown';

/** An interval value: PostgreSQL keeps months, days and sub-day time separately. */
export interface Interval {
  readonly months: number;
  readonly days: number;
  readonly ms: number;
}

/** One column of a table or of a result: a name, its type, whether it may be NULL, and a description. */
export interface Column {
  readonly name: string;
  readonly type: SqlType;
  readonly nullable: boolean;
  readonly comment?: string;
}

/** A row as it flows between operators: values in the positional order of the producing node's columns. */
export type Row = unknown[];

/** True for the numeric types (integer, bigint, numeric, double precision). */
export function isNumericType(t: SqlType): boolean {
  return t === 'integer' || t === 'bigint' || t === 'numeric' || t === 'double precision';
}

/** True for integral types, whose division truncates. */
export function isIntegerType(t: SqlType): boolean {
  return t === 'integer' || t === 'bigint';
}

/** True for `T[]` types. */
export function isArrayType(t: SqlType): t is `${ScalarType}[]` {
  return t.endsWith('[]');
}

/** The element type of an array type (`text[]` → `text`); `unknown` for non-arrays. */
export function elementType(t: SqlType): SqlType {
  return isArrayType(t) ? (t.slice(0, -2) as ScalarType) : 'unknown';
}

const TYPE_ALIASES: Record<string, ScalarType> = {
  int: 'integer',
  int4: 'integer',
  integer: 'integer',
  smallint: 'integer',
  int2: 'integer',
  serial: 'integer',
  bigint: 'bigint',
  int8: 'bigint',
  oid: 'bigint',
  bigserial: 'bigint',
  numeric: 'numeric',
  decimal: 'numeric',
  real: 'double precision',
  float4: 'double precision',
  float: 'double precision',
  float8: 'double precision',
  'double precision': 'double precision',
  double: 'double precision',
  text: 'text',
  varchar: 'text',
  'character varying': 'text',
  char: 'text',
  character: 'text',
  bpchar: 'text',
  string: 'text',
  name: 'text',
  boolean: 'boolean',
  bool: 'boolean',
  date: 'date',
  timestamptz: 'timestamptz',
  'timestamp with time zone': 'timestamptz',
  timestamp: 'timestamp',
  'timestamp without time zone': 'timestamp',
  interval: 'interval',
  jsonb: 'jsonb',
  json: 'jsonb',
};

/** Resolves a type name as written in SQL (`int4`, `varchar`, `timestamp with time zone`, `text[]`). */
export function parseTypeName(raw: string): SqlType {
  let name = raw.trim().toLowerCase().replace(/\s+/g, ' ');
  let array = false;
  if (name.endsWith('[]')) {
    array = true;
    name = name.slice(0, -2).trim();
  }
  name = name.replace(/\s*\(.*\)$/, '');
  const scalar = TYPE_ALIASES[name];
  if (scalar === undefined) throw featureNotSupported(`type "${raw}"`);
  return array ? `${scalar}[]` : scalar;
}
