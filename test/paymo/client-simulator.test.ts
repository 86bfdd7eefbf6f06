import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PaymoAuthError,
  PaymoNotFoundError,
  PaymoOutcomeUnknownError,
  PaymoValidationError,
} from '../../src/paymo/errors.js';
import { PaymoClient } from '../../src/paymo/http-client.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/index.js';

/** The real client against the real simulator: the two must agree on every convention. */
describe('PaymoClient against the simulator', () => {
  let sim: SimulatorHandle;
  let client: PaymoClient;
  beforeAll(async () => {
    sim = await startSimulator({ scale: 'tiny', rateLimit: null });
    client = new PaymoClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl, retryBaseMs: 5, retryMaxMs: 20 });
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it('pages through a list with page/page_size, one request per page', async () => {
    const all = await client.list('tasks');
    expect(all.length).toBeGreaterThan(10);
    sim.requestLog.reset();
    const paged = [];
    for await (const page of client.listAll('tasks', { pageSize: 7 })) paged.push(...page);
    expect(paged).toEqual(all);
    const pages = Math.floor(all.length / 7) + 1;
    expect(sim.requestLog.count({ path: '/api/tasks' })).toBe(pages);
  });

  it('maps a missing required filter to a validation error carrying Paymo’s message', async () => {
    const err = await client.list('entries').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PaymoValidationError);
    expect((err as PaymoValidationError).status).toBe(400);
    expect((err as PaymoValidationError).paymoMessage).toMatch(/project_id/);
  });

  it('maps 404 and 401', async () => {
    await expect(client.get('projects', 987654321)).rejects.toBeInstanceOf(PaymoNotFoundError);
    const stranger = new PaymoClient({ apiKey: 'not-a-key', baseUrl: sim.baseUrl });
    await expect(stranger.list('projects')).rejects.toBeInstanceOf(PaymoAuthError);
    await stranger.close();
  });

  it('reads the company singleton and the current user', async () => {
    const company = await client.getSingleton('company');
    expect(company.name).toBeTypeOf('string');
    const [me] = await client.list('me');
    expect(me.id).toBe(sim.apiKeys.find((k) => k.key === sim.apiKey)!.userId);
  });

  it('retries a read through a 5xx, a dropped connection and a malformed body', async () => {
    const expected = await client.list('clients');
    sim.requestLog.reset();
    sim.faults.inject({ kind: '5xx', path: '/api/clients' });
    sim.faults.inject({ kind: 'drop', path: '/api/clients' });
    sim.faults.inject({ kind: 'malformed', path: '/api/clients' });
    expect(await client.list('clients')).toEqual(expected);
    expect(sim.requestLog.count({ path: '/api/clients' })).toBe(4);
  });

  it('never retries a create that was applied but not answered, and says the outcome is unknown', async () => {
    sim.requestLog.reset();
    const before = sim.store.count('clients');
    sim.faults.inject({ kind: 'drop-after-commit', method: 'POST', path: '/api/clients' });
    const err = await client.create('clients', { name: 'Maybe Ltd' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PaymoOutcomeUnknownError);
    expect(String((err as Error).message)).toMatch(/may or may not/);
    expect(sim.requestLog.count({ method: 'POST' })).toBe(1);
    expect(sim.store.count('clients')).toBe(before + 1);
  });

  it('never retries a create answered with 5xx (nothing written, outcome unknown to the client)', async () => {
    sim.requestLog.reset();
    const before = sim.store.count('clients');
    sim.faults.inject({ kind: '5xx', method: 'POST', path: '/api/clients' });
    await expect(client.create('clients', { name: 'Nope Ltd' })).rejects.toBeInstanceOf(
      PaymoOutcomeUnknownError,
    );
    expect(sim.requestLog.count({ method: 'POST' })).toBe(1);
    expect(sim.store.count('clients')).toBe(before);
  });

  it('creates, updates and deletes with Paymo’s envelopes', async () => {
    const created = await client.create('clients', { name: 'Ünïcødé & Co' });
    expect(created.location).toBe(`${sim.baseUrl}clients/${created.row.id}`);
    const updated = await client.update('clients', created.row.id as number, { city: 'Zürich' });
    expect(updated.city).toBe('Zürich');
    await client.delete('clients', created.row.id as number);
    await expect(client.get('clients', created.row.id as number)).rejects.toBeInstanceOf(PaymoNotFoundError);
  });
});

describe('PaymoClient pacing against the simulator’s rate limit', () => {
  it('keeps 6 quick requests inside a 5-per-2-s window without a single 429', async () => {
    const sim = await startSimulator({ scale: 'tiny', rateLimit: { limit: 5, periodSeconds: 2 } });
    const client = new PaymoClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl });
    try {
      const started = Date.now();
      await Promise.all(Array.from({ length: 6 }, () => client.list('clients')));
      const elapsed = Date.now() - started;
      expect(sim.requestLog.count()).toBe(6);
      expect(sim.requestLog.count({ status: 429 })).toBe(0);
      // The sixth request had to wait for the simulator's next window.
      expect(elapsed).toBeGreaterThanOrEqual(1500);
    } finally {
      await client.close();
      await sim.close();
    }
  });

  it('recovers from a 429 by honouring Retry-After when another consumer spent the budget', async () => {
    const sim = await startSimulator({ scale: 'tiny', rateLimit: { limit: 2, periodSeconds: 1 } });
    const client = new PaymoClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl });
    try {
      // Someone else (another tool with the same key) uses up the window.
      const auth = { authorization: `Basic ${Buffer.from(`${sim.apiKey}:x`).toString('base64')}` };
      await fetch(`${sim.baseUrl}clients`, { headers: auth });
      await fetch(`${sim.baseUrl}clients`, { headers: auth });
      const rows = await client.list('clients');
      expect(rows.length).toBeGreaterThan(0);
      expect(sim.requestLog.count({ status: 429 })).toBeLessThanOrEqual(1);
      expect(sim.requestLog.count({ status: 200 })).toBe(3);
    } finally {
      await client.close();
      await sim.close();
    }
  });
});
