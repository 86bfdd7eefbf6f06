import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, serve } from '../../src/serve.js';
import { splitStatements } from '../../src/sql/rewrite.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** Statements of a fixture file, each with the `-- parameters: $1 = '…'` value that follows it. */
function statements(file: string): { sql: string; params: string[] }[] {
  const text = readFileSync(file, 'utf8');
  return splitStatements(text.replace(/^-- parameters:.*$/gm, '')).map((s) => {
    const sql = s.text.trim();
    const rest = text.slice(text.indexOf(sql) + sql.length);
    const m = /^;?\s*-- parameters: \$1 = '(.*)'/.exec(rest);
    return { sql, params: m ? [m[1]!] : [] };
  });
}

/** Statements that are not catalog discovery: a real client's data query, or ones a real PostgreSQL ran. */
const SKIP = [
  /^DEALLOCATE/i, // names a statement of the captured session
  /^(CREATE|DROP|IMPORT)\b/i, // postgres_fdw.sql: run on the local PostgreSQL, not on ours
  /\bFROM paymo\./i,
  /^(DECLARE|FETCH|CLOSE)\b/i, // postgres_fdw's cursor (COPY/cursor work lives elsewhere)
];
const touchesPaymo = (sql: string) => /\bfrom\s+(public\.)?projects\b/i.test(sql);

let served: Served;
let client: pg.Client;
const requests = () => served.demo!.requestLog.count();

beforeAll(async () => {
  served = await serve({ port: 0 });
  client = new pg.Client({ host: '127.0.0.1', port: served.server.port, user: 'paymo', database: 'paymo' });
  await client.connect();
});
afterAll(async () => {
  await client.end();
  await served.close();
});

const files = [
  ...readdirSync(join(FIXTURES, 'client-sql')).map((f) => join('client-sql', f)),
  'grafana.sql',
  'metabase.sql',
];

describe('client catalog SQL through the wire server', () => {
  for (const f of files) {
    it(`${f}: every statement runs, catalog statements make no Paymo request`, async () => {
      for (const { sql, params } of statements(join(FIXTURES, f))) {
        if (SKIP.some((re) => re.test(sql))) continue;
        const before = requests();
        try {
          await client.query(sql, params);
        } catch (e) {
          throw new Error(`${f}: ${(e as Error).message}\n${sql}`);
        }
        if (!touchesPaymo(sql)) expect({ sql, requests: requests() - before }).toEqual({ sql, requests: 0 });
      }
      await client.query('ROLLBACK');
    });
  }

  it("Npgsql's type loading batch (one simple query) lists our types, arrays as 'a'", async () => {
    const before = requests();
    const text = readFileSync(join(FIXTURES, 'npgsql.sql'), 'utf8');
    const results = (await client.query(text)) as unknown as pg.QueryResult[];
    expect(results).toHaveLength(4);
    expect(results[0]!.rows[0].version).toMatch(/^PostgreSQL 15\.\d/);
    const types = results[1]!.rows as {
      nspname: string;
      oid: string;
      typname: string;
      typtype: string;
      elemtypoid: string | null;
    }[];
    const byName = new Map(types.map((t) => [t.typname, t]));
    for (const [name, oid] of [
      ['int8', '20'],
      ['text', '25'],
      ['numeric', '1700'],
      ['timestamptz', '1184'],
      ['jsonb', '3802'],
      ['bool', '16'],
    ])
      expect(byName.get(name)).toMatchObject({ nspname: 'pg_catalog', oid, typtype: 'b' });
    expect(byName.get('_int8')).toMatchObject({ oid: '1016', typtype: 'a', elemtypoid: '20' });
    // Base types first, arrays after, as Npgsql needs to resolve element types.
    const firstArray = types.findIndex((t) => t.typtype === 'a');
    expect(types.slice(firstArray).every((t) => t.typtype === 'a')).toBe(true);
    expect(requests() - before).toBe(0);
  });

  it('Metabase sees comments, primary keys and foreign keys (tasks.project_id → projects.id)', async () => {
    const [, , , , , , fields, fks] = statements(join(FIXTURES, 'metabase.sql'));
    const f = await client.query(fields!.sql);
    expect(f.rows).toContainEqual(
      expect.objectContaining({ name: 'id', 'table-name': 'tasks', 'pk?': true, 'database-type': 'int8' }),
    );
    expect(
      f.rows.find((r) => r['table-name'] === 'tasks' && r.name === 'project_id')['field-comment'],
    ).toMatch(/\w/);
    const k = await client.query(fks!.sql);
    expect(k.rows).toContainEqual({
      'fk-table-schema': 'public',
      'fk-table-name': 'tasks',
      'fk-column-name': 'project_id',
      'pk-table-schema': 'public',
      'pk-table-name': 'projects',
      'pk-column-name': 'id',
    });
  });

  it('Grafana lists the tables on the search path and the columns of one', async () => {
    const stmts = statements(join(FIXTURES, 'grafana.sql'));
    // postgres_fdw.sql set search_path = pg_catalog on this connection: Grafana would then qualify names.
    await client.query('RESET search_path');
    const tables = await client.query(stmts[4]!.sql);
    expect(tables.rows.map((r) => r.table)).toContain('time_entries');
    expect(tables.rows.some((r) => String(r.table).startsWith('pg_'))).toBe(false);
    const cols = await client.query(stmts[6]!.sql);
    expect(cols.rows).toContainEqual({ column: 'project_id', type: 'bigint' });
    expect(cols.rows).toContainEqual({ column: 'created_on', type: 'timestamp with time zone' });
  });

  it('answers the catalog functions clients call', async () => {
    const r = await client.query(`select version() as v, current_database() as db, current_schema() as s,
      current_user as u, pg_catalog.format_type(1184, null) as ft, 'tasks'::regclass::oid = (select oid from pg_class where relname = 'tasks') as rc,
      (select atttypid::regtype::text from pg_attribute where attrelid = 'tasks'::regclass and attname = 'due_date') as rt,
      obj_description('invoices'::regclass, 'pg_class') as od, col_description('invoices'::regclass, 1) as cd,
      has_table_privilege('tasks', 'select') as sel, has_table_privilege('tasks', 'insert') as ins,
      pg_encoding_to_char(6) as enc, quote_ident('Tasks') as qi, array_to_string(current_schemas(true), ',') as sp`);
    expect(r.rows[0]).toEqual({
      v: expect.stringMatching(/^PostgreSQL 15\.\d+ /),
      db: 'paymo',
      s: 'public',
      u: 'paymo',
      ft: 'timestamp with time zone',
      rc: true,
      rt: 'date',
      od: expect.stringMatching(/invoice/i),
      cd: expect.stringMatching(/\w/),
      sel: true,
      ins: false,
      enc: 'UTF8',
      qi: '"Tasks"',
      sp: 'pg_catalog,public',
    });
  });
});
