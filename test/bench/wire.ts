/**
 * The wire benchmark of `npm run bench`: 1,000,000 rows streamed to `psql -At` and to node `pg`
 * from paymo-sql and from a real PostgreSQL 15 holding the same rows, in the same run, with the
 * ratio. Figures, not assertions (design.md §5).
 *
 * paymo-sql serves the rows from memory (an ArraySource: no HTTP, so the wire path is what gets
 * timed) in this process; PostgreSQL generates the same rows with generate_series. Every client is
 * a child process, so a client never competes with the server for this process's event loop (the
 * machine has 2 cores: one for the server, one for the client). Each measurement is warmed up and
 * then taken RUNS times; the median is printed. Before timing, the psql output of both servers is
 * checked to be byte-identical (md5), and node pg's decoded values to agree.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Catalog } from '../../src/catalog/catalog.js';
import type { Column, Row } from '../../src/catalog/types.js';
import { createEngine } from '../../src/engine.js';
import { createPgServer, engineBackend } from '../../src/server/index.js';
import { postgresBinDir, startTempPostgres } from '../support/postgres.js';
import { ArraySource } from './array-source.js';
import { type Cell, fixed, formatTable, out } from './table.js';

const ROWS = Number(process.env.WIRE_BENCH_ROWS ?? 1_000_000);
const RUNS = Number(process.env.WIRE_BENCH_RUNS ?? 3);

const SCHEMA: readonly Column[] = [
  { name: 'id', type: 'bigint', nullable: false },
  { name: 'task_id', type: 'bigint', nullable: false },
  { name: 'user_name', type: 'text', nullable: false },
  { name: 'entry_date', type: 'date', nullable: false },
  { name: 'minutes', type: 'integer', nullable: false },
  { name: 'billed', type: 'boolean', nullable: false },
  { name: 'started_at', type: 'timestamptz', nullable: false },
  { name: 'description', type: 'text', nullable: true },
];

const DAY_MS = 86_400_000;
const EPOCH_2023 = Date.UTC(2023, 0, 1);

/** Row i (1-based) of the benchmark table, exactly as {@link POSTGRES_LOAD} computes it. */
function row(i: number): Row {
  return [
    i,
    1 + ((i * 7919) % 50_000),
    `user ${i % 200}`,
    new Date(EPOCH_2023 + (i % 730) * DAY_MS).toISOString().slice(0, 10),
    (i * 37) % 480,
    i % 3 === 0,
    EPOCH_2023 + i * 17_000,
    i % 10 === 0 ? null : `entry ${i} ünï`,
  ];
}

const POSTGRES_LOAD = `
CREATE TABLE entries (id bigint, task_id bigint, user_name text, entry_date date, minutes integer,
  billed boolean, started_at timestamptz, description text);
INSERT INTO entries
SELECT i, 1 + (i * 7919) % 50000, 'user ' || (i % 200), date '2023-01-01' + (i % 730)::int,
  ((i * 37) % 480)::int, i % 3 = 0, timestamptz '2023-01-01 00:00:00+00' + i * interval '17 seconds',
  CASE WHEN i % 10 = 0 THEN NULL ELSE 'entry ' || i || ' ünï' END
FROM generate_series(1::bigint, ${ROWS}::bigint) AS i;
`;

const QUERY = 'select * from entries';

