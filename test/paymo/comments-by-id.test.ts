import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { createPaymoCatalog } from '../../src/paymo/catalog.js';
import type { PaymoClient } from '../../src/paymo/http-client.js';
import type { SimulatorHandle } from '../../src/simulator/index.js';
import type { Rec } from '../../src/simulator/types.js';
import { startDemoPaymo } from '../support/demo-paymo.js';

/** task_comments / discussion_comments by id on the demo company: a read per id, not every parent. */
describe('comments by id (demo company, requests as logged by the simulator)', () => {
  let sim: SimulatorHandle;
  let client: PaymoClient;
  const engine = (pushdown = true) =>
    createEngine({ catalog: createPaymoCatalog({ client, cacheTtlMs: 0, requestBudget: 1000 }), pushdown });
  /** The requests `sql` makes with pushdown on (path and query), its rows checked against pushdown off. */
  async function run(sql: string): Promise<{ rows: unknown[][]; made: string[] }> {
    const mark = sim.requestLog.count();
    const on = await engine().query(sql);
    const made = sim.requestLog
      .entries()
      .slice(mark)
      .map((e) => `${e.path}${e.query.include ? `?include=${e.query.include}` : ''}`);
    expect(on.rows).toEqual((await engine(false).query(sql)).rows);
    return { rows: on.rows, made };
  }

  let close: () => Promise<void>;
  const threadsById = () => new Map<unknown, Rec>([...sim.store.all('threads')].map((t) => [t.id, t]));

  beforeAll(async () => {
    ({ sim, client, close } = await startDemoPaymo());
  }, 60_000);
  afterAll(() => close());

  it('reads one comment with its thread, where the parents take several pages', async () => {
    const threads = threadsById();
    const comment = [...sim.store.all('comments')].find((c) => threads.get(c.thread_id)?.task_id != null)!;
    const mark = sim.requestLog.count();
    await engine(false).query('select count(*) from task_comments');
    expect(sim.requestLog.count() - mark).toBeGreaterThan(1);
    const { rows, made } = await run(
      `select id, task_id, project_id, content from task_comments where id = ${comment.id}`,
    );
    const thread = threads.get(comment.thread_id)!;
    expect(rows).toEqual([[comment.id, thread.task_id, thread.project_id, comment.content]]);
    expect(made).toEqual([`/api/comments/${comment.id}?include=thread`]);
  });

  it('many ids read the parents once instead (ids checked locally); a wrong kind of comment is no row', async () => {
    const threads = threadsById();
    const all = [...sim.store.all('comments')];
    const onTasks = all.filter((c) => threads.get(c.thread_id)?.task_id != null).slice(0, 12);
    const { rows, made } = await run(
      `select id from task_comments where id in (${onTasks.map((c) => c.id).join(',')}) order by id`,
    );
    expect(rows).toEqual(onTasks.map((c) => [c.id]).sort((a, b) => Number(a[0]) - Number(b[0])));
    expect(made.every((p) => p === '/api/tasks?include=thread.comments')).toBe(true);
    const onDiscussion = all.find((c) => threads.get(c.thread_id)?.discussion_id != null)!;
    const other = await run(`select id from task_comments where id = ${onDiscussion.id}`);
    expect(other.rows).toEqual([]);
    expect(other.made).toEqual([`/api/comments/${onDiscussion.id}?include=thread`]);
  });
});
