import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { SqlError } from '../../src/errors.js';
import type { CopyInSink } from '../../src/server/backend.js';
import { CopyInDecoder, parseCopy } from '../../src/server/copy.js';
import { createPgServer, engineBackend, type PgServer, type QueryBackend } from '../../src/server/index.js';
import { fixture } from '../engine/fixture.js';
import { postgresUnavailable, startTempPostgres, type TempPostgres } from '../support/postgres.js';
import { clientUnavailable, PYTHON, runs } from './harness.js';
import { errorFields, fe, RawClient, types } from './raw-client.js';

// COPY … FROM STDIN through a backend with a `copyIn` sink (the seam the write support plugs into):
// the protocol, the decoding of text and CSV data, and failures that leave the connection usable.

interface Copied {
  table: string;
  columns: readonly string[];
  rows: (string | null)[][];
  outcome: 'open' | 'ended' | string;
}

const copies: Copied[] = [];
const last = (): Copied => copies[copies.length - 1]!;

const TABLE_COLUMNS: Record<string, string[]> = {
  tasks: ['id', 'name', 'project_id', 'complete', 'due_date', 'priority'],
  notes: ['id', 'body'],
};

let server: PgServer;
let port: number;
let pgsql: TempPostgres | null = null;
const noPostgres = postgresUnavailable();
const noPsql = clientUnavailable(
  'psql',
  () => runs('psql', ['--version']),
  'apt-get install postgresql-client',
);

beforeAll(async () => {
  const { catalog } = fixture();
  const inner = engineBackend(createEngine({ catalog }));
  const backend: QueryBackend = {
    ...inner,
    async copyIn(target) {
      const all = TABLE_COLUMNS[target.table];
      if (!all) throw new SqlError('42P01', `relation "${target.table}" does not exist`);
      const c: Copied = { table: target.table, columns: target.columns ?? all, rows: [], outcome: 'open' };
      copies.push(c);
      const sink: CopyInSink = {
        columns: c.columns,
        write: (rows) => {
          c.rows.push(...rows);
        },
        end: async () => {
          c.outcome = 'ended';
          return c.rows.length;
        },
        abort: (reason) => {
          c.outcome = `aborted: ${reason}`;
        },
      };
      return sink;
    },
  };
  server = await createPgServer({ host: '127.0.0.1', port: 0, openSession: () => ({ backend }) });
  port = server.port;
  if (!noPostgres) pgsql = await startTempPostgres();
}, 60_000);
afterAll(async () => {
  await server.close();
  await pgsql?.close();
});

const tag = (msgs: { type: string; body: Buffer }[]): string | null => {
  const c = msgs.find((m) => m.type === 'C');
  return c ? c.body.toString('utf8', 0, c.body.length - 1) : null;
};

