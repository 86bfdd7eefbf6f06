import { describe, expect, it } from 'vitest';
import { createEngine, type Engine, type QueryOptions } from '../../src/engine.js';
import type { SqlError } from '../../src/errors.js';
import { parseSql } from '../../src/sql/parse.js';
import { dmlCatalog, type WritableSource } from './dml-source.js';

const SETTINGS = {
  allowUnfilteredWrites: 'paymo.allow_unfiltered_writes',
  maxWriteRows: 'paymo.max_write_rows',
};

function world(withSettingNames = true) {
  const c = dmlCatalog();
  const engine = createEngine({
    catalog: c.catalog,
    ...(withSettingNames ? { writeSettingNames: SETTINGS } : {}),
  });
  return { ...c, engine };
}

async function failure(p: Promise<unknown>): Promise<SqlError> {
  try {
    await p;
  } catch (e) {
    return e as SqlError;
  }
  throw new Error('expected the statement to fail');
}

/** Runs a statement that must be refused before any write (and, with `noRead`, before any read). */
async function refused(
  engine: Engine,
  src: WritableSource,
  sql: string,
  code: string,
  message: string | RegExp,
  opts: QueryOptions = {},
): Promise<SqlError> {
  const rows = JSON.stringify(src.rows);
  const err = await failure(engine.query(sql, [], opts));
  expect({ sql, code: err.code }).toEqual({ sql, code });
  if (typeof message === 'string') expect(err.message).toBe(message);
  else expect(err.message).toMatch(message);
  expect(src.calls).toEqual([]);
  expect(JSON.stringify(src.rows)).toBe(rows);
  return err;
}

