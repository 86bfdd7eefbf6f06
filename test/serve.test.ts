import { spawn, spawnSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, serve } from '../src/serve.js';
import { type SimulatorHandle, startSimulator } from '../src/simulator/index.js';

async function client(port: number, password?: string): Promise<pg.Client> {
  const c = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'paymo',
    database: 'paymo',
    ...(password !== undefined ? { password } : {}),
  });
  await c.connect();
  return c;
}

describe('paymo-sql serve on the demo company', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve({ port: 0 });
  });
  afterAll(() => served.close());

  it('serves the demo when no key is given, and says so', () => {
    expect(served.mode).toBe('demo');
    expect(served.demo).toBeDefined();
  });

  it('answers SQL over Paymo tables to node pg, with paymo.* settings per connection', async () => {
    const a = await client(served.server.port);
    const b = await client(served.server.port);
    try {
      const r = await a.query('SELECT count(*)::int AS n FROM projects WHERE active');
      expect(r.rows[0].n).toBeGreaterThan(10);
      const p = await a.query('SELECT id, name FROM projects WHERE id = $1', [10001]);
      expect(p.rows).toHaveLength(1);
      await a.query('SET paymo.max_requests = 1');
      await expect(a.query('SELECT count(*) FROM time_entries')).rejects.toMatchObject({ code: '53400' });
      // The other connection keeps its own budget.
      const n = await b.query('SELECT count(*)::int AS n FROM time_entries');
      expect(n.rows[0].n).toBeGreaterThan(1000);
    } finally {
      await a.end();
      await b.end();
    }
  });
});

const hasAsyncpg = spawnSync('/usr/bin/python3', ['-c', 'import asyncpg'], { encoding: 'utf8' }).status === 0;
if (!hasAsyncpg && process.env.CI) throw new Error('python3-asyncpg is missing: .ci/run installs it');

describe.skipIf(!hasAsyncpg)(
  `asyncpg against serve${hasAsyncpg ? '' : ' (skipped: python3-asyncpg not installed)'}`,
  () => {
    it('types uncast parameters from the query (Describe), so asyncpg binds Python ints and bools', async () => {
      const served = await serve({ port: 0 });
      try {
        const script = [
          'import asyncio, asyncpg, sys',
          'async def main():',
          `    c = await asyncpg.connect(host='127.0.0.1', port=${served.server.port}, user='paymo', database='paymo', ssl=False)`,
          "    n = await c.fetchval('SELECT count(*) FROM tasks WHERE project_id = $1 AND complete = $2', 10001, True)",
          "    name = await c.fetchval('SELECT name FROM projects WHERE id = $1', 10001)",
          '    print(n, name)',
          '    await c.close()',
          'asyncio.run(main())',
        ].join('\n');
        const r = await new Promise<{ status: number | null; out: string; err: string }>((resolve) => {
          const p = spawn('/usr/bin/python3', ['-c', script]);
          let out = '';
          let err = '';
          p.stdout.on('data', (d) => {
            out += d;
          });
          p.stderr.on('data', (d) => {
            err += d;
          });
          p.on('exit', (status) => resolve({ status, out, err }));
        });
        expect(r.err).toBe('');
        expect(r.status).toBe(0);
        const [n, ...name] = r.out.trim().split(' ');
        expect(Number(n)).toBeGreaterThanOrEqual(0);
        expect(name.join(' ').length).toBeGreaterThan(0);
      } finally {
        await served.close();
      }
    });
  },
);

describe('paymo-sql serve authentication', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => {
    sim = await startSimulator({ scale: 'tiny', rateLimit: null });
  });
  afterAll(() => sim.close());

  it('with a password: SCRAM-SHA-256, wrong passwords refused', async () => {
    const served = await serve({ port: 0, apiKey: sim.apiKey, baseUrl: sim.baseUrl, password: 's3cret' });
    try {
      expect(served.mode).toBe('account');
      const c = await client(served.server.port, 's3cret');
      expect((await c.query('SELECT count(*)::int AS n FROM clients')).rows[0].n).toBe(
        sim.store.count('clients'),
      );
      await c.end();
      await expect(client(served.server.port, 'wrong')).rejects.toMatchObject({ code: '28P01' });
    } finally {
      await served.close();
    }
  });

  it('with --api-key-password: each client logs in with its own Paymo key', async () => {
    const served = await serve({ port: 0, baseUrl: sim.baseUrl, apiKeyIsPassword: true });
    try {
      expect(served.mode).toBe('per-client-key');
      const [k1, k2] = sim.apiKeys;
      const a = await client(served.server.port, k1.key);
      const b = await client(served.server.port, k2.key);
      expect((await a.query('SELECT id FROM me')).rows[0].id).toBe(String(k1.userId));
      expect((await b.query('SELECT id FROM me')).rows[0].id).toBe(String(k2.userId));
      await a.end();
      await b.end();
      const err = await client(served.server.port, 'not-a-key').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: '28P01' });
      expect(String((err as Error).message)).not.toContain('not-a-key');
    } finally {
      await served.close();
    }
  });

  it('refuses to listen beyond loopback without authentication', async () => {
    await expect(
      serve({ host: '0.0.0.0', port: 0, apiKey: sim.apiKey, baseUrl: sim.baseUrl }),
    ).rejects.toThrow(/without authentication/);
  });
});
