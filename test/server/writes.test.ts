import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPgServer, type PgServer } from '../../src/server/index.js';
import {
  JDBC_JAR,
  jdbcUnavailable,
  PYTHON,
  psqlUnavailable,
  pythonModuleUnavailable,
  runClient,
} from './harness.js';
import { errorFields, fe, RawClient, rowDescription, textRow, types } from './raw-client.js';
import { WriteDouble } from './write-double.js';

// INSERT / UPDATE / DELETE over the wire: command tags, RETURNING rows, NoData, Describe that never
// runs a write, errors with their detail, as PostgreSQL answers them. The engine is a double here
// (test/server/write-double.ts); test/serve/ runs the same clients against the real write path.

let server: PgServer;
let port: number;
const double = new WriteDouble();

beforeAll(async () => {
  server = await createPgServer({
    host: '127.0.0.1',
    port: 0,
    openSession: () => ({ backend: double.backend }),
  });
  port = server.port;
});
afterAll(() => server.close());
beforeEach(() => {
  double.notes = [
    { id: 1, body: 'one' },
    { id: 2, body: 'two' },
  ];
  double.log.length = 0;
});

const tag = (msgs: readonly { type: string; body: Buffer }[]): string | null => {
  const c = msgs.find((m) => m.type === 'C');
  return c ? c.body.toString('utf8', 0, c.body.length - 1) : null;
};
const dataRows = (msgs: readonly { type: string; body: Buffer }[]) =>
  msgs.filter((m) => m.type === 'D').map((m) => textRow(m.body));

describe('writes over the simple protocol', () => {
  it('answers a write without RETURNING with its tag only (no RowDescription)', async () => {
    const c = await RawClient.connect(port);
    let msgs = await c.query("INSERT INTO notes (id, body) VALUES (3, 'three'), (4, 'four')");
    expect(types(msgs)).toBe('CZ');
    expect(tag(msgs)).toBe('INSERT 0 2');
    msgs = await c.query("UPDATE notes SET body = 'x' WHERE id <= 3");
    expect([types(msgs), tag(msgs)]).toEqual(['CZ', 'UPDATE 3']);
    msgs = await c.query('DELETE FROM notes WHERE id = 4');
    expect([types(msgs), tag(msgs)]).toEqual(['CZ', 'DELETE 1']);
    msgs = await c.query('DELETE FROM notes WHERE id = 4');
    expect([types(msgs), tag(msgs)]).toEqual(['CZ', 'DELETE 0']);
    await c.end();
  });

  it('sends RETURNING rows with their RowDescription, then the tag counting rows written', async () => {
    const c = await RawClient.connect(port);
    const msgs = await c.query("UPDATE notes SET body = 'new' WHERE id <= 2 RETURNING id, body");
    expect(types(msgs)).toBe('TDDCZ');
    expect(rowDescription(msgs[0]!.body).map((f) => [f.name, f.typeOid])).toEqual([
      ['id', 20],
      ['body', 25],
    ]);
    expect(dataRows(msgs)).toEqual([
      ['1', 'new'],
      ['2', 'new'],
    ]);
    expect(tag(msgs)).toBe('UPDATE 2');
    const none = await c.query("UPDATE notes SET body = 'new' WHERE id <= 0 RETURNING id, body");
    expect([types(none), tag(none)]).toEqual(['TCZ', 'UPDATE 0']);
    await c.end();
  });

  it('reports a partial failure as an ErrorResponse with SQLSTATE, message, detail and hint, and stays usable', async () => {
    const c = await RawClient.connect(port);
    const msgs = await c.query(
      "INSERT INTO notes (id, body) VALUES (5, 'a'), (6, 'b'), (7, 'reject'), (8, 'c')",
    );
    expect(types(msgs)).toBe('EZ');
    expect(errorFields(msgs[0]!.body)).toMatchObject({
      S: 'ERROR',
      C: '22023',
      M: "row 3 was refused: body 'reject' is not allowed",
      D: '2 row(s) were written before it (ids 5, 6); nothing after it was sent.',
      H: 'Fix the row and insert it and the rows after it again.',
    });
    expect(double.notes.map((n) => n.id)).toEqual([1, 2, 5, 6]);
    expect(types(await c.query('select 1'))).toBe('TDCZ');
    await c.end();
  });
});

