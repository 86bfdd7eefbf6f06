import type pg from 'pg';
import { type Connection, connect } from '../../src/connect.js';
import { cellText } from '../../src/output/text.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/index.js';
import { startTempPostgres, type TempPostgres } from '../support/postgres.js';

/** The anchor day of the differential data: answers never depend on when the suite runs. */
export const DIFF_NOW = new Date('2026-11-15T12:00:00Z');
/** The simulator seed of the differential data. */
export const DIFF_SEED = 7;

/**
 * Tables not copied into PostgreSQL, with the reason. Every other table of `db.tables()` is loaded.
 * (None at demo scale: even `reports`, which reads each report's content with its own request,
 * loads in a few requests.)
 */
export const SKIPPED_TABLES: Record<string, string> = {};

/** A result as text: column names, SQL type names, and cells as PostgreSQL's text output (null = NULL). */
export interface TextResult {
  readonly names: readonly string[];
  readonly types: readonly string[];
  readonly rows: readonly (readonly (string | null)[])[];
}

/** What the differential suite runs on: the simulator, paymo-sql (pushdown on and off) and PostgreSQL. */
export interface DiffWorld {
  readonly sim: SimulatorHandle;
  /** paymo-sql with pushdown on (the default). */
  readonly on: Connection;
  /** paymo-sql with `SET paymo.pushdown = off` (the pushdown oracle). */
  readonly off: Connection;
  readonly pg: TempPostgres;
  /** Table name → rows loaded into PostgreSQL. */
  readonly loaded: ReadonlyMap<string, number>;
  /** Milliseconds spent reading the tables through paymo-sql and inserting them into PostgreSQL. */
  readonly loadMs: number;
  close(): Promise<void>;
}

/** PostgreSQL type OIDs of the types paymo-sql produces (and a few PostgreSQL may answer with). */
const PG_TYPE_NAMES: Record<number, string> = {
  16: 'boolean',
  20: 'bigint',
  21: 'smallint',
  23: 'integer',
  25: 'text',
  114: 'json',
  700: 'real',
  701: 'double precision',
  705: 'unknown',
  1000: 'boolean[]',
  1005: 'smallint[]',
  1007: 'integer[]',
  1009: 'text[]',
  1016: 'bigint[]',
  1022: 'double precision[]',
  1043: 'character varying',
  1082: 'date',
  1114: 'timestamp',
  1115: 'timestamp[]',
  1182: 'date[]',
  1184: 'timestamptz',
  1185: 'timestamptz[]',
  1186: 'interval',
  1187: 'interval[]',
  1231: 'numeric[]',
  1700: 'numeric',
  3802: 'jsonb',
  3807: 'jsonb[]',
};

