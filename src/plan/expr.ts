import type { SqlType } from '../catalog/types.js';
import type { LogicalPlan } from './logical.js';

/** A column produced somewhere in a plan: `id` is unique within one query, `name` is what users see. */
export interface ColumnDef {
  readonly id: number;
  readonly name: string;
  readonly type: SqlType;
  /** The relation alias it came from, for EXPLAIN (never used for resolution). */
  readonly table?: string;
}

/** Comparison operators as they appear in `call.fn`. */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** An ORDER BY key. */
export interface SortKey {
  readonly expr: Expr;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
}

/** A subquery inside an expression; `correlated` lists the outer column ids its plan reads. */
export interface SubqueryExpr {
  readonly kind: 'subquery';
  /** scalar: one value; exists: boolean; in: `arg IN (…)`; array: the first column as an array. */
  readonly mode: 'scalar' | 'exists' | 'in' | 'array';
  readonly plan: LogicalPlan;
  /** The left operand of `arg IN (subquery)`. */
  readonly arg?: Expr;
  readonly negated: boolean;
  readonly correlated: readonly number[];
  readonly type: SqlType;
}

/** An aggregate call; appears only inside an Aggregate node (or a Window node's frame aggregate). */
export interface AggCall {
  readonly fn: string;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  readonly star: boolean;
  readonly filter?: Expr;
  readonly orderBy: readonly SortKey[];
  readonly type: SqlType;
}

/** A window function call; appears only inside a Window node. */
export interface WindowCall {
  readonly fn: string;
  readonly args: readonly Expr[];
  readonly agg?: AggCall;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly SortKey[];
  /** ROWS frame offsets (see AstFrame); undefined = PostgreSQL's default frame. */
  readonly frame?: { readonly start: number | null; readonly end: number | null };
  readonly type: SqlType;
}

/**
 * A bound scalar expression: readonly tagged data. Column references carry a query-unique id, so
 * rules can move expressions between nodes without renumbering; the executor resolves ids to
 * positions when it compiles. Operators and functions are `call` nodes (`fn` is `=`, `+`, `||`,
 * `lower`, ...) whose implementation the executor picks once from the argument types.
 */
export type Expr =
  | {
      readonly kind: 'column';
      readonly id: number;
      readonly name: string;
      readonly type: SqlType;
      /** Relation alias, for EXPLAIN only. */
      readonly table?: string;
    }
  | {
      readonly kind: 'literal';
      readonly value: unknown;
      readonly type: SqlType;
      /**
       * Set on a plan-time stand-in for a value known only at run time (a subquery's, an outer
       * row's): `value` is a placeholder of the type, and this names the value in EXPLAIN (`SubPlan 1`).
       */
      readonly runtime?: string;
    }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly Expr[]; readonly type: SqlType }
  | { readonly kind: 'and'; readonly args: readonly Expr[]; readonly type: 'boolean' }
  | { readonly kind: 'or'; readonly args: readonly Expr[]; readonly type: 'boolean' }
  | { readonly kind: 'not'; readonly arg: Expr; readonly type: 'boolean' }
  | { readonly kind: 'is_null'; readonly arg: Expr; readonly negated: boolean; readonly type: 'boolean' }
  | {
      readonly kind: 'is_bool';
      readonly arg: Expr;
      readonly value: boolean;
      readonly negated: boolean;
      readonly type: 'boolean';
    }
  | {
      readonly kind: 'distinct_from';
      readonly left: Expr;
      readonly right: Expr;
      readonly negated: boolean;
      readonly type: 'boolean';
    }
  | {
      readonly kind: 'in_list';
      readonly arg: Expr;
      readonly list: readonly Expr[];
      readonly negated: boolean;
      readonly type: 'boolean';
    }
  | {
      readonly kind: 'like';
      readonly arg: Expr;
      readonly pattern: Expr;
      readonly escape?: Expr;
      readonly caseInsensitive: boolean;
      readonly negated: boolean;
      readonly type: 'boolean';
    }
  | {
      readonly kind: 'between';
      readonly arg: Expr;
      readonly low: Expr;
      readonly high: Expr;
      readonly negated: boolean;
      readonly type: 'boolean';
    }
  | {
      readonly kind: 'case';
      readonly operand?: Expr;
      readonly whens: readonly { readonly when: Expr; readonly result: Expr }[];
      readonly else?: Expr;
      readonly type: SqlType;
    }
  | { readonly kind: 'cast'; readonly arg: Expr; readonly type: SqlType }
  | {
      readonly kind: 'any';
      readonly op: CompareOp;
      readonly left: Expr;
      readonly right: Expr;
      readonly all: boolean;
      readonly type: 'boolean';
    }
  | { readonly kind: 'array'; readonly items: readonly Expr[]; readonly type: SqlType }
  | SubqueryExpr
  /** Binder-internal placeholders, replaced by column refs before a plan is built. */
  | { readonly kind: 'agg'; readonly call: AggCall; readonly type: SqlType }
  | { readonly kind: 'window'; readonly call: WindowCall; readonly type: SqlType }
  | { readonly kind: 'srf'; readonly fn: string; readonly args: readonly Expr[]; readonly type: SqlType };

