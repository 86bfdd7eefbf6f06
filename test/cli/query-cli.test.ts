import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

/** Runs the built CLI to completion without a Paymo key in the environment. */
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, env);

describe('paymo-sql query / explain / tables / describe', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paymo-sql-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints a psql-style table', async () => {
    const r = await cli(['query', '--demo', 'SELECT id, name FROM clients ORDER BY id LIMIT 2']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\s+id\s+\|\s+name/);
    expect(lines.at(-1)).toBe('(2 rows)');
  });

  it('writes CSV with a header, JSON as one array, NDJSON one object a line', async () => {
    const sql = 'SELECT id, name FROM projects ORDER BY id LIMIT 3';
    const csv = await cli(['query', '--demo', '--format', 'csv', sql]);
    expect(csv.stdout.split('\n')[0]).toBe('id,name');
    expect(csv.stdout.trimEnd().split('\n')).toHaveLength(4);
    const json = JSON.parse((await cli(['query', '--demo', '--format', 'json', sql])).stdout);
    expect(json).toHaveLength(3);
    expect(Object.keys(json[0])).toEqual(['id', 'name']);
    const nd = (await cli(['query', '--demo', '--format', 'ndjson', sql])).stdout.trimEnd().split('\n');
    expect(nd.map((l) => JSON.parse(l).id)).toEqual(json.map((o: { id: number }) => o.id));
  });

  it('writes files with --output, including Arrow IPC', async () => {
    const csvFile = join(dir, 'tasks.csv');
    const r = await cli([
      'query',
      '--demo',
      '--format',
      'csv',
      '--output',
      csvFile,
      'SELECT id FROM tasks ORDER BY id LIMIT 10',
    ]);
    expect(r.code).toBe(0);
    expect(readFileSync(csvFile, 'utf8').trimEnd().split('\n')).toHaveLength(11);
    const arrowFile = join(dir, 'p.arrow');
    const a = await cli([
      'query',
      '--demo',
      '--format',
      'arrow',
      '-o',
      arrowFile,
      'SELECT id, name, active FROM projects ORDER BY id',
    ]);
    expect(a.code).toBe(0);
    const t = tableFromIPC(readFileSync(arrowFile));
    expect(t.numRows).toBeGreaterThan(30);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['id', 'name', 'active']);
  });

  it('binds --param values to $1, $2', async () => {
    const r = await cli([
      'query',
      '--demo',
      '--format',
      'json',
      '--param',
      '2',
      'SELECT id FROM clients ORDER BY id LIMIT $1',
    ]);
    expect(JSON.parse(r.stdout)).toHaveLength(2);
  });

  it('explains the HTTP requests of each scan, without a key', async () => {
    const r = await cli(['explain', 'SELECT name FROM tasks WHERE project_id IN (1, 2)']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('GET /api/tasks?where=project_id in (1,2)');
    expect(r.stdout).toMatch(/Estimated requests: 1/);
  });

  it('lists tables and describes one, without a key', async () => {
    const t = await cli(['tables']);
    expect(t.code).toBe(0);
    for (const name of ['time_entries', 'invoices', 'invoice_line_items', 'paymo_capabilities'].slice(0, 3)) {
      expect(t.stdout).toContain(name);
    }
    const d = await cli(['describe', 'tasks']);
    expect(d.code).toBe(0);
    expect(d.stdout).toContain('Foreign key: project_id → projects.id');
    expect(d.stdout).toMatch(/project_id\s+\| bigint/);
    // How writes treat each column, and the table's write rules from the spec.
    expect(d.stdout).toMatch(/^ name\s+\| text\s+\| not null \| required on INSERT /m);
    expect(d.stdout).toMatch(/^ id\s+\| bigint\s+\| not null \| read-only /m);
    expect(d.stdout).toContain('Write rules: INSERT requires name and one of project_id or tasklist_id');
    const unknown = await cli(['describe', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('SQLSTATE: 42P01');
  });

  it('fails with the message and SQLSTATE on stderr, exit 1', async () => {
    const r = await cli(['query', '--demo', 'SELECT nope FROM tasks']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERROR:  column "nope" does not exist');
    expect(r.stderr).toContain('SQLSTATE: 42703');
    expect(r.stdout).toBe('');
  });

  it('says how to configure when no key is set', async () => {
    const r = await cli(['query', 'SELECT 1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('set PAYMO_API_KEY');
  });

  it('reads PAYMO_API_KEY and PAYMO_BASE_URL', async () => {
    const { startSimulator } = await import('../../src/simulator/index.js');
    const sim = await startSimulator({ scale: 'tiny', rateLimit: null });
    try {
      const r = await cli(['query', '--format', 'json', 'SELECT count(*) AS n FROM clients'], {
        PAYMO_API_KEY: sim.apiKey,
        PAYMO_BASE_URL: sim.baseUrl,
      });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)[0].n).toBe(sim.store.count('clients'));
      expect(sim.requestLog.count()).toBeGreaterThan(0);
    } finally {
      await sim.close();
    }
  });
});
