import { DataType } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Connection, connect, SqlError, startSimulator } from '../src/index.js';

describe('connect({ demo: true })', () => {
  let db: Connection;
  beforeAll(async () => {
    db = await connect({ demo: true });
  });
  afterAll(() => db.close());

  it('answers SQL over the demo company', async () => {
    const r = await db.query('SELECT count(*) AS n FROM projects');
    expect(r.command).toBe('SELECT');
    expect(r.fields).toEqual([{ name: 'n', type: 'bigint' }]);
    expect(r.rows[0].n).toBeGreaterThanOrEqual(30);
  });

  it('returns row objects with Date timestamps, or arrays with rowMode array', async () => {
    const r = await db.query('SELECT id, name, created_on FROM clients ORDER BY id LIMIT 2');
    expect(r.rowCount).toBe(2);
    expect(r.rows[0].created_on).toBeInstanceOf(Date);
    expect(typeof r.rows[0].name).toBe('string');
    const a = await db.query('SELECT id, id FROM clients ORDER BY id LIMIT 1', [], { rowMode: 'array' });
    expect(a.rows[0]).toHaveLength(2);
    expect(a.rows[0][0]).toBe(a.rows[0][1]);
  });

  it('binds $1 parameters', async () => {
    const first = await db.query('SELECT id FROM projects ORDER BY id LIMIT 1');
    const id = first.rows[0].id as number;
    const r = await db.query('SELECT id, name FROM projects WHERE id = $1', [id]);
    expect(r.rows.map((x) => x.id)).toEqual([id]);
  });

  it('streams rows as they come', async () => {
    const s = await db.stream('SELECT id FROM tasks ORDER BY id LIMIT 25');
    expect(s.fields.map((f) => f.name)).toEqual(['id']);
    let n = 0;
    for await (const row of s) {
      expect(typeof row.id).toBe('number');
      n++;
    }
    expect(n).toBe(25);
  });

  it('returns Arrow tables with faithful types', async () => {
    const t = await db.queryArrow('SELECT id, name, active, created_on FROM projects ORDER BY id LIMIT 5');
    expect(t.numRows).toBe(5);
    const byName = Object.fromEntries(t.schema.fields.map((f) => [f.name, f.type]));
    expect(DataType.isInt(byName.id)).toBe(true);
    expect(DataType.isUtf8(byName.name)).toBe(true);
    expect(DataType.isBool(byName.active)).toBe(true);
    expect(DataType.isTimestamp(byName.created_on)).toBe(true);
  });

  it('EXPLAIN shows the HTTP requests each scan will make', async () => {
    const text = await db.explain('SELECT name FROM projects WHERE id = 10001');
    expect(text).toMatch(/GET \/api\/projects/);
  });

  it('keeps paymo.* settings per session and enforces the request budget (53400)', async () => {
    await db.query('SET paymo.max_requests = 1');
    expect((await db.query('SHOW paymo.max_requests')).rows).toEqual([{ 'paymo.max_requests': '1' }]);
    const err = await db.query('SELECT count(*) FROM time_entries').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqlError);
    expect((err as SqlError).code).toBe('53400');
    await db.query('RESET paymo.max_requests');
    await expect(db.query('SET paymo.no_such = 1')).rejects.toMatchObject({ code: '42704' });
  });

  it('gives SqlErrors with SQLSTATEs for bad SQL', async () => {
    await expect(db.query('SELEC 1')).rejects.toMatchObject({ code: '42601' });
    await expect(db.query('SELECT * FROM no_such_table')).rejects.toMatchObject({ code: '42P01' });
    await expect(db.query('SELECT nope FROM projects')).rejects.toMatchObject({ code: '42703' });
  });

  it('shows and truncates timestamps in the session time zone', async () => {
    await db.query("SET TIME ZONE 'Europe/Berlin'");
    const r = await db.query(
      "SELECT '2026-01-01T00:30:00Z'::timestamptz::text AS t, date_trunc('day', '2026-01-01T23:30:00Z'::timestamptz)::text AS d",
    );
    expect(r.rows[0]).toEqual({ t: '2026-01-01 01:30:00+01', d: '2026-01-02 00:00:00+01' });
    await db.query('RESET TimeZone');
    const u = await db.query("SELECT '2026-01-01T00:30:00Z'::timestamptz::text AS t");
    expect(u.rows[0].t).toBe('2026-01-01 00:30:00+00');
  });

  it('accepts BEGIN/COMMIT with a notice that Paymo has no transactions', async () => {
    const b = await db.query('BEGIN');
    expect(b.notices[0].message).toMatch(/no transactions/);
    expect((await db.query('COMMIT')).command).toBe('COMMIT');
  });
});

describe('connect errors', () => {
  it('needs an API key or demo', async () => {
    await expect(connect({})).rejects.toMatchObject({ code: '08001' });
  });

  it('reports a rejected key without ever showing it', async () => {
    const sim = await startSimulator({ scale: 'tiny', rateLimit: null });
    const key = 'SECRET-KEY-9f8e7d6c5b4a';
    const db = await connect({ apiKey: key, baseUrl: sim.baseUrl });
    try {
      const err = (await db.query('SELECT * FROM clients').catch((e: unknown) => e)) as SqlError;
      expect(err).toBeInstanceOf(SqlError);
      expect(err.code).toMatch(/^28/);
      const everything = `${err.message} ${err.detail ?? ''} ${err.hint ?? ''} ${err.stack ?? ''} ${JSON.stringify(err)}`;
      expect(everything).not.toContain(key);
      expect(everything).not.toContain(Buffer.from(`${key}:X`).toString('base64'));
    } finally {
      await db.close();
      await sim.close();
    }
  });
});
