import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/index.js';
import { type Row, simCall } from './sim-http.js';

const call = simCall;

const rows = (body: Record<string, unknown>, key: string) => body[key] as Row[];

describe('simulator HTTP protocol', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => {
    sim = await startSimulator({ scale: 'tiny', rateLimit: null, apiKey: 'TESTKEY' });
  });
  afterAll(() => sim.close());
  afterEach(() => sim.faults.clear());

  describe('authentication', () => {
    it('refuses a request without credentials with 401 and a message', async () => {
      const r = await call(sim, 'GET', 'projects', { key: null });
      expect(r.status).toBe(401);
      expect(r.body.message).toMatch(/API key/);
      expect(r.headers.get('www-authenticate')).toMatch(/Basic/);
    });
    it('refuses an unknown key', async () => {
      const r = await call(sim, 'GET', 'projects', { key: 'nope' });
      expect(r.status).toBe(401);
    });
    it('accepts the key as user name with any password', async () => {
      const res = await fetch(new URL('projects', sim.baseUrl), {
        headers: { authorization: `Basic ${Buffer.from('TESTKEY:whatever').toString('base64')}` },
      });
      expect(res.status).toBe(200);
    });
    it('serves several keys, each as its own user (/api/me)', async () => {
      expect(sim.apiKeys.length).toBeGreaterThanOrEqual(2);
      const seen = new Set<unknown>();
      for (const { key, userId } of sim.apiKeys.slice(0, 3)) {
        const r = await call(sim, 'GET', 'me', { key });
        expect(r.status).toBe(200);
        const me = rows(r.body, 'users');
        expect(me).toHaveLength(1);
        expect(me[0].id).toBe(userId);
        seen.add(me[0].id);
      }
      expect(seen.size).toBeGreaterThanOrEqual(2);
    });
    it('authenticates with an X-Session token from POST /api/sessions', async () => {
      const created = await call(sim, 'POST', 'sessions', { body: {} });
      expect(created.status).toBe(201);
      const token = rows(created.body, 'sessions')[0].id as string;
      expect(token).toMatch(/^[0-9a-f]{32}$/);
      const r = await call(sim, 'GET', 'me', { key: null, headers: { 'x-session': token } });
      expect(r.status).toBe(200);
      const bad = await call(sim, 'GET', 'me', { key: null, headers: { 'x-session': 'f'.repeat(32) } });
      expect(bad.status).toBe(401);
    });
  });

  describe('envelopes and status codes', () => {
    it('lists under the collection key, reads one as a one-element array', async () => {
      const list = await call(sim, 'GET', 'projects');
      const projects = rows(list.body, 'projects');
      expect(projects.length).toBeGreaterThan(0);
      const one = await call(sim, 'GET', `projects/${projects[0].id}`);
      expect(one.status).toBe(200);
      expect(rows(one.body, 'projects')).toEqual([projects[0]]);
    });
    it('uses project_templates as the key of /api/projecttemplates', async () => {
      const r = await call(sim, 'GET', 'projecttemplates');
      expect(r.status).toBe(200);
      expect(Object.keys(r.body)).toEqual(['project_templates']);
    });
    it('answers the company as a bare object', async () => {
      const r = await call(sim, 'GET', 'company');
      expect(r.status).toBe(200);
      expect(Array.isArray(r.body.company)).toBe(false);
      expect((r.body.company as Row).name).toBeTypeOf('string');
    });
    it('answers 404 for unknown resources and ids, 405 for unsupported verbs', async () => {
      expect((await call(sim, 'GET', 'nosuchthing')).status).toBe(404);
      const missing = await call(sim, 'GET', 'projects/99999999');
      expect(missing.status).toBe(404);
      expect(missing.body.message).toMatch(/not found/);
      expect((await call(sim, 'DELETE', 'company')).status).toBe(405);
      expect((await call(sim, 'POST', 'me', { body: {} })).status).toBe(405);
    });
    it('answers 201 with a Location header on create, then the object is readable', async () => {
      const r = await call(sim, 'POST', 'clients', { body: { name: 'Łódź "Quoted" Ltd' } });
      expect(r.status).toBe(201);
      const c = rows(r.body, 'clients')[0];
      expect(r.headers.get('location')).toBe(`${sim.baseUrl}clients/${c.id}`);
      expect(c.name).toBe('Łódź "Quoted" Ltd');
      const back = await call(sim, 'GET', `clients/${c.id}`);
      expect(rows(back.body, 'clients')[0].name).toBe('Łódź "Quoted" Ltd');
    });
    it('refuses malformed JSON bodies with 400', async () => {
      const res = await fetch(new URL('clients', sim.baseUrl), {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from('TESTKEY:x').toString('base64')}`,
          'content-type': 'application/json',
        },
        body: '{"name": ',
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as Row).message).toMatch(/Malformed JSON/);
    });
    it('gzips large responses when asked', async () => {
      const { request } = await import('undici');
      const res = await request(new URL('projects', sim.baseUrl), {
        headers: {
          authorization: `Basic ${Buffer.from('TESTKEY:x').toString('base64')}`,
          'accept-encoding': 'gzip',
        },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-encoding']).toBe('gzip');
      const { gunzipSync } = await import('node:zlib');
      const body = JSON.parse(gunzipSync(Buffer.from(await res.body.arrayBuffer())).toString('utf8'));
      expect(Array.isArray(body.projects)).toBe(true);
    });
  });

  describe('read-one-only fields and body aliases', () => {
    it('leaves report content out of lists and puts it in read-one responses', async () => {
      const list = rows((await call(sim, 'GET', 'reports')).body, 'reports');
      expect(list.length).toBeGreaterThan(0);
      for (const r of list) expect(r).not.toHaveProperty('content');
      const one = rows((await call(sim, 'GET', `reports/${list[0].id}`)).body, 'reports')[0];
      expect(one.content).toHaveProperty('items');
    });
    it("accepts a payment's 'note' as the documented 'notes'", async () => {
      const inv = [...sim.store.all('invoices')].find((i) => (i.total as number) > 1 && i.status !== 'paid');
      expect(inv).toBeDefined();
      const r = await call(sim, 'POST', 'invoicepayments', {
        body: { invoice_id: inv!.id, amount: 1, note: 'paid by ☕ "cheque"' },
      });
      expect(r.status).toBe(201);
      expect(rows(r.body, 'invoicepayments')[0].notes).toBe('paid by ☕ "cheque"');
    });
  });

  describe('where, required filters and paging', () => {
    it('answers 400 naming the accepted filters when /api/entries has none', async () => {
      const r = await call(sim, 'GET', 'entries');
      expect(r.status).toBe(400);
      for (const f of ['task_id', 'project_id', 'user_id', 'client_id', 'time_interval']) {
        expect(r.body.message).toContain(f);
      }
    });
    it('accepts entries with a project filter and returns only that project', async () => {
      const projects = rows((await call(sim, 'GET', 'projects')).body, 'projects');
      const withEntries = [];
      for (const p of projects) {
        const r = await call(sim, 'GET', `entries?where=${encodeURIComponent(`project_id=${p.id}`)}`);
        expect(r.status).toBe(200);
        const entries = rows(r.body, 'entries');
        for (const e of entries) expect(e.project_id).toBe(p.id);
        if (entries.length > 0) withEntries.push(p.id);
      }
      expect(withEntries.length).toBeGreaterThan(0);
    });
    it('requires filters on bookings, userstasks, files, threads and comments', async () => {
      for (const path of ['bookings', 'userstasks', 'files', 'threads', 'comments']) {
        const r = await call(sim, 'GET', path);
        expect(r.status, path).toBe(400);
        expect(r.body.message, path).toMatch(/^Listing [a-z]+ needs a filter on one of: /);
      }
    });
    it('refuses a malformed where and an unknown field with 400', async () => {
      const bad = await call(sim, 'GET', `projects?where=${encodeURIComponent('name="unterminated')}`);
      expect(bad.status).toBe(400);
      const unknown = await call(sim, 'GET', `projects?where=${encodeURIComponent('nosuchfield=1')}`);
      expect(unknown.status).toBe(400);
      expect(unknown.body.message).toContain('nosuchfield');
    });
    it('pages with page/page_size in ascending id order, ending with a short page', async () => {
      const all = rows((await call(sim, 'GET', 'tasks')).body, 'tasks');
      expect(all.length).toBeGreaterThan(5);
      const ids = all.map((t) => t.id as number);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      const paged: unknown[] = [];
      for (let p = 0; ; p++) {
        const page = rows((await call(sim, 'GET', `tasks?page=${p}&page_size=4`)).body, 'tasks');
        paged.push(...page.map((t) => t.id));
        if (page.length < 4) break;
      }
      expect(paged).toEqual(ids);
      expect((await call(sim, 'GET', 'tasks?page_size=0')).status).toBe(400);
    });
  });

  describe('includes', () => {
    it('embeds a parent object and child arrays', async () => {
      const r = await call(sim, 'GET', 'projects?include=client,tasklists');
      expect(r.status).toBe(200);
      for (const p of rows(r.body, 'projects')) {
        expect(p.client === null || (p.client as Row).id === p.client_id).toBe(true);
        expect(Array.isArray(p.tasklists)).toBe(true);
        for (const tl of p.tasklists as Row[]) expect(tl.project_id).toBe(p.id);
      }
    });
    it('nests includes and selects fields (project.name gives only name)', async () => {
      const r = await call(sim, 'GET', 'tasks?include=project.name,thread.comments');
      expect(r.status).toBe(200);
      const tasks = rows(r.body, 'tasks');
      expect(Object.keys(tasks[0].project as Row)).toEqual(['name']);
      const withThread = tasks.filter((t) => t.thread !== null);
      expect(withThread.length).toBeGreaterThan(0);
      for (const t of withThread) {
        const thread = t.thread as Row;
        expect(thread.task_id).toBe(t.id);
        for (const c of thread.comments as Row[]) expect(c.thread_id).toBe(thread.id);
      }
    });
    it('restricts the main object to named attributes plus id', async () => {
      const r = await call(sim, 'GET', 'clients?include=name');
      for (const c of rows(r.body, 'clients')) expect(Object.keys(c).sort()).toEqual(['id', 'name']);
    });
    it('filters included children with a dotted where condition', async () => {
      const r = await call(
        sim,
        'GET',
        `projects?include=tasks&where=${encodeURIComponent('tasks.complete=false')}`,
      );
      expect(r.status).toBe(200);
      const tasks = rows(r.body, 'projects').flatMap((p) => p.tasks as Row[]);
      expect(tasks.length).toBeGreaterThan(0);
      for (const t of tasks) expect(t.complete).toBe(false);
    });
    it('refuses an unknown include key with 400', async () => {
      const r = await call(sim, 'GET', 'projects?include=nosuchinclude');
      expect(r.status).toBe(400);
      expect(r.body.message).toContain('nosuchinclude');
    });
  });

  describe('request log', () => {
    it('counts requests by method, path and status, and resets', async () => {
      sim.requestLog.reset();
      await call(sim, 'GET', 'clients');
      await call(sim, 'GET', 'entries');
      await call(sim, 'GET', `projects?where=${encodeURIComponent('active=true')}`);
      expect(sim.requestLog.count()).toBe(3);
      expect(sim.requestLog.count({ path: '/api/entries', status: 400 })).toBe(1);
      const last = sim.requestLog.entries().at(-1)!;
      expect(last.query.where).toBe('active=true');
      expect(last.userId).toBeTypeOf('number');
      const c = sim.requestLog.counters();
      expect(c.byMethod.GET).toBe(3);
      expect(c.byStatus['200']).toBe(2);
      expect(JSON.stringify(sim.requestLog.entries())).not.toContain('TESTKEY');
      sim.requestLog.reset();
      expect(sim.requestLog.count()).toBe(0);
    });

    it('keeps the body a write sent, and none for reads', async () => {
      sim.requestLog.reset();
      await call(sim, 'POST', 'clients', { body: { name: 'Logged body' } });
      await call(sim, 'GET', 'clients');
      const [post, get] = sim.requestLog.entries();
      expect(post!.body).toBe('{"name":"Logged body"}');
      expect(get!.body).toBeUndefined();
      sim.requestLog.reset();
    });
  });

  describe('faults', () => {
    it('429: answers with Retry-After and changes nothing; skip lets matching requests through first', async () => {
      sim.faults.inject({ kind: '429', method: 'POST', path: '/api/clients', skip: 2, ms: 2000 });
      const before = sim.store.count('clients');
      expect((await call(sim, 'POST', 'clients', { body: { name: 'a' } })).status).toBe(201);
      expect((await call(sim, 'GET', 'clients')).status).toBe(200);
      expect((await call(sim, 'POST', 'clients', { body: { name: 'b' } })).status).toBe(201);
      const r = await call(sim, 'POST', 'clients', { body: { name: 'c' } });
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('2');
      expect(sim.store.count('clients')).toBe(before + 2);
      expect((await call(sim, 'POST', 'clients', { body: { name: 'd' } })).status).toBe(201);
    });

    it('5xx: answers the scripted status once and changes nothing', async () => {
      sim.faults.inject({ kind: '5xx', status: 503, method: 'POST', path: '/api/clients' });
      const before = sim.store.count('clients');
      const r = await call(sim, 'POST', 'clients', { body: { name: 'x' } });
      expect(r.status).toBe(503);
      expect(sim.store.count('clients')).toBe(before);
      expect((await call(sim, 'POST', 'clients', { body: { name: 'y' } })).status).toBe(201);
    });
    it('latency: delays the response', async () => {
      sim.faults.inject({ kind: 'latency', ms: 300 });
      const t = Date.now();
      expect((await call(sim, 'GET', 'clients')).status).toBe(200);
      expect(Date.now() - t).toBeGreaterThanOrEqual(280);
    });
    it('drop: closes the connection before processing; nothing is written', async () => {
      sim.faults.inject({ kind: 'drop', method: 'POST' });
      const before = sim.store.count('clients');
      await expect(call(sim, 'POST', 'clients', { body: { name: 'dropped' } })).rejects.toThrow();
      expect(sim.store.count('clients')).toBe(before);
    });
    it('drop-after-commit: the write happens but no answer arrives', async () => {
      sim.faults.inject({ kind: 'drop-after-commit', method: 'POST' });
      const before = sim.store.count('clients');
      await expect(call(sim, 'POST', 'clients', { body: { name: 'ghost write' } })).rejects.toThrow();
      expect(sim.store.count('clients')).toBe(before + 1);
      expect([...sim.store.all('clients')].some((c) => c.name === 'ghost write')).toBe(true);
    });
    it('malformed: answers 200 with a cut JSON body', async () => {
      sim.faults.inject({ kind: 'malformed' });
      const r = await call(sim, 'GET', 'clients');
      expect(r.status).toBe(200);
      expect(() => JSON.parse(r.text)).toThrow();
    });
    it('truncate-includes: included collections come back cut short', async () => {
      const full = rows((await call(sim, 'GET', 'projects?include=tasks')).body, 'projects');
      const biggest = Math.max(...full.map((p) => (p.tasks as Row[]).length));
      expect(biggest).toBeGreaterThan(1);
      sim.faults.inject({ kind: 'truncate-includes' });
      const cut = rows((await call(sim, 'GET', 'projects?include=tasks')).body, 'projects');
      expect(Math.max(...cut.map((p) => (p.tasks as Row[]).length))).toBeLessThan(biggest);
    });
    it('random faults are deterministic for a seed', async () => {
      const statuses = async () => {
        sim.faults.configure({ seed: 42, rates: { '5xx': 0.3 } });
        const out: number[] = [];
        for (let i = 0; i < 20; i++) out.push((await call(sim, 'GET', 'clients')).status);
        return out;
      };
      const a = await statuses();
      const b = await statuses();
      expect(a).toEqual(b);
      expect(a.filter((s) => s >= 500).length).toBeGreaterThan(0);
      expect(a.filter((s) => s === 200).length).toBeGreaterThan(0);
    });
  });
});

describe('simulator rate limit', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => {
    sim = await startSimulator({ scale: 'tiny', apiKey: 'K' });
  });
  afterAll(() => sim.close());

  it('gives exactly one 429 with Retry-After for 6 quick requests at 5 per 5 s', async () => {
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await call(sim, 'GET', 'clients', { key: 'K' }));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(results.map((r) => r.headers.get('x-ratelimit-remaining'))).toEqual([
      '4',
      '3',
      '2',
      '1',
      '0',
      '0',
    ]);
    for (const r of results) {
      expect(r.headers.get('x-ratelimit-limit')).toBe('5');
      expect(r.headers.get('x-ratelimit-decay-period')).toBe('5');
    }
    const retry = Number(results[5].headers.get('retry-after'));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(5);
    expect(results[5].body.message).toMatch(/Rate limit/);
  });
  it('keeps a separate window per key', async () => {
    const other = sim.apiKeys.find((k) => k.key !== 'K')!.key;
    expect((await call(sim, 'GET', 'clients', { key: other })).status).toBe(200);
  });
  it('opens a fresh window after reset', async () => {
    sim.resetRateLimit();
    expect((await call(sim, 'GET', 'clients', { key: 'K' })).status).toBe(200);
  });
});

describe('include cap', () => {
  it('cuts included collections at the cap per type per response, silently', async () => {
    const sim = await startSimulator({ scale: 'tiny', rateLimit: null, includeCap: 3 });
    try {
      const r = await call(sim, 'GET', 'projects?include=tasks');
      expect(r.status).toBe(200);
      const total = rows(r.body, 'projects').reduce((n, p) => n + (p.tasks as Row[]).length, 0);
      expect(total).toBe(3);
    } finally {
      await sim.close();
    }
  });
});
