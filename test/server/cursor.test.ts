import { execFile, spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeclare, parseFetch } from '../../src/server/cursors.js';
import type { PgServer } from '../../src/server/index.js';
import { fixtureSql } from '../engine/fixture.js';
import { postgresUnavailable, startTempPostgres, type TempPostgres } from '../support/postgres.js';
import { clientUnavailable, eventually, runs, type SlowSource, startServer } from './harness.js';
import {
  type BackendMessage,
  dataRow,
  errorFields,
  fe,
  RawClient,
  rowDescription,
  textRow,
  types,
} from './raw-client.js';

let server: PgServer;
let port: number;
let slow: SlowSource;
let pgsql: TempPostgres | null = null;
const noPostgres = postgresUnavailable();

beforeAll(async () => {
  ({ server, port, slow } = await startServer());
  if (!noPostgres) {
    pgsql = await startTempPostgres();
    await pgsql.client.query(fixtureSql());
  }
}, 60_000);
afterAll(async () => {
  await server.close();
  await pgsql?.close();
});

const client = async (): Promise<pg.Client> => {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'u', database: 'd' });
  await c.connect();
  return c;
};

/** Per statement of a simple query: its tag, text rows and error code. */
interface Step {
  readonly tag: string | null;
  readonly rows: (string | null)[][];
  readonly error: string | null;
}

function steps(msgs: readonly BackendMessage[]): Step[] {
  const out: Step[] = [];
  let rows: (string | null)[][] = [];
  for (const m of msgs) {
    if (m.type === 'D') rows.push(textRow(m.body));
    else if (m.type === 'C') {
      out.push({ tag: m.body.toString('utf8', 0, m.body.length - 1), rows, error: null });
      rows = [];
    } else if (m.type === 'E') {
      out.push({ tag: null, rows, error: errorFields(m.body).C! });
      rows = [];
    }
  }
  return out;
}

/** Runs each statement as its own simple query; returns one Step per statement. */
async function script(p: number, statements: readonly string[]): Promise<Step[]> {
  const c = await RawClient.connect(p, { user: 'postgres', database: 'postgres' });
  const out: Step[] = [];
  for (const s of statements) out.push(...steps(await c.query(s)));
  await c.end();
  return out;
}

