/**
 * Part 1 of `npm run bench`: Paymo API requests per question on the demo company.
 *
 * Each question of QUESTIONS runs on two fresh connections over one in-process simulator (no rate
 * limit, cache TTL 0 so every statement starts cold): paymo-sql as shipped (pushdown on) and the
 * no-pushdown plan (`SET paymo.pushdown = off`). Requests are counted exactly from the simulator's
 * request log; rows fetched come from EXPLAIN ANALYZE (a second cold run, checked to make the same
 * number of requests). Both plans must return the same rows.
 */
import { type Connection, connect } from '../../src/connect.js';
import { DEFAULT_SEED, generateDataset } from '../../src/simulator/generate.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { Rec } from '../../src/simulator/types.js';
import { BENCH_NOW, type Facts, QUESTIONS, type Question } from './questions.js';
import { type Cell, fixed, formatTable, out } from './table.js';

/** Paymo's budget: 5 requests per 5-second window (paymo-api.md, perf-anchors.md §5). */
const RATE = { limit: 5, windowS: 5 };

/** Seconds of Paymo budget `n` requests use at the sustained rate of 5 per 5 s (1 per second). */
export function budgetSeconds(n: number): number {
  return (n * RATE.windowS) / RATE.limit;
}

/** Least wall time from a fresh window: the first 5 go at once, each further 5 waits 5 s more. */
export function burstSeconds(n: number): number {
  return Math.max(0, Math.ceil(n / RATE.limit) - 1) * RATE.windowS;
}

/** One measured plan of one question. */
interface PlanRun {
  readonly requests: number;
  /** The requests made, grouped: `GET /api/entries where=project_id in (40 ids)` → count. */
  readonly made: ReadonlyMap<string, number>;
  readonly rowsFetched: number;
  readonly rows: unknown[][];
  readonly ms: number;
  readonly error?: string;
}

/** One question's measurements. */
export interface QuestionResult {
  readonly q: Question;
  readonly minimum: number;
  readonly on: PlanRun;
  readonly off: PlanRun;
  readonly same: 'yes' | 'order' | 'NO';
}

/** A value as comparable text: floats to 10 significant digits, dates as ISO. */
function canon(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(10)));
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function compareRows(a: unknown[][], b: unknown[][]): 'yes' | 'order' | 'NO' {
  const ta = a.map((r) => r.map(canon).join('\u0001'));
  const tb = b.map((r) => r.map(canon).join('\u0001'));
  if (ta.length === tb.length && ta.every((x, i) => x === tb[i])) return 'yes';
  const sa = [...ta].sort();
  const sb = [...tb].sort();
  return sa.length === sb.length && sa.every((x, i) => x === sb[i]) ? 'order' : 'NO';
}

/** The simulator's log entries since `before`, grouped by path and `where` (id lists shortened, pages merged). */
function madeSince(log: SimLog, before: number): Map<string, number> {
  const fresh = log.entries().slice(log.entries().length - (log.count() - before));
  const made = new Map<string, number>();
  for (const e of fresh) {
    const where = e.query.where?.replace(
      / in \(([^()]*)\)/g,
      (_, list: string) => ` in (${list.split(',').length} values)`,
    );
    const inc = e.query.include ? ` include=${e.query.include}` : '';
    const key = `${e.method} ${e.path}${where ? ` where=${where}` : ''}${inc}`;
    made.set(key, (made.get(key) ?? 0) + 1);
  }
  return made;
}

/** The part of the simulator's request log the runner reads. */
type SimLog = Awaited<ReturnType<typeof startSimulator>>['requestLog'];

async function runPlan(conn: Connection, log: SimLog, sql: string): Promise<PlanRun> {
  const count = () => log.count();
  const before = count();
  const t0 = performance.now();
  let rows: unknown[][];
  try {
    rows = (await conn.query(sql, [], { rowMode: 'array' })).rows;
  } catch (err) {
    return {
      requests: count() - before,
      made: madeSince(log, before),
      rowsFetched: 0,
      rows: [],
      ms: 0,
      error: (err as Error).message,
    };
  }
  const ms = performance.now() - t0;
  const requests = count() - before;
  const made = madeSince(log, before);
  const mid = count();
  const text = await conn.explain(sql, { analyze: true });
  const again = count() - mid;
  if (again !== requests)
    throw new Error(`EXPLAIN ANALYZE made ${again} requests, the query ${requests}: ${sql}`);
  let rowsFetched = 0;
  for (const m of text.matchAll(/rows fetched=(\d+)/g)) rowsFetched += Number(m[1]);
  return { requests, made, rowsFetched, rows, ms };
}

