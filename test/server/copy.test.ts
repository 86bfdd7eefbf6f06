import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UTC, zoneByName } from '../../src/catalog/timezone.js';
import type { Row } from '../../src/catalog/types.js';
import { formatTimestamp } from '../../src/catalog/values.js';
import { createEngine } from '../../src/engine.js';
import { CopyEncoder, copyCsvField, copyTextField, parseCopy } from '../../src/server/copy.js';
import { createPgServer, engineBackend, type PgServer } from '../../src/server/index.js';
import { cellTextFn, RowBuffer } from '../../src/server/row-buffer.js';
import { fixture, fixtureSql } from '../engine/fixture.js';
import { MemorySource } from '../engine/memory-source.js';
import { postgresUnavailable, startTempPostgres, type TempPostgres } from '../support/postgres.js';
import { clientUnavailable, eventually, runs, SlowSource } from './harness.js';
import { type BackendMessage, dataRow, errorFields, fe, RawClient, types } from './raw-client.js';

// Values that exercise every escaping rule of COPY text and CSV output.
const TRICKY: Row[] = [
  [1, 'plain', 1],
  [2, 'tab\there', 2],
  [3, 'new\nline', null],
  [4, 'cr\rhere', 4],
  [5, 'back\\slash', 5],
  [6, 'quote"inside', 6],
  [7, 'comma,inside', 7],
  [8, '', 8],
  [9, null, 9],
  [10, '\\N', 10],
  [11, '\\.', 11],
  [12, 'ünïcødé ✓ 😀', 12],
  [13, ' lead and trail ', 13],
  [14, 'semi;colon|pipe', 14],
  [15, "it's", 15],
  [16, 'ctl\b\f\v\x01end', 16],
  [17, 'NULL', 17],
  [18, '😀\t"x",y\\z\r\n', 18],
];

let server: PgServer;
let port: number;
let slow: SlowSource;
let wide: SlowSource;
let pgsql: TempPostgres | null = null;
const noPostgres = postgresUnavailable();
const noPsql = clientUnavailable(
  'psql',
  () => runs('psql', ['--version']),
  'apt-get install postgresql-client',
);

beforeAll(async () => {
  const { catalog } = fixture();
  catalog.register(
    'tricky',
    new MemorySource({
      schema: [
        { name: 'id', type: 'bigint', nullable: false },
        { name: 's', type: 'text', nullable: true },
        { name: 'n', type: 'integer', nullable: true },
      ],
      rows: TRICKY,
      pageSize: 5,
    }),
  );
  slow = new SlowSource();
  catalog.register('slow', slow);
  wide = new SlowSource(0, 100_000, 1000);
  catalog.register('wide', wide);
  const engine = createEngine({ catalog });
  server = await createPgServer({
    host: '127.0.0.1',
    port: 0,
    openSession: () => ({ backend: engineBackend(engine) }),
  });
  port = server.port;
  if (!noPostgres) {
    pgsql = await startTempPostgres();
    await pgsql.client.query(fixtureSql());
    await pgsql.client.query('CREATE TABLE tricky (id bigint, s text, n integer)');
    for (const r of TRICKY) await pgsql.client.query('INSERT INTO tricky VALUES ($1, $2, $3)', r);
  }
}, 60_000);
afterAll(async () => {
  await server.close();
  await pgsql?.close();
});

interface CopyOut {
  /** CopyOutResponse body as hex (overall format, column count, per-column formats). */
  readonly response: string | null;
  /** The CopyData payloads, one per message. */
  readonly data: Buffer[];
  readonly tag: string | null;
  readonly error: Record<string, string> | null;
  readonly flow: string;
}

function collect(msgs: readonly BackendMessage[]): CopyOut {
  const h = msgs.find((m) => m.type === 'H');
  const c = msgs.find((m) => m.type === 'C');
  const e = msgs.find((m) => m.type === 'E');
  return {
    response: h ? h.body.toString('hex') : null,
    data: msgs.filter((m) => m.type === 'd').map((m) => Buffer.from(m.body)),
    tag: c ? c.body.toString('utf8', 0, c.body.length - 1) : null,
    error: e ? errorFields(e.body) : null,
    flow: types(msgs).replace(/d+/g, 'd'),
  };
}