describe('cursors with node pg', () => {
  it('DECLARE, FETCH n / NEXT / ALL, MOVE, CLOSE inside a transaction', async () => {
    const c = await client();
    await c.query('BEGIN');
    const d = await c.query('DECLARE c1 CURSOR FOR SELECT id, name FROM tasks ORDER BY id');
    expect(d.command).toBe('DECLARE');
    const f = await c.query('FETCH 2 FROM c1');
    expect(f.command).toBe('FETCH');
    expect(f.rowCount).toBe(2);
    expect(f.rows).toEqual([
      { id: '100', name: 'Design mockups' },
      { id: '101', name: 'Build frontend' },
    ]);
    expect((await c.query('FETCH NEXT FROM c1')).rows).toEqual([{ id: '102', name: 'QA' }]);
    const m = await c.query('MOVE FORWARD 2 IN c1');
    expect([m.command, m.rowCount]).toEqual(['MOVE', 2]);
    const all = await c.query('FETCH ALL c1');
    expect(all.rows.map((r) => r.id)).toEqual(['105', '106', '107', '108']);
    expect((await c.query('FETCH c1')).rowCount).toBe(0);
    expect((await c.query('CLOSE c1')).command).toBe('CLOSE');
    await expect(c.query('FETCH c1')).rejects.toMatchObject({ code: '34000' });
    await c.query('ROLLBACK');
    await c.end();
  });

  it('refuses DECLARE outside a transaction block unless WITH HOLD; COMMIT keeps only holdable cursors', async () => {
    const c = await client();
    await expect(c.query('DECLARE c CURSOR FOR SELECT 1')).rejects.toMatchObject({ code: '25P01' });
    await c.query('DECLARE h CURSOR WITH HOLD FOR SELECT id FROM clients ORDER BY id');
    await c.query('BEGIN');
    await c.query('DECLARE t CURSOR FOR SELECT 1');
    await expect(c.query('DECLARE t CURSOR FOR SELECT 2')).rejects.toMatchObject({ code: '42P03' });
    await c.query('COMMIT');
    await expect(c.query('FETCH t')).rejects.toMatchObject({ code: '34000' });
    expect((await c.query('FETCH 2 FROM h')).rows).toEqual([{ id: '1' }, { id: '2' }]);
    // A holdable cursor declared in a transaction that rolls back goes with it.
    await c.query('BEGIN');
    await c.query('DECLARE h2 CURSOR WITH HOLD FOR SELECT 1');
    await c.query('ROLLBACK');
    await expect(c.query('FETCH h2')).rejects.toMatchObject({ code: '34000' });
    expect((await c.query('FETCH h')).rows).toEqual([{ id: '3' }]);
    await c.query('CLOSE ALL');
    await expect(c.query('FETCH h')).rejects.toMatchObject({ code: '34000' });
    await c.end();
  });

  it('lets several statements in one query form the implicit block a cursor needs', async () => {
    const c = await RawClient.connect(port);
    const s = steps(await c.query('DECLARE i CURSOR FOR SELECT id FROM clients ORDER BY id; FETCH 2 FROM i'));
    expect(s.map((x) => x.tag)).toEqual(['DECLARE CURSOR', 'FETCH 2']);
    // …and the cursor ends with it.
    expect(steps(await c.query('FETCH i'))[0]!.error).toBe('34000');
    await c.end();
  });

  it('reads the stream it started, never re-running the query, and stops the scan on CLOSE', async () => {
    const c = await client();
    await c.query('BEGIN');
    await c.query('DECLARE s CURSOR FOR SELECT n FROM slow');
    const first = await c.query('FETCH 150 FROM s');
    expect(first.rows.at(-1)).toEqual({ n: '149' });
    const second = await c.query('FETCH 150 FROM s');
    expect(second.rows[0]).toEqual({ n: '150' });
    expect(second.rows.at(-1)).toEqual({ n: '299' });
    // Three batches of 100 cover 300 rows; a restart or a full read would show many more.
    expect(slow.batches).toBeLessThan(10);
    expect(slow.active).toBe(1);
    await c.query('CLOSE s');
    expect(await eventually(() => slow.active === 0)).toBe(true);
    await c.query('COMMIT');
    await c.end();
  });

  it('cancels a FETCH that waits on a slow scan, and the transaction needs a ROLLBACK', async () => {
    const c = await client();
    await c.query('BEGIN');
    await c.query('DECLARE s CURSOR FOR SELECT count(*) FROM slow');
    await c.query("SET statement_timeout = '150ms'");
    await expect(c.query('FETCH ALL FROM s')).rejects.toMatchObject({ code: '57014' });
    expect(await eventually(() => slow.active === 0)).toBe(true);
    await expect(c.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
    await c.query('ROLLBACK');
    expect((await c.query('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
    await c.end();
  });

  it('accepts SAVEPOINT, RELEASE and ROLLBACK TO, which recovers a failed transaction', async () => {
    const c = await client();
    await expect(c.query('SAVEPOINT a')).rejects.toMatchObject({ code: '25P01' });
    await c.query('BEGIN');
    await c.query('SAVEPOINT a');
    await c.query('SAVEPOINT "B"');
    await c.query('RELEASE SAVEPOINT "B"');
    await expect(c.query('RELEASE b')).rejects.toMatchObject({ code: '3B001' });
    await c.query('ROLLBACK TO SAVEPOINT a');
    await expect(c.query('SELECT * FROM nowhere')).rejects.toMatchObject({ code: '42P01' });
    await expect(c.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
    await c.query('ROLLBACK TO a');
    expect((await c.query('SELECT 2 AS x')).rows).toEqual([{ x: 2 }]);
    await c.query('COMMIT');
    await c.end();
  });
});

const noPsql = clientUnavailable(
  'psql',
  () => runs('psql', ['--version']),
  'apt-get install postgresql-client',
);

describe.skipIf(noPsql)('psql with FETCH_COUNT (it reads every result through a cursor)', () => {
  const args = (sql: string) => [
    `host=127.0.0.1 port=${port} user=u dbname=d`,
    '-X',
    '-At',
    '-v',
    'FETCH_COUNT=3',
    '-c',
    sql,
  ];

  it('prints every row, fetched three at a time', async () => {
    const out = await new Promise<{ stdout: string; stderr: string }>((resolve) =>
      execFile('psql', args('select id, name from tasks order by id'), (_e, stdout, stderr) =>
        resolve({ stdout, stderr }),
      ),
    );
    // psql wraps the cursor in BEGIN … COMMIT; the only message is our NOTICE that Paymo has no transactions.
    expect(out.stderr).not.toMatch(/ERROR/);
    expect(out.stdout.trim().split('\n')).toHaveLength(9);
    expect(out.stdout).toContain('108|Café menu');
  });

  it('stops on Ctrl-C while fetching from an endless table', async () => {
    const before = slow.batches;
    const child = spawn('psql', args('select n from slow'), {
      env: { ...process.env, PGCONNECT_TIMEOUT: '5' },
    });
    child.stdout.resume();
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // psql prints as it fetches, so rows arrive while the scan keeps going.
    expect(await eventually(() => slow.batches > before + 5)).toBe(true);
    child.kill('SIGINT');
    // Between two FETCHes psql just stops and closes the cursor; during one, the FETCH is cancelled.
    const code = await exited;
    if (code !== 0) expect(stderr).toContain('canceling statement due to user request');
    expect(await eventually(() => slow.active === 0)).toBe(true);
  });
});

describe('cursors over the extended protocol', () => {
  it('declares with bound parameters and FETCH describes its cursor columns', async () => {
    const c = await RawClient.connect(port);
    expect(types(await c.query('BEGIN'))).toBe('NCZ');
    c.send(
      fe.parse(
        '',
        'DECLARE c2 CURSOR FOR SELECT id, name FROM tasks WHERE ((project_id = $1::bigint)) ORDER BY id',
      ),
      fe.bind('', '', ['10']),
      fe.describe('P', ''),
      fe.execute(''),
      fe.sync(),
    );
    const d = await c.until('Z');
    expect(types(d)).toBe('12nCZ');
    c.send(
      fe.parse('f', 'FETCH 2 FROM c2'),
      fe.describe('S', 'f'),
      fe.bind('', 'f'),
      fe.execute(''),
      fe.sync(),
    );
    const f = await c.until('Z');
    expect(types(f)).toBe('1tT2DDCZ');
    expect(f.filter((m) => m.type === 'D').map((m) => textRow(m.body))).toEqual([
      ['100', 'Design mockups'],
      ['101', 'Build frontend'],
    ]);
    // A row limit suspends the FETCH portal like any other.
    c.send(fe.bind('', 'f'), fe.execute('', 1), fe.execute('', 1), fe.sync());
    const g = await c.until('Z');
    expect(types(g)).toBe('2DsCZ');
    expect(g.filter((m) => m.type === 'C').map((m) => m.body.toString('utf8', 0, m.body.length - 1))).toEqual(
      ['FETCH 0'],
    );
    await c.query('COMMIT');
    await c.end();
  });
});

describe('cursor statement parsing', () => {
  it('reads DECLARE options and FETCH directions', () => {
    expect(parseDeclare('DECLARE "C" BINARY NO SCROLL CURSOR WITH HOLD FOR select 1')).toMatchObject({
      name: 'C',
      binary: true,
      scroll: false,
      hold: true,
      query: 'select 1',
    });
    expect(parseDeclare('declare c1 cursor for\n  SELECT id FROM t').queryOffset).toBe(24);
    expect(parseFetch('FETCH 100 FROM c1')).toEqual({
      move: false,
      name: 'c1',
      direction: { kind: 'forward', count: 100 },
    });
    expect(parseFetch('fetch c1').direction).toEqual({ kind: 'forward', count: 1 });
    expect(parseFetch('FETCH BACKWARD ALL IN c1').direction).toEqual({ kind: 'backward', count: Infinity });
    expect(parseFetch('FETCH -3 c1').direction).toEqual({ kind: 'backward', count: 3 });
    expect(parseFetch('MOVE ABSOLUTE -1 FROM "x y"')).toEqual({
      move: true,
      name: 'x y',
      direction: { kind: 'absolute', position: -1 },
    });
    expect(() => parseFetch('FETCH FROM')).toThrow();
    expect(() => parseFetch('FETCH 1 2 c')).toThrow();
  });
});

// The same cursor scripts on paymo-sql and PostgreSQL 15 over the same rows: tags, rows and errors.
const SCRIPTS: Record<string, string[]> = {
  scroll: [
    'BEGIN',
    'DECLARE c SCROLL CURSOR FOR SELECT id, name FROM tasks ORDER BY id',
    'FETCH 3 FROM c',
    'FETCH BACKWARD 1 FROM c',
    'FETCH PRIOR FROM c',
    'FETCH PRIOR FROM c',
    'FETCH PRIOR FROM c',
    'FETCH NEXT FROM c',
    'FETCH LAST FROM c',
    'FETCH NEXT FROM c',
    'FETCH NEXT FROM c',
    'FETCH PRIOR FROM c',
    'FETCH ABSOLUTE 4 FROM c',
    'FETCH ABSOLUTE -2 FROM c',
    'FETCH RELATIVE -1 FROM c',
    'FETCH RELATIVE 2 FROM c',
    'FETCH RELATIVE 0 FROM c',
    'FETCH FORWARD 0 FROM c',
    'FETCH FIRST FROM c',
    'FETCH FORWARD ALL FROM c',
    'FETCH BACKWARD ALL FROM c',
    'MOVE FORWARD 3 IN c',
    'FETCH 2 FROM c',
    'MOVE LAST IN c',
    'MOVE NEXT IN c',
    'FETCH -2 FROM c',
    'FETCH ABSOLUTE 0 FROM c',
    'FETCH ABSOLUTE 100 FROM c',
    'FETCH RELATIVE -100 FROM c',
    'MOVE BACKWARD ALL IN c',
    'FETCH FORWARD 20 FROM c',
    'CLOSE c',
    'COMMIT',
  ],
  'no scroll': [
    'BEGIN',
    'DECLARE c NO SCROLL CURSOR FOR SELECT id, name FROM clients ORDER BY id',
    'FETCH ABSOLUTE 2 FROM c',
    'FETCH RELATIVE 2 FROM c',
    'MOVE 0 IN c',
    'FETCH 10 FROM c',
    'FETCH 1 FROM c',
    'ROLLBACK',
    'BEGIN',
    'DECLARE c NO SCROLL CURSOR FOR SELECT id FROM clients ORDER BY id',
    'FETCH 2 FROM c',
    'FETCH PRIOR FROM c',
    'ROLLBACK',
    'BEGIN',
    'DECLARE c NO SCROLL CURSOR FOR SELECT id FROM clients ORDER BY id',
    'FETCH 2 FROM c',
    'FETCH ABSOLUTE 1 FROM c',
    'ROLLBACK',
  ],
  'errors and holds': [
    'FETCH nope',
    'CLOSE nope',
    'DECLARE c CURSOR FOR SELECT 1',
    'DECLARE h CURSOR WITH HOLD FOR SELECT id FROM projects ORDER BY id',
    'FETCH 2 FROM h',
    'BEGIN',
    'DECLARE h CURSOR FOR SELECT 1',
    'ROLLBACK',
    'FETCH ALL FROM h',
    'CLOSE h',
    'CLOSE ALL',
    'BEGIN',
    'DECLARE "Mixed" CURSOR FOR SELECT id FROM projects WHERE billable ORDER BY id',
    'FETCH 1 FROM "Mixed"',
    'FETCH 1 FROM mixed',
    'ROLLBACK',
    'SAVEPOINT s',
    'BEGIN',
    'SAVEPOINT s',
    'RELEASE SAVEPOINT s',
    'ROLLBACK TO SAVEPOINT s',
    'COMMIT',
  ],
};

describe.skipIf(noPostgres)('cursors against PostgreSQL 15', () => {
  it.each(Object.keys(SCRIPTS))('%s', async (name) => {
    const statements = SCRIPTS[name]!;
    const ours = await script(port, statements);
    const theirs = await script(pgsql!.port, statements);
    const label = (s: Step[]) => s.map((x, i) => ({ sql: statements[i], ...x }));
    expect(label(ours)).toEqual(label(theirs));
  });

  it('a BINARY cursor fetches binary rows over the simple protocol', async () => {
    const run = async (p: number) => {
      const c = await RawClient.connect(p, { user: 'postgres', database: 'postgres' });
      await c.query('BEGIN');
      await c.query(
        'DECLARE b BINARY CURSOR FOR SELECT id, name, budget, created_at FROM projects ORDER BY id',
      );
      const msgs = await c.query('FETCH 2 FROM b');
      await c.end();
      return msgs
        .filter((m) => m.type === 'D' || m.type === 'T')
        .map((m) =>
          m.type === 'D'
            ? dataRow(m.body).map((v) => v?.toString('hex') ?? null)
            : // Table OID and column number are 0 here on purpose (see writeRowDescription).
              rowDescription(m.body).map(({ name, typeOid, typlen, format }) => ({
                name,
                typeOid,
                typlen,
                format,
              })),
        );
    };
    expect(await run(port)).toEqual(await run(pgsql!.port));
  });
});
