import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymoCatalogModel, type Served, serve } from '../../src/serve.js';
import { clientUnavailable, PYTHON, runs } from './harness.js';

// Real clients discover the Paymo schema through the emulated catalog; none of it may call Paymo.
const noPsql = clientUnavailable(
  'psql',
  () => runs('psql', ['--version']),
  'apt-get install postgresql-client',
);
const JAR = '/usr/share/java/postgresql.jar';
const noJdbc = clientUnavailable(
  'pgjdbc',
  () => runs('javac', ['-version']) && runs('test', ['-f', JAR]),
  'apt-get install libpostgresql-jdbc-java default-jdk-headless',
);
const pyModule = (m: string) => () => runs(PYTHON, ['-c', `import ${m}`]);
const noSqlAlchemy = clientUnavailable(
  'SQLAlchemy + psycopg2',
  pyModule('sqlalchemy, psycopg2'),
  'apt-get install python3-sqlalchemy python3-psycopg2',
);
const noPandas = clientUnavailable('pandas', pyModule('pandas'), 'apt-get install python3-pandas');
const noIsql = clientUnavailable(
  'psqlODBC + isql',
  () => runs('sh', ['-c', 'command -v isql && grep -q "PostgreSQL Unicode" /etc/odbcinst.ini']),
  'apt-get install odbc-postgresql unixodbc',
);

