/**
 * Part 2 of `npm run bench`: local execution on the `large` dataset, paymo-sql's engine next to
 * DuckDB on the same rows in the same process.
 *
 * The generated records (≥ 1 M time entries, 100 k tasks, 2 k projects, 200 users) are converted
 * once with the Paymo tables' own `convertValue`, then served to the engine by in-memory
 * TableSources (test/bench/array-source.ts: no HTTP, every filter left to the engine) and bulk-loaded into an in-memory DuckDB (2 threads, the machine's cores)
 * through a CSV file. Each query is warmed up, then timed several times; the median is printed.
 * Both engines must return the same row count and an order-independent checksum of the values.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Catalog } from '../../src/catalog/catalog.js';
import type { Column, Row, SqlType } from '../../src/catalog/types.js';
import { createEngine, type Engine } from '../../src/engine.js';
import { convertValue } from '../../src/paymo/paymo-table.js';
import { users } from '../../src/paymo/specs/people.js';
import { timeEntries } from '../../src/paymo/specs/time.js';
import type { ObjectSpec } from '../../src/paymo/specs/types.js';
import { projects, tasks } from '../../src/paymo/specs/work.js';
import { DEFAULT_SEED, generateDataset } from '../../src/simulator/generate.js';
import { ArraySource } from './array-source.js';
import { BENCH_NOW } from './questions.js';
import { type Cell, fixed, formatTable, out } from './table.js';

/** One table loaded into both engines: the spec it follows and the columns kept. */
interface LoadedTable {
  readonly name: string;
  readonly path: string;
  readonly spec: ObjectSpec;
  readonly columns: readonly string[];
}

/** The tables and columns loaded (arrays and jsonb left out: DuckDB would need other load paths). */
const TABLES: readonly LoadedTable[] = [
  {
    name: 'time_entries',
    path: 'entries',
    spec: timeEntries,
    columns: [
      'id',
      'project_id',
      'task_id',
      'user_id',
      'is_bulk',
      'start_time',
      'end_time',
      'date',
      'duration',
      'description',
      'added_manually',
      'billed',
      'invoice_item_id',
    ],
  },
  {
    name: 'tasks',
    path: 'tasks',
    spec: tasks,
    columns: [
      'id',
      'name',
      'project_id',
      'tasklist_id',
      'complete',
      'due_date',
      'user_id',
      'billable',
      'price_per_hour',
      'priority',
    ],
  },
  {
    name: 'projects',
    path: 'projects',
    spec: projects,
    columns: ['id', 'name', 'client_id', 'active', 'billable', 'price_per_hour', 'budget_hours'],
  },
  { name: 'users', path: 'users', spec: users, columns: ['id', 'name', 'type', 'active'] },
];

/** One local query: an id, what it stands for, and SQL both engines run unchanged. */
interface LocalQuery {
  readonly id: string;
  readonly what: string;
  /** design.md §4 anchor this query reproduces, with DuckDB's published figure in ms. */
  readonly anchor?: string;
  readonly sql: string;
}

/** design.md §4's four anchors (a–d) on our schema, plus window, count DISTINCT, date_trunc and more. */
export const LOCAL_QUERIES: readonly LocalQuery[] = [
  {
    id: 'L0',
    what: 'scan floor: count(*)',
    sql: 'select count(*) from time_entries',
  },
  {
    id: 'L1',
    what: 'GROUP BY project (sum)',
    anchor: 'a',
    sql: 'select project_id, sum(duration) from time_entries group by project_id',
  },
  {
    id: 'L2',
    what: 'join tasks + GROUP BY user',
    anchor: 'b',
    sql: `select e.user_id, sum(e.duration * t.price_per_hour / 3600.0), count(*)
          from time_entries e join tasks t on t.id = e.task_id group by e.user_id`,
  },
  {
    id: 'L3',
    what: 'top-100 by duration',
    anchor: 'c',
    sql: 'select * from time_entries order by duration desc nulls last, id limit 100',
  },
  {
    id: 'L4',
    what: "LIKE '%review%'",
    anchor: 'd',
    sql: "select count(*), sum(duration) from time_entries where description like '%review%'",
  },
  {
    id: 'L5',
    what: 'count(DISTINCT user) per project',
    sql: 'select project_id, count(distinct user_id) from time_entries group by project_id',
  },
  {
    id: 'L6',
    what: "date_trunc('month') grouping",
    sql: `select date_trunc('month', start_time) as month, count(*), sum(duration)
          from time_entries where start_time is not null group by 1 order by 1`,
  },
  {
    id: 'L7',
    what: 'window: running sum per user (1 M rows)',
    sql: `select count(*), max(running), sum(running) from (
            select sum(duration) over (partition by user_id order by id
                                       rows between unbounded preceding and current row) as running
            from time_entries) w`,
  },
  {
    id: 'L8',
    what: '3-way join + GROUP BY client, user type',
    sql: `select p.client_id, u.type, sum(e.duration) / 3600.0 as hours, count(*)
          from time_entries e join projects p on p.id = e.project_id join users u on u.id = e.user_id
          group by p.client_id, u.type`,
  },
  {
    id: 'L9',
    what: 'selective filter (one user, this year)',
    sql: `select count(*), sum(duration) from time_entries
          where user_id = 1050 and start_time >= '2026-01-01'`,
  },
];

