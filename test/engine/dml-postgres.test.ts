import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlType } from '../../src/catalog/types.js';
import { toText } from '../../src/catalog/values.js';
import { createEngine } from '../../src/engine.js';
import { postgresUnavailable, startTempPostgres, type TempPostgres } from '../support/postgres.js';
import { dmlCatalog } from './dml-source.js';

// The write statements PostgreSQL shares with the engine, run on both: the same SQLSTATE and
// PostgreSQL's message (the engine may append the column and row), or the same command, row count
// and RETURNING rows. The PostgreSQL table mirrors the test double's `tasks`: identity and generated
// columns stand for read-only ones, NOT NULL without default for required ones. Each statement runs
// on fresh state (a rolled-back transaction there, a new catalog here); ids are never compared, as
// PostgreSQL's identity advances even when a statement fails.

const DDL = `
create table tasks (
  id bigint generated always as identity primary key,
  name text not null,
  project_id bigint not null,
  budget numeric,
  hours integer,
  done boolean default false,
  due date,
  tags text[],
  created_on timestamptz generated always as ('2027-01-15 08:00:00+00'::timestamptz) stored
);
insert into tasks (id, name, project_id, budget, hours, done, due, tags) overriding system value values
  (1, 'Design', 10, 100, 5, false, '2024-01-10', '{a}'),
  (2, 'Build', 10, 200, 8, false, '2024-02-01', '{}'),
  (3, 'Test', 11, null, null, true, null, null);
alter table tasks alter column id restart with 4;
`;

/** Fails alike: [statement, PostgreSQL's message is a prefix of ours (false: only the SQLSTATE matches)]. */
const FAILURES: [string, boolean?][] = [
  ["insert into tasks (name, project_id) values ('a', true)"],
  ["insert into tasks (name, project_id) values ('a', 'abc')"],
  ["insert into tasks (name, project_id) values ('a', 1), ('b', 'abc')"],
  ["insert into tasks (name, project_id, done) values ('a', 1, 1)"],
  ["insert into tasks (name, project_id, done) values ('a', 1, 'maybe')"],
  ["insert into tasks (name, project_id, budget) values ('a', 1, 'x')"],
  ["insert into tasks (name, project_id, hours) values ('a', 1, '1.5')"],
  ["insert into tasks (name, project_id, hours) values ('a', 1, '99999999999')"],
  ["insert into tasks (name, project_id, hours) values ('a', 1, 99999999999)"],
  ["insert into tasks (name, project_id, due) values ('a', 1, '2024-13-01')"],
  ["insert into tasks (name, project_id, due) values ('a', 1, 'xx')"],
  ["insert into tasks (name, project_id, due) values ('a', 1, 5)"],
  ["insert into tasks (name, project_id, tags) values ('a', 1, 'x')"],
  ["insert into tasks (name, project_id) select 'a', 5::text"],
  ["insert into tasks (name, project_id) select 'a', 'abc'"],
  ['insert into tasks (nope) values (1)'],
  ["insert into tasks (name, name) values ('a', 'b')"],
  ["insert into tasks (name) values ('a', 'b')"],
  ["insert into tasks (name, project_id) values ('a')"],
  ["insert into tasks (name, project_id) values ('a', 1), ('b')"],
  ['insert into tasks (name, project_id) values (null, 1)'],
  ["insert into tasks (name) values ('a')"],
  ["insert into tasks (name, project_id) values ('a', 1), ('b', null)"],
  ['insert into tasks default values'],
  ["insert into tasks (id, name, project_id) values (5, 'a', 1)"],
  ["insert into tasks (name, project_id, created_on) values ('a', 1, now())"],
  ["insert into tasks values (7, 'x', 3)"],
  ['insert into tasks (name, project_id) values (default + 1, 1)'],
  ["insert into tasks (name, project_id) values ('a', 1) returning count(*)"],
  ["insert into tasks (name, project_id) values ('a', 1) returning row_number() over ()"],
  ["insert into tasks (name, project_id) values ('a', 1) returning nope"],
  ["insert into tasks as t (name, project_id) values ('z', 1) returning tasks.name", false],
  ['insert into nope values (1)'],
  ['update tasks set id = 5 where id = 1'],
  ['update tasks set created_on = now() where id = 1'],
  ['update tasks set nope = 1 where id = 1'],
  ["update tasks set tasks.name = 'x' where id = 1"],
  ["update tasks set name = 'a', name = 'b' where id = 1"],
  ['update tasks set name = null where id = 1'],
  ['update tasks set hours = true where id = 1'],
  ['update tasks set due = 5 where id = 1'],
  ["update tasks set hours = '1.5' where id = 1"],
  ['update tasks set hours = 1e12 where id = 1'],
  ['update tasks set hours = max(hours) where id = 1'],
  ['update tasks set hours = row_number() over () where id = 1'],
  ['update nope set a = 1'],
  ['delete from tasks where nope = 1'],
  ['delete from nope'],
];

