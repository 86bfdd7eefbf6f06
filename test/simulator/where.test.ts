import { describe, expect, it } from 'vitest';
import type { CallContext, FieldDef, Rec, RequiredFilter } from '../../src/simulator/types.js';
import {
  coerceLiteral,
  compileWhere,
  dateToMs,
  datetimeToMs,
  describeRequiredFilter,
  formatWhere,
  parseWhere,
  satisfiesRequiredFilter,
  splitByPrefix,
  type WhereCondition,
  WhereError,
  type WhereLiteral,
  type WhereSchema,
} from '../../src/simulator/where.js';

const bare = (text: string): WhereLiteral => ({ text, quoted: false });
const q = (text: string): WhereLiteral => ({ text, quoted: true });
const cond = (field: string, op: WhereCondition['op'], ...values: WhereLiteral[]): WhereCondition => ({
  field,
  op,
  values,
});

describe('parseWhere: documented examples (1.9, section 2)', () => {
  const cases: [string, WhereCondition[]][] = [
    [
      'complete=false and billable=true',
      [cond('complete', '=', bare('false')), cond('billable', '=', bare('true'))],
    ],
    ['name like Sample', [cond('name', 'like', bare('Sample'))]],
    ['client_id in (123,124)', [cond('client_id', 'in', bare('123'), bare('124'))]],
    ['name="Sample Project"', [cond('name', '=', q('Sample Project'))]],
    ['status in ("draft","void")', [cond('status', 'in', q('draft'), q('void'))]],
    ['end_time=null', [cond('end_time', '=', bare('null'))]],
    ['due_date=2014-09-01', [cond('due_date', '=', bare('2014-09-01'))]],
    ['created_on>=1583954441', [cond('created_on', '>=', bare('1583954441'))]],
    ['users=anyone', [cond('users', '=', bare('anyone'))]],
    ['users in ("anyone",1563)', [cond('users', 'in', q('anyone'), bare('1563'))]],
    ['users<>anyone', [cond('users', '<>', bare('anyone'))]],
    [
      'time_interval in ("2014-12-01T00:00:00Z","2015-01-01T00:00:00Z")',
      [cond('time_interval', 'in', q('2014-12-01T00:00:00Z'), q('2015-01-01T00:00:00Z'))],
    ],
    [
      'date_interval in ("2016-12-01","2017-01-01")',
      [cond('date_interval', 'in', q('2016-12-01'), q('2017-01-01'))],
    ],
    [
      'user_id=1&&is_working=false',
      [cond('user_id', '=', bare('1')), cond('is_working', '=', bare('false'))],
    ],
    [
      'date<=2017-01-31&&end_date>=2017-01-01',
      [cond('date', '<=', bare('2017-01-31')), cond('end_date', '>=', bare('2017-01-01'))],
    ],
    [
      'projects.tasklists.tasks.complete=false',
      [cond('projects.tasklists.tasks.complete', '=', bare('false'))],
    ],
    ['price_per_hour>50', [cond('price_per_hour', '>', bare('50'))]],
    ['total>100', [cond('total', '>', bare('100'))]],
    ['status=paid', [cond('status', '=', bare('paid'))]],
    ['mytasks=true', [cond('mytasks', '=', bare('true'))]],
    ['date>=2014-09-01', [cond('date', '>=', bare('2014-09-01'))]],
    ['due_date>2014-12-15', [cond('due_date', '>', bare('2014-12-15'))]],
    ['user_id=7 and end_time=null', [cond('user_id', '=', bare('7')), cond('end_time', '=', bare('null'))]],
    [
      'active=true and projects.active=true and projects.tasklists.tasks.complete=false',
      [
        cond('active', '=', bare('true')),
        cond('projects.active', '=', bare('true')),
        cond('projects.tasklists.tasks.complete', '=', bare('false')),
      ],
    ],
  ];
  it.each(cases)('%s', (text, expected) => {
    expect(parseWhere(text)).toEqual(expected);
  });

  it.each(cases)('formatWhere round-trips %s', (text) => {
    const parsed = parseWhere(text);
    expect(parseWhere(formatWhere(parsed))).toEqual(parsed);
  });
});

