import { elementType, isArrayType, isNumericType, type SqlType } from '../catalog/types.js';
import { datatypeMismatch, SqlError, undefinedFunction } from '../errors.js';
import type { Expr } from './expr.js';
import { coerce, commonType } from './types.js';

/** Typing rule of one scalar function: arity, argument types (after coercion) and result type. */
interface FnSig {
  readonly min: number;
  readonly max: number;
  /** Target types for the arguments (unknown literals are coerced to these); `undefined` keeps the argument. */
  readonly args?: (types: readonly SqlType[]) => readonly (SqlType | undefined)[];
  readonly ret: (types: readonly SqlType[]) => SqlType;
}

const TEXT = (): SqlType => 'text';
const allText = (types: readonly SqlType[]): SqlType[] => types.map(() => 'text');
// PostgreSQL has numeric and double precision versions of these; integers resolve to the
// preferred type of the category, double precision.
const numOrDouble = (t: SqlType): SqlType => (t === 'numeric' ? 'numeric' : 'double precision');
// Two arguments: numeric when one matches the numeric version exactly and none the double one.
const numOrDouble2 = (t: readonly SqlType[]): SqlType =>
  t.includes('numeric') && !t.includes('double precision') ? 'numeric' : 'double precision';
const sameNum = (types: readonly SqlType[]): SqlType => (types[0] === 'unknown' ? 'numeric' : types[0]!);

