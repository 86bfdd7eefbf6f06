import pg from 'pg';
// Type only: erased at run time, so a missing package is caught by the dynamic import below.
import type postgresJs from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, serve } from '../../src/serve.js';
import type { PgServer } from '../../src/server/index.js';
import { startServer } from './harness.js';

// postgres.js (porsager) is a dev dependency; without it these tests skip with a reason, except in
// CI, where every real client must run.
type Postgres = typeof postgresJs;
let postgres: Postgres | null = null;
let noPostgresJs: string | null = null;
try {
  postgres = (await import('postgres')).default;
} catch (e) {
  noPostgresJs = `the postgres (porsager) package is not installed (npm install -D postgres): ${(e as Error).message}`;
  if (process.env.CI) throw new Error(`${noPostgresJs}: CI must not skip the real-client tests`);
  console.warn(`skipping postgres.js tests: ${noPostgresJs}`);
}

// The statement postgres.js runs on every new connection unless fetch_types is false
// (src/connection.js fetchArrayTypes; captured in client-sql/porsager.sql).
const TYPE_FETCH = `
      select b.oid, b.typarray
      from pg_catalog.pg_type a
      left join pg_catalog.pg_type b on b.oid = a.typelem
      where a.typcategory = 'A'
      group by b.oid, b.typarray
      order by b.oid
    `;

describe.skipIf(noPostgresJs)('postgres.js (porsager) on the engine fixture, fetch_types off', () => {
  let server: PgServer;
  let port: number;
  beforeAll(async () => {
    ({ server, port } = await startServer());
  });
  afterAll(() => server.close());

  const connect = () =>
    postgres!({
      host: '127.0.0.1',
      port,
      user: 'u',
      database: 'd',
      fetch_types: false,
      max: 1,
      idle_timeout: 1,
      onnotice: () => {},
    });

  it('runs tagged queries as named prepared statements, with parameters and non-ASCII text', async () => {
    const sql = connect();
    try {
      const rows = await sql`select id, name from clients where id = ${2}`;
      expect([...rows]).toEqual([{ id: '2', name: 'Ærø Design' }]);
      for (let i = 0; i < 3; i++) {
        const r = await sql`select count(*)::int as n from tasks where project_id = ${10 + i}`;
        expect(r[0]!.n).toBe([3, 2, 2][i]);
      }
      const [x] = await sql`select ${41}::int + 1 as x, ${'Ωmega ✓'}::text as t`;
      expect(x).toEqual({ x: 42, t: 'Ωmega ✓' });
      const typed =
        await sql`select created_on, active, budget from clients, projects where clients.id = 1 and projects.id = 10`;
      expect(typed[0]!.created_on).toBeInstanceOf(Date);
      expect(typed[0]!.active).toBe(true);
      await expect(sql`select * from nowhere`).rejects.toMatchObject({ code: '42P01' });
      expect((await sql`select 1 as ok`)[0]).toEqual({ ok: 1 });
      expect([...(await sql.unsafe('select 1 as a; select 2 as b'))]).toHaveLength(2);
    } finally {
      await sql.end();
    }
  });

  it('reads through a cursor in chunks (portal suspension) and streams COPY TO STDOUT', async () => {
    const sql = connect();
    try {
      const chunks: number[][] = [];
      for await (const rows of sql`select id from tasks order by id`.cursor(4)) {
        chunks.push(rows.map((r: postgresJs.Row) => Number(r.id)));
      }
      expect(chunks).toEqual([[100, 101, 102, 103], [104, 105, 106, 107], [108]]);
      const readable =
        await sql`copy (select id, name from clients order by id) to stdout (format csv)`.readable();
      let out = '';
      for await (const chunk of readable) out += chunk.toString();
      expect(out).toBe('1,Acme Corp\n2,Ærø Design\n3,Zürich AG\n4,beta llc\n5,Ωmega\n');
      expect((await sql`select 2 as after`)[0]).toEqual({ after: 2 });
    } finally {
      await sql.end();
    }
  });

  it('uses SQL cursors inside sql.begin', async () => {
    const sql = connect();
    try {
      const got = await sql.begin(async (tx: postgresJs.TransactionSql) => {
        await tx`declare c cursor for select name from projects order by id`;
        const a = await tx`fetch 2 from c`;
        const b = await tx`fetch all from c`;
        await tx`close c`;
        return [...a, ...b].map((r) => r.name);
      });
      expect(got).toEqual(['Website', 'App', 'Branding', 'Internal', 'Audit']);
    } finally {
      await sql.end();
    }
  });
});

// With its type fetch on, postgres.js needs pg_catalog.pg_type: `paymo-sql serve` provides it.
describe.skipIf(noPostgresJs)('postgres.js (porsager) on paymo-sql serve, fetch_types on', () => {
  let served: Served;
  let catalogMissing: string | null = null;
  beforeAll(async () => {
    served = await serve({ port: 0 });
    const c = new pg.Client({ host: '127.0.0.1', port: served.server.port, user: 'u', database: 'paymo' });
    await c.connect();
    try {
      await c.query('select 1 from pg_catalog.pg_type limit 1');
    } catch (e) {
      catalogMissing = `paymo-sql serve does not answer pg_catalog yet: ${(e as Error).message}`;
    } finally {
      await c.end();
    }
  }, 60_000);
  afterAll(() => served.close());

  it('answers the type-fetch statement like PostgreSQL: element types with their array types', async () => {
    // The catalog emulation exists now: a catalog that stops answering is a failure, not a skip.
    expect(catalogMissing).toBeNull();
    const c = new pg.Client({ host: '127.0.0.1', port: served.server.port, user: 'u', database: 'paymo' });
    await c.connect();
    try {
      for (const mode of ['simple', 'extended'] as const) {
        const r = await c.query({ text: TYPE_FETCH, queryMode: mode } as pg.QueryConfig);
        expect(r.fields.map((f) => f.name)).toEqual(['oid', 'typarray']);
        const pairs = new Map(r.rows.map((row) => [Number(row.oid), Number(row.typarray)]));
        // int4 → _int4, int8 → _int8, text → _text, bool → _bool, date → _date, jsonb → _jsonb …
        expect(pairs.get(23)).toBe(1007);
        expect(pairs.get(20)).toBe(1016);
        expect(pairs.get(25)).toBe(1009);
        expect(pairs.get(16)).toBe(1000);
        expect(pairs.get(1082)).toBe(1182);
        const oids = r.rows.map((row) => Number(row.oid));
        expect(oids).toEqual([...oids].sort((a, b) => a - b));
      }
    } finally {
      await c.end();
    }
  });

  it('connects with the type fetch on and decodes arrays with the types it learned', async () => {
    // The catalog emulation exists now: a catalog that stops answering is a failure, not a skip.
    expect(catalogMissing).toBeNull();
    const sql = postgres!({
      host: '127.0.0.1',
      port: served.server.port,
      user: 'u',
      database: 'paymo',
      max: 1,
    });
    try {
      const [r] =
        await sql`select array[1, 2, 3]::int[] as a, array['x', 'y'] as t, count(*)::int as n from projects where id = ${10001}`;
      expect(r).toEqual({ a: [1, 2, 3], t: ['x', 'y'], n: 1 });
      const ids =
        await sql`select id from projects where id = any(${sql.array([10001, 10002])}::bigint[]) order by id`;
      expect(ids.map((x: postgresJs.Row) => String(x.id))).toEqual(['10001', '10002']);
    } finally {
      await sql.end();
    }
  });
});
