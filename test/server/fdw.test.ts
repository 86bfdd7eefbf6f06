import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { type Served, serve } from '../../src/serve.js';
import { createPgServer, engineBackend, type PgServer, type QueryBackend } from '../../src/server/index.js';
import { fixture, fixtureSql } from '../engine/fixture.js';
import { postgresUnavailable, startTempPostgres, type TempPostgres } from '../support/postgres.js';

// A real PostgreSQL 15 reads paymo-sql through postgres_fdw; the same rows loaded into that
// PostgreSQL as ordinary tables are the oracle for every answer.
const noPostgres = postgresUnavailable();

let server: PgServer;
let pgsql: TempPostgres;
/** The SQL postgres_fdw made paymo-sql run (the queries inside its DECLAREs). */
const remote: string[] = [];

const FOREIGN_TABLES = `
CREATE SCHEMA paymo;
CREATE FOREIGN TABLE paymo.clients (id bigint, name text, city text, active boolean, created_on date)
  SERVER paymo_srv OPTIONS (schema_name 'public', table_name 'clients');
CREATE FOREIGN TABLE paymo.projects (id bigint, name text, client_id bigint, budget numeric, billable boolean,
  created_at timestamptz, tags text[]) SERVER paymo_srv OPTIONS (schema_name 'public', table_name 'projects');
CREATE FOREIGN TABLE paymo.tasks (id bigint, name text, project_id bigint, complete boolean, due_date date,
  priority integer) SERVER paymo_srv OPTIONS (schema_name 'public', table_name 'tasks');
CREATE FOREIGN TABLE paymo.entries (id bigint, task_id bigint, user_name text, entry_date date, minutes integer,
  billed boolean, started_at timestamptz, description text, meta jsonb)
  SERVER paymo_srv OPTIONS (schema_name 'public', table_name 'entries');
CREATE FOREIGN TABLE paymo.broken (nope integer) SERVER paymo_srv OPTIONS (schema_name 'public', table_name 'tasks');
`;

beforeAll(async () => {
  if (noPostgres) return;
  const { catalog } = fixture();
  const engine = createEngine({ catalog });
  const inner = engineBackend(engine);
  const backend: QueryBackend = {
    stream: (sql, params, opts) => {
      remote.push(sql);
      return inner.stream(sql, params, opts);
    },
  };
  server = await createPgServer({ host: '127.0.0.1', port: 0, openSession: () => ({ backend }) });
  pgsql = await startTempPostgres();
  await pgsql.client.query(fixtureSql());
  await pgsql.client.query(`
    CREATE EXTENSION postgres_fdw;
    CREATE SERVER paymo_srv FOREIGN DATA WRAPPER postgres_fdw
      OPTIONS (host '127.0.0.1', port '${server.port}', dbname 'paymo');
    CREATE USER MAPPING FOR postgres SERVER paymo_srv OPTIONS (user 'postgres');
    ${FOREIGN_TABLES}
  `);
}, 60_000);
afterAll(async () => {
  await pgsql?.close();
  await server?.close();
});

/** Runs `sql` over the foreign tables and over the local copies (schema `public`); both answers. */
async function both(sql: string): Promise<{ fdw: unknown[]; local: unknown[] }> {
  const fdw = await pgsql.client.query(sql.replace(/\bpaymo\./g, 'paymo.'));
  const local = await pgsql.client.query(sql.replace(/\bpaymo\./g, 'public.'));
  return { fdw: fdw.rows, local: local.rows };
}

const QUERIES = [
  'SELECT id, name FROM paymo.projects WHERE billable AND id > 0 ORDER BY name LIMIT 5',
  'SELECT * FROM paymo.projects ORDER BY id',
  'SELECT * FROM paymo.entries ORDER BY id',
  'SELECT * FROM paymo.clients ORDER BY id',
  "SELECT id, name, due_date FROM paymo.tasks WHERE due_date < '2023-06-01' AND NOT complete ORDER BY id",
  'SELECT t.name AS task, p.name AS project FROM paymo.tasks t JOIN paymo.projects p ON p.id = t.project_id WHERE p.billable ORDER BY 1',
  'SELECT project_id, count(*) AS n, sum(priority) AS s FROM paymo.tasks GROUP BY project_id ORDER BY 1 NULLS FIRST',
  'SELECT c.name, sum(e.minutes) AS minutes FROM paymo.entries e JOIN paymo.tasks t ON t.id = e.task_id JOIN paymo.projects p ON p.id = t.project_id JOIN paymo.clients c ON c.id = p.client_id GROUP BY c.name ORDER BY 2 DESC',
  "SELECT id FROM paymo.projects WHERE tags @> ARRAY['web'] ORDER BY id",
  "SELECT id, meta->>'source' AS source FROM paymo.entries WHERE meta IS NOT NULL ORDER BY id",
];

