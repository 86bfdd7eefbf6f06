import type { Catalog } from './catalog/catalog.js';
import type { ScanStats } from './catalog/table-source.js';
import { type Zone, zoneByName } from './catalog/timezone.js';
import type { SqlType } from './catalog/types.js';
import { featureNotSupported, SqlError, toSqlError } from './errors.js';
import { Executor } from './exec/execute.js';
import {
  checkConstantAssignments,
  checkFiltered,
  checkRowCap,
  emptyWriteStats,
  headingOf,
  runCopy,
  runWrite,
  type WriteLimits,
  type WriteOutcome,
  type WriteSettingNames,
} from './exec/write.js';
import { bindQuery, describeQuery, type ParamTypes, paramTypeList } from './plan/bind.js';
import { explainPlan, explainWrite } from './plan/explain.js';
import type { ColumnDef } from './plan/expr.js';
import type { LogicalPlan } from './plan/logical.js';
import { optimize } from './plan/optimize.js';
import { plannedScans, scanRequestOf } from './plan/scans.js';
import { withPlanningZone } from './plan/types.js';
import { forEachNode } from './plan/walk.js';
import { planCopy, planWrite, type WritePlan } from './plan/write.js';
import type { AstExplainable, AstQuery, AstWrite } from './sql/ast.js';
import { parseSql } from './sql/parse.js';

export type { WriteSettingNames } from './exec/write.js';

/** The row cap of a write statement when QueryOptions.maxWriteRows is not given. */
export const DEFAULT_MAX_WRITE_ROWS = 100;

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
  /**
   * How the session names the settings behind `allowUnfilteredWrites` / `maxWriteRows`, so a refused
   * write tells the user what to `SET`; without it messages name the query options.
   */
  readonly writeSettingNames?: WriteSettingNames;
}

