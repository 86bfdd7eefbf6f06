import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanRequest } from '../../src/catalog/table-source.js';
import type { LogicalPlan } from '../../src/plan/logical.js';
import { forEachNode } from '../../src/plan/walk.js';
import { postgresBinDir, startTempPostgres, type TempPostgres } from '../support/postgres.js';
import { fixture, fixtureSql, text } from './fixture.js';

/** A source estimate like Paymo's fan-out: a plain read costs 5 requests, a read by join keys 1. */
const fanOutLike = (r: ScanRequest): number => ((r.dynamicFilters?.length ?? 0) > 0 ? 1 : 5);

function joins(plan: LogicalPlan): Extract<LogicalPlan, { kind: 'join' }>[] {
  const out: Extract<LogicalPlan, { kind: 'join' }>[] = [];
  forEachNode(plan, (p) => {
    if (p.kind === 'join') out.push(p);
  });
  return out;
}

const keyed = (r: ScanRequest | undefined): boolean => (r?.dynamicFilters?.length ?? 0) > 0;

describe('anti joins take join keys when they save requests', () => {
  const antiForms = [
    'select id from tasks t where not exists (select 1 from entries e where e.task_id = t.id) order by id',
    'select t.id from tasks t left join entries e on e.task_id = t.id where e.id is null order by 1',
  ];

  it('sends the unfiltered left side’s keys into the right scan when the source estimates it cheaper', async () => {
    for (const sql of antiForms) {
      const { engine, sources } = fixture({ estimate: fanOutLike });
      expect(text(await engine.query(sql)), sql).toEqual([['102'], ['106'], ['108']]);
      expect(sources.entries!.requests, sql).toHaveLength(1);
      const dyn = sources.entries!.requests[0]!.dynamicFilters![0]!;
      expect(dyn.kind === 'in_list' ? dyn.list.map((x) => (x.kind === 'literal' ? x.value : 0)) : []).toEqual(
        [100, 101, 102, 103, 104, 105, 106, 107, 108],
      );
    }
  });

  it('keeps reading the right side plainly when keys would not save a request', async () => {
    for (const sql of antiForms) {
      const { engine, sources } = fixture({ estimate: 1 });
      expect(text(await engine.query(sql)), sql).toEqual([['102'], ['106'], ['108']]);
      expect(keyed(sources.entries!.requests[0]), sql).toBe(false);
      expect(joins(engine.plan(sql)).every((j) => j.dynamic === undefined)).toBe(true);
    }
  });

  it('falls back to a plain read at run time when the key batches cost more than it', async () => {
    // Nine keys in batches of two are five calls; this source's plain read costs 3.
    const { engine, sources } = fixture({
      maxInListSize: 2,
      estimate: (r) => ((r.dynamicFilters?.length ?? 0) > 0 ? 1 : 3),
    });
    const sql = antiForms[0]!;
    expect(joins(engine.plan(sql))[0]!.dynamic).toBeDefined();
    expect(text(await engine.query(sql))).toEqual([['102'], ['106'], ['108']]);
    expect(sources.entries!.requests).toHaveLength(1);
    expect(keyed(sources.entries!.requests[0])).toBe(false);
  });

  it('asks the source when it has an opinion (preferKeyBatches)', async () => {
    const { engine, sources } = fixture({ maxInListSize: 2, estimate: fanOutLike });
    const asked: number[] = [];
    Object.assign(sources.entries!, {
      preferKeyBatches: (_r: ScanRequest, column: string, keys: number) => {
        asked.push(keys);
        return column === 'task_id';
      },
    });
    expect(text(await engine.query(antiForms[0]!))).toEqual([['102'], ['106'], ['108']]);
    expect(asked).toEqual([9]);
    expect(sources.entries!.requests).toHaveLength(5);
  });
});

