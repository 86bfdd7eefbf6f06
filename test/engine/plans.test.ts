import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RuntimeValue, readFilter } from '../../src/catalog/filters.js';
import { implementedFunctions } from '../../src/exec/functions.js';
import { scalarFunctionNames } from '../../src/plan/functions.js';
import { RULES } from '../../src/plan/optimize.js';
import { fixture, text } from './fixture.js';

describe('EXPLAIN', () => {
  it('prints the plan with pushed filters, the source lines and request estimates', async () => {
    const { engine, sources } = fixture();
    const sql =
      "select c.name, count(*) as n from clients c join projects p on p.client_id = c.id where c.active and p.name like 'A%' group by c.name order by n desc limit 5";
    expect(await engine.explain(sql)).toBe(
      [
        'Limit 5',
        '  Sort n DESC',
        '    Aggregate group by c.name: count(*)',
        '      Hash Join inner on (p.client_id = c.id)',
        '          semi-join pushdown: left side first, c.id → client_id',
        '        Scan clients AS c (est. requests=1)',
        '            columns: id, name',
        '            pushed filters: (c.active = true)',
        '            GET /memory?where=active =',
        "        Filter (p.name LIKE 'A%')",
        '          Scan projects AS p (est. requests=1)',
        '              columns: name, client_id',
        '              dynamic filter: client_id IN (keys from join)',
        '              GET /memory',
        'Estimated requests: 2',
      ].join('\n'),
    );
    // Planning alone makes no requests.
    expect(Object.values(sources).every((s) => s.requests.length === 0)).toBe(true);
  });

  it('shows subplans, CTEs and set operations', async () => {
    const { engine } = fixture();
    const text1 = await engine.explain(
      'with x as (select * from tasks where project_id = 10) select a.id from x a join x b on a.id < b.id',
    );
    expect(text1).toContain('With\n  CTE x\n    Scan tasks');
    expect(text1).toContain('Nested Loop inner on (a.id < b.id)');
    expect(text1.match(/CTE Scan x/g)).toHaveLength(2);
    const text2 = await engine.explain(
      'select name from tasks where id = 1 or project_id in (select id from projects)',
    );
    expect(text2).toContain('(tasks.project_id IN (SubPlan 1))');
    expect(text2).toContain('\n    SubPlan 1\n');
    const text3 = await engine.explain(
      'select e.id, (select t.name from tasks t where t.id = e.task_id limit 1) from entries e',
    );
    expect(text3).toContain('Project e.id AS id, (SubPlan 1) AS name');
    expect(text3).toContain('SubPlan 1 (correlated: runs once per distinct outer key)');
    expect(text3).toMatch(/Estimated requests: at least 2$/);
    expect(await engine.explain('select 1 union all select 2')).toMatch(/^Union All/);
  });

  it('EXPLAIN ANALYZE reports rows, loops, time and the source statistics per scan', async () => {
    const { engine } = fixture({ pageSize: 2 });
    const out = await engine.explain('select id from tasks where project_id = 10', { analyze: true });
    expect(out).toMatch(/Scan tasks \(est\. requests=1\) \(actual rows=3 loops=1 time=[\d.]+ ms\)/);
    // Three rows in pages of two: the source counted two requests.
    expect(out).toContain('requests=2 rows fetched=3 cache hits=0 retries=0 scan calls=1');
    expect(out).toMatch(/Execution Time: [\d.]+ ms\nTotal Requests: 2$/);
    const f = await engine.explain('select id from entries where minutes > 100', { analyze: true });
    expect(f).toContain('rows removed by filter: 6');
  });

  it('EXPLAIN VERBOSE lists the output columns of every node with their types', async () => {
    const { engine } = fixture();
    const r = await engine.query('explain verbose select name, count(*) from tasks group by name');
    expect(r.rows.map((x) => x[0])).toEqual(
      [
        'Aggregate group by tasks.name: count(*)',
        '    output: name text, count bigint',
        'Scan tasks (est. requests=1)',
        '    output: name text',
        '    columns: name',
        '    GET /memory',
        'Estimated requests: 1',
      ].map((l, i) => (i >= 2 && i <= 5 ? `  ${l}` : l)),
    );
  });

  it('answers EXPLAIN statements through query()', async () => {
    const { engine } = fixture();
    const r = await engine.query('EXPLAIN select id from tasks where id = 3');
    expect(r.command).toBe('EXPLAIN');
    expect(r.fields).toEqual([{ name: 'QUERY PLAN', type: 'text' }]);
    expect(r.rows.map((x) => x[0])).toEqual([
      'Scan tasks (est. requests=1)',
      '    columns: id',
      '    pushed filters: (tasks.id = 3)',
      '    GET /memory?where=id =',
      'Estimated requests: 1',
    ]);
    const a = await engine.query('explain analyze select count(*) from tasks');
    expect(a.rows.map((x) => x[0]).join('\n')).toContain('actual rows=1');
  });
});

