import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, serve } from '../../src/serve.js';
import type { SimulatorHandle } from '../../src/simulator/index.js';
import {
  JDBC_JAR,
  jdbcUnavailable,
  PYTHON,
  psqlUnavailable,
  pythonModuleUnavailable,
} from '../server/harness.js';

// Writes through `paymo-sql serve` on the demo company, with real clients against the simulator:
// psql's \copy imports, node pg, pgjdbc and psycopg2, each checked against the simulator's state
// and request log afterwards.

let served: Served;
let sim: SimulatorHandle;
let port: number;
let project: number;
let dir: string;

beforeAll(async () => {
  served = await serve({ host: '127.0.0.1', port: 0 });
  sim = served.demo!;
  port = served.server.port;
  project = [...sim.store.all('projects')].find((p) => p.active === true)!.id as number;
  dir = mkdtempSync(join(tmpdir(), 'paymo-serve-writes-'));
}, 60_000);
afterAll(async () => {
  await served.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The simulator's tasks whose name starts with `prefix`, as [id, name, project_id], by id. */
const tasksNamed = (prefix: string) =>
  [...sim.store.all('tasks')]
    .filter((t) => String(t.name).startsWith(prefix))
    .map((t) => [t.id, t.name, t.project_id])
    .sort((a, b) => (a[0] as number) - (b[0] as number));

const posts = () => sim.requestLog.count({ method: 'POST' });

function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd: opts.cwd, env: { ...process.env, ...opts.env }, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const psql = (...args: string[]) =>
  run(
    'psql',
    [
      `host=127.0.0.1 port=${port} user=paymo dbname=paymo`,
      '-X',
      '-v',
      'ON_ERROR_STOP=1',
      '-v',
      'VERBOSITY=verbose',
      ...args,
    ],
    { cwd: dir, env: { PGCONNECT_TIMEOUT: '5' } },
  );

const noPsql = psqlUnavailable();

describe.skipIf(noPsql)("psql's \\copy … from a CSV file into tasks", () => {
  it('imports every row (COPY n), which a following SELECT sees', async () => {
    writeFileSync(
      join(dir, 'ok.csv'),
      `name,project_id\n"Import A, with a comma",${project}\nImport B,${project}\n"Import ""C""",${project}\n`,
    );
    const before = posts();
    const r = await psql(
      '-c',
      "\\copy tasks (name, project_id) from 'ok.csv' with (format csv, header)",
      '-c',
      `SELECT name FROM tasks WHERE project_id = ${project} AND name LIKE 'Import %' ORDER BY name`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'COPY 3',
        '          name          ',
        '------------------------',
        ' Import "C"',
        ' Import A, with a comma',
        ' Import B',
        '(3 rows)',
        '',
        '',
      ].join('\n'),
    );
    expect(posts() - before).toBe(3);
    expect(tasksNamed('Import ').map((t) => t[2])).toEqual([project, project, project]);
  });

  it('refuses a file with a bad value in the middle before any write request, naming the column and row', async () => {
    writeFileSync(join(dir, 'bad.csv'), `name,project_id\nBad A,${project}\nBad B,abc\nBad C,${project}\n`);
    const before = posts();
    const r = await psql('-c', "\\copy tasks (name, project_id) from 'bad.csv' with (format csv, header)");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^ERROR: {2}22P02: /m);
    expect(r.stderr).toMatch(/project_id/);
    expect(r.stderr).toMatch(/\babc\b/);
    expect(r.stderr).toMatch(/\b(row|line) 2\b/);
    expect(posts()).toBe(before);
    expect(tasksNamed('Bad ')).toEqual([]);
  });

  it('stops at the row Paymo refuses and reports the rows written and their ids; the simulator holds exactly those', async () => {
    writeFileSync(
      join(dir, 'partial.csv'),
      `name,project_id\nPartial 1,${project}\nPartial 2,${project}\nPartial 3,999999999\nPartial 4,${project}\n`,
    );
    const before = posts();
    const r = await psql(
      '-c',
      "\\copy tasks (name, project_id) from 'partial.csv' with (format csv, header)",
    );
    expect(r.code).not.toBe(0);
    const written = tasksNamed('Partial ');
    expect(written.map((t) => t[1])).toEqual(['Partial 1', 'Partial 2']);
    // Three creates were sent: two written, the third refused; the fourth never left.
    expect(posts() - before).toBe(3);
    expect(r.stderr).toMatch(/^ERROR: {2}\w{5}: .*row 3\b/m);
    expect(r.stderr).toMatch(/999999999/);
    const detail = /^DETAIL: {2}([\s\S]*?)(?:^[A-Z]+: {2}|$(?![\s\S]))/m.exec(r.stderr)?.[1] ?? '';
    expect(detail).toMatch(/\b2 rows?\b/);
    for (const [id] of written) expect(detail).toContain(String(id));
  });
});

