import { DataType } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Connection, connect, SqlError } from '../../src/index.js';

// Writes through the embedded API on the demo company (an in-process simulator): results carry the
// command and rows written, RETURNING rows come back as objects or Arrow, errors as SqlError.

let db: Connection;
let project: number;

beforeAll(async () => {
  db = await connect({ demo: true });
  project = [...db.demo!.store.all('projects')].find((p) => p.active === true)!.id as number;
});
afterAll(() => db.close());

const stored = (prefix: string) =>
  [...db.demo!.store.all('tasks')].filter((t) => String(t.name).startsWith(prefix)).map((t) => t.name);

describe('connect().query() writes', () => {
  it('returns { command, rowCount, fields, rows } for INSERT, UPDATE and DELETE', async () => {
    const ins = await db.query('INSERT INTO tasks (name, project_id) VALUES ($1, $2), ($3, $2)', [
      'Embedded a',
      project,
      'Embedded b',
    ]);
    expect(ins).toMatchObject({ command: 'INSERT', rowCount: 2, fields: [], rows: [] });
    expect(stored('Embedded ').sort()).toEqual(['Embedded a', 'Embedded b']);
    const up = await db.query(
      "UPDATE tasks SET name = name || '!' WHERE project_id = $1 AND name LIKE 'Embedded %'",
      [project],
    );
    expect(up).toMatchObject({ command: 'UPDATE', rowCount: 2, rows: [] });
    const del = await db.query("DELETE FROM tasks WHERE project_id = $1 AND name = 'Embedded a!'", [project]);
    expect(del).toMatchObject({ command: 'DELETE', rowCount: 1 });
    expect(stored('Embedded ')).toEqual(['Embedded b!']);
  });

  it('returns RETURNING rows as objects (timestamps as Date) and as Arrow', async () => {
    const r = await db.query(
      'INSERT INTO tasks (name, project_id) VALUES ($1, $2) RETURNING id, name, created_on',
      ['Returned', project],
    );
    expect(r.command).toBe('INSERT');
    expect(r.rowCount).toBe(1);
    expect(r.fields.map((f) => [f.name, f.type])).toEqual([
      ['id', 'bigint'],
      ['name', 'text'],
      ['created_on', 'timestamptz'],
    ]);
    expect(r.rows[0]!.name).toBe('Returned');
    expect(r.rows[0]!.created_on).toBeInstanceOf(Date);
    const id = r.rows[0]!.id as number;
    const t = await db.queryArrow('UPDATE tasks SET name = $1 WHERE id = $2 RETURNING id, name, complete', [
      'Returned (arrow)',
      id,
    ]);
    expect(t.numRows).toBe(1);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['id', 'name', 'complete']);
    expect(DataType.isBool(t.schema.fields[2]!.type)).toBe(true);
    expect(t.getChild('name')!.get(0)).toBe('Returned (arrow)');
  });

  it('throws SqlError with SQLSTATE and detail, writing nothing for a refused statement', async () => {
    const before = db.demo!.requestLog.count({ method: 'POST' });
    const err = await db.query('INSERT INTO tasks (name) VALUES ($1)', ['Orphan']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqlError);
    expect((err as SqlError).code).toMatch(/^23/);
    expect(db.demo!.requestLog.count({ method: 'POST' })).toBe(before);
    const ro = await db.query("INSERT INTO me (name) VALUES ('x')").catch((e: unknown) => e);
    expect((ro as SqlError).code).toBe('0A000');
  });

  it('reads the rows a write changes from Paymo, not from a cached answer', async () => {
    const task = [...db.demo!.store.all('tasks')].find((t) => t.project_id === project)!;
    const read = async () => (await db.query('SELECT seq FROM tasks WHERE id = $1', [task.id])).rows;
    const before = await read();
    // Someone else changes the task in Paymo: reads within the TTL still show the cached answer…
    db.demo!.store.update('tasks', task.id, { seq: 40 });
    expect(await read()).toEqual(before);
    // …but a write computes from what Paymo holds now.
    const r = await db.query('UPDATE tasks SET seq = seq + 1 WHERE id = $1 RETURNING seq', [task.id]);
    expect(r.rows).toEqual([{ seq: 41 }]);
    expect(await read()).toEqual([{ seq: 41 }]);
  });

  it("sends a report's full specification as Paymo holds it now, not as a cached read had it", async () => {
    const report = [...db.demo!.store.all('reports')][0]!;
    const before = await db.query('SELECT date_interval FROM reports WHERE id = $1', [report.id]);
    db.demo!.store.update('reports', report.id, {
      date_interval: 'last_year',
      start_date: null,
      end_date: null,
    });
    const log = db.demo!.requestLog;
    const seen = log.count();
    await db.query('UPDATE reports SET name = $1 WHERE id = $2', ['Renamed behind the cache', report.id]);
    const made = log.entries().slice(-(log.count() - seen));
    // One GET by id: the read that found the row also gives the specification the PUT carries.
    expect(made.map((e) => e.method)).toEqual(['GET', 'PUT']);
    expect(JSON.parse(made[1]!.body!)).toMatchObject({
      name: 'Renamed behind the cache',
      date_interval: 'last_year',
    });
    expect(before.rows).not.toEqual([{ date_interval: 'last_year' }]);
  });

  it('has no transactions: ROLLBACK says so and undoes nothing', async () => {
    expect((await db.query('BEGIN')).notices[0]?.message).toMatch(/ROLLBACK undoes nothing/);
    await db.query('INSERT INTO tasks (name, project_id) VALUES ($1, $2)', ['Kept anyway', project]);
    const rb = await db.query('ROLLBACK');
    expect(rb.notices[0]?.message).toMatch(/no transactions/);
    expect(stored('Kept anyway')).toEqual(['Kept anyway']);
  });
});
