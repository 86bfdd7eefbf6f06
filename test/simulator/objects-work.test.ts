/**
 * Rules and side effects of projects, task lists, tasks, subtasks, assignments, bookings,
 * milestones, workflows, statuses, templates, time entries, comments and files (paymo-api.md 1.12
 * and section 2), checked against the simulator's state after each HTTP call.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/index.js';
import type { Rec } from '../../src/simulator/types.js';
import { simCall, storeHelpers } from './sim-http.js';

const NOW = Date.parse('2026-11-24T12:00:00Z');
let sim: SimulatorHandle;
let now = NOW;

beforeEach(async () => {
  now = NOW;
  sim = await startSimulator({ scale: 'tiny', rateLimit: null, now: new Date(NOW), clock: () => now });
});
afterEach(() => sim.close());

const call = (method: string, path: string, body?: unknown, key = sim.apiKey) =>
  simCall(sim, method, path, { body, key });

const { all, get, where, one } = storeHelpers(() => sim);
const activeProject = () => one('projects', (p) => p.active === true && typeof p.code === 'string');
const archivedProject = () => one('projects', (p) => p.active === false);
const statusOf = (workflowId: unknown, action: string) =>
  one('workflowstatuses', (s) => s.workflow_id === workflowId && s.action === action);
const userId = () => sim.apiKeys[0].userId;

describe('tasks', () => {
  it('with only project_id go to the "Default Task List", created once and reused', async () => {
    const p = activeProject();
    const before = where('tasklists', (l) => l.project_id === p.id && l.name === 'Default Task List');
    expect(before).toHaveLength(0);
    const a = await call('POST', 'tasks', { name: 'A', project_id: p.id });
    const b = await call('POST', 'tasks', { name: 'B', project_id: p.id });
    expect(a.status).toBe(201);
    const lists = where('tasklists', (l) => l.project_id === p.id && l.name === 'Default Task List');
    expect(lists).toHaveLength(1);
    expect(a.obj.tasklist_id).toBe(lists[0].id);
    expect(b.obj.tasklist_id).toBe(lists[0].id);
  });

  it('need tasklist_id or project_id; a refusal stores nothing', async () => {
    const count = all('tasks').length;
    const r = await call('POST', 'tasks', { name: 'Orphan' });
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/tasklist_id.*project_id/);
    expect(all('tasks')).toHaveLength(count);
  });

  it('take the project from the task list and a code from the project counter', async () => {
    const p = activeProject();
    const list = one('tasklists', (l) => l.project_id === p.id);
    const inc = Number(p.task_code_increment);
    const r = await call('POST', 'tasks', { name: 'Coded', tasklist_id: list.id });
    expect(r.obj.project_id).toBe(p.id);
    expect(r.obj.code).toBe(`${p.code}-${inc + 1}`);
    expect(get('projects', p.id)!.task_code_increment).toBe(inc + 1);
    expect(r.obj.user_id).toBe(userId());
  });

  it('complete ↔ the workflow Complete/Backlog status, with completed_on/by', async () => {
    const p = activeProject();
    const t = (await call('POST', 'tasks', { name: 'Flow', project_id: p.id })).obj;
    expect(t.status_id).toBe(statusOf(p.workflow_id, 'backlog').id);
    now += 3_600_000;
    const done = (await call('PUT', `tasks/${t.id}`, { complete: true })).obj;
    expect(done.status_id).toBe(statusOf(p.workflow_id, 'complete').id);
    expect(done.completed_on).toBe('2026-11-24T13:00:00Z');
    expect(done.completed_by).toBe(userId());
    const reopened = (await call('PUT', `tasks/${t.id}`, { complete: false })).obj;
    expect(reopened.status_id).toBe(statusOf(p.workflow_id, 'backlog').id);
    expect(reopened.completed_on).toBeNull();
    expect(reopened.completed_by).toBeNull();
    const viaStatus = (
      await call('PUT', `tasks/${t.id}`, { status_id: statusOf(p.workflow_id, 'complete').id })
    ).obj;
    expect(viaStatus.complete).toBe(true);
  });

  it('refuse a status of another workflow', async () => {
    const p = activeProject();
    const t = one('tasks', (x) => x.project_id === p.id);
    const wf = (await call('POST', 'workflows', { name: 'Other' })).obj;
    const foreign = statusOf(wf.id, 'complete');
    const r = await call('PUT', `tasks/${t.id}`, { status_id: foreign.id });
    expect(r.status).toBe(400);
    expect(get('tasks', t.id)!.status_id).toBe(t.status_id);
  });

  it('keep users and userstasks consistent both ways; an assignment delete cascades its bookings', async () => {
    const [u1, u2, u3] = all('users').map((u) => u.id as number);
    const p = activeProject();
    const t = (await call('POST', 'tasks', { name: 'Team', project_id: p.id, users: [u1] })).obj;
    const assignments = () => where('userstasks', (ut) => ut.task_id === t.id).map((ut) => ut.user_id);
    expect(assignments()).toEqual([u1]);
    await call('PUT', `tasks/${t.id}`, { users: [u2] });
    expect(assignments()).toEqual([u2]);
    const ut = (await call('POST', 'userstasks', { user_id: u3, task_id: t.id })).obj;
    expect(get('tasks', t.id)!.users).toEqual([u2, u3]);
    const dup = await call('POST', 'userstasks', { user_id: u3, task_id: t.id });
    expect(dup.status).toBe(400);
    const booking = (
      await call('POST', 'bookings', {
        user_task_id: ut.id,
        start_date: '2026-12-01',
        end_date: '2026-12-02',
        hours_per_day: 2,
      })
    ).obj;
    expect((await call('DELETE', `userstasks/${ut.id}`)).status).toBe(200);
    expect(get('tasks', t.id)!.users).toEqual([u2]);
    expect(get('bookings', booking.id)).toBeUndefined();
  });

  it('delete cascades time entries, subtasks, assignments, thread and comments', async () => {
    const p = activeProject();
    const t = (await call('POST', 'tasks', { name: 'Doomed', project_id: p.id, users: [userId()] })).obj;
    const e = (await call('POST', 'entries', { task_id: t.id, date: '2026-11-20', duration: 600 })).obj;
    const s = (await call('POST', 'subtasks', { name: 'step', task_id: t.id })).obj;
    const c = (await call('POST', 'comments', { content: 'x', task_id: t.id })).obj;
    expect((await call('DELETE', `tasks/${t.id}`)).status).toBe(200);
    expect(get('entries', e.id)).toBeUndefined();
    expect(get('subtasks', s.id)).toBeUndefined();
    expect(get('comments', c.id)).toBeUndefined();
    expect(get('threads', c.thread_id)).toBeUndefined();
    expect(where('userstasks', (ut) => ut.task_id === t.id)).toHaveLength(0);
  });
});

describe('time entries', () => {
  const taskOf = (p: Rec) => one('tasks', (t) => t.project_id === p.id);

  it('bulk: is_bulk, added_manually, project from the task, user = caller, no interval keys', async () => {
    const t = taskOf(activeProject());
    const r = await call('POST', 'entries', { task_id: t.id, date: '2026-11-20', duration: 1800 });
    expect(r.status).toBe(201);
    expect(r.obj).toMatchObject({
      is_bulk: true,
      added_manually: true,
      project_id: t.project_id,
      user_id: userId(),
    });
    expect(r.obj.duration).toBe(1800);
    expect('start_time' in r.obj).toBe(false);
    expect('end_time' in r.obj).toBe(false);
  });

  it('interval: duration computed; shorter than a minute is refused and nothing stored', async () => {
    const t = taskOf(activeProject());
    const r = await call('POST', 'entries', {
      task_id: t.id,
      start_time: '2026-11-20T10:00:00Z',
      end_time: '2026-11-20T10:45:00Z',
    });
    expect(r.obj).toMatchObject({ is_bulk: false, added_manually: true, duration: 2700 });
    expect('date' in r.obj).toBe(false);
    const count = all('entries').length;
    const short = await call('POST', 'entries', {
      task_id: t.id,
      start_time: '2026-11-20T11:00:00Z',
      end_time: '2026-11-20T11:00:59Z',
    });
    expect(short.status).toBe(400);
    expect(all('entries')).toHaveLength(count);
  });

  it('needs date+duration or start_time(+end_time)', async () => {
    const t = taskOf(activeProject());
    const r = await call('POST', 'entries', { task_id: t.id, date: '2026-11-20' });
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/date.*duration.*start_time.*end_time/);
  });

  it('timers: one running per user (409); stopping needs a minute', async () => {
    const t = taskOf(activeProject());
    for (const e of where('entries', (x) => x.user_id === userId() && x.end_time === null))
      await call('DELETE', `entries/${e.id}`);
    const timer = await call('POST', 'entries', { task_id: t.id, start_time: '2026-11-24T11:59:30Z' });
    expect(timer.status).toBe(201);
    expect(timer.obj).toMatchObject({
      added_manually: false,
      end_time: null,
      duration: null,
      is_bulk: false,
    });
    const second = await call('POST', 'entries', { task_id: t.id, start_time: '2026-11-24T12:00:00Z' });
    expect(second.status).toBe(409);
    const early = await call('PUT', `entries/${timer.obj.id}`, { end_time: '2026-11-24T12:00:00Z' });
    expect(early.status).toBe(400);
    expect(get('entries', timer.obj.id)!.end_time).toBeNull();
    const stop = await call('PUT', `entries/${timer.obj.id}`, { end_time: '2026-11-24T12:30:30Z' });
    expect(stop.obj.duration).toBe(1860);
    expect(
      (await call('POST', 'entries', { task_id: t.id, start_time: '2026-11-24T12:40:00Z' })).status,
    ).toBe(201);
  });

  it('duration changes only on bulk entries', async () => {
    const t = taskOf(activeProject());
    const interval = (
      await call('POST', 'entries', {
        task_id: t.id,
        start_time: '2026-11-20T10:00:00Z',
        end_time: '2026-11-20T11:00:00Z',
      })
    ).obj;
    const r = await call('PUT', `entries/${interval.id}`, { duration: 120 });
    expect(r.status).toBe(400);
    expect(get('entries', interval.id)!.duration).toBe(3600);
    const moved = await call('PUT', `entries/${interval.id}`, { end_time: '2026-11-20T10:30:00Z' });
    expect(moved.obj.duration).toBe(1800);
    const bulk = (await call('POST', 'entries', { task_id: t.id, date: '2026-11-20', duration: 600 })).obj;
    expect((await call('PUT', `entries/${bulk.id}`, { duration: 900 })).obj.duration).toBe(900);
  });

  it('are refused on tasks of archived projects', async () => {
    const t = taskOf(archivedProject());
    const count = all('entries').length;
    const r = await call('POST', 'entries', { task_id: t.id, date: '2026-11-20', duration: 600 });
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/archived/);
    expect(all('entries')).toHaveLength(count);
  });
});

describe('projects', () => {
  it('without client_id use a "Sample Client"; default status, workflow, creator membership', async () => {
    const r = await call('POST', 'projects', { name: 'Solo' });
    expect(r.status).toBe(201);
    const client = get('clients', r.obj.client_id)!;
    expect(client.name).toBe('Sample Client');
    expect(r.obj.status_id).toBe(one('projectstatuses', (s) => s.name === 'Active').id);
    expect(r.obj.active).toBe(true);
    expect(r.obj.workflow_id).toBe(one('workflows', (w) => w.is_default === true).id);
    expect(r.obj.users).toEqual([userId()]);
    expect(r.obj.managers).toEqual([userId()]);
    expect(get('users', userId())!.assigned_projects).toContain(r.obj.id);
    expect(get('users', userId())!.managed_projects).toContain(r.obj.id);
    const again = await call('POST', 'projects', { name: 'Solo 2' });
    expect(again.obj.client_id).toBe(r.obj.client_id);
  });

  it('keep managers ⊆ users and users.assigned/managed_projects in sync both ways', async () => {
    const [, u2, u3] = all('users').map((u) => u.id as number);
    const p = (await call('POST', 'projects', { name: 'Sync', managers: [u2] })).obj;
    expect(p.users).toEqual(expect.arrayContaining([u2, userId()]));
    expect(get('users', u2)!.managed_projects).toContain(p.id);
    await call('PUT', `projects/${p.id}`, { users: [userId()] });
    expect(get('projects', p.id)!.managers).toEqual([userId()]);
    expect(get('users', u2)!.assigned_projects).not.toContain(p.id);
    expect(get('users', u2)!.managed_projects).not.toContain(p.id);
    const u3rec = get('users', u3)!;
    await call('PUT', `users/${u3}`, { assigned_projects: [...(u3rec.assigned_projects as number[]), p.id] });
    expect(get('projects', p.id)!.users).toContain(u3);
    await call('PUT', `users/${u3}`, { managed_projects: [p.id] });
    expect(get('projects', p.id)!.managers).toContain(u3);
  });

  it('status ↔ active (2.17): archiving moves to Archived, an inactive status archives', async () => {
    const p = (await call('POST', 'projects', { name: 'Arch' })).obj;
    const archived = one('projectstatuses', (s) => s.name === 'Archived');
    expect((await call('PUT', `projects/${p.id}`, { active: false })).obj.status_id).toBe(archived.id);
    expect((await call('PUT', `projects/${p.id}`, { active: true })).obj.status_id).toBe(
      one('projectstatuses', (s) => s.name === 'Active').id,
    );
    const onHold = one('projectstatuses', (s) => s.active === false && s.readonly !== true);
    expect((await call('PUT', `projects/${p.id}`, { status_id: onHold.id })).obj.active).toBe(false);
  });

  it('template_id copies the template task lists and tasks', async () => {
    const tpl = one('projecttemplates');
    const lists = where('projecttemplatestasklists', (l) => l.template_id === tpl.id);
    const tasks = where('projecttemplatestasks', (t) => t.template_id === tpl.id);
    const p = (await call('POST', 'projects', { name: 'From template', template_id: tpl.id })).obj;
    const made = where('tasklists', (l) => l.project_id === p.id);
    expect(made.map((l) => l.name).sort()).toEqual(lists.map((l) => l.name).sort());
    expect(
      where('tasks', (t) => t.project_id === p.id)
        .map((t) => t.name)
        .sort(),
    ).toEqual(tasks.map((t) => t.name).sort());
  });

  it('refuse new active projects at the plan limit with 403, creating nothing', async () => {
    const c = one('company');
    sim.store.update('company', c.id, { max_projects: where('projects', (p) => p.active !== false).length });
    const clients = all('clients').length;
    const r = await call('POST', 'projects', { name: 'One too many' });
    expect(r.status).toBe(403);
    expect(r.message).toBe('Adding projects denied. Projects limit reached.');
    expect(where('projects', (p) => p.name === 'One too many')).toHaveLength(0);
    expect(all('clients')).toHaveLength(clients);
  });

  it('refuse codes with other than letters and digits', async () => {
    const r = await call('POST', 'projects', { name: 'Bad', code: 'A-1' });
    expect(r.status).toBe(400);
    expect(where('projects', (p) => p.name === 'Bad')).toHaveLength(0);
  });

  it('workflow change resets task statuses to Backlog / Complete', async () => {
    const p = (await call('POST', 'projects', { name: 'WF' })).obj;
    const open = (await call('POST', 'tasks', { name: 'open', project_id: p.id })).obj;
    const done = (await call('POST', 'tasks', { name: 'done', project_id: p.id, complete: true })).obj;
    const wf = (await call('POST', 'workflows', { name: 'Lean' })).obj;
    await call('PUT', `projects/${p.id}`, { workflow_id: wf.id });
    expect(get('tasks', open.id)!.status_id).toBe(statusOf(wf.id, 'backlog').id);
    expect(get('tasks', done.id)!.status_id).toBe(statusOf(wf.id, 'complete').id);
  });

  it('delete cascades task lists, tasks, entries, discussions, files, milestones, comments', async () => {
    const p = activeProject();
    const ids = (path: string) => where(path, (r) => r.project_id === p.id).map((r) => r.id);
    const doomed = ['tasklists', 'tasks', 'entries', 'discussions', 'files', 'milestones', 'threads'].map(
      (path) => [path, ids(path)] as const,
    );
    expect(doomed.find(([path]) => path === 'entries')![1].length).toBeGreaterThan(0);
    const threadIds = ids('threads');
    expect((await call('DELETE', `projects/${p.id}`)).status).toBe(200);
    for (const [path, list] of doomed)
      for (const id of list) expect(get(path, id), `${path} ${id}`).toBeUndefined();
    expect(where('comments', (c) => threadIds.includes(c.thread_id as number))).toHaveLength(0);
    for (const u of all('users')) expect(u.assigned_projects).not.toContain(p.id);
  });

  it('client delete cascades its projects and their time', async () => {
    const c = one('clients', (cl) => where('projects', (p) => p.client_id === cl.id).length > 0);
    const projects = where('projects', (p) => p.client_id === c.id).map((p) => p.id);
    expect((await call('DELETE', `clients/${c.id}`)).status).toBe(200);
    expect(where('projects', (p) => projects.includes(p.id))).toHaveLength(0);
    expect(where('entries', (e) => projects.includes(e.project_id as number))).toHaveLength(0);
    expect(where('clientcontacts', (cc) => cc.client_id === c.id)).toHaveLength(0);
  });
});

describe('statuses, workflows and templates', () => {
  it('project statuses: readonly ones are neither edited nor deleted', async () => {
    const ro = one('projectstatuses', (s) => s.readonly === true);
    expect((await call('PUT', `projectstatuses/${ro.id}`, { name: 'X' })).status).toBe(400);
    expect(get('projectstatuses', ro.id)!.name).toBe(ro.name);
    expect((await call('DELETE', `projectstatuses/${ro.id}`)).status).toBe(400);
    expect(get('projectstatuses', ro.id)).toBeDefined();
  });

  it('workflows: new ones get Backlog and Complete; is_default exclusive; used ones are kept', async () => {
    const old = one('workflows', (w) => w.is_default === true);
    const wf = (await call('POST', 'workflows', { name: 'New', is_default: true })).obj;
    const sts = where('workflowstatuses', (s) => s.workflow_id === wf.id);
    expect(sts.map((s) => [s.name, s.action])).toEqual([
      ['Backlog', 'backlog'],
      ['Complete', 'complete'],
    ]);
    expect(get('workflows', old.id)!.is_default).toBe(false);
    const r = await call('DELETE', `workflows/${old.id}`);
    expect(r.status).toBe(400);
    expect(get('workflows', old.id)).toBeDefined();
    expect((await call('DELETE', `workflows/${wf.id}`)).status).toBe(200);
    expect(where('workflowstatuses', (s) => s.workflow_id === wf.id)).toHaveLength(0);
  });

  it('workflow statuses: backlog/complete and used ones cannot be deleted', async () => {
    const used = one(
      'workflowstatuses',
      (s) => where('tasks', (t) => t.status_id === s.id).length > 0 && s.action === '',
    );
    expect((await call('DELETE', `workflowstatuses/${used.id}`)).status).toBe(400);
    const backlog = one('workflowstatuses', (s) => s.action === 'backlog');
    expect((await call('DELETE', `workflowstatuses/${backlog.id}`)).status).toBe(400);
    expect(get('workflowstatuses', used.id)).toBeDefined();
    expect(get('workflowstatuses', backlog.id)).toBeDefined();
  });

  it('project templates: copy from a project; delete cascades template lists and tasks', async () => {
    const p = activeProject();
    const tpl = (await call('POST', 'projecttemplates', { name: 'Copy', project_id: p.id })).obj;
    const lists = where('projecttemplatestasklists', (l) => l.template_id === tpl.id);
    expect(lists.map((l) => l.name).sort()).toEqual(
      where('tasklists', (l) => l.project_id === p.id)
        .map((l) => l.name)
        .sort(),
    );
    expect(where('projecttemplatestasks', (t) => t.template_id === tpl.id)).toHaveLength(
      where('tasks', (t) => t.project_id === p.id).length,
    );
    await call('DELETE', `projecttemplates/${tpl.id}`);
    expect(where('projecttemplatestasklists', (l) => l.template_id === tpl.id)).toHaveLength(0);
    expect(where('projecttemplatestasks', (t) => t.template_id === tpl.id)).toHaveLength(0);
  });
});

describe('lists, milestones, subtasks, bookings', () => {
  it('milestones.linked_tasklists ↔ tasklists.milestone_id', async () => {
    const p = activeProject();
    const [l1, l2] = where('tasklists', (l) => l.project_id === p.id);
    const m = (
      await call('POST', 'milestones', {
        name: 'M',
        project_id: p.id,
        due_date: '2026-12-20',
        linked_tasklists: [l1.id],
      })
    ).obj;
    expect(get('tasklists', l1.id)!.milestone_id).toBe(m.id);
    await call('PUT', `tasklists/${l2.id}`, { milestone_id: m.id });
    expect(get('milestones', m.id)!.linked_tasklists).toEqual([l1.id, l2.id]);
    await call('PUT', `milestones/${m.id}`, { linked_tasklists: [l2.id] });
    expect(get('tasklists', l1.id)!.milestone_id).toBeNull();
    await call('DELETE', `milestones/${m.id}`);
    expect(get('tasklists', l2.id)!.milestone_id).toBeNull();
  });

  it('task list delete cascades its tasks and their entries', async () => {
    const e = one('entries', (x) => get('projects', x.project_id)?.active === true);
    const list = get('tasks', e.task_id)!.tasklist_id;
    const taskIds = where('tasks', (t) => t.tasklist_id === list).map((t) => t.id);
    await call('DELETE', `tasklists/${list}`);
    expect(where('tasks', (t) => taskIds.includes(t.id))).toHaveLength(0);
    expect(get('entries', e.id)).toBeUndefined();
  });

  it('subtasks: project from the task; completion fields', async () => {
    const t = one('tasks', (x) => get('projects', x.project_id)?.active === true);
    const s = (await call('POST', 'subtasks', { name: 's', task_id: t.id, complete: true })).obj;
    expect(s).toMatchObject({
      project_id: t.project_id,
      completed_by: userId(),
      completed_on: '2026-11-24T12:00:00Z',
    });
    const open = (await call('PUT', `subtasks/${s.id}`, { complete: false })).obj;
    expect(open.completed_on).toBeNull();
    expect(open.completed_by).toBeNull();
  });

  it('bookings need an existing task assignment', async () => {
    const r = await call('POST', 'bookings', {
      user_task_id: 999999,
      start_date: '2026-12-01',
      end_date: '2026-12-02',
      hours_per_day: 2,
    });
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/user_task_id/);
  });
});

describe('comments and files', () => {
  it('a task comment finds or creates the task thread; author = caller; a parent is required', async () => {
    const t = one('tasks', (x) => where('threads', (th) => th.task_id === x.id).length === 0);
    const c1 = (await call('POST', 'comments', { content: 'one', task_id: t.id })).obj;
    const c2 = (await call('POST', 'comments', { content: 'two', task_id: t.id })).obj;
    const threads = where('threads', (th) => th.task_id === t.id);
    expect(threads).toHaveLength(1);
    expect(threads[0].project_id).toBe(t.project_id);
    expect(c1.thread_id).toBe(threads[0].id);
    expect(c2.thread_id).toBe(threads[0].id);
    expect(c1.user_id).toBe(userId());
    const none = await call('POST', 'comments', { content: 'lost' });
    expect(none.status).toBe(400);
  });

  it('discussion delete removes its thread and comments', async () => {
    const d = one('discussions', (x) => where('threads', (th) => th.discussion_id === x.id).length > 0);
    const th = one('threads', (x) => x.discussion_id === d.id);
    expect(where('comments', (c) => c.thread_id === th.id).length).toBeGreaterThan(0);
    await call('DELETE', `discussions/${d.id}`);
    expect(get('threads', th.id)).toBeUndefined();
    expect(where('comments', (c) => c.thread_id === th.id)).toHaveLength(0);
  });

  it('file updates change only original_filename and description', async () => {
    const f = one('files');
    const r = await call('PUT', `files/${f.id}`, {
      original_filename: 'renamed.pdf',
      tags: ['x'],
      description: 'd',
    });
    expect(r.status).toBe(200);
    expect(r.obj.original_filename).toBe('renamed.pdf');
    expect(r.obj.description).toBe('d');
    expect(r.obj.tags).toEqual(f.tags);
  });
});
