import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WriteContext } from '../../src/catalog/table-source.js';
import type { Row } from '../../src/catalog/types.js';
import { createEngine, type Engine } from '../../src/engine.js';
import { SqlError } from '../../src/errors.js';
import { createPaymoCatalog, type PaymoCatalog } from '../../src/paymo/catalog.js';
import type { PaymoClient } from '../../src/paymo/http-client.js';
import type { PaymoTable } from '../../src/paymo/paymo-table.js';
import { ALL_SPECS } from '../../src/paymo/specs/index.js';
import type { SimulatorHandle } from '../../src/simulator/index.js';
import type { Rec } from '../../src/simulator/types.js';
import { startSimulatedPaymo } from '../support/demo-paymo.js';

/**
 * The Paymo half of writes against the simulator, calling PaymoTable's write members directly:
 * every cell of the DML matrix, the rows Paymo stored (= a later read), request counts.
 */
let sim: SimulatorHandle;
let client: PaymoClient;
let close: () => Promise<void>;
let catalog: PaymoCatalog;
let engine: Engine;

beforeAll(async () => {
  ({ sim, client, close } = await startSimulatedPaymo({ scale: 'tiny' }));
  catalog = createPaymoCatalog({ client, cacheTtlMs: 0 });
  engine = createEngine({ catalog });
  const company = [...sim.store.all('company')][0]!;
  // Room for new users and projects in the tiny company.
  sim.store.update('company', company.id, { max_users: null, max_projects: null });
});
afterAll(() => close());
beforeEach(() => {
  sim.faults.clear();
  sim.requestLog.reset();
});

const table = (name: string): PaymoTable => catalog.paymoTables.get(name)!;
const wctx = (): WriteContext => ({ stats: { requests: 0, rowsFetched: 0, cacheHits: 0, retries: 0 } });
const vals = (o: Record<string, unknown>): Map<string, unknown> => new Map(Object.entries(o));
const all = (path: string, test: (r: Rec) => boolean = () => true): Rec[] =>
  [...sim.store.all(path)].filter(test);
const one = (path: string, test?: (r: Rec) => boolean): Rec => {
  const r = all(path, test)[0];
  if (!r) throw new Error(`no ${path} record for the fixture`);
  return r;
};
const ms = (iso: string): number => Date.parse(iso);

/** The row `id` of `name` as a SELECT * reads it. */
async function read(name: string, id: unknown): Promise<Row | undefined> {
  const r = await engine.query(`select * from ${name} where id = ${Number(id)}`);
  return r.rows[0];
}

/** The value of `column` in a row of `name`. */
function col(name: string, row: Row, column: string): unknown {
  return row[table(name).schema.findIndex((c) => c.name === column)];
}

/** The JSON bodies the simulator received for `method` (oldest first). */
function bodies(method: string): Record<string, unknown>[] {
  return sim.requestLog
    .entries()
    .filter((e) => e.method === method && e.body !== undefined)
    .map((e) => JSON.parse(e.body!) as Record<string, unknown>);
}

/** Inserts, updates, deletes per table: values for a new row, an update of it, the column to check. */
interface Fixture {
  readonly insert?: () => Record<string, unknown>;
  readonly update: () => Record<string, unknown>;
  /** An existing row to update/delete when the table has no INSERT. */
  readonly existing?: () => number;
  /** Deleting it is refused by Paymo's rules (used), so only INSERT + UPDATE are exercised on it. */
  readonly noDelete?: boolean;
}

const firstId = (path: string, test?: (r: Rec) => boolean) => one(path, test).id as number;

