import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgServer } from '../../src/server/index.js';
import { startServer } from './harness.js';
import { errorFields, fe, RawClient, rowDescription, textRow, types } from './raw-client.js';

let server: PgServer;
let port: number;

beforeAll(async () => {
  ({ server, port } = await startServer());
});
afterAll(async () => {
  await server.close();
});

const rows = (msgs: { type: string; body: Buffer }[]) =>
  msgs.filter((m) => m.type === 'D').map((m) => textRow(m.body));
const status = (msgs: { type: string; body: Buffer }[]) => String.fromCharCode(msgs.at(-1)!.body[0]!);

describe('startup', () => {
  it('answers SSLRequest and GSSENCRequest with N, then a plain startup works', async () => {
    const c = await RawClient.open(port);
    c.send(fe.gssencRequest());
    expect(await c.byte()).toBe('N');
    c.send(fe.sslRequest());
    expect(await c.byte()).toBe('N');
    c.send(fe.startup({ user: 'u', database: 'd', application_name: 'probe' }));
    const msgs = await c.until('Z');
    expect(msgs[0]!.type).toBe('R');
    expect(msgs[0]!.body.readInt32BE(0)).toBe(0);
    expect(types(msgs)).toMatch(/^RS+KZ$/);
    expect(Object.fromEntries(c.params)).toMatchObject({
      server_version: expect.stringMatching(/^15\./),
      server_encoding: 'UTF8',
      client_encoding: 'UTF8',
      DateStyle: 'ISO, MDY',
      IntervalStyle: 'postgres',
      TimeZone: 'UTC',
      integer_datetimes: 'on',
      standard_conforming_strings: 'on',
      application_name: 'probe',
    });
    expect(c.pid).toBeGreaterThan(0);
    expect(status(msgs)).toBe('I');
    await c.end();
  });

  it('negotiates down a newer minor protocol version and unknown _pq_ options', async () => {
    const c = await RawClient.open(port);
    c.send(fe.startup({ user: 'u', '_pq_.x': '1' }, (3 << 16) | 2));
    const msgs = await c.until('Z');
    expect(msgs[0]!.type).toBe('v');
    expect(msgs[0]!.body.readInt32BE(0)).toBe(0);
    expect(msgs[0]!.body.readInt32BE(4)).toBe(1);
    await c.end();
  });

  it('refuses protocol 2 and a startup without user with FATAL', async () => {
    const c = await RawClient.open(port);
    c.send(fe.startup({ user: 'u' }, 2 << 16));
    const [m] = await c.until('Z');
    expect(m!.type).toBe('E');
    expect(errorFields(m!.body)).toMatchObject({ S: 'FATAL', C: '0A000' });
    expect(await c.next()).toBeNull();
    const d = await RawClient.open(port);
    d.send(fe.startup({ database: 'd' }));
    const [e] = await d.until('Z');
    expect(errorFields(e!.body)).toMatchObject({ S: 'FATAL', C: '28000' });
  });

  it('honours a startup TimeZone and reports one it cannot honour as a WARNING, keeping UTC', async () => {
    const c = await RawClient.connect(port, { TimeZone: 'Europe/Berlin', extra_float_digits: '3' });
    expect(c.params.get('TimeZone')).toBe('Europe/Berlin');
    const r = await c.query('show extra_float_digits');
    expect(rows(r)).toEqual([['3']]);
    await c.end();
    const d = await RawClient.connect(port, { TimeZone: 'Mars/Olympus' });
    expect(d.params.get('TimeZone')).toBe('UTC');
    await d.end();
  });
});

