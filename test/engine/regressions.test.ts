import { describe, expect, it } from 'vitest';
import { SqlError } from '../../src/errors.js';
import { TopN } from '../../src/exec/sort.js';
import { fixture, text } from './fixture.js';

// Bugs found by the differential and grammar suites, one case each. Every expectation was checked
// against PostgreSQL 15 loaded with fixtureSql() (session TimeZone UTC, C collation).

/** [sql, column names, column types, rows as text] */
const ANSWERS: [string, string[], string[], (string | null)[][]][] = [
  // A parenthesised set-operation branch keeps its own ORDER BY / LIMIT.
  [
    '(select id from tasks order by id limit 2) union all (select id from tasks order by id desc limit 2) order by 1',
    ['id'],
    ['bigint'],
    [['100'], ['101'], ['107'], ['108']],
  ],
  ['select 1 union all (select 2 order by 1 limit 1)', ['?column?'], ['integer'], [['1'], ['2']]],
  ['(select 1) union all (select 2 limit 3) order by 1 limit 1 offset 1', ['?column?'], ['integer'], [['2']]],
  [
    '(select id from tasks order by id limit 2) union all select id from tasks order by 1 desc limit 3',
    ['id'],
    ['bigint'],
    [['108'], ['107'], ['106']],
  ],
  // Semi-join pushdown through a CTE's projection (the key column is renamed on the way down).
  [
    'with b as (select task_id from entries) select count(*) from tasks where complete and id in (select task_id from b)',
    ['count'],
    ['bigint'],
    [['3']],
  ],
  [
    'with p as (select id, name from projects where billable) select name from p where id in (select project_id from tasks where priority = 1) order by name',
    ['name'],
    ['text'],
    [['App'], ['Audit'], ['Website']],
  ],
  // NOT binds looser than IS, comparisons, IN and arithmetic, even before a parenthesis.
  [
    'select not (1 > 2) is false as a, not (true) = false as b, not (false) and false as c, (not (true)) is false as d, not (1) + 1 > 3 as e, not (1) in (1, 2) as f',
    ['a', 'b', 'c', 'd', 'e', 'f'],
    ['boolean', 'boolean', 'boolean', 'boolean', 'boolean', 'boolean'],
    [['f', 't', 'f', 't', 't', 'f']],
  ],
  [
    "select count(*) from entries where not (entry_date > '2023-03-01') is false",
    ['count'],
    ['bigint'],
    [['6']],
  ],
  // CROSS JOIN after a table without an alias (the parser took CROSS for the alias).
  ['select count(*) from clients cross join projects', ['count'], ['bigint'], [['25']]],
  [
    'select count(*) from clients cross join projects join tasks on tasks.project_id = projects.id',
    ['count'],
    ['bigint'],
    [['45']],
  ],
  // Text orders by code point (C collation): U+FF5A before U+1F600, though JavaScript's `<` says otherwise.
  ["select x from (values ('ｚ'), ('😀'), ('z')) v(x) order by x", ['x'], ['text'], [['z'], ['ｚ'], ['😀']]],
  [
    "select 'ｚ' < '😀' as lt, max(x), min(x), greatest('ｚ', '😀') as g from (values ('ｚ'), ('😀'), ('z')) v(x)",
    ['lt', 'max', 'min', 'g'],
    ['boolean', 'text', 'text', 'text'],
    [['t', '😀', 'z', '😀']],
  ],
  ["select x from (values ('ｚ'), ('😀'), ('z')) v(x) where x > 'ｚ'", ['x'], ['text'], [['😀']]],
  // jsonb keys: shorter in UTF-8 bytes first, then bytewise.
  [
    'select \'{"é": 1, "bb": 2, "c": 3, "😀": 4, "ééé": 5, "abcd": 6}\'::jsonb as j',
    ['j'],
    ['jsonb'],
    [['{"c": 3, "bb": 2, "é": 1, "abcd": 6, "😀": 4, "ééé": 5}']],
  ],
  // Casts: int2/int4/int8 and float4/float8 names, arrays of every type, `-5::int8` is -(5::int8).
  [
    "select (-5)::int8, -5::int8, 9007199254740991::int8 as big, pg_typeof(array[10, 20]::int8[]) as t, '{t,f}'::boolean[] as b, '{2024-01-01}'::date[] as d, 1 as isnull",
    ['int8', '?column?', 'big', 't', 'b', 'd', 'isnull'],
    ['bigint', 'bigint', 'bigint', 'text', 'boolean[]', 'date[]', 'integer'],
    [['-5', '-5', '9007199254740991', 'bigint[]', '{t,f}', '{2024-01-01}', '1']],
  ],
  // A cast's column is named after the type's internal name unless its operand has a better name.
  [
    "select 1.5::float8, 2.5::float8::int, (1 + 2)::int, 1::real, 1::smallint, 'x'::character varying, array[1]::int[], name::varchar from clients where id = 1",
    ['float8', 'int4', 'int4', 'float4', 'int2', 'varchar', 'array', 'name'],
    ['double precision', 'integer', 'integer', 'double precision', 'integer', 'text', 'integer[]', 'text'],
    [['1.5', '2', '3', '1', '1', 'x', '{1}', 'Acme Corp']],
  ],
  // double precision → integer rounds half to even; numeric → integer half away from zero.
  [
    'select 2.5::float8::int as a, 3.5::float8::int as b, (-2.5)::float8::int as c, (-3.5)::float8::bigint as d, 2.5::int as e, (-2.5)::numeric::int as f',
    ['a', 'b', 'c', 'd', 'e', 'f'],
    ['integer', 'integer', 'integer', 'bigint', 'integer', 'integer'],
    [['2', '4', '-2', '-4', '3', '-3']],
  ],
  [
    "select pg_typeof(1) as a, pg_typeof('x') as b, pg_typeof(now()) as c, pg_typeof(created_at::timestamp) as d, pg_typeof(tags) as e from projects where id = 10",
    ['a', 'b', 'c', 'd', 'e'],
    ['text', 'text', 'text', 'text', 'text'],
    [['integer', 'unknown', 'timestamp with time zone', 'timestamp without time zone', 'text[]']],
  ],
  // Integer arguments resolve to the double precision versions; numeric ones stay numeric.
  [
    'select pg_typeof(power(2, 8)) as a, pg_typeof(power(2.0, 8)) as b, pg_typeof(sqrt(16)) as c, pg_typeof(sqrt(16.0)) as d, pg_typeof(sign(-4)) as e, pg_typeof(round(1)) as f, pg_typeof(log(2, 8)) as g, pg_typeof(power(2, 0.5)) as h',
    ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
    ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'text'],
    [
      [
        'double precision',
        'numeric',
        'double precision',
        'numeric',
        'double precision',
        'double precision',
        'numeric',
        'numeric',
      ],
    ],
  ],
  // numeric never prints an exponent; double precision switches to one at e-05 and e+15.
  [
    "select 1e21::numeric as a, 0.0000001::numeric as b, 1e15::float8 as c, 1e14::float8 as d, 0.00001::float8 as e, '-0'::float8 as f, power(2, 60) as g, 2 ^ 70 as h",
    ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
    [
      'numeric',
      'numeric',
      'double precision',
      'double precision',
      'double precision',
      'double precision',
      'double precision',
      'double precision',
    ],
    [
      [
        '1000000000000000000000',
        '0.0000001',
        '1e+15',
        '100000000000000',
        '1e-05',
        '-0',
        '1.152921504606847e+18',
        '1.1805916207174113e+21',
      ],
    ],
  ],
  [
    'select -1e15::float8, -1.5e-7::numeric',
    ['?column?', '?column?'],
    ['double precision', 'numeric'],
    [['-1e+15', '-0.00000015']],
  ],
  // FILTER after the aggregates the grammar only knows as plain functions (bool_and, stddev, …).
  [
    'select bool_and(complete) filter (where priority = 1) as a, bool_or(complete) filter (where priority is null) as b, every(complete) filter (where true) as d, bool_or(complete) filter (where false) as e from tasks',
    ['a', 'b', 'd', 'e'],
    ['boolean', 'boolean', 'boolean', 'boolean'],
    [['f', 'f', 'f', null]],
  ],
  [
    "select project_id, bool_or(complete) filter (where due_date > '2023-03-01') from tasks group by 1 order by 1",
    ['project_id', 'bool_or'],
    ['bigint', 'boolean'],
    [
      ['10', 'f'],
      ['11', 't'],
      ['12', 't'],
      ['13', null],
      ['14', 'f'],
    ],
  ],
  [
    'select null::bool is unknown as a, true is not unknown as b, count(*) filter (where (priority > 1) is unknown) as c from tasks',
    ['a', 'b', 'c'],
    ['boolean', 'boolean', 'bigint'],
    [['t', 't', '2']],
  ],
  ["select id from tasks order by id limit '2'", ['id'], ['bigint'], [['100'], ['101']]],
  // GROUP BY (): one group over all rows, even over no rows.
  [
    'select count(*), sum(priority) from tasks where false group by ()',
    ['count', 'sum'],
    ['bigint', 'bigint'],
    [['0', null]],
  ],
  ['select 1 as one from tasks group by ()', ['one'], ['integer'], [['1']]],
  // count(DISTINCT (a, b)) counts distinct row values, NULL fields included.
  [
    'select count(distinct (project_id, priority)) as a, count(distinct (1, 2)) as b, count((project_id, priority)) as c from tasks',
    ['a', 'b', 'c'],
    ['bigint', 'bigint', 'bigint'],
    [['8', '1', '9']],
  ],
  // lower() maps character by character, like PostgreSQL (no final sigma, İ → i).
  [
    "select lower('İSTANBUL') as a, lower('ΣΑΣ') as b, lower('ΟΔΟΣ ΑΣ') as c, upper('straße') as d, lower('ÀÉÎ') as e",
    ['a', 'b', 'c', 'd', 'e'],
    ['text', 'text', 'text', 'text', 'text'],
    [['istanbul', 'σασ', 'οδοσ ασ', 'STRAßE', 'àéî']],
  ],
  // Intervals: `ms` is milliseconds, fractions cascade, microseconds kept, signs of mixed fields shown.
  [
    "select interval '1.25 ms' as a, interval '500 ms' as b, interval '5 us' as c, interval '-1 day 2 hours' as d, interval '1 day -3 hours' as e, interval '-1 mon 2 days' as f, interval '-1 year 2 mons -3 days 04:00' as g, interval '1 sec' / 3 as h",
    ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
    ['interval', 'interval', 'interval', 'interval', 'interval', 'interval', 'interval', 'interval'],
    [
      [
        '00:00:00.00125',
        '00:00:00.5',
        '00:00:00.000005',
        '-1 days +02:00:00',
        '1 day -03:00:00',
        '-1 mons +2 days',
        '-10 mons -3 days +04:00:00',
        '00:00:00.333333',
      ],
    ],
  ],
  [
    "select interval '1.5 days' as a, interval '1.5 months' as b, interval '1.7 years' as c, interval '0.5 weeks' as d, interval '-1.5 days' as e, interval '2.5 mons 1.5 days' as f",
    ['a', 'b', 'c', 'd', 'e', 'f'],
    ['interval', 'interval', 'interval', 'interval', 'interval', 'interval'],
    [
      [
        '1 day 12:00:00',
        '1 mon 15 days',
        '1 year 8 mons',
        '3 days 12:00:00',
        '-1 days -12:00:00',
        '2 mons 16 days 12:00:00',
      ],
    ],
  ],
  [
    "select avg(started_at - timestamptz '2023-01-01') as a, avg(interval '1 mon' * minutes) as b, sum(interval '1 ms' * minutes) / 7 as c, timestamptz '2024-01-01' + interval '1.5 ms' as d from entries",
    ['a', 'b', 'c', 'd'],
    ['interval', 'interval', 'interval', 'timestamptz'],
    [['116 days 19:57:00', '9 years 3 mons', '00:00:00.158571', '2024-01-01 00:00:00.0015+00']],
  ],
  [
    "select to_char(date '2026-03-01', 'WW') as ww, to_char(date '2026-03-01', 'ID') as id, to_char(date '2026-03-01', 'J') as j, to_char(date '2026-01-07', 'WW W IDDD FMWW') as x, to_char(timestamptz '2026-12-31 23:00', 'WW ID J W IDDD') as y",
    ['ww', 'id', 'j', 'x', 'y'],
    ['text', 'text', 'text', 'text', 'text'],
    [['09', '7', '2461101', '01 1 010 1', '53 4 2461406 5 368']],
  ],
  // substring(s FROM pattern) with a text pattern is a POSIX regular expression (first group if any).
  [
    "select substring('INV-2026-17' from '[0-9]+') as a, substring('INV-2026-17', '[0-9]+') as b, substring('abcdef' from '2') as c, substring('abcdef', 2) as d, substring('INV-2026-17' from '-([0-9]+)-') as e, substring('abcdef' from 2 for 3) as f",
    ['a', 'b', 'c', 'd', 'e', 'f'],
    ['text', 'text', 'text', 'text', 'text', 'text'],
    [['2026', '2026', null, 'bcdef', '2026', 'bcd']],
  ],
  // A top-level jsonb scalar answers -> 0 and -> -1 with itself (stored as a one-element array).
  [
    "select '\"all\"'::jsonb ->> 0 as a, '\"all\"'::jsonb -> 0 as b, '\"all\"'::jsonb -> 1 as c, '5'::jsonb -> -1 as d, '{\"0\": 1}'::jsonb ->> 0 as e, jsonb_extract_path_text('\"all\"'::jsonb, '0') as f",
    ['a', 'b', 'c', 'd', 'e', 'f'],
    ['text', 'jsonb', 'jsonb', 'jsonb', 'text', 'text'],
    [['all', '"all"', null, '5', null, null]],
  ],
];