describe('parseWhere: the accepted superset', () => {
  const cases: [string, WhereCondition[]][] = [
    ['price_per_hour > 50', [cond('price_per_hour', '>', bare('50'))]],
    ['a <= 1', [cond('a', '<=', bare('1'))]],
    ['a<1', [cond('a', '<', bare('1'))]],
    ['a!=1', [cond('a', '!=', bare('1'))]],
    ['a <>1', [cond('a', '<>', bare('1'))]],
    ['a>= 1', [cond('a', '>=', bare('1'))]],
    ['name LIKE Sample', [cond('name', 'like', bare('Sample'))]],
    ['name Not   Like "x y"', [cond('name', 'not like', q('x y'))]],
    ['name like"x"', [cond('name', 'like', q('x'))]],
    ['id IN (1, 2 ,3)', [cond('id', 'in', bare('1'), bare('2'), bare('3'))]],
    ['id not in(1)', [cond('id', 'not in', bare('1'))]],
    ['users in ( "anyone" , 1563 )', [cond('users', 'in', q('anyone'), bare('1563'))]],
    ['a=1 AND b=2', [cond('a', '=', bare('1')), cond('b', '=', bare('2'))]],
    ['a=1 && b=2', [cond('a', '=', bare('1')), cond('b', '=', bare('2'))]],
    ['  a=1  And\tb=2  ', [cond('a', '=', bare('1')), cond('b', '=', bare('2'))]],
    ['a=and', [cond('a', '=', bare('and'))]],
    ['created_on>=2015-01-17T10:23:02-08:00', [cond('created_on', '>=', bare('2015-01-17T10:23:02-08:00'))]],
    ['created_on>=2015-01-17T10:23:02+05:30', [cond('created_on', '>=', bare('2015-01-17T10:23:02+05:30'))]],
    ['created_on>=2014-12-01T00:00:00Z', [cond('created_on', '>=', bare('2014-12-01T00:00:00Z'))]],
    ['price>-1.5e2', [cond('price', '>', bare('-1.5e2'))]],
    [String.raw`name="He said \"hi\" \\o/"`, [cond('name', '=', q('He said "hi" \\o/'))]],
    [String.raw`name='O\'Brien'`, [cond('name', '=', q("O'Brien"))]],
    [`name='say "hi"'`, [cond('name', '=', q('say "hi"'))]],
    [String.raw`name="a\nb"`, [cond('name', '=', q(String.raw`a\nb`))]],
    ['name="a and b"', [cond('name', '=', q('a and b'))]],
    ['name="x&&y" and id=1', [cond('name', '=', q('x&&y')), cond('id', '=', bare('1'))]],
    ['name="(a,b)"', [cond('name', '=', q('(a,b)'))]],
    ['name=""', [cond('name', '=', q(''))]],
    ['name=Café', [cond('name', '=', bare('Café'))]],
    ['name=a&b', [cond('name', '=', bare('a&b'))]],
    ['a.b.c=1', [cond('a.b.c', '=', bare('1'))]],
    ['', []],
    ['   ', []],
  ];
  it.each(cases)('%s', (text, expected) => {
    expect(parseWhere(text)).toEqual(expected);
  });
});

