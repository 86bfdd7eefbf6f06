import { describe, expect, it } from 'vitest';
import { readFilter } from '../../src/catalog/filters.js';
import { createEngine } from '../../src/engine.js';
import type { Expr } from '../../src/plan/expr.js';
import type { LogicalPlan } from '../../src/plan/logical.js';
import { forEachNode } from '../../src/plan/walk.js';
import { fixture, PAYMO_LIKE, TABLES, text } from './fixture.js';
import { MemorySource, memoryCatalog } from './memory-source.js';

function nodes(plan: LogicalPlan, kind: LogicalPlan['kind']): LogicalPlan[] {
  const out: LogicalPlan[] = [];
  forEachNode(plan, (p) => {
    if (p.kind === kind) out.push(p);
  });
  return out;
}

function inValues(e: Expr | undefined): unknown[] {
  if (e?.kind !== 'in_list') throw new Error(`not an IN list: ${JSON.stringify(e)}`);
  return e.list.map((x) => (x.kind === 'literal' ? x.value : undefined));
}

describe('filter pushdown', () => {
  it('moves an exact filter into the scan and leaves no Filter', async () => {
    const { engine, sources } = fixture();
    const r = await engine.query('select name from clients where id = 2');
    expect(text(r)).toEqual([['Ærø Design']]);
    expect(sources.clients!.requests).toHaveLength(1);
    const f = sources.clients!.requests[0]!.filters;
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      kind: 'call',
      fn: '=',
      args: [
        { kind: 'column', name: 'id' },
        { kind: 'literal', value: 2 },
      ],
    });
    expect(nodes(engine.plan('select name from clients where id = 2'), 'filter')).toHaveLength(0);
  });

  it('pushes col = (uncorrelated scalar subquery) with its value, run once before the scan', async () => {
    const { engine, sources } = fixture();
    const sql = 'select name from clients where id = (select min(id) + 1 from clients)';
    const r = await engine.query(sql);
    expect(text(r)).toEqual([['Ærø Design']]);
    const last = sources.clients!.requests.at(-1)!.filters;
    expect(last).toMatchObject([
      { kind: 'call', fn: '=', args: [{ name: 'id' }, { kind: 'literal', value: 2 }] },
    ]);
    expect(nodes(engine.plan(sql), 'filter')).toHaveLength(0);
    // NULL matches nothing: no request for the outer scan; two rows are 21000, as in PostgreSQL.
    const before = sources.clients!.requests.length;
    expect(
      text(
        await engine.query('select name from clients where id = (select max(id) from clients where id < 0)'),
      ),
    ).toEqual([]);
    expect(sources.clients!.requests.length).toBe(before + 1);
    await expect(
      engine.query('select name from clients where id = (select id from clients)'),
    ).rejects.toMatchObject({
      code: '21000',
    });
    // Cast, it is one value too.
    const cast = 'select name from clients where id = cast((select min(id) + 1 from clients) as integer)';
    expect(text(await engine.query(cast))).toEqual([['Ærø Design']]);
    expect(nodes(engine.plan(cast), 'filter')).toHaveLength(0);
    // A correlated subquery is never a scan's filter value.
    const corr =
      'select c.name from clients c where c.id = (select min(d.id) from clients d where d.name = c.name)';
    const scans = nodes(engine.plan(corr), 'scan') as Extract<LogicalPlan, { kind: 'scan' }>[];
    expect(scans.flatMap((p) => p.filters).some((f) => JSON.stringify(f).includes('subquery'))).toBe(false);
    expect(text(await engine.query(corr))).toHaveLength(TABLES.clients!.rows.length);
  });

  it('sends an inexact filter to the scan and keeps it in a Filter above', async () => {
    const { engine, sources } = fixture();
    const r = await engine.query("select id from entries where user_name = 'ann' order by id");
    // The memory source ignores inexact filters and returns every row: the Filter must remove them.
    expect(text(r)).toEqual([['1000'], ['1002'], ['1005']]);
    expect(sources.entries!.requests[0]!.filters).toHaveLength(1);
    const filters = nodes(engine.plan("select id from entries where user_name = 'ann'"), 'filter');
    expect(filters).toHaveLength(1);
  });

  it('keeps an unsupported filter local', async () => {
    const { engine, sources } = fixture();
    const r = await engine.query('select id from entries where minutes > 150 order by id');
    expect(text(r)).toEqual([['1002'], ['1006'], ['1008']]);
    expect(sources.entries!.requests[0]!.filters).toHaveLength(0);
    expect(nodes(engine.plan('select id from entries where minutes > 150'), 'filter')).toHaveLength(1);
  });

  it('splits AND conjuncts: exact ones go down, the rest stay', async () => {
    const { engine, sources } = fixture();
    const sql = "select id from entries where task_id = 105 and minutes > 100 and entry_date >= '2023-01-01'";
    expect(text(await engine.query(sql))).toEqual([['1006']]);
    const req = sources.entries!.requests[0]!;
    expect(
      req.filters.map((f) =>
        f.kind === 'call' ? `${(f.args[0] as { name: string }).name} ${f.fn}` : f.kind,
      ),
    ).toEqual(['task_id =', 'entry_date >=']);
    // The date literal reaches the source already coerced to the column's type.
    expect((req.filters[1] as Extract<Expr, { kind: 'call' }>).args[1]).toEqual({
      kind: 'literal',
      value: '2023-01-01',
      type: 'date',
    });
  });

  it('turns col = a OR col = b into one IN list', async () => {
    const { engine, sources } = fixture();
    const r = await engine.query(
      'select name from clients where id = 1 or id = 3 or id in (5, 1) order by id',
    );
    expect(text(r)).toEqual([['Acme Corp'], ['Zürich AG'], ['Ωmega']]);
    expect(inValues(sources.clients!.requests[0]!.filters[0])).toEqual([1, 3, 5]);
  });

  it('normalises literal-first comparisons (5 < col becomes col > 5)', async () => {
    const { engine, sources } = fixture({
      profile: { ...PAYMO_LIKE, tasks: { priority: { '>': 'exact' } } },
    });
    expect(text(await engine.query('select id from tasks where 1 < priority order by id'))).toEqual([
      ['101'],
      ['104'],
      ['105'],
      ['108'],
    ]);
    expect(sources.tasks!.requests[0]!.filters[0]).toMatchObject({
      fn: '>',
      args: [{ name: 'priority' }, { value: 1 }],
    });
  });

  it('pushes WHERE predicates through joins to the side they constrain', async () => {
    const { engine, sources } = fixture();
    const sql =
      'select t.name, e.minutes from tasks t join entries e on e.task_id = t.id where t.complete = true and e.minutes > 50 order by e.id';
    expect(text(await engine.query(sql))).toEqual([
      ['Design mockups', '120'],
      ['Design mockups', '90'],
      ['Logo', '200'],
    ]);
    expect(sources.tasks!.requests[0]!.filters).toHaveLength(1);
  });

  it('turns a Filter over a cross join into a hash join condition', () => {
    const { engine } = fixture();
    const plan = engine.plan(
      'select t.name from tasks t, projects p where p.id = t.project_id and p.billable',
    );
    const joins = nodes(plan, 'join') as Extract<LogicalPlan, { kind: 'join' }>[];
    expect(joins[0]!.joinType).toBe('inner');
    expect(joins[0]!.on).not.toBeNull();
    expect(nodes(plan, 'filter')).toHaveLength(0);
  });

  it('does not push a WHERE predicate on the nullable side of a LEFT JOIN into its scan', async () => {
    const { engine, sources } = fixture();
    const sql =
      'select c.id from clients c left join projects p on p.client_id = c.id where p.id is null order by c.id';
    expect(text(await engine.query(sql))).toEqual([['4'], ['5']]);
    expect(sources.projects!.requests.every((r) => r.filters.length === 0)).toBe(true);
  });

  it('pushes an ON predicate of the nullable side into its scan', async () => {
    const { engine, sources } = fixture();
    const sql =
      'select c.id, p.id from clients c left join projects p on p.client_id = c.id and p.billable = true order by 1, 2';
    expect(text(await engine.query(sql))).toEqual([
      ['1', '10'],
      ['1', '11'],
      ['2', null],
      ['3', '14'],
      ['4', null],
      ['5', null],
    ]);
    expect(sources.projects!.requests[0]!.filters).toHaveLength(1);
  });
});