describe.skipIf(noPostgres)('postgres_fdw from a real PostgreSQL 15 (hand-written foreign tables)', () => {
  it.each(QUERIES)('%s', async (sql) => {
    const { fdw, local } = await both(sql);
    expect(fdw).toEqual(local);
    expect(fdw.length).toBeGreaterThan(0);
  });

  it('pushes the WHERE, ORDER BY and LIMIT down into the cursor query', async () => {
    remote.length = 0;
    await pgsql.client.query(
      'SELECT id, name FROM paymo.projects WHERE billable AND id > 0 ORDER BY name LIMIT 5',
    );
    expect(remote).toEqual([
      'SELECT id, name FROM public.projects WHERE (billable) AND ((id > 0)) ORDER BY name ASC NULLS LAST LIMIT 5::bigint',
    ]);
  });

  it('reads in fetch_size rounds from one cursor, and joins a local table with parameterized remote scans', async () => {
    await pgsql.client.query("ALTER SERVER paymo_srv OPTIONS (ADD fetch_size '2')");
    try {
      remote.length = 0;
      const { fdw, local } = await both('SELECT id, name FROM paymo.tasks ORDER BY id');
      expect(fdw).toEqual(local);
      expect(remote).toHaveLength(1);
      await pgsql.client.query('CREATE TEMP TABLE wanted (id bigint)');
      await pgsql.client.query('INSERT INTO wanted VALUES (101), (105)');
      await pgsql.client.query('ANALYZE wanted');
      await pgsql.client.query('SET enable_hashjoin = off; SET enable_mergejoin = off');
      const j = await both(
        'SELECT w.id, t.name FROM wanted w JOIN paymo.tasks t ON t.id = w.id ORDER BY w.id',
      );
      expect(j.fdw).toEqual([
        { id: '101', name: 'Build frontend' },
        { id: '105', name: 'Logo' },
      ]);
      expect(j.fdw).toEqual(j.local);
    } finally {
      await pgsql.client.query('RESET enable_hashjoin; RESET enable_mergejoin');
      await pgsql.client.query('ALTER SERVER paymo_srv OPTIONS (DROP fetch_size)');
    }
  });

  // Known gaps (closing note of stop 1): postgres_fdw deparses LIKE / ILIKE as ~~ / ~~*, which the
  // engine's parser does not read yet; use_remote_estimate needs PostgreSQL-shaped EXPLAIN cost lines.

  it('passes a remote error through (with the remote SQL) and the next query works', async () => {
    await expect(pgsql.client.query('SELECT nope FROM paymo.broken')).rejects.toMatchObject({
      code: '42703',
    });
    const { fdw } = await both('SELECT count(*)::int AS n FROM paymo.tasks');
    expect(fdw).toEqual([{ n: 9 }]);
  });

  it('inside a local transaction with savepoints (postgres_fdw mirrors them remotely)', async () => {
    const c = pgsql.client;
    await c.query('BEGIN');
    try {
      await c.query('SAVEPOINT a');
      expect((await c.query('SELECT count(*)::int AS n FROM paymo.clients')).rows).toEqual([{ n: 5 }]);
      await c.query('SAVEPOINT b');
      await expect(c.query('SELECT nope FROM paymo.broken')).rejects.toMatchObject({ code: '42703' });
      await c.query('ROLLBACK TO SAVEPOINT b');
      expect((await c.query('SELECT count(*)::int AS n FROM paymo.projects')).rows).toEqual([{ n: 5 }]);
      await c.query('RELEASE SAVEPOINT a');
    } finally {
      await c.query('COMMIT');
    }
  });
});

