import pkg from 'node-sql-parser/build/postgresql.js';
import { featureNotSupported, SqlError, syntaxError } from '../errors.js';
import type {
  AstCte,
  AstDelete,
  AstExpr,
  AstFrame,
  AstFrom,
  AstInsert,
  AstInsertValue,
  AstOrderItem,
  AstQuery,
  AstSelect,
  AstSelectItem,
  AstStatement,
  AstTarget,
  AstUpdate,
  AstWindowSpec,
} from './ast.js';
import {
  ARRAY_TYPE_MARK,
  ARRAY_TYPES,
  DEFAULT_VALUES_MARK,
  findTopLevelWord,
  GROUP_ALL_MARK,
  INSERT_QUERY_MARK,
  PAREN_MARK,
  type Rewritten,
  rewriteSql,
  SET_ALL_MARK,
  STRING_MARK,
  splitStatements,
  WINDOW_FN_MARK,
} from './rewrite.js';

// node-sql-parser's tree is untyped; this file is the only place that reads it.
type Raw = Record<string, unknown>;

const parser = new pkg.Parser();

/**
 * Parses one SQL text into statements of the engine's AST. Handles `EXPLAIN [ANALYZE] [VERBOSE]`
 * itself; everything else goes through the rewriter and node-sql-parser. Throws SqlError 42601 (with a
 * 1-based position into the original text) for syntax errors and 0A000 for known-unsupported forms.
 */
export function parseSql(sql: string): AstStatement[] {
  const out: AstStatement[] = [];
  for (const piece of splitStatements(sql)) {
    try {
      out.push(...parseOne(piece.text));
    } catch (e) {
      if (e instanceof SqlError && e.position !== undefined && piece.offset > 0) {
        throw new SqlError(e.code, e.message, {
          position: e.position + piece.offset,
          ...(e.detail !== undefined ? { detail: e.detail } : {}),
          ...(e.hint !== undefined ? { hint: e.hint } : {}),
        });
      }
      throw e;
    }
  }
  return out;
}

function parseOne(sql: string): AstStatement[] {
  const explain = /^\s*explain\b\s*(\(([^)]*)\))?\s*((?:analy[sz]e\b\s*)?)((?:verbose\b\s*)?)/i.exec(sql);
  if (explain) {
    const opts = (explain[2] ?? '').toLowerCase();
    const analyze = explain[3]!.length > 0 || /\banaly[sz]e\b(?!\s+(false|off))/.test(opts);
    const verbose = explain[4]!.length > 0 || /\bverbose\b(?!\s+(false|off))/.test(opts);
    const rest = sql.slice(explain[0].length);
    const inner = shifted(explain[0].length, () => parseOne(rest));
    const statement = inner[0];
    if (inner.length !== 1 || statement === undefined || statement.type === 'explain')
      throw syntaxError('EXPLAIN needs exactly one query or INSERT/UPDATE/DELETE');
    return [{ type: 'explain', analyze, verbose, statement }];
  }
  const write = withWrite(sql);
  if (write) return [write];
  // A bare VALUES statement is a query over a VALUES list (columns column1, column2, …).
  const values = /^\s*values\b/i.exec(sql);
  if (values) {
    const prefix = 'select * from (';
    // ORDER BY / LIMIT / OFFSET after the rows apply to the whole list.
    const cut = findTopLevelWord(sql, ['order', 'limit', 'offset', 'fetch']);
    const rows = cut < 0 ? sql : sql.slice(0, cut);
    const tail = cut < 0 ? '' : ` ${sql.slice(cut)}`;
    try {
      return parseOne(`${prefix}${rows}) as "*VALUES*"${tail}`);
    } catch (e) {
      throw e instanceof SqlError && e.position !== undefined
        ? new SqlError(e.code, e.message, { position: Math.max(1, e.position - prefix.length) })
        : e;
    }
  }
  const rw = rewriteSql(sql);
  if (rw.text.trim() === '') return [];
  let raw: unknown;
  try {
    raw = parser.astify(rw.text, { database: 'postgresql' });
  } catch (e) {
    throw convertParseError(e, rw, sql);
  }
  const list = (Array.isArray(raw) ? raw : [raw]) as Raw[];
  return list.map((r) => new Normaliser(rw).statement(r));
}

/** Runs `f` on a piece starting `offset` characters into the text, moving error positions back. */
function shifted<T>(offset: number, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw e instanceof SqlError && e.position !== undefined
      ? new SqlError(e.code, e.message, {
          position: e.position + offset,
          ...(e.detail !== undefined ? { detail: e.detail } : {}),
          ...(e.hint !== undefined ? { hint: e.hint } : {}),
        })
      : e;
  }
}

/**
 * `WITH … INSERT/UPDATE/DELETE`: the grammar reads WITH only before SELECT (and UPDATE), so the
 * CTE list is parsed as `WITH … SELECT 1` and the write on its own, then joined. Undefined when
 * the text is not a WITH before a write.
 */