describe('node pg', () => {
  it('INSERT … RETURNING with $1 parameters, then UPDATE and DELETE, with rowCount and the simulator in step', async () => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'paymo', database: 'paymo' });
    await c.connect();
    try {
      const ins = await c.query(
        'INSERT INTO tasks (name, project_id) VALUES ($1, $2), ($3, $2) RETURNING id, name, project_id',
        ['Node one', project, 'Node two'],
      );
      expect(ins.command).toBe('INSERT');
      expect(ins.rowCount).toBe(2);
      expect(ins.rows.map((r) => [r.name, Number(r.project_id)])).toEqual([
        ['Node one', project],
        ['Node two', project],
      ]);
      const ids = ins.rows.map((r) => Number(r.id));
      expect(tasksNamed('Node ').map((t) => t[0])).toEqual(ids);
      const up = await c.query('UPDATE tasks SET name = name || $1 WHERE id = ANY($2)', [' (done)', ids]);
      expect([up.command, up.rowCount, up.rows]).toEqual(['UPDATE', 2, []]);
      expect(tasksNamed('Node ').map((t) => t[1])).toEqual(['Node one (done)', 'Node two (done)']);
      const del = await c.query('DELETE FROM tasks WHERE id = $1 RETURNING id', [ids[0]]);
      expect([del.command, del.rowCount, del.rows.map((r) => Number(r.id))]).toEqual(['DELETE', 1, [ids[0]]]);
      expect(tasksNamed('Node ').map((t) => t[0])).toEqual([ids[1]]);
      // Refused before any request: the error names the rule, with its SQLSTATE.
      const before = posts();
      const err = await c.query('INSERT INTO tasks (name) VALUES ($1)', ['No project']).then(
        () => null,
        (e: pg.DatabaseError) => e,
      );
      expect(err?.code).toMatch(/^23/);
      expect(err?.message).toMatch(/project_id/);
      expect(posts()).toBe(before);
    } finally {
      await c.end();
    }
  });
});

const noPsycopg2 = pythonModuleUnavailable('psycopg2', 'python3-psycopg2');

