#!/usr/bin/env node
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { tableToIPC } from 'apache-arrow';
import { type Connection, connect } from './connect.js';
import { SqlError } from './errors.js';
import { commandTag, isWriteCommand } from './output/command-tag.js';
import { formatCsv, formatJsonRows, formatNdjson, formatTable } from './output/text.js';
import { parseFaultSpec } from './simulator/faults.js';
import { startSimulator } from './simulator/index.js';
import { parseRateLimit } from './simulator/rate-limit.js';

const USAGE = `Usage: paymo-sql <command> [options]

Commands:
  serve       Serve the Paymo account (PAYMO_API_KEY) to PostgreSQL clients; the demo company without a key
              [--host 127.0.0.1] [--port 5433] [--password P] [--api-key-password] [--demo]
              [--tls-cert FILE --tls-key FILE]
  query SQL   Run one statement: prints its rows, or its command tag (e.g. UPDATE 2) when it has none
              [--format table|csv|json|ndjson|arrow] [--output FILE] [--param VALUE]... [--demo]
  explain SQL Show the plan with each scan's HTTP requests and the request estimate
              [--analyze] [--demo]
  tables      List every table with its allowed statements
  describe T  Show a table's columns, types, keys, pushable filters and required filters
  simulator   Run the local Paymo API simulator
              [--host 127.0.0.1] [--port N] [--scale tiny|demo|large] [--seed N]
              [--api-key KEY] [--rate-limit N/S|off] [--faults SPEC] [--include-cap N|off]
              [--no-required-filters] [--json]
  help        Show this help

Configuration: PAYMO_API_KEY (your Paymo API key) and PAYMO_BASE_URL, or --demo for the
embedded demo company. Errors exit 1 with the message and SQLSTATE on stderr.

Fault SPEC: comma list of kind=probability with kinds 5xx, 429, latency, drop, drop-after-commit,
malformed, truncate-includes, plus seed=N; latency takes a range: latency=0.1@20-200.
`;

/** Thrown for bad command-line input: printed without a stack trace, exit code 2. */
class UsageError extends Error {}

async function runSimulator(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      scale: { type: 'string', default: 'demo' },
      seed: { type: 'string' },
      'api-key': { type: 'string' },
      'rate-limit': { type: 'string', default: '5/5' },
      faults: { type: 'string' },
      'include-cap': { type: 'string', default: '2500' },
      'no-required-filters': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const scale = values.scale;
  if (scale !== 'tiny' && scale !== 'demo' && scale !== 'large') {
    throw new UsageError(`--scale must be tiny, demo or large (got '${scale}')`);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`invalid --port '${values.port}'`);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError(`invalid --seed '${values.seed}'`);
  const cap = values['include-cap'];
  if (cap !== 'off' && !/^\d+$/.test(cap)) throw new UsageError(`--include-cap must be a number or off`);
  let rateLimit: ReturnType<typeof parseRateLimit>;
  let faults: ReturnType<typeof parseFaultSpec> | undefined;
  try {
    rateLimit = parseRateLimit(values['rate-limit']);
    faults = values.faults ? parseFaultSpec(values.faults) : undefined;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }

  const started = Date.now();
  const sim = await startSimulator({
    host: values.host,
    port,
    scale,
    ...(seed !== undefined ? { seed } : {}),
    ...(values['api-key'] ? { apiKey: values['api-key'] } : {}),
    rateLimit,
    ...(faults ? { faults } : {}),
    includeCap: cap === 'off' ? false : Number(cap),
    requiredFilters: !values['no-required-filters'],
  });
  if (values.json) process.stdout.write(`${JSON.stringify({ baseUrl: sim.baseUrl, apiKey: sim.apiKey })}\n`);
  const limitText = rateLimit ? `${rateLimit.limit} requests / ${rateLimit.periodSeconds} s per key` : 'off';
  process.stdout.write(
    [
      `Paymo API simulator (${scale} data, ${Date.now() - started} ms to start)`,
      `  base URL:   ${sim.baseUrl}`,
      `  API key:    ${sim.apiKey}`,
      `  rate limit: ${limitText}`,
      `  try:        curl -u ${sim.apiKey}:x ${sim.baseUrl}projects`,
      '',
    ].join('\n'),
  );
  if (values.host !== '127.0.0.1' && values.host !== 'localhost' && values.host !== '::1') {
    process.stderr.write(
      `warning: listening on ${values.host}, beyond loopback (every request still needs an API key)\n`,
    );
  }
  const stop = () => {
    sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** Opens a connection from PAYMO_API_KEY / PAYMO_BASE_URL, or the demo; `offline` needs no key. */
async function openConnection(demo: boolean, offline = false): Promise<Connection> {
  const apiKey = process.env.PAYMO_API_KEY;
  const baseUrl = process.env.PAYMO_BASE_URL;
  if (demo) return connect({ demo: true });
  if (!apiKey && !offline) {
    throw new Error(
      'no Paymo API key: set PAYMO_API_KEY (and PAYMO_BASE_URL for another server), or pass --demo',
    );
  }
  // Table descriptions come from the specs: no request is made, so any key will do offline.
  return connect({
    apiKey: apiKey ?? 'offline',
    ...(baseUrl ? { baseUrl } : {}),
    ...(process.stderr.isTTY ? { onRequest: progress() } : {}),
  });
}

/** A one-line request counter on stderr while a statement runs (TTY only). */
function progress(): (e: { outcome: string; bytes: number }) => void {
  let requests = 0;
  let bytes = 0;
  return (e) => {
    requests++;
    bytes += e.bytes;
    process.stderr.write(
      `\r\x1b[K… ${requests} Paymo request${requests === 1 ? '' : 's'}, ${(bytes / 1e6).toFixed(1)} MB`,
    );
  };
}

function clearProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}

/** Writes output to --output FILE or stdout. */
async function emit(data: string | Uint8Array, output: string | undefined): Promise<void> {
  const out = output ? createWriteStream(output) : process.stdout;
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    if (output) {
      out.end(data, () => resolve());
    } else {
      out.write(data, (err) => (err ? reject(err) : resolve()));
    }
  });
}

