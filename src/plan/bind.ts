import type { Catalog } from '../catalog/catalog.js';
import { USER_FUNCTION_PREFIX } from '../catalog/catalog.js';
import type { TableSource } from '../catalog/table-source.js';
import { elementType, isArrayType, isNumericType, parseTypeName, type SqlType } from '../catalog/types.js';
import {
  ambiguousColumn,
  datatypeMismatch,
  featureNotSupported,
  groupingError,
  invalidColumnReference,
  SqlError,
  syntaxError,
  undefinedColumn,
  undefinedFunction,
  undefinedOperator,
  undefinedParameter,
  undefinedTable,
  windowingError,
} from '../errors.js';
import type {
  AstCte,
  AstExpr,
  AstFrom,
  AstOrderItem,
  AstQuery,
  AstSelect,
  AstSetOp,
  AstWindowSpec,
} from '../sql/ast.js';
import {
  containsKind,
  isIntegerLike,
  outputName,
  regtypeName,
  selectHasAggregate,
  sortKey,
  splitAnd,
  typeSetFunction,
} from './bind-support.js';
import {
  type AggCall,
  and,
  type ColumnDef,
  type CompareOp,
  children,
  colRef,
  columnIds,
  type Expr,
  exprKey,
  hasSubquery,
  lit,
  mapChildren,
  type SortKey,
  type WindowCall,
} from './expr.js';
import {
  AGGREGATES,
  aggregateArgTypes,
  aggregateType,
  arrayElement,
  isScalarFunction,
  ORDERED_SET_AGGREGATES,
  typeScalarCall,
  WINDOW_FUNCTIONS,
} from './functions.js';
import { type LogicalPlan, outputOf } from './logical.js';
import {
  arithmeticOperandTypes,
  arithmeticType,
  coerce,
  commonType,
  comparisonType,
  ParamPlaceholder,
} from './types.js';
import { forEachNode, nodeExprs } from './walk.js';

/** A bound query: its plan and the user-visible result columns. */
export interface BoundQuery {
  readonly plan: LogicalPlan;
  readonly fields: readonly ColumnDef[];
}

/** One relation visible in a scope (a table, derived table or CTE reference, under its alias). */
interface Rel {
  readonly alias: string;
  readonly columns: readonly ColumnDef[];
}

/** Name-resolution scope of one SELECT block; `parent` is the enclosing query (for correlation). */
interface Scope {
  readonly rels: readonly Rel[];
  /** USING/merged columns: found first for unqualified names and listed first by `*`. */
  readonly merged: readonly ColumnDef[];
  /** Columns hidden from unqualified lookup and `*` (the per-side copies of USING columns). */
  readonly hidden: ReadonlySet<number>;
  readonly parent: Scope | null;
  /** Outer column ids this scope's expressions read (filled while binding). */
  readonly outerRefs: Set<number>;
}

interface ExprCtx {
  readonly scope: Scope;
  readonly agg: boolean;
  readonly window: boolean;
  readonly windows?: ReadonlyMap<string, AstWindowSpec>;
  /** Clause name for error messages (`WHERE`, `JOIN conditions`, ...). */
  readonly clause: string;
  /** Set-returning functions (unnest, generate_series) are allowed: the select list only. */
  readonly srf?: boolean;
  /**
   * Where correlated scalar-aggregate subqueries may be turned into LEFT JOINs with a grouped
   * aggregate (set only for SELECT blocks without aggregation of their own).
   */
  readonly decorrelate?: PendingJoins;
}

/** LEFT JOINs created by decorrelation, attached to the block's plan by `select()`. */
interface PendingJoins {
  readonly fromIds: ReadonlySet<number>;
  readonly joins: { right: LogicalPlan; on: Expr }[];
}

interface CteDef {
  readonly cteId: number;
  readonly name: string;
  readonly plan: LogicalPlan;
  readonly columns: readonly ColumnDef[];
}

const emptyScope = (parent: Scope | null): Scope => ({
  rels: [],
  merged: [],
  hidden: new Set(),
  parent,
  outerRefs: new Set(),
});

/**
 * Parameter types learnt while describing a statement without values (the wire protocol's
 * Parse/Describe): the type each `$n` is coerced to by its context, and every index met.
 */
export interface ParamTypes {
  readonly types: Map<number, SqlType>;
  readonly seen: Set<number>;
}

/** Options of one bind. */
export interface BindOptions {
  /**
   * Leaves untyped literals (and `$n` given as text) of the top-level select list `unknown`, for a
   * caller that types them itself: INSERT and UPDATE read them with the target column's input syntax.
   */
  readonly untypedOutput?: boolean;
  /** Describing: `$n` become placeholders whose types are recorded here; `params` is ignored. */
  readonly describe?: ParamTypes;
  /**
   * The clause the top-level select list stands for when a write builds the query (`VALUES`,
   * `UPDATE`, `RETURNING`): aggregate, window and set-returning functions there are refused with
   * PostgreSQL's message naming that clause.
   */
  readonly clause?: string;
}

/**
 * The source a table name in SQL reads (FROM, a write's target): unqualified names search the catalog
 * as given, then pg_catalog (PostgreSQL's implicit search_path head); `public.x` is `x`; other
 * schemas must be registered as `schema.x`. 42P01 naming the known tables when there is none.
 */
export function resolveTable(
  catalog: Catalog,
  table: { readonly name: string; readonly schema?: string | undefined },
): { qualified: string; source: TableSource } {
  const qualified = table.schema === undefined ? table.name : `${table.schema}.${table.name}`;
  const source =
    table.schema === undefined
      ? (catalog.lookup(table.name) ?? catalog.lookup(`pg_catalog.${table.name}`))
      : (catalog.lookup(qualified) ?? (table.schema === 'public' ? catalog.lookup(table.name) : undefined));
  if (!source) throw undefinedTable(qualified, `known tables: ${catalog.names().join(', ')}`);
  return { qualified, source };
}

/**
 * Binds a parsed query against the catalog: resolves names to column ids (with scopes for subqueries,
 * including correlated ones), expands `*`, applies PostgreSQL's typing and coercion rules, plans
 * aggregates, windows, DISTINCT [ON], ORDER BY and LIMIT, decorrelates `EXISTS` / `IN (subquery)`
 * conjuncts of WHERE into semi/anti joins, and substitutes `$n` parameters as literals.
 */
export function bindQuery(
  query: AstQuery,
  catalog: Catalog,
  params: readonly unknown[] = [],
  opts: BindOptions = {},
): BoundQuery {
  const b = new Binder(catalog, params, opts.describe?.types);
  const plan = b.query(query, null, opts.untypedOutput ?? false, opts.clause);
  if (opts.describe) for (const i of b.paramIndexes) opts.describe.seen.add(i);
  return { plan, fields: outputOf(plan) };
}

/** The parameter types of a described statement, `$1` first (`text` where nothing decided, as PostgreSQL's unknown → text). */
export function paramTypeList(p: ParamTypes): SqlType[] {
  const n = Math.max(0, ...p.seen);
  return Array.from({ length: n }, (_, i) => {
    const t = p.types.get(i + 1) ?? 'text';
    return t === 'unknown' ? 'text' : t;
  });
}

/**
 * Binds a query without parameter values to learn its result columns and the type of each `$n`
 * (from the context it is used in; `text` when nothing decides, as PostgreSQL's unknown → text).
 */
export function describeQuery(
  query: AstQuery,
  catalog: Catalog,
): { fields: readonly ColumnDef[]; paramTypes: SqlType[] } {
  const describe: ParamTypes = { types: new Map(), seen: new Set() };
  const { fields } = bindQuery(query, catalog, [], { describe });
  return { fields, paramTypes: paramTypeList(describe) };
}

class Binder {
  private nextId = 1;
  private nextScanId = 1;
  private nextCteId = 1;
  private readonly cteStack: Map<string, CteDef>[] = [];

  /** Every `$n` index met while binding. */
  readonly paramIndexes = new Set<number>();

  constructor(
    private readonly catalog: Catalog,
    private readonly params: readonly unknown[],
    /** Set when describing: `$n` become placeholders whose types are recorded here. */
    private readonly describeTypes?: Map<number, SqlType>,
  ) {}

  private col(name: string, type: SqlType): ColumnDef {
    return { id: this.nextId++, name, type };
  }

  // ---------------------------------------------------------------- queries