function run(cmd: string, args: string[], env: Record<string, string> = {}, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { env: { ...process.env, PGCONNECT_TIMEOUT: '5', ...env }, timeout: 60_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${cmd} failed: ${stderr || err.message}\n${stdout}`)) : resolve(stdout),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

let served: Served;
let port: number;
let conn: string;
const requests = () => served.demo!.requestLog.count();
const TABLES = paymoCatalogModel().tables.map((t) => t.name);

beforeAll(async () => {
  served = await serve({ port: 0 });
  port = served.server.port;
  conn = `host=127.0.0.1 port=${port} user=paymo dbname=paymo`;
});
afterAll(() => served.close());

const psql = (...args: string[]) => run('psql', [conn, '-X', '-v', 'ON_ERROR_STOP=1', ...args]);

describe.skipIf(noPsql)('psql', () => {
  it('\\dt lists every Paymo table', async () => {
    const before = requests();
    const out = await psql('-At', '-c', '\\dt');
    const names = out
      .trim()
      .split('\n')
      .map((l) => l.split('|'))
      .map(([schema, name, type, owner]) => ({ schema, name, type, owner }));
    expect(names.map((n) => n.name).sort()).toEqual([...TABLES].sort());
    expect(names.every((n) => n.schema === 'public' && n.type === 'table' && n.owner === 'paymo')).toBe(true);
    expect(requests() - before).toBe(0);
  });

  it('\\d tasks shows columns, types, NOT NULL, the primary key and foreign keys both ways', async () => {
    const before = requests();
    // End-to-end latency of psql's 15 catalog statements (printed: design.md §4 asks for the number).
    const times: number[] = [];
    let out = '';
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      out = await psql('-c', '\\d tasks');
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(
      `\\d tasks end to end (psql process included): median ${times[2]!.toFixed(0)} ms, min ${times[0]!.toFixed(0)} ms`,
    );
    expect(out).toContain('Table "public.tasks"');
    expect(out).toMatch(/ id\s+\| bigint\s+\|\s+\| not null \|/);
    expect(out).toMatch(/ due_date\s+\| date\s+\|\s+\|\s+\|/);
    expect(out).toMatch(/ completed_on\s+\| timestamp with time zone /);
    expect(out).toMatch(/ users\s+\| bigint\[\]/);
    expect(out).toContain('"tasks_pkey" PRIMARY KEY, btree (id)');
    expect(out).toContain('"tasks_project_id_fkey" FOREIGN KEY (project_id) REFERENCES projects(id)');
    expect(out).toContain(
      'TABLE "time_entries" CONSTRAINT "time_entries_task_id_fkey" FOREIGN KEY (task_id) REFERENCES tasks(id)',
    );
    expect(requests() - before).toBe(0);
  });

  it('\\d+ invoices shows the table and column comments from the specs', async () => {
    const out = await psql('-c', '\\d+ invoices');
    expect(out).toMatch(/ number\s+\| text .*\| Invoice number/);
    expect(out).toMatch(/ client_id\s+\| bigint .*\| Client billed/);
    expect(out).toContain('"invoices_client_id_fkey" FOREIGN KEY (client_id) REFERENCES clients(id)');
    const comment = await psql('-At', '-c', "select obj_description('invoices'::regclass, 'pg_class')");
    expect(comment.trim()).toMatch(/invoice/i);
  });

  it('\\dn, \\l, \\df and \\dv', async () => {
    const before = requests();
    expect(await psql('-At', '-c', '\\dn')).toBe('public|paymo\n');
    expect(await psql('-At', '-c', '\\l')).toMatch(/^paymo\|paymo\|UTF8\|C\.UTF-8\|C\.UTF-8\|\|libc\|/);
    expect(await psql('-At', '-c', '\\df')).toBe('');
    // psql says "Did not find any relations." on stderr.
    expect(await psql('-At', '-c', '\\dv')).toBe('');
    expect(requests() - before).toBe(0);
  });
});

describe.skipIf(noJdbc)('pgjdbc DatabaseMetaData', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'catalog-jdbc-'));
    writeFileSync(
      join(dir, 'Meta.java'),
      `
import java.sql.*;
public class Meta {
  public static void main(String[] a) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + a[0] + "/paymo?sslmode=disable", "paymo", "")) {
      DatabaseMetaData m = c.getMetaData();
      StringBuilder out = new StringBuilder();
      try (ResultSet r = m.getTables(null, "public", "%", new String[] {"TABLE"})) {
        while (r.next()) out.append("table ").append(r.getString("TABLE_NAME")).append('|').append(r.getString("REMARKS")).append('\\n');
      }
      try (ResultSet r = m.getColumns(null, "public", "tasks", "%")) {
        while (r.next()) out.append("column ").append(r.getString("COLUMN_NAME")).append('|').append(r.getString("TYPE_NAME"))
          .append('|').append(r.getInt("DATA_TYPE")).append('|').append(r.getString("IS_NULLABLE")).append('|').append(r.getInt("ORDINAL_POSITION"))
          .append('|').append(r.getString("REMARKS")).append('\\n');
      }
      try (ResultSet r = m.getPrimaryKeys(null, "public", "tasks")) {
        while (r.next()) out.append("pk ").append(r.getString("COLUMN_NAME")).append('|').append(r.getString("PK_NAME")).append('|').append(r.getInt("KEY_SEQ")).append('\\n');
      }
      try (ResultSet r = m.getImportedKeys(null, "public", "tasks")) {
        while (r.next()) out.append("fk ").append(r.getString("FKCOLUMN_NAME")).append("->").append(r.getString("PKTABLE_NAME")).append('.').append(r.getString("PKCOLUMN_NAME")).append('|').append(r.getString("FK_NAME")).append('\\n');
      }
      try (ResultSet r = m.getExportedKeys(null, "public", "projects")) {
        while (r.next()) out.append("exported ").append(r.getString("FKTABLE_NAME")).append('.').append(r.getString("FKCOLUMN_NAME")).append('\\n');
      }
      try (ResultSet r = m.getSchemas()) {
        while (r.next()) out.append("schema ").append(r.getString("TABLE_SCHEM")).append('\\n');
      }
      System.out.print(out);
    }
  }
}
`,
    );
    await run('javac', ['-cp', JAR, '-d', dir, join(dir, 'Meta.java')]);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('getTables / getColumns / getPrimaryKeys / getImportedKeys describe the Paymo tables', async () => {
    const before = requests();
    const lines = (await run('java', ['-cp', `${JAR}:${dir}`, 'Meta', String(port)])).trim().split('\n');
    const tables = lines.filter((l) => l.startsWith('table ')).map((l) => l.slice(6).split('|')[0]);
    expect(tables.sort()).toEqual([...TABLES].sort());
    expect(lines).toContainEqual(expect.stringMatching(/^table invoices\|\S/));
    expect(lines).toContain('column id|int8|-5|NO|1|Paymo id of the task');
    expect(lines).toContainEqual(expect.stringMatching(/^column due_date\|date\|91\|YES\|\d+\|/));
    expect(lines).toContainEqual(expect.stringMatching(/^column completed_on\|timestamptz\|93\|YES\|/));
    expect(lines).toContain('pk id|tasks_pkey|1');
    expect(lines).toContain('fk project_id->projects.id|tasks_project_id_fkey');
    expect(lines).toContain('fk tasklist_id->task_lists.id|tasks_tasklist_id_fkey');
    expect(lines).toContain('exported tasks.project_id');
    expect(lines).toContain('schema public');
    expect(requests() - before).toBe(0);
  }, 60_000);
});

describe.skipIf(noSqlAlchemy)('psycopg2 + SQLAlchemy inspect()', () => {
  it('reflects tables, columns, primary and foreign keys', async () => {
    const before = requests();
    const out = await run(
      PYTHON,
      [
        '-c',
        `