const FIXTURES: Record<string, Fixture> = {
  clients: { insert: () => ({ name: 'Write Test Client', city: 'Graz' }), update: () => ({ city: 'Linz' }) },
  client_contacts: {
    insert: () => ({ client_id: firstId('clients'), name: 'Ada', email: 'ada@example.com' }),
    update: () => ({ phone: '+43 1 234' }),
  },
  discussions: {
    insert: () => ({ project_id: firstId('projects'), name: 'Kick-off' }),
    update: () => ({ description: '<p>agenda</p>' }),
  },
  estimates: {
    insert: () => ({ client_id: firstId('clients'), currency: 'EUR', discount: 5, date: '2024-03-01' }),
    update: () => ({ title: 'Offer', tax: 20 }),
  },
  estimate_templates: { insert: () => ({ name: 'ET', title: 'Estimate' }), update: () => ({ css: 'p{}' }) },
  expenses: {
    insert: () => ({ client_id: firstId('clients'), amount: 12.5, currency: 'EUR', tags: ['travel', 'x'] }),
    update: () => ({ notes: 'taxi', date: '2024-02-29' }),
  },
  invoice_payments: {
    insert: () => {
      const inv = one('invoices', (i) => Number(i.total) > 1 && i.status !== 'paid' && i.status !== 'void');
      const paid = all('invoicepayments', (p) => p.invoice_id === inv.id).reduce(
        (s, p) => s + Number(p.amount),
        0,
      );
      if (Number(inv.total) - paid < 0.02) throw new Error('fixture invoice has nothing unpaid');
      return { invoice_id: inv.id, amount: 0.01, date: '2024-04-01' };
    },
    update: () => ({ notes: 'partial' }),
  },
  invoices: {
    insert: () => ({ client_id: firstId('clients'), currency: 'USD', tax: 10, date: '2024-02-01' }),
    update: () => ({ title: 'Invoice', due_date: '2024-03-01' }),
  },
  invoice_templates: { insert: () => ({ name: 'IT' }), update: () => ({ title: 'Invoice' }) },
  milestones: {
    insert: () => ({ project_id: firstId('projects'), name: 'M1', due_date: '2024-12-31' }),
    update: () => ({ complete: true, send_reminder: 24 }),
  },
  projects: {
    insert: () => ({ name: 'Write Test Project', client_id: firstId('clients'), budget_hours: 12.5 }),
    update: () => ({ description: 'desc', billable: true }),
  },
  project_statuses: {
    existing: () =>
      firstId(
        'projectstatuses',
        (s) => s.readonly !== true && all('projects', (p) => p.status_id === s.id).length === 0,
      ),
    update: () => ({ name: 'Parked', seq: 9 }),
  },
  project_templates: { insert: () => ({ name: 'Template W' }), update: () => ({ name: 'Template W2' }) },
  reports: {
    insert: () => ({ type: 'static', date_interval: 'this_year', clients: 'all', users: 'all_active' }),
    update: () => ({ name: 'Year so far' }),
  },
  task_lists: {
    insert: () => ({ project_id: firstId('projects', (p) => p.active !== false), name: 'Later' }),
    update: () => ({ name: 'Sooner' }),
  },
  tasks: {
    insert: () => ({ name: 'Write task', project_id: firstId('projects', (p) => p.active !== false) }),
    update: () => ({ due_date: '2024-05-05', priority: 75 }),
  },
  time_entries: {
    insert: () => ({
      task_id: taskOfActiveProject(),
      date: '2024-03-04',
      duration: 5400,
      description: 'bulk',
    }),
    update: () => ({ description: 'changed', duration: 3600 }),
  },
  users: {
    insert: () => ({ email: 'writer@example.com', name: 'Writer' }),
    update: () => ({ position: 'Dev' }),
  },
  workflows: { insert: () => ({ name: 'Flow W' }), update: () => ({ name: 'Flow W2' }) },
  workflow_statuses: {
    insert: () => ({ workflow_id: firstId('workflows'), name: 'Review', color: '5BDBF6' }),
    update: () => ({ name: 'In review' }),
  },
  bookings: {
    insert: () => ({
      user_task_id: firstId('userstasks'),
      start_date: '2024-06-03',
      end_date: '2024-06-04',
      hours_per_day: 4,
    }),
    update: () => ({ description: 'pairing' }),
  },
  task_assignments: {
    insert: () => {
      const users = all('users', (u) => u.active !== false).map((u) => u.id);
      const task = one('tasks', (t) => users.some((u) => !(t.users as unknown[]).includes(u)));
      return { task_id: task.id, user_id: users.find((u) => !(task.users as unknown[]).includes(u)) };
    },
    update: () => ({}),
  },
  subtasks: {
    insert: () => ({ task_id: firstId('tasks'), name: 'step 1' }),
    update: () => ({ complete: true }),
  },
  files: { existing: () => firstId('files'), update: () => ({ description: 'renamed' }) },
  invoice_recurring_profiles: {
    insert: () => ({
      client_id: firstId('clients'),
      currency: 'EUR',
      start_date: '2024-07-01',
      frequency: 'm',
    }),
    update: () => ({ title: 'Monthly' }),
  },
  task_recurring_profiles: {
    insert: () => ({
      name: 'Weekly check',
      project_id: firstId('projects', (p) => p.active !== false),
      frequency: 'weekly',
      interval: 1,
      recurring_start_date: '2024-07-01',
    }),
    update: () => ({ interval: 2 }),
  },
  webhooks: {
    insert: () => ({ target_url: 'https://example.com/hook', event: 'model.insert.Task' }),
    update: () => ({ where: 'project_id=1' }),
  },
};