describe('parseWhere: errors', () => {
  const cases: [string, RegExp][] = [
    ['a=1 and ', /^Empty condition in where clause 'a=1 and '$/],
    ['a=1 and and b=2', /^Empty condition/],
    ['&& a=1', /^Empty condition/],
    ['a=1 &&', /^Empty condition/],
    ['a=1&&&&b=2', /^Empty condition/],
    ['name ~ x', /^Unknown operator in where condition 'name ~ x'$/],
    ['name between 1 and 2', /^Unknown operator in where condition 'name between 1'$/],
    ['name==x', /^Unknown operator in where condition 'name==x'$/],
    ['a=>1', /^Unknown operator in where condition 'a=>1'$/],
    ['name is null', /^Unknown operator in where condition 'name is null'$/],
    ['name', /^Missing operator after 'name'/],
    ['name=', /^Missing value after 'name='/],
    ['name= and b=1', /^Missing value after 'name='/],
    ['name like', /^Missing value after 'name like'/],
    ['name like ', /^Missing value after 'name like'/],
    ['name="abc', /^Unterminated quoted value '"abc'/],
    ["name='abc", /^Unterminated quoted value ''abc'/],
    [String.raw`name="abc\"`, /^Unterminated quoted value/],
    ['status in ("draft","void"', /^Missing '\)' after the list of 'status in'/],
    ['status in ("draft",', /^Missing '\)' after the list of 'status in'/],
    ['status in ("draft" "void")', /^Unexpected '"void"\)' in the list of 'status in'/],
    ['status in ()', /^'in' needs at least one value: 'status in \(\)'/],
    ['status not in ( )', /^'not in' needs at least one value: 'status not in \(\)'/],
    ['status in (a,,b)', /^Empty value in the list of 'status in'/],
    ['status in (a,)', /^Empty value in the list of 'status in'/],
    ['status in "a"', /^Expected '\(' after 'status in'/],
    ['a=1 b=2', /^Unexpected 'b=2' after condition 'a=1'/],
    ['a=1)', /^Unexpected '\)' after condition 'a=1'/],
    ['name="x"y', /^Unexpected 'y' after condition 'name="x"'/],
    ['a=1 or b=2', /^Unexpected 'or b=2' after condition 'a=1'/],
    ['a=1 andb=2', /^Unexpected 'andb=2'/],
    ['=5', /^Expected a field name at '=5'/],
    ['created_on>=2015-01-17T10:23:02 05:30', /^Unexpected '05:30' .*URL-encoded as %2B/],
  ];
  it.each(cases)('%s', (text, message) => {
    expect(() => parseWhere(text)).toThrow(WhereError);
    expect(() => parseWhere(text)).toThrow(message);
  });

  it('shortens a huge offending part in the message', () => {
    const err = captureError(() => parseWhere(`a=1 ${'x'.repeat(500)}`));
    expect(err.message.length).toBeLessThan(200);
    expect(err.message).toContain("'xxx");
  });
});

describe('splitByPrefix', () => {
  it('routes dotted conditions to their include path, keeping the last segment as the field', () => {
    const { own, byPrefix } = splitByPrefix(
      parseWhere(
        'active=true and projects.active=true and projects.tasklists.tasks.complete=false and projects.name like x and id>3',
      ),
    );
    expect(own).toEqual([cond('active', '=', bare('true')), cond('id', '>', bare('3'))]);
    expect([...byPrefix.keys()]).toEqual(['projects', 'projects.tasklists.tasks']);
    expect(byPrefix.get('projects')).toEqual([
      cond('active', '=', bare('true')),
      cond('name', 'like', bare('x')),
    ]);
    expect(byPrefix.get('projects.tasklists.tasks')).toEqual([cond('complete', '=', bare('false'))]);
  });

  it('gives an empty map when nothing is dotted', () => {
    const { own, byPrefix } = splitByPrefix(parseWhere('a=1'));
    expect(own).toHaveLength(1);
    expect(byPrefix.size).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Fixture object: one field of every type, plus virtual filters of every kind.
// ---------------------------------------------------------------------------------------------

const field = (name: string, type: FieldDef['type'], access: FieldDef['access'] = 'RW'): FieldDef => ({
  name,
  type,
  nullable: true,
  access,
});

const PROJECT_CLIENT: Record<number, number | null> = { 5: 50, 6: 60, 7: null };
const intervalCalls: [number, number][] = [];
const predicateValues: unknown[] = [];

const schema: WhereSchema = {
  fields: [
    field('id', 'int', 'RO'),
    field('name', 'string'),
    field('description', 'html'),
    field('project_id', 'int', 'C'),
    field('price_per_hour', 'number'),
    field('billable', 'bool'),
    field('due_date', 'date'),
    field('created_on', 'datetime', 'RO'),
    field('end_time', 'datetime'),
    field('users', 'int[]'),
    field('tags', 'string[]'),
    field('meta', 'object'),
    field('extra', 'any'),
    field('secret', 'string', 'W'),
    field('template_id', 'int', 'V'),
  ],
  virtualFilters: [
    {
      kind: 'derived',
      name: 'client_id',
      type: 'int',
      value: (rec) => (typeof rec.project_id === 'number' ? PROJECT_CLIENT[rec.project_id] : undefined),
    },
    {
      kind: 'interval',
      name: 'time_interval',
      type: 'datetime',
      test: (rec, from, to) => {
        intervalCalls.push([from, to]);
        const t = datetimeToMs(rec.created_on);
        return t >= from && t < to;
      },
    },
    {
      kind: 'interval',
      name: 'date_interval',
      type: 'date',
      test: (rec, from, to) => {
        intervalCalls.push([from, to]);
        const t = dateToMs(rec.due_date);
        return t >= from && t <= to;
      },
    },
    {
      kind: 'predicate',
      name: 'mytasks',
      type: 'bool',
      test: (rec, value, ctx) => {
        predicateValues.push(value);
        const users = Array.isArray(rec.users) ? rec.users : [];
        const mine = users.length === 0 || users.includes(ctx.userId);
        return mine === value;
      },
    },
  ],
};

const records: Rec[] = [
  {
    id: 1,
    name: 'Sample Project',
    description: '<p>Hello</p>',
    project_id: 5,
    price_per_hour: 50,
    billable: true,
    due_date: '2014-09-01',
    created_on: '2014-12-12T14:42:49Z',
    end_time: '2014-12-12T15:42:49Z',
    users: [1563, 7],
    tags: ['red', 'blue'],
    meta: { a: 1 },
    extra: 10,
  },
  {
    id: 2,
    name: 'Café Élan "quoted"',
    description: null,
    project_id: 5,
    price_per_hour: null,
    billable: false,
    due_date: null,
    created_on: '2020-03-11T19:20:41Z',
    end_time: null,
    users: [],
    tags: [],
    meta: null,
    extra: 'x',
  },
  {
    id: 3,
    name: "O'Brien \\ back",
    project_id: 6,
    price_per_hour: 75.5,
    billable: true,
    due_date: '2014-12-15',
    created_on: '2020-03-11T19:20:40Z',
    users: [7],
    tags: ['Red'],
    extra: true,
  },
  {
    id: 4,
    name: 'sample_data 100%',
    project_id: 7,
    price_per_hour: 0,
    billable: true,
    due_date: '2015-01-01',
    created_on: '2015-01-01T00:00:00Z',
    end_time: '2015-01-01T01:00:00Z',
    users: [1563],
    extra: null,
  },
  {
    id: 5,
    name: 'ÜBER straße',
    project_id: 6,
    price_per_hour: 120,
    billable: false,
    due_date: '2014-12-31',
    created_on: '2014-12-01T00:00:00Z',
    end_time: null,
    users: [],
    tags: ['blue'],
  },
  { id: 6, name: 'bare' },
];

const ctx: CallContext = {
  userId: 7,
  now: Date.UTC(2024, 0, 1),
  store: { get: () => undefined, findBy: () => [], all: () => [] },
};

function ids(where: string): (number | string)[] {
  const pred = compileWhere(parseWhere(where), schema);
  return records.filter((r) => pred(r, ctx)).map((r) => r.id);
}

function captureError(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof Error) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('compileWhere: operators against field types', () => {
  const cases: [string, number[]][] = [
    // int
    ['project_id=5', [1, 2]],
    ['project_id="5"', [1, 2]],
    ['project_id!=5', [3, 4, 5]],
    ['project_id<>5', [3, 4, 5]],
    ['project_id>5', [3, 4, 5]],
    ['project_id>=6', [3, 4, 5]],
    ['project_id<6', [1, 2]],
    ['project_id<=6', [1, 2, 3, 5]],
    ['project_id in (5,7)', [1, 2, 4]],
    ['project_id not in (5,7)', [3, 5]],
    ['project_id in (7,null)', [4, 6]],
    ['project_id=null', [6]],
    ['project_id!=null', [1, 2, 3, 4, 5]],
    ['project_id>null', []],
    ['project_id like 5', [1, 2]],
    ['id>=2 and id<5', [2, 3, 4]],
    ['id>1 and id<6 and project_id=6', [3, 5]],
    // number
    ['price_per_hour>50', [3, 5]],
    ['price_per_hour>=50', [1, 3, 5]],
    ['price_per_hour<50', [4]],
    ['price_per_hour=75.5', [3]],
    ['price_per_hour!=0', [1, 3, 5]],
    ['price_per_hour=null', [2, 6]],
    ['price_per_hour in (0, 120)', [4, 5]],
    ['price_per_hour>=1e2', [5]],
    // string
    ['name="Sample Project"', [1]],
    ['name="sample project"', []],
    ['name=Sample', []],
    [String.raw`name="Café Élan \"quoted\""`, [2]],
    [String.raw`name='O\'Brien \\ back'`, [3]],
    ['name like Sample', [1, 4]],
    ['name like "sample%"', [1, 4]],
    ['name like "%project"', [1]],
    ['name like "sample_project"', []],
    ['name like "sample_project%"', [1]],
    ['name like "%100%"', [4]],
    ['name like 100%', []],
    ['name like %100%', [4]],
    ['name like "%ÉLAN%"', [2]],
    ['name like café', [2]],
    ['name like "über%"', [5]],
    [`name like "o'brien"`, [3]],
    ['name like \'"quoted"\'', [2]],
    ['name not like sample', [2, 3, 5, 6]],
    ['name in ("Sample Project", bare)', [1, 6]],
    ['name not in ("Sample Project", bare)', [2, 3, 4, 5]],
    ['name>P', [1, 4, 5, 6]],
    ['name=null', []],
    ['description like hello', [1]],
    ['description=null', [2, 3, 4, 5, 6]],
    ['description not like hello', []],
    // bool
    ['billable=true', [1, 3, 4]],
    ['billable=TRUE', [1, 3, 4]],
    ['billable="true"', [1, 3, 4]],
    ['billable=false', [2, 5]],
    ['billable!=true', [2, 5]],
    ['billable<>false', [1, 3, 4]],
    ['billable=null', [6]],
    ['billable!=null', [1, 2, 3, 4, 5]],
    // date
    ['due_date=2014-09-01', [1]],
    ['due_date="2014-09-01"', [1]],
    ['due_date=1409529600', [1]],
    ['due_date=1409572800', [1]],
    ['due_date>2014-12-15', [4, 5]],
    ['due_date>=2014-12-15', [3, 4, 5]],
    ['due_date<"2014-12-15"', [1]],
    ['due_date!=2014-09-01', [3, 4, 5]],
    ['due_date in (2014-09-01, "2015-01-01")', [1, 4]],
    ['due_date=null', [2, 6]],
    ['due_date like "2014-12%"', [3, 5]],
    // datetime
    ['created_on=1418395369', [1]],
    ['created_on="2014-12-12T14:42:49Z"', [1]],
    ['created_on=2014-12-12T15:42:49+01:00', [1]],
    ['created_on>=2015-01-01', [2, 3, 4]],
    ['created_on<1583954441', [1, 3, 4, 5]],
    ['created_on!=1417392000', [1, 2, 3, 4]],
    ['created_on in (1417392000, "2015-01-01T00:00:00Z")', [4, 5]],
    ['created_on not in (1417392000)', [1, 2, 3, 4]],
    ['created_on like "2020-%"', [2, 3]],
    ['end_time=null', [2, 3, 5, 6]],
    ['end_time!=null', [1, 4]],
    ['end_time>0', [1, 4]],
    ['end_time<=2014-12-12T15:42:49Z', [1]],
    // int[]
    ['users=1563', [1, 4]],
    ['users="1563"', [1, 4]],
    ['users=7', [1, 3]],
    ['users!=1563', [2, 3, 5, 6]],
    ['users<>7', [2, 4, 5, 6]],
    ['users=anyone', [2, 5, 6]],
    ['users="anyone"', [2, 5, 6]],
    ['users<>anyone', [1, 3, 4]],
    ['users!=anyone', [1, 3, 4]],
    ['users in (1563, 9)', [1, 4]],
    ['users in ("anyone",1563)', [1, 2, 4, 5, 6]],
    ['users not in (7)', [2, 4, 5, 6]],
    ['users not in (anyone, 7)', [4]],
    ['users=null', [6]],
    ['users!=null', [1, 2, 3, 4, 5]],
    // string[]
    ['tags=red', [1]],
    ['tags=Red', [3]],
    ['tags in (blue, Red)', [1, 3, 5]],
    ['tags not in (blue)', [2, 3, 4, 6]],
    ['tags=anyone', [2, 4, 6]],
    // object
    ['meta=null', [2, 3, 4, 5, 6]],
    ['meta!=null', [1]],
    // any
    ['extra=10', [1]],
    ['extra=x', [2]],
    ['extra=true', [3]],
    ['extra=null', [4, 5, 6]],
    // derived virtual filter
    ['client_id=50', [1, 2]],
    ['client_id in (60)', [3, 5]],
    ['client_id>55', [3, 5]],
    ['client_id=null', [4, 6]],
    ['client_id!=50', [3, 5]],
    ['client_id=50 and billable=true', [1]],
    // interval virtual filters
    ['time_interval in ("2014-12-01T00:00:00Z","2015-01-01T00:00:00Z")', [1, 5]],
    ['time_interval in (1417392000,1420070400)', [1, 5]],
    ['time_interval in ("2014-11-30T16:00:00-08:00","2014-12-31T16:00:00-08:00")', [1, 5]],
    ['time_interval in (2014-12-01, 2015-01-01)', [1, 5]],
    ['date_interval in ("2014-12-01","2015-01-01")', [3, 4, 5]],
    ['date_interval in (1417392000, "2015-01-01")', [3, 4, 5]],
    // predicate virtual filter (caller is user 7)
    ['mytasks=true', [1, 2, 3, 5, 6]],
    ['mytasks=false', [4]],
    // no conditions
    ['', [1, 2, 3, 4, 5, 6]],
  ];
  it.each(cases)('%s', (where, expected) => {
    expect(ids(where)).toEqual(expected);
  });

  it('gives the same answer for Unix seconds, ISO Z, ISO offset and fractional forms of one instant', () => {
    const forms = [
      'created_on>=1583954441',
      'created_on>=1583954440.5',
      'created_on>=2020-03-11T19:20:41Z',
      'created_on >= "2020-03-11T19:20:41Z"',
      'created_on>=2020-03-11T19:20:41.000Z',
      'created_on>=2020-03-11T19:20:41',
      'created_on>=2020-03-11T11:20:41-08:00',
      'created_on>="2020-03-11T20:50:41+01:30"',
      'created_on>=2020-03-11T20:50:41+0130',
    ];
    for (const w of forms) expect(ids(w), w).toEqual([2]);
    const lt = forms.map((w) => ids(w.replace('>=', '<')));
    for (const r of lt) expect(r).toEqual([1, 3, 4, 5]);
  });

  it('passes interval bounds to the virtual filter as epoch ms', () => {
    intervalCalls.length = 0;
    ids('date_interval in ("2016-12-01","2017-01-01")');
    expect(intervalCalls[0]).toEqual([Date.UTC(2016, 11, 1), Date.UTC(2017, 0, 1)]);
    intervalCalls.length = 0;
    ids('time_interval in ("2014-12-01T00:00:00-08:00",1420070400)');
    expect(intervalCalls[0]).toEqual([Date.UTC(2014, 11, 1, 8), Date.UTC(2015, 0, 1)]);
  });

  it('passes the coerced value to a predicate virtual filter', () => {
    predicateValues.length = 0;
    ids('mytasks="TRUE"');
    expect(new Set(predicateValues)).toEqual(new Set([true]));
  });

  it('reads stored date-times in non-canonical forms too', () => {
    const pred = compileWhere(parseWhere('created_on>=1583954441'), schema);
    const at = (created_on: unknown): boolean => pred({ id: 1, created_on }, ctx);
    expect(at('2020-03-11T19:20:41.000Z')).toBe(true);
    expect(at('2020-03-11T11:20:41-08:00')).toBe(true);
    expect(at('2020-03-11T19:20:40Z')).toBe(false);
    expect(at('2020-03-11T19:20:41+00:00')).toBe(true);
    expect(at('2020-03-1xT19:20:41+00:00')).toBe(false);
    expect(at('garbage')).toBe(false);
    expect(at(42)).toBe(false);
  });
});

describe('compileWhere: errors', () => {
  const cases: [string, RegExp][] = [
    ['nope=1', /^Unknown field 'nope' in where condition 'nope=1'$/],
    ['secret=x', /^Unknown field 'secret' in where condition/],
    ['template_id=1', /^Unknown field 'template_id' in where condition/],
    ['projects.active=true', /'projects.active=true' filters an included collection/],
    ['project_id=abc', /^Invalid value 'abc' for int field 'project_id' in where condition/],
    ['project_id in (1, x)', /^Invalid value 'x' for int field 'project_id'/],
    ['price_per_hour>cheap', /^Invalid value 'cheap' for number field 'price_per_hour'/],
    ['billable>true', /^Operator '>' is not supported on boolean field 'billable'/],
    ['billable like t', /^Operator 'like' is not supported on boolean field 'billable'/],
    ['billable in (true)', /^Operator 'in' is not supported on boolean field 'billable'/],
    ['billable=yes', /^Invalid value 'yes' for bool field 'billable'/],
    ['users like 5', /^Operator 'like' is not supported on array field 'users'/],
    ['users>5', /^Operator '>' is not supported on array field 'users'/],
    ['users=abc', /^Invalid value 'abc' for int\[\] field 'users'/],
    ['due_date=2014-13-01', /^Invalid value '2014-13-01' for date field 'due_date'/],
    ['due_date=2014-02-30', /^Invalid value '2014-02-30' for date field 'due_date'/],
    ['created_on>=yesterday', /^Invalid value 'yesterday' for datetime field 'created_on'/],
    ['created_on>=2014-12-01T25:00:00Z', /^Invalid value '2014-12-01T25:00:00Z' for datetime field/],
    ['time_interval=2014-12-01', /^'time_interval' only accepts time_interval in \("<start>","<end>"\)/],
    ['time_interval in (1,2,3)', /^'time_interval' only accepts/],
    ['time_interval in (1)', /^'time_interval' only accepts/],
    ['time_interval in (null, 1)', /^Invalid value 'null' for datetime field 'time_interval'/],
    ['date_interval in (2014-12-01, nope)', /^Invalid value 'nope' for date field 'date_interval'/],
    ['mytasks!=true', /^'mytasks' only accepts '='/],
    ['mytasks=maybe', /^Invalid value 'maybe' for bool field 'mytasks'/],
    ['meta=x', /^Field 'meta' holds an object/],
    ['client_id=abc', /^Invalid value 'abc' for int field 'client_id'/],
  ];
  it.each(cases)('%s', (where, message) => {
    const conds = parseWhere(where);
    expect(() => compileWhere(conds, schema)).toThrow(WhereError);
    expect(() => compileWhere(conds, schema)).toThrow(message);
  });

  it('rejects hand-built conditions with the wrong number of values', () => {
    expect(() => compileWhere([cond('id', 'in')], schema)).toThrow(WhereError);
    expect(() => compileWhere([cond('id', '=', bare('1'), bare('2'))], schema)).toThrow(/has 2 values/);
  });
});

describe('coerceLiteral', () => {
  const cases: [WhereLiteral, FieldDef['type'], unknown][] = [
    [bare('true'), 'bool', true],
    [q('FALSE'), 'bool', false],
    [bare('null'), 'int', null],
    [bare('NULL'), 'datetime', null],
    [q('null'), 'string', 'null'],
    [bare('true'), 'string', 'true'],
    [bare('42'), 'int', 42],
    [bare('-1.5'), 'number', -1.5],
    [q('7'), 'number', 7],
    [bare('1409529600'), 'date', '2014-09-01'],
    [bare('2014-09-01'), 'date', '2014-09-01'],
    [q('2014-09-01T23:30:00-02:00'), 'date', '2014-09-02'],
    [bare('2014-12-01'), 'datetime', Date.UTC(2014, 11, 1)],
    [bare('1417392000'), 'datetime', Date.UTC(2014, 11, 1)],
    [bare('2014-12-01T00:00:00+01:00'), 'datetime', Date.UTC(2014, 10, 30, 23)],
    [bare('2014-12-01T00:00:00.250Z'), 'datetime', Date.UTC(2014, 11, 1, 0, 0, 0, 250)],
    [bare('anyone'), 'int[]', 'anyone'],
    [q('5'), 'int[]', 5],
    [bare('x'), 'string[]', 'x'],
    [bare('5'), 'any', 5],
    [q('5'), 'any', '5'],
    [bare('true'), 'any', true],
    [bare('Ünïcode ✓'), 'html', 'Ünïcode ✓'],
  ];
  it.each(cases)('%o as %s', (lit, type, expected) => {
    expect(coerceLiteral(lit, type, 'f')).toEqual(expected);
  });

  const bad: [WhereLiteral, FieldDef['type']][] = [
    [bare('abc'), 'int'],
    [bare(''), 'number'],
    [bare('0x10'), 'int'],
    [bare('Infinity'), 'number'],
    [bare('maybe'), 'bool'],
    [bare('2014-9-1'), 'date'],
    [bare('yesterday'), 'datetime'],
    [bare('2014-12-01T00:00:00+25:00'), 'datetime'],
    [bare('x'), 'object'],
  ];
  it.each(bad)('rejects %o as %s, naming field and value', (lit, type) => {
    const err = captureError(() => coerceLiteral(lit, type, 'my_field'));
    expect(err).toBeInstanceOf(WhereError);
    expect(err.message).toContain("'my_field'");
    expect(err.message).toContain(`'${lit.text}'`);
  });
});

describe('required filters (1.11)', () => {
  const entries: RequiredFilter = {
    anyOf: ['task_id', 'project_id', 'user_id', 'client_id'],
    intervals: ['time_interval'],
  };
  const bookings: RequiredFilter = {
    anyOf: ['user_task_id', 'task_id', 'project_id', 'user_id'],
    intervals: ['date_interval'],
    allOf: [['start_date', 'end_date']],
  };
  const daysExceptions: RequiredFilter = { anyOf: ['user_id'], allOf: [['date', 'end_date']] };

  const cases: [string, RequiredFilter, string, boolean][] = [
    ['entries', entries, 'project_id=5', true],
    ['entries', entries, 'project_id in (1,2)', true],
    ['entries', entries, 'billed=false and client_id=3', true],
    ['entries', entries, 'time_interval in ("2014-12-01T00:00:00Z","2015-01-01T00:00:00Z")', true],
    ['entries', entries, 'user_id=1 and end_time=null', true],
    ['entries', entries, '', false],
    ['entries', entries, 'project_id!=5', false],
    ['entries', entries, 'user_id<>1', false],
    ['entries', entries, 'project_id>5', false],
    ['entries', entries, 'project_id not in (1)', false],
    ['entries', entries, 'project_id like 5', false],
    ['entries', entries, 'end_time=null', false],
    ['entries', entries, 'time_interval=2014-12-01', false],
    ['entries', entries, 'task.project_id=5', false],
    ['entries', entries, 'tasks.time_interval in (1,2)', false],
    ['bookings', bookings, 'user_task_id=3', true],
    ['bookings', bookings, 'date_interval in ("2016-12-01","2017-01-01")', true],
    ['bookings', bookings, 'start_date>=2017-01-01 and end_date<=2017-01-31', true],
    ['bookings', bookings, 'start_date>=2017-01-01', false],
    ['bookings', bookings, 'usertask.start_date>=2017-01-01 and usertask.end_date<=2017-01-31', false],
    ['daysexceptions', daysExceptions, 'date<=2017-01-31&&end_date>=2017-01-01', true],
    ['daysexceptions', daysExceptions, 'user_id=1&&is_working=false', true],
    ['daysexceptions', daysExceptions, 'is_working=false', false],
  ];
  it.each(cases)('%s: %s → %s', (_name, rf, where, expected) => {
    expect(satisfiesRequiredFilter(parseWhere(where), rf)).toBe(expected);
  });

  it('describes the alternatives for the 400 message', () => {
    expect(describeRequiredFilter(entries)).toBe(
      'a filter on one of: task_id, project_id, user_id, client_id, or time_interval in ("<start>","<end>")',
    );
    expect(describeRequiredFilter(bookings)).toBe(
      'a filter on one of: user_task_id, task_id, project_id, user_id, ' +
        'date_interval in ("<start>","<end>"), or start_date and end_date',
    );
    expect(describeRequiredFilter({ anyOf: ['thread_id'] })).toBe('a filter on thread_id');
  });
});

describe('performance (printed, not asserted)', () => {
  it('compiles once and filters 1,000,000 records', () => {
    const n = 1_000_000;
    const base = Date.UTC(2020, 0, 1);
    const rows: Rec[] = new Array(n);
    for (let i = 0; i < n; i++) {
      rows[i] = {
        id: i + 1,
        project_id: i % 10,
        billable: i % 3 === 0,
        created_on: new Date(base + i * 60_000).toISOString().replace('.000Z', 'Z'),
        users: i % 4 === 0 ? [] : [i % 7],
      };
    }
    const run = (where: string, expected: number): void => {
      // Twice: the first pass also pays for JIT warm-up and for flattening the test's built strings.
      for (const pass of ['first', 'second']) {
        const t0 = performance.now();
        const pred = compileWhere(parseWhere(where), schema);
        let count = 0;
        for (let i = 0; i < n; i++) if (pred(rows[i], ctx)) count++;
        const ms = performance.now() - t0;
        console.log(`where ${where}: ${count} of ${n} records in ${ms.toFixed(1)} ms (${pass} pass)`);
        expect(count).toBe(expected);
      }
    };
    let both = 0;
    for (let i = 0; i < n; i++) if (i % 10 === 5 && i % 3 === 0) both++;
    run('project_id=5 and billable=true', both);
    run('created_on>=1585000000', n - Math.ceil((1_585_000_000_000 - base) / 60_000));
    run(
      'users<>anyone and users in (3, 4)',
      rows.filter((r) => (r.users as number[]).some((u) => u === 3 || u === 4)).length,
    );
  });
});
