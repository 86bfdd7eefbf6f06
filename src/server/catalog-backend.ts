import type { Catalog } from '../catalog/catalog.js';
import type { SessionSettings } from '../session.js';
import type { ConnectionInfo, QueryBackend } from './backend.js';
import { type CatalogModel, installCatalog, isCatalogStatement, rewriteCatalogSql } from './catalog/index.js';

/** What {@link catalogBackend} needs: the session's catalog, the tables it describes and who connected. */
export interface CatalogBackendOptions {
  /** The session's engine catalog: pg_catalog / information_schema relations and functions are added to it. */
  readonly catalog: Catalog;
  readonly model: CatalogModel;
  readonly info: Pick<ConnectionInfo, 'user' | 'database'>;
}

/**
 * Wraps a backend so clients can discover the schema: the session's catalog gains the emulated
 * `pg_catalog` and `information_schema` (in-memory, never an upstream request), and statements that
 * read them are rewritten into SQL the engine runs (reg* casts, `_pg_expandarray`, …); every other
 * statement (writes and `COPY … FROM STDIN` included) passes through untouched.
 */
export function catalogBackend(inner: QueryBackend, options: CatalogBackendOptions): QueryBackend {
  let settings: SessionSettings | undefined;
  const setting = (name: string): string | undefined => {
    try {
      return settings?.get(name);
    } catch {
      return undefined;
    }
  };
  const data = installCatalog(options.catalog, options.model, {
    database: options.info.database,
    user: options.info.user,
    setting,
  });
  const prepare = (sql: string, s: SessionSettings): string => {
    settings = s;
    return isCatalogStatement(sql) ? rewriteCatalogSql(sql, data) : sql;
  };
  const describe = inner.describe;
  const copyIn = inner.copyIn;
  return {
    stream: (sql, params, opts) => inner.stream(prepare(sql, opts.settings), params, opts),
    ...(describe
      ? { describe: (sql, types, opts) => describe.call(inner, prepare(sql, opts.settings), types, opts) }
      : {}),
    // COPY FROM STDIN targets a user table; the emulated catalog tables are read-only there too.
    ...(copyIn ? { copyIn: (target, opts) => copyIn.call(inner, target, opts) } : {}),
  };
}
