import type { Catalog } from './catalog/catalog.js';
import { type Zone, zoneByName } from './catalog/timezone.js';
import type { SqlType } from './catalog/types.js';
import { SqlError, toSqlError } from './errors.js';
import { Executor } from './exec/execute.js';
import { bindQuery, describeQuery } from './plan/bind.js';
import { explainPlan, scanRequestOf } from './plan/explain.js';
import type { LogicalPlan } from './plan/logical.js';
import { optimize } from './plan/optimize.js';
import { withPlanningZone } from './plan/types.js';
import { forEachNode } from './plan/walk.js';
import type { AstQuery, AstStatement } from './sql/ast.js';
import { parseSql } from './sql/parse.js';

/** One result column: its name and SQL type. */
export interface Field {
  readonly name: string;
  readonly type: SqlType;
}

/** A complete statement result; rows hold values in the catalog's documented JS representation. */
export interface QueryResult {
  /** The command tag word: `SELECT`, `EXPLAIN`, `INSERT`, `UPDATE`, `DELETE` or `COPY`. */
  readonly command: string;
  readonly rowCount: number;
  readonly fields: readonly Field[];
  readonly rows: unknown[][];
}

/** Per-query options. */
export interface QueryOptions {
  /** Cancels the query (scans stop; the promise rejects with SQLSTATE 57014). */
  readonly signal?: AbortSignal;
  /** Session time zone (IANA name or ISO offset) for this statement; defaults to the engine's. */
  readonly timeZone?: string;
  /** UPDATE/DELETE without WHERE are refused (SQLSTATE 55000) unless this is true. */
  readonly allowUnfilteredWrites?: boolean;
  /** Most rows one write statement may touch; above it the statement fails before writing, naming the count. Default 100. */
  readonly maxWriteRows?: number;
}

/** A streamed result: fields first, then row batches as the executor produces them. */
export interface QueryStream extends AsyncIterable<unknown[][]> {
  readonly command: string;
  readonly fields: readonly Field[];
  /**
   * Writes (INSERT/UPDATE/DELETE): rows written, for the command tag. Read once the stream is
   * exhausted (it may be a getter that is final only then); absent for queries, whose count is the
   * rows yielded.
   */
  readonly rowCount?: number;
}

/**
 * A `COPY table FROM STDIN` in progress (Engine.copyFrom): rows arrive as COPY's text fields (null =
 * NULL) in `columns` order; `end` then checks every row exactly like INSERT (coercion, required and
 * read-only columns, the source's rules, the row cap) and only then writes, row by row, with the same
 * partial-failure report. Command tag `COPY`, rowCount = rows written.
 */
export interface CopyFrom {
  /** The target columns in data order (the listed ones, or every writable column of the table). */
  readonly columns: readonly string[];
  write(rows: readonly (readonly (string | null)[])[]): void;
  end(): Promise<QueryResult>;
  abort(reason: string): void;
}

/** Engine settings. */
export interface EngineOptions {
  readonly catalog: Catalog;
  /** When false, nothing is pushed into sources (filters, limits, semi-join keys); for testing equivalence. */
  readonly pushdown?: boolean;
  /** Default session time zone (IANA name or ISO offset); UTC when omitted. */
  readonly timeZone?: string;
}