describe('request-saving plans', () => {
  it('decorrelates a scalar aggregate subquery into one grouped read of the inner table', async () => {
    const { engine, sources } = fixture();
    const sql =
      'select name, (select count(*) from entries e where e.task_id = t.id) as n from tasks t where t.project_id = 10 order by t.id';
    expect(text(await engine.query(sql))).toEqual([
      ['Design mockups', '2'],
      ['Build frontend', '2'],
      ['QA', '0'],
    ]);
    expect(sources.entries!.requests).toHaveLength(1);
    const dyn = sources.entries!.requests[0]!.dynamicFilters?.[0];
    expect(
      dyn?.kind === 'in_list' && dyn.list.map((l) => (l.kind === 'literal' ? l.value : null)).sort(),
    ).toEqual([100, 101, 102]);
  });

  it('runs a correlated subquery it cannot decorrelate once per distinct outer key', async () => {
    const { engine, sources } = fixture();
    const sql =
      "select e.id, (select t.name from tasks t where t.id = e.task_id limit 1) from entries e where e.user_name in ('dan', 'ann') order by e.id";
    expect(text(await engine.query(sql))).toEqual([
      ['1000', 'Design mockups'],
      ['1002', 'Build frontend'],
      ['1005', 'Android build'],
      ['1006', 'Logo'],
      ['1007', 'Logo'],
    ]);
    // dan's two entries share task 105: four distinct keys, four subquery runs, each a read by id
    // (the correlation parameter t.id = e.task_id reaches the source with its value).
    expect(sources.tasks!.requests.map((r) => readFilter(r.filters[0]!))).toEqual(
      [100, 101, 104, 105].map((v) => ({
        kind: 'simple',
        column: 'id',
        type: 'bigint',
        op: '=',
        values: [v],
      })),
    );
    expect(await engine.explain(sql)).toContain('pushed filters: (t.id = e.task_id)');
  });

  it('shows sources a value known only at run time as a named placeholder at plan time', async () => {
    const seen: unknown[] = [];
    const { engine, sources } = fixture({
      estimate: (r) => {
        for (const f of r.filters) seen.push(readFilter(f));
        return 1;
      },
    });
    await engine.explain('select name from tasks where id = (select max(id) from projects)');
    await engine.explain(
      'select e.id, (select t.name from tasks t where t.id = e.task_id limit 1) from entries e',
    );
    const runtime = (source: string) => ({
      kind: 'simple',
      column: 'id',
      type: 'bigint',
      op: '=',
      values: [new RuntimeValue(source)],
    });
    // Once for the scan's line, once for the statement's estimate (named apart, unnumbered there).
    expect(seen).toEqual([
      runtime('SubPlan 1'),
      runtime('subquery value 1'),
      runtime('e.task_id'),
      runtime('e.task_id'),
    ]);
    // The scan itself gets the value.
    await engine.query('select name from tasks where id = (select max(id) from projects)');
    expect(readFilter(sources.tasks!.requests.at(-1)!.filters[0]!)).toMatchObject({ values: [14] });
  });

  it('makes no request for a correlation parameter that is NULL', async () => {
    const { engine, sources } = fixture();
    const sql =
      'select p.id, (select c.name from clients c where c.id = p.client_id limit 1) from projects p order by p.id';
    expect(text(await engine.query(sql))).toEqual([
      ['10', 'Acme Corp'],
      ['11', 'Acme Corp'],
      ['12', 'Ærø Design'],
      ['13', null],
      ['14', 'Zürich AG'],
    ]);
    expect(sources.clients!.requests).toHaveLength(3);
  });

  it('runs a LATERAL subquery once per distinct left key, with the key pushed into its scan', async () => {
    const { engine, sources } = fixture();
    const sql =
      'select p.name, t.name from projects p, lateral (select name from tasks t where t.project_id = p.id order by t.id desc limit 1) t where p.billable order by 1';
    expect(text(await engine.query(sql))).toEqual([
      ['App', 'Android build'],
      ['Audit', 'Review ledgers'],
      ['Website', 'QA'],
    ]);
    expect(sources.tasks!.requests.map((r) => readFilter(r.filters[0]!))).toEqual(
      [10, 11, 14].map((v) => ({
        kind: 'simple',
        column: 'project_id',
        type: 'bigint',
        op: '=',
        values: [v],
      })),
    );
    expect(await engine.explain(sql)).toMatch(/Estimated requests: at least 2$/);
  });

  it('evaluates an uncorrelated subquery once', async () => {
    const { engine, sources } = fixture();
    await engine.query('select name, (select max(minutes) from entries) from tasks');
    expect(sources.entries!.requests).toHaveLength(1);
  });

  it('materialises a CTE referenced twice once', async () => {
    const { engine, sources } = fixture();
    const r = await engine.query(
      'with x as (select id from tasks where project_id = 10) select a.id, b.id from x a join x b on a.id < b.id order by 1, 2',
    );
    expect(text(r)).toEqual([
      ['100', '101'],
      ['100', '102'],
      ['101', '102'],
    ]);
    expect(sources.tasks!.requests).toHaveLength(1);
  });

  it('inlines a CTE referenced once so its filter reaches the scan', async () => {
    const { engine, sources } = fixture();
    await engine.query('with x as (select * from tasks) select name from x where id = 104');
    expect(sources.tasks!.requests[0]!.filters).toHaveLength(1);
    expect(sources.tasks!.requests[0]!.columns).toEqual(['name']);
  });

  it('does not scan at all when a predicate folds to false', async () => {
    const { engine, sources } = fixture();
    const r = await engine.query('select id from tasks where 1 = 2 and project_id = 10');
    expect(r.rowCount).toBe(0);
    expect(sources.tasks!.requests).toHaveLength(0);
  });

  it('stops scanning once LIMIT is satisfied', async () => {
    const { engine } = fixture({ pageSize: 1 });
    const out = await engine.explain('select id from entries where minutes > 0 limit 2', { analyze: true });
    // One row per page: two pages give the two rows; the scan is closed before the other eight.
    const pages = Number(/requests=(\d+) rows fetched/.exec(out)?.[1]);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(pages).toBeLessThanOrEqual(3);
  });
});

