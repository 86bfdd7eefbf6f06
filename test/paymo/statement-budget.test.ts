import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine.js';
import { SqlError } from '../../src/errors.js';
import { ResponseCache, StatementScope } from '../../src/paymo/cache.js';
import type { PaymoClient } from '../../src/paymo/http-client.js';
import { createPaymoSession, type PaymoSessionEngines } from '../../src/paymo-session.js';
import type { SessionSettings } from '../../src/session.js';
import type { SimulatorHandle } from '../../src/simulator/index.js';
import { startSimulatedPaymo } from '../support/demo-paymo.js';

/** `paymo.max_requests` holds for a whole statement: every scan's requests count, cache hits do not. */
describe('the request budget per statement (requests as logged by the simulator)', () => {
  let sim: SimulatorHandle;
  let client: PaymoClient;
  let close: () => Promise<void>;
  const paths = (): string[] => sim.requestLog.entries().map((e) => e.path);
  const settings = (maxRequests: number, cacheTtl = '0'): SessionSettings => {
    const values: Record<string, string> = {
      'paymo.cache_ttl': cacheTtl,
      'paymo.pushdown': 'on',
      'paymo.max_requests': String(maxRequests),
    };
    return { get: (name: string) => values[name] ?? '' };
  };
  const refusal = async (engine: Engine, sql: string): Promise<SqlError> => {
    const err = await engine.query(sql).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqlError);
    return err as SqlError;
  };

  // Three scans of one request each: each alone is within a budget of 2, together they are not.
  const UNION =
    'select name from clients union all select name from projects union all select name from users';
  // Clients, then the projects of each client: the subquery runs once per client, so only the run
  // can tell how many requests it makes.
  const CORRELATED =
    'select c.name, (select max(p.name) from projects p where p.client_id = c.id and p.name <> c.name) as n from clients c order by c.id';

  let clients: number;
  beforeAll(async () => {
    ({ sim, client, close } = await startSimulatedPaymo({ scale: 'tiny' }));
    const r = await createPaymoSession(client)
      .engineFor(settings(1000))
      .query('select count(*) from clients');
    clients = Number(r.rows[0]![0]);
    expect(clients).toBeGreaterThan(1);
  });
  afterAll(() => close());
  beforeEach(() => sim.requestLog.reset());

  it('refuses a UNION whose scans together exceed the budget before any request', async () => {
    const err = await refusal(createPaymoSession(client).engineFor(settings(2)), UNION);
    expect(err.code).toBe('53400');
    expect(err.message).toBe(
      'this statement would need about 3 Paymo API requests (clients 1, projects 1, users 1), above the budget of 2 per statement',
    );
    expect(err.hint).toMatch(/SET paymo\.max_requests = 3/);
    expect(paths()).toEqual([]);
  });

  it('runs the same UNION at exactly the budget', async () => {
    const r = await createPaymoSession(client).engineFor(settings(3)).query(UNION);
    expect(r.rowCount).toBeGreaterThan(0);
    expect(paths().sort()).toEqual(['/api/clients', '/api/projects', '/api/users']);
  });

  it('counts both sides of a join with join keys, and EXPLAIN shows the refusal as a note', async () => {
    const sql = `select t.name, e.id from tasks t join time_entries e on e.task_id = t.id
                 where t.complete = false`;
    const session = createPaymoSession(client);
    const err = await refusal(session.engineFor(settings(1)), sql);
    expect(err.message).toMatch(
      /^this statement would need about 2 Paymo API requests \(tasks 1, time_entries 1\)/,
    );
    const text = await session.engineFor(settings(1)).explain(sql);
    expect(text).toMatch(/Estimated requests: 2\nNote: refused when run: this statement would need about 2/);
    expect(paths()).toEqual([]);
    await session.engineFor(settings(2)).query(sql);
    expect(paths()).toEqual(['/api/tasks', '/api/entries']);
  });

  it('counts a scan asking for the same requests as another once (the statement answers it)', async () => {
    const sql = 'select count(*) from (select id from clients union all select id from clients) x';
    const r = await createPaymoSession(client).engineFor(settings(1)).query(sql);
    expect(r.rows).toEqual([[2 * clients]]);
    expect(paths()).toEqual(['/api/clients']);
  });

  it('counts a read by a value computed before the scan as that read, each such value apart', async () => {
    // Each side: the projects list, then one client by the id it gives; the two ids may differ, so
    // the two reads by id count twice (the projects lists, the same requests, once): 3.
    const one = '(select id from clients where id = (select max(client_id) from projects))';
    const two = '(select id from clients where id = (select min(client_id) from projects))';
    const sql = `select id from ${one} a union all select id from ${two} b`;
    const err = await refusal(createPaymoSession(client).engineFor(settings(2)), sql);
    expect(err.message).toMatch(/would need about 3 Paymo API requests \(clients 2, projects 1\)/);
    expect(paths()).toEqual([]);
    const r = await createPaymoSession(client).engineFor(settings(3)).query(sql);
    expect(r.rowCount).toBe(2);
    expect(paths().filter((p) => p.startsWith('/api/clients/'))).toHaveLength(2);
  });

  it('stops a statement at run time once its running total would pass the budget', async () => {
    // 1 request for clients + 1 per client: each scan alone stays within `clients`, the statement does not.
    const session = createPaymoSession(client);
    const err = await refusal(session.engineFor(settings(clients)), CORRELATED);
    expect(err.code).toBe('53400');
    expect(err.message).toBe(
      `this statement would need at least ${clients + 1} Paymo API requests (${clients} made, reading "projects" needs 1 more), above the budget of ${clients} per statement`,
    );
    expect(err.hint).toMatch(/SET paymo\.max_requests/);
    expect(paths()).toHaveLength(clients);
    sim.requestLog.reset();
    const r = await session.engineFor(settings(clients + 1)).query(CORRELATED);
    expect(r.rowCount).toBe(clients);
    expect(paths()).toHaveLength(clients + 1);
  });

  it('does not count answers from the cache', async () => {
    const session: PaymoSessionEngines = createPaymoSession(client);
    await session.engineFor(settings(1000, '60s')).query(CORRELATED);
    expect(paths()).toHaveLength(clients + 1);
    sim.requestLog.reset();
    // Every request is cached: a budget of 1 is enough for the same statement again.
    const r = await session.engineFor(settings(1, '60s')).query(CORRELATED);
    expect(r.rowCount).toBe(clients);
    expect(paths()).toEqual([]);
  });

  it('leaves requests the cache answers out of the plan-time count', async () => {
    const session = createPaymoSession(client);
    await session.engineFor(settings(1000, '60s')).query('select count(*) from clients');
    sim.requestLog.reset();
    // clients is cached: projects and users make 2 requests, within a budget of 2.
    const r = await session.engineFor(settings(2, '60s')).query(UNION);
    expect(r.rowCount).toBeGreaterThan(0);
    expect(paths().sort()).toEqual(['/api/projects', '/api/users']);
    sim.requestLog.reset();
    // The cache is cold for a new session over the same client: refused as before.
    const err = await refusal(createPaymoSession(client).engineFor(settings(2, '60s')), UNION);
    expect(err.message).toMatch(/would need about 3 Paymo API requests/);
    expect(paths()).toEqual([]);
  });

  it('counts the reads of a write (its per-row writes are capped by paymo.max_write_rows)', async () => {
    const session = createPaymoSession(client);
    const sql = `update tasks set complete = true where project_id in (select id from projects where name = 'none')`;
    const err = await refusal(session.engineFor(settings(1)), sql);
    expect(err.code).toBe('53400');
    expect(err.message).toMatch(/^this statement would need about \d+ Paymo API requests \(/);
    const text = await session.engineFor(settings(1)).explain(sql);
    expect(text).toContain(`note: refused when run: ${err.message}`);
    expect(paths()).toEqual([]);
  });

  it('counts a write’s reads even where the cache holds them: a write reads fresh', async () => {
    const session = createPaymoSession(client);
    await session.engineFor(settings(1000, '60s')).query("select id from projects where name = 'none'");
    sim.requestLog.reset();
    const sql = `update tasks set complete = true where project_id in (select id from projects where name = 'none')`;
    const err = await refusal(session.engineFor(settings(1, '60s')), sql);
    expect(err.message).toMatch(
      /^this statement would need about 2 Paymo API requests \(tasks 1, projects 1\)/,
    );
    expect(paths()).toEqual([]);
  });

  it('does not count a write’s own requests: one read within a budget of 1, then a PUT per row', async () => {
    const session = createPaymoSession(client);
    const top = await session
      .engineFor(settings(1000))
      .query('select project_id, count(*) from tasks group by 1 order by 2 desc limit 1');
    const [project, n] = top.rows[0]!.map(Number) as [number, number];
    expect(n).toBeGreaterThan(1);
    sim.requestLog.reset();
    const r = await session
      .engineFor(settings(1))
      .query(`update tasks set description = 'checked' where project_id = ${project}`);
    expect(r.rowCount).toBe(n);
    const log = sim.requestLog.entries().map((e) => e.method);
    expect(log.filter((m) => m === 'GET')).toHaveLength(1);
    expect(log.filter((m) => m === 'PUT')).toHaveLength(n);
  });
});

describe('ResponseCache.has', () => {
  it('tells whether get() would answer without a request: fresh entries, in flight, or the statement memo', async () => {
    let now = 0;
    const cache = new ResponseCache({ ttlMs: 1000, now: () => now });
    expect(cache.has('GET /a')).toBe(false);
    let release: (v: number) => void = () => {};
    const pending = cache.get('GET /a', () => new Promise<number>((r) => (release = r)));
    expect(cache.has('GET /a')).toBe(true);
    release(1);
    await pending;
    expect(cache.has('GET /a')).toBe(true);
    now = 1001;
    expect(cache.has('GET /a')).toBe(false);
    const scope = new StatementScope();
    const zero = new ResponseCache({ ttlMs: 0 });
    await zero.inStatement(async () => {
      await zero.get('GET /b', async () => 2);
      expect(zero.has('GET /b')).toBe(true);
    }, scope);
    expect(zero.has('GET /b')).toBe(false);
  });
});