/** The SQL engine: parse → bind → optimize → execute over a catalog of TableSources. */
export interface Engine {
  /** Runs a statement and returns all rows; with several statements, runs them in order and returns the last result. */
  query(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<QueryResult>;
  /** Runs one statement, yielding row batches as they are produced. */
  stream(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<QueryStream>;
  /** The EXPLAIN text of a query; with `analyze`, runs it and includes per-node statistics. */
  explain(
    sql: string,
    opts?: {
      analyze?: boolean;
      verbose?: boolean;
      params?: readonly unknown[];
      signal?: AbortSignal;
      timeZone?: string;
    },
  ): Promise<string>;
  /** The optimized logical plan of a query (for tests and tools). */
  plan(sql: string, params?: readonly unknown[]): LogicalPlan;
  /**
   * Result columns and parameter types of a statement without running it or knowing its parameter
   * values (the wire protocol's Parse/Describe). Parameters take the type their context gives them.
   */
  describe(sql: string): { command: string; fields: readonly Field[]; paramTypes: readonly SqlType[] };
  /** Starts `COPY table [(columns)] FROM STDIN`; throws (42P01, 42703, 0A000 for a table without INSERT) before any data. */
  copyFrom(table: string, columns: readonly string[] | undefined, opts?: QueryOptions): CopyFrom;
  /** Runs every statement of a multi-statement text in order (simple-query protocol), one result each. */
  queryMany(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<QueryResult[]>;
}

/**
 * Creates an engine. The engine knows nothing about where data lives: every table is a TableSource
 * in the catalog, asked which filters it can evaluate and told exactly what to scan.
 */
export function createEngine(options: EngineOptions): Engine {
  const pushdown = options.pushdown ?? true;
  const userFunction = (name: string) => options.catalog.lookupFunction(name);

  const zoneOf = (name?: string): Zone => zoneByName(name ?? options.timeZone ?? 'UTC');

  const planQuery = (
    q: AstQuery,
    params: readonly unknown[],
    zone: Zone = zoneOf(),
  ): { plan: LogicalPlan; fields: Field[] } => {
    // Literal folding reads wall-clock literals in the session zone.
    const { bound, plan } = withPlanningZone(zone, () => {
      const b = bindQuery(q, options.catalog, params);
      return { bound: b, plan: optimize(b.plan, { pushdown }) };
    });
    forEachNode(plan, (p) => {
      if (p.kind === 'scan') p.source.validateScan?.(scanRequestOf(p));
    });
    return {
      plan,
      fields: bound.fields.map((f) => ({ name: f.name, type: f.type === 'unknown' ? 'text' : f.type })),
    };
  };

  // Writes are parsed but not yet planned (issue 5 wires them in).
  const queryOf = (stmt: AstStatement): AstQuery => {
    if (stmt.type === 'write')
      throw new SqlError('0A000', `${stmt.write.type.toUpperCase()} is not supported`);
    return stmt.query;
  };

  const single = (sql: string) => {
    const stmts = parseSql(sql);
    if (stmts.length === 0) throw new SqlError('42601', 'empty query');
    return stmts[stmts.length - 1]!;
  };

  const explainText = async (
    q: AstQuery,
    analyze: boolean,
    params: readonly unknown[],
    signal?: AbortSignal,
    verbose = false,
    zone: Zone = zoneOf(),
  ): Promise<string> => {
    const { plan } = planQuery(q, params, zone);
    if (!analyze) return explainPlan(plan, undefined, { verbose });
    const ex = new Executor({ analyze: true, userFunction, zone, ...(signal ? { signal } : {}) });
    const t0 = performance.now();
    await ex.collect(plan);
    const ms = performance.now() - t0;
    let requests = 0;
    for (const s of ex.stats.values()) requests += s.scan?.requests ?? 0;
    return `${explainPlan(plan, ex.stats, { verbose })}\nExecution Time: ${ms.toFixed(3)} ms\nTotal Requests: ${requests}`;
  };

  const run = async (
    stmt: AstStatement,
    params: readonly unknown[],
    opts: QueryOptions,
  ): Promise<QueryResult> => {
    if (stmt.type === 'explain') {
      const text = await explainText(
        stmt.query,
        stmt.analyze,
        params,
        opts.signal,
        stmt.verbose,
        zoneOf(opts.timeZone),
      );
      const rows = text.split('\n').map((l) => [l]);
      return {
        command: 'EXPLAIN',
        rowCount: rows.length,
        fields: [{ name: 'QUERY PLAN', type: 'text' }],
        rows,
      };
    }
    const zone = zoneOf(opts.timeZone);
    const { plan, fields } = planQuery(queryOf(stmt), params, zone);
    const ex = new Executor({ userFunction, zone, ...(opts.signal ? { signal: opts.signal } : {}) });
    const rows = await ex.collect(plan);
    return { command: 'SELECT', rowCount: rows.length, fields, rows };
  };

  const engine: Engine = {
    async query(sql, params = [], opts = {}) {
      const all = await engine.queryMany(sql, params, opts);
      const last = all[all.length - 1];
      if (!last) throw new SqlError('42601', 'empty query');
      return last;
    },

    async stream(sql, params = [], opts = {}) {
      try {
        const stmt = single(sql);
        if (stmt.type === 'explain') {
          const r = await engine.query(sql, params, opts);
          return {
            command: r.command,
            fields: r.fields,
            async *[Symbol.asyncIterator]() {
              yield r.rows;
            },
          };
        }
        const zone = zoneOf(opts.timeZone);
        const { plan, fields } = planQuery(queryOf(stmt), params, zone);
        const ex = new Executor({ userFunction, zone, ...(opts.signal ? { signal: opts.signal } : {}) });
        return {
          command: 'SELECT',
          fields,
          async *[Symbol.asyncIterator]() {
            try {
              yield* ex.run(plan);
            } catch (e) {
              throw toSqlError(e);
            }
          },
        };
      } catch (e) {
        throw toSqlError(e);
      }
    },

    async explain(sql, opts = {}) {
      try {
        const stmt = single(sql);
        const q = queryOf(stmt);
        return await explainText(
          q,
          opts.analyze ?? (stmt.type === 'explain' && stmt.analyze),
          opts.params ?? [],
          opts.signal,
          opts.verbose ?? (stmt.type === 'explain' && stmt.verbose),
          zoneOf(opts.timeZone),
        );
      } catch (e) {
        throw toSqlError(e);
      }
    },

    plan(sql, params = []) {
      return planQuery(queryOf(single(sql)), params).plan;
    },

    describe(sql) {
      try {
        const stmt = single(sql);
        if (stmt.type === 'explain') {
          const d = describeQuery(stmt.query, options.catalog);
          return {
            command: 'EXPLAIN',
            fields: [{ name: 'QUERY PLAN', type: 'text' }],
            paramTypes: d.paramTypes,
          };
        }
        const d = describeQuery(queryOf(stmt), options.catalog);
        return {
          command: 'SELECT',
          fields: d.fields.map((f) => ({ name: f.name, type: f.type === 'unknown' ? 'text' : f.type })),
          paramTypes: d.paramTypes,
        };
      } catch (e) {
        throw toSqlError(e);
      }
    },

    copyFrom(table) {
      throw new SqlError('0A000', `COPY ${table} FROM STDIN is not supported yet`);
    },

    async queryMany(sql, params = [], opts = {}) {
      let stmts: ReturnType<typeof parseSql>;
      try {
        stmts = parseSql(sql);
      } catch (e) {
        throw toSqlError(e);
      }
      const out: QueryResult[] = [];
      // Statements run in order; an error stops the rest, as in PostgreSQL's simple query.
      for (const s of stmts) {
        try {
          out.push(await run(s, params, opts));
        } catch (e) {
          throw toSqlError(e);
        }
      }
      return out;
    },
  };
  return engine;
}
