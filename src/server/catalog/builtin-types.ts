/**
 * The built-in PostgreSQL 15 types the emulated `pg_type` lists: every type our tables use, the
 * types of the catalog's own columns, and the pseudo-types clients probe for (record, void,
 * trigger). OIDs, lengths, categories and I/O function names are PostgreSQL 15's own.
 */

/** One row of `pg_type` for a built-in type (array types are derived from their element). */
export interface BuiltinType {
  readonly oid: number;
  readonly name: string;
  /** What `format_type(oid, NULL)` prints, e.g. `bigint` for `int8`. */
  readonly sqlName: string;
  readonly len: number;
  readonly byval: boolean;
  /** `b` base, `p` pseudo. */
  readonly type: 'b' | 'p';
  readonly category: string;
  readonly preferred?: boolean;
  /** Array type OID, 0 when the type has none. */
  readonly array: number;
  /** Element type of a fixed-length vector type (int2vector, oidvector, name), else 0. */
  readonly elem?: number;
  readonly align: 'c' | 's' | 'i' | 'd';
  readonly storage: 'p' | 'x' | 'e' | 'm';
  readonly collation?: number;
  /** Base name of the I/O functions (`int8` → int8in/int8out/int8recv/int8send). */
  readonly io: string;
}

/** Collation OIDs PostgreSQL 15 ships: `default` and `C`. */
export const DEFAULT_COLLATION_OID = 100;
export const C_COLLATION_OID = 950;

const t = (
  oid: number,
  name: string,
  sqlName: string,
  len: number,
  category: string,
  array: number,
  extra: Partial<BuiltinType> = {},
): BuiltinType => ({
  oid,
  name,
  sqlName,
  len,
  byval: len > 0 && len <= 8 && !['name', 'uuid', 'interval', 'aclitem'].includes(name),
  type: 'b',
  category,
  array,
  align: len === 8 ? 'd' : len === 2 ? 's' : len === 1 || len === -2 ? 'c' : 'i',
  storage: len === -1 ? 'x' : 'p',
  io: name,
  ...extra,
});