describe('writes over the extended protocol', () => {
  it('describes a write without RETURNING as NoData with typed parameters, and runs it once at Execute', async () => {
    const c = await RawClient.connect(port);
    c.send(
      fe.parse('ins', 'INSERT INTO notes (id, body) VALUES ($1, $2)'),
      fe.describe('S', 'ins'),
      fe.bind('', 'ins', ['9', 'nine']),
      fe.describe('P', ''),
      fe.execute('', 0),
      fe.sync(),
    );
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('1tn2nCZ');
    const pd = msgs[1]!.body;
    expect([pd.readInt16BE(0), pd.readUInt32BE(2), pd.readUInt32BE(6)]).toEqual([2, 20, 25]);
    expect(tag(msgs)).toBe('INSERT 0 1');
    expect(double.log).toEqual([
      { sql: 'INSERT INTO notes (id, body) VALUES ($1, $2)', params: [9, 'nine'] },
    ]);
    await c.end();
  });

  it('describes RETURNING columns, and a Describe of a portal never executed writes nothing', async () => {
    const c = await RawClient.connect(port);
    const sql = 'INSERT INTO notes (id, body) VALUES ($1, $2) RETURNING id, body';
    c.send(fe.parse('', sql), fe.bind('', '', ['10', 'ten']), fe.describe('P', ''), fe.sync());
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('12TZ');
    expect(rowDescription(msgs[2]!.body).map((f) => f.name)).toEqual(['id', 'body']);
    expect(double.log).toEqual([]);
    c.send(
      fe.parse('', sql),
      fe.bind('', '', ['10', 'ten']),
      fe.describe('P', ''),
      fe.execute('', 0),
      fe.sync(),
    );
    const run = await c.until('Z');
    expect(types(run)).toBe('12TDCZ');
    expect(dataRows(run)).toEqual([['10', 'ten']]);
    expect(tag(run)).toBe('INSERT 0 1');
    expect(double.log).toHaveLength(1);
    await c.end();
  });

  it('describes a WITH … DELETE without running it, and a WITH … SELECT as before', async () => {
    const c = await RawClient.connect(port);
    const sql = 'WITH x AS (SELECT 1) DELETE FROM notes WHERE id = 1';
    c.send(fe.parse('', sql), fe.bind('', '', []), fe.describe('P', ''), fe.sync());
    expect(types(await c.until('Z'))).toBe('12nZ');
    expect(double.log).toEqual([]);
    c.send(fe.parse('', sql), fe.bind('', '', []), fe.describe('P', ''), fe.execute('', 0), fe.sync());
    const run = await c.until('Z');
    expect([types(run), tag(run)]).toEqual(['12nCZ', 'DELETE 1']);
    expect(double.log).toHaveLength(1);
    c.send(
      fe.parse('', 'WITH a AS (SELECT 7 AS n) SELECT n FROM a'),
      fe.bind('', '', []),
      fe.describe('P', ''),
      fe.execute('', 0),
      fe.sync(),
    );
    const sel = await c.until('Z');
    expect([types(sel), dataRows(sel), tag(sel)]).toEqual(['12TDCZ', [['7']], 'SELECT 1']);
    await c.end();
  });

  it('suspends RETURNING rows at the Execute row limit and tags the whole write at the end', async () => {
    const c = await RawClient.connect(port);
    c.send(
      fe.parse('', 'UPDATE notes SET body = $1 WHERE id <= 2 RETURNING id, body'),
      fe.bind('', '', ['z']),
      fe.execute('', 1),
      fe.execute('', 1),
      fe.execute('', 1),
      fe.sync(),
    );
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('12DsDsCZ');
    expect(tag(msgs)).toBe('UPDATE 2');
    expect(double.log).toHaveLength(1);
    await c.end();
  });
});

describe('node pg', () => {
  it('runs parameterised INSERT … RETURNING, UPDATE and DELETE with command and rowCount', async () => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'u', database: 'd' });
    await c.connect();
    try {
      const ins = await c.query('INSERT INTO notes (id, body) VALUES ($1, $2) RETURNING id, body', [
        11,
        'élf',
      ]);
      expect([ins.command, ins.rowCount, ins.rows]).toEqual(['INSERT', 1, [{ id: '11', body: 'élf' }]]);
      expect(ins.fields.map((f) => f.dataTypeID)).toEqual([20, 25]);
      const up = await c.query('UPDATE notes SET body = $1 WHERE id <= 11', ['x']);
      expect([up.command, up.rowCount, up.rows]).toEqual(['UPDATE', 3, []]);
      const del = await c.query('DELETE FROM notes WHERE id = 11');
      expect([del.command, del.rowCount]).toEqual(['DELETE', 1]);
      const err = await c.query("INSERT INTO notes (id, body) VALUES (12, 'reject')").then(
        () => null,
        (e: pg.DatabaseError) => e,
      );
      expect(err).toMatchObject({ code: '22023', detail: expect.stringContaining('0 row(s) were written') });
    } finally {
      await c.end();
    }
  });
});

const noPsql = psqlUnavailable();

