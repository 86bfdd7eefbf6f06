import { describe, expect, it } from 'vitest';
import { fixture, text } from './fixture.js';

// Every expectation below was checked against PostgreSQL 15 loaded with fixtureSql() (session
// TimeZone UTC, C collation); numeric values print without PostgreSQL's trailing scale zeros.
const CASES: [string, (string | null)[][]][] = [
  [
    'select id, name from clients order by id',
    [
      ['1', 'Acme Corp'],
      ['2', 'Ærø Design'],
      ['3', 'Zürich AG'],
      ['4', 'beta llc'],
      ['5', 'Ωmega'],
    ],
  ],
  [
    "select name, city from clients where city = 'Berlin' order by name",
    [
      ['Acme Corp', 'Berlin'],
      ['beta llc', 'Berlin'],
    ],
  ],
  ['select count(*) from tasks', [['9']]],
  [
    'select project_id, count(*), sum(priority), avg(priority), min(due_date), max(name) from tasks group by project_id order by project_id',
    [
      ['10', '3', '3', '1.5', '2023-02-15', 'QA'],
      ['11', '2', '4', '2', '2023-06-15', 'iOS build'],
      ['12', '2', '4', '2', '2023-04-20', 'Logo'],
      ['13', '1', null, null, '2023-01-10', 'Team offsite'],
      ['14', '1', '1', '1', '2024-04-01', 'Review ledgers'],
    ],
  ],
  [
    'select t.name, p.name from tasks t join projects p on p.id = t.project_id where p.client_id = 1 order by t.id',
    [
      ['Design mockups', 'Website'],
      ['Build frontend', 'Website'],
      ['QA', 'Website'],
      ['iOS build', 'App'],
      ['Android build', 'App'],
    ],
  ],
  ['select 7 / 2, 7 % 3, -7 / 2, 7.0 / 2, 1 + 2 * 3', [['3', '1', '-3', '3.5', '7']]],
  [
    'select c.name, count(p.id) from clients c left join projects p on p.client_id = c.id group by c.name order by c.name',
    [
      ['Acme Corp', '2'],
      ['Zürich AG', '1'],
      ['beta llc', '0'],
      ['Ærø Design', '1'],
      ['Ωmega', '0'],
    ],
  ],
  [
    'select name from clients order by name desc',
    [['Ωmega'], ['Ærø Design'], ['beta llc'], ['Zürich AG'], ['Acme Corp']],
  ],
  [
    'select name, city from clients order by city nulls first, name',
    [
      ['Zürich AG', null],
      ['Ωmega', 'Athens'],
      ['Acme Corp', 'Berlin'],
      ['beta llc', 'Berlin'],
      ['Ærø Design', 'Copenhagen'],
    ],
  ],
  [
    "select * from tasks where due_date > '2023-04-01' order by id",
    [
      ['103', 'iOS build', '11', 'f', '2023-07-01', '1'],
      ['104', 'Android build', '11', 't', '2023-06-15', '3'],
      ['105', 'Logo', '12', 't', '2023-04-20', '2'],
      ['107', 'Review ledgers', '14', 'f', '2024-04-01', '1'],
      ['108', 'Café menu', '12', 'f', '2023-05-05', '2'],
    ],
  ],
  [
    'select distinct user_name from entries order by 1',
    [['ann'], ['bob'], ['cé'], ['dan'], ['eve'], ['zed']],
  ],
  [
    'select id, name from clients where active is not true order by id',
    [
      ['3', 'Zürich AG'],
      ['5', 'Ωmega'],
    ],
  ],
  ['select id from clients where active is distinct from true order by id', [['3'], ['5']]],
  ['select id from clients where active is not distinct from null order by id', [['5']]],
  [
    "select id, name from clients where name like '%a%' order by id",
    [
      ['4', 'beta llc'],
      ['5', 'Ωmega'],
    ],
  ],
  [
    "select id, name from clients where name ilike '%A%' order by id",
    [
      ['1', 'Acme Corp'],
      ['3', 'Zürich AG'],
      ['4', 'beta llc'],
      ['5', 'Ωmega'],
    ],
  ],
  [
    "select id, name from clients where name not like 'A%' order by id",
    [
      ['2', 'Ærø Design'],
      ['3', 'Zürich AG'],
      ['4', 'beta llc'],
      ['5', 'Ωmega'],
    ],
  ],
  ['select id from tasks where priority in (1, 3) order by id', [['100'], ['103'], ['104'], ['107']]],
  ['select id from tasks where priority not in (1, null) order by id', []],
  ['select id from tasks where priority not in (1, 3) order by id', [['101'], ['105'], ['108']]],
  ['select id from tasks where priority between 2 and 3 order by id', [['101'], ['104'], ['105'], ['108']]],
  ['select id from tasks where priority not between 2 and 3 order by id', [['100'], ['103'], ['107']]],
  [
    'select id, priority from tasks order by priority desc, id',
    [
      ['102', null],
      ['106', null],
      ['104', '3'],
      ['101', '2'],
      ['105', '2'],
      ['108', '2'],
      ['100', '1'],
      ['103', '1'],
      ['107', '1'],
    ],
  ],
  [
    'select id, priority from tasks order by priority asc nulls first, id',
    [
      ['102', null],
      ['106', null],
      ['100', '1'],
      ['103', '1'],
      ['107', '1'],
      ['101', '2'],
      ['105', '2'],
      ['108', '2'],
      ['104', '3'],
    ],
  ],
  [
    'select name, lower(name), upper(name), length(name) from clients order by id',
    [
      ['Acme Corp', 'acme corp', 'ACME CORP', '9'],
      ['Ærø Design', 'ærø design', 'ÆRØ DESIGN', '10'],
      ['Zürich AG', 'zürich ag', 'ZÜRICH AG', '9'],
      ['beta llc', 'beta llc', 'BETA LLC', '8'],
      ['Ωmega', 'ωmega', 'ΩMEGA', '5'],
    ],
  ],
  [
    'select substring(name from 2 for 3), substr(name, 2), left(name, 3), right(name, 2) from clients order by id',
    [
      ['cme', 'cme Corp', 'Acm', 'rp'],
      ['rø ', 'rø Design', 'Ærø', 'gn'],
      ['üri', 'ürich AG', 'Zür', 'AG'],
      ['eta', 'eta llc', 'bet', 'lc'],
      ['meg', 'mega', 'Ωme', 'ga'],
    ],
  ],
  [
    "select trim('  x  '), ltrim('xxaxx', 'x'), rtrim('xxaxx', 'x'), btrim('  y '), trim(both 'x' from 'xxzxx'), trim(leading 'x' from 'xxzxx')",
    [['x', 'axx', 'xxa', 'y', 'z', 'zxx']],
  ],
  [
    "select replace('abcabc', 'b', 'XY'), split_part('a,b,c', ',', 2), position('c' in 'abcabc'), lpad('7', 3, '0'), rpad('ab', 5, '*'), lpad('abcdef', 3)",
    [['aXYcaXYc', 'b', '3', '007', 'ab***', 'abc']],
  ],
  [
    'select round(2.5), round(-2.5), round(2.345, 2), abs(-3), ceil(2.1), floor(-2.1), trunc(2.7), mod(7, 3), power(2, 10), sqrt(16)',
    [['3', '-3', '2.35', '3', '3', '-3', '2', '1', '1024', '4']],
  ],
  [
    'select coalesce(null, 2, 3), nullif(1, 1), nullif(1, 2), greatest(1, 5, 3), least(4, 2, null)',
    [['2', null, '1', '5', '2']],
  ],
  [
    "select concat('a', null, 1, true), 'x' || 'y', 'n' || 1, concat_ws('-', 'a', null, 'b')",
    [['a1t', 'xy', 'n1', 'a-b']],
  ],
  [
    "select cast('12' as integer) + 1, '3'::int * 2, 5::text || 'x', cast(3.7 as integer), '2024-02-29'::date + 1",
    [['13', '6', '5x', '4', '2024-03-01']],
  ],
  [
    "select date '2024-03-01' - date '2024-02-01', date '2024-01-31' + interval '1 month', timestamp '2024-01-01 10:00' + interval '90 minutes'",
    [['29', '2024-02-29 00:00:00', '2024-01-01 11:30:00']],
  ],
  [
    "select extract(year from date '2024-05-06'), extract(month from timestamp '2024-05-06 07:08:09'), extract(dow from date '2024-05-06'), date_part('hour', timestamptz '2024-05-06 07:08:09+00')",
    [['2024', '5', '1', '7']],
  ],
  [
    "select date_trunc('month', timestamptz '2024-05-06 07:08:09+00'), date_trunc('week', timestamptz '2024-05-08 07:08:09+00'), date_trunc('year', date '2024-05-06')",
    [['2024-05-01 00:00:00+00', '2024-05-06 00:00:00+00', '2024-01-01 00:00:00+00']],
  ],
  [
    "select to_char(timestamptz '2024-05-06 07:08:09+00', 'YYYY-MM-DD HH24:MI:SS'), to_char(date '2024-01-07', 'Mon DD, YYYY Dy'), to_char(date '2024-01-07', 'FMMonth IW Q')",
    [['2024-05-06 07:08:09', 'Jan 07, 2024 Sun', 'January 01 1']],
  ],
  [
    "select case when priority is null then 'none' when priority > 1 then 'high' else 'low' end as p, count(*) from tasks group by 1 order by 1",
    [
      ['high', '4'],
      ['low', '3'],
      ['none', '2'],
    ],
  ],
  [
    "select case priority when 1 then 'one' when 2 then 'two' end from tasks order by id",
    [['one'], ['two'], [null], ['one'], [null], ['two'], [null], ['one'], ['two']],
  ],
  [
    'select user_name, sum(minutes) as total from entries group by user_name having sum(minutes) > 100 order by total desc',
    [
      ['ann', '405'],
      ['eve', '300'],
      ['dan', '215'],
      ['bob', '150'],
    ],
  ],
  [
    'select count(distinct user_name), count(billed), count(*) filter (where billed), sum(minutes) filter (where not billed) from entries',
    [['6', '9', '5', '595']],
  ],
  [
    "select string_agg(name, ', ' order by name) from clients",
    [['Acme Corp, Zürich AG, beta llc, Ærø Design, Ωmega']],
  ],
  ['select array_agg(id order by id desc) from tasks where project_id = 10', [['{102,101,100}']]],
  ['select bool_and(billed), bool_or(billed) from entries', [['f', 't']]],
  [
    'select project_id, avg(priority)::numeric(10,2) from tasks group by project_id order by 1',
    [
      ['10', '1.5'],
      ['11', '2'],
      ['12', '2'],
      ['13', null],
      ['14', '1'],
    ],
  ],
  [
    'select min(created_at), max(created_at) from projects',
    [['2022-12-31 23:59:59+00', '2024-03-15 08:15:00+00']],
  ],
  ['select sum(budget), avg(budget), count(budget) from projects', [['17800.5', '5933.5', '3']]],
  ['select c.name, p.name from clients c join projects p using (id) order by 1', []],
  [
    'select c.name as client, p.name as project from clients c left join projects p on p.client_id = c.id order by 1, 2',
    [
      ['Acme Corp', 'App'],
      ['Acme Corp', 'Website'],
      ['Zürich AG', 'Audit'],
      ['beta llc', null],
      ['Ærø Design', 'Branding'],
      ['Ωmega', null],
    ],
  ],
  [
    'select c.name, p.name from clients c right join projects p on p.client_id = c.id order by 2',
    [
      ['Acme Corp', 'App'],
      ['Zürich AG', 'Audit'],
      ['Ærø Design', 'Branding'],
      [null, 'Internal'],
      ['Acme Corp', 'Website'],
    ],
  ],
  [
    'select c.name, p.name from clients c full join projects p on p.client_id = c.id order by 1 nulls last, 2',
    [
      ['Acme Corp', 'App'],
      ['Acme Corp', 'Website'],
      ['Zürich AG', 'Audit'],
      ['beta llc', null],
      ['Ærø Design', 'Branding'],
      ['Ωmega', null],
      [null, 'Internal'],
    ],
  ],
  [
    'select t.id, e.id from tasks t left join entries e on e.task_id = t.id and e.billed order by 1, 2',
    [
      ['100', '1000'],
      ['100', '1001'],
      ['101', null],
      ['102', null],
      ['103', '1004'],
      ['104', null],
      ['105', '1006'],
      ['105', '1007'],
      ['106', null],
      ['107', null],
      ['108', null],
    ],
  ],
  ['select count(*) from tasks, projects', [['45']]],
  [
    'select t.name from tasks t where exists (select 1 from entries e where e.task_id = t.id) order by 1',
    [['Android build'], ['Build frontend'], ['Design mockups'], ['Logo'], ['Review ledgers'], ['iOS build']],
  ],
  [
    'select t.name from tasks t where not exists (select 1 from entries e where e.task_id = t.id) order by 1',
    [['Café menu'], ['QA'], ['Team offsite']],
  ],
  [
    'select name from tasks where project_id in (select id from projects where client_id = 1) order by 1',
    [['Android build'], ['Build frontend'], ['Design mockups'], ['QA'], ['iOS build']],
  ],
  [
    'select name from tasks where project_id not in (select id from projects where client_id = 1) order by 1',
    [['Café menu'], ['Logo'], ['Review ledgers'], ['Team offsite']],
  ],
  ['select name from tasks where project_id not in (select client_id from projects) order by 1', []],
  [
    'select t.name, (select count(*) from entries e where e.task_id = t.id) as n from tasks t order by t.id',
    [
      ['Design mockups', '2'],
      ['Build frontend', '2'],
      ['QA', '0'],
      ['iOS build', '1'],
      ['Android build', '1'],
      ['Logo', '2'],
      ['Team offsite', '0'],
      ['Review ledgers', '1'],
      ['Café menu', '0'],
    ],
  ],
  ['select name, (select max(minutes) from entries) from clients where id = 1', [['Acme Corp', '300']]],
  [
    'select p.name, (select sum(e.minutes) from tasks t join entries e on e.task_id = t.id where t.project_id = p.id) from projects p order by p.id',
    [
      ['Website', '480'],
      ['App', '105'],
      ['Branding', '215'],
      ['Internal', null],
      ['Audit', '300'],
    ],
  ],
  [
    'with c as (select * from clients where active) select name from c order by name',
    [['Acme Corp'], ['beta llc'], ['Ærø Design']],
  ],
  [
    'with c as (select id, name from clients), d as (select * from c where id > 2) select (select count(*) from c), (select count(*) from d)',
    [['5', '3']],
  ],
  [
    'select id from tasks where priority = 1 union select id from tasks where complete order by 1',
    [['100'], ['103'], ['104'], ['105'], ['107']],
  ],
  [
    'select priority from tasks union all select priority from tasks where id < 102 order by 1 nulls first',
    [[null], [null], ['1'], ['1'], ['1'], ['1'], ['2'], ['2'], ['2'], ['2'], ['3']],
  ],
  [
    'select priority from tasks intersect select priority from tasks where complete order by 1',
    [['1'], ['2'], ['3']],
  ],
  ['select priority from tasks except select priority from tasks where complete order by 1', [[null]]],
  [
    'select id, row_number() over (order by id desc) from tasks order by id',
    [
      ['100', '9'],
      ['101', '8'],
      ['102', '7'],
      ['103', '6'],
      ['104', '5'],
      ['105', '4'],
      ['106', '3'],
      ['107', '2'],
      ['108', '1'],
    ],
  ],
  [
    'select id, project_id, rank() over (partition by project_id order by priority), dense_rank() over (order by priority) from tasks order by id',
    [
      ['100', '10', '1', '1'],
      ['101', '10', '2', '2'],
      ['102', '10', '3', '4'],
      ['103', '11', '1', '1'],
      ['104', '11', '2', '3'],
      ['105', '12', '1', '2'],
      ['106', '13', '1', '4'],
      ['107', '14', '1', '1'],
      ['108', '12', '1', '2'],
    ],
  ],
  [
    'select id, lag(id) over (order by id), lead(id, 2, -1) over (order by id) from tasks order by id',
    [
      ['100', null, '102'],
      ['101', '100', '103'],
      ['102', '101', '104'],
      ['103', '102', '105'],
      ['104', '103', '106'],
      ['105', '104', '107'],
      ['106', '105', '108'],
      ['107', '106', '-1'],
      ['108', '107', '-1'],
    ],
  ],
  [
    'select id, sum(minutes) over (order by id), sum(minutes) over (), avg(minutes) over (partition by user_name) from entries order by id',
    [
      ['1000', '120', '1110', '135'],
      ['1001', '210', '1110', '75'],
      ['1002', '450', '1110', '135'],
      ['1003', '480', '1110', '30'],
      ['1004', '540', '1110', '75'],
      ['1005', '585', '1110', '135'],
      ['1006', '785', '1110', '107.5'],
      ['1007', '800', '1110', '107.5'],
      ['1008', '1100', '1110', '300'],
      ['1009', '1110', '1110', '10'],
    ],
  ],
  [
    'select id, sum(minutes) over (order by id rows between 1 preceding and 1 following) from entries order by id',
    [
      ['1000', '210'],
      ['1001', '450'],
      ['1002', '360'],
      ['1003', '330'],
      ['1004', '135'],
      ['1005', '305'],
      ['1006', '260'],
      ['1007', '515'],
      ['1008', '325'],
      ['1009', '310'],
    ],
  ],
  [
    'select id, first_value(id) over (partition by task_id order by id), last_value(id) over (partition by task_id order by id) from entries order by id',
    [
      ['1000', '1000', '1000'],
      ['1001', '1000', '1001'],
      ['1002', '1002', '1002'],
      ['1003', '1002', '1003'],
      ['1004', '1004', '1004'],
      ['1005', '1005', '1005'],
      ['1006', '1006', '1006'],
      ['1007', '1006', '1007'],
      ['1008', '1008', '1008'],
      ['1009', '1009', '1009'],
    ],
  ],
  [
    'select distinct on (project_id) project_id, name from tasks order by project_id, priority desc nulls last, id',
    [
      ['10', 'Build frontend'],
      ['11', 'Android build'],
      ['12', 'Logo'],
      ['13', 'Team offsite'],
      ['14', 'Review ledgers'],
    ],
  ],
  ['select id from tasks order by id limit 3 offset 2', [['102'], ['103'], ['104']]],
  ['select id from tasks order by id fetch first 2 rows only', [['100'], ['101']]],
  [
    "select meta->>'source', meta->'n', meta->'tags'->>0 from entries order by id",
    [
      ['timer', null, 'a'],
      ['manual', null, null],
      [null, null, null],
      ['timer', null, null],
      ['api', '3', null],
      [null, null, null],
      ['timer', null, null],
      ['timer', null, null],
      ['manual', null, null],
      [null, null, null],
    ],
  ],
  [
    "select id from entries where meta->>'source' = 'timer' order by id",
    [['1000'], ['1003'], ['1006'], ['1007']],
  ],
  [
    "select name, tags from projects where 'web' = any(tags) order by id",
    [
      ['Website', '{web,design}'],
      ['Audit', '{finance,web}'],
    ],
  ],
  [
    'select array[1,2,3], array_length(array[1,2], 1), cardinality(tags) from projects order by id',
    [
      ['{1,2,3}', '2', '2'],
      ['{1,2,3}', '2', '1'],
      ['{1,2,3}', '2', '0'],
      ['{1,2,3}', '2', null],
      ['{1,2,3}', '2', '2'],
    ],
  ],
  ["select e'a\\tb', 'it''s', $$dollar$$", [['a\tb', "it's", 'dollar']]],
  ["select id from clients where created_on >= '2023-06-01' order by id", [['4'], ['5']]],
  ["select count(*) from entries where started_at > '2023-06-01'", [['3']]],
  ['select 1 where null', []],
  ['select null is null, null = null, not null, null and false, null or true', [['t', null, null, 'f', 't']]],
];

describe('SQL features (answers checked against PostgreSQL)', () => {
  const on = fixture();
  const off = fixture({ pushdown: false });
  for (const [sql, expected] of CASES) {
    it(sql, async () => {
      const r = await on.engine.query(sql);
      expect(text(r)).toEqual(expected);
      // The pushdown oracle: the same answer with nothing pushed into the sources.
      expect(text(await off.engine.query(sql))).toEqual(expected);
    });
  }
});
