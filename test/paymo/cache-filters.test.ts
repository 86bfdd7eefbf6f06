import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { ResponseCache } from '../../src/paymo/cache.js';
import { createPaymoCatalog } from '../../src/paymo/catalog.js';
import { type PushTarget, planWhere, supportOf } from '../../src/paymo/filters.js';
import { PaymoClient } from '../../src/paymo/http-client.js';
import { defaultFilters } from '../../src/paymo/specs/columns.js';
import type { Expr } from '../../src/plan/expr.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/index.js';

describe('ResponseCache', () => {
  it('shares in-flight requests, expires after the TTL, never caches failures, invalidates by resource', async () => {
    let now = 0;
    const cache = new ResponseCache({ ttlMs: 100, now: () => now });
    let loads = 0;
    const load = async () => {
      loads++;
      return loads;
    };
    const [a, b] = await Promise.all([cache.get('GET /api/tasks', load), cache.get('GET /api/tasks', load)]);
    expect([a.value, a.hit, b.value, b.hit]).toEqual([1, false, 1, true]);
    now = 99;
    expect((await cache.get('GET /api/tasks', load)).hit).toBe(true);
    now = 100;
    expect(await cache.get('GET /api/tasks', load)).toEqual({ value: 2, hit: false });
    await expect(cache.get('GET /api/x', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect((await cache.get('GET /api/x', load)).hit).toBe(false);
    await cache.get('GET /api/threads?include=comments', load);
    await cache.get('GET /api/projects', load);
    cache.invalidate('comments');
    cache.invalidate('tasks');
    expect((await cache.get('GET /api/threads?include=comments', load)).hit).toBe(false);
    expect((await cache.get('GET /api/tasks', load)).hit).toBe(false);
    expect((await cache.get('GET /api/projects', load)).hit).toBe(true);
  });
});

const col = (name: string, type: Expr['type']): Expr => ({ kind: 'column', id: 1, name, type });
const lit = (value: unknown, type: Expr['type']): Expr => ({ kind: 'literal', value, type });
const call = (fn: string, c: Expr, v: Expr): Expr => ({ kind: 'call', fn, args: [c, v], type: 'boolean' });

describe('filter support and translation', () => {
  const target: PushTarget = new Map([
    ['id', { field: 'id', type: 'bigint', ops: defaultFilters('bigint', false) }],
    ['name', { field: 'name', type: 'text', ops: defaultFilters('text', true) }],
    ['created_on', { field: 'created_on', type: 'timestamptz', ops: defaultFilters('timestamptz', false) }],
    ['parent_id', { field: 'parent_id', type: 'bigint', ops: defaultFilters('bigint', true) }],
    ['users', { field: 'users', type: 'bigint[]', ops: defaultFilters('bigint[]', false) }],
  ]);

  it('answers per type and operator', () => {
    const filters: Expr[] = [
      call('=', col('id', 'bigint'), lit(5, 'bigint')),
      call('=', col('name', 'text'), lit('Acme', 'text')),
      call('=', col('name', 'text'), lit('x" and id>0', 'text')),
      call('>=', col('created_on', 'timestamptz'), lit(1_700_000_000_000, 'timestamptz')),
      call('>=', col('created_on', 'timestamptz'), lit(1_700_000_000_500, 'timestamptz')),
      call('!=', col('parent_id', 'bigint'), lit(3, 'bigint')),
      {
        kind: 'any',
        op: '=',
        left: lit(7, 'bigint'),
        right: col('users', 'bigint[]'),
        all: false,
        type: 'boolean',
      },
      {
        kind: 'like',
        arg: col('name', 'text'),
        pattern: lit('%acme%', 'text'),
        caseInsensitive: true,
        negated: false,
        type: 'boolean',
      },
      call('=', col('other', 'bigint'), lit(1, 'bigint')),
    ];
    expect(supportOf(filters, target)).toEqual([
      'exact',
      'inexact',
      'unsupported',
      'exact',
      'inexact',
      'inexact',
      'exact',
      'unsupported',
      'unsupported',
    ]);
  });

  it('widens sub-second bounds and intersects id lists', () => {
    const wp = planWhere(
      [
        call('>=', col('created_on', 'timestamptz'), lit(1_700_000_000_500, 'timestamptz')),
        call('<', col('created_on', 'timestamptz'), lit(1_700_000_100_500, 'timestamptz')),
        {
          kind: 'in_list',
          arg: col('id', 'bigint'),
          list: [lit(1, 'bigint'), lit(2, 'bigint')],
          negated: false,
          type: 'boolean',
        },
        {
          kind: 'in_list',
          arg: col('id', 'bigint'),
          list: [lit(2, 'bigint'), lit(3, 'bigint')],
          negated: false,
          type: 'boolean',
        },
      ],
      target,
      'id',
    );
    expect(wp.ids).toEqual([2]);
    expect(wp.conds.slice(0, 2)).toEqual([
      { field: 'created_on', op: '>=', values: [{ kind: 'unix', value: 1_700_000_000 }] },
      { field: 'created_on', op: '<', values: [{ kind: 'unix', value: 1_700_000_101 }] },
    ]);
  });
});

describe('Paymo include cap', () => {
  let sim: SimulatorHandle;
  let client: PaymoClient;
  beforeAll(async () => {
    sim = await startSimulator({ scale: 'tiny', rateLimit: null, includeCap: 4 });
    client = new PaymoClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl, rateLimit: false });
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it('re-reads parents one by one when a response reaches the include cap', async () => {
    const engine = createEngine({ catalog: createPaymoCatalog({ client, includeCap: 4 }) });
    const r = await engine.query('select count(*) from invoice_line_items');
    expect(r.rows).toEqual([[sim.store.count('invoiceitems')]]);
    const invoices = sim.store.count('invoices');
    expect(sim.requestLog.count()).toBe(1 + invoices);
  });
});