/** [sql, SQLSTATE, message] as PostgreSQL reports them (our wording where the construct is refused on purpose). */
const ERRORS: [string, string, string | RegExp][] = [
  ["select id from tasks limit 'x'", '22P02', 'invalid input syntax for type bigint: "x"'],
  ["select id from tasks offset '1.5'", '22P02', 'invalid input syntax for type bigint: "1.5"'],
  [
    'select id from tasks where row_number() over () > 1',
    '42P20',
    'window functions are not allowed in WHERE',
  ],
  [
    'select id from tasks group by row_number() over ()',
    '42P20',
    'window functions are not allowed in GROUP BY',
  ],
  [
    'select sum(row_number() over ()) from tasks',
    '42803',
    'aggregate function calls cannot contain window function calls',
  ],
  [
    'select id from tasks where project_id = any(5)',
    '42809',
    'op ANY/ALL (array) requires array on right side',
  ],
  ['select 1 is unknown', '42804', 'argument of IS UNKNOWN must be type boolean, not type integer'],
  // Paymo has no row locks and we do not sample: refuse rather than silently ignore.
  ['select id from tasks for update', '0A000', 'FOR UPDATE is not supported'],
  ['select id from tasks for share', '0A000', 'FOR SHARE is not supported'],
  ['select id from tasks for no key update skip locked', '0A000', 'FOR NO KEY UPDATE is not supported'],
  ['select * from (select id from tasks for key share) x', '0A000', 'FOR KEY SHARE is not supported'],
  ['select * from tasks tablesample system (10)', '0A000', 'TABLESAMPLE is not supported'],
  [
    'select * from tasks t tablesample bernoulli (10) repeatable (1)',
    '0A000',
    'TABLESAMPLE is not supported',
  ],
];