describe('projection pruning', () => {
  it('asks the source only for the columns the query reads', async () => {
    const { engine, sources } = fixture();
    await engine.query('select name from tasks where project_id = 10');
    expect(sources.tasks!.requests[0]!.columns).toEqual(['name']);
  });

  it('keeps join keys and sort keys, drops the rest', async () => {
    const { engine, sources } = fixture();
    await engine.query(
      'select p.name from projects p join clients c on c.id = p.client_id order by c.created_on',
    );
    expect(sources.projects!.requests[0]!.columns).toEqual(['name', 'client_id']);
    expect(sources.clients!.requests[0]!.columns).toEqual(['id', 'created_on']);
  });

  it('asks for no columns at all for count(*)', async () => {
    const { engine, sources } = fixture();
    expect(text(await engine.query('select count(*) from tasks'))).toEqual([['9']]);
    expect(sources.tasks!.requests[0]!.columns).toEqual([]);
  });
});

describe('limit pushdown', () => {
  it('pushes LIMIT (+ OFFSET) into a scan whose filters are all exact', async () => {
    const { engine, sources } = fixture();
    const r = await engine.query('select id from tasks where project_id = 10 limit 2 offset 1');
    expect(r.rowCount).toBe(2);
    expect(sources.tasks!.requests[0]!.limit).toBe(3);
  });

  it('does not push LIMIT past an inexact or local filter', async () => {
    const { engine, sources } = fixture();
    expect(text(await engine.query("select id from entries where user_name = 'bob' limit 1"))).toEqual([
      ['1001'],
    ]);
    expect(sources.entries!.requests[0]!.limit).toBeUndefined();
    await engine.query('select id from entries where minutes > 100 limit 1');
    expect(sources.entries!.requests[1]!.limit).toBeUndefined();
  });

  it('does not push LIMIT below ORDER BY, aggregates, joins or DISTINCT', async () => {
    const { engine, sources } = fixture();
    for (const sql of [
      'select id from tasks order by name limit 1',
      'select project_id, count(*) from tasks group by 1 limit 1',
      'select t.id from tasks t join projects p on p.id = t.project_id limit 1',
      'select distinct project_id from tasks limit 1',
    ]) {
      sources.tasks!.requests.length = 0;
      await engine.query(sql);
      expect(sources.tasks!.requests[0]!.limit, sql).toBeUndefined();
    }
  });
});