function taskOfActiveProject(): number {
  const active = new Set(all('projects', (p) => p.active !== false).map((p) => p.id));
  return firstId('tasks', (t) => active.has(t.project_id as number));
}

describe('the DML matrix over the simulator', () => {
  for (const spec of ALL_SPECS) {
    const w = spec.writes;
    const cells = (['insert', 'update', 'delete'] as const).filter((o) => w[o]);
    if (cells.length === 0) {
      it(`${spec.name}: read-only, every write refused before any request`, async () => {
        const t = table(spec.name);
        expect(t.writes).toBeUndefined();
        await expect(t.insert(vals({}), wctx())).rejects.toMatchObject({ code: '0A000' });
        expect(() => t.describeWrite('delete', [])).toThrow(/read-only/);
        expect(sim.requestLog.count()).toBe(0);
      });
      continue;
    }
    if (spec.read.kind !== 'list') continue;
    const fx = FIXTURES[spec.name];
    it(`${spec.name}: ${cells.join(', ')} write what Paymo stores and read back the same row`, async () => {
      expect(fx, `a fixture for ${spec.name}`).toBeDefined();
      const t = table(spec.name);
      expect(t.writes).toEqual(w);
      expect(t.primaryKey).toEqual(['id']);
      const idAt = t.schema.findIndex((c) => c.name === 'id');
      let id: number;
      if (w.insert) {
        const given = fx!.insert!();
        const ctx = wctx();
        const row = await t.insert(vals(given), ctx);
        expect(ctx.stats.requests).toBe(1);
        expect(sim.requestLog.count({ method: 'POST' })).toBe(1);
        expect(row).toHaveLength(t.schema.length);
        id = row[idAt] as number;
        expect(sim.store.get(spec.resource, id), 'stored').toBeDefined();
        for (const [k, v] of Object.entries(given)) expect(col(spec.name, row, k), k).toEqual(v);
        expect(await read(spec.name, id)).toEqual(row);
      } else {
        id = fx!.existing!();
        if (w.insert === false)
          await expect(t.insert(vals({}), wctx())).rejects.toMatchObject({ code: '0A000' });
      }
      if (w.update) {
        sim.requestLog.reset();
        const change = fx!.update();
        const ctx = wctx();
        const row = await t.update([id], vals(change), ctx);
        const expected = spec.updateReplaces ? 2 : 1;
        expect(ctx.stats.requests).toBe(expected);
        expect(sim.requestLog.count({ method: 'PUT', path: `/api/${spec.resource}/${id}` })).toBe(1);
        expect(sim.requestLog.count()).toBe(expected);
        for (const [k, v] of Object.entries(change)) expect(col(spec.name, row, k), k).toEqual(v);
        expect(await read(spec.name, id)).toEqual(row);
      }
      if (w.delete && !fx!.noDelete) {
        sim.requestLog.reset();
        const ctx = wctx();
        await t.delete([id], ctx);
        expect(ctx.stats.requests).toBe(1);
        expect(sim.requestLog.count({ method: 'DELETE', path: `/api/${spec.resource}/${id}` })).toBe(1);
        expect(sim.store.get(spec.resource, id)).toBeUndefined();
        expect(await read(spec.name, id)).toBeUndefined();
      }
    });
  }

  it('company: UPDATE only, through PUT /api/company; the row matches a later read', async () => {
    const t = table('company');
    expect(t.writes).toEqual({ insert: false, update: true, delete: false });
    expect(t.describeWrite('update', ['name'])).toEqual(['PUT /api/company (one request), body: name']);
    const [before] = (await engine.query('select * from company')).rows;
    const id = col('company', before!, 'id');
    sim.requestLog.reset();
    const ctx = wctx();
    const row = await t.update([id], vals({ name: 'Renamed Co', working_days: '1,2,3,4' }), ctx);
    expect(ctx.stats.requests).toBe(1);
    expect(sim.requestLog.entries().map((e) => `${e.method} ${e.path}`)).toEqual(['PUT /api/company']);
    expect(col('company', row, 'name')).toBe('Renamed Co');
    expect(col('company', row, 'id')).toBe(id);
    expect((await engine.query('select * from company')).rows[0]).toEqual(row);
    await expect(t.delete([id], wctx())).rejects.toMatchObject({ code: '0A000', message: /allows UPDATE/ });
    await expect(t.insert(vals({ name: 'x' }), wctx())).rejects.toMatchObject({ code: '0A000' });
  });

  it('reports: an UPDATE reads the report and sends its full specification, the assigned change winning', async () => {
    const t = table('reports');
    const row = await t.insert(
      vals({
        type: 'static',
        name: 'Q',
        start_date: ms('2024-01-01T00:00:00Z') / 1000,
        end_date: 1717200000,
        users: `{${firstId('users')}}`,
      }),
      wctx(),
    );
    const id = col('reports', row, 'id');
    sim.requestLog.reset();
    const updated = await t.update([id], vals({ date_interval: 'last_year' }), wctx());
    expect(sim.requestLog.entries().map((e) => `${e.method} ${e.path}`)).toEqual([
      `GET /api/reports/${id}`,
      `PUT /api/reports/${id}`,
    ]);
    const [body] = bodies('PUT');
    expect(body).toMatchObject({
      type: 'static',
      name: 'Q',
      users: String(firstId('users')),
      date_interval: 'last_year',
    });
    // The other alternative (start_date, end_date) is cleared so the assigned one wins.
    expect(body).toMatchObject({ start_date: null, end_date: null });
    expect(col('reports', updated, 'date_interval')).toBe('last_year');
    expect(col('reports', updated, 'users')).toBe(String(firstId('users')));
    expect(t.describeWrite('update', ['name'])[0]).toBe(
      'GET /api/reports/{id} (one per row unless just read by id: Paymo updates a reports row only with its full specification)',
    );
  });
});