describe('regressions (answers checked against PostgreSQL)', () => {
  const on = fixture();
  const off = fixture({ pushdown: false });
  for (const [sql, names, types, rows] of ANSWERS) {
    it(sql, async () => {
      for (const f of [on, off]) {
        const r = await f.engine.query(sql);
        expect(r.fields.map((x) => x.name)).toEqual(names);
        expect(r.fields.map((x) => x.type)).toEqual(types);
        expect(text(r)).toEqual(rows);
      }
    });
  }
  it('explains a semi-join pushed through a CTE projection', async () => {
    const plan = await on.engine.explain(
      'with p as (select id, name from projects where billable) select name from p where id in (select project_id from tasks where priority = 1)',
    );
    expect(plan).toContain('dynamic filter: project_id IN (keys from join)');
  });
  for (const [sql, code, message] of ERRORS) {
    it(`${sql} → ${code}`, async () => {
      const err = await on.engine.query(sql).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SqlError);
      expect((err as SqlError).code).toBe(code);
      if (typeof message === 'string') expect((err as SqlError).message).toBe(message);
      else expect((err as SqlError).message).toMatch(message);
    });
  }
});

describe('TopN (ORDER BY … LIMIT k)', () => {
  it('keeps the first k in stable sort order for small and large k', () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({ key: (i * 7919) % 97, i }));
    const cmp = (a: { key: number }, b: { key: number }) => a.key - b.key;
    const expected = [...items].sort(cmp);
    for (const k of [0, 1, 10, 256, 257, 1000, 4999, 5000, 6000]) {
      const top = new TopN(k, cmp);
      for (const it of items) top.push(it);
      expect(top.result()).toEqual(expected.slice(0, k));
    }
  });
});

describe('parameters', () => {
  it('subscripts an array parameter', async () => {
    const { engine } = fixture();
    const r = await engine.query('select $1[1] as a, $1[2] + 1 as b', [[5, 6]]);
    expect(text(r)).toEqual([['5', '7']]);
    const ids = await engine.query('select id from tasks where id = $1[2]', [[100, 101]]);
    expect(text(ids)).toEqual([['101']]);
  });
});

describe('cancelling a CPU-only statement', () => {
  it('lets the event loop in while it computes, so an abort stops it (57014)', async () => {
    const { engine } = fixture();
    const ac = new AbortController();
    const started = performance.now();
    let firedAfter = -1;
    // A timer can only fire if the executor yields: nothing here waits for I/O.
    setTimeout(() => {
      firedAfter = performance.now() - started;
      ac.abort();
    }, 20);
    const err = await engine
      .query('select count(*) from generate_series(1, 3000) a cross join generate_series(1, 3000) b', [], {
        signal: ac.signal,
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(firedAfter).toBeGreaterThanOrEqual(0);
    expect((err as SqlError).code).toBe('57014');
  });
});
