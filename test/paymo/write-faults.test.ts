import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type WriteContext, WriteError } from '../../src/catalog/table-source.js';
import type { Row } from '../../src/catalog/types.js';
import { createEngine } from '../../src/engine.js';
import { createPaymoCatalog, type PaymoCatalog } from '../../src/paymo/catalog.js';
import { PaymoClient, type PaymoClientOptions } from '../../src/paymo/http-client.js';
import type { PaymoTable } from '../../src/paymo/paymo-table.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/index.js';
import type { Rec } from '../../src/simulator/types.js';
import { startFakePaymo } from './fake-paymo.js';

/** Paymo's failures of writes as SQLSTATEs, and the simulator's state after each (request counts). */
let sim: SimulatorHandle;
let client: PaymoClient;
let catalog: PaymoCatalog;
const clients: PaymoClient[] = [];

function newClient(extra: Partial<PaymoClientOptions> = {}): PaymoClient {
  const c = new PaymoClient({
    apiKey: sim.apiKey,
    baseUrl: sim.baseUrl,
    rateLimit: false,
    retryBaseMs: 5,
    ...extra,
  });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', rateLimit: null });
  client = newClient();
  catalog = createPaymoCatalog({ client });
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await sim.close();
});
beforeEach(() => {
  sim.faults.clear();
  sim.requestLog.reset();
});

const table = (name: string, c: PaymoCatalog = catalog): PaymoTable => c.paymoTables.get(name)!;
const wctx = (): WriteContext => ({ stats: { requests: 0, rowsFetched: 0, cacheHits: 0, retries: 0 } });
const vals = (o: Record<string, unknown>): Map<string, unknown> => new Map(Object.entries(o));
const all = (path: string, test: (r: Rec) => boolean = () => true): Rec[] =>
  [...sim.store.all(path)].filter(test);
const firstId = (path: string, test?: (r: Rec) => boolean): number => all(path, test)[0]!.id as number;
const col = (name: string, row: Row, column: string): unknown =>
  row[table(name).schema.findIndex((c) => c.name === column)];

/** The WriteError a write fails with. */
async function failure(p: Promise<unknown>): Promise<WriteError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e, 'the write fails').toBeInstanceOf(WriteError);
  return e as WriteError;
}

const clientFields = () => ({ name: `Fault Client ${Math.random()}` });
const countClients = (name: string) => all('clients', (c) => c.name === name).length;