  /**
   * `branch`: a direct operand of a set operation, whose untyped literals the set operation types.
   * `listClause`: see BindOptions.clause.
   */
  query(q: AstQuery, outer: Scope | null, branch = false, listClause?: string): LogicalPlan {
    const ctes: CteDef[] = [];
    if (q.ctes.length > 0) {
      const frame = new Map<string, CteDef>();
      this.cteStack.push(frame);
      try {
        for (const c of q.ctes) {
          const recursive = c.recursive ? this.recursiveCte(c, frame, outer) : undefined;
          if (recursive) {
            frame.set(c.name, recursive);
            ctes.push(recursive);
            continue;
          }
          const plan = this.query(c.query, outer);
          const out = outputOf(plan);
          if (c.columns && c.columns.length > out.length) {
            throw syntaxError(
              `WITH query "${c.name}" has ${out.length} columns available but ${c.columns.length} specified`,
            );
          }
          const columns = out.map((o, i) => ({ ...o, name: c.columns?.[i] ?? o.name }));
          const def: CteDef = { cteId: this.nextCteId++, name: c.name, plan, columns };
          frame.set(c.name, def);
          ctes.push(def);
        }
        const body = q.type === 'select' ? this.select(q, outer, branch, listClause) : this.setop(q, outer);
        return {
          kind: 'with',
          ctes: ctes.map((c) => ({ cteId: c.cteId, name: c.name, plan: c.plan })),
          input: body,
        };
      } finally {
        this.cteStack.pop();
      }
    }
    return q.type === 'select' ? this.select(q, outer, branch, listClause) : this.setop(q, outer);
  }

  /**
   * A CTE under WITH RECURSIVE whose UNION [ALL] step reads the CTE itself: the anchor is bound
   * first, the CTE name then resolves to the working table inside the step. Returns undefined when
   * the step does not refer to the CTE (then it is an ordinary CTE).
   */
  private recursiveCte(c: AstCte, frame: Map<string, CteDef>, outer: Scope | null): CteDef | undefined {
    const q = c.query;
    if (q.type !== 'setop' || q.op !== 'union') return undefined;
    if (q.orderBy.length > 0 || q.limit || q.offset)
      throw featureNotSupported('ORDER BY/LIMIT in a recursive query');
    const anchor = this.query(q.left, outer);
    const anchorOut = outputOf(anchor);
    const names = anchorOut.map((o, i) => c.columns?.[i] ?? o.name);
    const workId = this.nextCteId++;
    const work: CteDef = {
      cteId: workId,
      name: c.name,
      plan: anchor,
      columns: anchorOut.map((o, i) => ({
        ...o,
        name: names[i]!,
        type: o.type === 'unknown' ? 'text' : o.type,
      })),
    };
    frame.set(c.name, work);
    let step: LogicalPlan;
    try {
      step = this.query(q.right, outer);
    } finally {
      frame.delete(c.name);
    }
    let selfRef = false;
    forEachNode(step, (n) => {
      if (n.kind === 'cte_ref' && n.cteId === workId) selfRef = true;
    });
    if (!selfRef) return undefined;
    const stepOut = outputOf(step);
    if (stepOut.length !== anchorOut.length) {
      throw syntaxError('each UNION query must have the same number of columns');
    }
    const types = work.columns.map((w) => w.type);
    if (stepOut.some((s, i) => s.type !== types[i])) {
      step = {
        kind: 'project',
        input: step,
        exprs: stepOut.map((s, i) => {
          if (s.type !== 'unknown' && commonType([types[i]!, s.type], 'recursive query') !== types[i]) {
            throw datatypeMismatch(
              `recursive query "${c.name}" column ${i + 1} has type ${types[i]} in non-recursive term but type ${s.type} overall`,
            );
          }
          return coerce(colRef(s), types[i]!);
        }),
        output: stepOut.map((s, i) => this.col(s.name, types[i]!)),
      };
    }
    const anchorAligned: LogicalPlan = anchorOut.every((a, i) => a.type === types[i])
      ? anchor
      : {
          kind: 'project',
          input: anchor,
          exprs: anchorOut.map((a, i) => coerce(colRef(a), types[i]!)),
          output: anchorOut.map((a, i) => this.col(a.name, types[i]!)),
        };
    const output = names.map((n, i) => this.col(n, types[i]!));
    const plan: LogicalPlan = {
      kind: 'recursive_union',
      workId,
      anchor: anchorAligned,
      step,
      all: q.all,
      output,
    };
    return { cteId: this.nextCteId++, name: c.name, plan, columns: output };
  }

  private setop(q: AstSetOp, outer: Scope | null): LogicalPlan {
    let left = this.query(q.left, outer, true);
    let right = this.query(q.right, outer, true);
    const lo = outputOf(left);
    const ro = outputOf(right);
    if (lo.length !== ro.length) {
      throw syntaxError(`each ${q.op.toUpperCase()} query must have the same number of columns`);
    }
    const types = lo.map((c, i) => commonType([c.type, ro[i]!.type], q.op.toUpperCase()));
    const align = (p: LogicalPlan, cols: readonly ColumnDef[]): LogicalPlan => {
      if (cols.every((c, i) => c.type === types[i])) return p;
      const exprs = cols.map((c, i) => coerce(colRef(c), types[i]!));
      return { kind: 'project', input: p, exprs, output: cols.map((c, i) => this.col(c.name, types[i]!)) };
    };
    left = align(left, lo);
    right = align(right, ro);
    const output = lo.map((c, i) => this.col(c.name, types[i] === 'unknown' ? 'text' : types[i]!));
    let plan: LogicalPlan = { kind: 'setop', op: q.op, all: q.all, left, right, output };
    if (q.orderBy.length > 0) {
      const scope: Scope = { ...emptyScope(outer), rels: [{ alias: '', columns: output }] };
      const keys = q.orderBy.map((o) => {
        const e =
          this.orderTarget(o, output) ??
          this.expr(o.expr, { scope, agg: false, window: false, clause: 'ORDER BY' });
        return sortKey(e, o);
      });
      plan = { kind: 'sort', input: plan, keys };
    }
    return this.applyLimit(plan, q.limit, q.offset);
  }

  private applyLimit(plan: LogicalPlan, limitAst?: AstExpr, offsetAst?: AstExpr): LogicalPlan {
    if (!limitAst && !offsetAst) return plan;
    const constant = (a: AstExpr | undefined, what: string): number | null => {
      if (!a) return null;
      const e = this.expr(a, { scope: emptyScope(null), agg: false, window: false, clause: what });
      if (e.kind !== 'literal') throw featureNotSupported(`non-constant ${what}`);
      if (e.value instanceof ParamPlaceholder) {
        e.value.types.set(e.value.index, 'bigint');
        return null;
      }
      if (e.value === null) return null;
      // LIMIT takes a bigint: fractions round half away from zero, as the cast does.
      const raw = Number(e.value);
      if (!Number.isFinite(raw)) throw new SqlError('22P02', `invalid ${what} value`);
      const n = raw < 0 ? -Math.round(-raw) : Math.round(raw);
      if (n < 0) {
        throw new SqlError('2201W', `${what} must not be negative`);
      }
      return n;
    };
    const limit = constant(limitAst, 'LIMIT');
    const offset = constant(offsetAst, 'OFFSET') ?? 0;
    return { kind: 'limit', input: plan, limit, offset };
  }

