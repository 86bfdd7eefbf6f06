import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { ResponseCache, StatementScope } from '../../src/paymo/cache.js';
import { PaymoClient } from '../../src/paymo/http-client.js';
import { createPaymoSession } from '../../src/paymo-session.js';
import type { SessionSettings } from '../../src/session.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/index.js';

/** No request twice within one statement, whatever `paymo.cache_ttl` says. */
describe('statement scopes (requests as logged by the simulator)', () => {
  let sim: SimulatorHandle;
  let client: PaymoClient;
  const paths = (): string[] =>
    sim.requestLog.entries().map((e) => `${e.path}${e.query.where ? `?${e.query.where}` : ''}`);
  const settings = (pushdown = 'on'): SessionSettings => {
    const values: Record<string, string> = {
      'paymo.cache_ttl': '0',
      'paymo.pushdown': pushdown,
      'paymo.max_requests': '1000',
    };
    return { get: (name: string) => values[name] ?? '' };
  };

  // The outer scan and the scalar subquery's scan ask for the same page, one after the other.
  const SUBQUERY =
    'select name from projects where coalesce(budget_hours, 0) >= (select avg(coalesce(budget_hours, 0)) from projects) order by name';

  beforeAll(async () => {
    sim = await startSimulator({ scale: 'tiny', rateLimit: null });
    client = new PaymoClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl, rateLimit: false, retryBaseMs: 5 });
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });
  beforeEach(() => sim.requestLog.reset());

  it('without a scope and with TTL 0 the same page is read twice (the gap)', async () => {
    const paymo = createPaymoSession(client, { cacheTtlMs: 0 });
    const bare = createEngine({ catalog: paymo.catalog });
    await bare.query(SUBQUERY);
    expect(paths()).toEqual(['/api/projects', '/api/projects']);
  });

  it('a scalar subquery over the same table reads it once, with the same rows as pushdown off', async () => {
    const paymo = createPaymoSession(client);
    const on = await paymo.engineFor(settings('on')).query(SUBQUERY);
    expect(paths()).toEqual(['/api/projects']);
    sim.requestLog.reset();
    const off = await paymo.engineFor(settings('off')).query(SUBQUERY);
    expect(paths()).toEqual(['/api/projects']);
    expect(on.rows).toEqual(off.rows);
    expect(on.rows.length).toBeGreaterThan(0);
  });

  it('a self-join reads each page once', async () => {
    const paymo = createPaymoSession(client);
    const sql = `select a.name, b.name from clients a join clients b on a.id < b.id
                 where a.active and b.active order by 1, 2`;
    const on = await paymo.engineFor(settings('on')).query(sql);
    expect(paths()).toEqual(['/api/clients?active=true']);
    sim.requestLog.reset();
    const off = await paymo.engineFor(settings('off')).query(sql);
    expect(paths()).toEqual(['/api/clients']);
    expect(on.rows).toEqual(off.rows);
  });

  it('a correlated subquery asks each distinct request once', async () => {
    const paymo = createPaymoSession(client);
    // Every task of a project asks for its project's row: one read per distinct project at most.
    const sql = `select t.id, (select p.name from projects p where p.id = t.project_id) as project
                 from tasks t where t.complete = false order by t.id`;
    const on = await paymo.engineFor(settings('on')).query(sql);
    const made = paths();
    expect(new Set(made).size).toBe(made.length);
    sim.requestLog.reset();
    const off = await paymo.engineFor(settings('off')).query(sql);
    expect(on.rows).toEqual(off.rows);
  });

  it('statements do not share answers when the TTL is 0', async () => {
    const paymo = createPaymoSession(client);
    const engine = paymo.engineFor(settings());
    await engine.query('select count(*) from clients');
    await engine.query('select count(*) from clients');
    expect(paths()).toEqual(['/api/clients', '/api/clients']);
  });

  it('a stream keeps its scope across steps and drops it when closed early', async () => {
    const paymo = createPaymoSession(client);
    const engine = paymo.engineFor(settings());
    const s = await engine.stream(SUBQUERY);
    const rows: unknown[][] = [];
    for await (const batch of s) rows.push(...batch);
    expect(paths()).toEqual(['/api/projects']);
    expect(rows.length).toBeGreaterThan(0);

    sim.requestLog.reset();
    const early = await engine.stream('select id from clients');
    for await (const _ of early) break;
    expect(paths()).toEqual(['/api/clients']);
    sim.requestLog.reset();
    // A new statement after the abandoned one asks again (TTL 0): nothing leaked between them.
    await engine.query('select id from clients');
    expect(paths()).toEqual(['/api/clients']);
  });

  it('a scope is per async context: side-by-side statements keep separate memos', async () => {
    const cache = new ResponseCache({ ttlMs: 0 });
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return loads;
    };
    const a = new StatementScope();
    const b = new StatementScope();
    await cache.inStatement(() => cache.get('k', load), a);
    await cache.inStatement(() => cache.get('k', load), a);
    await cache.inStatement(() => cache.get('k', load), b);
    expect(loads).toBe(2);
    expect(a.size).toBe(1);
    a.close();
    expect(a.size).toBe(0);
    await cache.inStatement(() => cache.get('k', load), a);
    expect(loads).toBe(3);
    // A write in the statement forgets what it changes.
    await cache.inStatement(async () => {
      cache.invalidate('k');
      await cache.get('k', load);
    }, b);
    expect(loads).toBe(4);
  });

  it('never keeps a failed answer', async () => {
    const cache = new ResponseCache({ ttlMs: 0 });
    const scope = new StatementScope();
    let n = 0;
    const fail = async (): Promise<number> => {
      n++;
      throw new Error('boom');
    };
    await expect(cache.inStatement(() => cache.get('x', fail), scope)).rejects.toThrow('boom');
    await expect(cache.inStatement(() => cache.get('x', fail), scope)).rejects.toThrow('boom');
    expect(n).toBe(2);
  });
});