const SCALAR: Record<string, FnSig> = {
  lower: { min: 1, max: 1, args: allText, ret: TEXT },
  upper: { min: 1, max: 1, args: allText, ret: TEXT },
  initcap: { min: 1, max: 1, args: allText, ret: TEXT },
  length: { min: 1, max: 1, args: allText, ret: () => 'integer' },
  char_length: { min: 1, max: 1, args: allText, ret: () => 'integer' },
  character_length: { min: 1, max: 1, args: allText, ret: () => 'integer' },
  octet_length: { min: 1, max: 1, args: allText, ret: () => 'integer' },
  substring: {
    min: 2,
    max: 3,
    // substring(s FROM pattern): a text (or untyped) second argument is a POSIX regular expression.
    args: (t) =>
      t.length === 2 && (t[1] === 'text' || t[1] === 'unknown')
        ? ['text', 'text']
        : ['text', ...t.slice(1).map(() => 'integer' as const)],
    ret: TEXT,
  },
  substr: { min: 2, max: 3, args: (t) => ['text', ...t.slice(1).map(() => 'integer' as const)], ret: TEXT },
  left: { min: 2, max: 2, args: () => ['text', 'integer'], ret: TEXT },
  right: { min: 2, max: 2, args: () => ['text', 'integer'], ret: TEXT },
  lpad: { min: 2, max: 3, args: () => ['text', 'integer', 'text'], ret: TEXT },
  rpad: { min: 2, max: 3, args: () => ['text', 'integer', 'text'], ret: TEXT },
  btrim: { min: 1, max: 2, args: allText, ret: TEXT },
  ltrim: { min: 1, max: 2, args: allText, ret: TEXT },
  rtrim: { min: 1, max: 2, args: allText, ret: TEXT },
  trim: { min: 1, max: 2, args: allText, ret: TEXT },
  replace: { min: 3, max: 3, args: allText, ret: TEXT },
  split_part: { min: 3, max: 3, args: () => ['text', 'text', 'integer'], ret: TEXT },
  position: { min: 2, max: 2, args: allText, ret: () => 'integer' },
  strpos: { min: 2, max: 2, args: allText, ret: () => 'integer' },
  repeat: { min: 2, max: 2, args: () => ['text', 'integer'], ret: TEXT },
  reverse: { min: 1, max: 1, args: allText, ret: TEXT },
  concat: { min: 0, max: 1000, ret: TEXT },
  concat_ws: { min: 1, max: 1000, args: (t) => ['text', ...t.slice(1).map(() => undefined)], ret: TEXT },
  starts_with: { min: 2, max: 2, args: allText, ret: () => 'boolean' },
  string_to_array: { min: 2, max: 3, args: allText, ret: () => 'text[]' },
  regexp_replace: { min: 3, max: 4, args: allText, ret: TEXT },
  translate: { min: 3, max: 3, args: allText, ret: TEXT },
  quote_ident: { min: 1, max: 1, args: allText, ret: TEXT },
  quote_literal: { min: 1, max: 1, ret: TEXT },
  format: { min: 1, max: 1000, args: (t) => ['text', ...t.slice(1).map(() => undefined)], ret: TEXT },
  md5: { min: 1, max: 1, args: allText, ret: TEXT },
  chr: { min: 1, max: 1, args: () => ['integer'], ret: TEXT },
  ascii: { min: 1, max: 1, args: allText, ret: () => 'integer' },
  abs: { min: 1, max: 1, ret: sameNum },
  round: {
    min: 1,
    max: 2,
    args: (t) => (t.length === 2 ? ['numeric', 'integer'] : [t[0] === 'unknown' ? 'numeric' : undefined]),
    ret: (t) => (t.length === 2 ? 'numeric' : numOrDouble(t[0]!)),
  },
  trunc: {
    min: 1,
    max: 2,
    args: (t) => (t.length === 2 ? ['numeric', 'integer'] : [t[0] === 'unknown' ? 'numeric' : undefined]),
    ret: (t) => (t.length === 2 ? 'numeric' : numOrDouble(t[0]!)),
  },
  ceil: { min: 1, max: 1, ret: (t) => numOrDouble(t[0]!) },
  ceiling: { min: 1, max: 1, ret: (t) => numOrDouble(t[0]!) },
  floor: { min: 1, max: 1, ret: (t) => numOrDouble(t[0]!) },
  sign: { min: 1, max: 1, ret: (t) => numOrDouble(t[0]!) },
  mod: { min: 2, max: 2, ret: (t) => commonType(t, 'mod') },
  power: { min: 2, max: 2, ret: numOrDouble2 },
  pow: { min: 2, max: 2, ret: numOrDouble2 },
  sqrt: { min: 1, max: 1, ret: (t) => numOrDouble(t[0]!) },
  exp: { min: 1, max: 1, ret: (t) => numOrDouble(t[0]!) },
  ln: { min: 1, max: 1, ret: (t) => numOrDouble(t[0]!) },
  // log(b, x) exists only for numeric.
  log: { min: 1, max: 2, ret: (t) => (t.length === 2 ? 'numeric' : numOrDouble(t[0]!)) },
  random: { min: 0, max: 0, ret: () => 'double precision' },
  pi: { min: 0, max: 0, ret: () => 'double precision' },
  now: { min: 0, max: 0, ret: () => 'timestamptz' },
  current_timestamp: { min: 0, max: 0, ret: () => 'timestamptz' },
  localtimestamp: { min: 0, max: 0, ret: () => 'timestamp' },
  current_date: { min: 0, max: 0, ret: () => 'date' },
  statement_timestamp: { min: 0, max: 0, ret: () => 'timestamptz' },
  transaction_timestamp: { min: 0, max: 0, ret: () => 'timestamptz' },
  clock_timestamp: { min: 0, max: 0, ret: () => 'timestamptz' },
  date_trunc: {
    min: 2,
    max: 2,
    args: (t) => ['text', t[1] === 'date' || t[1] === 'unknown' ? 'timestamptz' : undefined],
    ret: (t) => (t[1] === 'timestamp' ? 'timestamp' : t[1] === 'interval' ? 'interval' : 'timestamptz'),
  },
  date_part: {
    min: 2,
    max: 2,
    args: (t) => ['text', t[1] === 'unknown' ? 'timestamptz' : undefined],
    ret: () => 'double precision',
  },
  extract: {
    min: 2,
    max: 2,
    args: (t) => ['text', t[1] === 'unknown' ? 'timestamptz' : undefined],
    ret: () => 'numeric',
  },
  age: {
    min: 1,
    max: 2,
    args: (t) => t.map((x) => (x === 'date' || x === 'unknown' ? 'timestamptz' : x)),
    ret: () => 'interval',
  },
  make_date: { min: 3, max: 3, args: () => ['integer', 'integer', 'integer'], ret: () => 'date' },
  to_char: {
    min: 2,
    max: 2,
    args: (t) => [t[0] === 'unknown' ? 'timestamptz' : undefined, 'text'],
    ret: TEXT,
  },
  to_date: { min: 2, max: 2, args: allText, ret: () => 'date' },
  to_timestamp: { min: 1, max: 1, args: () => ['double precision'], ret: () => 'timestamptz' },
  coalesce: {
    min: 1,
    max: 1000,
    args: (t) => t.map(() => commonType(t, 'COALESCE')),
    ret: (t) => commonType(t, 'COALESCE'),
  },
  greatest: {
    min: 1,
    max: 1000,
    args: (t) => t.map(() => commonType(t, 'GREATEST')),
    ret: (t) => commonType(t, 'GREATEST'),
  },
  least: {
    min: 1,
    max: 1000,
    args: (t) => t.map(() => commonType(t, 'LEAST')),
    ret: (t) => commonType(t, 'LEAST'),
  },
  nullif: {
    min: 2,
    max: 2,
    args: (t) => t.map(() => commonType(t, 'NULLIF')),
    ret: (t) => commonType(t, 'NULLIF'),
  },
  jsonb_typeof: { min: 1, max: 1, args: () => ['jsonb'], ret: TEXT },
  jsonb_array_length: { min: 1, max: 1, args: () => ['jsonb'], ret: () => 'integer' },
  jsonb_extract_path_text: {
    min: 2,
    max: 100,
    args: (t) => ['jsonb', ...t.slice(1).map(() => 'text' as const)],
    ret: TEXT,
  },
  to_jsonb: { min: 1, max: 1, ret: () => 'jsonb' },
  array_length: { min: 2, max: 2, args: () => [undefined, 'integer'], ret: () => 'integer' },
  cardinality: { min: 1, max: 1, ret: () => 'integer' },
  array_to_string: {
    min: 2,
    max: 3,
    args: (t) => [undefined, 'text', 'text'].slice(0, t.length) as SqlType[],
    ret: TEXT,
  },
  array_position: { min: 2, max: 2, ret: () => 'integer' },
  version: { min: 0, max: 0, ret: TEXT },
  '->': {
    min: 2,
    max: 2,
    args: (t) => ['jsonb', t[1] === 'unknown' ? 'text' : undefined],
    ret: () => 'jsonb',
  },
  '->>': { min: 2, max: 2, args: (t) => ['jsonb', t[1] === 'unknown' ? 'text' : undefined], ret: TEXT },
};