describe('semi-join pushdown', () => {
  it('runs the filtered side first and passes its keys as a dynamic IN filter', async () => {
    const { engine, sources } = fixture();
    const sql =
      'select t.name, p.name from tasks t join projects p on p.id = t.project_id where p.client_id = 1 order by t.id';
    expect(text(await engine.query(sql))).toEqual([
      ['Design mockups', 'Website'],
      ['Build frontend', 'Website'],
      ['QA', 'Website'],
      ['iOS build', 'App'],
      ['Android build', 'App'],
    ]);
    expect(sources.tasks!.requests).toHaveLength(1);
    const dyn = sources.tasks!.requests[0]!.dynamicFilters!;
    expect(dyn).toHaveLength(1);
    expect(dyn[0]).toMatchObject({ kind: 'in_list', arg: { kind: 'column', name: 'project_id' } });
    expect(inValues(dyn[0]).sort()).toEqual([10, 11]);
  });

  it('batches the key set by the source maxInListSize', async () => {
    const { engine, sources } = fixture({ maxInListSize: 2, estimate: 5 });
    const sql =
      'select e.id from entries e join tasks t on t.id = e.task_id where t.complete = true order by e.id';
    expect(text(await engine.query(sql))).toEqual([['1000'], ['1001'], ['1005'], ['1006'], ['1007']]);
    const calls = sources.entries!.requests.map((r) => inValues(r.dynamicFilters?.[0]));
    expect(calls).toEqual([[100, 104], [105]]);
  });

  it('scans plainly when the key batches would cost more requests than a full scan', async () => {
    const { engine, sources } = fixture({ maxInListSize: 1, estimate: 2 });
    const sql =
      'select e.id from entries e join tasks t on t.id = e.task_id where t.complete = true order by e.id';
    expect(text(await engine.query(sql))).toEqual([['1000'], ['1001'], ['1005'], ['1006'], ['1007']]);
    // Three keys in batches of one would be three calls; the source estimates two for a plain scan.
    expect(sources.entries!.requests).toHaveLength(1);
    expect(sources.entries!.requests[0]!.dynamicFilters).toBeUndefined();
  });

  it('makes no request at all on the probe side when the build side is empty', async () => {
    const { engine, sources } = fixture();
    const r = await engine.query(
      'select t.id from tasks t join projects p on p.id = t.project_id where p.client_id = 42',
    );
    expect(r.rowCount).toBe(0);
    expect(sources.tasks!.requests).toHaveLength(0);
  });

  it('turns IN (subquery) into a semi join that feeds the outer scan', async () => {
    const { engine, sources } = fixture();
    const sql =
      'select name from tasks where project_id in (select id from projects where client_id = 1) order by id';
    expect(text(await engine.query(sql))).toEqual([
      ['Design mockups'],
      ['Build frontend'],
      ['QA'],
      ['iOS build'],
      ['Android build'],
    ]);
    expect(inValues(sources.tasks!.requests[0]!.dynamicFilters?.[0]).sort()).toEqual([10, 11]);
  });

  it('only filters the nullable side of a LEFT JOIN', async () => {
    const { engine, sources } = fixture();
    const sql =
      'select c.name, p.name from clients c left join projects p on p.client_id = c.id where c.active = true order by 1, 2';
    expect(text(await engine.query(sql))).toEqual([
      ['Acme Corp', 'App'],
      ['Acme Corp', 'Website'],
      ['beta llc', null],
      ['Ærø Design', 'Branding'],
    ]);
    expect(sources.clients!.requests[0]!.dynamicFilters).toBeUndefined();
    expect(inValues(sources.projects!.requests[0]!.dynamicFilters?.[0]).sort()).toEqual([1, 2, 4]);
  });

  it('cascades keys down a chain of joins', async () => {
    const { engine, sources } = fixture();
    const sql =
      'select e.id from entries e join tasks t on t.id = e.task_id join projects p on p.id = t.project_id where p.client_id = 1 order by e.id';
    expect(text(await engine.query(sql))).toEqual([
      ['1000'],
      ['1001'],
      ['1002'],
      ['1003'],
      ['1004'],
      ['1005'],
    ]);
    expect(inValues(sources.tasks!.requests[0]!.dynamicFilters?.[0]).sort()).toEqual([10, 11]);
    expect(inValues(sources.entries!.requests[0]!.dynamicFilters?.[0]).sort()).toEqual([
      100, 101, 102, 103, 104,
    ]);
  });

  it('is not used when neither side is selective', () => {
    const { engine } = fixture();
    const plan = engine.plan('select t.id from tasks t join projects p on p.id = t.project_id');
    const j = nodes(plan, 'join')[0] as Extract<LogicalPlan, { kind: 'join' }>;
    expect(j.dynamic).toBeUndefined();
  });

  it('is not used when the probe source cannot take IN on the key', async () => {
    const { engine, sources } = fixture({ profile: { ...PAYMO_LIKE, tasks: {} } });
    await engine.query(
      'select t.id from tasks t join projects p on p.id = t.project_id where p.client_id = 1',
    );
    expect(sources.tasks!.requests[0]!.dynamicFilters).toBeUndefined();
  });
});