describe.skipIf(noPsql)('psql', () => {
  it('prints write tags, RETURNING tables, and errors with their detail', async () => {
    const out = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
      execFile(
        'psql',
        [
          `host=127.0.0.1 port=${port} user=u dbname=d`,
          '-X',
          '-c',
          "UPDATE notes SET body = 'p' WHERE id <= 2",
          '-c',
          "INSERT INTO notes (id, body) VALUES (20, 'psql') RETURNING id, body",
          '-c',
          "INSERT INTO notes (id, body) VALUES (21, 'reject')",
        ],
        { env: { ...process.env, PGCONNECT_TIMEOUT: '5' }, timeout: 20_000 },
        (_err, stdout, stderr) => resolve({ stdout, stderr }),
      );
    });
    expect(out.stdout).toBe(
      ['UPDATE 2', ' id | body ', '----+------', ' 20 | psql', '(1 row)', '', 'INSERT 0 1', ''].join('\n'),
    );
    expect(out.stderr).toBe(
      [
        "ERROR:  row 1 was refused: body 'reject' is not allowed",
        'DETAIL:  0 row(s) were written before it (ids ); nothing after it was sent.',
        'HINT:  Fix the row and insert it and the rows after it again.',
        '',
      ].join('\n'),
    );
  });
});

const noPsycopg2 = pythonModuleUnavailable('psycopg2', 'python3-psycopg2');

describe.skipIf(noPsycopg2)('psycopg2', () => {
  it('reports cursor.rowcount of writes and fetches RETURNING rows', async () => {
    const out = await runClient(
      PYTHON,
      [
        '-c',
        `
import json, os, psycopg2
c = psycopg2.connect(host='127.0.0.1', port=int(os.environ['PORT']), user='u', dbname='d')
c.autocommit = True
cur = c.cursor()
res = []
cur.execute("UPDATE notes SET body = %s WHERE id <= 2", ('py',))
res.append([cur.statusmessage, cur.rowcount, cur.description])
cur.execute("INSERT INTO notes (id, body) VALUES (30, 'a'), (31, 'b') RETURNING id, body")
res.append([cur.statusmessage, cur.rowcount, cur.fetchall()])
cur.execute("DELETE FROM notes WHERE id = 30")
res.append([cur.statusmessage, cur.rowcount])
try:
    cur.execute("INSERT INTO notes (id, body) VALUES (32, 'reject')")
except psycopg2.Error as e:
    res.append([e.pgcode, e.diag.message_detail])
print(json.dumps(res))
`,
      ],
      { PORT: String(port) },
    );
    expect(JSON.parse(out)).toEqual([
      ['UPDATE 2', 2, null],
      [
        'INSERT 0 2',
        2,
        [
          [30, 'a'],
          [31, 'b'],
        ],
      ],
      ['DELETE 1', 1],
      ['22023', '0 row(s) were written before it (ids ); nothing after it was sent.'],
    ]);
  });
});

const JAR = JDBC_JAR;
const noJdbc = jdbcUnavailable();

describe.skipIf(noJdbc)('pgjdbc', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'paymo-sql-jdbc-writes-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('returns update counts from executeUpdate (prepared, also past the 5th execution), RETURNING from executeQuery', async () => {
    writeFileSync(
      join(dir, 'Writes.java'),
      `import java.sql.*;
public class Writes {
  public static void main(String[] a) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + a[0] + "/d", "u", "")) {
      StringBuilder out = new StringBuilder();
      try (PreparedStatement p = c.prepareStatement("INSERT INTO notes (id, body) VALUES (?, ?)")) {
        for (int i = 0; i < 7; i++) {
          p.setLong(1, 40 + i); p.setString(2, "j" + i);
          out.append(p.executeUpdate()).append(',');
        }
      }
      out.append('\\n');
      try (Statement s = c.createStatement()) {
        out.append(s.executeUpdate("UPDATE notes SET body = 'u' WHERE id <= 42")).append('\\n');
        out.append(s.executeUpdate("DELETE FROM notes WHERE id = 46")).append('\\n');
      }
      try (PreparedStatement p = c.prepareStatement("INSERT INTO notes (id, body) VALUES (?, ?) RETURNING id, body")) {
        p.setLong(1, 50); p.setString(2, "ret");
        try (ResultSet r = p.executeQuery()) { while (r.next()) out.append(r.getLong(1)).append('|').append(r.getString(2)).append('\\n'); }
      }
      try (PreparedStatement p = c.prepareStatement("INSERT INTO notes (id, body) VALUES (?, ?)")) {
        p.setLong(1, 51); p.setString(2, "reject");
        p.executeUpdate();
      } catch (SQLException e) {
        out.append(e.getSQLState()).append('|').append(((org.postgresql.util.PSQLException) e).getServerErrorMessage().getDetail()).append('\\n');
      }
      System.out.print(out);
    }
  }
}
`,
    );
    await runClient('javac', ['-cp', JAR, '-d', dir, join(dir, 'Writes.java')]);
    const out = (await runClient('java', ['-cp', `${JAR}:${dir}`, 'Writes', String(port)]))
      .trim()
      .split('\n');
    expect(out).toEqual([
      '1,1,1,1,1,1,1,',
      '5',
      '1',
      '50|ret',
      '22023|0 row(s) were written before it (ids ); nothing after it was sent.',
    ]);
    expect(double.notes.find((n) => n.id === 46)).toBeUndefined();
  }, 90_000);
});