describe('Paymo refusals (4xx) as SQLSTATEs, with Paymo’s message', () => {
  it('400 business rule → 23514; duplicate number → 23505; missing field → 23502; unknown parent → 23503', async () => {
    const inv = all('invoices', (i) => Number(i.total) > 0 && i.status !== 'void')[0]!;
    const e1 = await failure(
      table('invoice_payments').insert(vals({ invoice_id: inv.id, amount: 1e9 }), wctx()),
    );
    expect(e1.code).toBe('23514');
    expect(e1.message).toMatch(
      /Paymo refused the INSERT into invoice_payments \(POST \/api\/invoicepayments, HTTP 400\): "Payment amount/,
    );
    expect(e1.outcomeUnknown).toBe(false);
    const e2 = await failure(
      table('invoices').insert(
        vals({ client_id: inv.client_id, currency: 'EUR', number: inv.number }),
        wctx(),
      ),
    );
    expect(e2.code).toBe('23505');
    // Called directly (the engine would refuse first): Paymo's own required-field check.
    const e3 = await failure(
      table('workflow_statuses').insert(vals({ name: 'x', workflow_id: firstId('workflows') }), wctx()),
    );
    expect(e3.code).toBe('23502');
    expect(e3.message).toContain("Field 'color' is required");
    const e4 = await failure(table('tasks').insert(vals({ name: 'x', tasklist_id: 987654321 }), wctx()));
    expect(e4.code).toBe('23503');
    const used = all('workflows', (w) => all('projects', (p) => p.workflow_id === w.id).length > 0)[0]!;
    const e5 = await failure(table('workflows').delete([used.id], wctx()));
    expect(e5.code).toBe('23503');
    expect(e5.message).toMatch(/used by projects/);
    expect(sim.store.get('workflows', used.id)).toBeDefined();
  });

  it('404 on UPDATE / DELETE: the row no longer exists, named by id (40001)', async () => {
    const row = await table('clients').insert(vals(clientFields()), wctx());
    const id = col('clients', row, 'id');
    sim.store.remove('clients', id as number);
    const e = await failure(table('clients').update([id], vals({ city: 'x' }), wctx()));
    expect(e.code).toBe('40001');
    expect(e.message).toContain(
      `clients row id=${id} no longer exists in Paymo (PUT /api/clients/${id} answered 404)`,
    );
    const d = await failure(table('clients').delete([id], wctx()));
    expect(d.code).toBe('40001');
  });

  it('409 (a second running timer) → 23505 with Paymo’s message', async () => {
    const user = all('users', (u) => u.active !== false)[0]!;
    const active = new Set(all('projects', (p) => p.active !== false).map((p) => p.id));
    const task = all('tasks', (t) => active.has(t.project_id as number))[0]!;
    for (const e of all('entries', (x) => x.user_id === user.id && x.end_time === null))
      sim.store.remove('entries', e.id);
    // A running timer started outside SQL (start_time alone), then an entry re-opened by UPDATE.
    await client.create('entries', {
      task_id: task.id,
      user_id: user.id,
      start_time: '2024-05-01T08:00:00Z',
    });
    const t = table('time_entries');
    const row = await t.insert(
      vals({
        task_id: task.id,
        user_id: user.id,
        start_time: Date.parse('2024-05-01T06:00:00Z'),
        end_time: Date.parse('2024-05-01T07:00:00Z'),
      }),
      wctx(),
    );
    sim.requestLog.reset();
    const e = await failure(t.update([col('time_entries', row, 'id')], vals({ end_time: null }), wctx()));
    expect(e.code).toBe('23505');
    expect(e.message).toMatch(/HTTP 409\): "User \d+ already has a running timer/);
    expect(sim.requestLog.count()).toBe(1);
  });

  it('401 → 28000, 403 → 42501 (Paymo’s reason kept)', async () => {
    const bad = createPaymoCatalog({ client: newClient({ apiKey: 'not-a-key' }) });
    const e = await failure(table('clients', bad).insert(vals(clientFields()), wctx()));
    expect(e.code).toBe('28000');
    expect(e.message).not.toContain('not-a-key');
    const company = [...sim.store.all('company')][0]!;
    const type = company.account_type;
    sim.store.update('company', company.id, { account_type: 'free' });
    try {
      const f = await failure(table('workflows').insert(vals({ name: 'denied' }), wctx()));
      expect(f.code).toBe('42501');
      expect(f.message).toContain('Workflows are not available on free accounts');
    } finally {
      sim.store.update('company', company.id, { account_type: type });
    }
  });
});

