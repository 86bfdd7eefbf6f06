import { elementType, isArrayType, type SqlType } from '../../catalog/types.js';
import { pgType } from '../pg-types.js';
import {
  BUILTIN_TYPES,
  builtinTypeRows,
  C_COLLATION_OID,
  DEFAULT_COLLATION_OID,
  type TypeRow,
} from './builtin-types.js';
import { SYSTEM_RELATIONS, type SystemColumn } from './system-relations.js';

/** One user table as the catalog describes it: columns, comments, keys. */
export interface ModelTable {
  readonly name: string;
  readonly comment?: string;
  readonly columns: readonly {
    readonly name: string;
    readonly type: SqlType;
    readonly nullable: boolean;
    readonly comment?: string;
  }[];
  readonly primaryKey: readonly string[];
  readonly foreignKeys: readonly {
    readonly column: string;
    readonly table: string;
    readonly references: string;
  }[];
}

/** What the emulated catalog describes: the user tables of schema `public`. */
export interface CatalogModel {
  readonly tables: readonly ModelTable[];
}

/** OIDs PostgreSQL 15 gives its fixed objects. */
export const OID = {
  pgCatalog: 11,
  public: 2200,
  pgToast: 99,
  informationSchema: 13183,
  bootstrapRole: 10,
  database: 5,
  btree: 403,
  hash: 405,
  heap: 2,
  pgClass: 1259,
  pgType: 1247,
  pgProc: 1255,
  pgNamespace: 2615,
  pgConstraint: 2606,
  pgDatabase: 1262,
} as const;

/** First OID handed to user objects (PostgreSQL's FirstNormalObjectId). */
const FIRST_USER_OID = 16384;

/** One attribute of a relation, as pg_attribute holds it. */
export interface AttRow {
  readonly name: string;
  readonly num: number;
  readonly typeOid: number;
  readonly typmod: number;
  readonly len: number;
  readonly byval: boolean;
  readonly align: string;
  readonly storage: string;
  readonly notNull: boolean;
  readonly collation: number;
  readonly comment?: string;
}

/** One relation (table, view or index). */
export interface RelRow {
  readonly oid: number;
  readonly name: string;
  readonly namespace: number;
  readonly kind: 'r' | 'v' | 'i';
  /** Row type OID (0 for indexes). */
  readonly reltype: number;
  readonly am: number;
  readonly attributes: readonly AttRow[];
  readonly comment?: string;
  readonly hasIndex: boolean;
}

/** One constraint (primary or foreign key). */
export interface ConRow {
  readonly oid: number;
  readonly name: string;
  readonly type: 'p' | 'f';
  readonly relid: number;
  /** The index that enforces it (PK) or that the referenced key uses (FK). */
  readonly indid: number;
  readonly frelid: number;
  readonly key: readonly number[];
  readonly fkey: readonly number[];
  readonly def: string;
}

/** One index (every user table has its primary key index). */
export interface IndexRow {
  readonly oid: number;
  readonly relid: number;
  readonly key: readonly number[];
  readonly primary: boolean;
  readonly unique: boolean;
  readonly def: string;
  readonly columns: readonly string[];
}

/** One pg_proc row (the I/O functions pg_type points at). */
export interface ProcRow {
  readonly oid: number;
  readonly name: string;
  readonly rettype: number;
  readonly argtypes: readonly number[];
}

/** Everything the catalog tables and functions answer from, computed once per model. */
export interface CatalogData {
  readonly namespaces: readonly { readonly oid: number; readonly name: string; readonly comment: string }[];
  readonly relations: readonly RelRow[];
  readonly relByOid: ReadonlyMap<number, RelRow>;
  readonly types: readonly TypeRow[];
  readonly typeByOid: ReadonlyMap<number, TypeRow>;
  readonly constraints: readonly ConRow[];
  readonly conByOid: ReadonlyMap<number, ConRow>;
  readonly indexes: readonly IndexRow[];
  readonly indexByOid: ReadonlyMap<number, IndexRow>;
  readonly procs: readonly ProcRow[];
  readonly procByName: ReadonlyMap<string, ProcRow>;
}

/** Quotes an identifier the way PostgreSQL prints it (only when it must). */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