const FORMATS = ['table', 'csv', 'json', 'ndjson', 'arrow'] as const;

async function runQuery(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'table' },
      output: { type: 'string', short: 'o' },
      param: { type: 'string', multiple: true, default: [] },
      demo: { type: 'boolean', default: false },
    },
  });
  const sql = positionals.join(' ').trim();
  if (!sql) throw new UsageError('query needs a SQL statement: paymo-sql query "SELECT …"');
  const format = values.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  if (format === 'arrow' && !values.output && process.stdout.isTTY) {
    throw new UsageError('arrow output is binary: pass --output FILE or redirect stdout');
  }
  const db = await openConnection(values.demo);
  try {
    if (format === 'arrow') {
      const table = await db.queryArrow(sql, values.param);
      clearProgress();
      await emit(tableToIPC(table, 'stream'), values.output);
      return;
    }
    const r = await db.query(sql, values.param, { rowMode: 'array' });
    clearProgress();
    for (const n of r.notices) process.stderr.write(`${n.severity}:  ${n.message}\n`);
    if (values.demo && isWriteCommand(r.command)) {
      process.stderr.write(
        'NOTICE:  --demo runs on a fresh in-memory demo company: this write is gone when the command exits\n',
      );
    }
    if (r.fields.length === 0) {
      // No result columns (a write without RETURNING, SET, …): the command tag, as psql prints it.
      await emit(`${commandTag(r.command, r.rowCount)}\n`, values.output);
      return;
    }
    const text =
      format === 'csv'
        ? formatCsv(r.fields, r.rows)
        : format === 'json'
          ? formatJsonRows(r.fields, r.rows)
          : format === 'ndjson'
            ? formatNdjson(r.fields, r.rows)
            : formatTable(r.fields, r.rows);
    await emit(text, values.output);
  } finally {
    await db.close();
  }
}

async function runExplain(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { analyze: { type: 'boolean', default: false }, demo: { type: 'boolean', default: false } },
  });
  const sql = positionals.join(' ').trim();
  if (!sql) throw new UsageError('explain needs a SQL statement: paymo-sql explain "SELECT …"');
  // Plain EXPLAIN makes no request, so it works without a key; ANALYZE runs the query.
  const db = await openConnection(values.demo, !values.analyze);
  try {
    const text = await db.explain(sql, { analyze: values.analyze });
    clearProgress();
    await emit(`${text.trimEnd()}\n`, undefined);
  } finally {
    await db.close();
  }
}

async function runTables(): Promise<void> {
  const db = await openConnection(false, true);
  try {
    const rows = db.tables().map((t) => [t.name, t.operations.join(', '), t.comment]);
    await emit(
      formatTable(
        [
          { name: 'table', type: 'text' },
          { name: 'statements', type: 'text' },
          { name: 'description', type: 'text' },
        ],
        rows,
      ),
      undefined,
    );
  } finally {
    await db.close();
  }
}

