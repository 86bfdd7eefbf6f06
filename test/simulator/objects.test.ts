/**
 * Per-object CRUD against a running simulator over HTTP: for every resource of RESOURCES, list (in
 * its required-filter form), read one, create (201 + Location + the stored object), partial update
 * (`updated_on` moves), delete (200 `{}`, then 404), and 405 for every operation it does not serve.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/index.js';
import { RESOURCES } from '../../src/simulator/resources.js';
import type { Rec } from '../../src/simulator/types.js';
import { type Row, simCall } from './sim-http.js';

const call = (sim: SimulatorHandle, method: string, path: string, body?: unknown) =>
  simCall(sim, method, path, { body });

/** The first stored record of `path` that passes `test`. */
function first(sim: SimulatorHandle, path: string, test: (r: Rec) => boolean = () => true): Rec {
  for (const r of sim.store.all(path)) if (test(r)) return r;
  throw new Error(`no ${path} record in the tiny dataset`);
}

/** What the CRUD walk needs to know about one resource. */
interface CrudSpec {
  /** Query string of the list call (the required filter form where there is one). */
  readonly list?: (sim: SimulatorHandle) => string;
  /** Body of a create; may prepare related objects through the API first. */
  readonly create?: (sim: SimulatorHandle) => Promise<Row> | Row;
  /** A partial update and the field it changes. */
  readonly update?: Row;
}

const day = '2026-12-01';
const line = { item: 'Design', price_unit: 100, quantity: 2 };

const activeProject = (sim: SimulatorHandle) => first(sim, 'projects', (p) => p.active === true);
const activeTask = (sim: SimulatorHandle) => {
  const pid = activeProject(sim).id;
  return first(sim, 'tasks', (t) => t.project_id === pid);
};

