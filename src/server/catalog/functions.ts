import type { UserFunction } from '../../catalog/catalog.js';
import { elementType, type SqlType } from '../../catalog/types.js';
import { SqlError, undefinedTable } from '../../errors.js';
import { type CatalogData, OID, quoteIdent } from './model.js';
import { versionNum } from './system-relations.js';

/** What the session-dependent functions read: who is connected and the session's settings. */
export interface FunctionContext {
  readonly data: CatalogData;
  readonly database: string;
  readonly user: string;
  readonly setting: (name: string) => string | undefined;
}

const SEARCH_PATH = [OID.pgCatalog, OID.public];

/** Splits `a.b` / `"A"."b"` into folded parts (parse_ident). */
export function parseIdent(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === '"') {
      let body = '';
      i++;
      while (i < s.length) {
        if (s[i] === '"' && s[i + 1] === '"') {
          body += '"';
          i += 2;
        } else if (s[i] === '"') {
          i++;
          break;
        } else body += s[i++];
      }
      out.push(body);
    } else {
      let j = i;
      while (j < s.length && s[j] !== '.') j++;
      out.push(s.slice(i, j).trim().toLowerCase());
      i = j;
    }
    if (s[i] === '.') i++;
  }
  return out;
}

/** Resolves a relation name (`tasks`, `public.tasks`, `"pg_catalog".pg_class`) to its OID, or undefined. */
export function relationOid(data: CatalogData, name: string): number | undefined {
  const parts = parseIdent(name.trim());
  const rel = parts[parts.length - 1];
  const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
  const ns = schema === undefined ? undefined : data.namespaces.find((n) => n.name === schema)?.oid;
  if (schema !== undefined && ns === undefined) return undefined;
  const candidates = data.relations.filter((r) => r.name === rel);
  if (ns !== undefined) return candidates.find((r) => r.namespace === ns)?.oid;
  for (const n of SEARCH_PATH) {
    const hit = candidates.find((r) => r.namespace === n);
    if (hit) return hit.oid;
  }
  return undefined;
}

/** What `oid::regclass` prints: the name, schema-qualified when not on the search path. */
export function relationName(data: CatalogData, oid: number): string {
  const r = data.relByOid.get(oid);
  if (!r) return String(oid);
  if (SEARCH_PATH.includes(r.namespace as 11 | 2200)) return quoteIdent(r.name);
  const ns = data.namespaces.find((n) => n.oid === r.namespace)?.name ?? '';
  return `${quoteIdent(ns)}.${quoteIdent(r.name)}`;
}

/** format_type(oid, typmod): the SQL name of a type. */
export function typeName(data: CatalogData, oid: number): string {
  const t = data.typeByOid.get(oid);
  if (!t) return '???';
  return t.sqlName;
}

