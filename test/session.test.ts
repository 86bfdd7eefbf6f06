import { describe, expect, it } from 'vitest';
import type { QueryResult } from '../src/engine.js';
import { integerSetting, parseDuration, Session, type SessionSettings } from '../src/session.js';

/** A runner that records what reached it and the settings it saw. */
function recorder() {
  const seen: { sql: string; budget: string }[] = [];
  return {
    seen,
    runner: {
      async query(
        sql: string,
        _p: readonly unknown[],
        opts: { settings: SessionSettings },
      ): Promise<QueryResult> {
        seen.push({ sql, budget: opts.settings.get('paymo.max_requests') });
        return { command: 'SELECT', rowCount: 1, fields: [{ name: 'x', type: 'integer' }], rows: [[1]] };
      },
    },
  };
}

const PAYMO = [
  {
    name: 'paymo.max_requests',
    default: '50',
    description: 'budget',
    validate: integerSetting('paymo.max_requests', 1),
  },
];

describe('Session', () => {
  it('passes ordinary statements to the engine with the session settings', async () => {
    const r = recorder();
    const s = new Session(r.runner, PAYMO);
    await s.execute('SET paymo.max_requests = 200');
    const res = await s.execute('select 1');
    expect(res.rows).toEqual([[1]]);
    expect(r.seen).toEqual([{ sql: 'select 1', budget: '200' }]);
  });

  it('SET / SHOW / RESET with PostgreSQL spellings', async () => {
    const s = new Session(recorder().runner, PAYMO);
    expect((await s.execute("SET application_name TO 'psql'")).command).toBe('SET');
    expect((await s.execute('SHOW application_name')).rows).toEqual([['psql']]);
    await s.execute('set paymo.max_requests to 10;');
    expect((await s.execute('show paymo.max_requests')).rows).toEqual([['10']]);
    await s.execute('RESET paymo.max_requests');
    expect(s.get('paymo.max_requests')).toBe('50');
    await s.execute('SET paymo.max_requests = 7');
    await s.execute('RESET ALL');
    expect(s.get('paymo.max_requests')).toBe('50');
    await s.execute('SET paymo.max_requests = DEFAULT');
    expect(s.get('paymo.max_requests')).toBe('50');
    expect((await s.execute('SHOW TRANSACTION ISOLATION LEVEL')).rows).toEqual([['read committed']]);
    expect((await s.execute("SET TIME ZONE 'UTC'")).command).toBe('SET');
    expect((await s.execute('SET DateStyle = ISO, MDY')).command).toBe('SET');
    expect(s.get('DateStyle')).toBe('ISO, MDY');
    const all = await s.execute('SHOW ALL');
    expect(all.fields.map((f) => f.name)).toEqual(['name', 'setting', 'description']);
    expect(all.rows.some((r) => r[0] === 'paymo.max_requests')).toBe(true);
  });

  it('refuses unknown paymo settings, bad values and unsupported time zones with SQLSTATEs', async () => {
    const s = new Session(recorder().runner, PAYMO);
    await expect(s.execute('SET paymo.max_request = 5')).rejects.toMatchObject({ code: '42704' });
    await expect(s.execute('SET paymo.max_requests = lots')).rejects.toMatchObject({ code: '22023' });
    await expect(s.execute('SHOW no_such_thing')).rejects.toMatchObject({ code: '42704' });
    await expect(s.execute("SET TIME ZONE 'Mars/Olympus'")).rejects.toMatchObject({ code: '22023' });
    await s.execute("SET TIME ZONE 'Europe/Paris'");
    expect(s.get('TimeZone')).toBe('Europe/Paris');
    await expect(s.execute("SET client_encoding = 'LATIN1'")).rejects.toMatchObject({ code: '22023' });
    await expect(s.execute('SET server_version = 16')).rejects.toMatchObject({ code: '55P02' });
    // Custom two-part placeholders are PostgreSQL behaviour: allowed outside paymo.*.
    await s.execute("SET myapp.user = 'ann'");
    expect(s.get('myapp.user')).toBe('ann');
  });

  it('accepts transactions with a NOTICE that Paymo has none, and tracks the status', async () => {
    const s = new Session(recorder().runner, PAYMO);
    const b = await s.execute('BEGIN');
    expect(b.command).toBe('BEGIN');
    expect(b.notices[0].message).toMatch(/Paymo has no transactions/);
    expect(s.transactionOpen).toBe(true);
    const r = await s.execute('ROLLBACK');
    expect(r.command).toBe('ROLLBACK');
    expect(r.notices[0].message).toMatch(/undoes nothing/);
    expect(s.transactionOpen).toBe(false);
    const c = await s.execute('COMMIT');
    expect(c.notices[0].code).toBe('25P01');
    expect((await s.execute('START TRANSACTION ISOLATION LEVEL READ COMMITTED')).command).toBe('BEGIN');
    expect((await s.execute('DISCARD ALL')).command).toBe('DISCARD ALL');
    expect(s.transactionOpen).toBe(false);
  });

  it('parses durations like PostgreSQL GUCs', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('5min')).toBe(300_000);
    expect(parseDuration('2', 's')).toBe(2000);
    expect(parseDuration('soon')).toBeNaN();
  });
});