describe('pushdown disabled', () => {
  it('sends no filters, limits or dynamic filters and gives the same rows', async () => {
    const on = fixture();
    const off = fixture({ pushdown: false });
    const sql =
      "select t.name from tasks t join projects p on p.id = t.project_id where p.client_id = 1 and t.name like '%build%' order by 1 limit 5";
    const a = text(await on.engine.query(sql));
    const b = text(await off.engine.query(sql));
    expect(a).toEqual([['Android build'], ['iOS build']]);
    expect(b).toEqual(a);
    for (const s of Object.values(off.sources)) {
      for (const r of s.requests) {
        expect(r.filters).toEqual([]);
        expect(r.limit).toBeUndefined();
        expect(r.dynamicFilters).toBeUndefined();
      }
    }
  });
});

describe('validateScan', () => {
  const make = () => {
    const src = new MemorySource({
      schema: TABLES.entries!.schema,
      rows: TABLES.entries!.rows,
      support: { task_id: { '=': 'exact', in: 'exact' } },
      requireOneOf: ['task_id'],
    });
    return { src, engine: createEngine({ catalog: memoryCatalog({ entries: src }) }) };
  };

  it('rejects at plan time a scan that lacks a required filter, naming the alternatives', async () => {
    const { src, engine } = make();
    await expect(engine.query('select id from entries')).rejects.toMatchObject({
      code: '0A000',
      message: expect.stringContaining('task_id'),
    });
    expect(src.requests).toHaveLength(0);
  });

  it('accepts the scan once the filter is there', async () => {
    const { engine } = make();
    expect(text(await engine.query('select id from entries where task_id = 101 order by id'))).toEqual([
      ['1002'],
      ['1003'],
    ]);
  });
});