async function copyOut(p: number, sql: string): Promise<CopyOut> {
  const c = await RawClient.connect(p, { user: 'postgres', database: 'postgres' });
  const msgs = await c.query(sql);
  await c.end();
  return collect(msgs);
}

const text = (o: CopyOut): string => Buffer.concat(o.data).toString('utf8');

describe('COPY TO STDOUT over the simple protocol', () => {
  it('sends CopyOutResponse, one CopyData per row, CopyDone and COPY n', async () => {
    const o = await copyOut(
      port,
      'COPY (SELECT id, name FROM tasks WHERE project_id = 10 ORDER BY id) TO STDOUT',
    );
    expect(o.flow).toBe('HdcCZ');
    expect(o.response).toBe('000002' + '0000'.repeat(2));
    expect(o.data.map((d) => d.toString())).toEqual([
      '100\tDesign mockups\n',
      '101\tBuild frontend\n',
      '102\tQA\n',
    ]);
    expect(o.tag).toBe('COPY 3');
  });

  it('copies a table, a column list and CSV with a header', async () => {
    expect(
      text(await copyOut(port, 'COPY clients (id, name) TO STDOUT WITH (FORMAT csv, HEADER true)')),
    ).toBe('id,name\n1,Acme Corp\n2,Ærø Design\n3,Zürich AG\n4,beta llc\n5,Ωmega\n');
    const o = await copyOut(port, 'copy tasks to stdout with csv header');
    expect(text(o).split('\n')[0]).toBe('id,name,project_id,complete,due_date,priority');
    expect(o.tag).toBe('COPY 9');
  });

  it('refuses server-side files and programs with 42501 and a hint to use \\copy', async () => {
    for (const sql of [
      "COPY tasks TO '/tmp/x.csv'",
      "COPY tasks FROM '/tmp/x.csv'",
      "COPY tasks TO PROGRAM 'cat'",
    ]) {
      const o = await copyOut(port, sql);
      expect(o.error?.C).toBe('42501');
      expect(o.error?.H).toContain('\\copy');
    }
  });

  it('reports an error in the inner query at its position in the COPY statement', async () => {
    const sql = 'COPY (SELECT nope FROM tasks) TO STDOUT';
    const o = await copyOut(port, sql);
    expect(o.error?.C).toBe('42703');
    if (o.error?.P) expect(sql.slice(Number(o.error.P) - 1)).toMatch(/^nope/);
  });

  it('refuses COPY FROM STDIN into a read-only table with 0A000 and stays usable, ignoring the data a client sends anyway', async () => {
    const c = await RawClient.connect(port);
    const msgs = await c.query('COPY tasks FROM STDIN');
    expect(types(msgs)).toBe('EZ');
    expect(errorFields(msgs[0]!.body).C).toBe('0A000');
    expect(errorFields(msgs[0]!.body).M).toMatch(/tasks/);
    c.send(
      fe.raw('d', Buffer.from('1\tx\n')),
      fe.raw('c', Buffer.alloc(0)),
      fe.raw('f', Buffer.from('no\0')),
    );
    expect(types(await c.query('select 1'))).toBe('TDCZ');
    await c.end();
  });

  it('stops a COPY of an endless table at the statement timeout, and the scan with it', async () => {
    const c = await RawClient.connect(port);
    await c.query("SET statement_timeout = '200ms'");
    const o = collect(await c.query('COPY slow TO STDOUT'));
    expect(o.error?.C).toBe('57014');
    expect(o.data.length).toBeGreaterThan(0);
    expect(await eventually(() => slow.active === 0)).toBe(true);
    expect(types(await c.query('select 1'))).toBe('TDCZ');
    await c.end();
  });

  it('does not produce rows faster than the client reads them (backpressure)', async () => {
    const c = await RawClient.connect(port);
    c.socket.pause();
    const before = wide.batches;
    c.send(fe.query('COPY wide TO STDOUT'));
    await new Promise((r) => setTimeout(r, 500));
    // 100 rows of 1 kB per batch: anything near the table's 100,000 batches means no backpressure.
    expect(wide.batches - before).toBeLessThan(400);
    c.socket.destroy();
    expect(await eventually(() => wide.active === 0)).toBe(true);
  });
});

