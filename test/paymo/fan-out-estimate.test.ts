import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { createPaymoCatalog } from '../../src/paymo/catalog.js';
import type { PaymoClient } from '../../src/paymo/http-client.js';
import type { SimulatorHandle } from '../../src/simulator/index.js';
import { startDemoPaymo } from '../support/demo-paymo.js';

/** A fan-out teaches the catalog how many rows the table holds, so later estimates are honest. */
describe('fan-out estimates (demo company, requests as logged by the simulator)', () => {
  let sim: SimulatorHandle;
  let client: PaymoClient;

  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ sim, client, close } = await startDemoPaymo());
  }, 60_000);
  afterAll(() => close());

  it('after a fan-out, an anti-join sends its keys in batches instead of fanning out again', async () => {
    const catalog = createPaymoCatalog({ client, cacheTtlMs: 0, requestBudget: 1000 });
    const engine = createEngine({ catalog });
    const q05 = `select p.name as project, t.name as task from tasks t join projects p on p.id = t.project_id
                 where p.active and not t.complete
                   and not exists (select 1 from time_entries e where e.task_id = t.id)
                 order by project, task`;
    const scan = { columns: ['task_id'], filters: [] };
    const entries = catalog.paymoTables.get('time_entries')!;
    expect(entries.estimateRequests(scan)).toBe(2);
    const before = sim.requestLog.count();
    await engine.query('select count(*) from time_entries where billed = false');
    const fanOut = sim.requestLog.count() - before;
    expect(fanOut).toBeGreaterThan(2);
    expect(entries.estimateRequests(scan)).toBeGreaterThanOrEqual(fanOut - 1);

    const mid = sim.requestLog.count();
    const on = await engine.query(q05);
    const made = sim.requestLog.entries().slice(mid);
    expect(made.filter((e) => e.path === '/api/projects' && !e.query.where)).toHaveLength(0);
    expect(
      made.filter((e) => e.path === '/api/entries').every((e) => /^task_id in \(/.test(e.query.where!)),
    ).toBe(true);
    // tasks with their projects (include=project) in one request, then the entries' key batches.
    expect(made.filter((e) => e.path === '/api/tasks' && e.query.include === 'project')).toHaveLength(1);
    expect(made).toHaveLength(6);
    const off = await createEngine({
      catalog: createPaymoCatalog({ client, cacheTtlMs: 0, requestBudget: 1000 }),
      pushdown: false,
    }).query(q05);
    expect(on.rows).toEqual(off.rows);
  }, 60_000);

  it('cold (no fan-out seen yet), an anti-join still prefers key batches to a fan-out of unknown size', async () => {
    const catalog = createPaymoCatalog({ client, cacheTtlMs: 0, requestBudget: 1000 });
    const entries = catalog.paymoTables.get('time_entries')!;
    const scan = { columns: ['task_id'], filters: [] };
    // The floor of a fan-out is 2 requests; 470 keys are 5 batches, yet the keys win while its size is unknown.
    expect(entries.estimateRequests(scan)).toBe(2);
    expect(entries.preferKeyBatches(scan, 'task_id', 470)).toBe(true);
    // Unless the batches alone would break the statement's budget while the fan-out might not.
    expect(entries.preferKeyBatches(scan, 'task_id', 200_000)).toBe(false);
    const before = sim.requestLog.count();
    await createEngine({ catalog }).query(
      `select t.id from tasks t join projects p on p.id = t.project_id
       where p.active and not t.complete and t.id not in (select e.task_id from time_entries e)`,
    );
    const made = sim.requestLog.entries().slice(before);
    expect(
      made.filter((e) => e.path === '/api/entries').every((e) => /^task_id in \(/.test(e.query.where!)),
    ).toBe(true);
    // No fan-out (its projects list), five batches of task ids, and the tasks (with their projects).
    expect(made.filter((e) => e.path === '/api/projects' && !e.query.where)).toHaveLength(0);
    expect(made.length).toBeLessThanOrEqual(7);
  }, 60_000);
});
