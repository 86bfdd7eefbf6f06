import type { Table } from 'apache-arrow';
import type { SqlType } from './catalog/types.js';
import type { QueryOptions, QueryResult } from './engine.js';
import { SqlError, toSqlError } from './errors.js';
import { rowsToArrow } from './output/arrow.js';
import { writeRulesText } from './paymo/docs.js';
import { DEFAULT_BASE_URL, PaymoClient, type PaymoRequestEvent } from './paymo/http-client.js';
import { PaymoTable } from './paymo/paymo-table.js';
import type { ObjectSpec } from './paymo/specs/types.js';
import { createPaymoSession, PAYMO_SETTINGS, statementOptions } from './paymo-session.js';
import { type Notice, Session } from './session.js';
import { type SimulatorHandle, startSimulator } from './simulator/index.js';

/** How to reach Paymo: an API key (and base URL), or the embedded demo company. */
export interface ConnectOptions {
  /** Your Paymo API key. Never logged, never part of an error. */
  readonly apiKey?: string;
  /** Base URL of the API (default https://app.paymoapp.com/api/). */
  readonly baseUrl?: string;
  /**
   * Run on an in-process Paymo simulator with the demo company instead of a real account. `true`
   * uses no rate limit (fast to explore); pass `{ rateLimit: '5/5' }` to feel Paymo's real budget.
   */
  readonly demo?: boolean | { readonly rateLimit?: string | null; readonly seed?: number };
  /**
   * Client-side pacing to Paymo's budget (about 5 requests per 5 s, shared by the connections that
   * use one key). `false` turns it off: only for a server that is not Paymo (a local simulator, a
   * proxy that paces for you). Against Paymo itself it would only trade waiting for 429 retries.
   */
  readonly rateLimit?: false;
  /** Most Paymo API reads one statement may make, all its scans together (default 50; `SET paymo.max_requests`). */
  readonly requestBudget?: number;
  /** Freshness of cached reads in ms (default 30 000; `SET paymo.cache_ttl`). */
  readonly cacheTtlMs?: number;
  /** Called for every HTTP exchange with Paymo (progress displays, logging); never carries the key. */
  readonly onRequest?: (event: PaymoRequestEvent) => void;
}

/** A result column. */
export interface ResultField {
  readonly name: string;
  readonly type: SqlType;
}

/** A statement's result with rows as objects keyed by column name (or arrays with `rowMode: 'array'`). */
export interface Result<R = Record<string, unknown>> {
  readonly command: string;
  readonly rowCount: number;
  readonly fields: readonly ResultField[];
  readonly rows: R[];
  /** Notices the statement raised (e.g. BEGIN: Paymo has no transactions). */
  readonly notices: readonly Notice[];
}

/** Per-statement options. */
export interface StatementOptions extends QueryOptions {
  /** `array` returns rows as value arrays in column order (duplicate names stay apart). */
  readonly rowMode?: 'object' | 'array';
}

/** A streamed result: the fields, then rows one by one as the engine produces them. */
export interface RowStream extends AsyncIterable<Record<string, unknown>> {
  readonly fields: readonly ResultField[];
}

/** One table as `paymo-sql tables` lists it. */
export interface TableInfo {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly comment: string;
  /** The statements Paymo allows on it: SELECT plus INSERT/UPDATE/DELETE per the DML matrix. */
  readonly operations: readonly string[];
}

/** One column as `paymo-sql describe` shows it. */
export interface ColumnInfo {
  readonly name: string;
  readonly type: SqlType;
  readonly nullable: boolean;
  readonly comment: string;
  /** Operators Paymo evaluates for this column, e.g. `=, IN (exact)`; empty when filtered locally. */
  readonly pushdown: string;
  /** How writes treat it: `read-only`, `INSERT only`, `required on INSERT`, or empty (assignable). */
  readonly write: string;
}

/** A table's full description: columns, keys, required filters, allowed statements. */
export interface TableDescription extends TableInfo {
  readonly columns: readonly ColumnInfo[];
  readonly primaryKey: readonly string[];
  readonly foreignKeys: readonly { readonly column: string; readonly references: string }[];
  /** What a query must filter on (or how the table reads without it), in words; null when nothing. */
  readonly requiredFilter: string | null;
  /** The table's write rules in words (the README's DML matrix column), `read-only` when it takes no write. */
  readonly writeRules: string;
}

