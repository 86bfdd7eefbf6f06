import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Connection, connect } from '../../src/connect.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/index.js';

/**
 * Issue 5's fault tests: 429s, 5xx, dropped connections and Paymo refusals in the middle of a
 * 50-row INSERT. After each, the report (SQLSTATE, message, detail) must say exactly which rows were
 * written, which row failed and why, and the simulator's state must match the report exactly: no row
 * written twice, none reported written that is not there, none there that the report does not name
 * (except a row reported as unknown).
 */

const ROWS = 50;
const NOW = new Date('2026-11-15T12:00:00Z');

let sim: SimulatorHandle;
let db: Connection;

beforeAll(async () => {
  sim = await startSimulator({
    scale: 'tiny',
    seed: 3,
    now: NOW,
    clock: () => NOW.getTime(),
    rateLimit: null,
  });
  // Fast retries keep the 429 cases short; the client's retry policy is what is under test.
  db = await connect({ apiKey: sim.apiKey, baseUrl: sim.baseUrl, cacheTtlMs: 60_000, rateLimit: false });
});

afterAll(async () => {
  await db.close();
  await sim.close();
});

afterEach(() => sim.faults.clear());

/** `INSERT INTO clients (name) VALUES ('<tag> 1'), …, ('<tag> 50') RETURNING id, name`. */
function insertClients(tag: string): string {
  const values = Array.from({ length: ROWS }, (_, i) => `('${tag} ${i + 1}')`).join(', ');
  return `INSERT INTO clients (name) VALUES ${values} RETURNING id, name`;
}

/** The simulator's clients whose name starts with the tag, as {id, name}, in id order. */
function storedClients(tag: string): { id: number; name: string }[] {
  return [...sim.store.all('clients')]
    .filter((c) => String(c.name).startsWith(`${tag} `))
    .map((c) => ({ id: Number(c.id), name: String(c.name) }))
    .sort((a, b) => a.id - b.id);
}

function postsTo(path: string, since: number): { status: number; fault?: string }[] {
  return sim.requestLog
    .entries()
    .filter((e) => e.seq > since && e.method === 'POST' && e.path === path)
    .map((e) => ({ status: e.status, ...(e.fault ? { fault: e.fault } : {}) }));
}

const lastSeq = () => sim.requestLog.entries().at(-1)?.seq ?? 0;

interface Reported {
  code: string;
  message: string;
  detail: string;
}

async function failure(sql: string): Promise<Reported> {
  try {
    await db.query(sql);
  } catch (e) {
    const err = e as { code?: string; message: string; detail?: string };
    return { code: String(err.code), message: err.message, detail: err.detail ?? '' };
  }
  throw new Error('the statement succeeded, a failure was expected');
}

/** Every id the report names as written is stored, and every stored row of the import is named. */
function expectReportMatchesStore(report: Reported, stored: { id: number }[]): void {
  const text = `${report.message}\n${report.detail}`;
  for (const { id } of stored) expect(text).toContain(String(id));
  expect(text).toMatch(new RegExp(`\\b${stored.length} rows?\\b`));
}