/** The SQL engine: parse → bind → optimize → execute over a catalog of TableSources. */
export interface Engine {
  /** Runs a statement and returns all rows; with several statements, runs them in order and returns the last result. */
  query(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<QueryResult>;
  /** Runs one statement, yielding row batches as they are produced. */
  stream(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<QueryStream>;
  /**
   * The EXPLAIN text of a query or write; with `analyze`, runs it (a write is performed, as in
   * PostgreSQL) and includes per-node statistics. EXPLAIN of a write makes no write request.
   */
  explain(
    sql: string,
    opts?: QueryOptions & { analyze?: boolean; verbose?: boolean; params?: readonly unknown[] },
  ): Promise<string>;
  /** The optimized logical plan of a query (for tests and tools); writes are refused (0A000). */
  plan(sql: string, params?: readonly unknown[]): LogicalPlan;
  /**
   * Result columns and parameter types of a statement without running it or knowing its parameter
   * values (the wire protocol's Parse/Describe). Parameters take the type their context gives them.
   */
  describe(sql: string): { command: string; fields: readonly Field[]; paramTypes: readonly SqlType[] };
  /**
   * Starts `COPY table [(columns)] FROM STDIN`; `table` as written in SQL (`public."Tasks"`: unquoted
   * parts fold to lower case). Throws (42P01, 42703, 42701, 428C9, 23502 for a required column left
   * out, 0A000 for a table without INSERT) before any data.
   */
  copyFrom(table: string, columns: readonly string[] | undefined, opts?: QueryOptions): CopyFrom;
  /** Runs every statement of a multi-statement text in order (simple-query protocol), one result each. */
  queryMany(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<QueryResult[]>;
}

/** A check's refusal as an EXPLAIN note (`refused when run: …`), or undefined when it passes. */
function refusalNote(check: () => void): string | undefined {
  try {
    check();
    return undefined;
  } catch (e) {
    if (e instanceof SqlError) return `refused when run: ${e.message}`;
    throw e;
  }
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

  /** The catalog's verdict on a statement as a whole (e.g. a request budget), over all its plans' scans. */
  const checkStatement = (plans: readonly (LogicalPlan | undefined)[], write = false): void => {
    options.catalog.checkStatement(
      plans.flatMap((p) => (p ? plannedScans(p) : [])),
      { write },
    );
  };

  const limitsOf = (opts: QueryOptions): WriteLimits => ({
    maxWriteRows: opts.maxWriteRows ?? DEFAULT_MAX_WRITE_ROWS,
    allowUnfilteredWrites: opts.allowUnfilteredWrites ?? false,
    ...(options.writeSettingNames ? { settingNames: options.writeSettingNames } : {}),
  });

  /** An optimized read plan whose scans the sources accepted. */
  const finish = (p: LogicalPlan): LogicalPlan => {
    const o = optimize(p, { pushdown });
    forEachNode(o, (n) => {
      if (n.kind === 'scan') n.source.validateScan?.(scanRequestOf(n));
    });
    return o;
  };

  const planWriteOf = (
    w: AstWrite,
    params: readonly unknown[],
    zone: Zone,
    describe?: ParamTypes,
  ): WritePlan =>
    withPlanningZone(zone, () =>
      planWrite(w, {
        catalog: options.catalog,
        params,
        // Describing plans nothing to run: no optimizing, no scan validation (as for queries).
        finish: describe ? (p) => p : finish,
        ...(describe ? { describe } : {}),
      }),
    );

  const fieldsOf = (cols: readonly ColumnDef[]): Field[] =>
    cols.map((f) => ({ name: f.name, type: f.type === 'unknown' ? 'text' : f.type }));

  const single = (sql: string) => {
    const stmts = parseSql(sql);
    if (stmts.length === 0) throw new SqlError('42601', 'empty query');
    return stmts[stmts.length - 1]!;
  };

  const executor = (zone: Zone, signal?: AbortSignal, analyze = false): Executor =>
    new Executor({ userFunction, zone, ...(analyze ? { analyze } : {}), ...(signal ? { signal } : {}) });

  /** Runs a planned write (statement checks first) with `ex` running its reads and `stats` its writes. */
  const performWrite = (
    plan: WritePlan,
    opts: QueryOptions,
    zone: Zone,
    ex: Executor,
    stats: ScanStats,
  ): Promise<WriteOutcome> => {
    checkStatement([plan.input, plan.returning?.plan], true);
    return runWrite(plan, {
      ...limitsOf(opts),
      executor: ex,
      zone,
      stats,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  };

  const runWriteStmt = async (
    w: AstWrite,
    params: readonly unknown[],
    opts: QueryOptions,
  ): Promise<QueryResult> => {
    const zone = zoneOf(opts.timeZone);
    const plan = planWriteOf(w, params, zone);
    const out = await performWrite(plan, opts, zone, executor(zone, opts.signal), emptyWriteStats());
    return {
      command: w.type.toUpperCase(),
      rowCount: out.rowCount,
      fields: plan.returning ? fieldsOf(plan.returning.fields) : [],
      rows: out.rows,
    };
  };

  /** Why running a write would be refused by the safety settings (EXPLAIN shows it as a note). */
  const writeNotes = (plan: WritePlan, opts: QueryOptions): string[] => {
    const limits = limitsOf(opts);
    const notes: string[] = [];
    const refused = (f: () => void): void => {
      const note = refusalNote(f);
      if (note !== undefined) notes.push(note);
    };
    if (plan.op !== 'insert') refused(() => checkFiltered(plan.op, plan.target, plan.filtered, limits));
    if (plan.op === 'update')
      refused(() => checkConstantAssignments(plan.target, plan.slots, zoneOf(opts.timeZone)));
    if (plan.op === 'insert' && plan.cells)
      refused(() => checkRowCap(headingOf('insert', plan.target), plan.cells!.length, limits));
    refused(() => checkStatement([plan.input, plan.returning?.plan], true));
    return notes;
  };

  const explainText = async (
    stmt: AstExplainable,
    analyze: boolean,
    params: readonly unknown[],
    opts: QueryOptions,
    verbose = false,
  ): Promise<string> => {
    const zone = zoneOf(opts.timeZone);
    if (stmt.type === 'write') {
      const plan = planWriteOf(stmt.write, params, zone);
      if (!analyze) return explainWrite(plan, { verbose, notes: writeNotes(plan, opts) });
      // EXPLAIN ANALYZE performs the write, as PostgreSQL does.
      const ex = executor(zone, opts.signal, true);
      const stats = emptyWriteStats();
      const t0 = performance.now();
      const out = await performWrite(plan, opts, zone, ex, stats);
      const ms = performance.now() - t0;
      let requests = stats.requests;
      for (const s of ex.stats.values()) requests += s.scan?.requests ?? 0;
      const text = explainWrite(plan, {
        verbose,
        stats: ex.stats,
        write: { rows: out.rowCount, ms, write: stats },
      });
      return `${text}\nExecution Time: ${ms.toFixed(3)} ms\nTotal Requests: ${requests}`;
    }
    const { plan } = planQuery(stmt.query, params, zone);
    if (!analyze) {
      // Plain EXPLAIN runs nothing, so a refusal is shown, not raised.
      const refusal = refusalNote(() => checkStatement([plan]));
      const text = explainPlan(plan, undefined, { verbose });
      return refusal === undefined ? text : `${text}\nNote: ${refusal}`;
    }
    checkStatement([plan]);
    const ex = executor(zone, opts.signal, true);
    const t0 = performance.now();
    await ex.collect(plan);
    const ms = performance.now() - t0;
    let requests = 0;
    for (const s of ex.stats.values()) requests += s.scan?.requests ?? 0;
    return `${explainPlan(plan, ex.stats, { verbose })}\nExecution Time: ${ms.toFixed(3)} ms\nTotal Requests: ${requests}`;
  };

  const run = async (
    stmt: ReturnType<typeof parseSql>[number],
    params: readonly unknown[],
    opts: QueryOptions,
  ): Promise<QueryResult> => {
    if (stmt.type === 'explain') {
      const text = await explainText(stmt.statement, stmt.analyze, params, opts, stmt.verbose);
      const rows = text.split('\n').map((l) => [l]);
      return {
        command: 'EXPLAIN',
        rowCount: rows.length,
        fields: [{ name: 'QUERY PLAN', type: 'text' }],
        rows,
      };
    }
    if (stmt.type === 'write') return runWriteStmt(stmt.write, params, opts);
    const zone = zoneOf(opts.timeZone);
    const { plan, fields } = planQuery(stmt.query, params, zone);
    checkStatement([plan]);
    const rows = await executor(zone, opts.signal).collect(plan);
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
        if (stmt.type === 'explain' || stmt.type === 'write') {
          // A write completes before its first row can be reported; EXPLAIN is a few lines.
          const r = await run(stmt, params, opts);
          return {
            command: r.command,
            fields: r.fields,
            ...(stmt.type === 'write' ? { rowCount: r.rowCount } : {}),
            async *[Symbol.asyncIterator]() {
              yield r.rows;
            },
          };
        }
        const zone = zoneOf(opts.timeZone);
        const { plan, fields } = planQuery(stmt.query, params, zone);
        checkStatement([plan]);
        const ex = executor(zone, opts.signal);
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
        return await explainText(
          stmt.type === 'explain' ? stmt.statement : stmt,
          opts.analyze ?? (stmt.type === 'explain' && stmt.analyze),
          opts.params ?? [],
          opts,
          opts.verbose ?? (stmt.type === 'explain' && stmt.verbose),
        );
      } catch (e) {
        throw toSqlError(e);
      }
    },

    plan(sql, params = []) {
      const stmt = single(sql);
      if (stmt.type !== 'query')
        throw featureNotSupported(
          'plan() of this statement',
          'Use explain() for writes; plan() shows queries only.',
        );
      return planQuery(stmt.query, params).plan;
    },

    describe(sql) {
      try {
        const stmt = single(sql);
        const inner = stmt.type === 'explain' ? stmt.statement : stmt;
        let fields: Field[];
        let paramTypes: SqlType[];
        if (inner.type === 'write') {
          const describe: ParamTypes = { types: new Map(), seen: new Set() };
          const plan = planWriteOf(inner.write, [], zoneOf(), describe);
          fields = plan.returning ? fieldsOf(plan.returning.fields) : [];
          paramTypes = paramTypeList(describe);
        } else {
          const d = describeQuery(inner.query, options.catalog);
          fields = fieldsOf(d.fields);
          paramTypes = d.paramTypes;
        }
        if (stmt.type === 'explain')
          return { command: 'EXPLAIN', fields: [{ name: 'QUERY PLAN', type: 'text' }], paramTypes };
        return {
          command: inner.type === 'write' ? inner.write.type.toUpperCase() : 'SELECT',
          fields,
          paramTypes,
        };
      } catch (e) {
        throw toSqlError(e);
      }
    },

    copyFrom(table, columns, opts = {}) {
      let planned: ReturnType<typeof planCopy>;
      try {
        planned = planCopy(options.catalog, table, columns);
      } catch (e) {
        throw toSqlError(e);
      }
      const { target, columns: cols } = planned;
      const rows: (readonly (string | null)[])[] = [];
      let aborted: string | undefined;
      return {
        columns: cols.map((c) => c.name),
        write(batch) {
          if (aborted === undefined) for (const r of batch) rows.push(r);
        },
        async end() {
          if (aborted !== undefined)
            throw new SqlError('57014', `COPY ${target.name} was aborted: ${aborted}`);
          try {
            const n = await runCopy(target, cols, rows, {
              ...limitsOf(opts),
              zone: zoneOf(opts.timeZone),
              stats: emptyWriteStats(),
              ...(opts.signal ? { signal: opts.signal } : {}),
            });
            return { command: 'COPY', rowCount: n, fields: [], rows: [] };
          } catch (e) {
            throw toSqlError(e);
          } finally {
            rows.length = 0;
          }
        },
        abort(reason) {
          aborted = reason;
          rows.length = 0;
        },
      };
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