import json, os
from sqlalchemy import create_engine, inspect
e = create_engine('postgresql+psycopg2://paymo@127.0.0.1:%s/paymo' % os.environ['PORT'])
i = inspect(e)
cols = i.get_columns('tasks')
print(json.dumps({
  'tables': i.get_table_names(),
  'views': i.get_view_names(),
  'schemas': i.get_schema_names(),
  'columns': [[c['name'], str(c['type']), c['nullable'], c.get('comment')] for c in cols],
  'pk': i.get_pk_constraint('tasks'),
  'fks': sorted([[f['constrained_columns'], f['referred_table'], f['referred_columns'], f['name']] for f in i.get_foreign_keys('tasks')]),
  'comment': i.get_table_comment('invoices'),
  'version': e.dialect.server_version_info,
}))
`,
      ],
      { PORT: String(port) },
    );
    const r = JSON.parse(out);
    expect(r.tables.sort()).toEqual([...TABLES].sort());
    expect(r.views).toEqual([]);
    expect(r.schemas).toContain('public');
    expect(r.columns[0]).toEqual(['id', 'BIGINT', false, 'Paymo id of the task']);
    expect(r.columns).toContainEqual(['due_date', 'DATE', true, expect.any(String)]);
    expect(r.columns).toContainEqual(['completed_on', 'TIMESTAMP', true, expect.any(String)]);
    expect(r.pk).toMatchObject({ constrained_columns: ['id'], name: 'tasks_pkey' });
    expect(r.fks).toContainEqual([['project_id'], 'projects', ['id'], 'tasks_project_id_fkey']);
    expect(r.comment.text).toMatch(/invoice/i);
    expect(r.version[0]).toBe(15);
    expect(requests() - before).toBe(0);
  }, 60_000);

  it.skipIf(noPandas)(
    'pandas.read_sql reads a catalog query and a Paymo query',
    async () => {
      const out = await run(
        PYTHON,
        [
          '-c',
          `
import json, os
import pandas as pd
from sqlalchemy import create_engine
e = create_engine('postgresql+psycopg2://paymo@127.0.0.1:%s/paymo' % os.environ['PORT'])
t = pd.read_sql("select table_name from information_schema.tables where table_schema = 'public' order by 1", e)
p = pd.read_sql('select id, name from projects order by id limit 3', e)
print(json.dumps({'tables': t['table_name'].tolist(), 'projects': p.to_dict('records')}))
`,
        ],
        { PORT: String(port) },
      );
      const r = JSON.parse(out);
      expect(r.tables.sort()).toEqual([...TABLES].sort());
      expect(r.projects).toHaveLength(3);
      expect(r.projects[0]).toEqual({ id: expect.any(Number), name: expect.any(String) });
    },
    60_000,
  );
});

describe.skipIf(noIsql)('psqlODBC through isql', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'catalog-odbc-'));
    writeFileSync(
      join(dir, 'odbc.ini'),
      `[paymo]\nDriver = PostgreSQL Unicode\nServername = 127.0.0.1\nPort = ${port}\nDatabase = paymo\nUsername = paymo\nPassword = x\nSSLmode = disable\n`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const isql = (input: string) =>
    run('isql', ['-v', '-b', '-d|', 'paymo'], { ODBCINI: join(dir, 'odbc.ini'), ODBCSYSINI: '/etc' }, input);

  it('connects, `help` lists the tables, `help tasks` the columns, a SELECT returns rows', async () => {
    const before = requests();
    const tables = await isql('help\n');
    for (const t of ['tasks', 'projects', 'time_entries', 'invoices'])
      expect(tables).toMatch(new RegExp(`\\|${t}\\|TABLE\\|`));
    const cols = await isql('help tasks\n');
    expect(cols).toMatch(/\|tasks\|id\|-5\|int8\|/);
    expect(cols).toMatch(/\|tasks\|project_id\|-5\|int8\|/);
    expect(requests() - before).toBe(0);
    const rows = await isql('select id, name from projects order by id limit 2\n');
    expect(rows.trim().split('\n')).toEqual([
      expect.stringMatching(/^\d+\|\S/),
      expect.stringMatching(/^\d+\|\S/),
    ]);
  }, 60_000);
});
