import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ScanContext, ScanRequest, TableSource } from '../../src/catalog/table-source.js';
import { createEngine } from '../../src/engine.js';
import { createPaymoCatalog } from '../../src/paymo/catalog.js';
import { PaymoClient } from '../../src/paymo/http-client.js';
import { ALL_SPECS } from '../../src/paymo/specs/index.js';
import type { Expr } from '../../src/plan/expr.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/index.js';
import { RESOURCES } from '../../src/simulator/resources.js';

const col = (name: string, type: 'bigint' | 'text' = 'bigint'): Expr => ({
  kind: 'column',
  id: 0,
  name,
  type,
});
const eq = (name: string, value: number): Expr => ({
  kind: 'call',
  fn: '=',
  args: [col(name), { kind: 'literal', value, type: 'bigint' }],
  type: 'boolean',
});

/** PaymoTable.withParent: a child scan carrying its parent's columns through `include=`. */
describe('parent includes (requests as logged by the simulator)', () => {
  let sim: SimulatorHandle;
  let client: PaymoClient;
  const log = (): Record<string, string>[] =>
    sim.requestLog.entries().map((e) => ({ method: e.method, path: e.path, ...e.query }));
  const catalog = () => createPaymoCatalog({ client, cacheTtlMs: 0, requestBudget: 1000 });
  const ctx = (): ScanContext => ({ stats: { requests: 0, rowsFetched: 0, cacheHits: 0, retries: 0 } });
  async function rowsOf(t: TableSource, request: ScanRequest): Promise<unknown[][]> {
    const out: unknown[][] = [];
    for await (const b of t.scan(request, ctx())) out.push(...b);
    return out;
  }

  beforeAll(async () => {
    sim = await startSimulator({ scale: 'tiny', rateLimit: null });
    client = new PaymoClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl, rateLimit: false, retryBaseMs: 5 });
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });
  beforeEach(() => sim.requestLog.reset());

  it('every declared parent include exists in the simulator with the same id attribute', () => {
    const problems: string[] = [];
    for (const spec of ALL_SPECS) {
      for (const p of spec.parents ?? []) {
        // A dotted include: every hop a parent include of the simulator resource before it.
        let def = RESOURCES.find((r) => r.path === spec.resource)!;
        const hops = p.include.split('.');
        let inc: (typeof def.includes)[number] | undefined;
        for (const [i, key] of hops.entries()) {
          inc = def.includes.find((x) => x.key === key);
          if (inc?.kind !== 'parent' || (i < hops.length - 1 && !inc.localField)) break;
          def = RESOURCES.find((r) => r.path === inc!.resource)!;
        }
        const parent = ALL_SPECS.find((s) => s.name === p.table)!;
        // A dotted include's column is the entry's copy of the last link's key, named alike.
        if (inc?.kind !== 'parent' || inc.localField !== p.column || inc.resource !== parent.resource)
          problems.push(`${spec.name}: include ${p.include}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("reads entries with their users' columns in one request, equal to the join", async () => {
    const c = catalog();
    const users = c.paymoTables.get('users')!;
    const embedding = c.paymoTables.get('time_entries')!.withParent(users, 'user_id')!;
    const t = embedding.source;
    expect(t.schema.map((x) => x.name)).toContain('user.name');
    expect(embedding.parentKey).toBe('id');
    expect(embedding.columns.get('name')).toBe('user.name');
    expect(embedding.via).toBe('include=user');
    const task = [...sim.store.all('entries')][0]!.task_id as number;
    const rows = await rowsOf(t, { columns: ['id', 'user.name'], filters: [eq('task_id', task)] });
    expect(log()).toEqual([
      {
        method: 'GET',
        path: '/api/entries',
        where: `task_id=${task}`,
        include: 'user',
        page: '0',
        page_size: '2500',
      },
    ]);
    expect(t.describeScan({ columns: ['id', 'user.name'], filters: [eq('task_id', task)] })).toEqual([
      `GET /api/entries?where=task_id=${task}&include=user&page_size=2500 (pages: ~1)`,
    ]);
    // The engine's join reads the same way (one request) and gives the same rows as with pushdown off.
    sim.requestLog.reset();
    const sql = `select e.id, u.name from time_entries e left join users u on u.id = e.user_id
                 where e.task_id = ${task} order by e.id`;
    const joined = await createEngine({ catalog: catalog() }).query(sql);
    expect(log()).toEqual([expect.objectContaining({ path: '/api/entries', include: 'user' })]);
    const off = await createEngine({ catalog: catalog(), pushdown: false }).query(sql);
    const sorted = [...rows].sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(sorted).toEqual(joined.rows);
    expect(off.rows).toEqual(joined.rows);
  });

  it('reads a parent Paymo left out by id, all missing ones in one request; none left is NULL', async () => {
    const c = catalog();
    const projects = c.paymoTables.get('projects')!;
    const t = c.paymoTables.get('tasks')!.withParent(projects, 'project_id')!.source;
    const task = [...sim.store.all('tasks')].find((x) => x.project_id != null)!;
    // A dangling parent id: Paymo embeds nothing, the by-id read finds nothing, the columns are NULL.
    const before = task.project_id;
    sim.store.update('tasks', task.id, { project_id: 987654 });
    try {
      const rows = await rowsOf(t, {
        columns: ['id', 'project.id', 'project.name'],
        filters: [eq('id', task.id as number)],
      });
      expect(rows).toEqual([[task.id, null, null]]);
      expect(log().map((r) => [r.path, r.include ?? '', r.where ?? ''])).toEqual([
        [`/api/tasks/${task.id}`, 'project', ''],
        ['/api/projects', '', 'id in (987654)'],
      ]);
    } finally {
      sim.store.update('tasks', task.id, { project_id: before });
    }
  });

  it('chains two parents into one include list, one request', async () => {
    const c = catalog();
    const withUser = c.paymoTables.get('time_entries')!.withParent(c.paymoTables.get('users')!, 'user_id')!;
    const both = withUser.source.withParent!(c.paymoTables.get('tasks')!, 'task_id')!;
    expect(both.via).toBe('include=task');
    const names = both.source.schema.map((x) => x.name);
    // The first parent's columns keep their names and place.
    expect(names.slice(0, withUser.source.schema.length)).toEqual(withUser.source.schema.map((x) => x.name));
    expect(names).toContain('task.name');
    const e = [...sim.store.all('entries')].find((x) => x.task_id != null && x.user_id != null)!;
    const rows = await rowsOf(both.source, {
      columns: ['id', 'user.name', 'task.name'],
      filters: [eq('id', e.id as number)],
    });
    const user = sim.store.get('users', e.user_id as number)!;
    const task = sim.store.get('tasks', e.task_id as number)!;
    expect(rows).toEqual([[e.id, user.name, task.name]]);
    expect(log().map((r) => [r.path, r.include])).toEqual([[`/api/entries/${e.id}`, 'user,task']]);
    // The same include twice, or a parent that itself carries one, is declined.
    expect(both.source.withParent!(c.paymoTables.get('users')!, 'user_id')).toBe(undefined);
    expect(c.paymoTables.get('tasks')!.withParent(withUser.source, 'user_id')).toBe(undefined);
  });

  it("reads entries with their task's project (include=task.project) on the entry's project_id", async () => {
    const c = catalog();
    const projects = c.paymoTables.get('projects')!;
    const embedding = c.paymoTables.get('time_entries')!.withParent(projects, 'project_id')!;
    expect(embedding.via).toBe('include=task.project');
    expect(embedding.columns.get('name')).toBe('task.project.name');
    const e = [...sim.store.all('entries')][0]!;
    const rows = await rowsOf(embedding.source, {
      columns: ['id', 'project_id', 'task.project.id', 'task.project.name'],
      filters: [eq('task_id', e.task_id as number)],
    });
    expect(rows.length).toBeGreaterThan(0);
    for (const [, pid, id, name] of rows) {
      expect(id).toBe(pid);
      expect(name).toBe(sim.store.get('projects', pid as number)!.name);
    }
    expect(log().map((r) => [r.path, r.include])).toEqual([['/api/entries', 'task.project']]);
  });

  it('reads a project by id when the embedded one is not the entry’s own (never a wrong row)', async () => {
    const c = catalog();
    const t = c.paymoTables
      .get('time_entries')!
      .withParent(c.paymoTables.get('projects')!, 'project_id')!.source;
    const e = [...sim.store.all('entries')][0]!;
    const other = [...sim.store.all('projects')].find((p) => p.id !== e.project_id)!;
    const before = e.project_id;
    sim.store.update('entries', e.id, { project_id: other.id });
    try {
      const rows = await rowsOf(t, {
        columns: ['id', 'task.project.name'],
        filters: [eq('id', e.id as number)],
      });
      expect(rows).toEqual([[e.id, other.name]]);
      expect(log().map((r) => [r.path, r.include ?? '', r.where ?? ''])).toEqual([
        [`/api/entries/${e.id}`, 'task.project', ''],
        ['/api/projects', '', `id in (${other.id})`],
      ]);
    } finally {
      sim.store.update('entries', e.id, { project_id: before });
    }
  });

  it('chains a parent of an embedded parent (task.project_id) into one include path', async () => {
    const c = catalog();
    const withTask = c.paymoTables.get('time_entries')!.withParent(c.paymoTables.get('tasks')!, 'task_id')!;
    const projects = c.paymoTables.get('projects')!;
    const both = withTask.source.withParent!(projects, 'task.project_id')!;
    expect(both.via).toBe('include=task.project');
    // Only through an embedded parent's own declared include.
    expect(withTask.source.withParent!(projects, 'task.tasklist_id')).toBe(undefined);
    expect(withTask.source.withParent!(projects, 'user.project_id')).toBe(undefined);
    const e = [...sim.store.all('entries')][0]!;
    const rows = await rowsOf(both.source, {
      columns: ['id', 'task.name', 'task.project.name'],
      filters: [eq('id', e.id as number)],
    });
    const task = sim.store.get('tasks', e.task_id as number)!;
    expect(rows).toEqual([[e.id, task.name, sim.store.get('projects', task.project_id as number)!.name]]);
    // `task.project` embeds the task too: the request carries one include.
    expect(log().map((r) => [r.path, r.include])).toEqual([[`/api/entries/${e.id}`, 'task.project']]);
  });

  it("takes a flattened table's listed object as its parent, filtering on its attributes in where", async () => {
    const c = catalog();
    const invoices = c.paymoTables.get('invoices')!;
    const lines = c.paymoTables.get('invoice_line_items')!;
    const embedding = lines.withParent(invoices, 'invoice_id')!;
    expect(embedding.columns.get('number')).toBe('invoices.number');
    const inv = [...sim.store.all('invoices')].find((i) =>
      [...sim.store.all('invoiceitems')].some((l) => l.invoice_id === i.id),
    )!;
    const byNumber: Expr = {
      kind: 'call',
      fn: '=',
      args: [col('invoices.number', 'text'), { kind: 'literal', value: inv.number, type: 'text' }],
      type: 'boolean',
    };
    expect(embedding.source.supportsFilters([byNumber])).toEqual(
      invoices.supportsFilters([{ ...byNumber, args: [col('number', 'text'), byNumber.args[1]!] }]),
    );
    const request = { columns: ['id', 'invoice_id', 'invoices.number'], filters: [byNumber] };
    const rows = await rowsOf(embedding.source, request);
    const expected = [...sim.store.all('invoiceitems')].filter((l) => l.invoice_id === inv.id);
    expect(rows.map((r) => r[0]).sort()).toEqual(expected.map((l) => l.id).sort());
    expect(rows.every((r) => r[1] === inv.id && r[2] === inv.number)).toBe(true);
    expect(log()).toHaveLength(1);
    expect(log()[0]).toMatchObject({ path: '/api/invoices', include: 'invoiceitems' });
    expect(log()[0]!.where).toContain('number=');
    expect(embedding.source.estimateRequests!(request)).toBe(1);
    // Not the parent of a flattened table's route: declined.
    expect(lines.withParent(c.paymoTables.get('clients')!, 'invoice_id')).toBe(undefined);
  });

  it('EXPLAIN ANALYZE counts the combined scan’s requests, a missing parent’s read by id included', async () => {
    const task = [...sim.store.all('tasks')].find((x) => x.project_id != null)!;
    const before = task.project_id;
    sim.store.update('tasks', task.id, { project_id: 987654 });
    try {
      const engine = createEngine({ catalog: catalog() });
      const sql = `select t.name, p.name from tasks t left join projects p on p.id = t.project_id where t.id = ${task.id}`;
      const out = await engine.explain(sql, { analyze: true });
      expect(out).toContain('parent projects AS p via include=project');
      expect(out).toMatch(/Scan tasks AS t \(est\. requests=1\) \(actual rows=1 loops=1/);
      expect(out).toContain('requests=2 rows fetched=1');
      expect(out).toMatch(/Total Requests: 2$/);
      expect(log().map((r) => r.path)).toEqual([`/api/tasks/${task.id}`, '/api/projects']);
    } finally {
      sim.store.update('tasks', task.id, { project_id: before });
    }
  });

  it('declines parents the spec does not declare', () => {
    const c = catalog();
    expect(c.paymoTables.get('time_entries')!.withParent(c.paymoTables.get('clients')!, 'user_id')).toBe(
      undefined,
    );
  });
});