describe.skipIf(noPsycopg2)('psycopg2', () => {
  it('reports cursor.rowcount of INSERT, UPDATE and DELETE', async () => {
    const r = await run(
      PYTHON,
      [
        '-c',
        `
import json, os, psycopg2
c = psycopg2.connect(host='127.0.0.1', port=int(os.environ['PORT']), user='paymo', dbname='paymo')
c.autocommit = True
cur = c.cursor()
p = int(os.environ['PROJECT'])
res = []
cur.execute("INSERT INTO tasks (name, project_id) VALUES (%s, %s), (%s, %s)", ('Py one', p, 'Py two', p))
res.append([cur.statusmessage, cur.rowcount])
cur.execute("UPDATE tasks SET complete = true WHERE project_id = %s AND name LIKE %s", (p, 'Py %'))
res.append([cur.statusmessage, cur.rowcount])
cur.execute("DELETE FROM tasks WHERE project_id = %s AND name = %s RETURNING name", (p, 'Py one'))
res.append([cur.statusmessage, cur.rowcount, cur.fetchall()])
print(json.dumps(res))
`,
      ],
      { env: { PORT: String(port), PROJECT: String(project) } },
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([
      ['INSERT 0 2', 2],
      ['UPDATE 2', 2],
      ['DELETE 1', 1, [['Py one']]],
    ]);
    expect(tasksNamed('Py ').map((t) => t[1])).toEqual(['Py two']);
    expect([...sim.store.all('tasks')].find((t) => t.name === 'Py two')?.complete).toBe(true);
  });
});

const noAsyncpg = pythonModuleUnavailable('asyncpg', 'python3-asyncpg');

describe.skipIf(noAsyncpg)('asyncpg', () => {
  it('binds Python values by the parameter types Describe gives a write, and reads RETURNING and status', async () => {
    const r = await run(
      PYTHON,
      [
        '-c',
        `
import asyncio, json, os, asyncpg
async def main():
    c = await asyncpg.connect(host='127.0.0.1', port=int(os.environ['PORT']), user='paymo', database='paymo', ssl=False)
    p = int(os.environ['PROJECT'])
    row = await c.fetchrow('INSERT INTO tasks (name, project_id, due_date) VALUES ($1, $2, $3) RETURNING id, name, due_date', 'Apg one', p, __import__('datetime').date(2030, 1, 2))
    status = await c.execute('UPDATE tasks SET complete = $1 WHERE id = $2', True, row['id'])
    await c.close()
    return [row['name'], str(row['due_date']), status]
print(json.dumps(asyncio.run(main())))
`,
      ],
      { env: { PORT: String(port), PROJECT: String(project) } },
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(['Apg one', '2030-01-02', 'UPDATE 1']);
    const stored = [...sim.store.all('tasks')].find((t) => t.name === 'Apg one');
    expect([stored?.due_date, stored?.complete]).toEqual(['2030-01-02', true]);
  });
});

const JAR = JDBC_JAR;
const noJdbc = jdbcUnavailable();

describe.skipIf(noJdbc)('pgjdbc', () => {
  it('returns update counts from executeUpdate, prepared past its 5th execution (binary parameters)', async () => {
    writeFileSync(
      join(dir, 'JdbcWrites.java'),
      `import java.sql.*;
public class JdbcWrites {
  public static void main(String[] a) throws Exception {
    long project = Long.parseLong(a[1]);
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + a[0] + "/paymo", "paymo", "")) {
      StringBuilder out = new StringBuilder();
      try (PreparedStatement p = c.prepareStatement("INSERT INTO tasks (name, project_id) VALUES (?, ?)")) {
        for (int i = 0; i < 7; i++) {
          p.setString(1, "Jdbc " + i); p.setLong(2, project);
          out.append(p.executeUpdate()).append(',');
        }
      }
      out.append('\\n');
      try (PreparedStatement p = c.prepareStatement("UPDATE tasks SET complete = ? WHERE project_id = ? AND name LIKE 'Jdbc %'")) {
        p.setBoolean(1, true); p.setLong(2, project);
        out.append(p.executeUpdate()).append('\\n');
      }
      try (Statement s = c.createStatement()) {
        out.append(s.executeUpdate("DELETE FROM tasks WHERE project_id = " + project + " AND name IN ('Jdbc 0', 'Jdbc 1')")).append('\\n');
      }
      System.out.print(out);
    }
  }
}
`,
    );
    const javac = await run('javac', ['-cp', JAR, '-d', dir, join(dir, 'JdbcWrites.java')]);
    expect(javac.stderr).toBe('');
    const r = await run('java', ['-cp', `${JAR}:${dir}`, 'JdbcWrites', String(port), String(project)]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual(['1,1,1,1,1,1,1,', '7', '2']);
    const left = tasksNamed('Jdbc ');
    expect(left.map((t) => t[1])).toEqual(['Jdbc 2', 'Jdbc 3', 'Jdbc 4', 'Jdbc 5', 'Jdbc 6']);
  }, 90_000);
});
