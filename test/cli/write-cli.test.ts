import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/index.js';
import { runCli } from './run-cli.js';

let sim: SimulatorHandle;
let project: number;

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', rateLimit: null });
  project = [...sim.store.all('projects')].find((p) => p.active === true)!.id as number;
});
afterAll(() => sim.close());

/** Runs the built CLI against the test's simulator. */
const cli = (...args: string[]) => runCli(args, { PAYMO_API_KEY: sim.apiKey, PAYMO_BASE_URL: sim.baseUrl });

const tasks = (prefix: string) =>
  [...sim.store.all('tasks')].filter((t) => String(t.name).startsWith(prefix)).map((t) => t.name);

describe('paymo-sql query with writes', () => {
  it('prints the command tag of a write without RETURNING, the rows of one with it', async () => {
    const ins = await cli(
      'query',
      `INSERT INTO tasks (name, project_id) VALUES ('Cli a', ${project}), ('Cli b', ${project})`,
    );
    expect([ins.code, ins.stdout, ins.stderr]).toEqual([0, 'INSERT 0 2\n', '']);
    const up = await cli(
      'query',
      `UPDATE tasks SET complete = true WHERE project_id = ${project} AND name LIKE 'Cli %'`,
    );
    expect([up.code, up.stdout]).toEqual([0, 'UPDATE 2\n']);
    const del = await cli(
      'query',
      '--format',
      'csv',
      `DELETE FROM tasks WHERE project_id = ${project} AND name = 'Cli a' RETURNING name, complete`,
    );
    expect([del.code, del.stdout]).toEqual([0, 'name,complete\nCli a,t\n']);
    expect(tasks('Cli ')).toEqual(['Cli b']);
  });

  it('prints message, SQLSTATE and detail of a failed write and exits 1', async () => {
    const r = await cli(
      'query',
      `INSERT INTO tasks (name, project_id) VALUES ('Cli ok', ${project}), ('Cli bad', 999999999)`,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^ERROR: {2}.*row 2\b/m);
    expect(r.stderr).toMatch(/^SQLSTATE: \w{5}$/m);
    expect(r.stderr).toMatch(/^DETAIL: {2}.*\b1 row\b/m);
    expect(tasks('Cli ok')).toEqual(['Cli ok']);
  });
});
