import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionInfo, PgServer } from '../../src/server/index.js';
import { createPgServer, engineBackend } from '../../src/server/index.js';
import { ScramServer, scramVerifier } from '../../src/server/scram.js';
import { fixture } from '../engine/fixture.js';
import { clientUnavailable, eventually, runs, type SlowSource, startServer } from './harness.js';

const noPsql = clientUnavailable(
  'psql',
  () => runs('psql', ['--version']),
  'apt-get install postgresql-client',
);
const noOpenssl = clientUnavailable('openssl', () => runs('openssl', ['version']), 'apt-get install openssl');

interface PsqlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs psql asynchronously (the server lives in this process, so a sync spawn would deadlock). */
function psql(conn: string, args: string[], env: Record<string, string> = {}): Promise<PsqlResult> {
  return new Promise((resolve) => {
    execFile(
      'psql',
      [conn, '-X', '-v', 'ON_ERROR_STOP=1', ...args],
      { env: { ...process.env, PGCONNECT_TIMEOUT: '5', ...env }, timeout: 20_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let server: PgServer;
let port: number;
let slow: SlowSource;

beforeAll(async () => {
  ({ server, port, slow } = await startServer());
});
afterAll(async () => {
  await server.close();
});

describe('node pg', () => {
  it('runs simple queries, typed results and non-ASCII text', async () => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'u', database: 'd' });
    await c.connect();
    const r = await c.query('select id, name, created_on, active from clients order by id');
    expect(r.rows[1]).toEqual({ id: '2', name: 'Ærø Design', created_on: expect.any(Date), active: true });
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([20, 25, 1082, 16]);
    const j = await c.query(
      'select meta, tags from entries, projects where entries.id = 1000 and projects.id = 10',
    );
    expect(j.rows[0]).toEqual({ meta: { source: 'timer', tags: ['a'] }, tags: ['web', 'design'] });
    const u = await c.query("select 'Ωmega ✓ 😀' as s, 'x' as t");
    expect(u.rows[0]).toEqual({ s: 'Ωmega ✓ 😀', t: 'x' });
    await c.end();
  });

  it('runs parameterized and named prepared statements many times', async () => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'u', database: 'd' });
    await c.connect();
    expect((await c.query('select $1::int + 1 as x, $2 as t', [41, 'héllo'])).rows).toEqual([
      { x: 42, t: 'héllo' },
    ]);
    for (let i = 0; i < 12; i++) {
      const r = await c.query({
        name: 'by_project',
        text: 'select count(*) as n from tasks where project_id = $1',
        values: [10 + (i % 3)],
      });
      expect(r.rows[0].n).toBe(['3', '2', '2'][i % 3]);
    }
    expect((await c.query('select $1::text is null as n', [null])).rows).toEqual([{ n: true }]);
    await expect(c.query('select * from nowhere')).rejects.toMatchObject({ code: '42P01' });
    expect((await c.query('select 1 as ok')).rows).toEqual([{ ok: 1 }]);
    await c.end();
  });

  it('reads binary results through a custom type parser', async () => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'u', database: 'd' });
    await c.connect();
    const seen: string[] = [];
    const r = await c.query({
      text: 'select priority, name from tasks where id = 101',
      binary: true,
      queryMode: 'extended',
      types: {
        getTypeParser: ((oid: number, format: string) => (v: Buffer | string) => {
          seen.push(`${oid}:${format}`);
          const b = Buffer.isBuffer(v) ? v : Buffer.from(v);
          return oid === 23 ? b.readInt32BE(0) : b.toString('utf8');
        }) as never,
      },
    } as pg.QueryConfig);
    expect(r.rows[0]).toEqual({ priority: 2, name: 'Build frontend' });
    expect(seen).toEqual(['23:binary', '25:binary']);
    await c.end();
  });
});