describe('simple query', () => {
  it('runs several statements with one CommandComplete each and UTF-8 lengths', async () => {
    const c = await RawClient.connect(port);
    const msgs = await c.query(
      "select 1 as a; select 'héllo wörld ✓ 😀' as b; ; select name from clients where id = 2",
    );
    expect(types(msgs)).toBe('TDCTDCTDCZ');
    expect(rows(msgs)).toEqual([['1'], ['héllo wörld ✓ 😀'], ['Ærø Design']]);
    const tags = msgs.filter((m) => m.type === 'C').map((m) => m.body.toString('utf8', 0, m.body.length - 1));
    expect(tags).toEqual(['SELECT 1', 'SELECT 1', 'SELECT 1']);
    await c.end();
  });

  it('answers an empty query string with EmptyQueryResponse', async () => {
    const c = await RawClient.connect(port);
    expect(types(await c.query(''))).toBe('IZ');
    expect(types(await c.query(' ; -- nothing\n /* here */ '))).toBe('IZ');
    await c.end();
  });

  it('stops at the first error with SQLSTATE and a position relative to the whole string', async () => {
    const c = await RawClient.connect(port);
    const msgs = await c.query('select 1; select nope from clients; select 3');
    expect(types(msgs)).toBe('TDCEZ');
    const e = errorFields(msgs[3]!.body);
    expect(e).toMatchObject({ S: 'ERROR', V: 'ERROR', C: '42703' });
    expect(e.M).toContain('nope');
    if (e.P) expect(Number(e.P)).toBeGreaterThan(10);
    // The connection stays usable.
    expect(rows(await c.query('select 42'))).toEqual([['42']]);
    await c.end();
  });

  it('tracks the transaction status byte: I, T, E, and ROLLBACK for a failed COMMIT', async () => {
    const c = await RawClient.connect(port);
    const begin = await c.query('begin');
    expect(types(begin)).toBe('NCZ');
    expect(status(begin)).toBe('T');
    expect(status(await c.query('select 1'))).toBe('T');
    expect(status(await c.query('select nope'))).toBe('E');
    const refused = await c.query('select 1');
    expect(errorFields(refused[0]!.body).C).toBe('25P02');
    expect(status(refused)).toBe('E');
    const commit = await c.query('commit');
    expect(commit[0]!.body.toString('utf8', 0, 8)).toBe('ROLLBACK');
    expect(status(commit)).toBe('I');
    await c.end();
  });

  it('sends ParameterStatus when a reported setting changes', async () => {
    const c = await RawClient.connect(port);
    const msgs = await c.query("set application_name = 'renamed'");
    expect(types(msgs)).toBe('SCZ');
    expect(c.params.get('application_name')).toBe('renamed');
    await c.end();
  });

  it('streams a large result in order', async () => {
    const c = await RawClient.connect(port);
    const msgs = await c.query('select g from generate_series(1, 50000) g');
    const d = rows(msgs);
    expect(d.length).toBe(50000);
    expect(d[49999]).toEqual(['50000']);
    expect(msgs.at(-2)!.body.toString('utf8', 0, 12)).toBe('SELECT 50000');
    await c.end();
  });
});

