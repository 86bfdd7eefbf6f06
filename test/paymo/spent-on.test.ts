import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { createPaymoCatalog } from '../../src/paymo/catalog.js';
import type { PaymoClient } from '../../src/paymo/http-client.js';
import type { SimulatorHandle } from '../../src/simulator/index.js';
import type { Rec } from '../../src/simulator/types.js';
import { startSimulatedPaymo } from '../support/demo-paymo.js';

const NOW = new Date('2026-11-15T12:00:00Z');

/** `time_entries.spent_on`: one day column whose ranges reach Paymo as one `time_interval`. */
describe('time_entries.spent_on (requests as logged by the simulator)', () => {
  let sim: SimulatorHandle;
  let client: PaymoClient;
  let close: () => Promise<void>;
  const engine = (pushdown = true) =>
    createEngine({ catalog: createPaymoCatalog({ client, cacheTtlMs: 0, requestBudget: 10_000 }), pushdown });
  const log = (): Record<string, string>[] =>
    sim.requestLog.entries().map((e) => ({ method: e.method, path: e.path, ...e.query }));
  const entries = (): Rec[] => [...sim.store.all('entries')];
  const dayOf = (e: Rec): string =>
    typeof e.date === 'string'
      ? e.date
      : new Date(Date.parse(String(e.start_time))).toISOString().slice(0, 10);
  const entriesList = (where: string) => ({
    method: 'GET',
    path: '/api/entries',
    where,
    page: '0',
    page_size: '2500',
  });

  beforeAll(async () => {
    ({ sim, client, close } = await startSimulatedPaymo({
      scale: 'tiny',
      now: NOW,
      clock: () => NOW.getTime(),
    }));
  });
  afterAll(() => close());
  beforeEach(() => sim.requestLog.reset());

  /** Runs `sql` with pushdown on (returning rows and requests) and checks pushdown off gives the same rows. */
  async function both(sql: string): Promise<{ rows: unknown[][]; requests: Record<string, string>[] }> {
    sim.requestLog.reset();
    const on = await engine().query(sql);
    const requests = log();
    const off = await engine(false).query(sql);
    expect(on.rows).toEqual(off.rows);
    return { rows: on.rows, requests };
  }

  it('is the bulk date, or the UTC day of start_time', async () => {
    const { rows } = await both(
      "select id, is_bulk, date, start_time, spent_on from time_entries where spent_on >= '2000-01-01' order by id",
    );
    const all = entries().sort((a, b) => Number(a.id) - Number(b.id));
    expect(rows.map((r) => [r[0], r[4]])).toEqual(all.map((e) => [e.id, dayOf(e)]));
    expect(rows.some((r) => r[1] === true)).toBe(true);
    expect(rows.some((r) => r[1] === false)).toBe(true);
  });

  it('sends a month window as one time_interval request', async () => {
    const { rows, requests } = await both(
      "select id from time_entries where spent_on >= '2026-11-01' and spent_on < '2026-12-01' order by id",
    );
    expect(requests).toEqual([
      entriesList('time_interval in ("2026-11-01T00:00:00Z","2026-12-01T00:00:00Z")'),
    ]);
    const want = entries()
      .filter((e) => dayOf(e) >= '2026-11-01' && dayOf(e) < '2026-12-01')
      .map((e) => e.id)
      .sort((a, b) => Number(a) - Number(b));
    expect(want.length).toBeGreaterThan(0);
    expect(rows.map((r) => r[0])).toEqual(want);
  });

  it('pushes =, BETWEEN, IN and ORs of = as the enclosing interval', async () => {
    const day = dayOf(entries()[0]!);
    const cases: [string, string][] = [
      [`spent_on = '${day}'`, `time_interval in ("${day}T00:00:00Z",`],
      [
        "spent_on between '2026-11-02' and '2026-11-08'",
        'time_interval in ("2026-11-02T00:00:00Z","2026-11-09T00:00:00Z")',
      ],
      [
        "spent_on in ('2026-11-10', '2026-11-03')",
        'time_interval in ("2026-11-03T00:00:00Z","2026-11-11T00:00:00Z")',
      ],
      [
        "(spent_on = '2026-11-03' or spent_on = '2026-11-10')",
        'time_interval in ("2026-11-03T00:00:00Z","2026-11-11T00:00:00Z")',
      ],
      [
        "spent_on > '2026-11-09' and spent_on <= '2026-11-12'",
        'time_interval in ("2026-11-10T00:00:00Z","2026-11-13T00:00:00Z")',
      ],
    ];
    for (const [where, sent] of cases) {
      const { rows, requests } = await both(
        `select id, spent_on from time_entries where ${where} order by id`,
      );
      expect(requests, where).toHaveLength(1);
      expect(requests[0]!.where, where).toContain(sent);
      for (const r of rows) expect(typeof r[1]).toBe('string');
    }
    const { rows } = await both(
      "select count(*) from time_entries where spent_on in ('2026-11-10', '2026-11-03')",
    );
    expect(rows).toEqual([
      [entries().filter((e) => dayOf(e) === '2026-11-10' || dayOf(e) === '2026-11-03').length],
    ]);
  });

  it('meets the required filter, so a join for names is one request (include=task.project), not a fan-out', async () => {
    const sql = `select p.name, count(*) as n from time_entries e join projects p on p.id = e.project_id
                 where e.spent_on >= '2026-11-01' group by p.name order by p.name`;
    const { requests } = await both(sql);
    expect(requests.map((r) => [r.path, r.include])).toEqual([['/api/entries', 'task.project']]);
    expect(requests[0]!.where).toBe('time_interval in ("2026-11-01T00:00:00Z","2999-12-31T00:00:00Z")');
  });

  it('combines with start_time ranges into one interval (each is a superset, so the intersection is too)', async () => {
    const { requests } = await both(
      "select id from time_entries where spent_on >= '2026-11-01' and start_time < '2026-11-10' order by id",
    );
    expect(requests).toEqual([
      entriesList('time_interval in ("2026-11-01T00:00:00Z","2026-11-10T00:00:00Z")'),
    ]);
  });

  it('stays re-checked locally (Paymo does not document time_interval) and never limits the pages', async () => {
    const text = await engine().explain("select id from time_entries where spent_on >= '2026-11-01' limit 3");
    expect(text).toContain("Filter (time_entries.spent_on >= '2026-11-01')");
    expect(text).toContain('page_size=2500');
  });

  it('is read-only', async () => {
    const spec = createPaymoCatalog({ client }).paymoTables.get('time_entries')!.spec;
    expect(spec.columns.find((c) => c.name === 'spent_on')).toMatchObject({
      type: 'date',
      nullable: false,
      readOnly: true,
    });
  });
});
