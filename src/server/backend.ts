import type { SqlType } from '../catalog/types.js';
import type { Engine, Field, QueryOptions, QueryResult, QueryStream } from '../engine.js';
import { SqlError } from '../errors.js';
import type { SessionSettings, SettingDef, StatementRunner } from '../session.js';

/** Who connected: the startup parameters and what authentication established. */
export interface ConnectionInfo {
  readonly user: string;
  readonly database: string;
  readonly applicationName: string;
  /** Every StartupMessage parameter as sent (user, database, client_encoding, …). */
  readonly params: Readonly<Record<string, string>>;
  readonly remoteAddress: string;
  readonly tls: boolean;
  /** What the `password` auth callback returned (e.g. the Paymo account the API key opened). */
  readonly credentials?: unknown;
}

/** Options every backend call gets: cancellation and the session's settings. */
export type BackendOptions = QueryOptions & { readonly settings: SessionSettings };

/**
 * What the wire server runs statements on, one per connection. Session statements (SET, SHOW,
 * BEGIN, …) never reach it; everything else does, one statement at a time. This is the seam for
 * the catalog emulation (route pg_catalog / information_schema queries inside `stream`) and for
 * COPY: `COPY … TO STDOUT` runs its query through `stream`, `COPY … FROM STDIN` goes to `copyIn`.
 */
export interface QueryBackend {
  /** Plans one statement and returns its fields and lazily produced row batches (engine.stream). */
  stream(sql: string, params: readonly unknown[], opts: BackendOptions): Promise<QueryStream>;
  /**
   * Result columns and parameter types of a statement without running it (Describe). Must not call
   * the upstream API. When absent, the server plans the statement through `stream` with NULL
   * parameters and never iterates it.
   */
  describe?(
    sql: string,
    paramTypes: readonly (SqlType | undefined)[],
    opts: BackendOptions,
  ): Promise<{
    readonly fields: readonly Field[];
    readonly paramTypes?: readonly (SqlType | undefined)[];
    /** The command word (`SELECT`, `INSERT`, …): a write without RETURNING is described as NoData. */
    readonly command?: string;
  }>;
  /**
   * Starts a `COPY … FROM STDIN` into a table (the import path of the writes). Without it the
   * server answers such a COPY with 0A000 before any data is sent.
   */
  copyIn?(target: CopyInTarget, opts: BackendOptions): Promise<CopyInSink>;
}

/** Where a `COPY … FROM STDIN` puts its rows, as the statement names them. */
export interface CopyInTarget {
  /** The table name as written (quoted parts kept, e.g. `public."Tasks"`). */
  readonly table: string;
  /** The listed columns (identifier case folded), or null for all of the table's columns. */
  readonly columns: readonly string[] | null;
  /** The raw `WHERE` condition, if the statement has one. */
  readonly where?: string;
}

/**
 * A `COPY … FROM STDIN` in progress. The connection decodes the client's text or CSV data into rows
 * of text values (null for NULL) in `columns` order, hands them over in batches, then calls `end`
 * (CopyDone) or `abort` (CopyFail, bad data, disconnect); never both.
 */
export interface CopyInSink {
  /** The target columns in data order: the CopyInResponse's column count and the HEADER MATCH names. */
  readonly columns: readonly string[];
  /** Rows decoded so far; the client's data waits while the returned promise is pending. */
  write(rows: (string | null)[][]): void | Promise<void>;
  /** All data arrived: finish and return the number of rows copied (the `COPY n` tag). */
  end(): Promise<number>;
  /** The copy failed or the client gave up; `reason` says why. */
  abort(reason: string): void | Promise<void>;
}

/** What `openSession` returns for one authenticated connection. */
export interface SessionHandle {
  readonly backend: QueryBackend;
  /** Extra settings the connection's Session knows (e.g. the `paymo.*` ones). */
  readonly settings?: readonly SettingDef[];
  /** Called once when the connection ends (release per-connection resources). */
  close?(): void | Promise<void>;
}

/** A backend that runs every statement on one engine (writes, Describe and COPY FROM STDIN included). */
export function engineBackend(engine: Engine): QueryBackend {
  const options = (opts: BackendOptions): QueryOptions => (opts.signal ? { signal: opts.signal } : {});
  return {
    stream: (sql, params, opts) => engine.stream(sql, params, options(opts)),
    describe: async (sql) => engine.describe(sql),
    copyIn: async (target, opts) => engineCopyIn(engine, target, options(opts)),
  };
}

/**
 * Starts `COPY … FROM STDIN` on an engine (Engine.copyFrom: every row is checked like an INSERT
 * before the first write). `COPY … FROM … WHERE` is refused: the engine imports every row it is given.
 */
export function engineCopyIn(engine: Engine, target: CopyInTarget, opts: QueryOptions): CopyInSink {
  if (target.where !== undefined) {
    throw new SqlError('0A000', 'COPY FROM with a WHERE condition is not supported', {
      hint: 'Remove the rows you do not want from the data before sending it.',
    });
  }
  // The engine resolves the name as SQL does (`public."Tasks"`: quoted parts kept, the rest folded).
  const copy = engine.copyFrom(target.table, target.columns ?? undefined, opts);
  return {
    columns: copy.columns,
    write: (rows) => copy.write(rows),
    end: async () => (await copy.end()).rowCount,
    abort: (reason) => copy.abort(reason),
  };
}

/**
 * The StatementRunner the server gives each Session: instead of collecting rows it starts the
 * backend's stream and parks it, so the connection can write rows as they are produced while the
 * Session still decides which statements it answers itself.
 */
export class StreamCapture implements StatementRunner {
  private parked: QueryStream | null = null;

  constructor(private readonly backend: QueryBackend) {}

  /** Starts the stream and returns an empty result carrying its command and fields. */
  async query(sql: string, params: readonly unknown[], opts: BackendOptions): Promise<QueryResult> {
    const s = await this.backend.stream(sql, params, opts);
    this.parked = s;
    return { command: s.command, rowCount: 0, fields: s.fields, rows: [] };
  }

  /** The stream the last statement started, if it went to the backend (cleared by reading it). */
  take(): QueryStream | null {
    const s = this.parked;
    this.parked = null;
    return s;
  }
}