describe.skipIf(noPsql)('psql', () => {
  const conn = () => `host=127.0.0.1 port=${port} user=u dbname=d sslmode=prefer`;

  it('connects with the default sslmode (SSLRequest answered N) and round-trips non-ASCII text', async () => {
    const r = await psql(conn(), [
      '-At',
      '-c',
      'select name from clients where id in (2, 3, 5) order by id',
      '-c',
      "select 'ünïcödé ✓'",
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('Ærø Design\nZürich AG\nΩmega\nünïcödé ✓\n');
  });

  it('prints an error with its SQLSTATE under VERBOSITY verbose', async () => {
    const r = await psql(conn(), ['-c', '\\set VERBOSITY verbose', '-c', 'select nope from clients']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/ERROR: {2}42703: column "?nope"? does not exist/);
  });

  it('runs a multi-statement script and transaction commands', async () => {
    const r = await psql(conn(), ['-At', '-c', 'begin; select count(*) from tasks; commit; show datestyle']);
    expect(r.stdout.trim().split('\n')).toEqual(['BEGIN', '9', 'COMMIT', 'ISO, MDY']);
    expect(r.stderr).toContain('NOTICE');
  });

  it('cancels a long query on Ctrl-C and the scan stops', async () => {
    const before = slow.batches;
    const child = spawn('psql', [conn(), '-X', '-c', 'select count(*) from slow'], {
      env: { ...process.env, PGCONNECT_TIMEOUT: '5' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    expect(await eventually(() => slow.batches > before + 5)).toBe(true);
    child.kill('SIGINT');
    const code = await exited;
    expect(code).not.toBe(0);
    expect(stderr).toContain('canceling statement due to user request');
    expect(await eventually(() => slow.active === 0)).toBe(true);
    const stopped = slow.batches;
    await new Promise((r) => setTimeout(r, 100));
    expect(slow.batches).toBe(stopped);
  });
});

describe('SCRAM-SHA-256', () => {
  it('matches the RFC 7677 test vector', () => {
    const v = scramVerifier('pencil', 4096, Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'));
    const s = new ScramServer(v, '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0');
    expect(s.first('n,,n=user,r=rOprNGfwEbeRWgbNEkqO')).toBe(
      'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    );
    expect(
      s.final(
        'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
      ),
    ).toBe('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  });

  let scram: PgServer;
  beforeAll(async () => {
    ({ server: scram } = await startServer({ auth: { method: 'scram-sha-256', password: 's3cret' } }));
  });
  afterAll(async () => {
    await scram.close();
  });

  it('lets node pg in with the right password and refuses a wrong one with 28P01', async () => {
    const ok = new pg.Client({
      host: '127.0.0.1',
      port: scram.port,
      user: 'u',
      database: 'd',
      password: 's3cret',
    });
    await ok.connect();
    expect((await ok.query('select 1 as x')).rows).toEqual([{ x: 1 }]);
    await ok.end();
    const bad = new pg.Client({
      host: '127.0.0.1',
      port: scram.port,
      user: 'u',
      database: 'd',
      password: 'nope',
    });
    await expect(bad.connect()).rejects.toMatchObject({ code: '28P01' });
  });

  it.skipIf(noPsql)('lets psql in with the right password and refuses a wrong one', async () => {
    const conn = `host=127.0.0.1 port=${scram.port} user=u dbname=d`;
    const ok = await psql(conn, ['-At', '-c', 'select 7'], { PGPASSWORD: 's3cret' });
    expect(ok.stdout).toBe('7\n');
    const bad = await psql(conn, ['-At', '-c', 'select 7'], { PGPASSWORD: 'wrong' });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('password authentication failed for user "u"');
  });
});

describe('password callback (API key as password)', () => {
  it('hands the password to the callback and its result to openSession', async () => {
    const { engine } = fixture();
    const opened: ConnectionInfo[] = [];
    const s = await createPgServer({
      port: 0,
      auth: {
        method: 'password',
        check: (user, password) => (password.startsWith('key-') ? { account: `${user}@${password}` } : false),
      },
      openSession: (info) => {
        opened.push(info);
        return { backend: engineBackend(engine) };
      },
    });
    try {
      const c = new pg.Client({
        host: '127.0.0.1',
        port: s.port,
        user: 'ann',
        database: 'paymo',
        password: 'key-123',
      });
      await c.connect();
      expect((await c.query('select 1 as x')).rows).toEqual([{ x: 1 }]);
      await c.end();
      expect(opened[0]).toMatchObject({
        user: 'ann',
        database: 'paymo',
        credentials: { account: 'ann@key-123' },
      });
      const bad = new pg.Client({ host: '127.0.0.1', port: s.port, user: 'ann', password: 'wrong' });
      await expect(bad.connect()).rejects.toMatchObject({ code: '28P01' });
    } finally {
      await s.close();
    }
  });

  it('refuses to listen beyond loopback without authentication', async () => {
    await expect(
      createPgServer({
        host: '0.0.0.0',
        port: 0,
        openSession: () => ({ backend: engineBackend(fixture().engine) }),
      }),
    ).rejects.toThrow(/without authentication/);
  });
});

describe.skipIf(noOpenssl)('TLS', () => {
  let dir: string;
  let tlsServer: PgServer;
  const infos: ConnectionInfo[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paymo-sql-tls-'));
    await new Promise<void>((resolve, reject) =>
      execFile(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
        ],
        (err) => (err ? reject(err) : resolve()),
      ),
    );
    const { engine } = fixture();
    tlsServer = await createPgServer({
      port: 0,
      tls: {
        cert: readFileSync(join(dir, 'cert.pem')),
        key: readFileSync(join(dir, 'key.pem')),
        required: true,
      },
      auth: { method: 'scram-sha-256', password: 'pw' },
      openSession: (info) => {
        infos.push(info);
        return { backend: engineBackend(engine) };
      },
    });
  });
  afterAll(async () => {
    await tlsServer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('upgrades node pg to TLS after SSLRequest and authenticates inside it', async () => {
    const c = new pg.Client({
      host: '127.0.0.1',
      port: tlsServer.port,
      user: 'u',
      password: 'pw',
      ssl: { rejectUnauthorized: false },
    });
    await c.connect();
    expect((await c.query("select 'tls ✓' as x")).rows).toEqual([{ x: 'tls ✓' }]);
    await c.end();
    expect(infos.at(-1)!.tls).toBe(true);
  });

  it.skipIf(noPsql)('serves psql with sslmode=require and refuses sslmode=disable', async () => {
    const conn = `host=127.0.0.1 port=${tlsServer.port} user=u dbname=d`;
    const ok = await psql(`${conn} sslmode=require`, ['-At', '-c', 'select 5'], { PGPASSWORD: 'pw' });
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe('5\n');
    const plain = await psql(`${conn} sslmode=disable`, ['-At', '-c', 'select 5'], { PGPASSWORD: 'pw' });
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toContain('requires TLS');
  });
});
