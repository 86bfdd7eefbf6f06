import { Catalog, type UserFunction } from '../catalog/catalog.js';
import { MemoryTable } from '../catalog/memory-table.js';
import type { ColumnWrite, TableSource } from '../catalog/table-source.js';
import { elementType, isArrayType, isNumericType, type Row, type SqlType } from '../catalog/types.js';
import { featureNotSupported, SqlError, syntaxError } from '../errors.js';
import type {
  AstCte,
  AstDelete,
  AstExpr,
  AstInsert,
  AstSelect,
  AstSelectItem,
  AstUpdate,
  AstWrite,
} from '../sql/ast.js';
import { bindQuery, type ParamTypes, resolveTable } from './bind.js';
import { regtypeName } from './bind-support.js';
import type { ColumnDef, Expr } from './expr.js';
import { type LogicalPlan, outputOf } from './logical.js';
import { coerce } from './types.js';

/** The three write statements, as the TableSource contract names them. */
export type WriteOp = 'insert' | 'update' | 'delete';

/** The table a write changes, resolved in the catalog. */
export interface WriteTarget {
  /** The relation name as written, without schema (what PostgreSQL's messages call it). */
  readonly name: string;
  /** The name the statement's expressions use for it (its alias, or its name). */
  readonly alias: string;
  readonly source: TableSource;
}

/** A column a write may assign, with the source's write flags for it. */
export interface TargetColumn {
  readonly name: string;
  readonly type: SqlType;
  readonly nullable: boolean;
  readonly flags: ColumnWrite;
  readonly comment?: string;
}

/** Where one assigned value sits in the input rows, and its type there. */
export interface ValueSlot {
  readonly column: TargetColumn;
  readonly index: number;
  /** The value's type in the input row; converted to the column type at run time (assignment cast). */
  readonly type: SqlType;
  /** The bound expression (EXPLAIN prints it). */
  readonly expr: Expr;
}

/**
 * RETURNING: a plan over the rows the write produced. Those rows exist only at run time, so the
 * plan reads a per-statement buffer the executor fills (in the source's schema order) before it runs.
 */
export interface ReturningPlan {
  readonly plan: LogicalPlan;
  readonly fields: readonly ColumnDef[];
  readonly buffer: Row[];
}

/**
 * A planned INSERT, UPDATE or DELETE. Every name, type, matrix and column rule was checked while
 * planning; what remains for run time is what depends on the values (NULLs, coercion of computed
 * values, the source's row rules), the safety settings and the writes themselves.
 * - insert: `input` yields the rows to insert. With `cells`, it yields one row holding every VALUES
 *   cell and `cells[i]` names the slots of row i (DEFAULT cells have none); with `slots`, each input
 *   row is one row to insert (INSERT … SELECT).
 * - update / delete: `input` is the read of the rows to change (the statement's WHERE, pushed down
 *   like any query's): the primary key at `key` positions, then for update the SET values at the
 *   slots' positions; for delete with RETURNING the whole row (the key at its schema positions).
 */
export type WritePlan =
  | {
      readonly op: 'insert';
      readonly target: WriteTarget;
      readonly input: LogicalPlan;
      readonly cells?: readonly (readonly ValueSlot[])[];
      readonly slots?: readonly ValueSlot[];
      /** The assigned column names, for the source's describeWrite. */
      readonly columns: readonly string[];
      readonly returning?: ReturningPlan;
    }
  | {
      readonly op: 'update';
      readonly target: WriteTarget;
      readonly input: LogicalPlan;
      readonly key: readonly number[];
      readonly slots: readonly ValueSlot[];
      readonly filtered: boolean;
      readonly returning?: ReturningPlan;
    }
  | {
      readonly op: 'delete';
      readonly target: WriteTarget;
      readonly input: LogicalPlan;
      readonly key: readonly number[];
      readonly filtered: boolean;
      readonly returning?: ReturningPlan;
    };

/** What planning a write needs from the engine. */
export interface WritePlanContext {
  readonly catalog: Catalog;
  readonly params: readonly unknown[];
  /** Set when describing without parameter values. */
  readonly describe?: ParamTypes;
  /** Finishes a bound read plan: the engine optimizes it (pushdown) and validates its scans. */
  readonly finish: (plan: LogicalPlan) => LogicalPlan;
}

