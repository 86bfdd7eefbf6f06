import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Connection, connect } from '../../src/connect.js';
import { DEFAULT_MAX_WRITE_ROWS, PAYMO_SETTINGS, statementOptions } from '../../src/paymo-session.js';
import { type Served, serve } from '../../src/serve.js';
import { Session } from '../../src/session.js';

/** The write-safety settings: defaults, validation, SHOW, and the options each statement gets. */
describe('paymo.allow_unfiltered_writes and paymo.max_write_rows', () => {
  const session = () =>
    new Session(
      {
        query: async () => ({ command: 'SELECT', rowCount: 0, fields: [], rows: [] }),
      },
      PAYMO_SETTINGS,
    );

  it('reach every statement as QueryOptions: off and 100 by default, the session’s values once SET', async () => {
    const s = session();
    expect(statementOptions(s)).toMatchObject({ allowUnfilteredWrites: false, maxWriteRows: 100 });
    expect(DEFAULT_MAX_WRITE_ROWS).toBe(100);
    await s.execute('SET paymo.allow_unfiltered_writes = on');
    await s.execute('SET paymo.max_write_rows TO 5');
    expect(statementOptions(s)).toMatchObject({ allowUnfilteredWrites: true, maxWriteRows: 5 });
    await s.execute('SET paymo.allow_unfiltered_writes = false');
    await s.execute('RESET paymo.max_write_rows');
    expect(statementOptions(s)).toMatchObject({ allowUnfilteredWrites: false, maxWriteRows: 100 });
  });

  it('refuse values that are not on/off or an integer ≥ 1 (22023), keeping the old value', async () => {
    const s = session();
    for (const sql of [
      'SET paymo.max_write_rows = 0',
      "SET paymo.max_write_rows = 'many'",
      'SET paymo.max_write_rows = -3',
      "SET paymo.allow_unfiltered_writes = 'maybe'",
    ])
      await expect(s.execute(sql), sql).rejects.toMatchObject({ code: '22023' });
    expect(statementOptions(s)).toMatchObject({ allowUnfilteredWrites: false, maxWriteRows: 100 });
  });

  describe('embedded', () => {
    let db: Connection;
    beforeAll(async () => {
      db = await connect({ demo: true });
    });
    afterAll(() => db.close());

    it('SHOW and SET them like the other paymo.* settings', async () => {
      expect((await db.query('SHOW paymo.max_write_rows')).rows).toEqual([{ 'paymo.max_write_rows': '100' }]);
      await db.query('SET paymo.allow_unfiltered_writes = yes');
      expect((await db.query('SHOW paymo.allow_unfiltered_writes')).rows).toEqual([
        { 'paymo.allow_unfiltered_writes': 'on' },
      ]);
    });
  });

  describe('over the wire', () => {
    let served: Served;
    beforeAll(async () => {
      served = await serve({ port: 0 });
    });
    afterAll(() => served.close());

    it('SHOW, SHOW ALL and SET, per connection', async () => {
      const connectPg = async () => {
        const c = new pg.Client({
          host: '127.0.0.1',
          port: served.server.port,
          user: 'paymo',
          database: 'paymo',
        });
        await c.connect();
        return c;
      };
      const a = await connectPg();
      const b = await connectPg();
      try {
        await a.query('SET paymo.max_write_rows = 7');
        expect((await a.query('SHOW paymo.max_write_rows')).rows).toEqual([{ 'paymo.max_write_rows': '7' }]);
        expect((await b.query('SHOW paymo.max_write_rows')).rows).toEqual([
          { 'paymo.max_write_rows': '100' },
        ]);
        const all = await a.query('SHOW ALL');
        const mine = all.rows.filter((r: { name: string }) => /^paymo\..*write/.test(r.name));
        expect(mine.map((r: { name: string; setting: string }) => [r.name, r.setting])).toEqual([
          ['paymo.allow_unfiltered_writes', 'off'],
          ['paymo.max_write_rows', '7'],
        ]);
        await expect(a.query('SET paymo.max_write_rows = 0')).rejects.toMatchObject({ code: '22023' });
      } finally {
        await a.end();
        await b.end();
      }
    });
  });
});