describe('outer join reduction', () => {
  it('turns LEFT JOIN into an inner join when WHERE rejects NULLs of the nullable side', async () => {
    const { engine, sources } = fixture();
    const sql =
      'select t.name from tasks t left join projects p on p.id = t.project_id where p.client_id = 2 order by 1';
    expect(text(await engine.query(sql))).toEqual([['Café menu'], ['Logo']]);
    expect(sources.projects!.requests[0]!.filters).toHaveLength(1);
    expect(sources.tasks!.requests[0]!.dynamicFilters).toHaveLength(1);
  });

  it('keeps the LEFT JOIN when the predicate accepts NULLs', () => {
    const { engine } = fixture();
    const plan = engine.plan(
      'select t.id from tasks t left join projects p on p.id = t.project_id where p.client_id = 2 or p.id is null',
    );
    const joins: string[] = [];
    forEachNode(plan, (n) => {
      if (n.kind === 'join') joins.push(n.joinType);
    });
    expect(joins).toEqual(['left']);
  });
});

describe('array membership', () => {
  it("offers 'lit = ANY(array_col)' to the source as a contains filter", async () => {
    const { engine, sources } = fixture({
      profile: { ...PAYMO_LIKE, projects: { tags: { contains: 'exact' } } },
    });
    const r = await engine.query("select id from projects where 'web' = any(tags) order by id");
    expect(text(r)).toEqual([['10'], ['14']]);
    expect(readFilter(sources.projects!.requests[0]!.filters[0]!)).toEqual({
      kind: 'simple',
      column: 'tags',
      type: 'text[]',
      op: 'contains',
      values: ['web'],
    });
    expect(nodes(engine.plan("select id from projects where 'web' = any(tags)"), 'filter')).toHaveLength(0);
  });
});

describe('pushdown interactions', () => {
  it('never feeds semi-join keys into a scan that already carries a LIMIT', async () => {
    const { engine, sources } = fixture();
    const sql =
      'select t.id, p.name from (select * from tasks limit 3) t join projects p on p.id = t.project_id where p.client_id = 1 order by t.id';
    expect(text(await engine.query(sql))).toEqual([
      ['100', 'Website'],
      ['101', 'Website'],
      ['102', 'Website'],
    ]);
    expect(sources.tasks!.requests[0]!.limit).toBe(3);
    expect(sources.tasks!.requests[0]!.dynamicFilters).toBeUndefined();
  });

  it('filters below a decorrelated aggregate by its group key', async () => {
    const { engine, sources } = fixture();
    const sql =
      'select p.name, (select max(t.priority) from tasks t where t.project_id = p.id) from projects p where p.billable order by p.id';
    expect(text(await engine.query(sql))).toEqual([
      ['Website', '2'],
      ['App', '3'],
      ['Audit', '1'],
    ]);
    const dyn = sources.tasks!.requests[0]!.dynamicFilters?.[0];
    expect(dyn?.kind === 'in_list' ? dyn.list.length : 0).toBe(3);
  });
});