describe('rate limits and connection faults', () => {
  it('429s are retried (nothing was applied); beyond the retries → 53400 with advice, nothing written', async () => {
    sim.faults.inject({ kind: '429', method: 'POST', path: '/api/clients', ms: 1000 });
    const fields = clientFields();
    const ctx = wctx();
    const row = await table('clients').insert(vals(fields), ctx);
    expect(col('clients', row, 'name')).toBe(fields.name);
    expect(sim.requestLog.count({ method: 'POST' })).toBe(2);
    expect(ctx.stats).toMatchObject({ requests: 1, retries: 1 });
    expect(countClients(fields.name)).toBe(1);

    const impatient = createPaymoCatalog({ client: newClient({ maxRetryAfterMs: 100 }) });
    sim.requestLog.reset();
    sim.faults.inject({ kind: '429', method: 'POST', path: '/api/clients', ms: 30_000 });
    const other = clientFields();
    const e = await failure(table('clients', impatient).insert(vals(other), wctx()));
    expect(e.code).toBe('53400');
    expect(e.message).toMatch(/nothing was changed.*retry after 30 s/);
    expect(e.outcomeUnknown).toBe(false);
    expect(countClients(other.name)).toBe(0);
  });

  it('5xx after sending a create: outcome unknown (08007), never retried, nothing claimed', async () => {
    sim.faults.inject({ kind: '5xx', method: 'POST', path: '/api/clients', status: 503 });
    const fields = clientFields();
    const e = await failure(table('clients').insert(vals(fields), wctx()));
    expect(e).toMatchObject({ code: '08007', outcomeUnknown: true });
    expect(e.message).toMatch(/outcome unknown.*check in Paymo whether the object exists/);
    expect(sim.requestLog.count({ method: 'POST' })).toBe(1);
    expect(countClients(fields.name)).toBe(0);
  });

  it('a connection dropped after Paymo committed: outcome unknown (08007), one POST, the row exists', async () => {
    sim.faults.inject({ kind: 'drop-after-commit', method: 'POST', path: '/api/clients' });
    const fields = clientFields();
    const e = await failure(table('clients').insert(vals(fields), wctx()));
    expect(e).toMatchObject({ code: '08007', outcomeUnknown: true });
    expect(sim.requestLog.count({ method: 'POST' })).toBe(1);
    expect(countClients(fields.name)).toBe(1);
    // An update or delete that lost its answer is unknown too.
    const id = firstId('clients', (c) => c.name === fields.name);
    sim.faults.inject({ kind: 'drop-after-commit', method: 'DELETE' });
    const d = await failure(table('clients').delete([id], wctx()));
    expect(d).toMatchObject({ code: '08007', outcomeUnknown: true });
    expect(sim.store.get('clients', id)).toBeUndefined();
  });

  it('an unreadable 2xx answer: an UPDATE is read back (applied), an INSERT is reported unknown', async () => {
    const row = await table('clients').insert(vals(clientFields()), wctx());
    const id = col('clients', row, 'id');
    sim.requestLog.reset();
    sim.faults.inject({ kind: 'malformed', method: 'PUT' });
    const ctx = wctx();
    const up = await table('clients').update([id], vals({ city: 'Wels' }), ctx);
    expect(col('clients', up, 'city')).toBe('Wels');
    expect(sim.requestLog.entries().map((e) => `${e.method} ${e.path}`)).toEqual([
      `PUT /api/clients/${id}`,
      `GET /api/clients/${id}`,
    ]);
    expect(ctx.stats.requests).toBe(2);
    sim.faults.inject({ kind: 'malformed', method: 'POST' });
    const fields = clientFields();
    const e = await failure(table('clients').insert(vals(fields), wctx()));
    expect(e).toMatchObject({ code: '08007', outcomeUnknown: true });
    expect(e.message).toMatch(/Paymo accepted the change/);
    expect(countClients(fields.name)).toBe(1);
  });

  it('no connection at all: 08006, nothing sent', async () => {
    const down = new PaymoClient({
      apiKey: 'k',
      baseUrl: 'http://127.0.0.1:9/api/',
      rateLimit: false,
      retryBaseMs: 1,
      maxRetries: 1,
    });
    clients.push(down);
    const e = await failure(
      table('clients', createPaymoCatalog({ client: down })).insert(vals(clientFields()), wctx()),
    );
    expect(e).toMatchObject({ code: '08006', outcomeUnknown: false });
  });
});