/** Built-in base and pseudo types, in OID order. */
export const BUILTIN_TYPES: readonly BuiltinType[] = [
  t(16, 'bool', 'boolean', 1, 'B', 1000, { preferred: true, io: 'bool' }),
  t(17, 'bytea', 'bytea', -1, 'U', 1001),
  t(18, 'char', '"char"', 1, 'Z', 1002, { io: 'char' }),
  t(19, 'name', 'name', 64, 'S', 1003, { elem: 18, collation: C_COLLATION_OID, align: 'c' }),
  t(20, 'int8', 'bigint', 8, 'N', 1016),
  t(21, 'int2', 'smallint', 2, 'N', 1005),
  t(22, 'int2vector', 'int2vector', -1, 'A', 1006, { elem: 21, storage: 'p' }),
  t(23, 'int4', 'integer', 4, 'N', 1007),
  t(24, 'regproc', 'regproc', 4, 'N', 1008),
  t(25, 'text', 'text', -1, 'S', 1009, { preferred: true, collation: DEFAULT_COLLATION_OID }),
  t(26, 'oid', 'oid', 4, 'N', 1028, { preferred: true }),
  t(28, 'xid', 'xid', 4, 'U', 1011),
  t(30, 'oidvector', 'oidvector', -1, 'A', 1013, { elem: 26, storage: 'p' }),
  t(114, 'json', 'json', -1, 'U', 199),
  t(194, 'pg_node_tree', 'pg_node_tree', -1, 'Z', 0, { collation: DEFAULT_COLLATION_OID }),
  t(700, 'float4', 'real', 4, 'N', 1021),
  t(701, 'float8', 'double precision', 8, 'N', 1022, { preferred: true }),
  t(705, 'unknown', 'unknown', -2, 'X', 0, { type: 'p' }),
  t(1033, 'aclitem', 'aclitem', 12, 'U', 1034),
  t(1042, 'bpchar', 'character', -1, 'S', 1014, { collation: DEFAULT_COLLATION_OID }),
  t(1043, 'varchar', 'character varying', -1, 'S', 1015, { collation: DEFAULT_COLLATION_OID }),
  t(1082, 'date', 'date', 4, 'D', 1182, { io: 'date' }),
  t(1083, 'time', 'time without time zone', 8, 'D', 1183),
  t(1114, 'timestamp', 'timestamp without time zone', 8, 'D', 1115),
  t(1184, 'timestamptz', 'timestamp with time zone', 8, 'D', 1185, { preferred: true }),
  t(1186, 'interval', 'interval', 16, 'T', 1187, { preferred: true, align: 'd' }),
  t(1700, 'numeric', 'numeric', -1, 'N', 1231, { storage: 'm' }),
  t(2205, 'regclass', 'regclass', 4, 'N', 2210),
  t(2206, 'regtype', 'regtype', 4, 'N', 2211),
  t(2249, 'record', 'record', -1, 'P', 2287, { type: 'p', io: 'record' }),
  t(2275, 'cstring', 'cstring', -2, 'P', 1263, { type: 'p' }),
  t(2276, 'any', '"any"', 4, 'P', 0, { type: 'p', io: 'any' }),
  t(2277, 'anyarray', 'anyarray', -1, 'P', 0, { type: 'p', align: 'd' }),
  t(2278, 'void', 'void', 4, 'P', 0, { type: 'p' }),
  t(2279, 'trigger', 'trigger', 4, 'P', 0, { type: 'p' }),
  t(2283, 'anyelement', 'anyelement', 4, 'P', 0, { type: 'p' }),
  t(2950, 'uuid', 'uuid', 16, 'U', 2951, { align: 'c' }),
  t(3802, 'jsonb', 'jsonb', -1, 'U', 3807),
  t(4089, 'regnamespace', 'regnamespace', 4, 'N', 4090),
];

/** One pg_type row for a built-in type or array type, flattened. */
export interface TypeRow {
  readonly oid: number;
  readonly name: string;
  readonly sqlName: string;
  readonly len: number;
  readonly byval: boolean;
  readonly type: 'b' | 'p' | 'c';
  readonly category: string;
  readonly preferred: boolean;
  readonly elem: number;
  readonly array: number;
  readonly relid: number;
  readonly input: string;
  readonly output: string;
  readonly receive: string;
  readonly send: string;
  readonly align: string;
  readonly storage: string;
  readonly collation: number;
  readonly namespace: number;
}

/** Every built-in type and the array type of each, as pg_type rows (namespace pg_catalog). */
export function builtinTypeRows(): TypeRow[] {
  const rows: TypeRow[] = [];
  for (const b of BUILTIN_TYPES) {
    const io = b.io;
    rows.push({
      oid: b.oid,
      name: b.name,
      sqlName: b.sqlName,
      len: b.len,
      byval: b.byval,
      type: b.type,
      category: b.category,
      preferred: b.preferred ?? false,
      elem: b.elem ?? 0,
      array: b.array,
      relid: 0,
      input: `${io}_in`.replace(/_in$/, 'in'),
      output: `${io}out`,
      receive: `${io}recv`,
      send: `${io}send`,
      align: b.align,
      storage: b.storage,
      collation: b.collation ?? 0,
      namespace: 11,
    });
    if (b.array !== 0) {
      rows.push({
        oid: b.array,
        name: `_${b.name}`,
        sqlName: `${b.sqlName}[]`,
        len: -1,
        byval: false,
        type: 'b',
        category: 'A',
        preferred: false,
        elem: b.oid,
        array: 0,
        relid: 0,
        input: 'array_in',
        output: 'array_out',
        receive: 'array_recv',
        send: 'array_send',
        align: b.align === 'd' ? 'd' : 'i',
        storage: 'x',
        collation: b.collation ?? 0,
        namespace: 11,
      });
    }
  }
  return rows;
}