describe('the statements postgres_fdw sends, through node pg', () => {
  let s: PgServer;
  beforeAll(async () => {
    const { catalog } = fixture();
    s = await createPgServer({
      host: '127.0.0.1',
      port: 0,
      openSession: () => ({ backend: engineBackend(createEngine({ catalog })) }),
    });
  });
  afterAll(() => s.close());

  it('runs its session setup, transaction, cursor and cleanup statements (client-sql/postgres_fdw.sql)', async () => {
    const c = new pg.Client({ host: '127.0.0.1', port: s.port, user: 'postgres', database: 'paymo' });
    await c.connect();
    for (const sql of [
      'SET search_path = pg_catalog',
      "SET timezone = 'GMT'",
      "SET timezone = 'UTC'",
      'SET datestyle = ISO',
      'SET intervalstyle = postgres',
      'SET extra_float_digits = 3',
      'START TRANSACTION ISOLATION LEVEL REPEATABLE READ',
      'SAVEPOINT s2',
    ]) {
      await c.query(sql);
    }
    // Like postgres_fdw: DECLARE over the extended protocol (parameters typed by their casts).
    await c.query({
      text: 'DECLARE c1 CURSOR FOR\nSELECT id, name FROM public.projects WHERE (billable) AND ((id > $1::bigint)) ORDER BY name ASC NULLS LAST LIMIT 5::bigint',
      values: ['0'],
    });
    const f = await c.query('FETCH 100 FROM c1');
    expect(f.rows).toEqual([
      { id: '11', name: 'App' },
      { id: '14', name: 'Audit' },
      { id: '10', name: 'Website' },
    ]);
    expect((await c.query('FETCH 100 FROM c1')).rowCount).toBe(0);
    for (const sql of ['CLOSE c1', 'RELEASE SAVEPOINT s2', 'COMMIT TRANSACTION']) await c.query(sql);
    // The error path: ABORT TRANSACTION and DEALLOCATE ALL.
    await c.query('START TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await c.query('DECLARE c2 CURSOR FOR SELECT id FROM public.tasks');
    await expect(c.query('SELECT nope FROM public.tasks')).rejects.toMatchObject({ code: '42703' });
    await c.query('ABORT TRANSACTION');
    await c.query('DEALLOCATE ALL');
    await expect(c.query('FETCH c2')).rejects.toMatchObject({ code: '34000' });
    expect((await c.query('SHOW TimeZone')).rows[0]).toEqual({ TimeZone: 'UTC' });
    await c.end();
  });
});

// IMPORT FOREIGN SCHEMA needs the pg_catalog emulation (its discovery query joins pg_class,
// pg_namespace, pg_attribute, pg_attrdef and pg_collation), which `paymo-sql serve` installs.
describe.skipIf(noPostgres)('postgres_fdw IMPORT FOREIGN SCHEMA over paymo-sql serve (demo company)', () => {
  let served: Served;
  let direct: pg.Client;
  let catalogMissing: string | null = null;
  beforeAll(async () => {
    served = await serve({ port: 0 });
    direct = new pg.Client({
      host: '127.0.0.1',
      port: served.server.port,
      user: 'postgres',
      database: 'paymo',
    });
    await direct.connect();
    try {
      await direct.query("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'public'");
    } catch (e) {
      catalogMissing = `paymo-sql serve does not answer pg_catalog yet: ${(e as Error).message}`;
    }
    await pgsql.client.query(`
      CREATE SERVER demo_srv FOREIGN DATA WRAPPER postgres_fdw
        OPTIONS (host '127.0.0.1', port '${served.server.port}', dbname 'paymo');
      CREATE USER MAPPING FOR postgres SERVER demo_srv OPTIONS (user 'postgres');
      CREATE SCHEMA demo;
    `);
  }, 60_000);
  afterAll(async () => {
    await direct?.end();
    await pgsql?.client.query('DROP SERVER IF EXISTS demo_srv CASCADE').catch(() => undefined);
    await served?.close();
  });

  it('imports every table, then a filtered query matches paymo-sql asked directly', async () => {
    // The catalog emulation exists now: a catalog that stops answering is a failure, not a skip.
    expect(catalogMissing).toBeNull();
    await pgsql.client.query('IMPORT FOREIGN SCHEMA public FROM SERVER demo_srv INTO demo');
    const tables = await pgsql.client.query(
      "SELECT foreign_table_name FROM information_schema.foreign_tables WHERE foreign_table_schema = 'demo' ORDER BY 1",
    );
    expect(tables.rows.map((r) => r.foreign_table_name)).toEqual(
      expect.arrayContaining(['projects', 'tasks', 'clients']),
    );
    const sql = 'SELECT id, name FROM %s.projects WHERE active AND id > 0 ORDER BY name, id LIMIT 5';
    const viaFdw = await pgsql.client.query(sql.replace('%s', 'demo'));
    const ours = await direct.query(sql.replace('%s', 'public'));
    expect(viaFdw.rows.length).toBe(5);
    expect(viaFdw.rows).toEqual(ours.rows);
  });

  it('ANALYZEs an imported table (pg_relation_size, then a sampling scan through a cursor)', async () => {
    expect(catalogMissing).toBeNull();
    await pgsql.client.query('ANALYZE demo.clients');
    const s = await pgsql.client.query(
      "SELECT count(*)::int AS n FROM pg_stats WHERE schemaname = 'demo' AND tablename = 'clients'",
    );
    expect(s.rows[0].n).toBeGreaterThan(3);
  });
});