describe('COPY FROM STDIN over the simple protocol', () => {
  it('answers CopyInResponse, takes CopyData split anywhere (even inside a UTF-8 character), ends with COPY n', async () => {
    const c = await RawClient.connect(port);
    c.send(fe.query('COPY notes FROM STDIN'));
    const g = await c.next();
    expect(g?.type).toBe('G');
    expect(g!.body.toString('hex')).toBe('0000020000' + '0000');
    const data = Buffer.from('1\tünï\\tcode\n2\t\\N\n3\t\\\\N\n', 'utf8');
    // Split in the middle of ü's two bytes and of a line.
    c.send(
      fe.raw('d', data.subarray(0, 3)),
      fe.raw('d', data.subarray(3, 11)),
      fe.raw('d', data.subarray(11)),
    );
    c.send(fe.raw('c', Buffer.alloc(0)));
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('CZ');
    expect(tag(msgs)).toBe('COPY 3');
    expect(last().rows).toEqual([
      ['1', 'ünï\tcode'],
      ['2', null],
      ['3', '\\N'],
    ]);
    expect(last().outcome).toBe('ended');
    await c.end();
  });

  it('fails on CopyFail with 57014, aborts the sink and stays usable', async () => {
    const c = await RawClient.connect(port);
    c.send(fe.query('COPY notes (id, body) FROM STDIN (FORMAT csv)'));
    expect((await c.next())?.type).toBe('G');
    c.send(fe.raw('d', Buffer.from('1,a\n')), fe.raw('f', Buffer.from('user gave up\0')));
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('EZ');
    expect(errorFields(msgs[0]!.body)).toMatchObject({
      C: '57014',
      M: 'COPY from stdin failed: user gave up',
    });
    expect(last().outcome).toMatch(/^aborted/);
    expect(types(await c.query('select 1'))).toBe('TDCZ');
    await c.end();
  });

  it('reports bad data with 22P04 and its line, drops the rest of the data, stays usable', async () => {
    const c = await RawClient.connect(port);
    c.send(fe.query('COPY notes FROM STDIN'));
    expect((await c.next())?.type).toBe('G');
    c.send(fe.raw('d', Buffer.from('1\ta\n2\tb\textra\n')));
    const msgs = await c.until('Z');
    expect(errorFields(msgs[0]!.body)).toMatchObject({
      C: '22P04',
      M: 'extra data after last expected column',
      D: 'COPY line 2',
    });
    expect(last().outcome).toMatch(/^aborted/);
    // The client did not see the error yet and sends the rest: it is dropped.
    c.send(fe.raw('d', Buffer.from('3\tc\n')), fe.raw('c', Buffer.alloc(0)));
    expect(types(await c.query('select 2'))).toBe('TDCZ');
    await c.end();
  });

  it('refuses unknown tables before any data and binary format, and needs a backend copyIn', async () => {
    const c = await RawClient.connect(port);
    expect(errorFields((await c.query('COPY nowhere FROM STDIN'))[0]!.body)).toMatchObject({ C: '42P01' });
    expect(errorFields((await c.query('COPY notes FROM STDIN (FORMAT binary)'))[0]!.body).C).toBe('0A000');
    await c.end();
    const plain = await createPgServer({
      host: '127.0.0.1',
      port: 0,
      // A backend without copyIn (only stream): the connection itself refuses.
      openSession: () => ({
        backend: { stream: engineBackend(createEngine({ catalog: fixture().catalog })).stream },
      }),
    });
    const p = await RawClient.connect(plain.port);
    const e = errorFields((await p.query('COPY tasks FROM STDIN'))[0]!.body);
    expect(e).toMatchObject({ C: '0A000', M: 'COPY FROM STDIN is not supported yet' });
    await p.end();
    await plain.close();
  });
});

function psql(
  args: string[],
  cwd: string,
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      'psql',
      [`host=127.0.0.1 port=${port} user=u dbname=d`, '-X', '-v', 'ON_ERROR_STOP=1', ...args],
      { cwd, env: { ...process.env, PGCONNECT_TIMEOUT: '5' }, timeout: 20_000 },
      (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }),
    );
    child.stdin?.end(input ?? '');
  });
}

describe.skipIf(noPsql)("psql's \\copy … from", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'paymo-copy-in-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports a CSV file with a header, quoted commas, quotes and line breaks', async () => {
    writeFileSync(
      join(dir, 'in.csv'),
      'id,name\n1,"Design, phase 2"\n2,"say ""hi"""\n3,"two\nlines"\n4,\n5,""\n',
    );
    const r = await psql(['-c', "\\copy tasks (id, name) from 'in.csv' csv header"], dir);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('COPY 5\n');
    expect(last().columns).toEqual(['id', 'name']);
    expect(last().rows).toEqual([
      ['1', 'Design, phase 2'],
      ['2', 'say "hi"'],
      ['3', 'two\nlines'],
      ['4', null],
      ['5', ''],
    ]);
  });

  it('imports text-format rows typed on stdin up to \\.', async () => {
    const r = await psql(['-c', '\\copy notes from stdin'], dir, '7\tfirst\\nline\n8\t\\N\n\\.\n');
    expect(r.stderr).toBe('');
    expect(last().rows).toEqual([
      ['7', 'first\nline'],
      ['8', null],
    ]);
  });
});

const noPsycopg3 = clientUnavailable(
  'psycopg 3',
  () => runs(PYTHON, ['-c', 'import psycopg']),
  'apt-get install python3-psycopg',
);

describe.skipIf(noPsycopg3)('psycopg 3 copy.write_row', () => {
  it('streams rows with awkward text into the sink', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        PYTHON,
        [
          '-c',
          `
import os, psycopg
with psycopg.connect(host='127.0.0.1', port=int(os.environ['PORT']), user='u', dbname='d', autocommit=True) as c:
    cur = c.cursor()
    with cur.copy("COPY notes (id, body) FROM STDIN") as cp:
        for i in range(1000):
            cp.write_row((i, None if i % 100 == 0 else f"row {i}\\tü\\\\ 😀\\n"))
    print(cur.statusmessage)
`,
        ],
        { env: { ...process.env, PORT: String(port) }, timeout: 30_000 },
        (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout)),
      ),
    );
    expect(out.trim()).toBe('COPY 1000');
    expect(last().rows).toHaveLength(1000);
    expect(last().rows[0]).toEqual(['0', null]);
    expect(last().rows[7]).toEqual(['7', 'row 7\tü\\ 😀\n']);
  });
});

