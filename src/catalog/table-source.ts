import type { Expr } from '../plan/expr.js';
import type { Column, Row } from './types.js';

/** How well a source evaluates one filter: exactly, as a superset (engine re-checks), or not at all. */
export type FilterSupport = 'exact' | 'inexact' | 'unsupported';

/**
 * What the engine asks a source to read.
 * - `columns`: the names the engine needs, in the order rows must carry them. May be empty (e.g.
 *   `count(*)`): then return one zero-length row per matching record.
 * - `filters`: conjuncts the source answered `exact` or `inexact` for in `supportsFilters`; each is a
 *   bound `Expr` of a simple form whose column nodes name the source's own columns: `col op lit`,
 *   `col IN (lits)`, `col IS [NOT] NULL`, `col [NOT] [I]LIKE lit`, `col BETWEEN lit AND lit`,
 *   `lit = ANY(array_col)`, a bare boolean `col` / `NOT col` (offered as `col = true/false`), or an OR
 *   of such forms, on one column or on several columns of this scan (`start_time >= x OR date >= y`:
 *   a source without OR may still answer `inexact` when one of its conditions holds for every
 *   alternative). Literals are already coerced to the column's type. `readFilter`
 *   (catalog/filters.ts) turns each into plain data. A value known only at run time (a correlation
 *   parameter, an uncorrelated scalar subquery's value) is, at plan time (`validateScan`,
 *   `describeScan`, `estimateRequests`), a placeholder literal of its type with `runtime` naming it
 *   (`readFilter` gives a RuntimeValue); `scan` receives the actual value.
 * - `limit`: set only when every filter was exact and nothing above the scan drops rows; the source may
 *   stop after this many rows (returning more is allowed, fewer is not).
 * - `dynamicFilters`: `col IN (values)` filters the executor built at run time from the other side of a
 *   join (semi-join pushdown); the source accepted this form for the column at plan time. Treated as
 *   inexact: the join re-checks every row. At plan time (`validateScan`, `describeScan`,
 *   `estimateRequests`) it appears with an empty value list: the keys exist only at run time.
 */
export interface ScanRequest {
  readonly columns: readonly string[];
  readonly filters: readonly Expr[];
  readonly limit?: number;
  readonly dynamicFilters?: readonly Expr[];
}

/** Runtime statistics a source records while scanning; EXPLAIN ANALYZE prints them under the scan. */
export interface ScanStats {
  requests: number;
  rowsFetched: number;
  cacheHits: number;
  retries: number;
}

/** Figures shared by every scan of one statement, for limits that hold per statement. */
export interface StatementStats {
  /** Upstream requests every scan of the statement has made so far (answers from a cache are not requests). */
  readonly requests: number;
}

/** Per-scan context handed to `TableSource.scan`: cancellation and a place to record statistics. */
export interface ScanContext {
  readonly signal?: AbortSignal;
  /** This scan's figures: a source adds each upstream request it makes to `stats.requests`. */
  readonly stats: ScanStats;
  /**
   * The statement's figures (this scan's included), read live: a source that enforces a request
   * budget per statement checks the running total here before each request. Absent when a source
   * is scanned outside a statement; then `stats` is all there is.
   */
  readonly statement?: StatementStats;
}

/**
 * The only contract between the engine and data. A source never sees SQL text, only `ScanRequest`s
 * built from filters it accepted, and never needs to know the query it serves.
 */
export interface TableSource {
  /** The columns, in their declared order; `SELECT *` uses this order. */
  readonly schema: readonly Column[];
  /**
   * One answer per filter, same order. `inexact` means the source may return extra rows but never
   * drops a matching one. Must be pure and cheap (called while planning, possibly several times;
   * the semi-join rule asks about `key IN (<one placeholder value>)` to learn whether IN works).
   */
  supportsFilters(filters: readonly Expr[]): FilterSupport[];
  /** Rejects a scan at plan time (e.g. a required filter is missing); throw SqlError naming the alternatives. */
  validateScan?(request: ScanRequest): void;
  /**
   * Reads rows in batches; each row holds `request.columns` in order, values in the catalog's JS
   * representation (types.ts), SQL NULL as `null` (never `undefined`). Exact filters must hold for
   * every row returned; the engine stops iterating (calls `return()`) once it has enough rows, so
   * fetch lazily, page by page, and check `ctx.signal` between requests.
   */
  scan(request: ScanRequest, ctx: ScanContext): AsyncIterable<Row[]>;
  /** Lines EXPLAIN prints under the scan (e.g. the HTTP requests it will make). */
  describeScan(request: ScanRequest): string[];
  /** Expected number of upstream requests for this scan (EXPLAIN prints it; the planner may use it). */
  estimateRequests?(request: ScanRequest): number;
  /** Largest IN list one scan call should carry; the executor splits dynamic filters into batches of this size. */
  readonly maxInListSize?: number;
  /**
   * Whether to read `request` with `keys` join keys on `column` (semi-join pushdown), one scan call
   * per `maxInListSize` of them, rather than plainly (the join re-checks either way). Without it the
   * executor sends keys unless their batches outnumber `estimateRequests(request)`; a source
   * implements it when that estimate is only a floor, e.g. a fan-out over a table of unknown size.
   */
  preferKeyBatches?(request: ScanRequest, column: string, keys: number): boolean;
  /**
   * This source read together with `parent`, a source of the same catalog its column `column`
   * references (Trino's `applyJoin`, for a many-to-one join): undefined when the source cannot
   * serve that parent in its own requests. See {@link ParentEmbedding} for the contract; the
   * optimizer uses it only where it makes fewer requests than scanning both sides. On a source
   * that already carries a parent, `column` may be one of that parent's columns (`task.project_id`):
   * a grandparent reached through it.
   */
  withParent?(parent: TableSource, column: string): ParentEmbedding | undefined;