  private select(q: AstSelect, outer: Scope | null, branch = false, listClause?: string): LogicalPlan {
    let plan: LogicalPlan;
    let scope: Scope;
    if (q.from) {
      const f = this.from(q.from, outer);
      plan = f.plan;
      scope = f.scope;
    } else {
      plan = { kind: 'values', rows: [[]], output: [] };
      scope = emptyScope(outer);
    }
    const fromIds = new Set(outputOf(plan).map((c) => c.id));
    const decorrelate: PendingJoins | undefined =
      q.from && q.groupBy.length === 0 && !q.having && !selectHasAggregate(q)
        ? { fromIds, joins: [] }
        : undefined;
    const attachJoins = (): void => {
      if (!decorrelate) return;
      for (const j of decorrelate.joins.splice(0))
        plan = { kind: 'join', joinType: 'left', left: plan, right: j.right, on: j.on };
    };

    if (q.where) {
      const residual: Expr[] = [];
      for (const c of splitAnd(q.where)) {
        const semi = this.trySemiJoin(c, plan, scope, fromIds);
        if (semi) plan = semi;
        else
          residual.push(
            this.boolExpr(c, {
              scope,
              agg: false,
              window: false,
              clause: 'WHERE',
              ...(decorrelate ? { decorrelate } : {}),
            }),
          );
      }
      attachJoins();
      if (residual.length > 0) plan = { kind: 'filter', input: plan, predicate: and(residual) };
    }

    // Select list (stars expanded), HAVING and ORDER BY are bound against the FROM scope; aggregate
    // and window calls stay inline as placeholders until the Aggregate/Window nodes exist.
    const allowed = listClause === undefined;
    const ctx: ExprCtx = {
      scope,
      agg: allowed,
      window: allowed,
      srf: allowed,
      windows: q.windows,
      clause: listClause ?? 'SELECT',
      ...(decorrelate ? { decorrelate } : {}),
    };
    const items: { expr: Expr; name: string }[] = [];
    for (const it of q.columns) {
      if (it.type === 'star')
        items.push(...this.star(scope, it.table).map((c) => ({ expr: colRef(c), name: c.name })));
      else {
        let e = this.expr(it.expr, ctx);
        if (e.type === 'unknown' && !branch) e = coerce(e, 'text');
        items.push({ expr: e, name: it.alias ?? outputName(it.expr) });
      }
    }
    if (items.length === 0 && q.columns.length > 0) throw featureNotSupported('SELECT * with no columns');
    const having = q.having
      ? this.boolExpr(q.having, { ...ctx, window: false, srf: false, clause: 'HAVING' })
      : undefined;

    // ORDER BY: output-column names and ordinals first, then expressions over the input.
    const order: { expr: Expr; item: AstOrderItem; outputIndex?: number }[] = q.orderBy.map((o) => {
      const idx = this.orderOutputIndex(o, items);
      if (idx !== undefined) return { expr: items[idx]!.expr, item: o, outputIndex: idx };
      return { expr: this.expr(o.expr, { ...ctx, srf: false, clause: 'ORDER BY' }), item: o };
    });
    const distinctOn = Array.isArray(q.distinct)
      ? (q.distinct as readonly AstExpr[]).map((d) => {
          const o: AstOrderItem = { expr: d, desc: false };
          const idx = this.orderOutputIndex(o, items);
          return idx !== undefined
            ? items[idx]!.expr
            : this.expr(d, { ...ctx, srf: false, clause: 'DISTINCT ON' });
        })
      : [];

    attachJoins();
    // `GROUP BY ()` groups all rows into one group: an aggregate with no keys.
    const grouped = q.groupBy.length > 0;
    const groupBy = q.groupBy
      .filter((g) => g.type !== 'row' || g.items.length > 0)
      .map((g) => {
        const o: AstOrderItem = { expr: g, desc: false };
        // GROUP BY accepts ordinals and output names too (input column names win over output names).
        if (g.type === 'number') {
          const idx = this.orderOutputIndex(o, items);
          if (idx !== undefined) return items[idx]!.expr;
        }
        if (g.type === 'column' && g.table === undefined && !this.tryResolve(scope, undefined, g.name)) {
          const idx = items.findIndex((i) => i.name === g.name);
          if (idx >= 0) return items[idx]!.expr;
        }
        return this.expr(g, { ...ctx, agg: false, window: false, srf: false, clause: 'GROUP BY' });
      });
    for (const g of groupBy) {
      if (containsKind(g, 'agg')) throw groupingError('aggregate functions are not allowed in GROUP BY');
      if (containsKind(g, 'window')) throw windowingError('window functions are not allowed in GROUP BY');
    }

    const all = [
      ...items.map((i) => i.expr),
      ...(having ? [having] : []),
      ...order.map((o) => o.expr),
      ...distinctOn,
    ];
    // HAVING alone makes the block an aggregate over one group, as in PostgreSQL.
    const hasAgg = q.having !== undefined || all.some((e) => containsKind(e, 'agg'));
    let rewrite = (e: Expr): Expr => e;
    if (hasAgg || grouped) {
      const keyMap = new Map<string, ColumnDef>();
      const keyCols: ColumnDef[] = [];
      const keyExprs: Expr[] = [];
      for (const g of groupBy) {
        const k = exprKey(g);
        if (keyMap.has(k)) continue;
        const c =
          g.kind === 'column' ? { id: g.id, name: g.name, type: g.type } : this.col('?column?', g.type);
        keyMap.set(k, c);
        keyCols.push(c);
        keyExprs.push(g);
      }
      const aggMap = new Map<string, ColumnDef>();
      const aggs: AggCall[] = [];
      const collect = (e: Expr): void => {
        if (e.kind === 'agg') {
          const k = exprKey(e);
          if (!aggMap.has(k)) {
            aggMap.set(k, this.col(e.call.fn, e.type));
            aggs.push(e.call);
          }
          return;
        }
        children(e).forEach(collect);
      };
      all.forEach(collect);
      plan = {
        kind: 'aggregate',
        input: plan,
        groupBy: keyExprs,
        aggs,
        output: [...keyCols, ...aggMap.values()],
      };
      const inputIds = fromIds;
      const rw = (e: Expr): Expr => {
        const key = keyMap.get(exprKey(e));
        if (key) return colRef(key);
        if (e.kind === 'agg') return colRef(aggMap.get(exprKey(e))!);
        if (e.kind === 'column' && inputIds.has(e.id)) {
          throw groupingError(
            `column "${e.table === undefined ? '' : `${e.table}.`}${e.name}" must appear in the GROUP BY clause or be used in an aggregate function`,
          );
        }
        return mapChildren(e, rw);
      };
      rewrite = rw;
    }
    const itemsA = items.map((i) => ({ ...i, expr: rewrite(i.expr) }));
    const orderA = order.map((o) => ({ ...o, expr: rewrite(o.expr) }));
    const distinctOnA = distinctOn.map(rewrite);
    if (having) plan = { kind: 'filter', input: plan, predicate: rewrite(having) };

    // Window functions: one Window node computing every distinct call, referenced by column.
    const winMap = new Map<string, ColumnDef>();
    const winCalls: WindowCall[] = [];
    const collectWin = (e: Expr): Expr => {
      if (e.kind === 'window') {
        const k = exprKey(e);
        let c = winMap.get(k);
        if (!c) {
          c = this.col(e.call.fn, e.type);
          winMap.set(k, c);
          winCalls.push(e.call);
        }
        return colRef(c);
      }
      return mapChildren(e, collectWin);
    };
    const itemsW = itemsA.map((i) => ({ ...i, expr: collectWin(i.expr) }));
    const orderW = orderA.map((o) => ({ ...o, expr: collectWin(o.expr) }));
    const distinctOnW = distinctOnA.map(collectWin);
    if (winCalls.length > 0)
      plan = { kind: 'window', input: plan, funcs: winCalls, windowOutput: [...winMap.values()] };

    // Set-returning functions in the select list: one ProjectSet node expands each input row.
    const srfCols: ColumnDef[] = [];
    const srfCalls: { fn: string; args: readonly Expr[] }[] = [];
    const collectSrf = (e: Expr): Expr => {
      if (e.kind === 'srf') {
        const c = this.col(e.fn, e.type);
        srfCols.push(c);
        srfCalls.push({ fn: e.fn, args: e.args });
        return colRef(c);
      }
      return mapChildren(e, collectSrf);
    };
    for (const it of itemsW) it.expr = collectSrf(it.expr);
    if (
      orderW.some((o) => o.outputIndex === undefined && containsKind(o.expr, 'srf')) ||
      distinctOnW.some((e) => containsKind(e, 'srf'))
    ) {
      throw featureNotSupported('set-returning functions in ORDER BY / DISTINCT ON');
    }
    if (srfCalls.length > 0) plan = { kind: 'project_set', input: plan, funcs: srfCalls, setOutput: srfCols };

    // Projection: the select list, plus hidden columns for ORDER BY / DISTINCT ON expressions.
    const outCols: ColumnDef[] = itemsW.map((i) =>
      i.expr.kind === 'column'
        ? { id: i.expr.id, name: i.name, type: i.expr.type }
        : this.col(i.name, i.expr.type),
    );
    const exprs: Expr[] = itemsW.map((i) => i.expr);
    const visible = outCols.length;
    const outputFor = (e: Expr, forDistinct: boolean): ColumnDef => {
      const k = exprKey(e);
      const idx = exprs.findIndex((x) => exprKey(x) === k);
      if (idx >= 0) return outCols[idx]!;
      if (q.distinct === true && !forDistinct) {
        throw invalidColumnReference('for SELECT DISTINCT, ORDER BY expressions must appear in select list');
      }
      const c = e.kind === 'column' ? { id: e.id, name: e.name, type: e.type } : this.col('?column?', e.type);
      exprs.push(e);
      outCols.push(c);
      return c;
    };
    const sortKeys: SortKey[] = orderW.map((o) =>
      sortKey(
        colRef(o.outputIndex !== undefined ? outCols[o.outputIndex]! : outputFor(o.expr, false)),
        o.item,
      ),
    );
    const onCols = distinctOnW.map((e) => outputFor(e, true));
    plan = { kind: 'project', input: plan, exprs, output: outCols };

    if (q.distinct === true) plan = { kind: 'distinct', input: plan };
    if (onCols.length > 0) {
      const onKeys = onCols.map((c) => colRef(c));
      const leading = sortKeys.slice(0, onKeys.length).map((k) => exprKey(k.expr));
      if (sortKeys.length > 0 && !onKeys.every((k) => leading.includes(exprKey(k)))) {
        throw invalidColumnReference(
          'SELECT DISTINCT ON expressions must match initial ORDER BY expressions',
        );
      }
      const keys =
        sortKeys.length > 0 ? sortKeys : onKeys.map((e) => ({ expr: e, desc: false, nullsFirst: false }));
      plan = { kind: 'distinct', input: { kind: 'sort', input: plan, keys }, on: onKeys };
    } else if (sortKeys.length > 0) {
      plan = { kind: 'sort', input: plan, keys: sortKeys };
    }
    plan = this.applyLimit(plan, q.limit, q.offset);
    if (outCols.length > visible) {
      const keep = outCols.slice(0, visible);
      plan = { kind: 'project', input: plan, exprs: keep.map(colRef), output: keep };
    }
    return plan;
  }