// The same COPY FROM STDIN data into PostgreSQL 15 (an all-text table) and into our sink: the rows
// PostgreSQL stores are the rows we decode, or both refuse the data with the same SQLSTATE.
const INPUTS: { sql: string; data: string }[] = [
  { sql: 'COPY t FROM STDIN', data: 'a\tb\n\\N\t\\\\N\nx\\ty\t\\101\\x42\\7\\q\r\nlast\tline' },
  { sql: "COPY t FROM STDIN (DELIMITER '|', NULL '')", data: 'a|\n|b\nc\\|d|e\n' },
  { sql: 'COPY t FROM STDIN (FORMAT csv)', data: '"a,b",c\n,""\n"multi\nline","q""uote"\n  x , y \n' },
  { sql: 'COPY t FROM STDIN (FORMAT csv, HEADER)', data: 'h1,h2\n1,2\r\n3,4\r\n' },
  { sql: 'COPY t FROM STDIN (FORMAT csv, HEADER)', data: 'h1,h2\r\n1,2\r\n"3\r\n",4\r\n' },
  { sql: 'COPY t FROM STDIN', data: 'a\tb\r\nc\td\r\n' },
  { sql: 'COPY t FROM STDIN', data: 'a\tb\r\nc\td\n' },
  { sql: 'COPY t FROM STDIN (FORMAT csv)', data: 'a,b\rc\n' },
  { sql: "COPY t FROM STDIN (FORMAT csv, NULL 'NULL', FORCE_NOT_NULL (b))", data: 'NULL,NULL\n"NULL",x\n' },
  { sql: "COPY t FROM STDIN (FORMAT csv, NULL 'NULL', FORCE_NULL (a))", data: '"NULL",NULL\n' },
  { sql: "COPY t FROM STDIN (FORMAT csv, QUOTE '''', ESCAPE '\\')", data: "'it\\'s','a\\\\b'\n" },
  { sql: 'COPY t FROM STDIN (FORMAT csv)', data: 'a,b\n\\.\nignored,after\n' },
  { sql: 'COPY t FROM STDIN', data: 'only-one\n' },
  { sql: 'COPY t FROM STDIN (FORMAT csv)', data: '1,2,3\n' },
  { sql: 'COPY t FROM STDIN (FORMAT csv)', data: '"open,2\n' },
  { sql: 'COPY t FROM STDIN (FORMAT csv, HEADER match)', data: 'a,b\n1,2\n' },
  { sql: 'COPY t FROM STDIN (FORMAT csv, HEADER match)', data: 'a,x\n1,2\n' },
];

async function postgresCopy(
  sql: string,
  data: string,
): Promise<{ rows: (string | null)[][]; error?: string }> {
  const c = pgsql!.client;
  await c.query('DROP TABLE IF EXISTS t; CREATE TABLE t (a text, b text)');
  const raw = await RawClient.connect(pgsql!.port, { user: 'postgres', database: 'postgres' });
  raw.send(fe.query(sql));
  const g = await raw.next();
  let error: string | undefined;
  if (g?.type === 'G') {
    raw.send(fe.raw('d', Buffer.from(data, 'utf8')), fe.raw('c', Buffer.alloc(0)));
    const msgs = await raw.until('Z');
    const e = msgs.find((m) => m.type === 'E');
    if (e) error = errorFields(e.body).C;
  } else if (g?.type === 'E') {
    error = errorFields(g.body).C;
    await raw.until('Z');
  }
  await raw.end();
  const rows = (await c.query({ text: 'SELECT a, b FROM t', rowMode: 'array' })).rows as (string | null)[][];
  return error ? { rows: [], error } : { rows };
}

function ourCopy(sql: string, data: string): { rows: (string | null)[][]; error?: string } {
  try {
    const d = new CopyInDecoder(parseCopy(sql).options, ['a', 'b']);
    const bytes = Buffer.from(data, 'utf8');
    // Byte-at-a-time: every split point must decode the same.
    const rows: (string | null)[][] = [];
    for (let i = 0; i < bytes.length; i++) rows.push(...d.push(bytes.subarray(i, i + 1)));
    rows.push(...d.finish());
    return { rows };
  } catch (e) {
    return { rows: [], error: (e as { code?: string }).code ?? String(e) };
  }
}

describe.skipIf(noPostgres)('COPY FROM STDIN decoding against PostgreSQL 15', () => {
  it.each(INPUTS)('$sql: $data', async ({ sql, data }) => {
    expect(ourCopy(sql, data)).toEqual(await postgresCopy(sql, data));
  });
});