describe('write rules, checked before any request', () => {
  /** Runs `fn`, expects the SqlError `code`, and that the simulator saw no request at all. */
  async function refused(fn: () => unknown, code: string, message?: RegExp): Promise<SqlError> {
    sim.requestLog.reset();
    let error: unknown;
    try {
      await fn();
    } catch (e) {
      error = e;
    }
    expect(error, 'refused').toBeInstanceOf(SqlError);
    expect((error as SqlError).code).toBe(code);
    if (message) expect((error as SqlError).message).toMatch(message);
    expect(sim.requestLog.count(), 'requests made').toBe(0);
    return error as SqlError;
  }

  it('invoices and estimates: discount must be > 0 on INSERT and UPDATE; NULL is left out of an INSERT', async () => {
    for (const name of ['invoices', 'estimates']) {
      const t = table(name);
      const base = { client_id: firstId('clients'), currency: 'EUR' };
      for (const bad of [0, -5]) {
        await refused(
          () => t.checkWrite('insert', vals({ ...base, discount: bad })),
          '23514',
          /cannot be empty/,
        );
        await refused(() => t.insert(vals({ ...base, discount: bad }), wctx()), '23514', /discount/);
        await refused(() => t.update([1], vals({ discount: bad }), wctx()), '23514', /greater than 0/);
      }
      // UPDATE cannot clear it: Paymo reads NULL as empty too.
      await refused(() => t.update([1], vals({ discount: null }), wctx()), '23514', /= NULL refused/);
      sim.requestLog.reset();
      const row = await t.insert(vals({ ...base, discount: null, title: 'no discount' }), wctx());
      expect(bodies('POST')[0]).toEqual({ ...base, title: 'no discount' });
      expect(col(name, row, 'discount')).toBeNull();
      const up = await t.update([col(name, row, 'id')], vals({ discount: 2.5 }), wctx());
      expect(col(name, up, 'discount')).toBe(2.5);
      expect(col(name, up, 'discount_amount')).toBe(0);
    }
  });

  it('time entries: task_id plus (date, duration) or (start_time, end_time), never both forms', async () => {
    const t = table('time_entries');
    const task = taskOfActiveProject();
    await refused(() => t.insert(vals({ task_id: task, date: '2024-01-02' }), wctx()), '23502', /either/);
    await refused(
      () => t.insert(vals({ task_id: task, start_time: ms('2024-01-02T10:00:00Z') }), wctx()),
      '23502',
    );
    await refused(
      () =>
        t.checkWrite(
          'insert',
          vals({ task_id: task, date: '2024-01-02', duration: 60, start_time: 0, end_time: 60_000 }),
        ),
      '23514',
      /together/,
    );
    await refused(() => t.update([1], vals({ duration: 60, end_time: 0 }), wctx()), '23514', /together/);
    // One form with the other's columns NULL is fine (COPY gives every column); the NULLs are not sent.
    sim.requestLog.reset();
    const row = await t.insert(
      vals({
        task_id: task,
        date: null,
        duration: null,
        start_time: ms('2024-01-02T10:00:00Z'),
        end_time: ms('2024-01-02T10:45:00Z'),
      }),
      wctx(),
    );
    expect(bodies('POST')[0]).toEqual({
      task_id: task,
      start_time: '2024-01-02T10:00:00Z',
      end_time: '2024-01-02T10:45:00Z',
    });
    expect(col('time_entries', row, 'duration')).toBe(2700);
    expect(col('time_entries', row, 'is_bulk')).toBe(false);
    expect(col('time_entries', row, 'spent_on')).toBe('2024-01-02');
    // A partial UPDATE of one form is fine: stopping or moving an interval entry sets end_time alone.
    const id = col('time_entries', row, 'id');
    const moved = await t.update([id], vals({ end_time: ms('2024-01-02T11:00:00Z') }), wctx());
    expect(col('time_entries', moved, 'duration')).toBe(3600);
  });

  it('checks the rules that depend only on the assigned columns while planning', async () => {
    const cols = (name: string, op: 'insert' | 'update', c: string[]) => () =>
      table(name).checkWriteColumns(op, c);
    await refused(cols('tasks', 'insert', ['name']), '23502', /project_id or tasklist_id/);
    await refused(cols('time_entries', 'insert', ['task_id', 'date', 'start_time']), '23502', /either/);
    await refused(cols('time_entries', 'update', ['duration', 'end_time']), '23514', /together/);
    await refused(cols('reports', 'update', ['date_interval', 'start_date']), '23514', /together/);
    // Columns that can meet the rule pass (the values are checked per row later).
    for (const [name, op, c] of [
      ['tasks', 'insert', ['name', 'tasklist_id']],
      ['time_entries', 'insert', ['task_id', 'date', 'duration', 'start_time', 'end_time']],
      ['time_entries', 'update', ['end_time', 'description']],
      ['invoices', 'update', ['discount']],
    ] as const)
      expect(() => table(name).checkWriteColumns(op, [...c])).not.toThrow();
  });

  it('tasks: project_id or tasklist_id; reports: date_interval or (start_date, end_date)', async () => {
    await refused(
      () => table('tasks').insert(vals({ name: 'orphan' }), wctx()),
      '23502',
      /project_id or tasklist_id/,
    );
    const list = one('tasklists');
    const row = await table('tasks').insert(vals({ name: 'in a list', tasklist_id: list.id }), wctx());
    expect(col('tasks', row, 'project_id')).toBe(list.project_id);
    await refused(
      () => table('reports').insert(vals({ type: 'live', start_date: 1 }), wctx()),
      '23502',
      /date_interval/,
    );
    await refused(
      () =>
        table('reports').checkWrite(
          'insert',
          vals({ type: 'live', date_interval: 'today', start_date: 1, end_date: 2 }),
        ),
      '23514',
    );
  });

  it('read-only, derived and create-only columns never reach a body', async () => {
    const t = table('time_entries');
    expect(t.columnWrites?.get('spent_on')).toEqual({ readOnly: true });
    expect(t.columnWrites?.get('project_id')).toEqual({ readOnly: true });
    expect(t.columnWrites?.get('task_id')).toEqual({ requiredOnInsert: true });
    expect(table('tasks').columnWrites?.get('project_id')).toEqual({ createOnly: true });
    expect(table('clients').columnWrites?.get('id')).toEqual({ readOnly: true });
    expect(table('invoices').columnWrites?.get('total')).toEqual({ readOnly: true });
    await refused(() => t.update([1], vals({ spent_on: '2024-01-01' }), wctx()), '428C9');
    await refused(
      () => table('tasks').update([1], vals({ project_id: 1 }), wctx()),
      '428C9',
      /only be set by INSERT/,
    );
  });
});