describe('extended protocol', () => {
  it('runs Parse/Bind/Describe/Execute/Sync with typed parameters', async () => {
    const c = await RawClient.connect(port);
    c.send(
      fe.parse('', 'select id, name from tasks where project_id = $1 and id > $2 order by id', [20, 0]),
      fe.describe('S', ''),
      fe.bind('', '', ['10', '100']),
      fe.describe('P', ''),
      fe.execute('', 0),
      fe.sync(),
    );
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('1tT2TDDCZ');
    const pd = msgs[1]!.body;
    expect(pd.readInt16BE(0)).toBe(2);
    // Both typed from their context, as PostgreSQL does: project_id and id are bigint.
    expect([pd.readUInt32BE(2), pd.readUInt32BE(6)]).toEqual([20, 20]);
    expect(rowDescription(msgs[2]!.body).map((f) => [f.name, f.typeOid, f.typlen])).toEqual([
      ['id', 20, 8],
      ['name', 25, -1],
    ]);
    expect(rows(msgs)).toEqual([
      ['101', 'Build frontend'],
      ['102', 'QA'],
    ]);
    await c.end();
  });

  it('types parameters from casts on them, as PostgreSQL does', async () => {
    const c = await RawClient.connect(port);
    c.send(
      fe.parse('', 'select $1::int + 1, cast($2 as bigint), $3::pg_catalog.date, $4::text[], $5'),
      fe.describe('S', ''),
      fe.sync(),
    );
    const msgs = await c.until('Z');
    const pd = msgs[1]!.body;
    expect(Array.from({ length: pd.readInt16BE(0) }, (_, i) => pd.readUInt32BE(2 + i * 4))).toEqual([
      23, 20, 1082, 1009, 25,
    ]);
    await c.end();
  });

  it('infers the parameter count and reports text for undeclared parameters', async () => {
    const c = await RawClient.connect(port);
    c.send(fe.parse('s', "select $1 || '-' || $2 as x"), fe.describe('S', 's'), fe.sync());
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('1tTZ');
    expect(msgs[1]!.body.readInt16BE(0)).toBe(2);
    expect(msgs[1]!.body.readUInt32BE(2)).toBe(25);
    c.send(fe.bind('', 's', ['a', 'b']), fe.execute(''), fe.sync());
    expect(rows(await c.until('Z'))).toEqual([['a-b']]);
    await c.end();
  });

  it('suspends a portal at the row limit and resumes it', async () => {
    const c = await RawClient.connect(port);
    c.send(fe.query('begin'));
    await c.until('Z');
    c.send(
      fe.parse('', 'select g from generate_series(1, 7) g'),
      fe.bind('cur', ''),
      fe.execute('cur', 3),
      fe.execute('cur', 3),
      fe.execute('cur', 3),
      fe.execute('cur', 3),
      fe.sync(),
    );
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('12DDDsDDDsDCCZ');
    expect(rows(msgs).flat()).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    const tags = msgs.filter((m) => m.type === 'C').map((m) => m.body.toString('utf8', 0, m.body.length - 1));
    expect(tags).toEqual(['SELECT 1', 'SELECT 0']);
    expect(status(msgs)).toBe('T');
    await c.query('commit');
    await c.end();
  });

  it('discards messages after an error until Sync, then recovers', async () => {
    const c = await RawClient.connect(port);
    c.send(
      fe.parse('', 'select nope from clients'),
      fe.bind('', ''),
      fe.execute(''),
      fe.parse('', 'select 1'),
      fe.bind('', ''),
      fe.execute(''),
      fe.sync(),
      fe.parse('', 'select 2'),
      fe.bind('', ''),
      fe.execute(''),
      fe.sync(),
    );
    const first = await c.until('Z');
    // Planning happens at Bind/Execute here (PostgreSQL would already fail the Parse).
    expect(types(first)).toBe('12EZ');
    expect(errorFields(first[2]!.body).C).toBe('42703');
    const second = await c.until('Z');
    expect(types(second)).toBe('12DCZ');
    expect(rows(second)).toEqual([['2']]);
    await c.end();
  });

  it('answers pipelined statements strictly in order', async () => {
    const c = await RawClient.connect(port);
    const parts: Buffer[] = [];
    for (let i = 0; i < 20; i++) {
      // Alternate a slow-ish query and a trivial one; answers must not overtake each other.
      const sql = i % 2 === 0 ? `select count(*) + ${i} from generate_series(1, 20000)` : `select ${i}`;
      parts.push(fe.parse('', sql), fe.bind('', ''), fe.execute(''), fe.sync());
    }
    c.send(...parts);
    const got: string[] = [];
    for (let i = 0; i < 20; i++) {
      const msgs = await c.until('Z');
      expect(types(msgs)).toBe('12DCZ');
      got.push(rows(msgs)[0]![0]!);
    }
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => String(i % 2 === 0 ? 20000 + i : i)));
    await c.end();
  });

  it('keeps named statements, refuses duplicates, closes and deallocates them', async () => {
    const c = await RawClient.connect(port);
    c.send(fe.parse('st', 'select $1::int * 2'), fe.parse('st', 'select 1'), fe.sync());
    const dup = await c.until('Z');
    expect(types(dup)).toBe('1EZ');
    expect(errorFields(dup[1]!.body).C).toBe('42P05');
    for (const v of ['1', '2', '3']) {
      c.send(fe.bind('', 'st', [v]), fe.execute(''), fe.sync());
      expect(rows(await c.until('Z'))).toEqual([[String(Number(v) * 2)]]);
    }
    c.send(fe.close('S', 'st'), fe.sync());
    expect(types(await c.until('Z'))).toBe('3Z');
    c.send(fe.bind('', 'st', ['1']), fe.sync());
    const gone = await c.until('Z');
    expect(errorFields(gone[0]!.body).C).toBe('26000');
    c.send(fe.parse('other', 'select 1'), fe.sync());
    await c.until('Z');
    const dealloc = await c.query('deallocate other');
    expect(dealloc[0]!.body.toString('utf8', 0, 10)).toBe('DEALLOCATE');
    c.send(fe.describe('S', 'other'), fe.sync());
    expect(errorFields((await c.until('Z'))[0]!.body).C).toBe('26000');
    await c.end();
  });

  it('checks Bind: parameter count, portal and statement names, format codes', async () => {
    const c = await RawClient.connect(port);
    c.send(fe.parse('', 'select $1::int'), fe.bind('', '', []), fe.sync());
    const m = await c.until('Z');
    expect(errorFields(m[1]!.body)).toMatchObject({ C: '08P01' });
    expect(errorFields(m[1]!.body).M).toContain('supplies 0 parameters');
    c.send(fe.parse('', 'select $1', [23]), fe.bind('', '', ['x']), fe.sync());
    expect(errorFields((await c.until('Z'))[1]!.body).C).toBe('22P02');
    // A cast on the parameter types it, as in PostgreSQL, so the bad value fails at Bind.
    c.send(fe.parse('', 'select $1::int'), fe.bind('', '', ['x']), fe.execute(''), fe.sync());
    expect(errorFields((await c.until('Z'))[1]!.body).C).toBe('22P02');
    c.send(fe.parse('', "select $1 || 'x'"), fe.bind('', '', ['x']), fe.execute(''), fe.sync());
    expect(types(await c.until('Z'))).toBe('12DCZ');
    c.send(fe.execute('missing'), fe.sync());
    expect(errorFields((await c.until('Z'))[0]!.body).C).toBe('34000');
    c.send(fe.parse('', 'select 1; select 2'), fe.sync());
    expect(errorFields((await c.until('Z'))[0]!.body).C).toBe('42601');
    await c.end();
  });

  it('describes utility statements as NoData and runs SET through the session', async () => {
    const c = await RawClient.connect(port);
    c.send(
      fe.parse('', "set application_name = 'ext'"),
      fe.bind('', ''),
      fe.describe('P', ''),
      fe.execute(''),
      fe.sync(),
    );
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('12nSCZ');
    c.send(
      fe.parse('', 'show application_name'),
      fe.bind('', ''),
      fe.describe('P', ''),
      fe.execute(''),
      fe.sync(),
    );
    expect(rows(await c.until('Z'))).toEqual([['ext']]);
    c.send(fe.parse('', ''), fe.bind('', ''), fe.describe('P', ''), fe.execute(''), fe.sync());
    expect(types(await c.until('Z'))).toBe('12nIZ');
    await c.end();
  });

  it('sends notices and answers Flush without Sync', async () => {
    const c = await RawClient.connect(port);
    c.send(fe.parse('', 'begin'), fe.bind('', ''), fe.execute(''), fe.flush());
    const msgs = await c.until('C');
    expect(types(msgs)).toBe('12NC');
    expect(errorFields(msgs[2]!.body)).toMatchObject({ S: 'NOTICE', C: '00000' });
    c.send(fe.sync());
    expect(status(await c.until('Z'))).toBe('T');
    await c.end();
  });
});