  // ---- Writes (issue 5). A source without `writes` is read-only. ----

  /** The DML matrix row: which statements the source accepts. Absent = read-only. */
  readonly writes?: WriteSupport;
  /**
   * Per-column write flags by column name (absent = assignable on INSERT and UPDATE, optional).
   * The engine refuses assignments to read-only columns, UPDATEs of create-only ones, and INSERTs
   * missing a required one (23502), before any request.
   */
  readonly columnWrites?: ReadonlyMap<string, ColumnWrite>;
  /**
   * The columns that identify a row for UPDATE/DELETE (usually `id`). The engine reads them with
   * the statement's WHERE through an ordinary (pushed-down) scan and hands them to update/delete.
   */
  readonly primaryKey?: readonly string[];
  /**
   * Checks one row of a write against the source's own rules (e.g. "discount must be > 0",
   * "either (date, duration) or (start_time, end_time)") after the engine coerced the values to the
   * column types. Throws SqlError naming the rule. Called for EVERY row of a statement before the
   * first write request, so a refused statement writes nothing. `values` holds only the assigned
   * columns (INSERT: the given ones; UPDATE: the SET ones). An UPDATE's constant assignments are
   * also checked on their own before the read that finds its rows, so a rule given a subset of an
   * UPDATE's assignments must refuse only what it would refuse with all of them.
   */
  checkWrite?(op: 'insert' | 'update', values: ReadonlyMap<string, unknown>): void;
  /**
   * Checks the columns a statement assigns against the source's rules, whatever the values, while
   * planning (INSERT … SELECT: its column list; UPDATE: its SET columns): a rule no row could meet
   * refuses the statement before it reads anything. Throws SqlError like checkWrite.
   */
  checkWriteColumns?(op: 'insert' | 'update', columns: readonly string[]): void;
  /**
   * Called on the target before a write statement reads anything (the rows an UPDATE / DELETE
   * changes, INSERT … SELECT's query, subqueries): a source that caches reads makes the rest of the
   * statement's reads fresh, so a write never acts on a cached answer older than the statement.
   */
  beginWrite?(): void;
  /** Creates one row; resolves to the row as stored upstream, in schema order (for RETURNING). */
  insert?(values: ReadonlyMap<string, unknown>, ctx: WriteContext): Promise<Row>;
  /** Changes one row identified by its primary-key values (schema order of `primaryKey`); resolves to the row as stored. */
  update?(key: Row, values: ReadonlyMap<string, unknown>, ctx: WriteContext): Promise<Row>;
  /** Deletes one row identified by its primary-key values; resolves once upstream confirmed. */
  delete?(key: Row, ctx: WriteContext): Promise<void>;
  /** EXPLAIN lines for a write: the requests it will make per row (e.g. `PUT /api/tasks/{id}`). */
  describeWrite?(op: 'insert' | 'update' | 'delete', columns: readonly string[]): string[];
}

/**
 * A child source combined with one parent (`TableSource.withParent(parent, column)`).
 *
 * Semantics: a left join `child LEFT JOIN parent ON child.column = parent.<parentKey>` whose parent
 * key is unique: a scan of `source` returns each child row it would have returned alone, once,
 * followed by the columns of its parent row (all NULL when there is none). Hence:
 * - schema: the child's columns (same names, same order), then the parent's columns it carries,
 *   named as `columns` says; chaining `withParent` on `source` keeps earlier parents' columns;
 * - filters on child columns mean what they mean on the child; a filter on a parent column keeps
 *   the rows whose parent satisfies it (so rows without a parent fail it), as a WHERE above the left
 *   join would. They are offered through `source.supportsFilters` like any filter; the engine offers
 *   parent-column filters only where the join is inner (a LEFT join keeps its child rows, so there
 *   it re-checks them locally and only blanks the parent's columns);
 * - `source.estimateRequests` is the cost of the combined read, comparable with the two scans'.
 */
export interface ParentEmbedding {
  readonly source: TableSource;
  /** The parent column `column` references (the parent side of the join key), e.g. `id`. */
  readonly parentKey: string;
  /** Parent column name → its name in `source.schema`; a parent column not listed cannot be read this way. */
  readonly columns: ReadonlyMap<string, string>;
  /** How the parent comes along, for EXPLAIN, e.g. `include=user`. */
  readonly via: string;
}

/** Which DML statements a source accepts (the DML support matrix row). */
export interface WriteSupport {
  readonly insert: boolean;
  readonly update: boolean;
  readonly delete: boolean;
}

/** How a column may be written. */
export interface ColumnWrite {
  /** Never assignable (server-set or computed). */
  readonly readOnly?: boolean;
  /** Assignable on INSERT only. */
  readonly createOnly?: boolean;
  /** Must be given (and not NULL) on INSERT. */
  readonly requiredOnInsert?: boolean;
}

/** Per-write context: cancellation and statistics (requests count toward EXPLAIN ANALYZE). */
export interface WriteContext {
  readonly signal?: AbortSignal;
  readonly stats: ScanStats;
}

/**
 * A failed write call. Sources throw this (or a SqlError) from insert/update/delete; `outcomeUnknown`
 * means the request may have been applied upstream (sent, but no answer), so the engine reports the
 * row as unknown (SQLSTATE 08007) and never retries it.
 */
export class WriteError extends Error {
  readonly code: string;
  readonly outcomeUnknown: boolean;
  constructor(code: string, message: string, outcomeUnknown = false) {
    super(message);
    this.name = 'WriteError';
    this.code = code;
    this.outcomeUnknown = outcomeUnknown;
  }
}
