import { describe, expect, it } from 'vitest';
import { SqlError } from '../../src/errors.js';
import { fixture } from './fixture.js';

// SQLSTATEs and messages as PostgreSQL 15 reports them for the same statements.
const CASES: [string, string, string | RegExp][] = [
  ['select * from nope', '42P01', 'relation "nope" does not exist'],
  ['select nope from tasks', '42703', 'column "nope" does not exist'],
  ['select t.nope from tasks t', '42703', 'column t.nope does not exist'],
  ['select x.id from tasks', '42P01', 'missing FROM-clause entry for table "x"'],
  [
    'select id from tasks t join projects p on p.id = t.project_id',
    '42702',
    'column reference "id" is ambiguous',
  ],
  ['select * fromm tasks', '42601', 'syntax error at or near "fromm"'],
  ['select (1', '42601', /syntax error/],
  ["select 'unterminated", '42601', 'unterminated quoted string'],
  ['select 1/0', '22012', 'division by zero'],
  ['select 5 % 0', '22012', 'division by zero'],
  ['select minutes / (minutes - minutes) from entries', '22012', 'division by zero'],
  ["select 'abc'::int", '22P02', 'invalid input syntax for type integer: "abc"'],
  ["select cast('x1' as bigint)", '22P02', 'invalid input syntax for type bigint: "x1"'],
  ["select 'maybe'::boolean", '22P02', 'invalid input syntax for type boolean: "maybe"'],
  ["select '2024-13-01'::date", '22008', 'date/time field value out of range: "2024-13-01"'],
  ["select 'abc'::interval", '22007', 'invalid input syntax for type interval: "abc"'],
  ['select name::int from tasks', '22P02', /invalid input syntax for type integer/],
  ['select 2147483647 + 1', '22003', 'integer out of range'],
  [
    'select name, count(*) from tasks',
    '42803',
    'column "tasks.name" must appear in the GROUP BY clause or be used in an aggregate function',
  ],
  ['select id from tasks where count(*) > 1', '42803', 'aggregate functions are not allowed in WHERE'],
  [
    'select (select id from tasks)',
    '21000',
    'more than one row returned by a subquery used as an expression',
  ],
  ['select foo(1)', '42883', 'function foo(integer) does not exist'],
  ['select sum(name) from tasks', '42883', 'function sum(text) does not exist'],
  ['select id from tasks where name = 1', '42883', 'operator does not exist: text = integer'],
  [
    "select case when true then 1 else 'a'::text end",
    '42804',
    'CASE types text and integer cannot be matched',
  ],
  ['select id from tasks where 1', '42804', 'argument of WHERE must be type boolean, not type integer'],
  ['select * from tasks t, projects t', '42712', 'table name "t" specified more than once'],
  ['select id from tasks order by 9', '42P10', 'ORDER BY position 9 is not in select list'],
  ['select id from tasks union select id, name from tasks', '42601', /same number of columns/],
  ['select 1 from tasks where id = $1', '42P02', 'there is no parameter $1'],
  // Constructs the engine does not implement: 0A000 naming the construct.
  ['select * from tasks t right join lateral (select t.id) x on true', '42601', /LATERAL/],
  ['select * from tasks natural join projects', '0A000', /NATURAL JOIN/],
  ['select project_id from tasks group by rollup(project_id)', '0A000', /ROLLUP/],
  [
    'select sum(id) over (order by id range between 1 preceding and current row) from tasks',
    '0A000',
    /RANGE/,
  ],
  ["select name similar to 'a%' from tasks", '0A000', /SIMILAR TO/],
  ['insert into tasks (id) values (1)', '0A000', /table "tasks" is read-only/],
  ['select 2 #> 3', '0A000', /operator #>/],
  ["select 'x'::time", '0A000', /type "time"/],
  // PostgreSQL would run forever; the engine stops a runaway recursion.
  [
    'with recursive r(n) as (select 1 union all select n + 1 from r) select * from r',
    '54001',
    /did not terminate/,
  ],
];

describe('errors carry PostgreSQL SQLSTATEs', () => {
  const { engine } = fixture();
  for (const [sql, code, message] of CASES) {
    it(`${code}: ${sql}`, async () => {
      const err = await engine.query(sql).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SqlError);
      expect((err as SqlError).code).toBe(code);
      if (typeof message === 'string') expect((err as SqlError).message).toBe(message);
      else expect((err as SqlError).message).toMatch(message);
    });
  }

  it('reports a 1-based position for syntax errors, pointing into the original text', async () => {
    const err = (await engine.query('select * fromm tasks').catch((e: unknown) => e)) as SqlError;
    expect(err.position).toBe(10);
    const err2 = (await engine
      .query("select 'é', E'\\n' , * fromm tasks")
      .catch((e: unknown) => e)) as SqlError;
    expect(err2.position).toBe(23);
  });

  it('names the alternatives when a table is unknown', async () => {
    const err = (await engine.query('select * from task').catch((e: unknown) => e)) as SqlError;
    expect(err.hint).toContain('tasks');
  });

  it('cancels a running query through its AbortSignal with 57014', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(engine.query('select * from tasks', [], { signal: ac.signal })).rejects.toMatchObject({
      code: '57014',
    });
  });

  it('stops a long stream when the signal fires mid-way', async () => {
    const ac = new AbortController();
    const s = await engine.stream('select * from generate_series(1, 10000000) g', [], { signal: ac.signal });
    let batches = 0;
    const run = async () => {
      for await (const _ of s) {
        batches++;
        if (batches === 3) ac.abort();
      }
    };
    await expect(run()).rejects.toMatchObject({ code: '57014' });
    expect(batches).toBe(3);
  });
});

describe('error positions across statements', () => {
  it('counts from the start of the whole text, through EXPLAIN and earlier statements', async () => {
    const { engine } = fixture();
    const a = (await engine.query('explain select * fromm tasks').catch((e: unknown) => e)) as SqlError;
    expect(a.position).toBe(18);
    const b = (await engine.queryMany('select 1; select * fromm tasks').catch((e: unknown) => e)) as SqlError;
    expect(b.position).toBe(20);
  });
});

describe('more PostgreSQL corner cases', () => {
  const { engine } = fixture();
  const code = async (sql: string) => ((await engine.query(sql).catch((e: unknown) => e)) as SqlError).code;

  it('matches PostgreSQL on error codes for misuse', async () => {
    expect(await code('select row_number() from tasks')).toBe('42809');
    expect(await code('select ntile(0) over () from tasks')).toBe('22014');
    expect(await code('select power(0, -1)')).toBe('2201F');
    expect(await code('select 1::jsonb')).toBe('42804');
    expect(await code('select id from tasks having id > 1')).toBe('42803');
  });

  it('answers what PostgreSQL answers', async () => {
    expect((await engine.query('select * from tasks limit 1.5')).rowCount).toBe(2);
    expect((await engine.query("select 'NaN'::float8 = 'NaN'::float8")).rows).toEqual([[true]]);
    expect((await engine.query('select max(tags) from projects')).rows).toEqual([[['web', 'design']]]);
  });
});