/** An open connection to one Paymo account (or the demo). */
export interface Connection {
  /** Runs one statement and returns all rows. Errors are SqlError with a SQLSTATE `code`. */
  query(
    sql: string,
    params?: readonly unknown[],
    opts?: StatementOptions & { rowMode?: 'object' },
  ): Promise<Result>;
  query(
    sql: string,
    params: readonly unknown[] | undefined,
    opts: StatementOptions & { rowMode: 'array' },
  ): Promise<Result<unknown[]>>;
  /** Runs a SELECT and yields its rows as they arrive (memory stays bounded on big results). */
  stream(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<RowStream>;
  /** Runs a SELECT and returns an apache-arrow Table with faithful column types. */
  queryArrow(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<Table>;
  /** EXPLAIN text: each scan's exact HTTP requests and the request estimate; `analyze` runs it. */
  explain(sql: string, opts?: { analyze?: boolean; params?: readonly unknown[] }): Promise<string>;
  /** Every table with its description and allowed statements (no API request). */
  tables(): TableInfo[];
  /** One table's columns, keys, pushable filters and required filters (no API request); 42P01 if unknown. */
  describe(table: string): TableDescription;
  /** The session: settings (`paymo.*` and standard ones) for this connection. */
  readonly session: Session;
  /** The running demo simulator, when connected with `demo`. */
  readonly demo?: SimulatorHandle;
  /** Closes HTTP connections (and the demo simulator). */
  close(): Promise<void>;
}

const OP_TEXT: Record<string, string> = {
  eq: '=',
  ne: '<>',
  in: 'IN',
  not_in: 'NOT IN',
  range: '< <= > >= BETWEEN',
  like: 'LIKE',
  is_null: 'IS NULL',
  contains: '= ANY',
};

function tableInfo(spec: ObjectSpec): TableInfo {
  const ops = ['SELECT'];
  if (spec.writes.insert) ops.push('INSERT');
  if (spec.writes.update) ops.push('UPDATE');
  if (spec.writes.delete) ops.push('DELETE');
  return { name: spec.name, aliases: spec.aliases, comment: spec.comment, operations: ops };
}

function describeSpec(spec: ObjectSpec): TableDescription {
  const columns = spec.columns.map((c) => {
    const byExactness = new Map<string, string[]>();
    for (const f of c.filters ?? [])
      byExactness.set(f.exactness, [...(byExactness.get(f.exactness) ?? []), OP_TEXT[f.op] ?? f.op]);
    if (c.interval)
      byExactness.set('inexact', [...(byExactness.get('inexact') ?? []), `ranges via ${c.interval.param}`]);
    const pushdown = [...byExactness].map(([ex, ops]) => `${ops.join(', ')} (${ex})`).join('; ');
    const write =
      c.readOnly || (!spec.writes.insert && !spec.writes.update)
        ? 'read-only'
        : c.requiredOnInsert && spec.writes.insert
          ? 'required on INSERT'
          : c.createOnly
            ? 'INSERT only'
            : '';
    return { name: c.name, type: c.type, nullable: c.nullable, comment: c.comment, pushdown, write };
  });
  const read = spec.read;
  let requiredFilter: string | null = null;
  if (read.kind === 'list' && read.required) {
    const rf = read.required;
    const alts = [
      ...rf.anyOf.map((a) => `${a} = / IN`),
      ...(rf.intervals ?? []),
      ...(rf.allOf ?? []).map((g) => g.join(' and ')),
    ];
    requiredFilter = `one of: ${alts.join(', ')}`;
    if (read.fallback?.kind === 'fan-out')
      requiredFilter += ` (otherwise: one request per ${read.fallback.resource} batch)`;
  } else if (read.kind === 'nested') {
    requiredFilter = `read through ${read.routes.map((r) => `${r.resource}?include=${r.include}`).join(' or ')}`;
  }
  return {
    ...tableInfo(spec),
    columns,
    primaryKey: spec.primaryKey,
    foreignKeys: spec.foreignKeys.map((f) => ({
      column: f.column,
      references: `${f.table}.${f.references}`,
    })),
    requiredFilter,
    writeRules: writeRulesText(spec),
  };
}

/** Converts an engine value to the embedded API's JS value: timestamps become Date objects. */
function apiValue(v: unknown, type: SqlType): unknown {
  if (v === null || v === undefined) return null;
  if (type === 'timestamptz' || type === 'timestamp') return new Date(v as number);
  if (type === 'timestamptz[]' || type === 'timestamp[]') {
    return (v as (number | null)[]).map((x) => (x === null ? null : new Date(x)));
  }
  return v;
}

function toObjects(fields: readonly ResultField[], rows: readonly unknown[][]): Record<string, unknown>[] {
  return rows.map((row) => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) o[fields[i].name] = apiValue(row[i], fields[i].type);
    return o;
  });
}

function toArrays(fields: readonly ResultField[], rows: readonly unknown[][]): unknown[][] {
  return rows.map((row) => row.map((v, i) => apiValue(v, fields[i].type)));
}

