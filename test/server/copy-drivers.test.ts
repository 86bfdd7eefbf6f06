import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgServer } from '../../src/server/index.js';
import { clientUnavailable, PYTHON, runClient, runs, startServer } from './harness.js';

// COPY … TO STDOUT read by the drivers' own COPY APIs, each in its own process.
const pyModule = (m: string) => () => runs(PYTHON, ['-c', `import ${m}`]);
const noPsycopg2 = clientUnavailable('psycopg2', pyModule('psycopg2'), 'apt-get install python3-psycopg2');
const noPsycopg3 = clientUnavailable('psycopg 3', pyModule('psycopg'), 'apt-get install python3-psycopg');
const JAR = '/usr/share/java/postgresql.jar';
const noJdbc = clientUnavailable(
  'pgjdbc',
  () => runs('javac', ['-version']) && runs('test', ['-f', JAR]),
  'apt-get install libpostgresql-jdbc-java default-jdk-headless',
);

let server: PgServer;
let port: number;
const python = (code: string) => runClient(PYTHON, ['-c', code], { PORT: String(port) });

beforeAll(async () => {
  ({ server, port } = await startServer());
});
afterAll(() => server.close());

describe.skipIf(noPsycopg2)('psycopg2 copy_expert', () => {
  it('writes COPY … TO STDOUT WITH CSV HEADER into a file object', async () => {
    const out = await python(`
import io, os, psycopg2
c = psycopg2.connect(host='127.0.0.1', port=int(os.environ['PORT']), user='u', dbname='d')
buf = io.StringIO()
c.cursor().copy_expert("COPY (SELECT id, name, city FROM clients ORDER BY id) TO STDOUT WITH CSV HEADER", buf)
print(buf.getvalue(), end='')
c.rollback()
cur = c.cursor(); cur.execute('select 1'); print(cur.fetchone()[0])
`);
    expect(out).toBe(
      'id,name,city\n1,Acme Corp,Berlin\n2,Ærø Design,Copenhagen\n3,Zürich AG,\n4,beta llc,Berlin\n5,Ωmega,Athens\n1\n',
    );
  });
});

describe.skipIf(noPsycopg3)('psycopg 3 cursor.copy', () => {
  it('reads rows from text COPY and typed values from binary COPY', async () => {
    const out = await python(`
import os, json, psycopg
with psycopg.connect(host='127.0.0.1', port=int(os.environ['PORT']), user='u', dbname='d', autocommit=True) as c:
    cur = c.cursor()
    with cur.copy("COPY (SELECT id, name, complete FROM tasks WHERE project_id = 10 ORDER BY id) TO STDOUT") as cp:
        print(json.dumps([list(r) for r in cp.rows()]))
    with cur.copy("COPY (SELECT id, name, due_date, priority FROM tasks ORDER BY id) TO STDOUT (FORMAT BINARY)") as cp:
        cp.set_types(['int8', 'text', 'date', 'int4'])
        print(json.dumps([[r[0], r[1], str(r[2]), r[3]] for r in cp.rows()][:3]))
    print(cur.execute('select 2').fetchone()[0])
`);
    const [text, binary, after] = out.trim().split('\n');
    expect(JSON.parse(text!)).toEqual([
      ['100', 'Design mockups', 't'],
      ['101', 'Build frontend', 'f'],
      ['102', 'QA', 'f'],
    ]);
    expect(JSON.parse(binary!)).toEqual([
      [100, 'Design mockups', '2023-02-15', 1],
      [101, 'Build frontend', '2023-03-30', 2],
      [102, 'QA', 'None', null],
    ]);
    expect(after).toBe('2');
  });
});

describe.skipIf(noJdbc)('pgjdbc CopyManager', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'paymo-jdbc-copy-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('copies out CSV through copyOut and keeps the connection', async () => {
    writeFileSync(
      join(dir, 'CopyProbe.java'),
      `
import java.io.StringWriter;
import java.sql.*;
import org.postgresql.PGConnection;
public class CopyProbe {
  public static void main(String[] a) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + a[0] + "/d?sslmode=disable", "u", "")) {
      StringWriter w = new StringWriter();
      long n = c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (SELECT id, name FROM projects ORDER BY id) TO STDOUT (FORMAT csv)", w);
      System.out.print(w);
      System.out.println(n);
      try (ResultSet r = c.createStatement().executeQuery("select 3")) { r.next(); System.out.println(r.getInt(1)); }
    }
  }
}
`,
    );
    await runClient('javac', ['-cp', JAR, '-d', dir, join(dir, 'CopyProbe.java')]);
    const out = await runClient('java', ['-cp', `${JAR}:${dir}`, 'CopyProbe', String(port)]);
    expect(out).toBe('10,Website\n11,App\n12,Branding\n13,Internal\n14,Audit\n5\n3\n');
  });
});