/** Runs a command; resolves with stdout (rejects with stderr on failure). */
function run(cmd: string, args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${cmd}: ${stderr || err.message}`)) : resolve(stdout),
    );
  });
}

// The node pg client, run as its own process: times the query (not connect or node start-up) and
// returns a checksum of the decoded values so both servers can be compared.
const PG_CLIENT = `
const pg = (await import(process.argv[1])).default;
const c = new pg.Client({ connectionString: process.argv[2] });
await c.connect();
const t0 = performance.now();
const r = await c.query(${JSON.stringify(QUERY)});
const ms = performance.now() - t0;
let minutes = 0, billed = 0, chars = 0, time = 0, ids = 0n;
for (const x of r.rows) {
  ids += BigInt(x.id);
  minutes += x.minutes;
  if (x.billed) billed++;
  chars += x.description === null ? 0 : x.description.length;
  time += x.started_at.getTime() / 1000 + x.entry_date.getTime() / 1e6;
}
console.log(JSON.stringify({ ms, rows: r.rows.length, check: [String(ids), minutes, billed, chars, Math.round(time)] }));
await c.end();
`;

interface Target {
  readonly name: string;
  readonly port: number;
}

const conninfo = (t: Target): string => `host=127.0.0.1 port=${t.port} user=postgres dbname=postgres`;
const url = (t: Target): string => `postgres://postgres@127.0.0.1:${t.port}/postgres`;

async function timePsql(t: Target, sql: string): Promise<number> {
  const t0 = performance.now();
  await run('psql', [conninfo(t), '-X', '-At', '-o', '/dev/null', '-c', sql]);
  return performance.now() - t0;
}

async function nodePg(t: Target, pgPath: string): Promise<{ ms: number; rows: number; check: unknown[] }> {
  const stdout = await run(process.execPath, ['--input-type=module', '-e', PG_CLIENT, pgPath, url(t)]);
  return JSON.parse(stdout) as { ms: number; rows: number; check: unknown[] };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Warm-up, then RUNS timings; the median. */
async function measure(f: () => Promise<number>): Promise<number> {
  await f();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await f());
  return median(times);
}

/** Runs the wire benchmark and prints its table; prints why not when PostgreSQL or psql is missing. */
export async function runWire(): Promise<void> {
  out(
    `## Wire throughput: ${ROWS.toLocaleString('en')} rows, paymo-sql vs PostgreSQL 15 (median of ${RUNS})`,
  );
  out();
  if (!postgresBinDir()) {
    out('skipped: PostgreSQL server not installed (apt-get install postgresql; .ci/run does)');
    return;
  }
  try {
    await run('psql', ['--version']);
  } catch {
    out('skipped: psql not installed (apt-get install postgresql-client)');
    return;
  }
  const pgPath = pathToFileURL(createRequire(import.meta.url).resolve('pg')).href;

  const t0 = performance.now();
  const rows: Row[] = new Array(ROWS);
  for (let i = 0; i < ROWS; i++) rows[i] = row(i + 1);
  const catalog = new Catalog();
  catalog.register('entries', new ArraySource(SCHEMA, rows));
  const engine = createEngine({ catalog });
  const server = await createPgServer({
    host: '127.0.0.1',
    port: 0,
    openSession: () => ({ backend: engineBackend(engine) }),
  });
  const postgres = await startTempPostgres();
  try {
    await postgres.client.query(POSTGRES_LOAD);
    // Set hint bits and the visibility map now, so no timed scan does that work.
    await postgres.client.query('VACUUM ANALYZE entries');
    out(`setup (generate, load PostgreSQL): ${fixed((performance.now() - t0) / 1000)} s`);
    const ours: Target = { name: 'paymo-sql', port: server.port };
    const theirs: Target = { name: 'PostgreSQL 15', port: postgres.port };

    // Same rows, same bytes: psql's unaligned output and node pg's decoded values must agree.
    const md5 = async (t: Target) =>
      (await run('sh', ['-c', `psql "${conninfo(t)}" -X -At -c '${QUERY}' | md5sum`])).trim();
    const [a, b] = [await md5(ours), await md5(theirs)];
    const [pa, pb] = [await nodePg(ours, pgPath), await nodePg(theirs, pgPath)];
    const same = a === b && JSON.stringify(pa.check) === JSON.stringify(pb.check) && pa.rows === ROWS;
    out(
      `same rows: ${same ? 'yes' : 'NO'} (psql output md5 ${a.slice(0, 12)} vs ${b.slice(0, 12)}; node pg rows ${pa.rows} vs ${pb.rows})`,
    );
    out();

    const result: Cell[][] = [];
    const copySql = `\\copy (${QUERY}) to '/dev/null' csv header`;
    const figures: Record<string, { psql: number; pg: number; copy: number; rss: number }> = {};
    for (const t of [theirs, ours]) {
      const rssBefore = process.memoryUsage().rss;
      let peak = rssBefore;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 50);
      const psql = await measure(() => timePsql(t, QUERY));
      const pg = await measure(async () => (await nodePg(t, pgPath)).ms);
      const copy = await measure(() => timePsql(t, copySql));
      clearInterval(sampler);
      figures[t.name] = { psql, pg, copy, rss: peak - rssBefore };
    }
    const p = figures[theirs.name]!;
    const o = figures[ours.name]!;
    const rate = (ms: number) => `${fixed(ROWS / ms / 1000, 2)} M rows/s`;
    for (const [name, f] of [
      [theirs.name, p],
      [ours.name, o],
    ] as const) {
      result.push([
        name,
        `${fixed(f.psql, 0)} ms`,
        rate(f.psql),
        `${fixed(f.pg, 0)} ms`,
        rate(f.pg),
        `${fixed(f.copy, 0)} ms`,
      ]);
    }
    result.push([
      'ratio paymo-sql / PostgreSQL',
      `${fixed(o.psql / p.psql, 2)}×`,
      '',
      `${fixed(o.pg / p.pg, 2)}×`,
      '',
      `${fixed(o.copy / p.copy, 2)}×`,
    ]);
    out(formatTable(['server', 'psql -At', 'psql rate', 'node pg', 'node pg rate', '\\copy csv'], result));
    out();
    out(
      `psql -At: wall time of the psql process (connect, query, ${ROWS.toLocaleString('en')} rows to /dev/null). ` +
        'node pg: client.query() time in a separate node process (text results parsed into row objects). ' +
        "\\copy csv: psql's \\copy (select …) to '/dev/null' csv header. " +
        `Server-process RSS growth while serving (paymo-sql, in this process): ${fixed(o.rss / 1024 / 1024, 0)} MB.`,
    );
  } finally {
    await server.close();
    await postgres.close();
  }
}