describe('parsing writes', () => {
  it('reads INSERT, UPDATE and DELETE into the write AST', () => {
    expect(
      parseSql('insert into t (a, B) values (1, default), ($1, now()) returning *, a + 1 as z'),
    ).toMatchObject([
      {
        type: 'write',
        write: {
          type: 'insert',
          table: { name: 't' },
          columns: ['a', 'b'],
          source: {
            kind: 'values',
            rows: [
              [{ type: 'number' }, { type: 'default' }],
              [{ type: 'param' }, { type: 'func' }],
            ],
          },
          returning: [{ type: 'star' }, { type: 'expr', alias: 'z' }],
        },
      },
    ]);
    expect(parseSql('INSERT INTO public.t AS x DEFAULT VALUES RETURNING x.id')[0]).toMatchObject({
      write: { table: { name: 't', schema: 'public', alias: 'x' }, source: { kind: 'default' } },
    });
    expect(parseSql('update t x set a = default, b = b * 2 where x.id = 1 returning b')[0]).toMatchObject({
      write: {
        type: 'update',
        table: { name: 't', alias: 'x' },
        set: [
          { column: 'a', value: { type: 'default' } },
          { column: 'b', value: { type: 'binary' } },
        ],
        where: { type: 'binary' },
      },
    });
    expect(parseSql('delete from t as x where id in (select 1)')[0]).toMatchObject({
      write: { type: 'delete', table: { name: 't', alias: 'x' }, where: { type: 'in_query' } },
    });
  });

  it('reads WITH before a write, INSERT … SELECT … RETURNING and EXPLAIN [ANALYZE] of a write', () => {
    expect(
      parseSql('with q as (select 1 as a) delete from t where id in (select a from q)')[0],
    ).toMatchObject({
      write: { type: 'delete', ctes: [{ name: 'q' }] },
    });
    expect(parseSql('insert into t select 1 union select 2 returning a')[0]).toMatchObject({
      write: { source: { kind: 'query', query: { type: 'setop' } }, returning: [{ type: 'expr' }] },
    });
    expect(parseSql('explain analyze update t set a = 1 where id = 1')[0]).toMatchObject({
      type: 'explain',
      analyze: true,
      statement: { type: 'write', write: { type: 'update' } },
    });
  });

  it.each([
    ['insert into t values (1) on conflict do nothing', 'INSERT … ON CONFLICT'],
    ['update t set a = 1 from u where u.id = t.id', 'UPDATE … FROM'],
    ['delete from t using u where u.id = t.id', 'DELETE … USING'],
    ['update t set (a, b) = (1, 2)', 'UPDATE … SET (column, …) = (…)'],
    ['delete from t where current of c', 'WHERE CURRENT OF'],
    ['with x as (delete from t returning *) select * from x', 'DELETE in WITH'],
    ['with x as (insert into t values (1) returning *) select * from x', 'INSERT in WITH'],
    ['with t as (select 1 as id) delete from t', 'a WITH query named like the target table "t"'],
    ['merge into t using u on u.id = t.id when matched then delete', 'MERGE'],
  ])('refuses %s with 0A000', (sql, construct) => {
    expect(() => parseSql(sql)).toThrow(
      expect.objectContaining({ code: '0A000', message: `${construct} is not supported` }),
    );
  });

  it('reads (subquery)::type in a write as CAST((subquery) AS type)', () => {
    for (const sql of [
      'update t set a = (select 1)::text where id = 1',
      "update t set a = 'x' || (select 1)::character varying(10) where id = 1",
      'delete from t where id = (select 2)::pg_catalog.int8',
      "insert into t (a) values ((select '2024-01-01')::timestamp with time zone)",
    ])
      expect(JSON.stringify(parseSql(sql)[0]), sql).toMatch(/"type":"cast","arg":\{"type":"subquery"/);
  });

  it('reads UPDATE ONLY and DELETE FROM ONLY as the table itself (no table has children)', () => {
    expect(parseSql('update only t set a = 1 where id = 1')[0]).toMatchObject({
      write: { type: 'update', table: { name: 't' } },
    });
    expect(parseSql('delete from only t as x where x.id = 1')[0]).toMatchObject({
      write: { type: 'delete', table: { name: 't', alias: 'x' } },
    });
  });

  it('refuses DEFAULT inside an expression like PostgreSQL', () => {
    expect(() => parseSql('insert into t values (default + 1)')).toThrow(
      expect.objectContaining({ code: '42601', message: 'DEFAULT is not allowed in this context' }),
    );
  });
});

describe('writes refused before any request', () => {
  it('enforces the DML matrix, naming what the table allows', async () => {
    const w = world();
    await refused(
      w.engine,
      w.company,
      'delete from company where id = 1',
      '0A000',
      'cannot DELETE from table "company": it allows UPDATE only',
    );
    await refused(
      w.engine,
      w.company,
      "insert into company (name) values ('x')",
      '0A000',
      'cannot INSERT into table "company": it allows UPDATE only',
    );
    // A create-only column of a table without INSERT cannot be set at all: no pointing at INSERT.
    await refused(
      w.engine,
      w.company,
      "update company set region = 'us' where id = 1",
      '428C9',
      'column "region" cannot be changed: it is set when the row is created, and "company" allows no INSERT',
    );
    await refused(
      w.engine,
      w.notes,
      "update notes set body = 'x' where id = 1",
      '0A000',
      'cannot UPDATE table "notes": it allows INSERT and DELETE only',
    );
    await refused(
      w.engine,
      w.bookings,
      'insert into bookings values (1, 2)',
      '0A000',
      'table "bookings" is read-only',
    );
    await refused(
      w.engine,
      w.bookings,
      'delete from bookings where id = 1',
      '0A000',
      'table "bookings" is read-only',
    );
    expect(w.bookings.requests).toEqual([]);
  });

  it('checks names, columns and values like PostgreSQL', async () => {
    const { engine, tasks } = world();
    const cases: [string, string, string | RegExp][] = [
      ['insert into nope values (1)', '42P01', 'relation "nope" does not exist'],
      ['insert into tasks (nope) values (1)', '42703', 'column "nope" of relation "tasks" does not exist'],
      ['update tasks set nope = 1 where id = 1', '42703', 'column "nope" of relation "tasks" does not exist'],
      [
        "update tasks set tasks.name = 'x' where id = 1",
        '42703',
        'column "tasks" of relation "tasks" does not exist',
      ],
      ["insert into tasks (name, name) values ('a', 'b')", '42701', 'column "name" specified more than once'],
      [
        "update tasks set name = 'a', name = 'b' where id = 1",
        '42601',
        'multiple assignments to same column "name"',
      ],
      [
        "insert into tasks (name) values ('a', 'b')",
        '42601',
        'INSERT has more expressions than target columns',
      ],
      [
        "insert into tasks (name, project_id) values ('a')",
        '42601',
        'INSERT has more target columns than expressions',
      ],
      [
        "insert into tasks (name, project_id) values ('a', 1), ('b')",
        '42601',
        'VALUES lists must all be the same length',
      ],
      [
        "insert into tasks (name, project_id, id) values ('a', 1, 5)",
        '428C9',
        'cannot insert a non-DEFAULT value into column "id"',
      ],
      [
        'update tasks set created_on = now() where id = 1',
        '428C9',
        'column "created_on" can only be updated to DEFAULT',
      ],
      [
        'update tasks set project_id = 2 where id = 1',
        '428C9',
        'column "project_id" can only be set on INSERT',
      ],
      [
        "insert into tasks (name) values ('a')",
        '23502',
        'null value in column "project_id" of relation "tasks" violates not-null constraint',
      ],
      [
        'insert into tasks (name, project_id) values (null, 1)',
        '23502',
        'null value in column "name" of relation "tasks" violates not-null constraint',
      ],
      [
        "insert into tasks (name, project_id) values ('a', 1), ('b', null)",
        '23502',
        'null value in column "project_id" of relation "tasks" violates not-null constraint (row 2 of 2)',
      ],
      [
        'update tasks set name = null where id = 3',
        '23502',
        'null value in column "name" of relation "tasks" violates not-null constraint',
      ],
      [
        "insert into tasks (name, project_id) values ('a', true)",
        '42804',
        'column "project_id" is of type bigint but expression is of type boolean',
      ],
      [
        'update tasks set due = 5 where id = 1',
        '42804',
        'column "due" is of type date but expression is of type integer',
      ],
      [
        "insert into tasks (name, project_id) select 'a', 5::text",
        '42804',
        'column "project_id" is of type bigint but expression is of type text',
      ],
      [
        "insert into tasks (name, project_id) values ('a', 1), ('b', 'abc')",
        '22P02',
        'invalid input syntax for type bigint: "abc" (column "project_id", row 2 of 2)',
      ],
      [
        "insert into tasks (name, project_id, due) values ('a', 1, '2024-13-01')",
        '22008',
        'date/time field value out of range: "2024-13-01" (column "due")',
      ],
      [
        "insert into tasks (name, project_id, due) values ('a', 1, 'soon')",
        '22007',
        'invalid input syntax for type date: "soon" (column "due")',
      ],
      [
        "insert into tasks (name, project_id, hours) values ('a', 1, '99999999999')",
        '22003',
        'value "99999999999" is out of range for type integer (column "hours")',
      ],
      [
        "insert into tasks (name, project_id, hours) values ('a', 1, 99999999999)",
        '22003',
        'integer out of range (column "hours")',
      ],
      [
        'update tasks set hours = hours * 1e12 where id > 1',
        '22003',
        'integer out of range (column "hours", row id 2)',
      ],
      ['update tasks set hours = 1e12 where id > 1', '22003', 'integer out of range (column "hours")'],
      [
        "insert into tasks (name, project_id) values ('a', 1) returning count(*)",
        '42803',
        'aggregate functions are not allowed in RETURNING',
      ],
      [
        "insert into tasks (name, project_id) values ('a', 1) returning row_number() over ()",
        '42P20',
        'window functions are not allowed in RETURNING',
      ],
      [
        'update tasks set hours = max(hours) where id = 1',
        '42803',
        'aggregate functions are not allowed in UPDATE',
      ],
      [
        'insert into tasks (name, project_id) values (generate_series(1, 2)::text, 1)',
        '0A000',
        'set-returning functions are not allowed in VALUES',
      ],
      [
        "insert into tasks (name, project_id) values ('a', 1) returning nope",
        '42703',
        'column "nope" does not exist',
      ],
      ['update tasks set name = default where id = 1', '0A000', 'SET "name" = DEFAULT is not supported'],
      [
        "insert into tasks (name, project_id, budget) values ('a', 1, 5), ('b', 1, 0)",
        '23514',
        'budget must be greater than 0 (row 2 of 2)',
      ],
    ];
    for (const [sql, code, message] of cases) await refused(engine, tasks, sql, code, message);
  });

  it("says why a column cannot be written, with the source's description of it", async () => {
    const { engine, tasks } = world();
    const e = await refused(
      engine,
      tasks,
      'update tasks set created_on = now() where id = 1',
      '428C9',
      /DEFAULT/,
    );
    expect(e.detail).toBe('Column "created_on" (set by the server when the task is created) is read-only.');
    const f = await refused(engine, tasks, 'update tasks set project_id = 1 where id = 1', '428C9', /INSERT/);
    expect(f.detail).toBe(
      'Column "project_id" is set when the row is created and cannot be changed afterwards.',
    );
  });

  it('checks EVERY row with the source rule before the first write', async () => {
    const { engine, tasks } = world();
    const err = await refused(
      engine,
      tasks,
      "insert into tasks (name, project_id, budget) values ('a', 1, 1), ('b', 1, 2), ('c', 1, 0)",
      '23514',
      'budget must be greater than 0 (row 3 of 3)',
    );
    expect(err.hint).toBe('leave budget out, or give a positive amount');
    expect(tasks.checked.map((c) => c.values)).toEqual([
      { name: 'a', project_id: 1, budget: 1 },
      { name: 'b', project_id: 1, budget: 2 },
      { name: 'c', project_id: 1, budget: 0 },
    ]);
    await refused(
      engine,
      tasks,
      'update tasks set budget = budget - 100 where id < 3',
      '23514',
      'budget must be greater than 0 (row id 1)',
    );
  });

  it("refuses an UPDATE's constant assignment that a rule refuses before reading any row", async () => {
    const { engine, tasks } = world();
    await refused(
      engine,
      tasks,
      'update tasks set budget = 0, hours = hours + 1 where id < 3',
      '23514',
      'budget must be greater than 0',
    );
    await refused(
      engine,
      tasks,
      'update tasks set name = null where id < 3',
      '23502',
      'null value in column "name" of relation "tasks" violates not-null constraint',
    );
    expect(tasks.requests).toEqual([]);
    expect(tasks.checked.map((c) => c.values)).toEqual([{ budget: 0 }]);
  });

  it('refuses UPDATE / DELETE without WHERE unless allowed, telling the SET to use', async () => {
    const { engine, tasks } = world();
    const u = await refused(
      engine,
      tasks,
      'update tasks set hours = 1',
      '55000',
      'UPDATE without WHERE would change every row of tasks',
    );
    expect(u.hint).toBe('Add a WHERE clause, or SET paymo.allow_unfiltered_writes = on to allow it.');
    await refused(
      engine,
      tasks,
      'delete from tasks',
      '55000',
      'DELETE without WHERE would delete every row of tasks',
    );
    expect(tasks.requests).toEqual([]);
    const r = await engine.query('update tasks set hours = 1', [], { allowUnfilteredWrites: true });
    expect(r).toMatchObject({ command: 'UPDATE', rowCount: 3 });
  });

  it('caps the rows one statement may write, naming how many it would have written', async () => {
    const { engine, tasks } = world();
    const values = Array.from({ length: 101 }, (_, i) => `('t${i}', 1)`).join(', ');
    const e = await refused(
      engine,
      tasks,
      `insert into tasks (name, project_id) values ${values}`,
      '53400',
      'INSERT into tasks would write 101 rows, more than the limit of 100 (paymo.max_write_rows)',
    );
    expect(e.hint).toBe('Write the rows in smaller batches, or SET paymo.max_write_rows = 101 to allow it.');
    const u = await refused(
      engine,
      tasks,
      'update tasks set hours = 2 where id > 0',
      '53400',
      'UPDATE of tasks would change 3 rows, more than the limit of 2 (paymo.max_write_rows)',
      { maxWriteRows: 2 },
    );
    expect(u.hint).toBe('Check the WHERE clause; to allow it, SET paymo.max_write_rows = 3.');
    await refused(
      engine,
      tasks,
      'delete from tasks where done = false',
      '53400',
      'DELETE from tasks would delete 2 rows, more than the limit of 1 (paymo.max_write_rows)',
      { maxWriteRows: 1 },
    );
    expect(
      (await engine.query('update tasks set hours = 2 where id > 0', [], { maxWriteRows: 3 })).rowCount,
    ).toBe(3);
  });

  it('names the query options when the engine has no session settings', async () => {
    const { engine, tasks } = world(false);
    const e = await refused(engine, tasks, 'delete from tasks where id > 1', '53400', /\(maxWriteRows\)$/, {
      maxWriteRows: 1,
    });
    expect(e.hint).toBe('Check the WHERE clause; to allow it, pass maxWriteRows: 2 in the query options.');
    const f = await refused(engine, tasks, 'delete from tasks', '55000', /every row/);
    expect(f.hint).toBe(
      'Add a WHERE clause, or pass allowUnfilteredWrites: on in the query options to allow it.',
    );
  });
});

describe('INSERT', () => {
  it('writes VALUES rows one at a time and returns RETURNING over the rows as stored', async () => {
    const { engine, tasks } = world();
    const r = await engine.query(
      "insert into tasks (name, project_id, hours, due) values ('a', 7, 2.5, default), ($1, $2, '  7 ', now()::date - 1) returning id, name, hours, done, created_on, upper(name) as shout",
      ['b', '8'],
    );
    expect(r.command).toBe('INSERT');
    expect(r.rowCount).toBe(2);
    expect(r.fields.map((f) => `${f.name} ${f.type}`)).toEqual([
      'id bigint',
      'name text',
      'hours integer',
      'done boolean',
      'created_on timestamptz',
      'shout text',
    ]);
    expect(r.rows).toEqual([
      [4, 'a', 3, false, 1_800_000_000_000, 'A'],
      [5, 'b', 7, false, 1_800_000_000_000, 'B'],
    ]);
    expect(tasks.calls).toEqual([
      { op: 'insert', values: { name: 'a', project_id: 7, hours: 3 } },
      { op: 'insert', values: expect.objectContaining({ name: 'b', project_id: 8, hours: 7 }) },
    ]);
    expect(tasks.maxInFlight).toBe(1);
    expect(tasks.requests).toEqual([]);
  });

  it('converts values with assignment casts', async () => {
    const { engine } = world();
    const r = await engine.query(
      "insert into tasks (name, project_id, hours, budget, tags, due) values (42, 1.5, 2.5::float8, 3, array[1, 2], timestamp '2024-05-06 23:00') returning name, project_id, hours, budget, tags, due",
    );
    expect(r.rows).toEqual([['42', 2, 2, 3, ['1', '2'], '2024-05-06']]);
  });

  it('without a column list fills the columns in declared order (DEFAULT for read-only ones)', async () => {
    const { engine } = world();
    const r = await engine.query("insert into tasks values (default, 'x', 3) returning id, name, project_id");
    expect(r.rows).toEqual([[4, 'x', 3]]);
    const e = await failure(engine.query("insert into tasks values (9, 'x', 3)"));
    expect(e.code).toBe('428C9');
  });

  it('INSERT … SELECT runs the query first, checks every row, then writes', async () => {
    const { engine, tasks } = world();
    const r = await engine.query(
      "with src as (select name || ' copy' as n, project_id from tasks where id < 3) insert into tasks as t (name, project_id) select n, project_id from src returning t.id, t.name",
    );
    expect(r.rows).toEqual([
      [4, 'Design copy'],
      [5, 'Build copy'],
    ]);
    expect(tasks.calls.map((c) => c.op)).toEqual(['insert', 'insert']);
    // A literal in the query is read with the target column's input syntax, as in PostgreSQL.
    const e = await failure(engine.query("insert into tasks (name, project_id) select 'x', 'abc'"));
    expect([e.code, e.message]).toEqual([
      '22P02',
      'invalid input syntax for type bigint: "abc" (column "project_id")',
    ]);
  });

  it('DEFAULT VALUES inserts a row of defaults', async () => {
    const { engine, notes } = world();
    const r = await engine.query('insert into notes default values returning *');
    expect(r.rows).toEqual([[1, null]]);
    expect(notes.calls).toEqual([{ op: 'insert', values: {} }]);
  });

  it('without RETURNING has no fields and no rows', async () => {
    const { engine } = world();
    expect(await engine.query("insert into notes (body) values ('x'), ('y')")).toEqual({
      command: 'INSERT',
      rowCount: 2,
      fields: [],
      rows: [],
    });
  });
});

describe('UPDATE and DELETE by predicate', () => {
  it('reads the target rows through a pushed-down scan, then writes each by key', async () => {
    const { engine, tasks } = world();
    const r = await engine.query(
      "update tasks set hours = hours * 2, name = name || '!' where id = 1 returning *",
    );
    expect(r.command).toBe('UPDATE');
    expect(r.rows).toEqual([[1, 'Design!', 10, 100, 10, false, '2024-01-10', ['a'], 1_700_000_000_000]]);
    expect(tasks.requests).toHaveLength(1);
    expect(tasks.requests[0]!.filters).toHaveLength(1);
    expect(tasks.calls).toEqual([{ op: 'update', key: [1], values: { hours: 10, name: 'Design!' } }]);
  });

  it('evaluates SET expressions per row in the read, local filters and subqueries included', async () => {
    const { engine, tasks } = world();
    const r = await engine.query(
      "update tasks set budget = coalesce(budget, 0) + (select count(*) from tasks where done) where not done or name like 'T%' returning id, budget",
    );
    expect(r.rows).toEqual([
      [1, 101],
      [2, 201],
      [3, 1],
    ]);
    expect(tasks.calls.map((c) => (c.op === 'update' ? c.key[0] : null))).toEqual([1, 2, 3]);
    expect(tasks.maxInFlight).toBe(1);
  });

  it('SET col = DEFAULT keeps a read-only column as the server sets it', async () => {
    const { engine, tasks } = world();
    await engine.query("update tasks set created_on = default, name = 'n' where id = 2");
    expect(tasks.calls).toEqual([{ op: 'update', key: [2], values: { name: 'n' } }]);
  });

  it('an UPDATE / DELETE matching nothing writes nothing', async () => {
    const { engine, tasks } = world();
    expect((await engine.query('update tasks set hours = 1 where id = 99')).rowCount).toBe(0);
    expect(await engine.query('delete from tasks where id = 99 returning *')).toMatchObject({
      rowCount: 0,
      rows: [],
    });
    expect(tasks.calls).toEqual([]);
  });

  it('DELETE … RETURNING returns the rows as read before deleting', async () => {
    const { engine, tasks } = world();
    const r = await engine.query(
      "delete from tasks t where t.id in (select id from tasks where name like 'B%' or done) returning t.id, t.name, hours",
    );
    expect(r).toMatchObject({ command: 'DELETE', rowCount: 2 });
    expect(r.rows).toEqual([
      [2, 'Build', 8],
      [3, 'Test', null],
    ]);
    expect(tasks.calls).toEqual([
      { op: 'delete', key: [2] },
      { op: 'delete', key: [3] },
    ]);
    expect(tasks.rows.map((x) => x[0])).toEqual([1]);
    // The read takes whole rows (no separate key column to project).
    expect(
      (await engine.explain('delete from tasks where id = 1 returning name')).split('\n').slice(0, 5),
    ).toEqual([
      'Delete on tasks (est. requests=1 per row)',
      '    returning: name',
      '    DELETE /memory/tasks/{id}',
      '  Scan tasks (est. requests=1)',
      '      columns: id, name, project_id, budget, hours, done, due, tags, created_on',
    ]);
  });
});

describe('partial failure', () => {
  const five = "insert into tasks (name, project_id) values ('a', 1), ('b', 1), ('c', 1), ('d', 1), ('e', 1)";

  it('stops at the failed row and reports what was written, with keys, and what was not sent', async () => {
    const { engine, tasks } = world();
    tasks.fault = { call: 3, kind: 'error', code: '22023', message: 'project 1 is archived' };
    const e = await failure(engine.query(five));
    expect([e.code, e.message]).toEqual([
      '22023',
      'INSERT into tasks stopped at row 3 of 5: project 1 is archived',
    ]);
    expect(e.detail).toBe('2 rows were inserted (id 4, 5); rows 4–5 were not sent.');
    expect(tasks.calls).toHaveLength(3);
    expect(tasks.rows.map((r) => r[0])).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps the code and detail of a SqlError from the source', async () => {
    const { engine, tasks } = world();
    tasks.fault = { call: 2, kind: 'sql', code: '53400', message: 'API budget exhausted' };
    const e = await failure(engine.query('update tasks set hours = 1 where id > 0'));
    expect([e.code, e.message, e.detail]).toEqual([
      '53400',
      'UPDATE of tasks stopped at row 2 of 3: API budget exhausted',
      '1 row was updated (id 1); row 3 was not sent.',
    ]);
  });

  it('reports an unknown outcome as 08007, never retrying the row', async () => {
    const { engine, tasks } = world();
    tasks.fault = { call: 2, kind: 'unknown', message: 'timeout after the request was sent' };
    const e = await failure(engine.query(five));
    expect(e.code).toBe('08007');
    expect(e.message).toBe(
      'INSERT into tasks stopped at row 2 of 5: its outcome is unknown (the request was sent but no answer came): timeout after the request was sent',
    );
    expect(e.detail).toBe(
      '1 row was inserted (id 4); row 2 was sent but not confirmed, and was not retried; rows 3–5 were not sent.',
    );
    expect(e.hint).toMatch(/^Check whether row 2 was created in tasks before running the statement again/);
    expect(tasks.calls).toHaveLength(2);
    // The "lost" row was applied upstream: exactly what the report warns about.
    expect(tasks.rows).toHaveLength(5);
  });

  it('names the key of an UPDATE / DELETE row whose outcome is unknown', async () => {
    const { engine, tasks } = world();
    tasks.fault = { call: 1, kind: 'unknown' };
    const e = await failure(engine.query('delete from tasks where id in (2, 3)'));
    expect(e.code).toBe('08007');
    expect(e.detail).toBe(
      'No rows were deleted; row 1 (id 2) was sent but not confirmed, and was not retried; row 2 was not sent.',
    );
    expect(e.hint).toBe(
      'Check whether row 1 (id 2) still exists in tasks before running the statement again.',
    );
  });

  it('passes a single row failure through as the source said it', async () => {
    const { engine, tasks } = world();
    tasks.fault = { call: 1, kind: 'error', code: '23505', message: 'duplicate name' };
    const e = await failure(engine.query("insert into tasks (name, project_id) values ('a', 1)"));
    expect([e.code, e.message, e.detail]).toEqual(['23505', 'duplicate name', undefined]);
  });

  it('stops on cancellation between rows with 57014 and the same report', async () => {
    const { engine, tasks } = world();
    const ac = new AbortController();
    tasks.onCall = (n) => {
      if (n === 2) ac.abort();
    };
    const e = await failure(engine.query(five, [], { signal: ac.signal }));
    expect([e.code, e.message]).toEqual(['57014', 'canceling statement due to user request']);
    expect(e.detail).toBe('2 rows were inserted (id 4, 5); rows 3–5 were not sent.');
    expect(tasks.calls).toHaveLength(2);
  });
});

describe('EXPLAIN of writes', () => {
  it('shows the write and its requests without making any', async () => {
    const { engine, tasks } = world();
    const text = await engine.explain(
      "insert into tasks (name, project_id) values ('a', 1), ('b', 2) returning id",
    );
    expect(text).toBe(
      [
        'Insert on tasks (rows=2, est. requests=2)',
        '    columns: name, project_id',
        '    returning: id',
        '    POST /memory/tasks fields: name, project_id',
        'Estimated requests: 2',
      ].join('\n'),
    );
    const u = await engine.query('explain update tasks set hours = hours + 1 where id = 1');
    expect(u.rows.map((r) => r[0])).toEqual([
      'Update on tasks (est. requests=1 per row)',
      '    set: hours = (tasks.hours + 1)',
      '    PUT /memory/tasks/{id} fields: hours',
      '  Project tasks.id AS id, (tasks.hours + 1) AS hours',
      '    Scan tasks (est. requests=1)',
      '        columns: id, hours',
      '        pushed filters: (tasks.id = 1)',
      '        GET /memory?where=id =',
      'Estimated requests: 1 to read, then 1 per row written',
    ]);
    const d = await engine.explain('delete from tasks');
    expect(d.split('\n')).toEqual([
      'Delete on tasks (est. requests=1 per row)',
      '    DELETE /memory/tasks/{id}',
      '    note: refused when run: DELETE without WHERE would delete every row of tasks',
      '  Scan tasks (est. requests=1)',
      '      columns: id',
      '      GET /memory',
      'Estimated requests: 1 to read, then 1 per row written',
    ]);
    const s = await engine.explain(
      'insert into tasks (name, project_id) select name, 1 from tasks where id = 2',
    );
    expect(s.split('\n')).toEqual([
      'Insert on tasks (est. requests=1 per row)',
      '    columns: name, project_id',
      '    POST /memory/tasks fields: name, project_id',
      '  Project tasks.name AS name, 1 AS ?column?',
      '    Scan tasks (est. requests=1)',
      '        columns: name',
      '        pushed filters: (tasks.id = 2)',
      '        GET /memory?where=id =',
      'Estimated requests: 1 to read, then 1 per row written',
    ]);
    expect(tasks.calls).toEqual([]);
    expect(tasks.requests).toEqual([]);
  });

  it('notes a row cap the statement would hit', async () => {
    const { engine } = world();
    const text = await engine.explain("insert into notes (body) values ('a'), ('b')", { maxWriteRows: 1 });
    expect(text).toContain(
      '    note: refused when run: INSERT into notes would write 2 rows, more than the limit of 1 (paymo.max_write_rows)',
    );
  });

  it('EXPLAIN ANALYZE performs the write and shows rows written and requests', async () => {
    const { engine, tasks } = world();
    const r = await engine.query('explain analyze update tasks set hours = 7 where id in (1, 2)');
    const lines = r.rows.map((x) => String(x[0]));
    expect(lines[0]).toMatch(
      /^Update on tasks \(est\. requests=1 per row\) \(actual rows=2 time=[\d.]+ ms\)$/,
    );
    expect(lines).toContain('    write requests=2 retries=0');
    expect(lines[lines.length - 1]).toBe('Total Requests: 3');
    expect(tasks.calls).toHaveLength(2);
  });
});

describe('results and protocol entry points', () => {
  it('streams, runs in queryMany and describes writes', async () => {
    const { engine, notes } = world();
    const s = await engine.stream("insert into notes (body) values ('s') returning id, body");
    expect(s.command).toBe('INSERT');
    const batches: unknown[][][] = [];
    for await (const b of s) batches.push(b);
    expect(batches).toEqual([[[1, 's']]]);
    expect(s.rowCount).toBe(1);
    const many = await engine.queryMany(
      "insert into notes (body) values ('m'); delete from notes where body = 'm'; select count(*) from notes",
    );
    expect(many.map((m) => [m.command, m.rowCount])).toEqual([
      ['INSERT', 1],
      ['DELETE', 1],
      ['SELECT', 1],
    ]);
    expect(notes.calls.map((c) => c.op)).toEqual(['insert', 'insert', 'delete']);
    expect(
      engine.describe('insert into tasks (name, project_id, due) values ($1, $2, $3) returning id, due'),
    ).toEqual({
      command: 'INSERT',
      fields: [
        { name: 'id', type: 'bigint' },
        { name: 'due', type: 'date' },
      ],
      paramTypes: ['text', 'bigint', 'date'],
    });
    expect(engine.describe('update tasks set hours = $1 where id = $2')).toEqual({
      command: 'UPDATE',
      fields: [],
      paramTypes: ['integer', 'bigint'],
    });
    expect(engine.describe('explain delete from tasks where id = $1')).toMatchObject({
      command: 'EXPLAIN',
      paramTypes: ['bigint'],
    });
    expect(() => engine.plan('delete from tasks where id = 1')).toThrow(
      expect.objectContaining({ code: '0A000' }),
    );
  });
});

describe('COPY FROM', () => {
  it('takes the assignable columns by default, converts text input and writes every row', async () => {
    const { engine, tasks } = world();
    const c = engine.copyFrom('tasks', undefined);
    expect(c.columns).toEqual(['name', 'project_id', 'budget', 'hours', 'done', 'due', 'tags']);
    c.write([['n1', '5', '1.5', '3', 't', '2024-01-01', '{x,y}']]);
    c.write([['n2', '6', null, null, null, null, null]]);
    expect(tasks.calls).toEqual([]);
    expect(await c.end()).toEqual({ command: 'COPY', rowCount: 2, fields: [], rows: [] });
    expect(tasks.calls).toEqual([
      {
        op: 'insert',
        values: {
          name: 'n1',
          project_id: 5,
          budget: 1.5,
          hours: 3,
          done: true,
          due: '2024-01-01',
          tags: ['x', 'y'],
        },
      },
      {
        op: 'insert',
        values: { name: 'n2', project_id: 6, budget: null, hours: null, done: null, due: null, tags: null },
      },
    ]);
  });

  it('resolves the table name as written in SQL', async () => {
    const { engine } = world();
    expect(engine.copyFrom('public."tasks"', ['name', 'project_id']).columns).toEqual(['name', 'project_id']);
    expect(engine.copyFrom('TASKS', ['name', 'project_id']).columns).toEqual(['name', 'project_id']);
  });

  it('refuses a bad table or column before any data', () => {
    const { engine } = world();
    const code = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        return `${(e as SqlError).code} ${(e as SqlError).message}`;
      }
      return 'ok';
    };
    expect(code(() => engine.copyFrom('nope', undefined))).toBe('42P01 relation "nope" does not exist');
    expect(code(() => engine.copyFrom('company', undefined))).toBe(
      '0A000 cannot INSERT into table "company": it allows UPDATE only',
    );
    expect(code(() => engine.copyFrom('tasks', ['name', 'nope']))).toBe(
      '42703 column "nope" of relation "tasks" does not exist',
    );
    expect(code(() => engine.copyFrom('tasks', ['name', 'name']))).toBe(
      '42701 column "name" specified more than once',
    );
    expect(code(() => engine.copyFrom('tasks', ['id', 'name']))).toBe(
      '428C9 cannot insert a non-DEFAULT value into column "id"',
    );
    expect(code(() => engine.copyFrom('tasks', ['name']))).toBe(
      '23502 null value in column "project_id" of relation "tasks" violates not-null constraint',
    );
  });

  it('checks all rows before writing: bad input, NULL into required, source rules, the row cap', async () => {
    const { engine, tasks } = world();
    const run = async (rows: (string | null)[][], opts: QueryOptions = {}) => {
      const c = engine.copyFrom('tasks', ['name', 'project_id', 'budget'], opts);
      c.write(rows);
      const e = await failure(c.end());
      return `${e.code} ${e.message}`;
    };
    expect(
      await run([
        ['a', '1', null],
        ['b', 'x', null],
      ]),
    ).toBe('22P02 invalid input syntax for type bigint: "x" (column "project_id", row 2 of 2)');
    expect(
      await run([
        ['a', '1', null],
        ['b', '', null],
      ]),
    ).toBe('22P02 invalid input syntax for type bigint: "" (column "project_id", row 2 of 2)');
    expect(await run([['a', null, null]])).toBe(
      '23502 null value in column "project_id" of relation "tasks" violates not-null constraint',
    );
    expect(
      await run([
        ['a', '1', '0'],
        ['b', '1', '1'],
      ]),
    ).toBe('23514 budget must be greater than 0 (row 1 of 2)');
    expect(
      await run([
        ['a', '1'],
        ['b', '1', '1'],
      ]),
    ).toBe('22P04 missing data for column "budget" (row 1 of 2)');
    expect(
      await run(
        [
          ['a', '1', null],
          ['b', '1', null],
        ],
        { maxWriteRows: 1 },
      ),
    ).toBe('53400 COPY tasks would write 2 rows, more than the limit of 1 (paymo.max_write_rows)');
    expect(tasks.calls).toEqual([]);
  });

  it('reports a partial failure and writes nothing after an abort', async () => {
    const { engine, tasks } = world();
    tasks.fault = { call: 2, kind: 'error', code: '22023', message: 'rejected' };
    const c = engine.copyFrom('tasks', ['name', 'project_id']);
    c.write([
      ['a', '1'],
      ['b', '1'],
      ['c', '1'],
    ]);
    const e = await failure(c.end());
    expect([e.code, e.message, e.detail]).toEqual([
      '22023',
      'COPY tasks stopped at row 2 of 3: rejected',
      '1 row was inserted (id 4); row 3 was not sent.',
    ]);
    tasks.fault = undefined;
    const d = engine.copyFrom('tasks', ['name', 'project_id']);
    d.write([['z', '1']]);
    d.abort('client sent CopyFail');
    expect((await failure(d.end())).code).toBe('57014');
    expect(tasks.calls).toHaveLength(2);
  });
});
