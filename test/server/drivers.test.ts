import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgServer } from '../../src/server/index.js';
import { clientUnavailable, PYTHON, runClient, runs, startServer } from './harness.js';

// Real drivers in their own processes (async spawns: the server lives in this process).
const pyModule = (m: string) => () => runs(PYTHON, ['-c', `import ${m}`]);
const noPsycopg2 = clientUnavailable('psycopg2', pyModule('psycopg2'), 'apt-get install python3-psycopg2');
const noPsycopg3 = clientUnavailable('psycopg 3', pyModule('psycopg'), 'apt-get install python3-psycopg');
const noAsyncpg = clientUnavailable('asyncpg', pyModule('asyncpg'), 'apt-get install python3-asyncpg');
const JAR = '/usr/share/java/postgresql.jar';
const noJdbc = clientUnavailable(
  'pgjdbc',
  () => runs('javac', ['-version']) && runs('test', ['-f', JAR]),
  'apt-get install libpostgresql-jdbc-java default-jdk-headless',
);

const python = (code: string) => runClient(PYTHON, ['-c', code], { PORT: String(port) });

let server: PgServer;
let port: number;

beforeAll(async () => {
  ({ server, port } = await startServer());
});
afterAll(async () => {
  await server.close();
});

describe.skipIf(noPsycopg2)('psycopg2', () => {
  it('queries inside its implicit transactions, with errors and rollback', async () => {
    const out = await python(`
import json, os, psycopg2
c = psycopg2.connect(host='127.0.0.1', port=int(os.environ['PORT']), user='u', dbname='d')
cur = c.cursor()
res = []
cur.execute("select id, name, created_on::text from clients where id = %s", (2,))
res.append(cur.fetchall())
res.append(c.get_transaction_status())
try:
    cur.execute("select nope")
except psycopg2.Error as e:
    res.append(e.pgcode)
res.append(c.get_transaction_status())
c.rollback()
cur.execute("select %s || ' ✓'", ('ünï',))
res.append(cur.fetchone())
c.close()
print(json.dumps(res))
`);
    // Status 2 = in transaction, 3 = in a failed transaction (psycopg2.extensions constants).
    expect(JSON.parse(out)).toEqual([[[2, 'Ærø Design', '2023-03-01']], 2, '42703', 3, ['ünï ✓']]);
  });
});

describe.skipIf(noPsycopg3)('psycopg 3', () => {
  it('auto-prepares after five executions and reads binary results', async () => {
    const out = await python(`
import json, os, psycopg
with psycopg.connect(f"host=127.0.0.1 port={os.environ['PORT']} user=u dbname=d") as c:
    seen = []
    for i in range(8):
        seen.append(c.execute("select count(*) from tasks where project_id = %s::bigint", (10 + i % 2,)).fetchone()[0])
    rows = c.execute("select id, user_name, entry_date::text, minutes, billed, meta from entries where id = 1000", binary=True).fetchall()
    print(json.dumps([seen, [list(r) for r in rows]]))
`);
    expect(JSON.parse(out)).toEqual([
      [3, 2, 3, 2, 3, 2, 3, 2],
      [[1000, 'ann', '2023-02-10', 120, true, { source: 'timer', tags: ['a'] }]],
    ]);
  });
});

describe.skipIf(noAsyncpg)('asyncpg', () => {
  it('uses named statements with binary results for every type', async () => {
    const out = await python(`
import asyncio, json, os, asyncpg
async def main():
    c = await asyncpg.connect(host='127.0.0.1', port=int(os.environ['PORT']), user='u', database='d', ssl=False)
    r = await c.fetchrow("select * from projects where id = 10")
    e = await c.fetchrow("select * from entries where id = 1000")
    v = await c.fetchval("select $1::int + 1", 41)
    await c.close()
    return [r['id'], r['name'], str(r['budget']), r['created_at'].isoformat(), r['tags'],
            str(e['entry_date']), e['minutes'], e['billed'], e['meta'], v]
print(json.dumps(asyncio.run(main())))
`);
    expect(JSON.parse(out)).toEqual([
      10,
      'Website',
      '5000.5',
      '2023-02-01T09:00:00+00:00',
      ['web', 'design'],
      '2023-02-10',
      120,
      true,
      '{"tags": ["a"], "source": "timer"}',
      42,
    ]);
  });
});

describe.skipIf(noJdbc)('pgjdbc', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paymo-sql-jdbc-'));
    writeFileSync(
      join(dir, 'Probe.java'),
      `import java.sql.*;
public class Probe {
  public static void main(String[] a) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + a[0] + "/d", "u", "")) {
      StringBuilder out = new StringBuilder();
      try (PreparedStatement p = c.prepareStatement("select id, name, due_date, priority, complete from tasks where project_id = ? order by id")) {
        for (int i = 0; i < 12; i++) {
          p.setLong(1, 10 + (i % 3));
          try (ResultSet r = p.executeQuery()) {
            while (r.next()) out.append(r.getLong(1)).append(',').append(r.getString(2)).append(',').append(r.getDate(3)).append(',').append(r.getObject(4)).append(',').append(r.getBoolean(5)).append(';');
          }
          out.append('\\n');
        }
      }
      try (PreparedStatement p = c.prepareStatement("select ?::text || ' ✓', ?::numeric * 2, ?::timestamptz")) {
        for (int i = 0; i < 7; i++) {
          p.setString(1, "héllo"); p.setBigDecimal(2, new java.math.BigDecimal("12.25"));
          p.setTimestamp(3, Timestamp.from(java.time.Instant.parse("2024-01-02T03:04:05.678Z")));
          try (ResultSet r = p.executeQuery()) { r.next(); out.append(r.getString(1)).append('|').append(r.getBigDecimal(2)).append('|').append(r.getTimestamp(3).toInstant()).append('\\n'); }
        }
      }
      try (Statement s = c.createStatement()) { s.executeQuery("select nope"); } catch (SQLException e) { out.append("error ").append(e.getSQLState()).append('\\n'); }
      c.setAutoCommit(false);
      try (PreparedStatement p = c.prepareStatement("select g from generate_series(1, 1000) g")) {
        p.setFetchSize(100);
        long n = 0, sum = 0;
        try (ResultSet r = p.executeQuery()) { while (r.next()) { n++; sum += r.getLong(1); } }
        out.append("fetched ").append(n).append(' ').append(sum).append('\\n');
      }
      c.commit();
      System.out.print(out);
    }
  }
}
`,
    );
    await runClient('javac', ['-cp', JAR, '-d', dir, join(dir, 'Probe.java')]);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('switches to a named statement with binary results, binds binary parameters, fetches with a cursor', async () => {
    const out = (await runClient('java', ['-cp', `${JAR}:${dir}`, 'Probe', String(port)])).trim().split('\n');
    const byProject = [
      '100,Design mockups,2023-02-15,1,true;101,Build frontend,2023-03-30,2,false;102,QA,null,null,false;',
      '103,iOS build,2023-07-01,1,false;104,Android build,2023-06-15,3,true;',
      '105,Logo,2023-04-20,2,true;108,Café menu,2023-05-05,2,false;',
    ];
    expect(out.slice(0, 12)).toEqual(Array.from({ length: 12 }, (_, i) => byProject[i % 3]));
    expect(out.slice(12, 19)).toEqual(Array(7).fill('héllo ✓|24.5|2024-01-02T03:04:05.678Z'));
    expect(out.slice(19)).toEqual(['error 42703', 'fetched 1000 500500']);
  }, 30_000);
});