/** A literal of the given type. */
export const lit = (value: unknown, type: SqlType): Expr => ({ kind: 'literal', value, type });

/** A reference to a column definition. */
export const colRef = (c: ColumnDef): Expr =>
  c.table === undefined
    ? { kind: 'column', id: c.id, name: c.name, type: c.type }
    : { kind: 'column', id: c.id, name: c.name, type: c.type, table: c.table };

/** The boolean AND of conjuncts, flattened; `true` for none. */
export function and(args: readonly Expr[]): Expr {
  const flat: Expr[] = [];
  for (const a of args) {
    if (a.kind === 'and') flat.push(...a.args);
    else flat.push(a);
  }
  if (flat.length === 0) return lit(true, 'boolean');
  if (flat.length === 1) return flat[0]!;
  return { kind: 'and', args: flat, type: 'boolean' };
}

/** Splits an expression into its top-level AND conjuncts. */
export function conjuncts(e: Expr): Expr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

/** Calls `f` on each direct child expression (not into subquery plans). */
export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'column':
    case 'literal':
      return [];
    case 'call':
    case 'and':
    case 'or':
    case 'srf':
      return [...e.args];
    case 'array':
      return [...e.items];
    case 'not':
    case 'is_null':
    case 'is_bool':
    case 'cast':
      return [e.arg];
    case 'distinct_from':
    case 'any':
      return [e.left, e.right];
    case 'in_list':
      return [e.arg, ...e.list];
    case 'like':
      return e.escape ? [e.arg, e.pattern, e.escape] : [e.arg, e.pattern];
    case 'between':
      return [e.arg, e.low, e.high];
    case 'case': {
      const out: Expr[] = [];
      if (e.operand) out.push(e.operand);
      for (const w of e.whens) out.push(w.when, w.result);
      if (e.else) out.push(e.else);
      return out;
    }
    case 'subquery':
      return e.arg ? [e.arg] : [];
    case 'agg':
      return [
        ...e.call.args,
        ...(e.call.filter ? [e.call.filter] : []),
        ...e.call.orderBy.map((k) => k.expr),
      ];
    case 'window':
      return [
        ...e.call.args,
        ...e.call.partitionBy,
        ...e.call.orderBy.map((k) => k.expr),
        ...(e.call.agg ? [...e.call.agg.args, ...(e.call.agg.filter ? [e.call.agg.filter] : [])] : []),
      ];
    default:
      return assertNever(e);
  }
}

/** Rebuilds a node with `f` applied to each direct child (aggregate/window arguments included). */
export function mapChildren(e: Expr, f: (e: Expr) => Expr): Expr {
  switch (e.kind) {
    case 'column':
    case 'literal':
      return e;
    case 'agg':
      return { ...e, call: mapAgg(e.call, f) };
    case 'window':
      return {
        ...e,
        call: {
          ...e.call,
          args: e.call.args.map(f),
          partitionBy: e.call.partitionBy.map(f),
          orderBy: e.call.orderBy.map((k) => ({ ...k, expr: f(k.expr) })),
          ...(e.call.agg ? { agg: mapAgg(e.call.agg, f) } : {}),
        },
      };
    case 'call':
    case 'and':
    case 'or':
    case 'srf':
      return { ...e, args: e.args.map(f) } as Expr;
    case 'array':
      return { ...e, items: e.items.map(f) };
    case 'not':
    case 'is_null':
    case 'is_bool':
    case 'cast':
      return { ...e, arg: f(e.arg) } as Expr;
    case 'distinct_from':
    case 'any':
      return { ...e, left: f(e.left), right: f(e.right) } as Expr;
    case 'in_list':
      return { ...e, arg: f(e.arg), list: e.list.map(f) };
    case 'like':
      return { ...e, arg: f(e.arg), pattern: f(e.pattern), ...(e.escape ? { escape: f(e.escape) } : {}) };
    case 'between':
      return { ...e, arg: f(e.arg), low: f(e.low), high: f(e.high) };
    case 'case':
      return {
        ...e,
        ...(e.operand ? { operand: f(e.operand) } : {}),
        whens: e.whens.map((w) => ({ when: f(w.when), result: f(w.result) })),
        ...(e.else ? { else: f(e.else) } : {}),
      };
    case 'subquery':
      return e.arg ? { ...e, arg: f(e.arg) } : e;
    default:
      return assertNever(e);
  }
}