describe('values as Paymo reads them', () => {
  it('sends dates, UTC date-times in whole seconds, numbers, booleans, arrays and jsonb as JSON', async () => {
    sim.requestLog.reset();
    const users = all('users', (u) => u.active !== false).map((u) => u.id as number);
    await table('tasks').insert(
      vals({
        name: 'typed',
        project_id: firstId('projects', (p) => p.active !== false),
        due_date: '2024-02-29',
        budget_hours: 7.25,
        billable: false,
        users: users.slice(0, 2),
      }),
      wctx(),
    );
    await table('time_entries').insert(
      vals({
        task_id: taskOfActiveProject(),
        start_time: ms('2024-03-31T22:15:30.789Z'),
        end_time: ms('2024-04-01T01:00:00Z'),
      }),
      wctx(),
    );
    await table('expenses').insert(
      vals({ client_id: firstId('clients'), amount: 3, currency: 'EUR', tags: ['a b', 'ü'] }),
      wctx(),
    );
    const extra = { rounding_step: 15, order: ['days', 'users'] };
    await table('reports').insert(
      vals({ type: 'live', date_interval: 'today', extra, start_date: null }),
      wctx(),
    );
    const [task, entry, expense, report] = bodies('POST');
    expect(task).toMatchObject({
      due_date: '2024-02-29',
      budget_hours: 7.25,
      billable: false,
      users: users.slice(0, 2),
    });
    expect(entry).toMatchObject({ start_time: '2024-03-31T22:15:30Z', end_time: '2024-04-01T01:00:00Z' });
    expect(expense).toMatchObject({ amount: 3, tags: ['a b', 'ü'] });
    expect(report).toEqual({ type: 'live', date_interval: 'today', extra });
  });

  it('reports clients/users: a preset, a comma list, an integer array or [..] text; Paymo gets the comma form', async () => {
    const t = table('reports');
    const [u1, u2] = all('users').map((u) => u.id as number);
    const [c1, c2] = all('clients').map((c) => c.id as number);
    const forms: [unknown, string][] = [
      ['all', 'all'],
      ['all_active', 'all_active'],
      [`${c1}, ${c2}`, `${c1},${c2}`],
      [`{${c1},${c2}}`, `${c1},${c2}`],
      [`[${c2}]`, `${c2}`],
      [[c1, c2], `${c1},${c2}`],
    ];
    for (const [given, sent] of forms) {
      sim.requestLog.reset();
      const row = await t.insert(
        vals({ type: 'static', date_interval: 'this_month', clients: given, users: [u1, u2] }),
        wctx(),
      );
      const [body] = bodies('POST');
      expect(body!.clients, String(given)).toBe(sent);
      expect(body!.users).toBe(`${u1},${u2}`);
      // Read back as the preset, or the ids comma-separated: the form that writes it again.
      expect(col('reports', row, 'clients')).toBe(sent);
      expect(col('reports', row, 'users')).toBe(`${u1},${u2}`);
      expect(await read('reports', col('reports', row, 'id'))).toEqual(row);
    }
    for (const [column, bad] of [
      ['users', 'everyone'],
      ['users', '1,x'],
      ['users', '0'],
      ['users', '{1,NULL}'],
      // Paymo's client presets are all and all_active (2.19).
      ['clients', 'all_archived'],
    ]) {
      sim.requestLog.reset();
      expect(
        () => t.checkWrite('insert', vals({ type: 'live', date_interval: 'today', [column!]: bad })),
        bad,
      ).toThrow(expect.objectContaining({ code: '22P02', message: expect.stringContaining(column!) }));
      expect(sim.requestLog.count()).toBe(0);
    }
  });

  it('EXPLAIN lines name the requests and body fields, never the key', () => {
    expect(table('tasks').describeWrite('insert', ['name', 'project_id'])).toEqual([
      'POST /api/tasks (one per row), body: name, project_id',
    ]);
    expect(table('tasks').describeWrite('update', ['name'])).toEqual([
      'PUT /api/tasks/{id} (one per row), body: name',
    ]);
    expect(table('time_entries').describeWrite('delete', [])).toEqual([
      'DELETE /api/entries/{id} (one per row)',
    ]);
    const lines = ALL_SPECS.flatMap((s) =>
      (['insert', 'update', 'delete'] as const).flatMap((op) =>
        s.writes[op] ? table(s.name).describeWrite(op, ['id']) : [],
      ),
    );
    expect(lines.join('\n')).not.toContain(sim.apiKey);
  });
});