describe('transitive filters over join keys', () => {
  it('copies a literal constraint across an equi-join so both scans are filtered', async () => {
    const { engine, sources } = fixture();
    const sql =
      'select t.name from tasks t join projects p on p.id = t.project_id where p.id = 12 order by 1';
    expect(text(await engine.query(sql))).toEqual([['Café menu'], ['Logo']]);
    expect(readFilter(sources.tasks!.requests[0]!.filters[0]!)).toMatchObject({
      column: 'project_id',
      op: '=',
      values: [12],
    });
    // Both sides are pinned: no semi-join round trip is needed.
    expect(sources.tasks!.requests[0]!.dynamicFilters).toBeUndefined();
  });

  it('copies IN lists into the nullable side of a LEFT JOIN only', async () => {
    const { engine, sources } = fixture();
    const sql =
      'select t.id, e.id from tasks t left join entries e on e.task_id = t.id where t.id in (101, 102) order by 1, 2';
    expect(text(await engine.query(sql))).toEqual([
      ['101', '1002'],
      ['101', '1003'],
      ['102', null],
    ]);
    expect(readFilter(sources.entries!.requests[0]!.filters[0]!)).toMatchObject({
      column: 'task_id',
      op: 'in',
      values: [101, 102],
    });
  });
});

describe('OR across columns of one scan', () => {
  const sql =
    "select id from entries where entry_date >= '2024-01-01' or started_at < '2023-02-01' or minutes = 15 order by id";

  it('offers the OR to the source, which reads it as or-columns data', async () => {
    const { engine, sources } = fixture({
      profile: { ...PAYMO_LIKE, entries: { '*': { or_columns: 'inexact' } } },
    });
    expect(text(await engine.query(sql))).toEqual([['1007'], ['1008'], ['1009']]);
    const f = sources.entries!.requests[0]!.filters;
    expect(f.map(readFilter)).toEqual([
      {
        kind: 'or-columns',
        alternatives: [
          { column: 'entry_date', type: 'date', op: '>=', values: ['2024-01-01'] },
          {
            column: 'started_at',
            type: 'timestamptz',
            op: '<',
            values: [Date.parse('2023-02-01T00:00:00Z')],
          },
          { column: 'minutes', type: 'integer', op: '=', values: [15] },
        ],
      },
    ]);
    // Inexact: the OR is re-checked above the scan.
    expect(nodes(engine.plan(sql), 'filter')).toHaveLength(1);
  });

  it('drops the local check when the source answers exact, and keeps it local when unsupported', async () => {
    const exact = fixture({ profile: { ...PAYMO_LIKE, entries: { '*': { or_columns: 'exact' } } } });
    expect(text(await exact.engine.query(sql))).toEqual([['1007'], ['1008'], ['1009']]);
    expect(nodes(exact.engine.plan(sql), 'filter')).toHaveLength(0);
    const none = fixture();
    expect(text(await none.engine.query(sql))).toEqual([['1007'], ['1008'], ['1009']]);
    expect(none.sources.entries!.requests[0]!.filters).toEqual([]);
  });

  it('offers only ORs whose every branch is a simple form on this scan', async () => {
    const { engine, sources } = fixture({
      profile: { ...PAYMO_LIKE, entries: { '*': { or_columns: 'exact' } } },
    });
    const r = await engine.query(
      "select e.id from entries e join tasks t on t.id = e.task_id where e.minutes = 15 or t.priority = 3 or lower(e.user_name) = 'eve' order by 1",
    );
    expect(text(r)).toEqual([['1005'], ['1007'], ['1008']]);
    expect(sources.entries!.requests[0]!.filters).toEqual([]);
  });
});