/** Resolves a type name as written (`integer`, `int4`, `pg_catalog.text`, `text[]`) to its OID. */
export function typeOidByName(data: CatalogData, name: string): number | undefined {
  const n = name
    .trim()
    .toLowerCase()
    .replace(/^pg_catalog\./, '')
    .replace(/"/g, '');
  const alias: Record<string, string> = { int: 'integer', float: 'double precision', decimal: 'numeric' };
  const wanted = alias[n] ?? n;
  return data.types.find((t) => t.name === wanted || t.sqlName.replace(/"/g, '') === wanted)?.oid;
}

const CLASS_OIDS: Record<string, number> = {
  pg_class: 1259,
  pg_namespace: 2615,
  pg_type: 1247,
  pg_proc: 1255,
  pg_constraint: 2606,
  pg_database: 1262,
  pg_attribute: 1249,
};

const toNum = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

/** Privilege check: reading is granted; writing is not (the engine has no DML). */
function granted(priv: unknown, read: readonly string[]): boolean {
  return String(priv)
    .toUpperCase()
    .split(',')
    .map((p) => p.trim().replace(/ WITH GRANT OPTION$/, ''))
    .some((p) => read.includes(p));
}

/** The pg_catalog / information_schema functions clients call, registered on the session's catalog. */
export function catalogFunctions(ctx: FunctionContext): Record<string, UserFunction> {
  const { data } = ctx;
  const relOf = (v: unknown): number => {
    if (typeof v === 'number') return v;
    const oid = relationOid(data, String(v));
    if (oid === undefined) throw undefinedTable(String(v));
    return oid;
  };
  const description = (objoid: number, classoid: number, sub: number): string | null => {
    if (classoid === 1259) {
      const r = data.relByOid.get(objoid);
      if (!r) return null;
      if (sub === 0) return r.comment ?? null;
      return r.attributes.find((a) => a.num === sub)?.comment ?? null;
    }
    if (classoid === 2615 && sub === 0) return data.namespaces.find((n) => n.oid === objoid)?.comment || null;
    return null;
  };
  const tablePrivilege = (args: unknown[]): boolean => {
    const [table, priv] = args.length === 3 ? args.slice(1) : args;
    relOf(table);
    return granted(priv, ['SELECT', 'REFERENCES']);
  };
  const fixed = (returns: SqlType, value: () => unknown, n = 0): UserFunction => ({
    returns,
    args: [],
    minArgs: 0,
    maxArgs: n,
    strict: false,
    impl: () => value(),
  });
  const anyArgs = (
    returns: SqlType,
    min: number,
    max: number,
    impl: (a: unknown[]) => unknown,
  ): UserFunction => ({
    returns,
    minArgs: min,
    maxArgs: max,
    impl,
  });

  return {
    current_database: fixed('text', () => ctx.database),
    current_catalog: fixed('text', () => ctx.database),
    current_schema: fixed('text', () => 'public'),
    current_user: fixed('text', () => ctx.user),
    session_user: fixed('text', () => ctx.user),
    current_role: fixed('text', () => ctx.user),
    user: fixed('text', () => ctx.user),
    current_schemas: {
      returns: 'text[]',
      args: ['boolean'],
      impl: ([implicit]) => (implicit ? ['pg_catalog', 'public'] : ['public']),
    },
    current_setting: {
      returns: 'text',
      args: ['text', 'boolean'],
      minArgs: 1,
      maxArgs: 2,
      impl: ([name, missingOk]) => {
        const n = String(name);
        if (n.toLowerCase() === 'server_version_num')
          return versionNum(ctx.setting('server_version') ?? '15.0');
        const v = ctx.setting(n);
        if (v === undefined && !missingOk)
          throw new SqlError('42704', `unrecognized configuration parameter "${n}"`);
        return v ?? null;
      },
    },
    pg_get_userbyid: {
      returns: 'text',
      args: ['bigint'],
      impl: ([oid]) => (oid === OID.bootstrapRole ? ctx.user : `unknown (OID=${oid})`),
    },
    pg_table_is_visible: {
      returns: 'boolean',
      args: ['bigint'],
      impl: ([oid]) => {
        const r = data.relByOid.get(toNum(oid));
        return r === undefined ? null : r.namespace === OID.public || r.namespace === OID.pgCatalog;
      },
    },
    pg_type_is_visible: {
      returns: 'boolean',
      args: ['bigint'],
      impl: ([oid]) => {
        const t = data.typeByOid.get(toNum(oid));
        return t === undefined ? null : true;
      },
    },
    pg_function_is_visible: { returns: 'boolean', args: ['bigint'], impl: () => true },
    pg_opclass_is_visible: { returns: 'boolean', args: ['bigint'], impl: () => true },
    pg_collation_is_visible: { returns: 'boolean', args: ['bigint'], impl: () => true },
    format_type: {
      returns: 'text',
      args: ['bigint', 'integer'],
      strict: false,
      impl: ([oid]) => (oid === null ? null : typeName(data, toNum(oid))),
    },
    pg_get_expr: { returns: 'text', args: ['text', 'bigint', 'boolean'], minArgs: 2, impl: ([e]) => e },
    pg_get_constraintdef: {
      returns: 'text',
      args: ['bigint', 'boolean'],
      minArgs: 1,
      impl: ([oid]) => data.conByOid.get(toNum(oid))?.def ?? null,
    },
    pg_get_indexdef: {
      returns: 'text',
      args: ['bigint', 'integer', 'boolean'],
      minArgs: 1,
      impl: ([oid, col]) => {
        const i = data.indexByOid.get(toNum(oid));
        if (!i) return null;
        const c = col === undefined ? 0 : toNum(col);
        if (c === 0) return i.def;
        const name = i.columns[c - 1];
        return name === undefined ? '' : quoteIdent(name);
      },
    },
    obj_description: {
      returns: 'text',
      args: ['bigint', 'text'],
      minArgs: 1,
      impl: ([oid, cat]) =>
        description(toNum(oid), cat === undefined ? 1259 : (CLASS_OIDS[String(cat)] ?? 0), 0),
    },
    col_description: {
      returns: 'text',
      args: ['bigint', 'integer'],
      impl: ([oid, n]) => description(toNum(oid), 1259, toNum(n)),
    },
    shobj_description: { returns: 'text', args: ['bigint', 'text'], strict: false, impl: () => null },
    has_table_privilege: anyArgs('boolean', 2, 3, tablePrivilege),
    has_any_column_privilege: anyArgs('boolean', 2, 3, tablePrivilege),
    has_column_privilege: anyArgs('boolean', 3, 4, (a) => {
      const [table, , priv] = a.length === 4 ? a.slice(1) : a;
      relOf(table);
      return granted(priv, ['SELECT', 'REFERENCES']);
    }),
    has_schema_privilege: anyArgs('boolean', 2, 3, (a) => granted(a[a.length - 1], ['USAGE'])),
    has_database_privilege: anyArgs('boolean', 2, 3, (a) =>
      granted(a[a.length - 1], ['CONNECT', 'TEMP', 'TEMPORARY']),
    ),
    has_function_privilege: anyArgs('boolean', 2, 3, (a) => granted(a[a.length - 1], ['EXECUTE'])),
    has_sequence_privilege: anyArgs('boolean', 2, 3, () => false),
    pg_has_role: anyArgs('boolean', 2, 3, () => true),
    pg_encoding_to_char: {
      returns: 'text',
      args: ['integer'],
      impl: ([e]) => (e === 6 ? 'UTF8' : e === 0 ? 'SQL_ASCII' : ''),
    },
    pg_char_to_encoding: {
      returns: 'integer',
      args: ['text'],
      impl: ([e]) => (/^utf-?8$/i.test(String(e)) ? 6 : String(e).toUpperCase() === 'SQL_ASCII' ? 0 : -1),
    },
    pg_get_function_result: {
      returns: 'text',
      args: ['bigint'],
      impl: ([oid]) => {
        const p = data.procs.find((x) => x.oid === oid);
        return p ? typeName(data, p.rettype) : null;
      },
    },
    pg_get_function_arguments: {
      returns: 'text',
      args: ['bigint'],
      impl: ([oid]) => {
        const p = data.procs.find((x) => x.oid === oid);
        return p ? p.argtypes.map((a) => typeName(data, a)).join(', ') : null;
      },
    },
    pg_get_function_identity_arguments: {
      returns: 'text',
      args: ['bigint'],
      impl: ([oid]) => {
        const p = data.procs.find((x) => x.oid === oid);
        return p ? p.argtypes.map((a) => typeName(data, a)).join(', ') : null;
      },
    },
    pg_get_triggerdef: anyArgs('text', 1, 2, () => null),
    pg_get_viewdef: anyArgs('text', 1, 2, () => null),
    pg_get_ruledef: anyArgs('text', 1, 2, () => null),
    pg_get_statisticsobjdef_columns: anyArgs('text', 1, 1, () => null),
    pg_get_serial_sequence: anyArgs('text', 2, 2, () => null),
    pg_relation_is_publishable: anyArgs('boolean', 1, 1, () => false),
    pg_total_relation_size: anyArgs('bigint', 1, 1, () => 0),
    pg_relation_size: anyArgs('bigint', 1, 2, () => 0),
    pg_table_size: anyArgs('bigint', 1, 1, () => 0),
    pg_indexes_size: anyArgs('bigint', 1, 1, () => 0),
    pg_size_pretty: { returns: 'text', args: ['bigint'], impl: ([n]) => `${n} bytes` },
    pg_is_in_recovery: fixed('boolean', () => false),
    pg_backend_pid: fixed('integer', () => process.pid),
    txid_current: fixed('bigint', () => 1),
    pg_current_xact_id: fixed('bigint', () => 1),
    row_security_active: anyArgs('boolean', 1, 1, () => false),
    to_regclass: { returns: 'bigint', args: ['text'], impl: ([n]) => relationOid(data, String(n)) ?? null },
    to_regtype: { returns: 'bigint', args: ['text'], impl: ([n]) => typeOidByName(data, String(n)) ?? null },
    array_lower: {
      returns: 'integer',
      args: [undefined as unknown as SqlType, 'integer'],
      impl: ([a, d]) => (d === 1 && (a as unknown[]).length > 0 ? 1 : null),
    },
    array_upper: {
      returns: 'integer',
      args: [undefined as unknown as SqlType, 'integer'],
      impl: ([a, d]) => (d === 1 && (a as unknown[]).length > 0 ? (a as unknown[]).length : null),
    },
    array_ndims: {
      returns: 'integer',
      minArgs: 1,
      maxArgs: 1,
      impl: ([a]) => ((a as unknown[]).length > 0 ? 1 : null),
    },
    parse_ident: {
      returns: 'text[]',
      args: ['text', 'boolean'],
      minArgs: 1,
      impl: ([s]) => parseIdent(String(s)),
    },
    json_build_object: {
      returns: 'jsonb',
      minArgs: 0,
      maxArgs: 100,
      strict: false,
      impl: (a) => {
        const o: Record<string, unknown> = {};
        for (let i = 0; i + 1 < a.length; i += 2) o[String(a[i])] = a[i + 1];
        return o;
      },
    },
    // Stand-ins the SQL rewriter puts where PostgreSQL has reg* types, subscripts and `&`.
    pg_regclass: {
      returns: 'bigint',
      minArgs: 1,
      maxArgs: 1,
      impl: ([v]) => relOf(v),
    },
    pg_regclass_name: {
      returns: 'text',
      minArgs: 1,
      maxArgs: 1,
      impl: ([v]) => relationName(data, relOf(v)),
    },
    pg_regtype: {
      returns: 'bigint',
      minArgs: 1,
      maxArgs: 1,
      impl: ([v]) => {
        if (typeof v === 'number') return v;
        const oid = typeOidByName(data, String(v));
        if (oid === undefined) throw new SqlError('42704', `type "${v}" does not exist`);
        return oid;
      },
    },
    pg_regtype_name: {
      returns: 'text',
      minArgs: 1,
      maxArgs: 1,
      impl: ([v]) => (typeof v === 'number' ? typeName(data, v) : String(v)),
    },
    pg_regtype_names: {
      returns: 'text[]',
      minArgs: 1,
      maxArgs: 1,
      impl: ([v]) => (v as unknown[]).map((x) => (x === null ? null : typeName(data, toNum(x)))),
    },
    pg_regnamespace_name: {
      returns: 'text',
      minArgs: 1,
      maxArgs: 1,
      impl: ([v]) => data.namespaces.find((n) => n.oid === toNum(v))?.name ?? String(v),
    },
    pg_regproc: {
      returns: 'bigint',
      minArgs: 1,
      maxArgs: 1,
      impl: ([v]) => {
        if (typeof v === 'number') return v;
        const name = String(v).replace(/^pg_catalog\./, '');
        const p = data.procByName.get(name);
        if (!p) throw new SqlError('42883', `function "${v}" does not exist`);
        return p.oid;
      },
    },
    pg_subscript: {
      returns: (t) => elementType(t[0]!),
      args: [undefined as unknown as SqlType, 'integer'],
      impl: ([a, i]) => (a as unknown[])[toNum(i) - 1] ?? null,
    },
    pg_bitand: {
      returns: 'bigint',
      args: ['bigint', 'bigint'],
      impl: ([a, b]) => Number(BigInt(toNum(a)) & BigInt(toNum(b))),
    },
  };
}