/** Aggregate names the binder recognises (whether or not used with OVER). */
export const AGGREGATES = new Set([
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'string_agg',
  'array_agg',
  'bool_and',
  'bool_or',
  'every',
  'stddev',
  'stddev_samp',
  'stddev_pop',
  'variance',
  'var_samp',
  'var_pop',
  'percentile_cont',
  'percentile_disc',
  'mode',
]);

/** Ordered-set aggregates: their input comes from WITHIN GROUP (ORDER BY …). */
export const ORDERED_SET_AGGREGATES = new Set(['percentile_cont', 'percentile_disc', 'mode']);

/** Window-only function names. */
export const WINDOW_FUNCTIONS = new Set([
  'row_number',
  'rank',
  'dense_rank',
  'lag',
  'lead',
  'first_value',
  'last_value',
  'nth_value',
  'ntile',
  'percent_rank',
  'cume_dist',
]);

/** True if `name` is a scalar function the engine implements. */
export function isScalarFunction(name: string): boolean {
  return Object.hasOwn(SCALAR, name);
}

/** Names of all scalar functions (the executor's library must implement each). */
export function scalarFunctionNames(): string[] {
  return Object.keys(SCALAR);
}

/** Types a scalar function call: checks arity (42883), coerces arguments, returns the call node. */
export function typeScalarCall(name: string, args: readonly Expr[]): Expr {
  const sig = SCALAR[name];
  const types = args.map((a) => a.type);
  if (!sig || args.length < sig.min || args.length > sig.max) {
    throw undefinedFunction(
      `${name}(${types.map((t) => (t === 'unknown' ? 'unknown' : t)).join(', ')})`,
      sig
        ? `${name} takes ${sig.min === sig.max ? sig.min : `${sig.min} to ${sig.max}`} arguments`
        : undefined,
    );
  }
  const targets = sig.args ? sig.args(types) : [];
  const coerced = args.map((a, i) => {
    const t = targets[i];
    return t === undefined ? a : coerce(a, t);
  });
  const ret = sig.ret(coerced.map((a) => a.type));
  return { kind: 'call', fn: name, args: coerced, type: ret };
}