  /** ORDER BY / GROUP BY item that names an output column (bare name or ordinal); else undefined. */
  private orderOutputIndex(o: AstOrderItem, items: readonly { name: string }[]): number | undefined {
    const e = o.expr;
    if (e.type === 'number') {
      const n = Number(e.text);
      if (!Number.isInteger(n) || n < 1 || n > items.length) {
        throw invalidColumnReference(`ORDER BY position ${e.text} is not in select list`);
      }
      return n - 1;
    }
    if (e.type === 'column' && e.table === undefined) {
      const matches = items.map((it, i) => (it.name === e.name ? i : -1)).filter((i) => i >= 0);
      if (matches.length === 1) return matches[0];
    }
    return undefined;
  }

  private orderTarget(o: AstOrderItem, output: readonly ColumnDef[]): Expr | undefined {
    const idx = this.orderOutputIndex(o, output);
    return idx === undefined ? undefined : colRef(output[idx]!);
  }

  // ---------------------------------------------------------------- FROM

  private from(f: AstFrom, outer: Scope | null): { plan: LogicalPlan; scope: Scope } {
    switch (f.type) {
      case 'table': {
        const cte = this.findCte(f.name);
        const alias = f.alias ?? f.name;
        if (cte) {
          const output = cte.columns.map((c, i) => ({
            ...this.col(f.columnAliases?.[i] ?? c.name, c.type),
            table: alias,
          }));
          const plan: LogicalPlan = { kind: 'cte_ref', cteId: cte.cteId, name: cte.name, output };
          return { plan, scope: { ...emptyScope(outer), rels: [{ alias, columns: output }] } };
        }
        const { qualified, source } = resolveTable(this.catalog, f);
        const output = source.schema.map((c) => ({ ...this.col(c.name, c.type), table: alias }));
        const plan: LogicalPlan = {
          kind: 'scan',
          scanId: this.nextScanId++,
          table: qualified,
          alias,
          source,
          output,
          filters: [],
        };
        const visible = f.columnAliases
          ? output.map((c, i) => ({ ...c, name: f.columnAliases![i] ?? c.name }))
          : output;
        return { plan, scope: { ...emptyScope(outer), rels: [{ alias, columns: visible }] } };
      }
      case 'derived': {
        const plan = this.query(f.query, outer);
        const out = outputOf(plan);
        const columns = out.map((c, i) => ({ ...c, name: f.columnAliases?.[i] ?? c.name }));
        if (!f.alias) throw syntaxError('subquery in FROM must have an alias');
        return { plan, scope: { ...emptyScope(outer), rels: [{ alias: f.alias, columns }] } };
      }
      case 'function': {
        if (f.name !== 'generate_series' && f.name !== 'unnest')
          throw featureNotSupported(`table function ${f.name}`);
        const args = f.args.map((a) =>
          this.expr(a, { scope: emptyScope(outer), agg: false, window: false, clause: 'FROM' }),
        );
        const { type, args: cargs } = typeSetFunction(f.name, args);
        const name = f.columnAliases?.[0] ?? f.alias ?? f.name;
        const output = [this.col(name, type)];
        const plan: LogicalPlan = { kind: 'function_scan', fn: f.name, args: cargs, output };
        return {
          plan,
          scope: { ...emptyScope(outer), rels: [{ alias: f.alias ?? f.name, columns: output }] },
        };
      }
      case 'values': {
        const ctx: ExprCtx = { scope: emptyScope(outer), agg: false, window: false, clause: 'VALUES' };
        const rows = f.rows.map((r) => r.map((x) => this.expr(x, ctx)));
        const width = rows[0]?.length ?? 0;
        if (rows.some((r) => r.length !== width))
          throw syntaxError('VALUES lists must all be the same length');
        const types = Array.from({ length: width }, (_, i) => {
          const t = commonType(
            rows.map((r) => r[i]!.type),
            'VALUES',
          );
          return t === 'unknown' ? 'text' : t;
        });
        const output = types.map((t, i) => ({
          ...this.col(f.columnAliases?.[i] ?? `column${i + 1}`, t),
          table: f.alias ?? '*VALUES*',
        }));
        const plan: LogicalPlan = {
          kind: 'values',
          rows: rows.map((r) => r.map((x, i) => coerce(x, types[i]!))),
          output,
        };
        return {
          plan,
          scope: { ...emptyScope(outer), rels: [{ alias: f.alias ?? '*VALUES*', columns: output }] },
        };
      }
      case 'join': {
        const l = this.from(f.left, outer);
        const isLateral =
          (f.right.type === 'derived' || f.right.type === 'function') && f.right.lateral === true;
        // A LATERAL item sees the items to its left as an enclosing scope.
        const r = this.from(f.right, isLateral ? { ...l.scope, parent: outer, outerRefs: new Set() } : outer);
        const lateralIds = isLateral ? this.readsOf(r.plan, new Set(outputOf(l.plan).map((c) => c.id))) : [];
        if (isLateral && (f.kind === 'right' || f.kind === 'full')) {
          throw new SqlError(
            '42601',
            'the combining JOIN type must be INNER or LEFT for a LATERAL reference',
          );
        }
        const lat = lateralIds.length > 0 ? { lateral: lateralIds } : {};
        const scope: Scope = {
          rels: [...l.scope.rels, ...r.scope.rels],
          merged: [...l.scope.merged, ...r.scope.merged],
          hidden: new Set([...l.scope.hidden, ...r.scope.hidden]),
          parent: outer,
          outerRefs: new Set(),
        };
        for (const a of [...l.scope.rels])
          for (const b of r.scope.rels)
            if (a.alias !== '' && a.alias === b.alias) {
              throw new SqlError('42712', `table name "${a.alias}" specified more than once`);
            }
        if (f.kind === 'cross')
          return {
            plan: { kind: 'join', joinType: 'cross', left: l.plan, right: r.plan, on: null, ...lat },
            scope,
          };
        const conds: Expr[] = [];
        let plan: LogicalPlan;
        let merged = scope.merged;
        const hidden = new Set(scope.hidden);
        if (f.using) {
          const lscope = l.scope;
          const rscope = r.scope;
          const newMerged: ColumnDef[] = [];
          const coalesced: { expr: Expr; col: ColumnDef }[] = [];
          for (const name of f.using) {
            const lc = this.resolveLocal(lscope, undefined, name);
            const rc = this.resolveLocal(rscope, undefined, name);
            if (!lc || !rc) throw undefinedColumn(`"${name}" specified in USING clause`);
            const t = comparisonType('=', lc.type, rc.type);
            conds.push(this.compare('=', coerce(colRef(lc), t), coerce(colRef(rc), t)));
            hidden.add(lc.id);
            hidden.add(rc.id);
            if (f.kind === 'full') {
              const c = this.col(name, t);
              coalesced.push({ expr: typeScalarCall('coalesce', [colRef(lc), colRef(rc)]), col: c });
              newMerged.push(c);
            } else newMerged.push(f.kind === 'right' ? { ...rc, name } : { ...lc, name });
          }
          merged = [...newMerged, ...merged.filter((m) => !newMerged.some((n) => n.name === m.name))];
          plan = { kind: 'join', joinType: f.kind, left: l.plan, right: r.plan, on: and(conds), ...lat };
          if (coalesced.length > 0) {
            const out = outputOf(plan);
            plan = {
              kind: 'project',
              input: plan,
              exprs: [...out.map(colRef), ...coalesced.map((c) => c.expr)],
              output: [...out, ...coalesced.map((c) => c.col)],
            };
          }
        } else {
          const on = this.boolExpr(f.on!, { scope, agg: false, window: false, clause: 'JOIN conditions' });
          if (hasSubquery(on)) throw featureNotSupported('subqueries in JOIN conditions');
          plan = { kind: 'join', joinType: f.kind, left: l.plan, right: r.plan, on, ...lat };
        }
        return { plan, scope: { ...scope, merged, hidden } };
      }
    }
  }

  /** Column ids from `ids` that a plan reads anywhere (expressions, scan parameters, subplans). */
  private readsOf(plan: LogicalPlan, ids: ReadonlySet<number>): number[] {
    const used = new Set<number>();
    forEachNode(plan, (n) => {
      for (const e of nodeExprs(n)) for (const id of columnIds(e)) if (ids.has(id)) used.add(id);
    });
    return [...used];
  }