const SPECS: Readonly<Record<string, CrudSpec>> = {
  bookings: {
    list: (sim) => `where=user_task_id=${first(sim, 'bookings').user_task_id}`,
    create: (sim) => ({
      user_task_id: first(sim, 'userstasks').id,
      start_date: day,
      end_date: '2026-12-03',
      hours_per_day: 4,
    }),
    update: { hours_per_day: 6 },
  },
  clientcontacts: {
    create: (sim) => ({ client_id: first(sim, 'clients').id, name: 'New Contact' }),
    update: { position: 'CFO' },
  },
  clients: { create: () => ({ name: 'New Client' }), update: { city: 'Paris' } },
  comments: {
    list: (sim) => `where=thread_id=${first(sim, 'threads').id}`,
    create: (sim) => ({ content: '<p>hi</p>', thread_id: first(sim, 'threads').id }),
    update: { content: '<p>edited</p>' },
  },
  threads: { list: (sim) => `where=project_id=${first(sim, 'threads').project_id}` },
  company: { update: { phone: '+44 1234' } },
  discussions: {
    create: (sim) => ({ name: 'Kick-off', project_id: activeProject(sim).id }),
    update: { description: 'Agenda' },
  },
  estimatetemplates: { create: () => ({ name: 'Modern' }), update: { title: 'Quote' } },
  estimatetemplatesgallery: {},
  estimates: {
    create: (sim) => ({ client_id: first(sim, 'clients').id, currency: 'USD', items: [line] }),
    update: { notes: 'internal' },
  },
  estimateitems: {},
  expenses: {
    create: (sim) => ({ client_id: first(sim, 'clients').id, amount: 12.5, currency: 'USD' }),
    update: { notes: 'Taxi' },
  },
  files: {
    list: (sim) => `where=project_id=${activeProject(sim).id}`,
    create: (sim) => ({ original_filename: 'notes.txt', project_id: activeProject(sim).id }),
    update: { description: 'Meeting notes' },
  },
  invoicetemplates: { create: () => ({ name: 'Modern' }), update: { title: 'Bill' } },
  invoicetemplatesgallery: {},
  invoicepayments: {
    create: async (sim) => {
      const inv = await call(sim, 'POST', 'invoices', {
        client_id: first(sim, 'clients').id,
        currency: 'USD',
        items: [line],
      });
      return { invoice_id: (inv.body.invoices as Row[])[0].id, amount: 50 };
    },
    update: { notes: 'wire transfer' },
  },
  recurringprofiles: {
    create: (sim) => ({
      client_id: first(sim, 'clients').id,
      currency: 'USD',
      start_date: day,
      frequency: 'm',
      items: [line],
    }),
    update: { title: 'Monthly hosting' },
  },
  recurringprofileitems: {},
  invoices: {
    create: (sim) => ({ client_id: first(sim, 'clients').id, currency: 'USD', items: [line] }),
    update: { notes: 'internal' },
  },
  invoiceitems: {},
  milestones: {
    create: (sim) => ({ name: 'Launch', project_id: activeProject(sim).id, due_date: day }),
    update: { send_reminder: 24 },
  },
  projecttemplates: { create: () => ({ name: 'Blank' }), update: { name: 'Blank v2' } },
  projecttemplatestasklists: {
    create: (sim) => ({ name: 'Phase 1', template_id: first(sim, 'projecttemplates').id }),
    update: { seq: 7 },
  },
  projecttemplatestasks: {
    create: (sim) => ({ name: 'Sketch', tasklist_id: first(sim, 'projecttemplatestasklists').id }),
    update: { budget_hours: 3 },
  },
  projectstatuses: { create: () => ({ name: 'Paused', active: false }), update: { seq: 9 } },
  projects: {
    create: (sim) => ({ name: 'New Project', client_id: first(sim, 'clients').id }),
    update: { description: 'About' },
  },
  reports: {
    create: () => ({ type: 'static', date_interval: 'all_time' }),
    update: { type: 'static', name: 'All time' },
  },
  subtasks: { create: (sim) => ({ name: 'Check', task_id: activeTask(sim).id }), update: { seq: 4 } },
  sessions: { create: () => ({}) },
  tasklists: {
    create: (sim) => ({ name: 'Backlog list', project_id: activeProject(sim).id }),
    update: { seq: 5 },
  },
  taskrecurringprofiles: {
    create: (sim) => ({
      name: 'Weekly report',
      project_id: activeProject(sim).id,
      frequency: 'weekly',
      interval: 1,
      recurring_start_date: day,
    }),
    update: { interval: 2 },
  },
  tasks: {
    create: (sim) => ({ name: 'New task', tasklist_id: activeTask(sim).tasklist_id }),
    update: { priority: 75 },
  },
  entries: {
    list: (sim) => `where=task_id=${first(sim, 'entries').task_id}`,
    create: (sim) => ({ task_id: activeTask(sim).id, date: day, duration: 3600 }),
    update: { description: 'Call' },
  },
  users: {
    create: () => ({ email: 'new.user@example.com', name: 'New User' }),
    update: { position: 'Designer' },
  },
  me: {},
  userstasks: {
    list: (sim) => `where=task_id=${first(sim, 'userstasks').task_id}`,
    create: (sim) => {
      const task = activeTask(sim);
      const user = first(sim, 'users', (u) => !(task.users as number[]).includes(u.id as number));
      return { user_id: user.id, task_id: task.id };
    },
    update: {},
  },
  workflows: { create: () => ({ name: 'Kanban' }), update: { name: 'Kanban 2' } },
  workflowstatuses: {
    create: (sim) => ({ name: 'Review', workflow_id: first(sim, 'workflows').id, color: 'AABBCC' }),
    update: { color: '112233' },
  },
  hooks: {
    create: () => ({ target_url: 'https://example.com/hook', event: 'model.insert.Task' }),
    update: { event: 'model.update.Task' },
  },
};