describe('cache invalidation after writes', () => {
  it('a cached read is fetched again after a write, in this catalog and in others over the same client', async () => {
    const a = createPaymoCatalog({ client, cacheTtlMs: 60_000 });
    const b = createPaymoCatalog({ client, cacheTtlMs: 60_000 });
    const ea = createEngine({ catalog: a });
    const eb = createEngine({ catalog: b });
    const id = firstId('clients');
    const q = `select city from clients where id = ${id}`;
    await ea.query(q);
    await eb.query(q);
    sim.requestLog.reset();
    await ea.query(q);
    await eb.query(q);
    expect(sim.requestLog.count(), 'both answered from their caches').toBe(0);
    await table('clients', a).update([id], vals({ city: 'Steyr' }), wctx());
    sim.requestLog.reset();
    expect((await ea.query(q)).rows).toEqual([['Steyr']]);
    expect((await eb.query(q)).rows).toEqual([['Steyr']]);
    expect(sim.requestLog.count({ method: 'GET' })).toBe(2);
  });

  it('a failed or unknown write invalidates too; cascades (a deleted project’s tasks) are never served stale', async () => {
    const a = createPaymoCatalog({ client, cacheTtlMs: 60_000 });
    const ea = createEngine({ catalog: a });
    const project = await table('projects', a).insert(
      vals({ name: 'Doomed', client_id: firstId('clients') }),
      wctx(),
    );
    const pid = col('projects', project, 'id');
    await table('tasks', a).insert(vals({ name: 'doomed task', project_id: pid }), wctx());
    const q = `select count(*) from tasks where project_id = ${pid}`;
    expect((await ea.query(q)).rows).toEqual([[1]]);
    await table('projects', a).delete([pid], wctx());
    expect((await ea.query(q)).rows).toEqual([[0]]);
    // An unknown outcome: the cache cannot know either way, so it forgets.
    await ea.query(q);
    sim.faults.inject({ kind: 'drop-after-commit', method: 'POST' });
    await failure(
      table('tasks', a).insert(
        vals({ name: 'x', project_id: firstId('projects', (p) => p.active !== false) }),
        wctx(),
      ),
    );
    sim.requestLog.reset();
    await ea.query(q);
    expect(sim.requestLog.count({ method: 'GET' })).toBe(1);
  });

  it('within one statement, a read after a write is not answered from the statement’s memo', async () => {
    const a = createPaymoCatalog({ client, cacheTtlMs: 0 });
    const ea = createEngine({ catalog: a });
    const id = firstId('clients');
    const q = `select city from clients where id = ${id}`;
    const seen = await a.statement(async () => {
      const before = await ea.query(q);
      await table('clients', a).update([id], vals({ city: 'Enns' }), wctx());
      const after = await ea.query(q);
      return [before.rows[0]![0], after.rows[0]![0]];
    });
    expect(seen[1]).toBe('Enns');
    expect(seen[0]).not.toBe('Enns');
  });
});

describe('rows Paymo’s answer does not complete', () => {
  it('a report created without its content is read back by id (one more request); a failed read is unknown', async () => {
    const report = {
      id: 7,
      name: null,
      user_id: 1,
      type: 'live',
      date_interval: 'today',
      permalink: 'p',
      info: {},
    };
    let failRead = false;
    const fake = await startFakePaymo((r) => {
      if (r.method === 'POST') return { status: 201, json: { reports: [report] } };
      if (failRead) return { status: 404, json: { message: 'gone' } };
      return { json: { reports: [{ ...report, content: { items: [{ type: 'total', time: 0 }] } }] } };
    });
    try {
      const c = newClient({ baseUrl: fake.baseUrl, maxRetries: 0 });
      const t = table('reports', createPaymoCatalog({ client: c }));
      expect(t.describeWrite('insert', ['type'])).toContain(
        "GET /api/reports/{id} (per row, only when Paymo's answer lacks content)",
      );
      const ctx = wctx();
      const row = await t.insert(vals({ type: 'live', date_interval: 'today' }), ctx);
      expect(col('reports', row, 'content')).toEqual({ items: [{ type: 'total', time: 0 }] });
      expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        'POST /api/reports',
        'GET /api/reports/7',
      ]);
      expect(ctx.stats.requests).toBe(2);
      failRead = true;
      const e = await failure(t.insert(vals({ type: 'live', date_interval: 'today' }), wctx()));
      expect(e).toMatchObject({ code: '08007', outcomeUnknown: true });
      expect(e.message).toMatch(/row id=7 was applied by Paymo, but reading reports 7/);
    } finally {
      await fake.close();
    }
  });
});