/** Succeed alike (no ids: see above). */
const SUCCESSES: [string, unknown[]?][] = [
  ["insert into tasks (name, project_id, hours) values ('a', 1.5, 2.5) returning name, project_id, hours"],
  [
    "insert into tasks (name, project_id, hours) values ('a', 1, 2.5::float8), ('b', 1, 3.5::float8) returning hours",
  ],
  ["insert into tasks (name, project_id, hours) values ('a', 1, ' 7 ') returning hours"],
  ['insert into tasks (name, project_id, tags) values (42, 1, array[1, 2]) returning name, tags'],
  ["insert into tasks (name, project_id, due) values ('a', 1, timestamp '2024-05-06 23:00') returning due"],
  ["insert into tasks (name, project_id, budget) values ('a', 1, '1e3') returning budget"],
  [
    "insert into tasks (name, project_id, done) values ('a', 1, 'yes'), ('b', 2, default) returning name, done, created_on",
  ],
  ["insert into tasks (name, project_id) values ((select 'sub'), 1) returning name"],
  ["insert into tasks values (default, 'x', 3) returning name, project_id, budget"],
  [
    "insert into tasks (name, project_id) select name || '2', project_id from tasks where id < 3 order by id returning name, project_id",
  ],
  [
    "with s as (select 'w' as n) insert into tasks (name, project_id) select n, 9 from s returning name, project_id",
  ],
  [
    'insert into tasks (name, project_id, due) values ($1, $2, $3) returning name, project_id, due',
    ['p', '42', '2024-02-29'],
  ],
  ["insert into tasks (name, project_id) values ('q', 1)"],
  ["update tasks set hours = hours * 2, name = name || '!' where id < 3 returning name, hours"],
  ['update tasks set budget = coalesce(budget, 0) + 1 where not done returning budget'],
  ['update tasks t set hours = 0 where t.id = 1 returning t.hours, hours + 1 as h1'],
  ['update tasks set hours = hours + 1 where false'],
  ['update tasks set due = now() where id = 2 returning due = current_date'],
  ['delete from tasks where done returning name, hours'],
  ['delete from tasks where id = 99 returning name'],
  ["delete from tasks where name in (select name from tasks where name like 'B%')"],
];

interface Outcome {
  readonly command?: string;
  readonly rowCount?: number;
  readonly rows?: string[][];
  readonly code?: string;
  readonly message?: string;
}

const skip = postgresUnavailable();
let pg: TempPostgres;

beforeAll(async () => {
  if (skip) return;
  pg = await startTempPostgres();
  await pg.client.query(DDL);
}, 90_000);
afterAll(async () => {
  await pg?.close();
});

async function onPostgres(sql: string, params: readonly unknown[]): Promise<Outcome> {
  await pg.client.query('begin');
  try {
    const r = await pg.client.query({
      text: sql,
      values: [...params],
      rowMode: 'array',
      types: { getTypeParser: () => (v: string) => v },
    });
    return { command: r.command, rowCount: r.rowCount ?? 0, rows: r.rows as string[][] };
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  } finally {
    await pg.client.query('rollback');
  }
}

async function onEngine(sql: string, params: readonly unknown[]): Promise<Outcome> {
  const engine = createEngine({ catalog: dmlCatalog().catalog });
  try {
    const r = await engine.query(sql, params);
    const types: SqlType[] = r.fields.map((f) => f.type);
    return {
      command: r.command,
      rowCount: r.rowCount,
      rows: r.rows.map((row) =>
        row.map((v, i) => (v === null ? (null as unknown as string) : toText(v, types[i]!, true))),
      ),
    };
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
}

describe.skipIf(skip)(`writes: the engine vs PostgreSQL${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it.each(FAILURES)('fails like PostgreSQL: %s', async (sql, sameMessage = true) => {
    const theirs = await onPostgres(sql, []);
    const ours = await onEngine(sql, []);
    expect(theirs.code, `PostgreSQL ran it: ${JSON.stringify(theirs)}`).toBeDefined();
    expect({ sql, code: ours.code }).toEqual({ sql, code: theirs.code });
    if (sameMessage)
      expect(ours.message!.startsWith(theirs.message!), `${ours.message} vs ${theirs.message}`).toBe(true);
  });

  it.each(SUCCESSES)('answers like PostgreSQL: %s', async (sql, params = []) => {
    const theirs = await onPostgres(sql, params);
    const ours = await onEngine(sql, params);
    expect(ours).toEqual(theirs);
  });
});
