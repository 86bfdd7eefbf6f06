import type { Expr } from '../plan/expr.js';
import type { SqlType } from './types.js';

/** Operators of the filter forms the engine offers to a TableSource. */
export type SimpleFilterOp =
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'in'
  | 'not in'
  | 'is null'
  | 'is not null'
  | 'like'
  | 'not like'
  | 'ilike'
  | 'not ilike'
  | 'between'
  | 'not between'
  /** `value = ANY(array_col)`: the array column contains the value. */
  | 'contains';

/** One filter on one column, with literal values already in the column's JS representation. */
export interface SimpleFilter {
  readonly column: string;
  readonly type: SqlType;
  readonly op: SimpleFilterOp;
  /** `=`…`>=`, `contains`: one value; `in`: the list; `between`: [low, high]; `like`: [pattern]; `is null`: []. */
  readonly values: readonly unknown[];
}

/**
 * A source filter in plain data: one SimpleFilter, an OR of several on the same column (`or`), or an
 * OR whose alternatives constrain different columns of the same scan (`or-columns`, e.g.
 * `start_time >= x OR date >= y`; each alternative names its own column). This is what
 * `supportsFilters`/`scan` receive as Expr trees, flattened so a source can decide by looking at
 * `column` and `op` instead of walking expressions.
 */
export type SourceFilter =
  | ({ readonly kind: 'simple' } & SimpleFilter)
  | {
      readonly kind: 'or';
      readonly column: string;
      readonly type: SqlType;
      readonly alternatives: readonly SimpleFilter[];
    }
  | { readonly kind: 'or-columns'; readonly alternatives: readonly SimpleFilter[] };

/**
 * A filter value known only at run time: a correlation parameter (a column of the enclosing query
 * in a correlated subquery) or an uncorrelated scalar subquery's value, computed once before the
 * scan. Sources meet it at plan time only (validateScan, describeScan, estimateRequests); `scan`
 * always receives the actual value.
 */
export class RuntimeValue {
  constructor(
    /** What supplies the value, e.g. `e.task_id`, or `SubPlan 1` (EXPLAIN's name for a subquery). */
    readonly source: string,
  ) {}
}

const literal = (e: Expr): { ok: boolean; value: unknown } => {
  if (e.kind === 'literal')
    return { ok: true, value: e.runtime === undefined ? e.value : new RuntimeValue(e.runtime) };
  if (e.kind === 'column')
    return { ok: true, value: new RuntimeValue(e.table ? `${e.table}.${e.name}` : e.name) };
  return { ok: false, value: undefined };
};

function simple(e: Expr): SimpleFilter | undefined {
  switch (e.kind) {
    case 'call': {
      const [c, v] = e.args;
      if (e.args.length !== 2 || c?.kind !== 'column' || !v) return undefined;
      const l = literal(v);
      if (!l.ok || !['=', '!=', '<', '<=', '>', '>='].includes(e.fn)) return undefined;
      return { column: c.name, type: c.type, op: e.fn as SimpleFilterOp, values: [l.value] };
    }
    case 'in_list': {
      if (e.arg.kind !== 'column') return undefined;
      const vals = e.list.map(literal);
      if (!vals.every((x) => x.ok)) return undefined;
      return {
        column: e.arg.name,
        type: e.arg.type,
        op: e.negated ? 'not in' : 'in',
        values: vals.map((x) => x.value),
      };
    }
    case 'any': {
      const l = literal(e.left);
      if (e.all || e.op !== '=' || e.right.kind !== 'column' || !l.ok) return undefined;
      return { column: e.right.name, type: e.right.type, op: 'contains', values: [l.value] };
    }
    case 'is_null':
      return e.arg.kind === 'column'
        ? { column: e.arg.name, type: e.arg.type, op: e.negated ? 'is not null' : 'is null', values: [] }
        : undefined;
    case 'like': {
      if (e.arg.kind !== 'column' || e.escape) return undefined;
      const p = literal(e.pattern);
      if (!p.ok) return undefined;
      const op = `${e.negated ? 'not ' : ''}${e.caseInsensitive ? 'ilike' : 'like'}` as SimpleFilterOp;
      return { column: e.arg.name, type: e.arg.type, op, values: [p.value] };
    }
    case 'between': {
      if (e.arg.kind !== 'column') return undefined;
      const lo = literal(e.low);
      const hi = literal(e.high);
      if (!lo.ok || !hi.ok) return undefined;
      return {
        column: e.arg.name,
        type: e.arg.type,
        op: e.negated ? 'not between' : 'between',
        values: [lo.value, hi.value],
      };
    }
    default:
      return undefined;
  }
}

/**
 * Reads a filter Expr of the forms the engine promises sources (see ScanRequest) as plain data;
 * undefined for anything else (a source should answer `unsupported` then). LIKE with an ESCAPE
 * clause is left out on purpose: few APIs can express it.
 */
export function readFilter(e: Expr): SourceFilter | undefined {
  if (e.kind === 'or') {
    const alts = e.args.map(simple);
    if (alts.length === 0 || alts.some((a) => a === undefined)) return undefined;
    const list = alts as SimpleFilter[];
    const first = list[0]!;
    return list.every((a) => a.column === first.column)
      ? { kind: 'or', column: first.column, type: first.type, alternatives: list }
      : { kind: 'or-columns', alternatives: list };
  }
  const s = simple(e);
  return s ? { kind: 'simple', ...s } : undefined;
}