describe('faults in the middle of a 50-row INSERT', () => {
  it('429s: the client waits and repeats the refused request; all 50 rows land exactly once', async () => {
    const since = lastSeq();
    sim.faults.inject({ kind: '429', method: 'POST', path: '/api/clients', skip: 19, times: 2, ms: 1000 });
    const r = await db.query(insertClients('Rl'), [], { rowMode: 'array' });
    expect(r.command).toBe('INSERT');
    expect(r.rowCount).toBe(ROWS);
    const stored = storedClients('Rl');
    expect(stored.map((c) => c.name)).toEqual(Array.from({ length: ROWS }, (_, i) => `Rl ${i + 1}`));
    expect(r.rows.map((row) => Number(row[0]))).toEqual(stored.map((c) => c.id));
    const posts = postsTo('/api/clients', since);
    expect(posts.filter((p) => p.status === 429)).toHaveLength(2);
    expect(posts.filter((p) => p.status === 201)).toHaveLength(ROWS);
  });

  it('a 5xx on row 30: row 30 is reported as unknown (never retried), 29 written, rows 31–50 not sent', async () => {
    const since = lastSeq();
    sim.faults.inject({ kind: '5xx', status: 503, method: 'POST', path: '/api/clients', skip: 29, times: 1 });
    const report = await failure(insertClients('Sx'));
    expect(report.code).toBe('08007');
    expect(report.message).toMatch(/row 30\b/);
    expect(`${report.message} ${report.detail}`).toMatch(/unknown/i);
    const stored = storedClients('Sx');
    expect(stored).toHaveLength(29);
    expectReportMatchesStore(report, stored);
    // One POST per row up to the failed one: the create that may have reached Paymo is not repeated.
    expect(postsTo('/api/clients', since)).toHaveLength(30);
  });

  it('a dropped connection after Paymo committed row 10: reported unknown, and the row is really there', async () => {
    const since = lastSeq();
    sim.faults.inject({ kind: 'drop-after-commit', method: 'POST', path: '/api/clients', skip: 9, times: 1 });
    const report = await failure(insertClients('Dc'));
    expect(report.code).toBe('08007');
    expect(report.message).toMatch(/row 10\b/);
    const stored = storedClients('Dc');
    // Nine confirmed rows plus the unknown one, which Paymo did apply: the report must not call it written.
    expect(stored.map((c) => c.name)).toEqual(Array.from({ length: 10 }, (_, i) => `Dc ${i + 1}`));
    expectReportMatchesStore(report, stored.slice(0, 9));
    expect(postsTo('/api/clients', since)).toHaveLength(10);
  });

  it('Paymo refuses row 25 (its project does not exist): 24 written, the reason quoted, the rest not sent', async () => {
    const project = Number([...sim.store.all('projects')][0]!.id);
    const values = Array.from(
      { length: ROWS },
      (_, i) => `('Pv ${i + 1}', ${i === 24 ? 99_999_999 : project})`,
    );
    const since = lastSeq();
    const report = await failure(`INSERT INTO tasks (name, project_id) VALUES ${values.join(', ')}`);
    expect(report.message).toMatch(/row 25\b/);
    expect(`${report.message} ${report.detail}`).toMatch(/project/i);
    const stored = [...sim.store.all('tasks')]
      .filter((t) => String(t.name).startsWith('Pv '))
      .map((t) => ({ id: Number(t.id) }));
    expect(stored).toHaveLength(24);
    expectReportMatchesStore(report, stored);
    expect(postsTo('/api/tasks', since)).toHaveLength(25);
  });

  it('writes invalidate cached reads: a count cached before the import sees the new rows after it', async () => {
    const before = Number((await db.query('SELECT count(*) AS n FROM clients')).rows[0]!.n);
    await db.query("INSERT INTO clients (name) VALUES ('Cache 1'), ('Cache 2')");
    const after = Number((await db.query('SELECT count(*) AS n FROM clients')).rows[0]!.n);
    expect(after).toBe(before + 2);
  });
  // Last: the 10-minute pause it provokes holds this simulator's key for every later statement.
  it('a 429 asking to wait too long: stops at that row, reports the 19 written rows, sends nothing after', async () => {
    const since = lastSeq();
    // Retry-After of 10 minutes: above the client's longest wait, so it gives up at once.
    sim.faults.inject({ kind: '429', method: 'POST', path: '/api/clients', skip: 19, times: 1, ms: 600_000 });
    const report = await failure(insertClients('Rw'));
    expect(report.code).toBe('53400');
    expect(report.message).toMatch(/row 20\b/);
    const stored = storedClients('Rw');
    expect(stored).toHaveLength(19);
    expectReportMatchesStore(report, stored);
    const posts = postsTo('/api/clients', since);
    expect(posts).toHaveLength(20);
    expect(posts.at(-1)!.status).toBe(429);
  });

  it('then the pause still holds the key: the next write fails at once (53400), sending nothing', async () => {
    const since = lastSeq();
    const started = Date.now();
    const report = await failure("INSERT INTO clients (name) VALUES ('After pause')");
    expect(report.code).toBe('53400');
    expect(report.message).toMatch(/not sent: an earlier 429 .* retry after \d+ s/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(postsTo('/api/clients', since)).toHaveLength(0);
    expect(storedClients('After')).toHaveLength(0);
  });
});
