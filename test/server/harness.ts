import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ScanContext, TableSource } from '../../src/catalog/table-source.js';
import type { Column, Row } from '../../src/catalog/types.js';
import { createEngine } from '../../src/engine.js';
import { queryCanceled } from '../../src/errors.js';
import {
  createPgServer,
  engineBackend,
  type PgServer,
  type PgServerOptions,
} from '../../src/server/index.js';
import { fixture } from '../engine/fixture.js';

/**
 * An endless table that produces one batch of 100 rows every `delayMs`, like a paged upstream API.
 * `batches` counts what was produced, so a test can prove a cancelled scan really stopped.
 */
export class SlowSource implements TableSource {
  readonly schema: Column[] = [
    { name: 'n', type: 'bigint', nullable: false },
    { name: 'label', type: 'text', nullable: false },
  ];
  batches = 0;
  active = 0;

  constructor(
    private readonly delayMs = 5,
    private readonly maxBatches = 100_000,
    private readonly labelLength = 0,
  ) {}

  supportsFilters(filters: readonly unknown[]): ('unsupported' | 'exact')[] {
    return filters.map(() => 'unsupported');
  }

  async *scan(req: { columns: readonly string[] }, ctx: ScanContext): AsyncIterable<Row[]> {
    this.active++;
    try {
      for (let b = 0; b < this.maxBatches; b++) {
        await new Promise((r) => setTimeout(r, this.delayMs));
        if (ctx.signal?.aborted) throw queryCanceled();
        this.batches++;
        ctx.stats.requests++;
        const rows: Row[] = [];
        for (let i = 0; i < 100; i++) {
          const n = b * 100 + i;
          rows.push(req.columns.map((c) => (c === 'n' ? n : `row ${n}`.padEnd(this.labelLength, '.'))));
        }
        yield rows;
      }
    } finally {
      this.active--;
    }
  }

  describeScan(): string[] {
    return ['GET /slow'];
  }
}

/** A server over the engine fixture plus `slow` and `wide` tables; stop it with `server.close()`. */
export async function startServer(
  opts: Partial<PgServerOptions> = {},
): Promise<{ server: PgServer; slow: SlowSource; wide: SlowSource; port: number }> {
  const { catalog } = fixture();
  const slow = new SlowSource();
  catalog.register('slow', slow);
  // As fast as the event loop allows, 1 kB per row: fills socket buffers quickly.
  const wide = new SlowSource(0, 100_000, 1000);
  catalog.register('wide', wide);
  const engine = createEngine({ catalog });
  const server = await createPgServer({
    host: '127.0.0.1',
    port: 0,
    openSession: () => ({ backend: engineBackend(engine) }),
    ...opts,
  });
  return { server, slow, wide, port: server.port };
}

/** Polls `cond` every 10 ms for up to `ms`; returns whether it became true. */
export async function eventually(cond: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}

/**
 * Why a real client cannot run here (null when it can). Outside CI a missing client skips its tests
 * with this reason; in CI it is an error, since .ci/run installs every client.
 */
export function clientUnavailable(name: string, probe: () => boolean, install: string): string | null {
  if (probe()) return null;
  const why = `${name} is not installed (${install})`;
  if (process.env.CI) throw new Error(`${why}: CI must not skip the real-client tests`);
  console.warn(`skipping ${name} tests: ${why}`);
  return why;
}

/** True when `cmd args` runs and exits 0. */
export function runs(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0;
}

/** The Debian python3 (the PATH one may be a pyenv build that cannot see Debian modules). */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** The pgjdbc driver jar the Debian package installs. */
export const JDBC_JAR = '/usr/share/java/postgresql.jar';

/** Why psql cannot run here, or null (see clientUnavailable). */
export const psqlUnavailable = (): string | null =>
  clientUnavailable('psql', () => runs('psql', ['--version']), 'apt-get install postgresql-client');

/** Why a Python driver module (psycopg2, asyncpg, …) cannot be imported here, or null. */
export const pythonModuleUnavailable = (module: string, debianPackage: string): string | null =>
  clientUnavailable(
    module,
    () => runs(PYTHON, ['-c', `import ${module}`]),
    `apt-get install ${debianPackage}`,
  );

/** Why pgjdbc (javac plus the driver jar) cannot run here, or null. */
export const jdbcUnavailable = (): string | null =>
  clientUnavailable(
    'pgjdbc',
    () => runs('javac', ['-version']) && runs('test', ['-f', JDBC_JAR]),
    'apt-get install libpostgresql-jdbc-java default-jdk-headless',
  );

/**
 * Runs a client program asynchronously (the server under test lives in this process, so a sync spawn
 * would deadlock) and resolves with its stdout; rejects with its stderr when it fails.
 */
export function runClient(cmd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} failed: ${stderr || err.message}`)) : resolve(stdout),
    ),
  );
}