describe('paymo_capabilities', () => {
  it('carries the write requests per table and every write rule', async () => {
    const q = (t: string) =>
      engine.query(
        `select capability, allowed, column_name, detail from paymo_capabilities where table_name = '${t}' and capability in ('insert', 'update', 'delete', 'write_rule') order by capability, column_name`,
      );
    expect((await q('time_entries')).rows).toEqual([
      ['delete', true, null, 'DELETE /api/entries/{id}, per row'],
      ['insert', true, null, 'POST /api/entries, per row; required: task_id'],
      ['update', true, null, 'PUT /api/entries/{id}, per row'],
      [
        'write_rule',
        true,
        'date+duration | start_time+end_time',
        'a time entry needs task_id plus either (date, duration) or (start_time, end_time)',
      ],
    ]);
    expect((await q('company')).rows).toEqual([
      ['delete', false, null, null],
      ['insert', false, null, null],
      ['update', true, null, 'PUT /api/company, one request'],
    ]);
    const inv = (await q('invoices')).rows;
    expect(inv).toContainEqual([
      'write_rule',
      true,
      'discount',
      expect.stringContaining("Field 'discount' cannot be empty"),
    ]);
    expect((await q('reports')).rows).toContainEqual([
      'update',
      true,
      null,
      "GET /api/reports/{id} (Paymo takes only the full specification), then PUT /api/reports/{id}, then GET /api/reports/{id} when Paymo's answer lacks content, per row",
    ]);
    expect((await q('reports')).rows).toContainEqual([
      'insert',
      true,
      null,
      "POST /api/reports, then GET /api/reports/{id} when Paymo's answer lacks content, per row; required: type",
    ]);
    expect((await q('task_comments')).rows).toContainEqual([
      'insert',
      true,
      null,
      'POST /api/comments, then GET /api/threads/{thread_id}, per row; required: content, task_id',
    ]);
    expect(sim.requestLog.count()).toBe(0);
  });
});