/**
 * Opens a connection: `connect({ apiKey })` for a Paymo account, `connect({ demo: true })` for the
 * embedded demo company. One connection is one session with its own settings.
 */
export async function connect(options: ConnectOptions): Promise<Connection> {
  let demo: SimulatorHandle | undefined;
  let apiKey = options.apiKey;
  let baseUrl = options.baseUrl ?? DEFAULT_BASE_URL;
  if (options.demo) {
    const d = typeof options.demo === 'object' ? options.demo : {};
    demo = await startSimulator({
      scale: 'demo',
      rateLimit: d.rateLimit ?? null,
      ...(d.seed !== undefined ? { seed: d.seed } : {}),
    });
    apiKey = demo.apiKey;
    baseUrl = demo.baseUrl;
  }
  if (!apiKey) {
    throw new SqlError('08001', 'no Paymo API key given', {
      hint: 'Pass { apiKey } (Paymo web app: My Account → API Keys) or { demo: true } for the demo company.',
    });
  }
  const client = new PaymoClient({
    apiKey,
    baseUrl,
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
    // The in-process demo has no rate limit unless one was asked for; skip the client's pacing too.
    ...(options.rateLimit === false || (demo && !(typeof options.demo === 'object' && options.demo.rateLimit))
      ? { rateLimit: false as const }
      : {}),
  });
  const paymo = createPaymoSession(client, options);
  const catalog = paymo.catalog;
  const session = new Session(
    {
      async query(sql, params, opts) {
        return paymo
          .engineFor(opts.settings)
          .query(sql, params, statementOptions(opts.settings, opts.signal));
      },
    },
    PAYMO_SETTINGS,
  );
  if (options.requestBudget !== undefined) session.set('paymo.max_requests', String(options.requestBudget));
  if (options.cacheTtlMs !== undefined) session.set('paymo.cache_ttl', `${options.cacheTtlMs}ms`);

  const current = () => paymo.engineFor(session);
  const wrap = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (err) {
      throw toSqlError(err);
    }
  };

  function query(
    sql: string,
    params?: readonly unknown[],
    opts?: StatementOptions & { rowMode?: 'object' },
  ): Promise<Result>;
  function query(
    sql: string,
    params: readonly unknown[] | undefined,
    opts: StatementOptions & { rowMode: 'array' },
  ): Promise<Result<unknown[]>>;
  function query(
    sql: string,
    params: readonly unknown[] = [],
    opts: StatementOptions = {},
  ): Promise<Result | Result<unknown[]>> {
    return wrap(async () => {
      const r = await session.execute(sql, params, opts);
      const base = { command: r.command, rowCount: r.rowCount, fields: r.fields, notices: r.notices };
      return opts.rowMode === 'array'
        ? { ...base, rows: toArrays(r.fields, r.rows) }
        : { ...base, rows: toObjects(r.fields, r.rows) };
    });
  }

  const specs = () => [...catalog.paymoTables.values()].map((t) => t.spec);
  const conn: Connection = {
    session,
    tables: () => specs().map(tableInfo),
    describe(table) {
      const source = catalog.get(table);
      if (!(source instanceof PaymoTable)) {
        // System tables (paymo_capabilities) have no spec: describe their columns only.
        return {
          name: table,
          aliases: [],
          comment: 'system table',
          operations: ['SELECT'],
          columns: source.schema.map((c) => ({
            ...c,
            comment: c.comment ?? '',
            pushdown: '',
            write: 'read-only',
          })),
          primaryKey: [],
          foreignKeys: [],
          requiredFilter: null,
          writeRules: 'read-only',
        };
      }
      return describeSpec(source.spec);
    },
    ...(demo ? { demo } : {}),
    query,
    stream: (sql, params = [], opts = {}) =>
      wrap(async () => {
        const s = await current().stream(sql, params, statementOptions(session, opts.signal));
        const fields = s.fields;
        return {
          fields,
          async *[Symbol.asyncIterator]() {
            try {
              for await (const batch of s) for (const row of toObjects(fields, batch)) yield row;
            } catch (err) {
              throw toSqlError(err);
            }
          },
        };
      }),
    queryArrow: (sql, params = [], opts = {}) =>
      wrap(async () => {
        const r: QueryResult = await current().query(sql, params, statementOptions(session, opts.signal));
        return rowsToArrow(r.fields, r.rows);
      }),
    explain: (sql, opts = {}) =>
      wrap(() => current().explain(sql, { ...opts, ...statementOptions(session) })),
    async close() {
      await client.close();
      await demo?.close();
    },
  };
  return conn;
}