async function runDescribe(argv: string[]): Promise<void> {
  const name = argv[0];
  if (!name) throw new UsageError('describe needs a table name: paymo-sql describe tasks');
  const db = await openConnection(false, true);
  try {
    const d = db.describe(name);
    const cols = d.columns.map((c) => [
      c.name,
      c.type,
      c.nullable ? '' : 'not null',
      c.write,
      c.pushdown,
      c.comment,
    ]);
    const lines = [
      `Table "${d.name}"${d.comment ? `: ${d.comment}` : ''}`,
      formatTable(
        ['column', 'type', 'nullable', 'on write', 'pushed to Paymo', 'description'].map((n) => ({
          name: n,
          type: 'text' as const,
        })),
        cols,
      ).trimEnd(),
      `Statements: ${d.operations.join(', ')}`,
    ];
    // The rules are Markdown in the README; a terminal shows them without the code quotes.
    if (d.writeRules !== 'read-only' && d.writeRules !== '—')
      lines.push(`Write rules: ${d.writeRules.replaceAll('`', '')}`);
    if (d.aliases.length) lines.push(`Also named: ${d.aliases.join(', ')}`);
    if (d.primaryKey.length) lines.push(`Primary key: ${d.primaryKey.join(', ')}`);
    for (const fk of d.foreignKeys) lines.push(`Foreign key: ${fk.column} → ${fk.references}`);
    if (d.requiredFilter) lines.push(`Required filter: ${d.requiredFilter}`);
    await emit(`${lines.join('\n')}\n`, undefined);
  } finally {
    await db.close();
  }
}

async function runServe(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '5433' },
      password: { type: 'string' },
      'api-key-password': { type: 'boolean', default: false },
      demo: { type: 'boolean', default: false },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`invalid --port '${values.port}'`);
  if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) {
    throw new UsageError('--tls-cert and --tls-key go together');
  }
  const password = values.password ?? process.env.PAYMO_SQL_PASSWORD;
  const apiKey = process.env.PAYMO_API_KEY;
  const { readFileSync } = await import('node:fs');
  const { serve } = await import('./serve.js');
  const served = await serve({
    host: values.host,
    port,
    ...(apiKey ? { apiKey } : {}),
    ...(process.env.PAYMO_BASE_URL ? { baseUrl: process.env.PAYMO_BASE_URL } : {}),
    demo: values.demo,
    ...(password ? { password } : {}),
    apiKeyIsPassword: values['api-key-password'],
    ...(values['tls-cert'] && values['tls-key']
      ? { tls: { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']) } }
      : {}),
    log: (level, message) => {
      if (level !== 'info') process.stderr.write(`${level}: ${message}\n`);
    },
  });
  const { host, port: bound } = served.server;
  const lines: string[] = [];
  if (served.mode === 'demo') {
    lines.push(
      '',
      '  *** DEMO MODE: no PAYMO_API_KEY is set, so this serves the embedded DEMO company ***',
      '  *** (simulated data from the built-in Paymo simulator), not your Paymo account.   ***',
      '  Set PAYMO_API_KEY to serve your account.',
      '',
    );
  } else if (served.mode === 'per-client-key') {
    lines.push('Each client logs in with its own Paymo API key as the password.');
  } else {
    lines.push('Serving the Paymo account of PAYMO_API_KEY.');
  }
  const auth = served.mode === 'per-client-key' || password ? ' (you will be asked for the password)' : '';
  lines.push(
    `paymo-sql listening on ${host}:${bound}`,
    `Connect with:  psql "host=${host} port=${bound} user=paymo dbname=paymo"${auth}`,
    '',
  );
  process.stdout.write(lines.join('\n'));
  const stop = () => {
    served.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** Entry point of the `paymo-sql` command. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'simulator':
        await runSimulator(rest);
        return 0;
      case 'serve':
        await runServe(rest);
        return 0;
      case 'query':
        await runQuery(rest);
        return 0;
      case 'explain':
        await runExplain(rest);
        return 0;
      case 'tables':
        await runTables();
        return 0;
      case 'describe':
        await runDescribe(rest);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`paymo-sql: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    clearProgress();
    if (err instanceof SqlError) {
      const lines = [`ERROR:  ${err.message}`, `SQLSTATE: ${err.code}`];
      if (err.detail) lines.push(`DETAIL:  ${err.detail}`);
      if (err.hint) lines.push(`HINT:  ${err.hint}`);
      process.stderr.write(`${lines.join('\n')}\n`);
      return 1;
    }
    process.stderr.write(`paymo-sql: ${(err as Error).message}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
if (code !== 0) process.exit(code);
