import { isNumericType, type SqlType } from '../catalog/types.js';
import { undefinedFunction } from '../errors.js';
import type { AstExpr, AstOrderItem, AstSelect } from '../sql/ast.js';
import { children, type Expr, type SortKey } from './expr.js';
import { AGGREGATES, arrayElement } from './functions.js';
import { coerce, commonType } from './types.js';

/** Types unnest / generate_series calls (in FROM or in the select list): element type and coerced arguments. */
export function typeSetFunction(fn: string, args: Expr[]): { type: SqlType; args: Expr[] } {
  if (fn === 'unnest') {
    if (args.length !== 1) throw undefinedFunction('unnest with several arguments');
    return { type: arrayElement(args[0]!.type), args };
  }
  if (args.length < 2 || args.length > 3) throw undefinedFunction('generate_series');
  const t = commonType(
    args.slice(0, 2).map((a) => a.type),
    'generate_series',
  );
  const type: SqlType =
    t === 'date' || t === 'timestamp' ? 'timestamptz' : t === 'unknown' || t === 'text' ? 'integer' : t;
  if (!isNumericType(type) && type !== 'timestamptz') throw undefinedFunction(`generate_series(${t})`);
  return {
    type,
    args: args.map((a, i) => coerce(a, i < 2 ? type : type === 'timestamptz' ? 'interval' : type)),
  };
}

/** An ORDER BY item as a sort key with PostgreSQL's default NULL placement (last ASC, first DESC). */
export function sortKey(expr: Expr, o: AstOrderItem): SortKey {
  return { expr, desc: o.desc, nullsFirst: o.nullsFirst ?? o.desc };
}

/** True if the select list, HAVING or ORDER BY calls an aggregate outside any subquery or OVER. */
export function selectHasAggregate(q: AstSelect): boolean {
  const visit = (e: AstExpr | undefined): boolean => {
    if (!e) return false;
    switch (e.type) {
      case 'func':
        if (AGGREGATES.has(e.name) && !e.over) return true;
        return e.args.some(visit) || visit(e.filter);
      case 'subquery':
      case 'exists':
      case 'in_query':
        return e.type === 'in_query' ? visit(e.arg) : false;
      case 'unary':
        return visit(e.arg);
      case 'binary':
        return visit(e.left) || visit(e.right);
      case 'is':
      case 'cast':
      case 'extract':
        return visit(e.type === 'extract' ? e.source : e.arg);
      case 'distinct_from':
      case 'any':
        return visit(e.left) || visit(e.right);
      case 'in_list':
        return visit(e.arg) || e.list.some(visit);
      case 'between':
        return visit(e.arg) || visit(e.low) || visit(e.high);
      case 'like':
        return visit(e.arg) || visit(e.pattern);
      case 'case':
        return visit(e.operand) || e.whens.some((w) => visit(w.when) || visit(w.result)) || visit(e.else);
      case 'array':
        return e.items.some(visit);
      case 'subscript':
        return visit(e.arg) || visit(e.index);
      default:
        return false;
    }
  };
  return (
    q.columns.some((c) => c.type === 'expr' && visit(c.expr)) ||
    q.orderBy.some((o) => visit(o.expr)) ||
    visit(q.having)
  );
}

/** True for integer and bigint expressions. */
export function isIntegerLike(e: Expr): boolean {
  return e.type === 'integer' || e.type === 'bigint';
}

/** The top-level AND operands of a syntax tree. */
export function splitAnd(a: AstExpr): AstExpr[] {
  return a.type === 'binary' && a.op === 'and' ? [...splitAnd(a.left), ...splitAnd(a.right)] : [a];
}

/** True if an aggregate / window / set-returning placeholder occurs in the expression. */
export function containsKind(e: Expr, kind: 'agg' | 'window' | 'srf'): boolean {
  return e.kind === kind || children(e).some((c) => containsKind(c, kind));
}

/** PostgreSQL's default output column name for a select-list expression. */
export function outputName(a: AstExpr): string {
  return figureName(a).name;
}

/**
 * PostgreSQL's FigureColname: a name and its strength (2: a column, function or keyword construct;
 * 1: a cast's type name; 0: nothing better than `?column?`). A cast names its column after its
 * type only when its operand has no stronger name, so `2.5::float8::int` is `int4`, `x::int` is `x`.
 */
function figureName(a: AstExpr): { name: string; strength: number } {
  switch (a.type) {
    case 'column':
      return { name: a.name, strength: 2 };
    case 'func':
      return { name: a.name, strength: 2 };
    case 'cast': {
      const inner = figureName(a.arg);
      return inner.strength <= 1 ? { name: pgTypeName(a.to), strength: 1 } : inner;
    }
    case 'typed_string':
      return { name: pgTypeName(a.dataType), strength: 1 };
    case 'case':
    case 'exists':
    case 'array':
    case 'extract':
      return { name: a.type, strength: 2 };
    case 'array_subquery':
      return { name: 'array', strength: 2 };
    case 'row':
      return { name: 'row', strength: 2 };
    case 'subquery': {
      const q = a.query;
      if (q.type === 'select' && q.columns[0]?.type === 'expr') {
        const c = q.columns[0];
        return { name: c.alias ?? outputName(c.expr), strength: 2 };
      }
      return { name: '?column?', strength: 0 };
    }
    case 'subscript':
      return figureName(a.arg);
    default:
      return { name: '?column?', strength: 0 };
  }
}

/** PostgreSQL's internal type name, used as the column name of `'x'::type` (e.g. int4). */
export function pgTypeName(t: string): string {
  // The name without array brackets or modifiers: `numeric(10,2)` → numeric, `int[]` → int4.
  const base = t
    .toLowerCase()
    .replace(/\[\]$/, '')
    .replace(/\s*\(.*\)$/, '')
    .trim();
  const map: Record<string, string> = {
    integer: 'int4',
    int: 'int4',
    smallint: 'int2',
    bigint: 'int8',
    boolean: 'bool',
    real: 'float4',
    float: 'float8',
    'double precision': 'float8',
    decimal: 'numeric',
    'character varying': 'varchar',
    character: 'bpchar',
    char: 'bpchar',
    'timestamp with time zone': 'timestamptz',
    'timestamp without time zone': 'timestamp',
  };
  return map[base] ?? base;
}

/** A type as `regtype` prints it (`pg_typeof`): `timestamp with time zone`, `integer[]`. */
export function regtypeName(t: SqlType): string {
  const base = t.endsWith('[]') ? t.slice(0, -2) : t;
  const name =
    base === 'timestamptz'
      ? 'timestamp with time zone'
      : base === 'timestamp'
        ? 'timestamp without time zone'
        : base;
  return t.endsWith('[]') ? `${name}[]` : name;
}