/** Runs the suite and returns the measurements (prints nothing). */
export async function measureRequests(): Promise<QuestionResult[]> {
  const dataset = generateDataset({ scale: 'demo', seed: DEFAULT_SEED, now: BENCH_NOW });
  const facts: Facts = { rec: (path: string): readonly Rec[] => dataset.records.get(path) ?? [] };
  const sim = await startSimulator({
    dataset,
    now: BENCH_NOW,
    clock: () => BENCH_NOW.getTime(),
    rateLimit: null,
  });
  const base = { apiKey: sim.apiKey, baseUrl: sim.baseUrl, cacheTtlMs: 0, rateLimit: false as const };
  const on = await connect(base);
  const off = await connect(base);
  try {
    // Measure, do not refuse: the default budget of 50 would stop the no-pushdown plans.
    await on.query('SET paymo.max_requests = 10000');
    await off.query('SET paymo.max_requests = 10000');
    await off.query('SET paymo.pushdown = off');
    const results: QuestionResult[] = [];
    for (const q of QUESTIONS) {
      const a = await runPlan(on, sim.requestLog, q.sql);
      const b = await runPlan(off, sim.requestLog, q.sql);
      const same = a.error || b.error ? 'NO' : compareRows(a.rows, b.rows);
      results.push({ q, minimum: q.minimum(facts), on: a, off: b, same });
    }
    return results;
  } finally {
    await on.close();
    await off.close();
    await sim.close();
  }
}

const ratio = (a: number, b: number): string => `${fixed(a / b, a / b >= 10 ? 0 : 1)}×`;
const secs = (n: number): string => `${burstSeconds(n)}s`;

/** Prints the request table and its totals. */
export function printRequests(results: readonly QuestionResult[]): void {
  out(
    `== Paymo API requests per question (demo company, seed ${DEFAULT_SEED}, now ${BENCH_NOW.toISOString()}, cold cache) ==`,
  );
  out('on = paymo-sql (pushdown on); off = SET paymo.pushdown = off; min = fewest requests we can argue for');
  out(
    '(argument per question in test/bench/questions.ts); min-noinc = that minimum without include= (parents by id);',
  );
  out(
    "s = least wall time at Paymo's 5 requests / 5 s for the question alone (5 at once, then 5 more per 5 s);",
  );
  out(
    'fetched = rows Paymo sent (all scans); rows = rows the query returns; same = both plans return the same rows.',
  );
  out();
  const rows: Cell[][] = results.map((r) => [
    r.q.id,
    r.q.title,
    r.on.error ? 'ERR' : r.on.requests,
    r.off.error ? 'ERR' : r.off.requests,
    r.minimum,
    r.minimum + r.q.parents,
    ratio(r.on.requests, r.minimum),
    ratio(r.on.requests, r.minimum + r.q.parents),
    ratio(r.off.requests, r.minimum),
    r.on.rowsFetched,
    r.off.rowsFetched,
    r.on.rows.length,
    secs(r.on.requests),
    secs(r.off.requests),
    secs(r.minimum),
    r.same,
  ]);
  const sum = (f: (r: QuestionResult) => number) => results.reduce((s, r) => s + f(r), 0);
  const tOn = sum((r) => r.on.requests);
  const tOff = sum((r) => r.off.requests);
  const tMin = sum((r) => r.minimum);
  rows.push([
    'all',
    'total',
    tOn,
    tOff,
    tMin,
    tMin + sum((r) => r.q.parents),
    ratio(tOn, tMin),
    ratio(tOn, tMin + sum((r) => r.q.parents)),
    ratio(tOff, tMin),
    sum((r) => r.on.rowsFetched),
    sum((r) => r.off.rowsFetched),
    sum((r) => r.on.rows.length),
    `${sum((r) => burstSeconds(r.on.requests))}s`,
    `${sum((r) => burstSeconds(r.off.requests))}s`,
    `${sum((r) => burstSeconds(r.minimum))}s`,
    results.every((r) => r.same !== 'NO') ? 'yes' : 'NO',
  ]);
  out(
    formatTable(
      [
        'id',
        'question',
        'req on',
        'req off',
        'min',
        'min-noinc',
        'on/min',
        'on/noinc',
        'off/min',
        'fetched on',
        'fetched off',
        'rows',
        's on',
        's off',
        's min',
        'same',
      ],
      rows,
    ),
  );
  const errors = results.flatMap((r) =>
    [
      r.on.error ? `${r.q.id} on: ${r.on.error}` : '',
      r.off.error ? `${r.q.id} off: ${r.off.error}` : '',
    ].filter(Boolean),
  );
  for (const e of errors) out(`error ${e}`);
  const geo = Math.exp(sum((r) => Math.log(r.on.requests / r.minimum)) / results.length);
  out();
  out(
    `the whole suite back to back at the sustained 1 request/s: on ${sum((r) => budgetSeconds(r.on.requests))} s, ` +
      `off ${sum((r) => budgetSeconds(r.off.requests))} s, min ${sum((r) => budgetSeconds(r.minimum))} s`,
  );
  out(
    `geometric mean on/min ${fixed(geo, 2)}×; questions at the minimum: ${results.filter((r) => r.on.requests <= r.minimum).length}/${results.length}; ` +
      `rows fetched per row returned (on) ${fixed(
        sum((r) => r.on.rowsFetched) /
          Math.max(
            1,
            sum((r) => r.on.rows.length),
          ),
        1,
      )}`,
  );
}

/** Prints, for each question above its minimum, the requests paymo-sql made (grouped). */
export function printRequestDetail(results: readonly QuestionResult[]): void {
  out('-- requests paymo-sql made where it is above the minimum (× = how many; pages merged) --');
  for (const r of results) {
    if (r.on.requests <= r.minimum) continue;
    out(`${r.q.id} ${r.q.title}: ${r.on.requests} vs min ${r.minimum}`);
    for (const [k, n] of r.on.made) out(`    ${n}× ${k.length > 150 ? `${k.slice(0, 147)}...` : k}`);
  }
}
