import { createHash } from 'node:crypto';
import { SqlError } from './errors.js';
import { capabilitiesTable } from './paymo/capabilities.js';
import { DEFAULT_BASE_URL, PaymoClient, type PaymoClientOptions } from './paymo/http-client.js';
import { ALL_SPECS } from './paymo/specs/index.js';
import { createPaymoSession, PAYMO_SETTINGS, statementOptions } from './paymo-session.js';
import { engineCopyIn, type QueryBackend, type SessionHandle } from './server/backend.js';
import type { CatalogModel } from './server/catalog/index.js';
import { catalogBackend } from './server/catalog-backend.js';
import { type AuthOptions, createPgServer, type LogFn, type PgServer } from './server/index.js';
import { type SimulatorHandle, startSimulator } from './simulator/index.js';

/** How `paymo-sql serve` runs. */
export interface ServeOptions {
  readonly host?: string;
  readonly port?: number;
  /** The Paymo account to serve; without it (and without `apiKeyIsPassword`) the demo company is served. */
  readonly apiKey?: string;
  readonly baseUrl?: string;
  /** Serve the embedded demo company even when a key is given. */
  readonly demo?: boolean;
  /** SCRAM-SHA-256 password every client must give. */
  readonly password?: string;
  /** Each client's password is its own Paymo API key: one server, many accounts, each its own budget and cache. */
  readonly apiKeyIsPassword?: boolean;
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  readonly log?: LogFn;
}

/** A running `paymo-sql serve`. */
export interface Served {
  readonly server: PgServer;
  /** The demo simulator, when serving the demo company. */
  readonly demo?: SimulatorHandle;
  /** What is being served, for the start-up banner. */
  readonly mode: 'account' | 'demo' | 'per-client-key';
  close(): Promise<void>;
}

/** A fingerprint of an API key for map keys: the key itself is never kept as a key or logged. */
function fingerprint(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

let catalogModel: CatalogModel | undefined;

/** The tables pg_catalog describes: every Paymo table with its comments and keys, and `paymo_capabilities`. */
export function paymoCatalogModel(): CatalogModel {
  catalogModel ??= {
    tables: [
      ...ALL_SPECS.map((s) => ({
        name: s.name,
        comment: s.comment,
        columns: s.columns,
        primaryKey: s.primaryKey,
        foreignKeys: s.foreignKeys,
      })),
      {
        name: 'paymo_capabilities',
        comment: 'What each table supports: DML, required filters and the filters pushed to Paymo',
        columns: capabilitiesTable(ALL_SPECS).schema,
        primaryKey: [],
        foreignKeys: [],
      },
    ],
  };
  return catalogModel;
}

/** Starts the PostgreSQL wire server over a Paymo account, per-client keys, or the demo company. */
export async function serve(options: ServeOptions): Promise<Served> {
  let demo: SimulatorHandle | undefined;
  let baseUrl = options.baseUrl ?? DEFAULT_BASE_URL;
  let apiKey = options.apiKey;
  const mode: Served['mode'] =
    options.apiKeyIsPassword && !options.demo
      ? 'per-client-key'
      : apiKey && !options.demo
        ? 'account'
        : 'demo';
  if (mode === 'demo') {
    demo = await startSimulator({ scale: 'demo', rateLimit: null });
    baseUrl = demo.baseUrl;
    apiKey = demo.apiKey;
  }
  const clientOptions = (key: string): PaymoClientOptions => ({
    apiKey: key,
    baseUrl,
    // The in-process demo has no rate limit; pacing for it would only slow the demo down.
    ...(demo ? { rateLimit: false as const } : {}),
  });
  const clients = new Map<string, PaymoClient>();
  const clientFor = (key: string): PaymoClient => {
    const id = fingerprint(key);
    let c = clients.get(id);
    if (!c) {
      c = new PaymoClient(clientOptions(key));
      clients.set(id, c);
    }
    return c;
  };

  let auth: AuthOptions;
  if (mode === 'per-client-key') {
    auth = {
      method: 'password',
      async check(_user, password) {
        if (!password) return false;
        const client = clientFor(password);
        try {
          // One request proves the key before the session opens (and tells the user at connect time).
          await client.list('me');
        } catch (err) {
          clients.delete(fingerprint(password));
          await client.close();
          if ((err as { status?: number }).status === 401) return false;
          throw new SqlError(
            '08006',
            `could not reach Paymo to check the API key: ${(err as Error).message}`,
          );
        }
        return client;
      },
    };
  } else if (options.password) {
    auth = { method: 'scram-sha-256', password: options.password };
  } else {
    auth = { method: 'trust' };
  }

  const shared = mode === 'per-client-key' ? undefined : clientFor(apiKey!);
  const closeAll = async () => {
    for (const c of clients.values()) await c.close();
    await demo?.close();
  };
  let server: PgServer;
  try {
    server = await createPgServer({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 5433,
      auth,
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.log ? { log: options.log } : {}),
      openSession(info): SessionHandle {
        const client = (info.credentials as PaymoClient | undefined) ?? shared;
        if (!client) throw new SqlError('28000', 'no Paymo account for this connection');
        const paymo = createPaymoSession(client);
        const engineBackend: QueryBackend = {
          stream: (sql, params, opts) =>
            paymo.engineFor(opts.settings).stream(sql, params, statementOptions(opts.settings, opts.signal)),
          // Parse/Describe: result columns and inferred parameter types, planned without any request.
          describe: async (sql, _paramTypes, opts) => paymo.engineFor(opts.settings).describe(sql),
          // COPY … FROM STDIN (psql's \copy): rows checked like an INSERT with the session's write settings.
          copyIn: async (target, opts) =>
            engineCopyIn(
              paymo.engineFor(opts.settings),
              target,
              statementOptions(opts.settings, opts.signal),
            ),
        };
        return {
          settings: PAYMO_SETTINGS,
          // pg_catalog / information_schema over the Paymo tables, answered in memory.
          backend: catalogBackend(engineBackend, {
            catalog: paymo.catalog,
            model: paymoCatalogModel(),
            info,
          }),
        };
      },
    });
  } catch (err) {
    // Nothing may keep running when the server cannot start (e.g. refused beyond loopback).
    await closeAll();
    throw err;
  }
  return {
    server,
    ...(demo ? { demo } : {}),
    mode,
    async close() {
      await server.close();
      await closeAll();
    },
  };
}
