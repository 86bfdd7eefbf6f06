import { UTC, type Zone } from '../catalog/timezone.js';
import { elementType, isArrayType, isIntegerType, isNumericType, type SqlType } from '../catalog/types.js';
import { canCast, castValue } from '../catalog/values.js';
import { datatypeMismatch, undefinedOperator } from '../errors.js';
import type { Expr } from './expr.js';

const NUMERIC_RANK: Record<string, number> = { integer: 1, bigint: 2, numeric: 3, 'double precision': 4 };
const TIME_RANK: Record<string, number> = { date: 1, timestamp: 2, timestamptz: 3 };

let zone: Zone = UTC;

/**
 * Runs `fn` (binding and optimizing one statement, both synchronous) with the session time zone
 * that literal folding must use: `timestamptz '2024-01-01'` is midnight in that zone.
 */
export function withPlanningZone<T>(z: Zone, fn: () => T): T {
  const saved = zone;
  zone = z;
  try {
    return fn();
  } finally {
    zone = saved;
  }
}

/** The session time zone of the statement being planned. */
export function planningZone(): Zone {
  return zone;
}

/**
 * Stands for `$n` while a statement is described without parameter values; records the type the
 * context coerces it to (the ParameterDescription a wire server sends).
 */
export class ParamPlaceholder {
  constructor(
    readonly index: number,
    readonly types: Map<number, SqlType>,
  ) {}
}

/**
 * PostgreSQL's common-type resolution for CASE/COALESCE/UNION/IN: unknowns defer to the others,
 * numerics widen (integer < bigint < numeric < double), dates widen to timestamps; anything else must
 * match exactly or 42804 is thrown naming `context`.
 */
export function commonType(types: readonly SqlType[], context: string): SqlType {
  const known = types.filter((t) => t !== 'unknown');
  if (known.length === 0) return types.length > 0 ? 'text' : 'unknown';
  let out: SqlType = known[0]!;
  for (const t of known.slice(1)) {
    if (t === out) continue;
    if (NUMERIC_RANK[t] && NUMERIC_RANK[out]) out = NUMERIC_RANK[t]! > NUMERIC_RANK[out]! ? t : out;
    else if (TIME_RANK[t] && TIME_RANK[out]) out = TIME_RANK[t]! > TIME_RANK[out]! ? t : out;
    else if (isArrayType(t) && isArrayType(out)) {
      out = `${commonType([elementType(t), elementType(out)], context)}[]` as SqlType;
    } else throw datatypeMismatch(`${context} types ${t} and ${out} cannot be matched`);
  }
  return out;
}

/**
 * Converts an expression to a type: unknown-typed literals are cast right away (so a bad literal fails
 * at plan time with 22P02, like PostgreSQL); other mismatches become a `cast` node.
 */
export function coerce(e: Expr, to: SqlType): Expr {
  if (e.type === to || to === 'unknown') return e;
  if (e.kind === 'literal') {
    if (e.value instanceof ParamPlaceholder) {
      // Describing a statement: the context decides the parameter's type, as in PostgreSQL.
      e.value.types.set(e.value.index, to);
      return { kind: 'literal', value: e.value, type: to };
    }
    if (e.value === null) return { kind: 'literal', value: null, type: to };
    if (e.type === 'unknown' || canCast(e.type, to)) {
      return { kind: 'literal', value: castValue(e.value, e.type, to, zone), type: to };
    }
  }
  if (e.type === 'unknown' && e.kind !== 'literal') return { kind: 'cast', arg: e, type: to };
  if (!canCast(e.type, to)) throw datatypeMismatch(`cannot cast type ${e.type} to ${to}`);
  return { kind: 'cast', arg: e, type: to };
}

/** Implicit coercion allowed in function/operator arguments (numeric widening, date → timestamp, unknown). */
export function implicitlyCoercible(from: SqlType, to: SqlType): boolean {
  if (from === to || from === 'unknown') return true;
  if (NUMERIC_RANK[from] && NUMERIC_RANK[to]) return NUMERIC_RANK[from]! <= NUMERIC_RANK[to]!;
  if (TIME_RANK[from] && TIME_RANK[to]) return TIME_RANK[from]! <= TIME_RANK[to]!;
  return false;
}

/** The type both sides of a comparison are converted to; 42883 if no comparison operator exists. */
export function comparisonType(op: string, l: SqlType, r: SqlType): SqlType {
  if (l === 'unknown' && r === 'unknown') return 'text';
  if (l === 'unknown') return r;
  if (r === 'unknown') return l;
  if (l === r) return l;
  if ((isNumericType(l) && isNumericType(r)) || (TIME_RANK[l] && TIME_RANK[r])) return commonType([l, r], '');
  throw undefinedOperator(`${l} ${op} ${r}`);
}

/** Result type of an arithmetic operator following PostgreSQL's operator table. */
export function arithmeticType(op: string, l: SqlType, r: SqlType): SqlType | undefined {
  if (l === 'unknown' && r === 'unknown') return undefined;
  const lt =
    l === 'unknown'
      ? op === '-' && r === 'date'
        ? 'date'
        : r === 'date' || r === 'timestamptz' || r === 'timestamp'
          ? 'interval'
          : r
      : l;
  const rt =
    r === 'unknown'
      ? isNumericType(lt)
        ? lt
        : lt === 'date'
          ? 'integer'
          : lt === 'interval'
            ? 'interval'
            : 'interval'
      : r;
  if (isNumericType(lt) && isNumericType(rt)) {
    return NUMERIC_RANK[lt]! >= NUMERIC_RANK[rt]! ? lt : rt;
  }
  if (op === '+' || op === '-') {
    if (lt === 'date' && isIntegerType(rt)) return 'date';
    if (op === '+' && isIntegerType(lt) && rt === 'date') return 'date';
    if (op === '-' && lt === 'date' && rt === 'date') return 'integer';
    if ((lt === 'date' || lt === 'timestamp') && rt === 'interval') return 'timestamp';
    if (lt === 'timestamptz' && rt === 'interval') return 'timestamptz';
    if (op === '+' && lt === 'interval' && (rt === 'date' || rt === 'timestamp')) return 'timestamp';
    if (op === '+' && lt === 'interval' && rt === 'timestamptz') return 'timestamptz';
    if (lt === 'interval' && rt === 'interval') return 'interval';
    if (op === '-' && TIME_RANK[lt] && TIME_RANK[rt] && lt !== 'date' && rt !== 'date') return 'interval';
    if (op === '-' && TIME_RANK[lt] && TIME_RANK[rt]) return 'interval';
  }
  if (op === '*' && lt === 'interval' && isNumericType(rt)) return 'interval';
  if (op === '*' && isNumericType(lt) && rt === 'interval') return 'interval';
  if (op === '/' && lt === 'interval' && isNumericType(rt)) return 'interval';
  return undefined;
}

/** The operand types an arithmetic operator converts unknown operands to (`date - '2024-01-01'` → date). */
export function arithmeticOperandTypes(op: string, l: SqlType, r: SqlType): [SqlType, SqlType] {
  const pick = (self: SqlType, other: SqlType, isLeft: boolean): SqlType => {
    if (self !== 'unknown') return self;
    if (isNumericType(other)) return other;
    if (other === 'date') return isLeft ? 'date' : op === '-' ? 'date' : 'integer';
    if (other === 'timestamptz' || other === 'timestamp')
      return isLeft ? other : op === '-' ? 'interval' : 'interval';
    if (other === 'interval') return 'interval';
    return 'numeric';
  };
  return [pick(l, r, true), pick(r, l, false)];
}
