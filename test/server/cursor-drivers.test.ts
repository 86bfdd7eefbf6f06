import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgServer } from '../../src/server/index.js';
import { clientUnavailable, PYTHON, runs, startServer } from './harness.js';

// Server-side ("named") cursors of the Python drivers: DECLARE / FETCH FORWARD n / MOVE / CLOSE,
// and psycopg 3's Describe of the cursor as a protocol portal.
const pyModule = (m: string) => () => runs(PYTHON, ['-c', `import ${m}`]);
const noPsycopg2 = clientUnavailable('psycopg2', pyModule('psycopg2'), 'apt-get install python3-psycopg2');
const noPsycopg3 = clientUnavailable('psycopg 3', pyModule('psycopg'), 'apt-get install python3-psycopg');

let server: PgServer;
let port: number;

const python = (code: string): Promise<string> =>
  new Promise((resolve, reject) =>
    execFile(
      PYTHON,
      ['-c', code],
      { env: { ...process.env, PORT: String(port) }, timeout: 30_000 },
      (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout)),
    ),
  );

beforeAll(async () => {
  ({ server, port } = await startServer());
});
afterAll(() => server.close());

describe.skipIf(noPsycopg2)('psycopg2 named cursors', () => {
  it('iterates a server-side cursor itersize rows at a time', async () => {
    const out = await python(`
import os, psycopg2
c = psycopg2.connect(host='127.0.0.1', port=int(os.environ['PORT']), user='u', dbname='d')
cur = c.cursor(name='big')
cur.itersize = 4
cur.execute('select id, name from tasks order by id')
print([r[0] for r in cur])
cur.close()
c.commit()
cur = c.cursor(name='held', withhold=True)
cur.execute('select name from clients where id = %s', (2,))
c.commit()
print(cur.fetchone()[0])
`);
    expect(out).toBe('[100, 101, 102, 103, 104, 105, 106, 107, 108]\nÆrø Design\n');
  });
});

describe.skipIf(noPsycopg3)('psycopg 3 server-side cursors', () => {
  it('describes, fetches, scrolls (SCROLL), holds and reads binary', async () => {
    const out = await python(`
import os, psycopg
with psycopg.connect(host='127.0.0.1', port=int(os.environ['PORT']), user='u', dbname='d') as c:
    cur = c.cursor(name='x')
    cur.itersize = 3
    cur.execute('select id, name from tasks where project_id = %s order by id', (10,))
    print([d.name for d in cur.description])
    print(cur.fetchmany(2), cur.fetchall())
    cur.close()
    cur = c.cursor(name='y', scrollable=True)
    cur.execute('select id from clients order by id')
    print(cur.fetchmany(3))
    cur.scroll(-2)
    print(cur.fetchone())
    cur.scroll(0, mode='absolute')
    print(cur.fetchone())
    cur.close()
    c.commit()
    cur = c.cursor(name='z', withhold=True, binary=True)
    cur.execute('select id, name, created_on, active from clients where id < 3 order by id')
    c.commit()
    print(cur.fetchall())
    cur.close()
`);
    expect(out.trim().split('\n')).toEqual([
      "['id', 'name']",
      "[(100, 'Design mockups'), (101, 'Build frontend')] [(102, 'QA')]",
      '[(1,), (2,), (3,)]',
      '(2,)',
      '(1,)',
      "[(1, 'Acme Corp', datetime.date(2023, 1, 15), True), (2, 'Ærø Design', datetime.date(2023, 3, 1), True)]",
    ]);
  });
});