/** Result type of an aggregate given its argument type (PostgreSQL's rules). */
export function aggregateType(name: string, argTypes: readonly SqlType[]): SqlType {
  const t = argTypes[0] ?? 'unknown';
  switch (name) {
    case 'count':
      return 'bigint';
    case 'sum':
      if (t === 'integer') return 'bigint';
      if (t === 'bigint' || t === 'numeric' || t === 'unknown') return 'numeric';
      if (t === 'double precision' || t === 'interval') return t;
      throw undefinedFunction(`sum(${t})`);
    case 'avg':
      if (t === 'double precision' || t === 'interval') return t;
      if (isNumericType(t) || t === 'unknown') return 'numeric';
      throw undefinedFunction(`avg(${t})`);
    case 'min':
    case 'max':
      if (t === 'jsonb' || t === 'boolean') throw undefinedFunction(`${name}(${t})`);
      return t === 'unknown' ? 'text' : t;
    case 'stddev':
    case 'stddev_samp':
    case 'stddev_pop':
    case 'variance':
    case 'var_samp':
    case 'var_pop':
      if (t === 'double precision') return t;
      if (isNumericType(t) || t === 'unknown') return 'numeric';
      throw undefinedFunction(`${name}(${t})`);
    case 'percentile_cont':
      if (t === 'interval') return t;
      if (isNumericType(t) || t === 'unknown') return 'double precision';
      throw undefinedFunction(`percentile_cont(${t})`);
    case 'percentile_disc':
    case 'mode':
      return t === 'unknown' ? 'text' : t;
    case 'string_agg':
      return 'text';
    case 'array_agg':
      if (isArrayType(t)) throw datatypeMismatch('array_agg of arrays is not supported');
      return `${t === 'unknown' ? 'text' : t}[]` as SqlType;
    case 'bool_and':
    case 'bool_or':
    case 'every':
      return 'boolean';
    default:
      throw undefinedFunction(`${name}(${t})`);
  }
}

/** Argument coercion targets of an aggregate (`string_agg(x, ',')` → text, text). */
export function aggregateArgTypes(name: string, argTypes: readonly SqlType[]): (SqlType | undefined)[] {
  if (name === 'string_agg') return ['text', 'text'];
  if (name === 'percentile_cont')
    return [argTypes[0] === 'interval' ? undefined : 'double precision', 'double precision'];
  if (name === 'percentile_disc') return [undefined, 'double precision'];
  if (name === 'bool_and' || name === 'bool_or' || name === 'every') return ['boolean'];
  return argTypes.map((t) => (t === 'unknown' && name !== 'count' ? 'text' : undefined));
}

/** Element type of an array expression, or 42804. */
export function arrayElement(t: SqlType): SqlType {
  if (!isArrayType(t)) throw new SqlError('42809', 'op ANY/ALL (array) requires array on right side');
  return elementType(t);
}
