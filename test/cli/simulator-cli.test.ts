import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** Runs the built CLI and resolves with its first stdout line. */
function startCli(args: string[]): Promise<{ proc: ChildProcess; firstLine: string }> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    let stderr = '';
    proc.stderr!.on('data', (d) => {
      stderr += d;
    });
    lines.once('line', (firstLine) => resolve({ proc, firstLine }));
    proc.once('exit', (code) => reject(new Error(`CLI exited with ${code}: ${stderr}`)));
  });
}

describe('paymo-sql simulator (CLI)', () => {
  let proc: ChildProcess;
  let info: { baseUrl: string; apiKey: string };
  beforeAll(async () => {
    const started = await startCli([
      'simulator',
      '--scale',
      'tiny',
      '--api-key',
      'K',
      '--rate-limit',
      'off',
      '--json',
    ]);
    proc = started.proc;
    info = JSON.parse(started.firstLine);
  });
  afterAll(() => {
    proc?.kill('SIGTERM');
  });

  it('prints its base URL and API key as one JSON line first', () => {
    expect(info.apiKey).toBe('K');
    expect(info.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });
  it('answers /api/projects for the given key (curl -u K:x)', async () => {
    const res = await fetch(`${info.baseUrl}projects`, {
      headers: { authorization: `Basic ${Buffer.from('K:x').toString('base64')}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { projects: unknown[] };
    expect(body.projects.length).toBeGreaterThan(0);
  });
  it('answers /api/entries without a filter with 400 naming the accepted filters', async () => {
    const res = await fetch(`${info.baseUrl}entries`, {
      headers: { authorization: `Basic ${Buffer.from('K:x').toString('base64')}` },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { message: string };
    expect(body.message).toMatch(/task_id.*project_id.*user_id.*client_id.*time_interval/s);
  });
  it('does not rate-limit with --rate-limit off', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 12 }, () =>
        fetch(`${info.baseUrl}clients`, {
          headers: { authorization: `Basic ${Buffer.from('K:x').toString('base64')}` },
        }).then((r) => r.status),
      ),
    );
    expect(new Set(statuses)).toEqual(new Set([200]));
  });
});

describe('paymo-sql CLI errors', () => {
  it('exits 2 with usage on an unknown command', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    expect(r.stderr).toContain('Usage: paymo-sql');
  });
  it('exits 2 on a bad --rate-limit or --faults value', async () => {
    const a = await runCli(['simulator', '--rate-limit', 'fast']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("invalid rate limit 'fast'");
    const b = await runCli(['simulator', '--faults', 'explode=0.5']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("unknown fault kind 'explode'");
  });
});

describe('package exports', () => {
  it("resolve 'paymo-sql' and 'paymo-sql/simulator' from the built package", async () => {
    const script = [
      "import { startSimulator } from 'paymo-sql/simulator';",
      "import * as root from 'paymo-sql';",
      "const sim = await startSimulator({ scale: 'tiny', rateLimit: null });",
      "const auth = 'Basic ' + Buffer.from(sim.apiKey + ':x').toString('base64');",
      "const r = await fetch(sim.baseUrl + 'clients', { headers: { authorization: auth } });",
      'console.log(JSON.stringify({ status: r.status, root: typeof root.startSimulator, n: sim.requestLog.count() }));',
      'await sim.close();',
    ].join('\n');
    const cwd = fileURLToPath(new URL('../..', import.meta.url));
    const proc = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd });
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
    });
    const code = await new Promise((resolve) => proc.once('exit', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ status: 200, root: 'function', n: 1 });
  });
});