function mapAgg(a: AggCall, f: (e: Expr) => Expr): AggCall {
  return {
    ...a,
    args: a.args.map(f),
    ...(a.filter ? { filter: f(a.filter) } : {}),
    orderBy: a.orderBy.map((k) => ({ ...k, expr: f(k.expr) })),
  };
}

/** Rebuilds an expression bottom-up: `f` sees each node after its children were mapped. */
export function mapExpr(e: Expr, f: (e: Expr) => Expr): Expr {
  return f(mapChildren(e, (c) => mapExpr(c, f)));
}

/** Every column id an expression reads (including outer ids read inside subqueries). */
export function columnIds(e: Expr, into: Set<number> = new Set()): Set<number> {
  if (e.kind === 'column') into.add(e.id);
  else if (e.kind === 'subquery') for (const id of e.correlated) into.add(id);
  for (const c of children(e)) columnIds(c, into);
  return into;
}

/**
 * An uncorrelated scalar subquery, possibly cast (`(SELECT max(id) …)::bigint`): one value for the
 * whole statement, which a scan may take as a filter value computed once before it runs.
 */
export function isInitValue(e: Expr): boolean {
  if (e.kind === 'cast') return isInitValue(e.arg);
  return e.kind === 'subquery' && e.mode === 'scalar' && e.correlated.length === 0;
}

/** A harmless value of a type, for asking a source about a filter whose value is known only at run time. */
export function placeholderFor(type: string): unknown {
  if (type === 'text' || type === 'unknown') return '';
  if (type === 'date') return '1970-01-01';
  if (type === 'boolean') return false;
  if (type === 'interval') return { months: 0, days: 0, ms: 0 };
  if (type.endsWith('[]')) return [];
  if (type === 'jsonb') return {};
  return 0;
}

/**
 * A filter as a source can be asked about it at plan time: each value known only at run time, an
 * init value (whole, cast included) or a column `isOuter` accepts (a correlation parameter), becomes
 * a placeholder literal; with `nameOf` it is named (`runtime`): an init value by `nameOf`, a column
 * `alias.column`. E.g. `id = (SELECT max(id) …)` → `id = 0` with runtime `SubPlan 1`.
 */
export function placeRuntimeValues(
  e: Expr,
  isOuter: (c: Extract<Expr, { kind: 'column' }>) => boolean,
  nameOf?: (init: Expr) => string,
): Expr {
  const placeholder = (x: Expr, name: () => string): Expr => ({
    kind: 'literal',
    value: placeholderFor(x.type),
    type: x.type,
    ...(nameOf ? { runtime: name() } : {}),
  });
  const place = (x: Expr): Expr => {
    if (isInitValue(x)) return placeholder(x, () => nameOf!(x));
    if (x.kind === 'column' && isOuter(x))
      return placeholder(x, () => (x.table === undefined ? x.name : `${x.table}.${x.name}`));
    return mapChildren(x, place);
  };
  return place(e);
}

/** True if the expression contains a subquery. */
export function hasSubquery(e: Expr): boolean {
  return e.kind === 'subquery' || children(e).some(hasSubquery);
}

/** True if evaluating the expression twice may give different answers (now() is stable per query). */
export function isVolatile(e: Expr): boolean {
  return (
    (e.kind === 'call' && (e.fn === 'random' || e.fn === 'gen_random_uuid')) || children(e).some(isVolatile)
  );
}

const planIds = new WeakMap<object, number>();
let nextPlanId = 1;

/**
 * A canonical string for structural equality (GROUP BY matching, dedup of aggregates). Subquery
 * plans compare by identity: two subqueries are the same expression only if they are one object.
 */
export function exprKey(e: Expr): string {
  return JSON.stringify(e, (k, v) => {
    if (k === 'plan' && v !== null && typeof v === 'object') {
      let id = planIds.get(v);
      if (id === undefined) planIds.set(v, (id = nextPlanId++));
      return `<plan#${id}>`;
    }
    if ((k === 'name' || k === 'table') && typeof v === 'string') return undefined;
    return v;
  });
}

/** Exhaustiveness helper for `switch` over tagged unions. */
export function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}