const RESERVED = new Set([
  'all',
  'analyse',
  'analyze',
  'and',
  'any',
  'array',
  'as',
  'asc',
  'both',
  'case',
  'cast',
  'check',
  'collate',
  'column',
  'constraint',
  'create',
  'default',
  'desc',
  'distinct',
  'do',
  'else',
  'end',
  'except',
  'false',
  'for',
  'foreign',
  'from',
  'grant',
  'group',
  'having',
  'in',
  'into',
  'leading',
  'limit',
  'not',
  'null',
  'offset',
  'on',
  'only',
  'or',
  'order',
  'primary',
  'references',
  'select',
  'table',
  'then',
  'to',
  'trailing',
  'true',
  'union',
  'unique',
  'user',
  'using',
  'when',
  'where',
  'with',
]);

const typeOidOf = (t: SqlType): number => pgType(t).oid;

/** pg_type OID of a catalog column's declared PostgreSQL type name (`oid`, `name`, `int2[]` …). */
function systemTypeOid(pgName: string): number {
  const array = pgName.endsWith('[]');
  const base = array ? pgName.slice(0, -2) : pgName;
  const b = BUILTIN_TYPES.find((x) => x.name === base);
  if (!b) throw new Error(`catalog: unknown system column type ${pgName}`);
  return array ? b.array : b.oid;
}

function systemAttributes(cols: readonly SystemColumn[]): AttRow[] {
  return cols.map((c, i) => {
    const oid = systemTypeOid(c.pgType);
    const b = BUILTIN_TYPES.find((x) => x.oid === oid);
    return {
      name: c.name,
      num: i + 1,
      typeOid: oid,
      typmod: -1,
      len: b?.len ?? -1,
      byval: b?.byval ?? false,
      align: b?.align ?? 'i',
      storage: b?.storage ?? 'x',
      notNull: c.notNull ?? false,
      collation: oid === 19 ? C_COLLATION_OID : b?.collation ? DEFAULT_COLLATION_OID : 0,
    };
  });
}

