import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { SqlError } from '../../src/errors.js';
import { createPaymoCatalog, type PaymoCatalogOptions } from '../../src/paymo/catalog.js';
import { PaymoClient } from '../../src/paymo/http-client.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/index.js';
import type { Rec } from '../../src/simulator/types.js';

/** Pushdown against the simulator, asserting the exact requests from its request log. */
describe('Paymo pushdown (requests as logged by the simulator)', () => {
  let sim: SimulatorHandle;
  let client: PaymoClient;
  const engineWith = (o: Partial<PaymoCatalogOptions> = {}, pushdown = true) =>
    createEngine({ catalog: createPaymoCatalog({ client, ...o }), pushdown });
  const log = (): Record<string, string>[] =>
    sim.requestLog.entries().map((e) => ({ method: e.method, path: e.path, ...e.query }));
  const all = (path: string): Rec[] => [...sim.store.all(path)];

  beforeAll(async () => {
    sim = await startSimulator({ scale: 'tiny', rateLimit: null });
    client = new PaymoClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl, rateLimit: false, retryBaseMs: 5 });
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });
  beforeEach(() => sim.requestLog.reset());

  it('reads `id = c` with one GET by id', async () => {
    const task = all('tasks')[3]!;
    const r = await engineWith().query(`select id, name from tasks where id = ${task.id}`);
    expect(r.rows).toEqual([[task.id, task.name]]);
    expect(log()).toEqual([{ method: 'GET', path: `/api/tasks/${task.id}` }]);
  });

  it('answers a missing id with no rows, not an error', async () => {
    const r = await engineWith().query('select id from tasks where id = 999999');
    expect(r.rows).toEqual([]);
    expect(sim.requestLog.count()).toBe(1);
  });

  it('sends `IN` and ORs on one column as one `in (…)` list request', async () => {
    const [p1, p2] = all('projects').map((p) => p.id);
    const want = all('tasks')
      .filter((t) => t.project_id === p1 || t.project_id === p2)
      .map((t) => t.id)
      .sort((a, b) => Number(a) - Number(b));
    for (const where of [`project_id in (${p1}, ${p2})`, `project_id = ${p1} or project_id = ${p2}`]) {
      sim.requestLog.reset();
      const r = await engineWith().query(`select id from tasks where ${where} order by id`);
      expect(r.rows.map((x) => x[0])).toEqual(want);
      expect(log()).toEqual([
        {
          method: 'GET',
          path: '/api/tasks',
          where: `project_id in (${p1},${p2})`,
          page: '0',
          page_size: '2500',
        },
      ]);
    }
  });

  it('reads several ids with one `id in (…)` request', async () => {
    const ids = all('clients')
      .map((c) => c.id)
      .slice(0, 3);
    const r = await engineWith().query(`select id from clients where id in (${ids.join(',')}) order by id`);
    expect(r.rows.map((x) => x[0])).toEqual(ids);
    expect(log()).toEqual([
      {
        method: 'GET',
        path: '/api/clients',
        where: `id in (${ids.join(',')})`,
        page: '0',
        page_size: '2500',
      },
    ]);
  });

  it('pushes date-time ranges as Unix seconds and entries ranges as time_interval', async () => {
    await engineWith().query("select id from projects where created_on >= '2020-01-02 03:04:05+00'");
    expect(log()[0]).toMatchObject({ path: '/api/projects', where: 'created_on>=1577934245' });
    sim.requestLog.reset();
    const r = await engineWith().query(
      "select count(*) from time_entries where start_time >= '2000-01-01' and start_time < '2100-01-01'",
    );
    const interval = all('entries').filter((e) => typeof e.start_time === 'string').length;
    expect(r.rows).toEqual([[interval]]);
    expect(log()).toEqual([
      {
        method: 'GET',
        path: '/api/entries',
        where: 'time_interval in ("2000-01-01T00:00:00Z","2100-01-01T00:00:00Z")',
        page: '0',
        page_size: '2500',
      },
    ]);
  });

  it('feeds join keys into the other side: entries by task_id in (…), not a fan-out', async () => {
    const project = all('projects').find((p) => all('tasks').some((t) => t.project_id === p.id))!;
    const sql = `select t.id, e.id, e.duration from tasks t join time_entries e on e.task_id = t.id
                 where t.project_id = ${project.id} order by e.id`;
    const r = await engineWith().query(sql);
    const taskIds = all('tasks')
      .filter((t) => t.project_id === project.id)
      .map((t) => t.id);
    const entries = all('entries').filter((e) => taskIds.includes(e.task_id as number));
    expect(r.rows.map((x) => x[1])).toEqual(entries.map((e) => e.id).sort((a, b) => Number(a) - Number(b)));
    const reqs = log();
    expect(reqs).toHaveLength(2);
    expect(reqs[0]).toMatchObject({ path: '/api/tasks', where: `project_id=${project.id}` });
    expect(reqs[1]!.path).toBe('/api/entries');
    expect(reqs[1]!.where).toMatch(/^task_id in \(\d+(,\d+)*\)$/);
    // The no-pushdown plan (fan-out over projects) gives the same rows.
    sim.requestLog.reset();
    const plain = await engineWith({}, false).query(sql);
    expect(plain.rows).toEqual(r.rows);
    expect(log().some((q) => q.path === '/api/projects')).toBe(true);
  });

  it('explains the exact requests and an estimate', async () => {
    const text = await engineWith().explain('select id from tasks where project_id in (1, 2)');
    expect(text).toContain('GET /api/tasks?where=project_id in (1,2)&page_size=2500 (pages: ~1)');
    expect(text).toContain('est. requests=1');
    const join = await engineWith().explain(
      'select e.id from tasks t join time_entries e on e.task_id = t.id where t.project_id = 1',
    );
    expect(join).toContain('GET /api/entries?where=task_id in (<join keys>)&page_size=2500');
    expect(sim.requestLog.count()).toBe(0);
  });

  it('falls back to a fan-out over projects for entries without a usable filter', async () => {
    const r = await engineWith().query('select count(*) from time_entries');
    expect(r.rows).toEqual([[all('entries').length]]);
    expect(log().map((q) => q.path)).toEqual(['/api/projects', '/api/entries']);
    expect(log()[1]!.where).toMatch(/^project_id in \(/);
  });

  it('refuses at plan time, naming the filters, when fallbacks are off', async () => {
    const err = await engineWith({ fallbacks: 'fail' })
      .query('select * from time_entries')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqlError);
    expect((err as SqlError).code).toBe('0A000');
    expect((err as SqlError).message).toMatch(/task_id, project_id, user_id, client_id/);
    expect((err as SqlError).message).toMatch(/time_interval/);
    expect(sim.requestLog.count()).toBe(0);
  });

  it('fails with 53400 above the request budget, at plan time and at run time', async () => {
    const ids = all('entries')
      .map((e) => e.id)
      .slice(0, 4);
    const err = await engineWith({ requestBudget: 3 })
      .query(`select id from time_entries where id in (${ids.join(',')})`)
      .catch((e: unknown) => e);
    expect((err as SqlError).code).toBe('53400');
    expect((err as SqlError).message).toMatch(/would need about 4 Paymo API requests, above the budget of 3/);
    expect((err as SqlError).hint).toMatch(/requestBudget/);
    expect(sim.requestLog.count()).toBe(0);
    // Run time: the fan-out only learns how many batches it needs after listing projects.
    const late = await engineWith({ requestBudget: 3, maxInListSize: 2, cacheTtlMs: 0 })
      .query('select count(*) from time_entries')
      .catch((e: unknown) => e);
    expect((late as SqlError).code).toBe('53400');
    expect(log().map((q) => q.path)).toEqual(['/api/projects']);
  });

  it('serves a repeated query from the cache and never repeats a request within a statement', async () => {
    const engine = engineWith();
    await engine.query('select count(*) from projects');
    expect(sim.requestLog.count()).toBe(1);
    const text = await engine.explain('select count(*) from projects', { analyze: true });
    expect(text).toMatch(/requests=0 rows fetched=\d+ cache hits=1/);
    expect(sim.requestLog.count()).toBe(1);
    sim.requestLog.reset();
    const fresh = engineWith();
    const r = await fresh.query(
      'select count(*) from (select id from clients union all select id from clients) x',
    );
    expect(r.rows).toEqual([[2 * all('clients').length]]);
    expect(sim.requestLog.count()).toBe(1);
  });

  it('never lets a value inject a where condition', async () => {
    const engine = engineWith({ cacheTtlMs: 0 });
    const evil = ['x" and id>0', 'x" && id>0', '\\" and id>0', 'a\nb', 'x and id>0', 'x&&y', 'null'];
    for (const v of evil) {
      sim.requestLog.reset();
      const lit = v.replaceAll("'", "''");
      const r = await engine.query(`select id from clients where name = '${lit}' or name like '%${lit}%'`);
      expect(r.rows).toEqual([]);
      await engine.query(`select id from clients where name = '${lit}'`);
      for (const q of log()) expect(q.where ?? '', JSON.stringify(v)).not.toContain(v);
      expect(log().every((q) => q.where === undefined)).toBe(true);
    }
    sim.requestLog.reset();
    await engine.query(`select id from clients where name like '%a) or (1%'`);
    expect(log()[0]!.where).toBe('name like "%a) or (1%"');
  });

  it('flattens children: line items by invoice, task comments by task, with parent ids', async () => {
    const inv = all('invoices').find((i) => all('invoiceitems').some((x) => x.invoice_id === i.id))!;
    const r = await engineWith().query(
      `select id, invoice_id, price_unit from invoice_line_items where invoice_id = ${inv.id}`,
    );
    const items = all('invoiceitems').filter((x) => x.invoice_id === inv.id);
    expect(r.rows.map((x) => x[0]).sort()).toEqual(items.map((x) => x.id).sort());
    expect(log()).toEqual([{ method: 'GET', path: `/api/invoices/${inv.id}`, include: 'invoiceitems' }]);
    sim.requestLog.reset();
    const thread = all('threads').find((t) => t.task_id !== undefined)!;
    const c = await engineWith().query(
      `select id, task_id, thread_id, project_id from task_comments where task_id = ${thread.task_id}`,
    );
    const comments = all('comments').filter((x) => x.thread_id === thread.id);
    expect(c.rows.map((x) => x[0]).sort()).toEqual(comments.map((x) => x.id).sort());
    expect(
      c.rows.every((x) => x[1] === thread.task_id && x[2] === thread.id && x[3] === thread.project_id),
    ).toBe(true);
    expect(log()).toEqual([
      {
        method: 'GET',
        path: '/api/threads',
        where: `task_id=${thread.task_id}`,
        include: 'comments',
        page: '0',
        page_size: '250',
      },
    ]);
  });

  it('converts values: timestamps to epoch ms, dates as text, absent keys to NULL, arrays, jsonb', async () => {
    const bulk = all('entries').find((e) => typeof e.date === 'string')!;
    const timed = all('entries').find((e) => typeof e.start_time === 'string')!;
    const r = await engineWith().query(
      `select id, start_time, end_time, date, created_on from time_entries where id in (${bulk.id}, ${timed.id}) and project_id in (${bulk.project_id}, ${timed.project_id}) order by id`,
    );
    const byId = new Map(r.rows.map((x) => [x[0], x]));
    expect(byId.get(bulk.id)).toEqual([
      bulk.id,
      null,
      null,
      bulk.date,
      Date.parse(bulk.created_on as string),
    ]);
    expect(byId.get(timed.id)![1]).toBe(Date.parse(timed.start_time as string));
    const p = all('projects')[0]!;
    const pr = await engineWith().query(`select users from projects where id = ${p.id}`);
    expect(pr.rows[0]![0]).toEqual(p.users);
    const rep = await engineWith().query('select id, info from reports order by id limit 1');
    expect(typeof rep.rows[0]![1]).toBe('object');
  });

  it('reads detail-only columns (report content) with one request per row', async () => {
    const n = all('reports').length;
    const r = await engineWith({ cacheTtlMs: 0 }).query('select id, content from reports');
    expect(r.rows).toHaveLength(n);
    expect(r.rows.some((x) => x[1] !== null)).toBe(true);
    expect(sim.requestLog.count()).toBe(1 + n);
  });

  it('lists capabilities generated from the specs', async () => {
    const engine = engineWith();
    const ops = await engine.query(
      "select capability, allowed from paymo_capabilities where table_name = 'company' and capability <> 'filter' order by capability",
    );
    expect(ops.rows).toEqual([
      ['delete', false],
      ['insert', false],
      ['select', true],
      ['update', true],
    ]);
    const f = await engine.query(
      "select operator, exactness, paymo_where from paymo_capabilities where table_name = 'tasks' and column_name = 'project_id' order by operator",
    );
    expect(f.rows).toContainEqual(['=', 'exact', 'project_id=v']);
    expect(f.rows).toContainEqual(['IN', 'exact', 'project_id in (a,b,…)']);
    const req = await engine.query(
      "select paymo_where, detail from paymo_capabilities where table_name = 'time_entries' and capability = 'required_filter'",
    );
    expect(req.rows[0]![0]).toMatch(/task_id, project_id, user_id, client_id/);
    expect(req.rows[0]![1]).toMatch(/projects/);
    expect(sim.requestLog.count()).toBe(0);
  });

  it('maps Paymo errors to SqlErrors without the API key', async () => {
    sim.faults.inject({ kind: '5xx', times: 20, path: '/api/clients' });
    const err = await engineWith({ cacheTtlMs: 0 })
      .query('select * from clients')
      .catch((e: unknown) => e);
    sim.faults.clear();
    expect(err).toBeInstanceOf(SqlError);
    expect((err as SqlError).code).toMatch(/^08/);
    expect((err as SqlError).message).not.toContain(sim.apiKey);
  });
});