/** A double-quoted identifier (columns such as `where`, `interval` and `date` need it). */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Runs a statement on paymo-sql and renders every cell with `cellText` (PostgreSQL's text output). */
export async function paymoText(db: Connection, sql: string): Promise<TextResult> {
  const r = await db.query(sql, [], { rowMode: 'array' });
  return {
    names: r.fields.map((f) => f.name),
    types: r.fields.map((f) => f.type),
    rows: r.rows.map((row) => row.map((v, i) => cellText(v, r.fields[i].type))),
  };
}

/** Every value stays the text PostgreSQL sent: no parsing on the client side. */
const RAW_TEXT = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;

/** Runs a statement on PostgreSQL and keeps its own text output of every cell. */
export async function postgresText(client: pg.Client, sql: string): Promise<TextResult> {
  const r = await client.query({ text: sql, rowMode: 'array', types: RAW_TEXT });
  return {
    names: r.fields.map((f) => f.name),
    types: r.fields.map((f) => PG_TYPE_NAMES[f.dataTypeID] ?? `oid ${f.dataTypeID}`),
    rows: (r.rows as (string | null)[][]).map((row) => row.map((v) => (v === null ? null : String(v)))),
  };
}

/**
 * Copies one table from paymo-sql into PostgreSQL: `CREATE TABLE` with the columns and types of
 * `db.describe`, then `INSERT … SELECT` from `unnest` of one text array per column, each element
 * cast to the column's type. The text of a value is `cellText` (PostgreSQL's own text output), which
 * is also PostgreSQL's input syntax, so timestamps (to the millisecond), dates, numerics, arrays,
 * jsonb, NULLs and unicode arrive unchanged; the round-trip test proves it.
 */
async function loadTable(db: Connection, client: pg.Client, table: string): Promise<number> {
  const desc = db.describe(table);
  const cols = desc.columns;
  const defs = cols.map((c) => `${ident(c.name)} ${c.type}${c.nullable ? '' : ' NOT NULL'}`);
  if (desc.primaryKey.length) defs.push(`PRIMARY KEY (${desc.primaryKey.map(ident).join(', ')})`);
  await client.query(`CREATE TABLE ${ident(table)} (${defs.join(', ')})`);
  const list = cols.map((c) => ident(c.name)).join(', ');
  const r = await db.query(`SELECT ${list} FROM ${ident(table)}`, [], { rowMode: 'array' });
  const batch = 5000;
  for (let start = 0; start < r.rows.length; start += batch) {
    const rows = r.rows.slice(start, start + batch);
    const arrays = cols.map((_, i) => rows.map((row) => cellText(row[i], r.fields[i].type)));
    const casts = cols.map((c, i) => `u.c${i}::${c.type}`).join(', ');
    const args = cols.map((_, i) => `$${i + 1}::text[]`).join(', ');
    const names = cols.map((_, i) => `c${i}`).join(', ');
    await client.query(
      `INSERT INTO ${ident(table)} (${list}) SELECT ${casts} FROM unnest(${args}) AS u(${names})`,
      arrays,
    );
  }
  return r.rows.length;
}

/** Opens a paymo-sql connection to the simulator with room for whole-table reads. */
async function open(sim: SimulatorHandle, pushdown: boolean): Promise<Connection> {
  // The data never changes during the suite: a long cache TTL keeps repeated table reads cheap
  // without changing any answer. Each connection has its own catalog and cache.
  const db = await connect({
    apiKey: sim.apiKey,
    baseUrl: sim.baseUrl,
    cacheTtlMs: 600_000,
    rateLimit: false,
  });
  await db.query('SET paymo.max_requests = 10000');
  if (!pushdown) await db.query('SET paymo.pushdown = off');
  return db;
}

/**
 * Starts the simulator (demo scale, fixed seed and clock, no rate limit), two paymo-sql connections
 * and a throwaway PostgreSQL, and loads every table into PostgreSQL.
 */
export async function startDiffWorld(): Promise<DiffWorld> {
  const sim = await startSimulator({
    scale: 'demo',
    seed: DIFF_SEED,
    now: DIFF_NOW,
    clock: () => DIFF_NOW.getTime(),
    rateLimit: null,
  });
  const opened: { close(): Promise<void> }[] = [sim];
  try {
    const on = await open(sim, true);
    opened.push(on);
    const off = await open(sim, false);
    opened.push(off);
    const pgsql = await startTempPostgres();
    opened.push(pgsql);
    await pgsql.client.query("SET TIME ZONE 'UTC'");
    const t0 = Date.now();
    const loaded = new Map<string, number>();
    for (const t of on.tables()) {
      if (t.name in SKIPPED_TABLES) continue;
      loaded.set(t.name, await loadTable(on, pgsql.client, t.name));
    }
    await pgsql.client.query('ANALYZE');
    const loadMs = Date.now() - t0;
    return {
      sim,
      on,
      off,
      pg: pgsql,
      loaded,
      loadMs,
      async close() {
        for (const o of opened.reverse()) await o.close().catch(() => {});
      },
    };
  } catch (e) {
    for (const o of opened.reverse()) await o.close().catch(() => {});
    throw e;
  }
}