describe('comments (a flattened table written through /api/comments)', () => {
  for (const parent of ['task', 'discussion'] as const) {
    it(`${parent}_comments: INSERT, UPDATE, DELETE; the thread's columns come from GET /threads/{id}`, async () => {
      const name = `${parent}_comments`;
      const t = table(name);
      const pid = firstId(`${parent}s`);
      const key = `${parent}_id`;
      expect(t.columnWrites?.get(key)).toEqual({ createOnly: true, requiredOnInsert: true });
      expect(t.columnWrites?.get('project_id')).toEqual({ readOnly: true });
      expect(t.describeWrite('insert', ['content', key])).toEqual([
        `POST /api/comments (one per row), body: content, ${key}`,
        'GET /api/threads/{thread_id} (one per row: the threads columns of the row)',
      ]);
      const ctx = wctx();
      const row = await t.insert(vals({ content: '<p>first</p>', [key]: pid }), ctx);
      const id = col(name, row, 'id') as number;
      const thread = sim.store.get('threads', col(name, row, 'thread_id') as number)!;
      expect(sim.requestLog.entries().map((e) => `${e.method} ${e.path}`)).toEqual([
        'POST /api/comments',
        `GET /api/threads/${thread.id}`,
      ]);
      expect(ctx.stats.requests).toBe(2);
      expect(bodies('POST')).toEqual([{ content: '<p>first</p>', [key]: pid }]);
      expect(col(name, row, key)).toBe(pid);
      expect(col(name, row, 'project_id')).toBe(thread.project_id);
      const readBack = async () =>
        (await engine.query(`select * from ${name} where ${key} = ${pid}`)).rows.find((r) => r[0] === id);
      expect(await readBack()).toEqual(row);
      await refused(() => t.update([id], vals({ [key]: pid }), wctx()));
      const up = await t.update([id], vals({ content: 'edited' }), wctx());
      expect(col(name, up, 'content')).toBe('edited');
      expect(await readBack()).toEqual(up);
      sim.requestLog.reset();
      await t.delete([id], wctx());
      expect(sim.requestLog.entries().map((e) => `${e.method} ${e.path}`)).toEqual([
        `DELETE /api/comments/${id}`,
      ]);
      expect(sim.store.get('comments', id)).toBeUndefined();
    });
  }

  async function refused(fn: () => Promise<unknown>): Promise<void> {
    sim.requestLog.reset();
    await expect(fn()).rejects.toMatchObject({ code: '428C9' });
    expect(sim.requestLog.count()).toBe(0);
  }
});
