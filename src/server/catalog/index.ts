/**
 * The emulated PostgreSQL catalog: `pg_catalog` and `information_schema` as in-memory TableSources
 * over a model of the user tables, the catalog functions clients call, and the SQL rewrites that
 * turn what our engine cannot read (reg* casts, `_pg_expandarray`, …) into what it can.
 */
import type { Catalog } from '../../catalog/catalog.js';
import { MemoryTable } from '../../catalog/memory-table.js';
import type { Column, Row, SqlType } from '../../catalog/types.js';
import { catalogFunctions } from './functions.js';
import { buildCatalogData, type CatalogData, type CatalogModel } from './model.js';
import { SYSTEM_RELATIONS, type SystemContext } from './system-relations.js';

export type { CatalogModel, ModelTable } from './model.js';
export { isCatalogStatement, rewriteCatalogSql } from './rewrite.js';

/** Engine type of a system column's PostgreSQL type (oid → bigint, name → text, int2vector → integer[] …). */
export function engineType(pgName: string): SqlType {
  const array = pgName.endsWith('[]') || pgName === 'int2vector' || pgName === 'oidvector';
  const base = pgName.replace(/\[\]$/, '').replace(/vector$/, '');
  const scalar: SqlType =
    base === 'int2' || base === 'int4'
      ? 'integer'
      : base === 'oid' || base === 'int8' || base === 'regproc' || base === 'xid'
        ? 'bigint'
        : base === 'float4' || base === 'float8'
          ? 'double precision'
          : base === 'bool'
            ? 'boolean'
            : base === 'timestamptz'
              ? 'timestamptz'
              : 'text';
  return array ? (`${scalar}[]` as SqlType) : scalar;
}

/** Who the session is and how to read its settings, for current_user, pg_database, pg_settings … */
export interface CatalogSession {
  readonly database: string;
  readonly user: string;
  /** The session setting's value now, or undefined when the session does not know it. */
  readonly setting: (name: string) => string | undefined;
}

const dataCache = new WeakMap<CatalogModel, CatalogData>();

/** The catalog rows of a model, computed once per model object. */
export function catalogData(model: CatalogModel): CatalogData {
  let d = dataCache.get(model);
  if (!d) {
    d = buildCatalogData(model);
    dataCache.set(model, d);
  }
  return d;
}

/**
 * Registers every pg_catalog / information_schema relation (as `pg_catalog.x` / `information_schema.x`,
 * which unqualified names also find) and the catalog functions on a session's catalog. Rows are
 * computed when scanned and never touch the upstream API.
 */
export function installCatalog(catalog: Catalog, model: CatalogModel, session: CatalogSession): CatalogData {
  const data = catalogData(model);
  const ctx: SystemContext = {
    data,
    database: session.database,
    user: session.user,
    setting: session.setting,
  };
  for (const rel of SYSTEM_RELATIONS) {
    const schema: Column[] = rel.columns.map((c) => ({
      name: c.name,
      type: engineType(c.pgType),
      nullable: !c.notNull,
    }));
    // Identity-independent rows are computed once; the rest (pg_database, pg_settings …) per scan.
    let cached: Row[] | undefined;
    const rows = (): Row[] => {
      if (cached) return cached;
      const out = rel.rows(ctx).map((r) => rel.columns.map((c) => r[c.name] ?? null));
      if (STATIC.has(rel.name)) cached = out;
      return out;
    };
    catalog.register(`${rel.schema}.${rel.name}`, new MemoryTable(schema, rows, `${rel.schema}.${rel.name}`));
  }
  for (const [name, fn] of Object.entries(catalogFunctions({ ...session, data }))) {
    catalog.registerFunction(name, fn);
  }
  return data;
}

/** Relations whose rows depend only on the model (cached after the first scan). */
const STATIC = new Set([
  'pg_class',
  'pg_attribute',
  'pg_type',
  'pg_constraint',
  'pg_index',
  'pg_description',
  'pg_proc',
]);