  private findCte(name: string): CteDef | undefined {
    for (let i = this.cteStack.length - 1; i >= 0; i--) {
      const c = this.cteStack[i]!.get(name);
      if (c) return c;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- names

  private star(scope: Scope, table?: string): ColumnDef[] {
    if (table !== undefined) {
      const rel = scope.rels.find((r) => r.alias === table);
      if (!rel) throw new SqlError('42P01', `missing FROM-clause entry for table "${table}"`);
      return [...rel.columns];
    }
    if (scope.rels.length === 0) throw syntaxError('SELECT * with no tables specified is not valid');
    return [...scope.merged, ...scope.rels.flatMap((r) => r.columns.filter((c) => !scope.hidden.has(c.id)))];
  }

  private resolveLocal(scope: Scope, table: string | undefined, name: string): ColumnDef | undefined {
    if (table !== undefined) {
      const rels = scope.rels.filter((r) => r.alias === table);
      if (rels.length === 0) return undefined;
      const hits = rels.flatMap((r) => r.columns.filter((c) => c.name === name));
      if (hits.length > 1) throw ambiguousColumn(`${table}.${name}`);
      if (hits.length === 0) throw undefinedColumn(`${table}.${name}`);
      return hits[0];
    }
    const m = scope.merged.find((c) => c.name === name);
    if (m) return m;
    const hits = scope.rels.flatMap((r) =>
      r.columns.filter((c) => c.name === name && !scope.hidden.has(c.id)),
    );
    if (hits.length > 1 && new Set(hits.map((h) => h.id)).size > 1) throw ambiguousColumn(name);
    return hits[0];
  }

  private tryResolve(scope: Scope, table: string | undefined, name: string): ColumnDef | undefined {
    for (let s: Scope | null = scope; s; s = s.parent) {
      const c = this.resolveLocal(s, table, name);
      if (c) return c;
    }
    return undefined;
  }

  private resolve(scope: Scope, table: string | undefined, name: string): ColumnDef {
    const passed: Scope[] = [];
    for (let s: Scope | null = scope; s; s = s.parent) {
      const c = this.resolveLocal(s, table, name);
      if (c) {
        for (const p of passed) p.outerRefs.add(c.id);
        return c;
      }
      passed.push(s);
    }
    if (table !== undefined) {
      let found = false;
      for (let s: Scope | null = scope; s; s = s.parent)
        if (s.rels.some((r) => r.alias === table)) found = true;
      if (!found) throw new SqlError('42P01', `missing FROM-clause entry for table "${table}"`);
    }
    throw undefinedColumn(table === undefined ? `"${name}"` : `${table}.${name}`);
  }

  // ---------------------------------------------------------------- subqueries

  /**
   * Turns a WHERE conjunct `[NOT] EXISTS (simple subquery)` or `x IN (simple subquery)` into a
   * semi/anti join when its correlation is plain conjuncts over this block's FROM, and an
   * uncorrelated `x NOT IN (simple subquery)` into a null-aware anti join (a NULL among the
   * subquery's values, or a NULL `x` against a non-empty subquery, keeps no row: as a WHERE conjunct
   * NOT IN's NULL is false); returns undefined when it does not fit, and the caller binds it as an
   * ordinary subquery expression.
   */
  private trySemiJoin(
    ast: AstExpr,
    plan: LogicalPlan,
    scope: Scope,
    fromIds: ReadonlySet<number>,
  ): LogicalPlan | undefined {
    let negated = false;
    let e = ast;
    if (e.type === 'unary' && e.op === 'not' && e.arg.type === 'exists') {
      negated = true;
      e = e.arg;
    }
    let query: AstQuery;
    let arg: AstExpr | undefined;
    let notIn = false;
    if (e.type === 'unary' && e.op === 'not' && e.arg.type === 'in_query' && !e.arg.negated)
      e = { ...e.arg, negated: true };
    if (e.type === 'exists') query = e.query;
    else if (e.type === 'in_query') {
      query = e.query;
      arg = e.arg;
      notIn = e.negated;
      if (notIn && arg.type === 'row') return undefined;
    } else return undefined;
    if (query.type !== 'select' || query.ctes.length > 0 || !query.from) return undefined;
    if (
      query.groupBy.length > 0 ||
      query.having ||
      query.limit ||
      query.offset ||
      Array.isArray(query.distinct)
    ) {
      return undefined;
    }
    const idsBefore = this.nextId;
    try {
      const inner = this.from(query.from, scope);
      const innerIds = new Set(outputOf(inner.plan).map((c) => c.id));
      const ictx: ExprCtx = { scope: inner.scope, agg: false, window: false, clause: 'WHERE' };
      const local: Expr[] = [];
      const corr: Expr[] = [];
      for (const c of query.where ? splitAnd(query.where) : []) {
        const b = this.boolExpr(c, ictx);
        const ids = columnIds(b);
        const outerIds = [...ids].filter((id) => !innerIds.has(id));
        if (outerIds.length === 0) local.push(b);
        else if (outerIds.every((id) => fromIds.has(id)) && !hasSubquery(b)) corr.push(b);
        else return undefined;
      }
      if (arg) {
        if (query.columns.length !== 1 || query.columns[0]!.type !== 'expr') return undefined;
        const sel = this.expr(query.columns[0]!.expr, ictx);
        if (containsKind(sel, 'agg') || containsKind(sel, 'window') || hasSubquery(sel)) return undefined;
        if ([...columnIds(sel)].some((id) => !innerIds.has(id))) return undefined;
        if (notIn && columnIds(sel).size === 0) return undefined;
        const left = this.expr(arg, { scope, agg: false, window: false, clause: 'WHERE' });
        if (hasSubquery(left)) return undefined;
        // Null-aware only when the subquery's value set is the same for every outer row, and `x`
        // reads this block's FROM (so it is a join key of the left side).
        const leftIds = [...columnIds(left)];
        if (notIn && (corr.length > 0 || leftIds.length === 0 || !leftIds.every((id) => fromIds.has(id))))
          return undefined;
        const t = comparisonType('=', left.type, sel.type);
        corr.unshift(this.compare('=', coerce(left, t), coerce(sel, t)));
      }
      const right: LogicalPlan =
        local.length > 0 ? { kind: 'filter', input: inner.plan, predicate: and(local) } : inner.plan;
      return {
        kind: 'join',
        joinType: negated || notIn ? 'anti' : 'semi',
        left: plan,
        right,
        on: corr.length > 0 ? and(corr) : null,
        ...(notIn ? { nullAware: true } : {}),
      };
    } catch (err) {
      // Fall back to ordinary subquery binding, which reports errors with full context.
      if (err instanceof SqlError) {
        this.nextId = Math.max(this.nextId, idsBefore);
        return undefined;
      }
      throw err;
    }
  }

  /**
   * `(SELECT agg(x) FROM … WHERE inner = outer AND …)` correlated on equalities with this block's FROM
   * becomes a LEFT JOIN with the aggregate grouped by the inner keys (each outer row meets at most one
   * group), so the inner table is read once (and can take semi-join keys) instead of once per outer
   * row. count() gets COALESCE(…, 0): an outer row without a group must still count zero.
   */
  private tryDecorrelateScalar(query: AstQuery, scope: Scope, pending: PendingJoins): Expr | undefined {
    if (query.type !== 'select' || query.ctes.length > 0 || !query.from || query.where === undefined)
      return undefined;
    if (query.groupBy.length > 0 || query.having || query.limit || query.offset || query.distinct !== false)
      return undefined;
    const item = query.columns[0];
    if (query.columns.length !== 1 || item?.type !== 'expr' || item.expr.type !== 'func') return undefined;
    if (!AGGREGATES.has(item.expr.name) || item.expr.over) return undefined;
    const idsBefore = this.nextId;
    try {
      const inner = this.from(query.from, scope);
      const innerIds = new Set(outputOf(inner.plan).map((c) => c.id));
      const ictx: ExprCtx = { scope: inner.scope, agg: false, window: false, clause: 'WHERE' };
      const local: Expr[] = [];
      const innerKeys: Expr[] = [];
      const outerKeys: Expr[] = [];
      for (const c of splitAnd(query.where)) {
        const b = this.boolExpr(c, ictx);
        const ids = [...columnIds(b)];
        if (ids.every((id) => innerIds.has(id))) {
          local.push(b);
          continue;
        }
        if (b.kind !== 'call' || b.fn !== '=' || hasSubquery(b)) return undefined;
        const [x, y] = b.args as [Expr, Expr];
        const xs = [...columnIds(x)];
        const ys = [...columnIds(y)];
        const isInner = (ids2: number[]) => ids2.length > 0 && ids2.every((id) => innerIds.has(id));
        const isOuter = (ids2: number[]) => ids2.length > 0 && ids2.every((id) => pending.fromIds.has(id));
        if (isInner(xs) && isOuter(ys)) {
          innerKeys.push(x);
          outerKeys.push(y);
        } else if (isInner(ys) && isOuter(xs)) {
          innerKeys.push(y);
          outerKeys.push(x);
        } else return undefined;
      }
      if (innerKeys.length === 0) return undefined;
      const agg = this.expr(item.expr, { ...ictx, agg: true, clause: 'SELECT' });
      if (agg.kind !== 'agg' || [...columnIds(agg)].some((id) => !innerIds.has(id)) || hasSubquery(agg))
        return undefined;
      const keyCols = innerKeys.map((k) =>
        k.kind === 'column'
          ? { id: k.id, name: k.name, type: k.type, ...(k.table ? { table: k.table } : {}) }
          : this.col('?column?', k.type),
      );
      const aggCol = this.col(agg.call.fn, agg.type);
      const input: LogicalPlan =
        local.length > 0 ? { kind: 'filter', input: inner.plan, predicate: and(local) } : inner.plan;
      const right: LogicalPlan = {
        kind: 'aggregate',
        input,
        groupBy: innerKeys,
        aggs: [agg.call],
        output: [...keyCols, aggCol],
      };
      const on = and(outerKeys.map((o, i) => this.compare('=', o, colRef(keyCols[i]!))));
      pending.joins.push({ right, on });
      const value = colRef(aggCol);
      return agg.call.fn === 'count' ? typeScalarCall('coalesce', [value, lit(0, 'bigint')]) : value;
    } catch (err) {
      if (err instanceof SqlError) {
        this.nextId = Math.max(this.nextId, idsBefore);
        return undefined;
      }
      throw err;
    }
  }

  private subquery(q: AstQuery, scope: Scope): { plan: LogicalPlan; correlated: number[] } {
    const child = emptyScope(scope);
    // Bind the subquery with a scope chain whose first level is empty, to collect outer refs.
    const plan = this.query(q, child);
    const correlated = [...child.outerRefs];
    return { plan, correlated };
  }

  // ---------------------------------------------------------------- expressions

  private boolExpr(a: AstExpr, ctx: ExprCtx): Expr {
    const e = this.expr(a, ctx);
    if (e.type !== 'boolean' && e.type !== 'unknown') {
      throw datatypeMismatch(`argument of ${ctx.clause} must be type boolean, not type ${e.type}`);
    }
    return coerce(e, 'boolean');
  }

  private compare(op: CompareOp, l: Expr, r: Expr): Expr {
    return { kind: 'call', fn: op, args: [l, r], type: 'boolean' };
  }

  private param(index: number): Expr {
    this.paramIndexes.add(index);
    if (this.describeTypes) return lit(new ParamPlaceholder(index, this.describeTypes), 'unknown');
    if (index < 1 || index > this.params.length) throw undefinedParameter(index);
    const v = this.params[index - 1];
    if (v === null || v === undefined) return lit(null, 'unknown');
    if (typeof v === 'string') return lit(v, 'unknown');
    if (typeof v === 'boolean') return lit(v, 'boolean');
    if (typeof v === 'bigint') return lit(Number(v), 'bigint');
    if (typeof v === 'number') {
      return lit(v, Number.isInteger(v) ? (Math.abs(v) <= 2147483647 ? 'integer' : 'bigint') : 'numeric');
    }
    if (v instanceof Date) return lit(v.getTime(), 'timestamptz');
    if (Array.isArray(v)) {
      const allNum = v.every((x) => x === null || typeof x === 'number');
      return lit(
        v,
        allNum ? (v.every((x) => x === null || Number.isInteger(x)) ? 'bigint[]' : 'numeric[]') : 'text[]',
      );
    }
    return lit(v, 'jsonb');
  }

  expr(a: AstExpr, ctx: ExprCtx): Expr {
    switch (a.type) {
      case 'column':
        return colRef(this.resolve(ctx.scope, a.table, a.name));
      case 'star':
        throw syntaxError('"*" is not allowed here');
      case 'string':
        return lit(a.value, 'unknown');
      case 'number': {
        if (/^\d+$/.test(a.text)) {
          const n = Number(a.text);
          if (n <= 2147483647) return lit(n, 'integer');
          if (n <= 9.223372036854776e18) return lit(n, 'bigint');
          return lit(n, 'numeric');
        }
        if (/^-\d+$/.test(a.text)) {
          const n = Number(a.text);
          return lit(n, n >= -2147483648 ? 'integer' : 'bigint');
        }
        return lit(Number(a.text), 'numeric');
      }
      case 'bool':
        return lit(a.value, 'boolean');
      case 'null':
        return lit(null, 'unknown');
      case 'typed_string': {
        if (a.dataType === 'time') throw featureNotSupported('type time');
        return coerce(lit(a.value, 'unknown'), parseTypeName(a.dataType));
      }
      case 'param':
        return this.param(a.index);
      case 'unary': {
        if (a.op === 'not')
          return { kind: 'not', arg: this.boolExpr(a.arg, { ...ctx, clause: 'NOT' }), type: 'boolean' };
        const arg = this.expr(a.arg, ctx);
        if (a.op === '+') return arg;
        if (arg.kind === 'literal' && typeof arg.value === 'number') return lit(-arg.value, arg.type);
        const t = arg.type === 'unknown' ? 'numeric' : arg.type;
        if (!isNumericType(t) && t !== 'interval') throw undefinedOperator(`- ${t}`);
        return { kind: 'call', fn: 'neg', args: [coerce(arg, t)], type: t };
      }
      case 'binary':
        return this.binary(a.op, a.left, a.right, ctx);
      case 'is': {
        if (a.test === 'null')
          return { kind: 'is_null', arg: this.expr(a.arg, ctx), negated: a.negated, type: 'boolean' };
        // IS UNKNOWN is IS NULL restricted to booleans.
        if (a.test === 'unknown') {
          const arg = this.boolExpr(a.arg, { ...ctx, clause: 'IS UNKNOWN' });
          return { kind: 'is_null', arg, negated: a.negated, type: 'boolean' };
        }
        return {
          kind: 'is_bool',
          arg: this.boolExpr(a.arg, { ...ctx, clause: 'IS' }),
          value: a.test === 'true',
          negated: a.negated,
          type: 'boolean',
        };
      }
      case 'distinct_from': {
        const l = this.expr(a.left, ctx);
        const r = this.expr(a.right, ctx);
        const t = comparisonType('=', l.type, r.type);
        return {
          kind: 'distinct_from',
          left: coerce(l, t),
          right: coerce(r, t),
          negated: a.negated,
          type: 'boolean',
        };
      }
      case 'row':
        throw featureNotSupported('row constructors outside comparisons and IN lists');
      case 'in_list': {
        if (a.arg.type === 'row') {
          // (a, b) IN ((1, 2), (3, 4)) is an OR of row equalities.
          const alts = a.list.map((x) => this.rowCompare('=', a.arg, x, ctx));
          const any: Expr = alts.length === 1 ? alts[0]! : { kind: 'or', args: alts, type: 'boolean' };
          return a.negated ? { kind: 'not', arg: any, type: 'boolean' } : any;
        }
        const arg = this.expr(a.arg, ctx);
        const list = a.list.map((x) => this.expr(x, ctx));
        const t = commonType([arg.type, ...list.map((x) => x.type)], 'IN');
        comparisonType('=', arg.type === 'unknown' ? t : arg.type, t);
        return {
          kind: 'in_list',
          arg: coerce(arg, t),
          list: list.map((x) => coerce(x, t)),
          negated: a.negated,
          type: 'boolean',
        };
      }
      case 'in_query': {
        const arg = this.expr(a.arg, ctx);
        const sub = this.subquery(a.query, ctx.scope);
        const out = outputOf(sub.plan);
        if (out.length !== 1) throw syntaxError('subquery has too many columns');
        const t = comparisonType('=', arg.type, out[0]!.type);
        let plan = sub.plan;
        if (out[0]!.type !== t) {
          const c = this.col(out[0]!.name, t);
          plan = { kind: 'project', input: plan, exprs: [coerce(colRef(out[0]!), t)], output: [c] };
        }
        return {
          kind: 'subquery',
          mode: 'in',
          plan,
          arg: coerce(arg, t),
          negated: a.negated,
          correlated: sub.correlated,
          type: 'boolean',
        };
      }
      case 'between': {
        const x = this.expr(a.arg, ctx);
        const lo = this.expr(a.low, ctx);
        const hi = this.expr(a.high, ctx);
        const t = comparisonType('BETWEEN', comparisonType('>=', x.type, lo.type), hi.type);
        return {
          kind: 'between',
          arg: coerce(x, t),
          low: coerce(lo, t),
          high: coerce(hi, t),
          negated: a.negated,
          type: 'boolean',
        };
      }
      case 'like': {
        const arg = this.expr(a.arg, ctx);
        const pattern = this.expr(a.pattern, ctx);
        for (const x of [arg, pattern]) {
          if (x.type !== 'text' && x.type !== 'unknown') {
            throw undefinedOperator(`${x.type} ${a.caseInsensitive ? '~~*' : '~~'} unknown`);
          }
        }
        const esc = a.escape ? coerce(this.expr(a.escape, ctx), 'text') : undefined;
        return {
          kind: 'like',
          arg: coerce(arg, 'text'),
          pattern: coerce(pattern, 'text'),
          ...(esc ? { escape: esc } : {}),
          caseInsensitive: a.caseInsensitive,
          negated: a.negated,
          type: 'boolean',
        };
      }
      case 'case': {
        const operand = a.operand ? this.expr(a.operand, ctx) : undefined;
        const whens = a.whens.map((w) => {
          if (!operand)
            return {
              when: this.boolExpr(w.when, { ...ctx, clause: 'CASE/WHEN' }),
              result: this.expr(w.result, ctx),
            };
          const v = this.expr(w.when, ctx);
          const t = comparisonType('=', operand.type, v.type);
          return {
            when: this.compare('=', coerce(operand, t), coerce(v, t)),
            result: this.expr(w.result, ctx),
          };
        });
        const otherwise = a.else ? this.expr(a.else, ctx) : undefined;
        const t = commonType(
          [...whens.map((w) => w.result.type), ...(otherwise ? [otherwise.type] : [])],
          'CASE',
        );
        return {
          kind: 'case',
          whens: whens.map((w) => ({ when: w.when, result: coerce(w.result, t) })),
          ...(otherwise ? { else: coerce(otherwise, t) } : {}),
          type: t,
        };
      }
      case 'cast': {
        const arg = this.expr(a.arg, ctx);
        const to = parseTypeName(a.to);
        const out = coerce(arg, to);
        // A cast of a non-literal always shows as a node so EXPLAIN reflects the query.
        return out;
      }
      case 'func':
        return this.func(a, ctx);
      case 'subquery': {
        if (ctx.decorrelate) {
          const d = this.tryDecorrelateScalar(a.query, ctx.scope, ctx.decorrelate);
          if (d) return d;
        }
        const sub = this.subquery(a.query, ctx.scope);
        const out = outputOf(sub.plan);
        if (out.length !== 1) throw syntaxError('subquery must return only one column');
        return {
          kind: 'subquery',
          mode: 'scalar',
          plan: sub.plan,
          negated: false,
          correlated: sub.correlated,
          type: out[0]!.type === 'unknown' ? 'text' : out[0]!.type,
        };
      }
      case 'array_subquery': {
        const sub = this.subquery(a.query, ctx.scope);
        const out = outputOf(sub.plan);
        if (out.length !== 1) throw syntaxError('subquery must return only one column');
        const et = out[0]!.type === 'unknown' ? 'text' : out[0]!.type;
        if (isArrayType(et)) throw featureNotSupported('ARRAY(subquery) of arrays');
        return {
          kind: 'subquery',
          mode: 'array',
          plan: sub.plan,
          negated: false,
          correlated: sub.correlated,
          type: `${et}[]` as SqlType,
        };
      }
      case 'exists': {
        const sub = this.subquery(a.query, ctx.scope);
        return {
          kind: 'subquery',
          mode: 'exists',
          plan: sub.plan,
          negated: false,
          correlated: sub.correlated,
          type: 'boolean',
        };
      }
      case 'array': {
        const items = a.items.map((x) => this.expr(x, ctx));
        const t = commonType(
          items.map((i) => i.type),
          'ARRAY',
        );
        const et = t === 'unknown' ? 'text' : t;
        if (isArrayType(et)) throw featureNotSupported('multidimensional arrays');
        return { kind: 'array', items: items.map((i) => coerce(i, et)), type: `${et}[]` as SqlType };
      }
      case 'any': {
        const left = this.expr(a.left, ctx);
        let right = this.expr(a.right, ctx);
        if (right.type === 'unknown')
          right = coerce(right, `${left.type === 'unknown' ? 'text' : left.type}[]` as SqlType);
        const et = arrayElement(right.type);
        const t = comparisonType(a.op, left.type, et);
        const op = a.op as CompareOp;
        if (!['=', '!=', '<', '<=', '>', '>='].includes(op)) throw featureNotSupported(`${a.op} ANY`);
        return {
          kind: 'any',
          op,
          left: coerce(left, t),
          right: et === t ? right : coerce(right, `${t}[]` as SqlType),
          all: a.all,
          type: 'boolean',
        };
      }
      case 'subscript': {
        const arr = this.expr(a.arg, ctx);
        const idx = coerce(this.expr(a.index, ctx), 'integer');
        if (!isArrayType(arr.type))
          throw datatypeMismatch(`cannot subscript type ${arr.type} because it is not an array`);
        return { kind: 'call', fn: 'array_subscript', args: [arr, idx], type: elementType(arr.type) };
      }
      case 'extract': {
        const src = this.expr(a.source, ctx);
        return typeScalarCall('extract', [lit(a.field, 'text'), src]);
      }
    }
  }

  /**
   * Row comparison expanded pairwise with PostgreSQL's semantics: `=` is the AND of the pairs,
   * `<>` their OR, and `<`/`<=`/`>`/`>=` compare lexicographically (the first unequal pair decides).
   */
  private rowCompare(op: string, la: AstExpr, ra: AstExpr, ctx: ExprCtx): Expr {
    if (la.type !== 'row' || ra.type !== 'row') throw featureNotSupported('comparing a row with a non-row');
    if (la.items.length !== ra.items.length)
      throw syntaxError('unequal number of entries in row expressions');
    const pair = (o: string, i: number): Expr => this.binary(o, la.items[i]!, ra.items[i]!, ctx);
    const n = la.items.length;
    if (op === '=') return { kind: 'and', args: la.items.map((_, i) => pair('=', i)), type: 'boolean' };
    if (op === '!=') return { kind: 'or', args: la.items.map((_, i) => pair('!=', i)), type: 'boolean' };
    if (!['<', '<=', '>', '>='].includes(op)) throw featureNotSupported(`row comparison with ${op}`);
    const strict = op === '<' || op === '<=' ? '<' : '>';
    // a1 < b1 OR (a1 = b1 AND (a2 < b2 OR (… last: an op bn)))
    let acc: Expr = pair(op, n - 1);
    for (let i = n - 2; i >= 0; i--) {
      acc = {
        kind: 'or',
        args: [pair(strict, i), { kind: 'and', args: [pair('=', i), acc], type: 'boolean' }],
        type: 'boolean',
      };
    }
    return acc;
  }

  private binary(op: string, la: AstExpr, ra: AstExpr, ctx: ExprCtx): Expr {
    if (la.type === 'row' || ra.type === 'row') return this.rowCompare(op, la, ra, ctx);
    if (op === 'and' || op === 'or') {
      const l = this.boolExpr(la, { ...ctx, clause: op.toUpperCase() });
      const r = this.boolExpr(ra, { ...ctx, clause: op.toUpperCase() });
      const args = [l, r].flatMap((x) => (x.kind === op ? x.args : [x]));
      return { kind: op, args, type: 'boolean' };
    }
    const l = this.expr(la, ctx);
    const r = this.expr(ra, ctx);
    switch (op) {
      case '=':
      case '!=':
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const t = comparisonType(op, l.type, r.type);
        if (t === 'jsonb' && op !== '=' && op !== '!=') throw undefinedOperator(`jsonb ${op} jsonb`);
        return this.compare(op, coerce(l, t), coerce(r, t));
      }
      case '+':
      case '-':
      case '*':
      case '/':
      case '%': {
        const [lt, rt] = arithmeticOperandTypes(op, l.type, r.type);
        const lc = coerce(l, lt);
        const rc = coerce(r, rt);
        const t = arithmeticType(op, lc.type, rc.type);
        if (!t || (op === '%' && !isNumericType(t))) throw undefinedOperator(`${l.type} ${op} ${r.type}`);
        return { kind: 'call', fn: op, args: [lc, rc], type: t };
      }
      case '||': {
        if (isArrayType(l.type) || isArrayType(r.type)) {
          const t = isArrayType(l.type) ? l.type : r.type;
          const el = elementType(t);
          const lc = isArrayType(l.type) ? coerce(l, t) : coerce(l, el);
          const rc = isArrayType(r.type) ? coerce(r, t) : coerce(r, el);
          return { kind: 'call', fn: 'array_cat', args: [lc, rc], type: t };
        }
        if (l.type === 'jsonb' && r.type === 'jsonb')
          return { kind: 'call', fn: 'jsonb_cat', args: [l, r], type: 'jsonb' };
        return { kind: 'call', fn: '||', args: [coerce(l, 'text'), coerce(r, 'text')], type: 'text' };
      }
      case '->':
      case '->>':
        return typeScalarCall(op, [l, r]);
      case '#>': {
        // The rewriter's stand-in for `^` (exponentiation).
        if (
          !isNumericType(l.type === 'unknown' ? 'numeric' : l.type) ||
          !isNumericType(r.type === 'unknown' ? 'numeric' : r.type)
        ) {
          throw undefinedOperator(`${l.type} ^ ${r.type}`);
        }
        const t =
          l.type === 'double precision' ||
          r.type === 'double precision' ||
          (isIntegerLike(l) && isIntegerLike(r))
            ? 'double precision'
            : 'numeric';
        return { kind: 'call', fn: 'power', args: [coerce(l, t), coerce(r, t)], type: t };
      }
      case '?': {
        if (l.type !== 'jsonb') throw undefinedOperator(`${l.type} ? ${r.type}`);
        return { kind: 'call', fn: 'jsonb_exists', args: [l, coerce(r, 'text')], type: 'boolean' };
      }
      case '@>':
      case '<@':
      case '&&': {
        const t = l.type !== 'unknown' ? l.type : r.type;
        if (t === 'unknown' || (!isArrayType(t) && (t !== 'jsonb' || op === '&&'))) {
          throw undefinedOperator(`${l.type} ${op} ${r.type}`);
        }
        const lc = coerce(l, t);
        const rc = coerce(r, t);
        if (lc.type !== rc.type) throw undefinedOperator(`${l.type} ${op} ${r.type}`);
        const fn = op === '&&' ? 'array_overlap' : op === '@>' ? 'contains' : 'contained';
        return { kind: 'call', fn, args: [lc, rc], type: 'boolean' };
      }
      case '~':
      case '~*':
      case '!~':
      case '!~*': {
        for (const x of [l, r])
          if (x.type !== 'text' && x.type !== 'unknown') throw undefinedOperator(`${x.type} ${op} text`);
        const args = [coerce(l, 'text'), coerce(r, 'text')];
        const call: Expr = { kind: 'call', fn: op.replace('!', ''), args, type: 'boolean' };
        return op.startsWith('!') ? { kind: 'not', arg: call, type: 'boolean' } : call;
      }
      default:
        throw featureNotSupported(`operator ${op}`);
    }
  }

  private func(a: Extract<AstExpr, { type: 'func' }>, ctx: ExprCtx): Expr {
    const name = a.name;
    if (a.over) {
      if (!ctx.window) {
        if (ctx.clause === 'aggregate function calls')
          throw groupingError('aggregate function calls cannot contain window function calls');
        throw windowingError(`window functions are not allowed in ${ctx.clause}`);
      }
      return this.windowCall(a, a.over, ctx);
    }
    if ((name === 'unnest' || name === 'generate_series') && !a.distinct && !a.star && !a.filter) {
      if (!ctx.srf) throw new SqlError('0A000', `set-returning functions are not allowed in ${ctx.clause}`);
      const args = a.args.map((x) => this.expr(x, { ...ctx, srf: false }));
      const t = typeSetFunction(name, args);
      return { kind: 'srf', fn: name, args: t.args, type: t.type };
    }
    if (AGGREGATES.has(name)) {
      if (!ctx.agg) throw groupingError(`aggregate functions are not allowed in ${ctx.clause}`);
      const call = this.aggCall(a, { ...ctx, agg: false, window: false, clause: 'aggregate function calls' });
      return { kind: 'agg', call, type: call.type };
    }
    if (WINDOW_FUNCTIONS.has(name)) {
      throw new SqlError('42809', `window function ${name} requires an OVER clause`);
    }
    if (a.filter) throw syntaxError(`FILTER specified, but ${name} is not an aggregate function`);
    if (a.distinct || a.star)
      throw syntaxError(`DISTINCT or * specified, but ${name} is not an aggregate function`);
    const args = a.args.map((x) => this.expr(x, ctx));
    // pg_typeof depends only on the static type: a constant (text, where PostgreSQL says regtype).
    if (name === 'pg_typeof' && args.length === 1) return lit(regtypeName(args[0]!.type), 'text');
    const udf = isScalarFunction(name) ? undefined : this.catalog.lookupFunction(name);
    if (udf) {
      const n = args.length;
      if (
        n < (udf.minArgs ?? udf.args?.length ?? 0) ||
        n > (udf.maxArgs ?? udf.args?.length ?? Number.POSITIVE_INFINITY)
      ) {
        throw undefinedFunction(`${name}(${args.map((x) => x.type).join(', ')})`);
      }
      const cargs = args.map((x, i) => {
        const t = udf.args?.[i];
        return t === undefined ? (x.type === 'unknown' ? coerce(x, 'text') : x) : coerce(x, t);
      });
      const type = typeof udf.returns === 'function' ? udf.returns(cargs.map((x) => x.type)) : udf.returns;
      return { kind: 'call', fn: `${USER_FUNCTION_PREFIX}${name}`, args: cargs, type };
    }
    if (!isScalarFunction(name)) {
      throw undefinedFunction(
        `${name}(${args.map((x) => x.type).join(', ')})`,
        'No function matches the given name and argument types. You might need to add explicit type casts.',
      );
    }
    return typeScalarCall(name, args);
  }

  private aggCall(a: Extract<AstExpr, { type: 'func' }>, ctx: ExprCtx): AggCall {
    const name = a.name === 'every' ? 'bool_and' : a.name;
    if (a.star && name !== 'count') throw syntaxError(`${name}(*) is not valid`);
    const ordered = ORDERED_SET_AGGREGATES.has(name);
    if (ordered !== (a.withinGroup !== undefined)) {
      throw new SqlError(
        '42809',
        ordered
          ? `WITHIN GROUP is required for ordered-set aggregate ${name}`
          : `${name} is not an ordered-set aggregate, so it cannot have WITHIN GROUP`,
      );
    }
    if (ordered && a.withinGroup!.length !== 1)
      throw featureNotSupported(`${name} with several WITHIN GROUP keys`);
    // An ordered-set aggregate folds its WITHIN GROUP value; its direct argument (the fraction) follows.
    const astArgs = ordered ? [a.withinGroup![0]!.expr, ...a.args] : a.args;
    let args = astArgs.map((x): Expr => {
      // count([DISTINCT] (a, b)) counts row values: bound as an internal `row` key (never NULL).
      if (name === 'count' && x.type === 'row' && x.items.length > 1) {
        const items = x.items.map((i) => this.expr(i, ctx));
        return { kind: 'call', fn: 'row', args: items, type: 'text' };
      }
      return this.expr(x, ctx);
    });
    const expected =
      name === 'string_agg' || name === 'percentile_cont' || name === 'percentile_disc'
        ? 2
        : name === 'count' && a.star
          ? 0
          : 1;
    if (args.length !== expected) throw undefinedFunction(`${name} with ${args.length} arguments`);
    const targets = aggregateArgTypes(
      name,
      args.map((x) => x.type),
    );
    args = args.map((x, i) => (targets[i] ? coerce(x, targets[i]!) : x));
    if ((name === 'bool_and' || name === 'bool_or') && args[0]!.type !== 'boolean') {
      throw undefinedFunction(`${name}(${args[0]!.type})`);
    }
    const filter = a.filter ? this.boolExpr(a.filter, { ...ctx, clause: 'FILTER' }) : undefined;
    const orderBy = ordered
      ? [sortKey(args[0]!, a.withinGroup![0]!)]
      : (a.orderBy ?? []).map((o) => sortKey(this.expr(o.expr, ctx), o));
    return {
      fn: name,
      args,
      distinct: a.distinct,
      star: a.star,
      ...(filter ? { filter } : {}),
      orderBy,
      type: aggregateType(
        name,
        args.map((x) => x.type),
      ),
    };
  }

  private windowCall(a: Extract<AstExpr, { type: 'func' }>, over: AstWindowSpec, ctx: ExprCtx): Expr {
    let spec = over;
    if (spec.ref) {
      const base = ctx.windows?.get(spec.ref);
      if (!base) throw new SqlError('42704', `window "${spec.ref}" does not exist`);
      spec = {
        partitionBy: base.partitionBy,
        orderBy: spec.orderBy.length > 0 ? spec.orderBy : base.orderBy,
        ...((spec.frame ?? base.frame) ? { frame: (spec.frame ?? base.frame)! } : {}),
      };
    }
    const inner: ExprCtx = { ...ctx, window: false, clause: 'window definitions' };
    const partitionBy = spec.partitionBy.map((p) => this.expr(p, inner));
    const orderBy = spec.orderBy.map((o) => sortKey(this.expr(o.expr, inner), o));
    const name = a.name;
    let call: WindowCall;
    if (AGGREGATES.has(name)) {
      // Window aggregates over grouped rows may wrap the block's aggregates: sum(sum(x)) OVER ().
      const agg = this.aggCall(a, inner);
      call = {
        fn: name,
        args: [],
        agg,
        partitionBy,
        orderBy,
        ...(spec.frame ? { frame: spec.frame } : {}),
        type: agg.type,
      };
    } else if (WINDOW_FUNCTIONS.has(name)) {
      const args = a.args.map((x) => this.expr(x, inner));
      let type: SqlType;
      switch (name) {
        case 'row_number':
        case 'rank':
        case 'dense_rank':
          type = 'bigint';
          break;
        case 'ntile':
          type = 'integer';
          break;
        case 'percent_rank':
        case 'cume_dist':
          type = 'double precision';
          break;
        default:
          if (args.length === 0) throw undefinedFunction(`${name}()`);
          type = args[0]!.type === 'unknown' ? 'text' : args[0]!.type;
      }
      const cargs = args.map((x, i) => {
        if (i === 0 && type !== 'bigint' && type !== 'integer' && type !== 'double precision')
          return coerce(x, type);
        if (i === 2 && (name === 'lag' || name === 'lead')) return coerce(x, type);
        return name === 'ntile' || i > 0 ? coerce(x, 'integer') : x;
      });
      call = {
        fn: name,
        args: cargs,
        partitionBy,
        orderBy,
        ...(spec.frame ? { frame: spec.frame } : {}),
        type,
      };
    } else {
      throw undefinedFunction(
        `${name}`,
        'OVER specified, but this is not a window function nor an aggregate function',
      );
    }
    return { kind: 'window', call, type: call.type };
  }
}