/** Builds the catalog's rows from a model: OIDs are stable for a given model (tables in model order). */
export function buildCatalogData(model: CatalogModel): CatalogData {
  let next = FIRST_USER_OID;
  const alloc = () => next++;
  const relations: RelRow[] = [];
  const types: TypeRow[] = builtinTypeRows();
  const constraints: ConRow[] = [];
  const indexes: IndexRow[] = [];

  for (const sys of SYSTEM_RELATIONS) {
    relations.push({
      oid: sys.oid,
      name: sys.name,
      namespace: sys.schema === 'pg_catalog' ? OID.pgCatalog : OID.informationSchema,
      kind: sys.kind,
      reltype: 0,
      am: sys.kind === 'r' ? OID.heap : 0,
      attributes: systemAttributes(sys.columns),
      hasIndex: false,
      comment: sys.comment,
    });
  }

  const tableOid = new Map<string, number>();
  const pkIndexOid = new Map<string, number>();
  const attnum = (t: ModelTable, col: string): number => {
    const i = t.columns.findIndex((c) => c.name === col);
    if (i < 0) throw new Error(`catalog: ${t.name} has no column ${col}`);
    return i + 1;
  };
  // First pass: OIDs of tables, their row types and primary key indexes, so foreign keys may point forward.
  const plan = model.tables.map((t) => {
    const oid = alloc();
    const rowType = alloc();
    const arrayType = alloc();
    const pk = t.primaryKey.length > 0 ? { index: alloc(), con: alloc() } : undefined;
    tableOid.set(t.name, oid);
    if (pk) pkIndexOid.set(t.name, pk.index);
    return { t, oid, rowType, arrayType, pk };
  });
  const byName = new Map(model.tables.map((t) => [t.name, t]));

  for (const { t, oid, rowType, arrayType, pk } of plan) {
    const attributes: AttRow[] = t.columns.map((c, i) => {
      const info = pgType(c.type);
      const elem = isArrayType(c.type) ? elementType(c.type) : c.type;
      return {
        name: c.name,
        num: i + 1,
        typeOid: typeOidOf(c.type),
        typmod: -1,
        len: info.typlen,
        byval: info.typlen > 0 && info.typlen <= 8 && c.type !== 'interval',
        align: info.typlen === 8 || c.type === 'interval' ? 'd' : info.typlen === 1 ? 'c' : 'i',
        storage: info.typlen === -1 ? 'x' : 'p',
        notNull: !c.nullable || t.primaryKey.includes(c.name),
        collation: elem === 'text' ? DEFAULT_COLLATION_OID : 0,
        ...(c.comment ? { comment: c.comment } : {}),
      };
    });
    relations.push({
      oid,
      name: t.name,
      namespace: OID.public,
      kind: 'r',
      reltype: rowType,
      am: OID.heap,
      attributes,
      hasIndex: pk !== undefined,
      ...(t.comment ? { comment: t.comment } : {}),
    });
    for (const [toid, name, cat, elem, arr] of [
      [rowType, t.name, 'C', 0, arrayType],
      [arrayType, `_${t.name}`, 'A', rowType, 0],
    ] as const) {
      types.push({
        oid: toid,
        name,
        sqlName: cat === 'A' ? `${quoteIdent(t.name)}[]` : quoteIdent(t.name),
        len: -1,
        byval: false,
        type: cat === 'A' ? 'b' : 'c',
        category: cat,
        preferred: false,
        elem,
        array: arr,
        relid: cat === 'A' ? 0 : oid,
        input: cat === 'A' ? 'array_in' : 'record_in',
        output: cat === 'A' ? 'array_out' : 'record_out',
        receive: cat === 'A' ? 'array_recv' : 'record_recv',
        send: cat === 'A' ? 'array_send' : 'record_send',
        align: 'd',
        storage: 'x',
        collation: 0,
        namespace: OID.public,
      });
    }
    if (pk) {
      const name = `${t.name}_pkey`;
      const cols = t.primaryKey.map(quoteIdent).join(', ');
      const keyNums = t.primaryKey.map((c) => attnum(t, c));
      relations.push({
        oid: pk.index,
        name,
        namespace: OID.public,
        kind: 'i',
        reltype: 0,
        am: OID.btree,
        attributes: keyNums.map((n, i) => ({ ...attributes[n - 1]!, num: i + 1 })),
        hasIndex: false,
      });
      indexes.push({
        oid: pk.index,
        relid: oid,
        key: keyNums,
        primary: true,
        unique: true,
        def: `CREATE UNIQUE INDEX ${quoteIdent(name)} ON public.${quoteIdent(t.name)} USING btree (${cols})`,
        columns: t.primaryKey,
      });
      constraints.push({
        oid: pk.con,
        name,
        type: 'p',
        relid: oid,
        indid: pk.index,
        frelid: 0,
        key: keyNums,
        fkey: [],
        def: `PRIMARY KEY (${cols})`,
      });
    }
  }
  // Foreign keys, after every table has its OIDs. A key to a table or column the model lacks is skipped.
  for (const { t, oid } of plan) {
    for (const fk of t.foreignKeys) {
      const target = byName.get(fk.table);
      if (!target?.columns.some((c) => c.name === fk.references)) continue;
      if (!t.columns.some((c) => c.name === fk.column)) continue;
      // Only a key onto the referenced table's single-column primary key has an index to point at.
      if (target.primaryKey.length !== 1 || target.primaryKey[0] !== fk.references) continue;
      constraints.push({
        oid: alloc(),
        name: `${t.name}_${fk.column}_fkey`,
        type: 'f',
        relid: oid,
        indid: pkIndexOid.get(fk.table)!,
        frelid: tableOid.get(fk.table)!,
        key: [attnum(t, fk.column)],
        fkey: [attnum(target, fk.references)],
        def: `FOREIGN KEY (${quoteIdent(fk.column)}) REFERENCES ${quoteIdent(fk.table)}(${quoteIdent(fk.references)})`,
      });
    }
  }

  // pg_proc: the I/O functions pg_type names, so joins on typreceive (Npgsql) find `array_recv`.
  const procs: ProcRow[] = [];
  const procByName = new Map<string, ProcRow>();
  let procOid = 9000;
  for (const ty of types) {
    for (const [name, ret, arg] of [
      [ty.input, ty.oid, 2275],
      [ty.output, 2275, ty.oid],
      [ty.receive, ty.oid, 2281],
      [ty.send, 17, ty.oid],
    ] as const) {
      if (procByName.has(name)) continue;
      const p = { oid: procOid++, name, rettype: ret, argtypes: [arg] };
      procs.push(p);
      procByName.set(name, p);
    }
  }

  return {
    namespaces: [
      { oid: OID.pgToast, name: 'pg_toast', comment: 'reserved schema for TOAST tables' },
      { oid: OID.pgCatalog, name: 'pg_catalog', comment: 'system catalog schema' },
      { oid: OID.public, name: 'public', comment: 'the Paymo tables' },
      { oid: OID.informationSchema, name: 'information_schema', comment: '' },
    ],
    relations,
    relByOid: new Map(relations.map((r) => [r.oid, r])),
    types,
    typeByOid: new Map(types.map((x) => [x.oid, x])),
    constraints,
    conByOid: new Map(constraints.map((c) => [c.oid, c])),
    indexes,
    indexByOid: new Map(indexes.map((i) => [i.oid, i])),
    procs,
    procByName,
  };
}