/** DuckDB's published times (design.md §4) for anchors a–d, ms. */
const PUBLISHED_DUCKDB: Readonly<Record<string, number>> = { a: 2, b: 5, c: 4, d: 16 };

const DUCK_TYPE: Partial<Record<SqlType, string>> = {
  bigint: 'BIGINT',
  integer: 'INTEGER',
  numeric: 'DOUBLE',
  boolean: 'BOOLEAN',
  text: 'VARCHAR',
  date: 'DATE',
  // Engine timestamps are UTC epoch ms; a plain TIMESTAMP holding UTC gives DuckDB the same
  // date_trunc and comparison results without depending on its ICU time zone extension.
  timestamptz: 'TIMESTAMP',
};

function columnsOf(t: LoadedTable): Column[] {
  return t.columns.map((name) => {
    const c = t.spec.columns.find((x) => x.name === name);
    if (!c) throw new Error(`${t.spec.name} has no column ${name}`);
    return { name, type: c.type, nullable: c.nullable };
  });
}

/** CSV text of one engine value: NULL as unquoted `\N`, text always quoted, timestamps as UTC. */
function csvCell(v: unknown, type: SqlType): string {
  if (v === null || v === undefined) return '\\N';
  switch (type) {
    case 'text':
      return `"${String(v).replaceAll('"', '""')}"`;
    case 'timestamptz':
      return new Date(v as number).toISOString().replace('T', ' ').replace('Z', '');
    default:
      return String(v);
  }
}

/** Order-independent fingerprint of a result: row count and sums of numbers and string hashes. */
interface Fingerprint {
  readonly rows: number;
  readonly sum: number;
}

function valueNumber(v: unknown): number {
  if (v === null || v === undefined) return 0.5;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 2;
  if (v instanceof Date) return v.getTime() / 86_400_000;
  const s = String(v);
  // Dates as 'YYYY-MM-DD' (engine) and JS Dates (DuckDB) agree on the day number.
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return Date.parse(`${s}T00:00:00Z`) / 86_400_000;
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h / 2 ** 32;
}

function fingerprint(rows: readonly (readonly unknown[])[], types?: readonly string[]): Fingerprint {
  let sum = 0;
  for (const r of rows) {
    for (let i = 0; i < r.length; i++) {
      let v = r[i];
      // Engine timestamps are epoch ms numbers: compare them as days, like DuckDB's Dates.
      if (types?.[i] === 'timestamptz' && typeof v === 'number') v = new Date(v);
      sum += valueNumber(v) * (i + 1);
    }
  }
  return { rows: rows.length, sum };
}

