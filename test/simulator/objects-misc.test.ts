/**
 * Rules of users, client contacts, the company, reports, sessions, webhooks and task recurring
 * profiles (paymo-api.md 1.2, 2.2, 2.5, 2.19, 2.21, 2.23, 2.26, 2.30), checked against the state.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/index.js';
import { type Row, simCall, storeHelpers } from './sim-http.js';

const NOW = Date.parse('2026-11-24T12:00:00Z');
let sim: SimulatorHandle;

beforeEach(async () => {
  sim = await startSimulator({ scale: 'tiny', rateLimit: null, now: new Date(NOW), clock: () => NOW });
});
afterEach(() => sim.close());

const call = (
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  key = sim.apiKey,
) => simCall(sim, method, path, { body, headers, key });

const { all, get, where, one } = storeHelpers(() => sim);
const otherKey = () => sim.apiKeys[1].key;

describe('users', () => {
  it('e-mail is unique among active users only', async () => {
    const active = one('users', (u) => u.active === true);
    const dup = await call('POST', 'users', { email: String(active.email).toUpperCase() });
    expect(dup.status).toBe(400);
    const retiredTwin = await call('POST', 'users', { email: active.email, active: false });
    expect(retiredTwin.status).toBe(201);
    const retired = one('users', (u) => u.active === false);
    const reuse = await call('POST', 'users', { email: retired.email, name: 'Returning' });
    expect(reuse.status).toBe(201);
    expect((await call('PUT', `users/${retired.id}`, { active: true })).status).toBe(400);
    expect(get('users', retired.id)!.active).toBe(false);
  });

  it('refuses users beyond the subscription limit with 403', async () => {
    const c = one('company');
    const counted = where('users', (u) => u.active !== false && u.type !== 'Guest').length;
    sim.store.update('company', c.id, { max_users: counted });
    const count = all('users').length;
    const r = await call('POST', 'users', { email: 'over@example.com' });
    expect(r.status).toBe(403);
    expect(r.message).toBe('Could not add user. Maximum number of users reached.');
    expect(all('users')).toHaveLength(count);
    expect((await call('POST', 'users', { email: 'guest@example.com', type: 'Guest' })).status).toBe(201);
  });

  it('delete removes their time entries, assignments and memberships', async () => {
    const u = one(
      'users',
      (x) => x.id !== sim.apiKeys[0].userId && where('entries', (e) => e.user_id === x.id).length > 0,
    );
    expect((await call('DELETE', `users/${u.id}`)).status).toBe(200);
    expect(where('entries', (e) => e.user_id === u.id)).toHaveLength(0);
    expect(where('userstasks', (ut) => ut.user_id === u.id)).toHaveLength(0);
    for (const p of all('projects')) expect(p.users).not.toContain(u.id);
    for (const t of all('tasks')) expect(t.users).not.toContain(u.id);
  });
});

describe('client contacts and company', () => {
  it('is_main is exclusive per client', async () => {
    const main = one('clientcontacts', (c) => c.is_main === true);
    const other = where('clientcontacts', (c) => c.client_id !== main.client_id && c.is_main === true);
    const r = await call('POST', 'clientcontacts', {
      client_id: main.client_id,
      name: 'New main',
      is_main: true,
    });
    expect(get('clientcontacts', main.id)!.is_main).toBe(false);
    expect(
      where('clientcontacts', (c) => c.client_id === main.client_id && c.is_main === true).map((c) => c.id),
    ).toEqual([r.obj.id]);
    for (const c of other) expect(get('clientcontacts', c.id)!.is_main).toBe(true);
  });

  it('computes current_* counters on read', async () => {
    const before = (await call('GET', 'company')).obj;
    expect(before.current_users).toBe(where('users', (u) => u.active !== false && u.type !== 'Guest').length);
    expect(before.current_projects).toBe(where('projects', (p) => p.active !== false).length);
    await call('POST', 'users', { email: 'counted@example.com' });
    await call('POST', 'projects', { name: 'Counted' });
    await call('POST', 'invoices', { client_id: one('clients').id, currency: 'USD' });
    const after = (await call('GET', 'company')).obj;
    expect(after.current_users).toBe(Number(before.current_users) + 1);
    expect(after.current_projects).toBe(Number(before.current_projects) + 1);
    expect(after.current_invoices).toBe(Number(before.current_invoices) + 1);
  });
});

describe('reports', () => {
  it('accept selectors as comma strings, string arrays or presets and store ints or the preset', async () => {
    const [u1, u2] = all('users').map((u) => u.id as number);
    const a = (
      await call('POST', 'reports', { type: 'static', date_interval: 'all_time', users: `${u1},${u2}` })
    ).obj;
    expect(a.users).toEqual([u1, u2]);
    const b = (
      await call('POST', 'reports', {
        type: 'static',
        date_interval: 'all_time',
        users: [String(u2)],
        projects: 'all_active',
      })
    ).obj;
    expect(b.users).toEqual([u2]);
    expect(b.projects).toBe('all_active');
    const bad = await call('POST', 'reports', {
      type: 'static',
      date_interval: 'all_time',
      clients: 'everyone',
    });
    expect(bad.status).toBe(400);
    const noDates = await call('POST', 'reports', { type: 'static' });
    expect(noDates.status).toBe(400);
  });

  it('static content: project/task groups, pct and levels, total of the reported time', async () => {
    const p = one(
      'projects',
      (x) => where('entries', (e) => e.project_id === x.id && e.duration !== null).length > 1,
    );
    const entries = where('entries', (e) => e.project_id === p.id && typeof e.duration === 'number');
    const total = entries.reduce((s, e) => s + Number(e.duration), 0);
    const r = await call('POST', 'reports', {
      type: 'static',
      date_interval: 'all_time',
      projects: [p.id],
      include: { projects: true, tasks: true, entries: true },
    });
    const items = (r.obj.content as { items: Row[] }).items;
    expect(items[0]).toMatchObject({
      type: 'project',
      id: p.id,
      title: p.name,
      time: total,
      pct: 100,
      level: 1,
    });
    expect(items.at(-1)).toEqual({ type: 'total', time: total, pct: 100, level: 0 });
    const tasks = items.filter((i) => i.type === 'task');
    expect(tasks.every((t) => t.level === 2)).toBe(true);
    expect(tasks.reduce((s, t) => s + Number(t.time), 0)).toBe(total);
    const listed = items.filter((i) => i.type === 'entry');
    expect(listed.map((e) => e.id).sort()).toEqual(entries.map((e) => e.id).sort());
    expect(listed.every((e) => e.level === 3)).toBe(true);
    // Frozen: new time does not change a static report.
    const task = one('tasks', (t) => t.project_id === p.id);
    if (p.active === true)
      await call('POST', 'entries', { task_id: task.id, date: '2026-11-20', duration: 600 });
    const again = (await call('GET', `reports/${r.obj.id}`)).obj;
    expect((again.content as { items: Row[] }).items.at(-1)!.time).toBe(total);
  });

  it('live content follows the time entries on every read; rounding rounds up', async () => {
    const p = one(
      'projects',
      (x) => x.active === true && where('tasks', (t) => t.project_id === x.id).length > 0,
    );
    const task = one('tasks', (t) => t.project_id === p.id);
    const live = (
      await call('POST', 'reports', {
        type: 'live',
        start_date: '2026-11-23',
        end_date: '2026-11-23',
        projects: [p.id],
        extra: { enable_time_rounding: true, rounding_step: 15 },
      })
    ).obj;
    const totalOf = async () => {
      const r = await call('GET', `reports/${live.id}`);
      return (r.obj.content as { items: Row[] }).items.at(-1)!.time;
    };
    const before = await totalOf();
    await call('POST', 'entries', { task_id: task.id, date: '2026-11-23', duration: 8 * 60 });
    expect(await totalOf()).toBe(Number(before) + 15 * 60);
    await call('POST', 'entries', { task_id: task.id, date: '2026-11-25', duration: 600 });
    expect(await totalOf()).toBe(Number(before) + 15 * 60);
  });

  it('temp reports are answered with content but not kept', async () => {
    const count = all('reports').length;
    const r = await call('POST', 'reports', { type: 'temp', date_interval: 'this_month' });
    expect(r.status).toBe(201);
    expect((r.obj.content as { items: Row[] }).items.at(-1)!.type).toBe('total');
    expect(all('reports')).toHaveLength(count);
    expect((await call('GET', `reports/${r.obj.id}`)).status).toBe(404);
  });

  it('updates are full re-specifications: type is mandatory', async () => {
    const rep = one('reports');
    const r = await call('PUT', `reports/${rep.id}`, { name: 'renamed' });
    expect(r.status).toBe(400);
    expect(get('reports', rep.id)!.name).toBe(rep.name);
  });
});

describe('sessions and webhooks', () => {
  it('sessions: 32-hex token of the caller, 30 days, usable as X-Session, private, revocable', async () => {
    const r = await call('POST', 'sessions', {});
    expect(r.status).toBe(201);
    const s = r.obj;
    expect(s.id).toMatch(/^[0-9a-f]{32}$/);
    expect(s.user_id).toBe(sim.apiKeys[0].userId);
    expect(s.expires_on).toBe('2026-12-24T12:00:00Z');
    expect(typeof s.ip).toBe('string');
    const me = await fetch(new URL('me', sim.baseUrl), { headers: { 'x-session': String(s.id) } });
    expect(((await me.json()) as { users: Row[] }).users[0].id).toBe(sim.apiKeys[0].userId);
    const other = await call('GET', 'sessions', undefined, {}, otherKey());
    expect((other.body.sessions as Row[]).map((x) => x.id)).not.toContain(s.id);
    expect((await call('GET', `sessions/${s.id}`, undefined, {}, otherKey())).status).toBe(404);
    expect((await call('DELETE', `sessions/${s.id}`)).status).toBe(200);
    const gone = await fetch(new URL('me', sim.baseUrl), { headers: { 'x-session': String(s.id) } });
    expect(gone.status).toBe(401);
  });

  it('hooks: visible only to their creator; events validated; update resets last_status_code', async () => {
    const h = (
      await call('POST', 'hooks', { target_url: 'https://example.com/h', event: '*.Task', secret: 's' })
    ).obj;
    expect('secret' in h).toBe(false);
    const mine = await call('GET', 'hooks');
    expect((mine.body.hooks as Row[]).map((x) => x.id)).toContain(h.id);
    const theirs = await call('GET', 'hooks', undefined, {}, otherKey());
    expect((theirs.body.hooks as Row[]).map((x) => x.id)).not.toContain(h.id);
    expect((await call('GET', `hooks/${h.id}`, undefined, {}, otherKey())).status).toBe(404);
    expect(
      (await call('POST', 'hooks', { target_url: 'https://example.com/h', event: 'model.explode.Task' }))
        .status,
    ).toBe(400);
    const badWhere = await call('POST', 'hooks', {
      target_url: 'https://x.example',
      event: 'model.insert.Task',
      where: 'nope=1',
    });
    expect(badWhere.status).toBe(400);
    sim.store.update('hooks', h.id as number, { last_status_code: 500 });
    expect(
      (await call('PUT', `hooks/${h.id}`, { target_url: 'https://example.com/h2' })).obj.last_status_code,
    ).toBeNull();
  });
});

describe('task recurring profiles', () => {
  it('copy task data from task_id; otherwise need name and project_id', async () => {
    const t = one('tasks', (x) => (x.users as number[]).length > 0);
    const r = await call('POST', 'taskrecurringprofiles', {
      task_id: t.id,
      name: 'ignored',
      frequency: 'weekly',
      interval: 1,
      recurring_start_date: '2026-12-01',
    });
    expect(r.status).toBe(201);
    expect(r.obj).toMatchObject({
      name: t.name,
      project_id: t.project_id,
      tasklist_id: t.tasklist_id,
      users: t.users,
    });
    const bad = await call('POST', 'taskrecurringprofiles', {
      name: 'x',
      frequency: 'daily',
      interval: 1,
      recurring_start_date: '2026-12-01',
    });
    expect(bad.status).toBe(400);
  });
});