describe('optimizer rules', () => {
  it('are an ordered list of named rules', () => {
    expect(RULES.map((r) => r.name)).toEqual([
      'inline-ctes',
      'fold-constants',
      'or-to-in',
      'push-filters',
      'fold-constants',
      'prune-columns',
      'remove-identity-projects',
      'parent-include',
      'prune-columns',
      'push-limit',
      'semi-join-pushdown',
    ]);
  });

  it('has an implementation for every function the binder types', () => {
    const impl = new Set(implementedFunctions());
    const missing = scalarFunctionNames().filter((n) => !impl.has(n));
    expect(missing).toEqual([]);
  });
});

describe('architecture', () => {
  const root = fileURLToPath(new URL('../../src/', import.meta.url));
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
    });
  const engineFiles = [
    ...['sql', 'plan', 'exec', 'catalog'].flatMap((d) => files(join(root, d))),
    join(root, 'engine.ts'),
    join(root, 'errors.ts'),
  ];

  it('the engine never imports Paymo or simulator code', () => {
    expect(engineFiles.length).toBeGreaterThan(20);
    const offenders = engineFiles.filter((f) =>
      /from\s+['"][^'"]*(paymo|simulator)\//.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('only src/sql imports node-sql-parser', () => {
    const offenders = engineFiles.filter(
      (f) => !f.includes(`${join(root, 'sql')}`) && /node-sql-parser/.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('stages only import earlier stages (sql ← plan ← exec), never the engine', () => {
    const bad: string[] = [];
    for (const f of engineFiles) {
      const src = readFileSync(f, 'utf8');
      if (f.includes('/sql/') && /from '\.\.\/(plan|exec)\//.test(src)) bad.push(f);
      if ((f.includes('/plan/') || f.includes('/catalog/')) && /from '(\.\.\/)+exec\//.test(src)) bad.push(f);
      if (!f.endsWith('engine.ts') && /from '(\.\.\/)+engine\.js'/.test(src)) bad.push(f);
    }
    expect(bad).toEqual([]);
  });
});