describe('COPY TO STDOUT over the extended protocol', () => {
  it('describes as NoData and streams on Execute', async () => {
    const c = await RawClient.connect(port);
    c.send(
      fe.parse('', 'COPY (SELECT id FROM clients ORDER BY id) TO STDOUT (FORMAT csv)'),
      fe.bind('', ''),
      fe.describe('P', ''),
      fe.execute('', 2),
      fe.sync(),
    );
    const o = collect(await c.until('Z'));
    expect(o.flow).toBe('12nHdcCZ');
    expect(text(o)).toBe('1\n2\n3\n4\n5\n');
    expect(o.tag).toBe('COPY 5');
    await c.end();
  });
});

describe('COPY statement parsing', () => {
  it('reads both option syntaxes', () => {
    const a = parseCopy(
      `COPY "my table" ("Id", name) TO STDOUT WITH (FORMAT csv, HEADER, DELIMITER ';', FORCE_QUOTE ("Id"))`,
    );
    expect(a.source).toEqual({ kind: 'table', table: '"my table"', columns: ['"Id"', 'name'] });
    expect(a.options).toMatchObject({
      format: 'csv',
      header: true,
      delimiter: ';',
      forceQuote: ['Id'],
      quote: '"',
    });
    const b = parseCopy(
      `COPY ( select 1 ) TO STDOUT WITH CSV HEADER DELIMITER AS E'\\t' NULL AS 'null' FORCE QUOTE *`,
    );
    expect(b.source).toMatchObject({ kind: 'query', sql: 'select 1' });
    expect(b.options).toMatchObject({
      format: 'csv',
      header: true,
      delimiter: '\t',
      null: 'null',
      forceQuote: '*',
    });
    expect(parseCopy('copy t to stdout binary').options.format).toBe('binary');
    expect(parseCopy("COPY (SELECT ')' AS p) TO STDOUT").source).toMatchObject({ sql: "SELECT ')' AS p" });
    expect(parseCopy('COPY t FROM STDIN (FORMAT csv) WHERE id > 1')).toMatchObject({
      direction: 'from',
      where: 'id > 1',
    });
  });

  it('refuses inconsistent options as PostgreSQL does', () => {
    const code = (sql: string): string => {
      try {
        parseCopy(sql);
        return 'ok';
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    expect(code("COPY t TO STDOUT (QUOTE '\"')")).toBe('0A000');
    expect(code('COPY t TO STDOUT (FORMAT binary, HEADER)')).toBe('0A000');
    expect(code("COPY t TO STDOUT (DELIMITER ',,')")).toBe('0A000');
    expect(code("COPY t TO STDOUT (FORMAT csv, DELIMITER ',', NULL 'a,b')")).toBe('0A000');
    expect(code('COPY t TO STDOUT (FORMAT xml)')).toBe('22023');
    expect(code('COPY t TO STDOUT (FORMAT csv, FORMAT text)')).toBe('42601');
    expect(code('COPY t TO STDOUT (bogus 1)')).toBe('42601');
    expect(code('COPY t TO STDOUT (FORMAT csv, FORCE_NOT_NULL (a))')).toBe('0A000');
    expect(code('COPY (select 1) FROM STDIN')).toBe('42601');
    expect(code('COPY t TO STDIN')).toBe('42601');
  });

  it('escapes text fields and quotes CSV fields by PostgreSQL rules', () => {
    expect(copyTextField('a\tb\\c\nd', '\t')).toBe('a\\tb\\\\c\\nd');
    expect(copyTextField('a|b', '|')).toBe('a\\|b');
    const o = parseCopy('COPY t TO STDOUT (FORMAT csv)').options;
    expect(copyCsvField('a,b', o, false, false)).toBe('"a,b"');
    expect(copyCsvField('', o, false, false)).toBe('""');
    expect(copyCsvField('\\.', o, false, true)).toBe('"\\."');
    expect(copyCsvField('\\.', o, false, false)).toBe('\\.');
    expect(copyCsvField(' x ', o, false, false)).toBe(' x ');
  });
});

describe('the text row encoder', () => {
  it('encodes DataRow and CopyData like Buffer.from would, for every kind of character', () => {
    const values = [
      '',
      'ascii',
      'ünï',
      'Ωmega ✓',
      '😀 emoji',
      'lone \ud800 surrogate',
      'x'.repeat(70_000) + 'é',
    ];
    const rb = new RowBuffer();
    rb.dataRow([...values, null], [...values.map(() => cellTextFn('text')), cellTextFn('text')]);
    const msg = rb.take();
    expect(msg[0]).toBe(0x44);
    expect(msg.readInt32BE(1)).toBe(msg.length - 1);
    expect(msg.readInt16BE(5)).toBe(values.length + 1);
    let at = 7;
    for (const v of values) {
      const len = msg.readInt32BE(at);
      expect(msg.subarray(at + 4, at + 4 + len).equals(Buffer.from(v, 'utf8'))).toBe(true);
      at += 4 + len;
    }
    expect(msg.readInt32BE(at)).toBe(-1);
    rb.copyData('a\tb ✓\n');
    const d = rb.take();
    expect(d.subarray(5).toString('utf8')).toBe('a\tb ✓\n');
    expect(d.readInt32BE(1)).toBe(d.length - 1);
  });

  it('writes COPY lines in one pass exactly as the reference line() builds them', () => {
    const fields = [
      { name: 'id', type: 'bigint' as const },
      { name: 's', type: 'text' as const },
      { name: 'n', type: 'integer' as const },
    ];
    const rows = [...TRICKY, [19, '😀\ttab, "q" \ud83d lone', 19], [20, '\\.', null]];
    for (const sql of [
      'COPY t TO STDOUT',
      'COPY t TO STDOUT (FORMAT csv)',
      "COPY t TO STDOUT (FORMAT csv, QUOTE '''', ESCAPE '\\', NULL 'NULL', FORCE_QUOTE (s))",
      "COPY t TO STDOUT (DELIMITER ',', NULL '')",
    ]) {
      const enc = new CopyEncoder(fields, parseCopy(sql).options);
      const single = new CopyEncoder([fields[1]!], parseCopy(sql).options);
      const rb = new RowBuffer();
      for (const r of rows) {
        for (const [e, row] of [
          [enc, r],
          [single, [r[1]]],
        ] as const) {
          e.lineInto(rb, row);
          expect(rb.take().subarray(5).toString('utf8')).toBe(
            Buffer.from(e.line(row), 'utf8').toString('utf8'),
          );
        }
      }
    }
  });

  it('writes timestamptz exactly as formatTimestamp does, in UTC and in a zone', () => {
    for (const zone of [UTC, zoneByName('Asia/Kolkata')]) {
      const f = cellTextFn('timestamptz', zone);
      const samples = [
        0, -1, 1, 999, -86_400_000, 1_700_000_000_123, 1_700_000_000_120, -62_135_596_800_000,
        253_402_300_799_999,
      ];
      let x = 1_600_000_000_000;
      for (let i = 0; i < 2000; i++) {
        x += Math.floor((i * 7919) % 90_000_000) - 30_000_000;
        samples.push(x);
      }
      for (const ms of samples) expect(f(ms)).toBe(formatTimestamp(ms, true, zone));
    }
  });

  it('writes integers, booleans and other types as PostgreSQL text output', () => {
    expect(cellTextFn('bigint')(9007199254740991)).toBe('9007199254740991');
    expect(cellTextFn('integer')(-7)).toBe('-7');
    expect(cellTextFn('boolean')(false)).toBe('f');
    expect(cellTextFn('double precision')(1.5)).toBe('1.5');
    expect(cellTextFn('jsonb')({ a: 1 })).toBe('{"a": 1}');
  });
});

// The same COPY statements on paymo-sql and on a real PostgreSQL 15 holding the same rows: the
// CopyOutResponse, every CopyData payload and the tag must be byte-identical.
const SAME_AS_POSTGRES = [
  'COPY tricky TO STDOUT',
  'COPY tricky TO STDOUT WITH (FORMAT csv, HEADER)',
  'COPY tricky TO STDOUT WITH CSV HEADER',
  'COPY tricky (s) TO STDOUT (FORMAT csv)',
  'COPY tricky (s) TO STDOUT',
  "COPY tricky TO STDOUT (DELIMITER '|', NULL '')",
  "COPY tricky TO STDOUT (FORMAT text, HEADER, DELIMITER ';')",
  "COPY (SELECT id, s FROM tricky ORDER BY id) TO STDOUT (FORMAT csv, FORCE_QUOTE (s), NULL 'NULL')",
  "COPY tricky TO STDOUT (FORMAT csv, DELIMITER ';', QUOTE '''', ESCAPE '\\')",
  'COPY tricky TO STDOUT (FORMAT csv, FORCE_QUOTE *)',
  "COPY tricky TO STDOUT WITH CSV DELIMITER AS '|' NULL AS '-' QUOTE AS '$' FORCE QUOTE s",
  'COPY tricky TO STDOUT (FORMAT binary)',
  'COPY (SELECT * FROM tricky WHERE id > 100) TO STDOUT (FORMAT binary)',
  'COPY (SELECT * FROM tricky WHERE id > 100) TO STDOUT (FORMAT csv, HEADER)',
  'COPY projects TO STDOUT',
  'COPY (SELECT * FROM projects ORDER BY id) TO STDOUT (FORMAT csv, HEADER)',
  'COPY (SELECT * FROM entries ORDER BY id) TO STDOUT (FORMAT csv)',
  'COPY (SELECT * FROM tasks ORDER BY id) TO STDOUT (FORMAT binary)',
  'COPY (SELECT id, created_on, active FROM clients ORDER BY id) TO STDOUT (FORMAT binary)',
  "COPY tricky TO STDOUT (FORMAT csv, QUOTE 'ab')",
  "COPY tricky TO STDOUT (FORMAT text, QUOTE '\"')",
  'COPY tricky TO STDOUT (FORMAT binary, HEADER)',
  "COPY tricky TO STDOUT (DELIMITER ',', NULL 'a,b')",
  'COPY tricky TO STDOUT (FORMAT xml)',
  'COPY tricky TO STDOUT (FORMAT csv, FORCE_QUOTE (nope))',
  'COPY tricky TO STDOUT (FORMAT csv, FORCE_NOT_NULL (s))',
  "COPY tricky TO STDOUT (DELIMITER 'x')",
  "COPY tricky TO STDOUT (FORMAT csv, NULL '\"x')",
  "COPY tricky TO STDOUT (DELIMITER E'\\n')",
  "COPY tricky TO STDOUT (FORMAT csv, DELIMITER '\"')",
  "COPY tricky TO STDOUT (FORMAT csv, ESCAPE 'ab')",
  'COPY tricky TO STDOUT (FORCE_QUOTE *)',
  'COPY tricky TO STDOUT (HEADER match)',
  'COPY tricky TO STDOUT (FORMAT csv, FORCE_NULL (s))',
  "COPY tricky TO STDOUT (FORMAT binary, NULL 'x')",
  'COPY tricky TO STDOUT (HEADER maybe)',
];

describe.skipIf(noPostgres)('COPY output against PostgreSQL 15', () => {
  it.each(SAME_AS_POSTGRES)('%s', async (sql) => {
    const ours = await copyOut(port, sql);
    const theirs = await copyOut(pgsql!.port, sql);
    expect(ours.error?.C).toBe(theirs.error?.C);
    expect(ours.flow).toBe(theirs.flow);
    expect(ours.response).toBe(theirs.response);
    expect(ours.data.map((d) => d.toString('latin1'))).toEqual(theirs.data.map((d) => d.toString('latin1')));
    expect(ours.tag).toBe(theirs.tag);
  });
});

describe.skipIf(noPostgres)('timestamptz text follows the session TimeZone, as in PostgreSQL 15', () => {
  it.each(['Europe/Berlin', 'Asia/Kolkata', 'America/New_York', 'UTC'])('%s', async (zone) => {
    const run = async (p: number) => {
      const c = await RawClient.connect(p, { user: 'postgres', database: 'postgres' });
      await c.query(`SET timezone = '${zone}'`);
      const select = await c.query('SELECT id, created_at FROM projects ORDER BY id');
      const copy = collect(
        await c.query('COPY (SELECT id, started_at FROM entries ORDER BY id) TO STDOUT (FORMAT csv)'),
      );
      await c.end();
      return {
        select: select
          .filter((m) => m.type === 'D')
          .map((m) => dataRow(m.body).map((v) => v?.toString() ?? null)),
        copy: text(copy),
      };
    };
    expect(await run(port)).toEqual(await run(pgsql!.port));
  });
});

interface PsqlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function psql(args: string[], cwd: string): Promise<PsqlResult> {
  return new Promise((resolve) => {
    execFile(
      'psql',
      [`host=127.0.0.1 port=${port} user=u dbname=d`, '-X', ...args],
      { cwd, env: { ...process.env, PGCONNECT_TIMEOUT: '5' }, timeout: 20_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe.skipIf(noPsql)("psql's \\copy", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'paymo-copy-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes a correct CSV file with \\copy (select …) to 'x.csv' csv header", async () => {
    const r = await psql(
      [
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        "\\copy (select id, name, city from clients order by id) to 'x.csv' csv header",
      ],
      dir,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('COPY 5\n');
    expect(readFileSync(join(dir, 'x.csv'), 'utf8')).toBe(
      'id,name,city\n1,Acme Corp,Berlin\n2,Ærø Design,Copenhagen\n3,Zürich AG,\n4,beta llc,Berlin\n5,Ωmega,Athens\n',
    );
  });

  it('round-trips awkward text through \\copy to a text file', async () => {
    const r = await psql(['-v', 'ON_ERROR_STOP=1', '-c', "\\copy tricky (id, s) to 'tricky.txt'"], dir);
    expect(r.stderr).toBe('');
    const lines = readFileSync(join(dir, 'tricky.txt'), 'utf8').split('\n');
    expect(lines).toContain('2\ttab\\there');
    expect(lines).toContain('3\tnew\\nline');
    expect(lines).toContain('9\t\\N');
    expect(lines).toContain('10\t\\\\N');
    expect(lines).toContain('12\tünïcødé ✓ 😀');
  });

  it('stops a \\copy of an endless table on Ctrl-C, and the scan with it', async () => {
    const before = slow.batches;
    const child = spawn(
      'psql',
      [
        `host=127.0.0.1 port=${port} user=u dbname=d`,
        '-X',
        '-c',
        "\\copy (select * from slow) to '/dev/null' csv",
      ],
      { cwd: dir, env: { ...process.env, PGCONNECT_TIMEOUT: '5' } },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    expect(await eventually(() => slow.batches > before + 5)).toBe(true);
    child.kill('SIGINT');
    expect(await exited).not.toBe(0);
    expect(stderr).toContain('canceling statement due to user request');
    expect(await eventually(() => slow.active === 0)).toBe(true);
  });

  it('reports a refused \\copy … from (a read-only table) and keeps the session', async () => {
    writeFileSync(join(dir, 'in.txt'), '1\tx\n');
    const r = await psql(['-c', "\\copy tasks from 'in.txt'", '-c', 'select 41 + 1'], dir);
    expect(r.stderr).toMatch(/^ERROR: .*tasks/m);
    expect(r.stdout).toContain('42');
  });
});