const sameFingerprint = (a: Fingerprint, b: Fingerprint): boolean =>
  a.rows === b.rows && Math.abs(a.sum - b.sum) <= 1e-9 * Math.max(1, Math.abs(a.sum));

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const mb = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MB`;

/** One local query's result. */
interface LocalResult {
  readonly q: LocalQuery;
  readonly oursMs: number;
  readonly duckMs: number;
  readonly rows: number;
  readonly same: boolean;
}

/** Options: how many timed runs per engine (after the warm-ups). */
export interface LocalOptions {
  readonly runs?: number;
  readonly duckRuns?: number;
  readonly warmups?: number;
}

/** Loads the large dataset into both engines, runs LOCAL_QUERIES, prints the tables. */
export async function runLocal(options: LocalOptions = {}): Promise<void> {
  const runs = options.runs ?? 5;
  const duckRuns = options.duckRuns ?? 15;
  const warmups = options.warmups ?? 2;
  const rss0 = process.memoryUsage().rss;

  let t0 = performance.now();
  const dataset = generateDataset({ scale: 'large', seed: DEFAULT_SEED, now: BENCH_NOW });
  const genMs = performance.now() - t0;

  t0 = performance.now();
  const loaded = TABLES.map((t) => {
    const cols = columnsOf(t);
    const recs = dataset.records.get(t.path) ?? [];
    const rows: Row[] = new Array(recs.length);
    for (let i = 0; i < recs.length; i++) {
      const rec = recs[i]!;
      rows[i] = cols.map((c) => convertValue(rec[c.name], c.type));
    }
    return { table: t, cols, rows };
  });
  // The generated records are no longer needed: only the converted rows stay alive.
  dataset.records.clear();
  const convertMs = performance.now() - t0;
  const catalog = new Catalog();
  for (const l of loaded) catalog.register(l.table.name, new ArraySource(l.cols, l.rows));
  const engine: Engine = createEngine({ catalog });
  globalThis.gc?.();
  const rssEngine = process.memoryUsage().rss;

  t0 = performance.now();
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const duck = await instance.connect();
  const dir = mkdtempSync(join(tmpdir(), 'paymo-bench-'));
  try {
    for (const l of loaded) {
      const file = join(dir, `${l.table.name}.csv`);
      const parts: string[] = [];
      for (const r of l.rows) parts.push(r.map((v, i) => csvCell(v, l.cols[i]!.type)).join(','));
      writeFileSync(file, `${parts.join('\n')}\n`);
      const spec = l.cols.map((c) => `'${c.name}': '${DUCK_TYPE[c.type] ?? 'VARCHAR'}'`).join(', ');
      await duck.run(
        `create table ${l.table.name} as select * from read_csv('${file}', header = false, delim = ',', ` +
          `quote = '"', escape = '"', nullstr = '\\N', columns = {${spec}})`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const duckLoadMs = performance.now() - t0;
  globalThis.gc?.();
  const rssBoth = process.memoryUsage().rss;

  // Same rows in both: counts per table.
  for (const l of loaded) {
    const r = await duck.runAndReadAll(`select count(*) from ${l.table.name}`);
    const n = Number(r.getRowsJS()[0]![0]);
    if (n !== l.rows.length)
      throw new Error(`${l.table.name}: DuckDB has ${n} rows, the engine ${l.rows.length}`);
  }

  const results: LocalResult[] = [];
  for (const q of LOCAL_QUERIES) {
    const runOurs = async () => {
      const r = await engine.query(q.sql);
      return fingerprint(
        r.rows,
        r.fields.map((f) => f.type),
      );
    };
    const runDuck = async () => fingerprint((await duck.runAndReadAll(q.sql)).getRowsJS());
    const timed = async (f: () => Promise<Fingerprint>, into: number[]) => {
      const s = performance.now();
      const fp = await f();
      into.push(performance.now() - s);
      return fp;
    };
    let fa = await runOurs();
    let fb = await runDuck();
    for (let i = 1; i < warmups; i++) {
      fa = await runOurs();
      fb = await runDuck();
    }
    // Interleaved, so both engines see the same background load on a shared machine.
    const msA: number[] = [];
    const msB: number[] = [];
    const per = Math.max(1, Math.round(duckRuns / runs));
    for (let i = 0; i < runs; i++) {
      fa = await timed(runOurs, msA);
      for (let j = 0; j < per; j++) fb = await timed(runDuck, msB);
    }
    results.push({
      q,
      oursMs: median(msA),
      duckMs: median(msB),
      rows: fa.rows,
      same: sameFingerprint(fa, fb),
    });
  }
  const peakRss = process.resourceUsage().maxRSS * 1024;
  duck.closeSync();
  instance.closeSync();

  const counts = loaded.map((l) => `${l.table.name} ${l.rows.length.toLocaleString('en-US')}`).join(', ');
  out(`== Local execution on the large dataset (${counts}) ==`);
  out(
    `paymo-sql engine over in-memory TableSources (row arrays streamed in batches of 8192, no HTTP, no pushdown) vs DuckDB ${'1.5.6'} in-process (2 threads);`,
  );
  out(
    `median of ${runs} runs (DuckDB ${duckRuns}) after ${warmups} warm-ups; same = equal row count and value checksum.`,
  );
  out(
    `DuckDB published = design.md §4 figure for the same anchor on 1 M synthetic entries (another run, for scale).`,
  );
  out();
  const rows: Cell[][] = results.map((r) => [
    r.q.id,
    r.q.what,
    r.q.anchor ?? '',
    fixed(r.oursMs, 1),
    fixed(r.duckMs, 1),
    `${fixed(r.oursMs / r.duckMs, r.oursMs / r.duckMs >= 10 ? 0 : 1)}×`,
    r.q.anchor ? String(PUBLISHED_DUCKDB[r.q.anchor]) : '',
    r.rows,
    r.same ? 'yes' : 'NO',
  ]);
  out(
    formatTable(
      ['id', 'query', 'anchor', 'paymo-sql ms', 'DuckDB ms', 'ratio', 'DuckDB published', 'rows', 'same'],
      rows,
    ),
  );
  const geo = Math.exp(results.reduce((s, r) => s + Math.log(r.oursMs / r.duckMs), 0) / results.length);
  out();
  out(`geometric mean paymo-sql / DuckDB ${fixed(geo, 1)}×`);
  out(
    `load: generate ${fixed(genMs / 1000, 1)} s, convert to engine rows ${fixed(convertMs / 1000, 1)} s, ` +
      `DuckDB CSV load ${fixed(duckLoadMs / 1000, 1)} s`,
  );
  out(
    `RSS: start ${mb(rss0)}, engine rows loaded ${mb(rssEngine)} (+${mb(rssEngine - rss0)}), ` +
      `DuckDB loaded ${mb(rssBoth)} (+${mb(rssBoth - rssEngine)}), peak ${mb(peakRss)}`,
  );
}