describe('simulator objects: CRUD per resource', () => {
  let sim: SimulatorHandle;
  let now = Date.parse('2026-11-24T12:00:00Z');
  beforeAll(async () => {
    sim = await startSimulator({ scale: 'tiny', rateLimit: null, now: new Date(now), clock: () => now });
  });
  afterAll(() => sim.close());

  it('has a CRUD spec for every resource', () => {
    expect(Object.keys(SPECS).sort()).toEqual(RESOURCES.map((d) => d.path).sort());
  });

  for (const def of RESOURCES) {
    const spec = SPECS[def.path] ?? {};
    describe(def.path, () => {
      const ops = new Set(def.ops);
      if (def.singleton) {
        it('reads and partially updates the singleton; nothing else', async () => {
          const before = await call(sim, 'GET', def.path);
          expect(before.status).toBe(200);
          const obj = before.body[def.key] as Row;
          expect(Array.isArray(obj)).toBe(false);
          now += 60_000;
          const upd = await call(sim, 'PUT', def.path, spec.update);
          expect(upd.status).toBe(200);
          const after = upd.body[def.key] as Row;
          for (const [k, v] of Object.entries(spec.update ?? {})) expect(after[k]).toEqual(v);
          expect(after.name).toEqual(obj.name);
          expect(after.updated_on).not.toEqual(obj.updated_on);
          expect((await call(sim, 'DELETE', def.path)).status).toBe(405);
          expect((await call(sim, 'GET', `${def.path}/1`)).status).toBe(404);
        });
        return;
      }

      if (ops.has('list'))
        it('lists', async () => {
          const q = spec.list ? `?${spec.list(sim)}` : '';
          const r = await call(sim, 'GET', `${def.path}${q}`);
          expect(r.status).toBe(200);
          const rows = r.body[def.key] as Row[];
          expect(Array.isArray(rows)).toBe(true);
          if (def.path !== 'sessions') expect(rows.length).toBeGreaterThan(0);
        });

      if (ops.has('read'))
        it('reads one', async () => {
          if (def.path === 'me') {
            const me = await call(sim, 'GET', 'me');
            expect(me.status).toBe(200);
            expect((me.body.users as Row[])[0].id).toBe(sim.apiKeys[0].userId);
            return;
          }
          const id = def.path === 'sessions' ? await newSession(sim) : first(sim, def.path).id;
          const r = await call(sim, 'GET', `${def.path}/${id}`);
          expect(r.status).toBe(200);
          const rows = r.body[def.key] as Row[];
          expect(rows).toHaveLength(1);
          expect(rows[0].id).toBe(id);
        });

      if (ops.has('create'))
        it('creates (201, Location, the stored object), updates partially, deletes', async () => {
          const body = await spec.create!(sim);
          const created = await call(sim, 'POST', def.path, body);
          expect(created.status, JSON.stringify(created.body)).toBe(201);
          const obj = (created.body[def.key] as Row[])[0];
          expect(created.headers.get('location')).toBe(`${sim.baseUrl}${def.path}/${obj.id}`);
          const stored = await call(sim, 'GET', `${def.path}/${obj.id}`);
          expect(stored.status).toBe(200);
          expect((stored.body[def.key] as Row[])[0]).toEqual(obj);
          expect(sim.store.get(def.path, obj.id as number)).toBeDefined();

          if (ops.has('update')) {
            now += 60_000;
            const upd = await call(sim, 'PUT', `${def.path}/${obj.id}`, spec.update ?? {});
            expect(upd.status, JSON.stringify(upd.body)).toBe(200);
            const after = (upd.body[def.key] as Row[])[0];
            for (const [k, v] of Object.entries(spec.update ?? {})) expect(after[k]).toEqual(v);
            expect(after.created_on).toEqual(obj.created_on);
            expect(after.updated_on).not.toEqual(obj.updated_on);
            // Partial: fields not sent keep their values.
            const untouched = Object.keys(obj).filter(
              (k) => !(k in (spec.update ?? {})) && !['updated_on', 'info', 'content'].includes(k),
            );
            for (const k of untouched) expect(after[k], k).toEqual(obj[k]);
            // POST to an item path updates too.
            expect((await call(sim, 'POST', `${def.path}/${obj.id}`, spec.update ?? {})).status).toBe(200);
          } else {
            expect((await call(sim, 'PUT', `${def.path}/${obj.id}`, {})).status).toBe(405);
          }

          if (ops.has('delete')) {
            const del = await call(sim, 'DELETE', `${def.path}/${obj.id}`);
            expect(del.status, JSON.stringify(del.body)).toBe(200);
            expect(del.body).toEqual({});
            expect((await call(sim, 'GET', `${def.path}/${obj.id}`)).status).toBe(404);
            expect(sim.store.get(def.path, obj.id as number)).toBeUndefined();
          }
        });

      const refused: [string, string, string][] = [];
      if (!ops.has('list') && def.path !== 'me') refused.push(['list', 'GET', def.path]);
      if (!ops.has('create')) refused.push(['create', 'POST', def.path]);
      if (!ops.has('read') && def.path !== 'me') refused.push(['read', 'GET', `${def.path}/1`]);
      if (!ops.has('update')) refused.push(['update', 'PUT', `${def.path}/1`]);
      if (!ops.has('delete')) refused.push(['delete', 'DELETE', `${def.path}/1`]);
      if (refused.length > 0)
        it(`answers 405 to ${refused.map((r) => r[0]).join(', ')}`, async () => {
          for (const [, method, path] of refused) {
            const r = await call(sim, method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
            expect(r.status, `${method} ${path}`).toBe(405);
            expect(typeof r.body.message).toBe('string');
          }
        });
    });
  }
});

async function newSession(sim: SimulatorHandle): Promise<unknown> {
  const r = await call(sim, 'POST', 'sessions', {});
  return (r.body.sessions as Row[])[0].id;
}