const VERB: Record<WriteOp, string> = { insert: 'INSERT into', update: 'UPDATE', delete: 'DELETE from' };

/** `a`, `a and b`, `a, b and c`. */
function listWords(words: readonly string[]): string {
  return words.length <= 1
    ? (words[0] ?? '')
    : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/**
 * Resolves the table of a write or COPY FROM like the binder resolves FROM (the name as given, then
 * pg_catalog; `public.x` is `x`) and checks the source's DML matrix allows `op`: 42P01 for an unknown
 * table, 0A000 naming the operations the table does allow.
 */
function resolveTarget(
  catalog: Catalog,
  table: { readonly name: string; readonly schema?: string; readonly alias?: string },
  op: WriteOp,
): WriteTarget {
  const { source } = resolveTable(catalog, table);
  const can = (o: WriteOp): boolean => source.writes?.[o] === true && typeof source[o] === 'function';
  if (!can(op)) {
    const allowed = (['insert', 'update', 'delete'] as const).filter(can).map((o) => o.toUpperCase());
    if (allowed.length === 0)
      throw new SqlError('0A000', `table "${table.name}" is read-only`, {
        detail: `"${table.name}" cannot be changed through this connection: it allows SELECT only.`,
      });
    throw new SqlError(
      '0A000',
      `cannot ${VERB[op]} table "${table.name}": it allows ${listWords(allowed)} only`,
    );
  }
  return { name: table.name, alias: table.alias ?? table.name, source };
}

/** The table's column `name` with its write flags; 42703 as PostgreSQL says it for a write's column list. */
function targetColumn(t: WriteTarget, name: string): TargetColumn {
  const c = t.source.schema.find((s) => s.name === name);
  if (!c) throw new SqlError('42703', `column "${name}" of relation "${t.name}" does not exist`);
  return {
    name: c.name,
    type: c.type,
    nullable: c.nullable,
    flags: t.source.columnWrites?.get(c.name) ?? {},
    ...(c.comment !== undefined ? { comment: c.comment } : {}),
  };
}

/** The columns an INSERT or COPY lists, in order, each checked by `check` as it is reached: 42701 for a repeat. */
function listedColumns(
  t: WriteTarget,
  names: readonly string[],
  check?: (c: TargetColumn) => void,
): TargetColumn[] {
  const seen = new Set<string>();
  return names.map((name) => {
    if (seen.has(name)) throw new SqlError('42701', `column "${name}" specified more than once`);
    seen.add(name);
    const c = targetColumn(t, name);
    check?.(c);
    return c;
  });
}

/** The detail naming why a column cannot be written: the source's own description when it has one. */
function readOnlyDetail(c: TargetColumn, what: string): string {
  return `Column "${c.name}"${c.comment ? ` (${c.comment})` : ''} is ${what}.`;
}

/** 428C9 for a value assigned to a read-only column (PostgreSQL's wording for generated columns). */
function readOnlyColumn(c: TargetColumn, op: 'insert' | 'update'): SqlError {
  const message =
    op === 'insert'
      ? `cannot insert a non-DEFAULT value into column "${c.name}"`
      : `column "${c.name}" can only be updated to DEFAULT`;
  return new SqlError('428C9', message, { detail: readOnlyDetail(c, 'read-only') });
}

/**
 * 428C9 for an UPDATE of a column that can only be set when the row is created. A table that allows
 * no INSERT creates its rows elsewhere (an upload), so pointing at INSERT would send the user into a
 * second refusal: the message says the column cannot be changed at all.
 */
function createOnlyColumn(c: TargetColumn, t: WriteTarget): SqlError {
  const detail = readOnlyDetail(c, 'set when the row is created and cannot be changed afterwards');
  if (t.source.writes?.insert !== true || typeof t.source.insert !== 'function') {
    return new SqlError(
      '428C9',
      `column "${c.name}" cannot be changed: it is set when the row is created, and "${t.name}" allows no INSERT`,
      { detail },
    );
  }
  return new SqlError('428C9', `column "${c.name}" can only be set on INSERT`, { detail });
}

/** 23502 as PostgreSQL words a NULL (or missing required value) in a column that needs one. */
export function notNullViolation(column: string, relation: string, where = ''): SqlError {
  return new SqlError(
    '23502',
    `null value in column "${column}" of relation "${relation}" violates not-null constraint${where}`,
  );
}

const TIME_TYPES = new Set<SqlType>(['date', 'timestamp', 'timestamptz']);

/**
 * PostgreSQL's assignment casts among the engine's types: anything to text (I/O conversion), among
 * numeric types (rounding), among date/timestamp types, and arrays element-wise. Not boolean ↔
 * numbers, not text (typed) to anything else: those are explicit casts only.
 */
function assignable(from: SqlType, to: SqlType): boolean {
  if (from === to || from === 'unknown' || to === 'text') return true;
  if (isNumericType(from) && isNumericType(to)) return true;
  if (TIME_TYPES.has(from) && TIME_TYPES.has(to)) return true;
  if (isArrayType(from) && isArrayType(to)) return assignable(elementType(from), elementType(to));
  return false;
}

/** Appends the column (and the row, in a multi-row statement) to a value error's message. */
export function atColumn(err: unknown, column: string, row: string): unknown {
  if (!(err instanceof SqlError)) return err;
  return new SqlError(err.code, `${err.message} (column "${column}"${row ? `, ${row}` : ''})`, {
    ...(err.detail !== undefined ? { detail: err.detail } : {}),
    ...(err.hint !== undefined ? { hint: err.hint } : {}),
  });
}

/** `row 2 of 5` in a multi-row INSERT; nothing for a single row. */
export function rowLabel(i: number, n: number): string {
  return n > 1 ? `row ${i + 1} of ${n}` : '';
}

/** One output of a bound plan that goes to a column (`row` names the row in messages, or ''). */
interface Assignment {
  readonly index: number;
  readonly col: TargetColumn;
  readonly row: string;
}

/**
 * Types the outputs of a bound plan for the columns they go to: 42804 when no assignment cast exists;
 * an untyped literal or `$n` is read with the column type's input syntax now (so a bad literal fails
 * before anything runs, and a described `$n` takes the column's type), as PostgreSQL does. Returns
 * the retyped plan and one slot per assignment, in order (one pass: VALUES may hold many cells).
 */
function assignOutputs(
  plan: LogicalPlan,
  targets: readonly Assignment[],
): { plan: LogicalPlan; slots: ValueSlot[] } {
  const top = plan.kind === 'with' ? plan.input : plan;
  const output = [...outputOf(top)];
  const exprs = top.kind === 'project' ? [...top.exprs] : undefined;
  const slots = targets.map(({ index, col, row }): ValueSlot => {
    const type = output[index]!.type;
    if (!assignable(type, col.type)) {
      throw new SqlError(
        '42804',
        `column "${col.name}" is of type ${regtypeName(col.type)} but expression is of type ${regtypeName(type)}${row ? ` (${row})` : ''}`,
        { hint: 'You will need to rewrite or cast the expression.' },
      );
    }
    if (type === 'unknown' && exprs) {
      try {
        exprs[index] = coerce(exprs[index]!, col.type);
      } catch (err) {
        throw atColumn(err, col.name, row);
      }
      output[index] = { ...output[index]!, type: col.type };
    }
    const out = output[index]!;
    const expr: Expr = exprs?.[index] ?? { kind: 'column', id: out.id, name: out.name, type: out.type };
    return { column: col, index, type: out.type, expr };
  });
  if (!exprs || top.kind !== 'project') return { plan, slots };
  const retyped: LogicalPlan = { ...top, exprs, output };
  return { plan: plan.kind === 'with' ? { ...plan, input: retyped } : retyped, slots };
}

/** The name under which RETURNING reads the written rows; users cannot reach it from FROM (never registered). */
const RETURNING_TABLE = '§returning';

/** The catalog plus one extra table, for binding RETURNING over the written rows. */
class OverlayCatalog extends Catalog {
  constructor(
    private readonly base: Catalog,
    private readonly extraName: string,
    private readonly extra: TableSource,
  ) {
    super();
  }
  override lookup(name: string): TableSource | undefined {
    return name === this.extraName ? this.extra : this.base.lookup(name);
  }
  override lookupFunction(name: string): UserFunction | undefined {
    return this.base.lookupFunction(name);
  }
  override names(): string[] {
    return this.base.names();
  }
}

const selectOf = (
  ctes: readonly AstCte[],
  columns: readonly AstSelectItem[],
  from?: AstSelect['from'],
  where?: AstExpr,
): AstSelect => ({
  type: 'select',
  ctes,
  distinct: false,
  columns,
  ...(from ? { from } : {}),
  ...(where ? { where } : {}),
  groupBy: [],
  windows: new Map(),
  orderBy: [],
});

function planReturning(
  items: readonly AstSelectItem[],
  ctes: readonly AstCte[],
  t: WriteTarget,
  ctx: WritePlanContext,
): ReturningPlan | undefined {
  if (items.length === 0) return undefined;
  const buffer: Row[] = [];
  const rows = new MemoryTable(t.source.schema, () => buffer, 'rows written');
  const catalog = new OverlayCatalog(ctx.catalog, RETURNING_TABLE, rows);
  const q = selectOf(ctes, items, { type: 'table', name: RETURNING_TABLE, alias: t.alias });
  const bound = bindQuery(q, catalog, ctx.params, {
    clause: 'RETURNING',
    ...(ctx.describe ? { describe: ctx.describe } : {}),
  });
  return { plan: ctx.finish(bound.plan), fields: bound.fields, buffer };
}

const bindOpts = (ctx: WritePlanContext, clause?: string) => ({
  untypedOutput: true,
  ...(clause !== undefined ? { clause } : {}),
  ...(ctx.describe ? { describe: ctx.describe } : {}),
});

function checkRequired(t: WriteTarget, rows: readonly (readonly ValueSlot[])[]): void {
  for (const c of t.source.schema) {
    if (!t.source.columnWrites?.get(c.name)?.requiredOnInsert) continue;
    rows.forEach((slots, i) => {
      if (!slots.some((s) => s.column.name === c.name)) {
        const row = rowLabel(i, rows.length);
        throw notNullViolation(c.name, t.name, row ? ` (${row})` : '');
      }
    });
  }
}

function planInsert(ast: AstInsert, ctx: WritePlanContext): WritePlan {
  const t = resolveTarget(ctx.catalog, ast.table, 'insert');
  const cols = ast.columns
    ? listedColumns(t, ast.columns)
    : t.source.schema.map((c) => targetColumn(t, c.name));
  const explicit = ast.columns !== undefined;
  const checkWidth = (n: number): void => {
    if (n > cols.length) throw syntaxError('INSERT has more expressions than target columns');
    if (n < cols.length && explicit) throw syntaxError('INSERT has more target columns than expressions');
  };
  const returning = planReturning(ast.returning, ast.ctes, t, ctx);
  const used = new Set<string>();

  if (ast.source.kind === 'query') {
    const q = ast.source.query;
    const bound = bindQuery({ ...q, ctes: [...ast.ctes, ...q.ctes] }, ctx.catalog, ctx.params, bindOpts(ctx));
    checkWidth(bound.fields.length);
    const targets = bound.fields.map((_, i): Assignment => {
      const col = cols[i]!;
      if (col.flags.readOnly) throw readOnlyColumn(col, 'insert');
      used.add(col.name);
      return { index: i, col, row: '' };
    });
    const { plan, slots } = assignOutputs(bound.plan, targets);
    checkRequired(t, [slots]);
    t.source.checkWriteColumns?.('insert', [...used]);
    return {
      op: 'insert',
      target: t,
      input: ctx.finish(plan),
      slots,
      columns: cols.filter((c) => used.has(c.name)).map((c) => c.name),
      ...(returning ? { returning } : {}),
    };
  }

  const rows = ast.source.kind === 'values' ? ast.source.rows : [[]];
  const width = rows[0]?.length ?? 0;
  if (rows.some((r) => r.length !== width)) throw syntaxError('VALUES lists must all be the same length');
  if (ast.source.kind === 'values') checkWidth(width);
  // Every non-DEFAULT cell becomes one item of a single select list, so each is typed on its own
  // against its column (as PostgreSQL types INSERT … VALUES), not by a common type per VALUES column.
  const items: AstSelectItem[] = [];
  const where: { row: number; col: TargetColumn }[] = [];
  rows.forEach((r, i) => {
    r.forEach((cell, j) => {
      const col = cols[j]!;
      if (cell.type === 'default') return;
      if (col.flags.readOnly) {
        const row = rowLabel(i, rows.length);
        const e = readOnlyColumn(col, 'insert');
        throw row ? new SqlError(e.code, `${e.message} (${row})`, { detail: e.detail! }) : e;
      }
      items.push({ type: 'expr', expr: cell });
      where.push({ row: i, col });
    });
  });
  const bound = bindQuery(selectOf(ast.ctes, items), ctx.catalog, ctx.params, bindOpts(ctx, 'VALUES'));
  const { plan, slots } = assignOutputs(
    bound.plan,
    where.map(({ row, col }, k) => ({ index: k, col, row: rowLabel(row, rows.length) })),
  );
  const cells: ValueSlot[][] = rows.map(() => []);
  slots.forEach((slot, k) => {
    cells[where[k]!.row]!.push(slot);
    used.add(slot.column.name);
  });
  checkRequired(t, cells);
  return {
    op: 'insert',
    target: t,
    input: ctx.finish(plan),
    cells,
    columns: cols.filter((c) => used.has(c.name)).map((c) => c.name),
    ...(returning ? { returning } : {}),
  };
}

/** The key columns of a target: 0A000 when the source names none (it cannot address a row). */
function primaryKeyOf(t: WriteTarget, op: WriteOp): readonly string[] {
  const pk = t.source.primaryKey ?? [];
  if (pk.length === 0)
    throw featureNotSupported(
      `${op.toUpperCase()} on table "${t.name}" (it has no primary key to address rows by)`,
    );
  return pk;
}

/**
 * Binds the read of the rows an UPDATE / DELETE changes, an ordinary query so its WHERE is pushed
 * down: `SELECT [<primary key>,] <items> FROM target AS alias WHERE …`.
 */
function bindRead(
  ast: AstUpdate | AstDelete,
  t: WriteTarget,
  items: readonly AstSelectItem[],
  ctx: WritePlanContext,
  clause?: string,
  keyFirst = true,
): LogicalPlan {
  const key = keyFirst
    ? primaryKeyOf(t, ast.type).map(
        (name): AstSelectItem => ({ type: 'expr', expr: { type: 'column', table: t.alias, name } }),
      )
    : [];
  const from = {
    type: 'table' as const,
    name: ast.table.name,
    alias: t.alias,
    ...(ast.table.schema ? { schema: ast.table.schema } : {}),
  };
  const q = selectOf(ast.ctes, [...key, ...items], from, ast.where);
  return bindQuery(q, ctx.catalog, ctx.params, bindOpts(ctx, clause)).plan;
}

function planUpdate(ast: AstUpdate, ctx: WritePlanContext): WritePlan {
  const t = resolveTarget(ctx.catalog, ast.table, 'update');
  const pk = primaryKeyOf(t, 'update');
  const seen = new Set<string>();
  const assigned: { col: TargetColumn; expr: AstExpr }[] = [];
  for (const s of ast.set) {
    const col = targetColumn(t, s.column);
    if (seen.has(col.name)) throw syntaxError(`multiple assignments to same column "${col.name}"`);
    seen.add(col.name);
    if (s.value.type === 'default') {
      // A read-only column keeps the value the server gives it, which is what DEFAULT asks for.
      if (col.flags.readOnly) continue;
      throw featureNotSupported(
        `SET "${col.name}" = DEFAULT`,
        'The table declares no column defaults: assign a value (or NULL).',
      );
    }
    if (col.flags.readOnly) throw readOnlyColumn(col, 'update');
    if (col.flags.createOnly) throw createOnlyColumn(col, t);
    assigned.push({ col, expr: s.value });
  }
  t.source.checkWriteColumns?.(
    'update',
    assigned.map((a) => a.col.name),
  );
  const read = bindRead(
    ast,
    t,
    assigned.map((a): AstSelectItem => ({ type: 'expr', expr: a.expr, alias: a.col.name })),
    ctx,
    'UPDATE',
  );
  const { plan, slots } = assignOutputs(
    read,
    assigned.map((a, j) => ({ index: pk.length + j, col: a.col, row: '' })),
  );
  const returning = planReturning(ast.returning, ast.ctes, t, ctx);
  return {
    op: 'update',
    target: t,
    input: ctx.finish(plan),
    key: pk.map((_, i) => i),
    slots,
    filtered: ast.where !== undefined,
    ...(returning ? { returning } : {}),
  };
}

function planDelete(ast: AstDelete, ctx: WritePlanContext): WritePlan {
  const t = resolveTarget(ctx.catalog, ast.table, 'delete');
  const pk = primaryKeyOf(t, 'delete');
  const returning = planReturning(ast.returning, ast.ctes, t, ctx);
  // DELETE … RETURNING returns the row as it was read before the delete: the read takes whole rows.
  const plan = returning
    ? bindRead(ast, t, [{ type: 'star', table: t.alias }], ctx, undefined, false)
    : bindRead(ast, t, [], ctx);
  return {
    op: 'delete',
    target: t,
    input: ctx.finish(plan),
    key: returning ? pk.map((k) => t.source.schema.findIndex((c) => c.name === k)) : pk.map((_, i) => i),
    filtered: ast.where !== undefined,
    ...(returning ? { returning } : {}),
  };
}

/**
 * Plans a write: resolves the target, checks the DML matrix and every column rule (unknown 42703,
 * repeated 42701 / 42601, read-only and create-only 428C9, missing required 23502, type 42804, bad
 * literal 22xxx), binds the rows to insert or the read of the rows to change (an ordinary query, so
 * its WHERE is pushed down), and RETURNING. Nothing here reads or writes data.
 */
export function planWrite(ast: AstWrite, ctx: WritePlanContext): WritePlan {
  switch (ast.type) {
    case 'insert':
      return planInsert(ast, ctx);
    case 'update':
      return planUpdate(ast, ctx);
    case 'delete':
      return planDelete(ast, ctx);
  }
}

/**
 * The parts of a possibly qualified name as written in SQL (`public."Tasks"`): quoted parts as
 * written, unquoted ones folded to lower case; 42601 when it is not a name.
 */
function splitQualifiedName(text: string): string[] {
  const parts: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")+)"|([^".\s]+))\s*(\.|$)/y;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m || m[0].length === 0) throw syntaxError(`invalid name syntax: ${text}`);
    parts.push(
      m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!.replace(/[A-Z]+/g, (x) => x.toLowerCase()),
    );
    at = re.lastIndex;
    if (m[3] === '') break;
  }
  if (parts.length === 0 || parts.length > 3) throw syntaxError(`invalid name syntax: ${text}`);
  return parts;
}

/**
 * The target and columns of `COPY table [(columns)] FROM STDIN`, checked like INSERT's: the listed
 * columns (42703, 42701, 428C9 for read-only), or every assignable column in declared order; 23502
 * when a required column is left out.
 */
export function planCopy(
  catalog: Catalog,
  table: string,
  columns: readonly string[] | undefined,
): { target: WriteTarget; columns: TargetColumn[] } {
  const parts = splitQualifiedName(table);
  const name = parts[parts.length - 1]!;
  const t = resolveTarget(
    catalog,
    parts.length > 1 ? { schema: parts[parts.length - 2]!, name } : { name },
    'insert',
  );
  const cols = columns
    ? listedColumns(t, columns, (c) => {
        if (c.flags.readOnly) throw readOnlyColumn(c, 'insert');
      })
    : t.source.schema.map((c) => targetColumn(t, c.name)).filter((c) => !c.flags.readOnly);
  const slots = cols.map(
    (column, index): ValueSlot => ({
      column,
      index,
      type: 'unknown',
      expr: { kind: 'literal', value: null, type: 'unknown' },
    }),
  );
  checkRequired(t, [slots]);
  return { target: t, columns: cols };
}