function withWrite(sql: string): AstStatement | undefined {
  if (!/^\s*with\b/i.test(sql)) return undefined;
  const at = findTopLevelWord(sql, ['select', 'insert', 'update', 'delete', 'values', 'table']);
  const word = at < 0 ? '' : (/^[a-z]+/i.exec(sql.slice(at))?.[0] ?? '').toLowerCase();
  if (word !== 'insert' && word !== 'update' && word !== 'delete') return undefined;
  const head = parseOne(`${sql.slice(0, at)} select 1`)[0];
  const body = shifted(at, () => parseOne(sql.slice(at)))[0];
  if (head?.type !== 'query' || body?.type !== 'write')
    throw syntaxError('syntax error at or near "WITH"', 1);
  const ctes = head.query.ctes;
  const target = body.write.table.name;
  // The target is always the stored table; a CTE of the same name would make the statement read one
  // relation and write another.
  if (ctes.some((c) => c.name === target))
    throw featureNotSupported(
      `a WITH query named like the target table "${target}"`,
      'Rename the WITH query.',
    );
  return { type: 'write', write: { ...body.write, ctes } };
}

function convertParseError(e: unknown, rw: Rewritten, sql: string): SqlError {
  if (e instanceof SqlError) return e;
  const loc = (e as { location?: { start?: { offset?: number } } }).location;
  const off = loc?.start?.offset;
  if (typeof off !== 'number') return syntaxError(`syntax error: ${(e as Error).message}`);
  const orig = off >= rw.text.length ? sql.trimEnd().length : rw.originalOffset(off);
  const near = /^\S+/.exec(sql.slice(orig))?.[0];
  const msg = near === undefined ? 'syntax error at end of input' : `syntax error at or near "${near}"`;
  return syntaxError(msg, orig + 1);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Raw | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : undefined;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

class Normaliser {
  constructor(private readonly rw: Rewritten) {}

  statement(r: Raw): AstStatement {
    const t = str(r.type);
    if (t === 'select') return { type: 'query', query: this.query(r) };
    if (t === 'insert') return { type: 'write', write: this.insert(r) };
    if (t === 'update') return { type: 'write', write: this.update(r) };
    if (t === 'delete') return { type: 'write', write: this.delete(r) };
    throw featureNotSupported(`${(t ?? 'this').toUpperCase()} statement`);
  }

  private target(raw: unknown, alias?: string): AstTarget {
    const list = arr(raw);
    if (list.length !== 1) throw featureNotSupported('writing to several tables in one statement');
    const t = obj(list[0])!;
    if (typeof t.table !== 'string') throw syntaxError('expected a table name');
    const as = alias ?? (t.as === null || t.as === undefined ? undefined : this.ident(t.as));
    return {
      name: t.table,
      ...(t.db ? { schema: String(t.db) } : {}),
      ...(as !== undefined ? { alias: as } : {}),
    };
  }

  private returning(r: Raw): AstSelectItem[] {
    return arr(obj(r.returning)?.columns).map((c) => this.selectItem(obj(c)!));
  }

  private ctes(r: Raw): AstCte[] {
    return arr(r.with).map((c) => this.cte(obj(c)!));
  }

  /** A VALUES cell or SET value: the DEFAULT keyword or an expression. */
  private insertValue(v: unknown): AstInsertValue {
    return isDefaultKeyword(obj(v)) ? { type: 'default' } : this.expr(v);
  }

  private insert(r: Raw): AstInsert {
    if (r.conflict) throw featureNotSupported('INSERT … ON CONFLICT');
    const table = this.target(r.table, this.rw.targetAlias);
    const cols =
      this.rw.insertColumns ??
      (r.columns === null || r.columns === undefined ? undefined : arr(r.columns).map((c) => this.ident(c)));
    const v = obj(r.values);
    let source: AstInsert['source'];
    if (v?.type === 'values') {
      const rows = arr(v.values).map((row) => {
        const ro = obj(row);
        return ro?.type === 'expr_list' ? arr(ro.value) : [row];
      });
      const first = obj(rows[0]?.[0]);
      const mark =
        first?.type === 'column_ref' && obj(obj(first.column)?.expr)?.value === DEFAULT_VALUES_MARK;
      source = mark
        ? { kind: 'default' }
        : { kind: 'values', rows: rows.map((row) => row.map((x) => this.insertValue(x))) };
    } else if (v?.type === 'select' || v?.ast) {
      const q = this.query(obj(v.ast) ?? v);
      // Unwrap the derived table the rewriter put around a query followed by RETURNING.
      const from = q.type === 'select' ? q.from : undefined;
      const wrapped = from?.type === 'derived' && from.alias === INSERT_QUERY_MARK;
      source = { kind: 'query', query: wrapped ? from.query : q };
    } else throw syntaxError('INSERT needs VALUES, a query or DEFAULT VALUES');
    return {
      type: 'insert',
      ctes: this.ctes(r),
      table,
      ...(cols !== undefined ? { columns: cols } : {}),
      source,
      returning: this.returning(r),
    };
  }

  private update(r: Raw): AstUpdate {
    if (arr(r.from).length > 0) throw featureNotSupported('UPDATE … FROM');
    const table = this.target(r.table);
    const set = arr(r.set).map((x) => {
      const item = obj(x)!;
      if (item.table !== null && item.table !== undefined) {
        // PostgreSQL reads `SET t.a` as field `a` of a composite column `t`.
        throw new SqlError(
          '42703',
          `column "${this.ident(item.table)}" of relation "${table.name}" does not exist`,
        );
      }
      return { column: this.ident(item.column), value: this.insertValue(item.value) };
    });
    return {
      type: 'update',
      ctes: this.ctes(r),
      table,
      set,
      ...(r.where ? { where: this.expr(r.where) } : {}),
      returning: this.returning(r),
    };
  }

  private delete(r: Raw): AstDelete {
    return {
      type: 'delete',
      ctes: this.ctes(r),
      table: this.target(r.from),
      ...(r.where ? { where: this.expr(r.where) } : {}),
      returning: this.returning(r),
    };
  }

  /** Decodes a `'§n'` placeholder back to its literal text. */
  private literal(v: unknown): string {
    const s = String(v);
    if (s.startsWith(STRING_MARK)) {
      const n = Number(s.slice(STRING_MARK.length));
      const value = this.rw.strings[n];
      if (value !== undefined) return value;
    }
    return s;
  }

  private ident(v: unknown): string {
    if (typeof v === 'string') return v;
    const o = obj(v);
    if (o) {
      if (o.expr !== undefined) return this.ident(o.expr);
      if (o.value !== undefined) return String(o.value);
    }
    throw syntaxError('expected an identifier');
  }

  query(r: Raw): AstQuery {
    const ctes = arr(r.with).map((c) => this.cte(obj(c)!));
    // node-sql-parser chains set operations flat through `_next`. A trailing ORDER BY / LIMIT
    // lands on the last branch when that branch is bare, or in `_orderby` / `_limit` of the first
    // when the last is parenthesised; either way PostgreSQL applies it to the whole set operation,
    // while a parenthesised branch keeps its own ORDER BY / LIMIT.
    const branches: Raw[] = [r];
    const ops: string[] = [];
    let cur = r;
    while (obj(cur._next)) {
      ops.push(String(cur.set_op ?? 'union').toLowerCase());
      cur = obj(cur._next)!;
      branches.push(cur);
    }
    if (branches.length === 1) return this.select(r, ctes);
    const last = branches[branches.length - 1]!;
    const noTail = { _orderby: null, _limit: null };
    const fromLast = last.parentheses_symbol !== true;
    const tail = fromLast
      ? { orderBy: this.orderBy(last.orderby ?? last._orderby), ...this.limit(last) }
      : { orderBy: this.orderBy(r._orderby), ...this.limit({ _limit: r._limit }) };
    const allFlags = branches.map((b) => stripSetAllMarker(b));
    const stripped = branches.map((b, i) =>
      this.select(
        i === branches.length - 1 && fromLast
          ? { ...b, orderby: null, limit: null, ...noTail }
          : { ...b, ...noTail },
        [],
      ),
    );
    for (let i = 0; i < ops.length; i++)
      if (allFlags[i + 1] && !/\ball\b/.test(ops[i]!)) ops[i] = `${ops[i]} all`;
    // INTERSECT binds tighter than UNION / EXCEPT, which associate left to right.
    const operands: AstQuery[] = [stripped[0]!];
    const lowOps: { op: 'union' | 'except'; all: boolean }[] = [];
    for (let i = 0; i < ops.length; i++) {
      const { op, all } = splitSetOp(ops[i]!);
      const right = stripped[i + 1]!;
      if (op === 'intersect') {
        const left = operands.pop()!;
        operands.push({ type: 'setop', ctes: [], op, all, left, right, orderBy: [] });
      } else {
        lowOps.push({ op, all });
        operands.push(right);
      }
    }
    let result = operands[0]!;
    for (let i = 0; i < lowOps.length; i++) {
      result = { type: 'setop', ctes: [], ...lowOps[i]!, left: result, right: operands[i + 1]!, orderBy: [] };
    }
    return { ...(result as Exclude<AstQuery, AstSelect>), ctes, ...tail };
  }

  private cte(c: Raw): AstCte {
    const name = this.ident(c.name);
    const stmt = obj(c.stmt);
    const inner = obj(stmt?.ast) ?? stmt;
    if (!inner) throw syntaxError(`bad WITH item ${name}`);
    const cols = arr(c.columns).map((x) => {
      const o = obj(x);
      return o?.type === 'column_ref' ? this.ident(o.column) : this.ident(x);
    });
    return {
      name,
      query: this.query(inner),
      ...(cols.length > 0 ? { columns: cols } : {}),
      ...(this.rw.recursive ? { recursive: true } : {}),
    };
  }

  private limit(r: Raw): { limit?: AstExpr; offset?: AstExpr } {
    const out: { limit?: AstExpr; offset?: AstExpr } = {};
    const read = (l: Raw | undefined): void => {
      if (!l) return;
      const vals = arr(l.value).map((v) => this.expr(v));
      if (vals.length === 0) return;
      if (l.seperator === 'offset' && vals.length === 1) out.offset = vals[0]!;
      else if (l.seperator === 'offset') {
        out.limit = vals[0]!;
        out.offset = vals[1]!;
      } else if (l.seperator === ',') {
        throw featureNotSupported('LIMIT a, b (use LIMIT b OFFSET a)');
      } else out.limit = vals[0]!;
    };
    read(obj(r.limit));
    read(obj(r._limit));
    return out;
  }

  private select(r: Raw, ctes: readonly AstCte[]): AstSelect {
    if (str(r.type) !== 'select') throw featureNotSupported(`${String(r.type)} in a query`);
    if (obj(r.into)?.position) throw featureNotSupported('SELECT INTO');
    const d = obj(r.distinct);
    let distinct: boolean | AstExpr[] = false;
    if (d?.type === 'DISTINCT') distinct = true;
    else if (d?.type === 'DISTINCT ON') distinct = arr(d.columns).map((c) => this.expr(obj(c)!.expr));
    const windows = new Map<string, AstWindowSpec>();
    for (const w of arr(obj(r.window)?.expr)) {
      const wo = obj(w)!;
      windows.set(this.ident(wo.name), this.windowSpec(wo.as_window_specification));
    }
    const from = r.from ? this.fromList(arr(r.from)) : undefined;
    const groupBy = arr(obj(r.groupby)?.columns).map((g): AstExpr => {
      const c = obj(g);
      // The rewriter's stand-in for `GROUP BY ()`.
      if (c?.type === 'column_ref' && this.ident(c.column) === GROUP_ALL_MARK)
        return { type: 'row', items: [] };
      return this.expr(g);
    });
    for (const g of groupBy) {
      if (g.type === 'func' && ['rollup', 'cube', 'grouping sets'].includes(g.name)) {
        throw featureNotSupported(`GROUP BY ${g.name.toUpperCase()}`);
      }
    }
    return {
      type: 'select',
      ctes,
      distinct,
      columns: arr(r.columns).map((c) => this.selectItem(obj(c)!)),
      ...(from ? { from } : {}),
      ...(r.where ? { where: this.expr(r.where) } : {}),
      groupBy,
      ...(r.having ? { having: this.expr(r.having) } : {}),
      windows,
      orderBy: this.orderBy(r.orderby ?? r._orderby),
      ...this.limit(r),
    };
  }

  private selectItem(c: Raw): AstSelectItem {
    // (the `"§setall"` marker column is removed by query(), see rewrite.ts)
    const e = obj(c.expr)!;
    if (e.type === 'column_ref' && e.column === '*') {
      const t = e.table === null || e.table === undefined ? undefined : this.ident(e.table);
      return t === undefined ? { type: 'star' } : { type: 'star', table: t };
    }
    const alias = c.as === null || c.as === undefined ? undefined : this.ident(c.as);
    // The parser hoists `$1::t` casts in the select list into the item itself.
    const expr = c.type === 'cast' ? this.expr(c) : this.expr(e);
    return alias === undefined ? { type: 'expr', expr } : { type: 'expr', expr, alias };
  }

  private orderBy(v: unknown): AstOrderItem[] {
    return arr(v).map((o) => {
      const oo = obj(o)!;
      const desc = String(oo.type ?? '').toUpperCase() === 'DESC';
      const nulls = String(oo.nulls ?? '').toLowerCase();
      const item: AstOrderItem = { expr: this.expr(oo.expr), desc };
      if (nulls.includes('first')) return { ...item, nullsFirst: true };
      if (nulls.includes('last')) return { ...item, nullsFirst: false };
      return item;
    });
  }

  private aliasParts(as: unknown): { alias?: string; columnAliases?: string[] } {
    if (as === null || as === undefined) return {};
    const a = this.ident(as);
    const m = /^([^()]+)\((.*)\)$/.exec(a);
    if (!m) return { alias: a };
    return {
      alias: m[1]!.trim(),
      columnAliases: m[2]!.split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1')),
    };
  }

  private fromItem(f: Raw): AstFrom {
    const alias = this.aliasParts(f.as);
    const lateral = f.prefix === 'lateral' ? { lateral: true } : {};
    const e = obj(f.expr);
    if (e && e.type === 'tables') return this.fromList(arr(e.expr));
    if (e && e.type === 'values') {
      const rows = arr(e.values).map((row) => {
        const ro = obj(row);
        return ro?.type === 'expr_list' ? arr(ro.value).map((x) => this.expr(x)) : [this.expr(row)];
      });
      return { type: 'values', rows, ...alias };
    }
    if (e?.ast) return { type: 'derived', query: this.query(obj(e.ast)!), ...alias, ...lateral };
    if (e && e.type === 'function') {
      const fn = this.expr(e);
      if (fn.type !== 'func') throw syntaxError('bad table function');
      return { type: 'function', name: fn.name, args: fn.args, ...alias, ...lateral };
    }
    if (typeof f.table === 'string') {
      if (f.db) return { type: 'table', name: f.table, schema: String(f.db), ...alias };
      return { type: 'table', name: f.table, ...alias };
    }
    throw featureNotSupported('this FROM item');
  }

  private fromList(items: unknown[]): AstFrom {
    let acc: AstFrom | undefined;
    const raw = items.map((x) => obj(x)!);
    // `t CROSS JOIN u` without an alias on t: the parser takes CROSS for t's alias and reads a
    // plain JOIN without ON (CROSS is reserved in PostgreSQL, so it can never be an alias there).
    for (let i = 1; i < raw.length; i++) {
      const [prev, f] = [raw[i - 1]!, raw[i]!];
      const as = typeof prev.as === 'string' ? prev.as.toLowerCase() : '';
      if (as === 'cross' && String(f.join).toUpperCase() === 'INNER JOIN' && !f.on && !f.using) {
        raw[i - 1] = { ...prev, as: null };
        raw[i] = { ...f, join: 'CROSS JOIN' };
      }
    }
    for (const f of raw) {
      const right = this.fromItem(f);
      if (acc === undefined) {
        acc = right;
        continue;
      }
      const j = String(f.join ?? '').toUpperCase();
      let kind: 'inner' | 'left' | 'right' | 'full' | 'cross';
      if (j === '') kind = 'cross';
      else if (j.startsWith('LEFT')) kind = 'left';
      else if (j.startsWith('RIGHT')) kind = 'right';
      else if (j.startsWith('FULL')) kind = 'full';
      else if (j.startsWith('CROSS')) kind = 'cross';
      else if (j.includes('JOIN')) kind = 'inner';
      else throw featureNotSupported(j);
      const using = f.using ? arr(f.using).map((u) => this.ident(u)) : undefined;
      const on = f.on ? this.expr(f.on) : undefined;
      if (kind !== 'cross' && on === undefined && using === undefined) {
        throw syntaxError('JOIN needs an ON or USING clause');
      }
      acc = {
        type: 'join',
        kind,
        left: acc,
        right,
        ...(on ? { on } : {}),
        ...(using ? { using } : {}),
      };
    }
    return acc!;
  }

  private windowSpec(v: unknown): AstWindowSpec {
    if (typeof v === 'string') return { ref: v, partitionBy: [], orderBy: [] };
    const spec = obj(obj(v)?.window_specification) ?? obj(v) ?? {};
    const frameRaw = obj(spec.window_frame_clause);
    const ref = spec.name === null || spec.name === undefined ? undefined : this.ident(spec.name);
    return {
      ...(ref === undefined ? {} : { ref }),
      partitionBy: arr(spec.partitionby).map((p) => this.expr(obj(p)!.expr)),
      orderBy: this.orderBy(spec.orderby),
      ...(frameRaw ? { frame: this.frame(frameRaw) } : {}),
    };
  }

  private frame(f: Raw): AstFrame {
    const bound = (b: unknown, isStart: boolean): number | null => {
      const o = obj(b);
      const text = String(o?.value ?? b ?? '').toLowerCase();
      if (text.includes('unbounded')) return null;
      if (text.includes('current')) return 0;
      const m = /^\s*(\d+)\s+(preceding|following)/.exec(text);
      if (!m) throw featureNotSupported(`window frame bound ${text}`);
      const n = Number(m[1]);
      // start counts rows before, end counts rows after.
      return (m[2] === 'preceding') === isStart ? n : -n;
    };
    if (f.type === 'binary_expr' && String(f.operator).toUpperCase() === 'BETWEEN') {
      const unit = String(obj(f.left)?.value ?? '').toLowerCase();
      if (unit !== 'rows') throw featureNotSupported(`${unit.toUpperCase()} window frames`);
      const [s, e] = arr(obj(f.right)?.value);
      return { start: bound(s, true), end: bound(e, false) };
    }
    if (String(f.type).toLowerCase() === 'rows' && f.expr !== undefined)
      return { start: bound(f.expr, true), end: 0 };
    const text = String(f.value ?? f.type ?? '').toLowerCase();
    if (!text.startsWith('rows')) throw featureNotSupported('RANGE/GROUPS window frames');
    return { start: bound(text.replace(/^rows\s+/, ''), true), end: 0 };
  }

  private exprList(v: unknown): AstExpr[] {
    const o = obj(v);
    if (o && o.type === 'expr_list') return arr(o.value).map((x) => this.expr(x));
    return arr(v).map((x) => this.expr(x));
  }

  private subquery(v: unknown): AstQuery | undefined {
    const o = obj(v);
    if (o?.ast) return this.query(obj(o.ast)!);
    if (o?.type === 'expr_list') {
      const vals = arr(o.value);
      if (vals.length === 1 && obj(vals[0])?.ast) return this.query(obj(obj(vals[0])!.ast)!);
    }
    return undefined;
  }

  expr(v: unknown): AstExpr {
    const e = obj(v);
    if (!e) throw syntaxError('expected an expression');
    if (e.ast) return { type: 'subquery', query: this.query(obj(e.ast)!) };
    const type = str(e.type);
    switch (type) {
      case 'column_ref': {
        if (isDefaultKeyword(e)) throw syntaxError('DEFAULT is not allowed in this context');
        if (e.column === '*')
          return e.table ? { type: 'star', table: this.ident(e.table) } : { type: 'star' };
        const name = this.ident(e.column);
        if (e.schema) throw featureNotSupported('three-part column names');
        const table = e.table === null || e.table === undefined ? undefined : this.ident(e.table);
        const col = obj(obj(e.column)?.expr);
        // The parser mistakes some quoted strings for column names (e.g. 'a\' AS x).
        if (col?.type === 'single_quote_string') return { type: 'string', value: this.literal(col.value) };
        let out: AstExpr = table === undefined ? { type: 'column', name } : { type: 'column', table, name };
        for (const ix of arr(e.array_index))
          out = { type: 'subscript', arg: out, index: this.expr(obj(ix)!.index) };
        return out;
      }
      case 'star':
        return { type: 'star' };
      case 'number':
      case 'bigint':
        return { type: 'number', text: String(e.value) };
      case 'single_quote_string':
      case 'string':
        return { type: 'string', value: this.literal(e.value) };
      case 'double_quote_string':
        return { type: 'column', name: String(e.value) };
      case 'bool':
      case 'boolean':
        return { type: 'bool', value: e.value === true || String(e.value).toLowerCase() === 'true' };
      case 'null':
        return { type: 'null' };
      case 'var': {
        if (e.prefix !== '$' || typeof e.name !== 'number')
          throw featureNotSupported(`variable ${String(e.name)}`);
        let out: AstExpr = { type: 'param', index: e.name };
        for (const ix of arr(e.array_index))
          out = { type: 'subscript', arg: out, index: this.expr(obj(ix)!.index) };
        return out;
      }
      case 'date':
      case 'timestamp':
      case 'time':
        return { type: 'typed_string', dataType: type, value: this.literal(e.value) };
      case 'interval': {
        const inner = this.expr(e.expr);
        const unit = String(e.unit ?? '');
        if (inner.type !== 'string') throw featureNotSupported('INTERVAL with a non-literal value');
        return {
          type: 'typed_string',
          dataType: 'interval',
          value: unit ? `${inner.value} ${unit}` : inner.value,
        };
      }
      case 'unary_expr': {
        const op = String(e.operator).toUpperCase();
        if (op === 'NOT EXISTS' || op === 'EXISTS') {
          const q = this.subquery(e.expr);
          if (!q) throw syntaxError('EXISTS needs a subquery');
          const ex: AstExpr = { type: 'exists', query: q };
          return op === 'EXISTS' ? ex : { type: 'unary', op: 'not', arg: ex };
        }
        const arg = this.expr(e.expr);
        if (op === 'NOT') return { type: 'unary', op: 'not', arg };
        if (op === '-' || op === '+') return { type: 'unary', op, arg };
        throw featureNotSupported(`operator ${op}`);
      }
      case 'binary_expr': {
        const h = hoistNot(e);
        return h === e ? this.binary(e) : this.expr(h);
      }
      case 'expr_list': {
        const vals = arr(e.value);
        if (vals.length === 1) return this.expr(vals[0]);
        return { type: 'row', items: vals.map((v) => this.expr(v)) };
      }
      case 'case': {
        const whens: { when: AstExpr; result: AstExpr }[] = [];
        let otherwise: AstExpr | undefined;
        for (const a of arr(e.args)) {
          const ao = obj(a)!;
          if (ao.type === 'when') whens.push({ when: this.expr(ao.cond), result: this.expr(ao.result) });
          else otherwise = this.expr(ao.result);
        }
        return {
          type: 'case',
          ...(e.expr ? { operand: this.expr(e.expr) } : {}),
          whens,
          ...(otherwise ? { else: otherwise } : {}),
        };
      }
      case 'cast': {
        // `-5::int8` is `-(5::int8)` in PostgreSQL (:: binds tighter than unary minus), but the parser
        // folds the sign into the literal.
        const x = obj(e.expr);
        if (
          (x?.type === 'number' || x?.type === 'bigint') &&
          x.parentheses !== true &&
          String(x.value).startsWith('-')
        ) {
          const positive = { ...x, value: String(x.value).slice(1) };
          return { type: 'unary', op: '-', arg: this.expr({ ...e, expr: positive }) };
        }
        let arg = this.expr(e.expr);
        for (const t of arr(e.target)) arg = { type: 'cast', arg, to: this.typeName(obj(t)!) };
        return arg;
      }
      case 'array': {
        const items = this.exprList(e.expr_list);
        let out: AstExpr = { type: 'array', items };
        for (const ix of arr(e.array_index))
          out = { type: 'subscript', arg: out, index: this.expr(obj(ix)!.index) };
        return out;
      }
      case 'extract': {
        const a = obj(e.args)!;
        return { type: 'extract', field: String(a.field).toLowerCase(), source: this.expr(a.source) };
      }
      case 'function':
      case 'aggr_func':
      case 'window_func':
        return this.func(e);
      default:
        throw featureNotSupported(`expression type ${type ?? 'unknown'}`);
    }
  }

  private typeName(t: Raw): string {
    let name = String(t.dataType ?? '').toLowerCase();
    // The parser reads int2/int4/int8 and float4/float8 as INT / FLOAT with a length.
    if ((name === 'int' || name === 'float') && typeof t.length === 'number' && t.parentheses !== true)
      name = `${name}${t.length}`;
    if (name === 'varchar' && typeof t.length === 'number' && t.length >= ARRAY_TYPE_MARK)
      name = ARRAY_TYPES[t.length - ARRAY_TYPE_MARK] ?? name;
    const suffix = arr(t.suffix).map((s) => String(s).toLowerCase());
    if (suffix.join(' ') === 'with time zone') name = 'timestamptz';
    if (obj(t.array)) name += '[]';
    return name;
  }

  private binary(e: Raw): AstExpr {
    const op = String(e.operator).toUpperCase();
    const left = (): AstExpr => this.expr(e.left);
    switch (op) {
      case 'IS':
      case 'IS NOT': {
        const r = obj(e.right)!;
        const negated = op === 'IS NOT';
        if (r.type === 'null') return { type: 'is', arg: left(), test: 'null', negated };
        if (r.type === 'bool') return { type: 'is', arg: left(), test: r.value ? 'true' : 'false', negated };
        // IS [NOT] UNKNOWN: the parser reads UNKNOWN as a column name.
        if (r.type === 'column_ref' && !r.table && this.ident(r.column) === 'unknown')
          return { type: 'is', arg: left(), test: 'unknown', negated };
        throw featureNotSupported(`IS ${String(r.value ?? r.type)}`);
      }
      case 'SIMILAR TO':
      case 'NOT SIMILAR TO':
        // The rewriter's stand-in for IS [NOT] DISTINCT FROM.
        return {
          type: 'distinct_from',
          left: left(),
          right: this.expr(e.right),
          negated: op === 'NOT SIMILAR TO',
        };
      case 'IN':
      case 'NOT IN': {
        const negated = op === 'NOT IN';
        const q = this.subquery(e.right);
        if (q) return { type: 'in_query', arg: left(), query: q, negated };
        return { type: 'in_list', arg: left(), list: this.exprList(e.right), negated };
      }
      case 'BETWEEN':
      case 'NOT BETWEEN': {
        const [low, high] = this.exprList(e.right);
        return { type: 'between', arg: left(), low: low!, high: high!, negated: op === 'NOT BETWEEN' };
      }
      case 'LIKE':
      case 'NOT LIKE':
      case 'ILIKE':
      case 'NOT ILIKE': {
        const r = obj(e.right)!;
        const esc = obj(r.escape);
        const pattern = this.expr({ ...r, escape: undefined });
        return {
          type: 'like',
          arg: left(),
          pattern,
          ...(esc ? { escape: this.expr(esc.value) } : {}),
          caseInsensitive: op.includes('ILIKE'),
          negated: op.startsWith('NOT'),
        };
      }
    }
    const right = obj(e.right);
    const fnName = right?.type === 'function' ? this.funcName(right) : undefined;
    if (fnName === 'any' || fnName === 'some' || fnName === 'all') {
      const args = this.exprList(right!.args);
      const q = this.subquery(right!.args);
      if (q) {
        if (fnName !== 'all' && op === '=')
          return { type: 'in_query', arg: left(), query: q, negated: false };
        return {
          type: 'any',
          op: op === '<>' ? '!=' : op,
          left: left(),
          right: { type: 'array_subquery', query: q },
          all: fnName === 'all',
        };
      }
      return {
        type: 'any',
        op: op === '<>' ? '!=' : op,
        left: left(),
        right: args[0]!,
        all: fnName === 'all',
      };
    }
    const bop = op === '<>' ? '!=' : op.toLowerCase();
    return { type: 'binary', op: bop, left: left(), right: this.expr(e.right) };
  }

  private funcName(e: Raw): string {
    if (typeof e.name === 'string') return e.name.toLowerCase();
    const parts = arr(obj(e.name)?.name).map((p) => this.ident(p));
    const n = parts[parts.length - 1] ?? '';
    if (parts.length > 1 && parts[0] !== 'pg_catalog' && parts[0] !== 'public') {
      throw featureNotSupported(`function ${parts.join('.')}`);
    }
    return n.toLowerCase();
  }

  private func(e: Raw): AstExpr {
    const name = this.funcName(e);
    if (name === 'exists' && e.type === 'function') {
      const q = this.subquery(e.args);
      if (q) return { type: 'exists', query: q };
    }
    if (name === 'array' && e.type === 'function') {
      const q = this.subquery(e.args);
      if (q) return { type: 'array_subquery', query: q };
    }
    // The rewriter's stand-in for the parentheses of `(SELECT (x) …)`: the expression, or a row.
    if (name === PAREN_MARK && e.type === 'function') {
      const a = this.exprList(e.args);
      return a.length === 1 ? a[0]! : { type: 'row', items: a };
    }
    if (name === 'not' && e.type === 'function') {
      const a = this.exprList(e.args);
      if (a.length === 1) return { type: 'unary', op: 'not', arg: a[0]! };
    }
    const over = obj(e.over);
    const overSpec = over ? this.windowSpec(over.as_window_specification) : undefined;
    const filter = obj(obj(e.filter)?.where);
    let args: AstExpr[] = [];
    let star = false;
    let distinct = false;
    let orderBy: AstOrderItem[] | undefined;
    let withinGroup: AstOrderItem[] | undefined;
    if (e.type === 'aggr_func') {
      const a = obj(e.args) ?? {};
      const x = obj(a.expr);
      if (x?.type === 'star') star = true;
      else if (x && x.type !== undefined) {
        args = x.type === 'expr_list' ? this.exprList(x) : [this.expr(x)];
        // count(DISTINCT (a, b)): one row-valued argument, not two arguments.
        if (x.type === 'expr_list' && x.parentheses === true && args.length > 1)
          args = [{ type: 'row', items: args }];
      }
      distinct = String(a.distinct ?? '').toUpperCase() === 'DISTINCT';
      if (a.orderby) orderBy = this.orderBy(a.orderby);
      if (e.within_group_orderby) withinGroup = this.orderBy(e.within_group_orderby);
      const sep = obj(a.separator);
      if (sep?.delimiter) args.push(this.expr(sep.delimiter));
    } else if (name === 'trim' || name === 'ltrim' || name === 'rtrim' || name === 'btrim') {
      args = this.trimArgs(arr(obj(e.args)?.value));
      return { type: 'func', name: args.length === 0 ? name : trimName(name, e), args, star, distinct };
    } else {
      args = this.exprList(e.args);
    }
    let fname = name;
    const first = args[0];
    if (first?.type === 'column' && first.name.startsWith(WINDOW_FN_MARK)) {
      fname = first.name.slice(WINDOW_FN_MARK.length);
      args = args.slice(1);
    }
    if (name === 'current_date' || name === 'current_timestamp' || name === 'localtimestamp') args = [];
    return {
      type: 'func',
      name: fname,
      args,
      star,
      distinct,
      ...(orderBy && orderBy.length > 0 ? { orderBy } : {}),
      ...(withinGroup && withinGroup.length > 0 ? { withinGroup } : {}),
      ...(filter ? { filter: this.expr(filter) } : {}),
      ...(overSpec ? { over: overSpec } : {}),
    };
  }

  /** `trim([both|leading|trailing] [chars] from s)` → `btrim/ltrim/rtrim(s[, chars])`. */
  private trimArgs(raw: unknown[]): AstExpr[] {
    const words = raw.map((r) => obj(r)!);
    const hasFrom = words.some((w) => w.type === 'origin' && String(w.value).toLowerCase() === 'from');
    if (!hasFrom) {
      const vals = words.filter((w) => w.type !== 'origin');
      return vals.map((w) => this.expr(w));
    }
    const idx = words.findIndex((w) => w.type === 'origin' && String(w.value).toLowerCase() === 'from');
    const before = words.slice(0, idx).filter((w) => w.type !== 'origin');
    const after = words.slice(idx + 1);
    const src = this.expr(after[0]);
    return before.length > 0 ? [src, this.expr(before[0])] : [src];
  }
}

function trimName(name: string, e: Raw): string {
  if (name !== 'trim') return name;
  const first = obj(arr(obj(e.args)?.value)[0]);
  const side = first?.type === 'origin' ? String(first.value).toLowerCase() : 'both';
  return side === 'leading' ? 'ltrim' : side === 'trailing' ? 'rtrim' : 'btrim';
}

/** The unquoted keyword DEFAULT, which the parser reads as a column named `default`. */
function isDefaultKeyword(e: Raw | undefined): boolean {
  const c = obj(obj(e?.column)?.expr);
  return e?.type === 'column_ref' && !e.table && c?.type === 'default' && c.value === 'default';
}

/** A `NOT (x)` the parser read as a call of a function named NOT, not in parentheses itself. */
function bareNotCall(e: Raw | undefined): Raw | undefined {
  if (e?.type !== 'function' || e.parentheses === true) return undefined;
  const parts = arr(obj(e.name)?.name);
  if (parts.length !== 1 || String(obj(parts[0])?.value).toUpperCase() !== 'NOT') return undefined;
  const args = arr(obj(e.args)?.value);
  return args.length === 1 ? obj(args[0]) : undefined;
}

/**
 * Re-associates `NOT (x) op y`: the parser reads `NOT (x)` as a function call binding tighter than
 * any operator, but in PostgreSQL NOT binds looser than comparisons, IS, IN, LIKE, BETWEEN and
 * arithmetic (only AND / OR are looser), so `NOT (x) IS FALSE` is `NOT ((x) IS FALSE)`.
 */
function hoistNot(e: Raw): Raw {
  if (e.type !== 'binary_expr' || e.parentheses === true) return e;
  const op = String(e.operator).toUpperCase();
  if (op === 'AND' || op === 'OR') return e;
  let left = obj(e.left);
  if (left?.type === 'binary_expr') left = hoistNot(left);
  if (left?.type === 'unary_expr' && left.hoisted === true) {
    return { type: 'unary_expr', operator: 'NOT', hoisted: true, expr: { ...e, left: left.expr } };
  }
  const arg = bareNotCall(left);
  if (!arg) return e;
  return {
    type: 'unary_expr',
    operator: 'NOT',
    hoisted: true,
    expr: { ...e, left: { ...arg, parentheses: true } },
  };
}

/** Removes the `"§setall"` marker column the rewriter puts after `EXCEPT ALL` / `INTERSECT ALL`. */
function stripSetAllMarker(b: Raw): boolean {
  const cols = arr(b.columns);
  const first = obj(obj(cols[0])?.expr);
  const name = obj(obj(first?.column)?.expr)?.value;
  if (first?.type === 'column_ref' && name === SET_ALL_MARK) {
    b.columns = cols.slice(1);
    return true;
  }
  return false;
}

function splitSetOp(s: string): { op: 'union' | 'intersect' | 'except'; all: boolean } {
  const all = /\ball\b/.test(s);
  const op = s.startsWith('intersect')
    ? 'intersect'
    : s.startsWith('except') || s.startsWith('minus')
      ? 'except'
      : 'union';
  if (/\bdistinct\b/.test(s) || all || s === op) return { op, all };
  throw featureNotSupported(`set operation ${s}`);
}
