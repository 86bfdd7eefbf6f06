import { createEngine, DEFAULT_MAX_WRITE_ROWS, type Engine, type QueryStream } from './engine.js';
import { DEFAULT_CACHE_TTL_MS } from './paymo/cache.js';
import { createPaymoCatalog, DEFAULT_REQUEST_BUDGET, type PaymoCatalog } from './paymo/catalog.js';
import type { PaymoClient } from './paymo/http-client.js';
import {
  booleanSetting,
  durationSetting,
  integerSetting,
  parseDuration,
  type SessionSettings,
  type SettingDef,
} from './session.js';

/** Default of `paymo.max_write_rows`: a statement touching more rows is refused before writing. */
export { DEFAULT_MAX_WRITE_ROWS };

/** The `paymo.*` settings every session (embedded or over the wire) understands. */
export const PAYMO_SETTINGS: readonly SettingDef[] = [
  {
    name: 'paymo.max_requests',
    default: String(DEFAULT_REQUEST_BUDGET),
    description:
      'Most Paymo API reads one statement may make, all its scans together (cached answers are free); above it the statement fails with 53400.',
    validate: integerSetting('paymo.max_requests', 1),
  },
  {
    name: 'paymo.cache_ttl',
    default: `${DEFAULT_CACHE_TTL_MS / 1000}s`,
    description: 'How long a cached Paymo response may answer again (0 = only within one statement).',
    validate: durationSetting('paymo.cache_ttl', 's'),
  },
  {
    name: 'paymo.pushdown',
    default: 'on',
    description: 'Push filters, limits and join keys into Paymo requests (off: fetch and filter locally).',
    validate: booleanSetting('paymo.pushdown'),
  },
  {
    name: 'paymo.allow_unfiltered_writes',
    default: 'off',
    description: 'Allow UPDATE and DELETE without WHERE (off: refused with 55000 before any request).',
    validate: booleanSetting('paymo.allow_unfiltered_writes'),
  },
  {
    name: 'paymo.max_write_rows',
    default: String(DEFAULT_MAX_WRITE_ROWS),
    description:
      'Most rows one INSERT, UPDATE, DELETE or COPY may write; above it the statement writes nothing.',
    validate: integerSetting('paymo.max_write_rows', 1),
  },
];

/** The engine options a statement gets from its session: cancellation, time zone, write safety. */
export function statementOptions(
  settings: SessionSettings,
  signal?: AbortSignal,
): { signal?: AbortSignal; timeZone: string; allowUnfilteredWrites: boolean; maxWriteRows: number } {
  return {
    ...(signal ? { signal } : {}),
    timeZone: settings.get('timezone'),
    allowUnfilteredWrites: settings.get('paymo.allow_unfiltered_writes') === 'on',
    maxWriteRows: Number(settings.get('paymo.max_write_rows')),
  };
}

/** The Paymo side of one session: its own catalog (budget, cache) over a shared client. */
export interface PaymoSessionEngines {
  readonly catalog: PaymoCatalog;
  /** Applies the session's `paymo.*` settings and returns the engine to run the next statement on. */
  engineFor(settings: SessionSettings): Engine;
}

/**
 * Builds one session's catalog and engines. Each session owns its catalog so one client's
 * `SET paymo.max_requests` or cache TTL never changes another's statement mid-flight; the HTTP
 * client (and with it the per-key rate limiter) is shared.
 */
export function createPaymoSession(
  client: PaymoClient,
  options: { readonly requestBudget?: number; readonly cacheTtlMs?: number } = {},
): PaymoSessionEngines {
  const catalog = createPaymoCatalog({
    client,
    ...(options.requestBudget !== undefined ? { requestBudget: options.requestBudget } : {}),
    ...(options.cacheTtlMs !== undefined ? { cacheTtlMs: options.cacheTtlMs } : {}),
  });
  const writeSettingNames = {
    allowUnfilteredWrites: 'paymo.allow_unfiltered_writes',
    maxWriteRows: 'paymo.max_write_rows',
  };
  const on = statementScoped(createEngine({ catalog, pushdown: true, writeSettingNames }), catalog);
  const off = statementScoped(createEngine({ catalog, pushdown: false, writeSettingNames }), catalog);
  return {
    catalog,
    engineFor(settings) {
      catalog.setRequestBudget(Number(settings.get('paymo.max_requests')));
      catalog.cache.setTtl(parseDuration(settings.get('paymo.cache_ttl'), 's'));
      return settings.get('paymo.pushdown') === 'on' ? on : off;
    },
  };
}

/**
 * The engine with each call run as one statement of the catalog (`PaymoCatalog.statement`), so no
 * Paymo request repeats within it whatever `paymo.cache_ttl` says. A multi-statement text is one
 * scope (the statements of one simple-query message share answers); a stream's scope lasts until it
 * is read to the end, fails, or is closed early.
 */
function statementScoped(engine: Engine, catalog: PaymoCatalog): Engine {
  return {
    query: (sql, params, opts) => catalog.statement(() => engine.query(sql, params, opts)),
    queryMany: (sql, params, opts) => catalog.statement(() => engine.queryMany(sql, params, opts)),
    explain: (sql, opts) => catalog.statement(() => engine.explain(sql, opts)),
    plan: (sql, params) => engine.plan(sql, params),
    describe: (sql) => engine.describe(sql),
    copyFrom(table, columns, opts) {
      const copy = engine.copyFrom(table, columns, opts);
      return {
        columns: copy.columns,
        write: (rows) => copy.write(rows),
        // The checks and writes all happen in end(): one statement scope.
        end: () => catalog.statement(() => copy.end()),
        abort: (reason) => copy.abort(reason),
      };
    },
    async stream(sql, params, opts) {
      const scope = catalog.openStatement();
      let inner: QueryStream;
      try {
        inner = await scope.step(() => engine.stream(sql, params, opts));
      } catch (error) {
        scope.close();
        throw error;
      }
      return {
        command: inner.command,
        fields: inner.fields,
        get rowCount() {
          return inner.rowCount;
        },
        [Symbol.asyncIterator](): AsyncIterator<unknown[][]> {
          const it = inner[Symbol.asyncIterator]();
          const settle = async (
            next: () => Promise<IteratorResult<unknown[][]>>,
          ): Promise<IteratorResult<unknown[][]>> => {
            try {
              const r = await scope.step(next);
              if (r.done) scope.close();
              return r;
            } catch (error) {
              scope.close();
              throw error;
            }
          };
          return {
            next: () => settle(() => it.next()),
            return: (value?: unknown) => {
              const r = settle(() =>
                it.return ? it.return(value) : Promise.resolve({ done: true as const, value: undefined }),
              );
              return r.finally(() => scope.close());
            },
          };
        },
      };
    },
  };
}