describe('NOT IN (subquery) as a null-aware anti join', () => {
  it('binds an uncorrelated NOT IN to a null-aware anti join, and a correlated one to a subquery', () => {
    const { engine } = fixture();
    const plain = joins(
      engine.plan('select id from clients where id not in (select client_id from projects)'),
    );
    expect(plain.map((j) => [j.joinType, j.nullAware])).toEqual([['anti', true]]);
    const negated = joins(
      engine.plan('select id from clients where not (id in (select client_id from projects))'),
    );
    expect(negated.map((j) => [j.joinType, j.nullAware])).toEqual([['anti', true]]);
    const correlated = joins(
      engine.plan(
        'select id from clients c where id not in (select client_id from projects p where p.name <> c.name)',
      ),
    );
    expect(correlated).toEqual([]);
  });

  it('sends keys into the subquery’s scan only when its key column cannot be NULL', () => {
    const { engine } = fixture({ estimate: fanOutLike });
    // projects.id is NOT NULL: keys are safe.
    const safe = joins(engine.plan('select id from tasks where project_id not in (select id from projects)'));
    expect(safe[0]!.dynamic?.column).toBe('id');
    // tasks.project_id may be NULL: keyed reads would never see a NULL that empties the answer.
    const unsafe = joins(
      engine.plan('select id from projects where id not in (select project_id from tasks)'),
    );
    expect(unsafe[0]!.dynamic).toBeUndefined();
    // NOT EXISTS has no such trap.
    const exists = joins(
      engine.plan(
        'select id from projects p where not exists (select 1 from tasks t where t.project_id = p.id)',
      ),
    );
    expect(exists[0]!.dynamic?.column).toBe('project_id');
  });

  it('reads the subquery plainly up to one row when keys found nothing and a left key is NULL', async () => {
    const { engine, sources } = fixture({ estimate: fanOutLike });
    // Client keys 1, 2, 3 meet no client in Athens, but client 5 is there: project 13 (NULL client) goes.
    const sql =
      "select id from projects where client_id not in (select id from clients where city = 'Athens') order by id";
    expect(text(await engine.query(sql))).toEqual([['10'], ['11'], ['12'], ['14']]);
    expect(sources.clients!.requests.map(keyed)).toEqual([true, false]);
  });
});

/** Queries whose answers depend on NULLs on either side; every one runs with keys and without. */
const NULL_CASES = [
  // NULL among the subquery's values (projects.client_id of Internal): no row.
  'select name from clients where id not in (select client_id from projects) order by 1',
  'select name from clients where id not in (select client_id from projects where client_id is not null) order by 1',
  // NULL on the left: dropped unless the subquery is empty.
  'select id from projects where client_id not in (select id from clients where id < 3) order by 1',
  'select id from projects where client_id not in (select id from clients where id > 100) order by 1',
  'select id from projects where client_id not in (select id from clients where id = 5) order by 1',
  "select id from projects where client_id not in (select id from clients where city = 'Athens') order by 1",
  "select id from projects where client_id not in (select id from clients where city = 'Nowhere') order by 1",
  'select id from projects where not (client_id in (select id from clients where city is not null)) order by 1',
  'select id from tasks where project_id not in (select id from projects where billable) order by 1',
  'select id from tasks where project_id not in (select id from projects where client_id is null) order by 1',
  'select count(*) from entries where task_id not in (select id from tasks where complete)',
  // NOT EXISTS and LEFT JOIN … IS NULL ignore NULL keys on both sides.
  'select id from projects p where not exists (select 1 from clients c where c.id = p.client_id) order by 1',
  'select p.id from projects p left join clients c on c.id = p.client_id where c.id is null order by 1',
  'select id from clients c where not exists (select 1 from projects p where p.client_id = c.id and p.billable) order by 1',
];

const pgSkip = postgresBinDir() ? '' : 'PostgreSQL server not installed';

describe.skipIf(pgSkip)(
  `NOT IN / NOT EXISTS against PostgreSQL${pgSkip ? ` (skipped: ${pgSkip})` : ''}`,
  () => {
    let pg: TempPostgres;
    beforeAll(async () => {
      pg = await startTempPostgres();
      await pg.client.query(fixtureSql());
    }, 120_000);
    afterAll(async () => {
      await pg?.close();
    });

    it.each(NULL_CASES)('%s', async (sql) => {
      const expected = (await pg.client.query({ text: sql, rowMode: 'array' })).rows.map((r: unknown[]) =>
        r.map((v) => (v === null ? null : String(v))),
      );
      for (const opts of [
        { estimate: fanOutLike },
        { estimate: fanOutLike, maxInListSize: 2 },
        { estimate: 1 },
        { pushdown: false },
      ]) {
        const { engine } = fixture(opts);
        expect(text(await engine.query(sql)), JSON.stringify(opts)).toEqual(expected);
      }
    });
  },
);
