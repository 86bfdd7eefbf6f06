import type { CatalogData } from './model.js';

/** One column of a system relation, with the PostgreSQL type it has there. */
export interface SystemColumn {
  readonly name: string;
  /** A built-in type name (`oid`, `name`, `char`, `int2vector`, `text[]` …). */
  readonly pgType: string;
  readonly notNull?: boolean;
}

/** What a system relation's rows are computed from. */
export interface SystemContext {
  readonly data: CatalogData;
  readonly database: string;
  readonly user: string;
  /** A session setting's current value (search_path, server_version …). */
  readonly setting: (name: string) => string | undefined;
}

/** One pg_catalog table/view or information_schema view. */
export interface SystemRelation {
  readonly name: string;
  readonly schema: 'pg_catalog' | 'information_schema';
  readonly oid: number;
  readonly kind: 'r' | 'v';
  readonly columns: readonly SystemColumn[];
  readonly comment?: string;
  /** Rows as column → value records (missing columns are NULL). */
  readonly rows: (ctx: SystemContext) => readonly Record<string, unknown>[];
}

/** Parses `name:type name:type …` (a `!` after the type marks NOT NULL). */
function cols(spec: string): SystemColumn[] {
  return spec
    .trim()
    .split(/\s+/)
    .map((p) => {
      const [name, rawType] = p.split(':') as [string, string];
      const notNull = rawType.endsWith('!');
      return { name, pgType: notNull ? rawType.slice(0, -1) : rawType, ...(notNull ? { notNull } : {}) };
    });
}

const none = (): Record<string, unknown>[] => [];
let viewOid = 12000;
const rel = (
  name: string,
  oid: number | 'view',
  spec: string,
  rows: SystemRelation['rows'] = none,
  schema: SystemRelation['schema'] = 'pg_catalog',
): SystemRelation => ({
  name,
  schema,
  oid: oid === 'view' ? viewOid++ : oid,
  kind: oid === 'view' ? 'v' : 'r',
  columns: cols(spec),
  rows,
});

const OWNER = 10;
const PUBLIC_NS = 2200;

/** The user tables (relkind r in public). */
const userTables = (d: CatalogData) => d.relations.filter((r) => r.namespace === PUBLIC_NS && r.kind === 'r');
const nsName = (d: CatalogData, oid: number) => d.namespaces.find((n) => n.oid === oid)?.name ?? '';

/** Text of an information_schema data_type for a pg_type OID. */
function infoDataType(d: CatalogData, typeOid: number): string {
  const ty = d.typeByOid.get(typeOid);
  if (!ty) return 'USER-DEFINED';
  if (ty.category === 'A') return 'ARRAY';
  if (ty.type === 'c') return 'USER-DEFINED';
  return ty.sqlName.replace(/"/g, '');
}

const NUMERIC_PRECISION: Record<number, [number, number]> = {
  20: [64, 2],
  21: [16, 2],
  23: [32, 2],
  26: [32, 2],
  700: [24, 2],
  701: [53, 2],
};

/** Every system relation the catalog serves, PostgreSQL 15 columns (the ones clients read). */
export const SYSTEM_RELATIONS: readonly SystemRelation[] = [
  rel('pg_namespace', 2615, 'oid:oid! nspname:name! nspowner:oid! nspacl:aclitem[]', ({ data }) =>
    data.namespaces.map((n) => ({ oid: n.oid, nspname: n.name, nspowner: OWNER })),
  ),
  rel(
    'pg_class',
    1259,
    `oid:oid! relname:name! relnamespace:oid! reltype:oid! reloftype:oid! relowner:oid! relam:oid!
     relfilenode:oid! reltablespace:oid! relpages:int4! reltuples:float4! relallvisible:int4!
     reltoastrelid:oid! relhasindex:bool! relisshared:bool! relpersistence:char! relkind:char!
     relnatts:int2! relchecks:int2! relhasrules:bool! relhastriggers:bool! relhassubclass:bool!
     relrowsecurity:bool! relforcerowsecurity:bool! relispopulated:bool! relreplident:char!
     relispartition:bool! relrewrite:oid! relfrozenxid:xid! relminmxid:xid! relacl:aclitem[]
     reloptions:text[] relpartbound:pg_node_tree`,
    ({ data }) => {
      // Foreign keys are enforced by (internal) triggers in PostgreSQL; psql shows them only then.
      const withTriggers = new Set(
        data.constraints.filter((c) => c.type === 'f').flatMap((c) => [c.relid, c.frelid]),
      );
      return data.relations.map((r) => ({
        oid: r.oid,
        relname: r.name,
        relnamespace: r.namespace,
        reltype: r.reltype,
        reloftype: 0,
        relowner: OWNER,
        relam: r.am,
        relfilenode: r.kind === 'v' ? 0 : r.oid,
        reltablespace: 0,
        relpages: 0,
        reltuples: -1,
        relallvisible: 0,
        reltoastrelid: 0,
        relhasindex: r.hasIndex,
        relisshared: false,
        relpersistence: 'p',
        relkind: r.kind,
        relnatts: r.attributes.length,
        relchecks: 0,
        relhasrules: false,
        relhastriggers: withTriggers.has(r.oid),
        relhassubclass: false,
        relrowsecurity: false,
        relforcerowsecurity: false,
        relispopulated: true,
        relreplident: r.kind === 'r' ? 'd' : 'n',
        relispartition: false,
        relrewrite: 0,
        relfrozenxid: 0,
        relminmxid: 0,
      }));
    },
  ),
  rel(
    'pg_attribute',
    1249,
    `attrelid:oid! attname:name! atttypid:oid! attstattarget:int4! attlen:int2! attnum:int2!
     attndims:int4! attcacheoff:int4! atttypmod:int4! attbyval:bool! attalign:char! attstorage:char!
     attcompression:char! attnotnull:bool! atthasdef:bool! atthasmissing:bool! attidentity:char!
     attgenerated:char! attisdropped:bool! attislocal:bool! attinhcount:int4! attcollation:oid!
     attacl:aclitem[] attoptions:text[] attfdwoptions:text[] attmissingval:anyarray`,
    ({ data }) =>
      data.relations.flatMap((r) =>
        r.attributes.map((a) => ({
          attrelid: r.oid,
          attname: a.name,
          atttypid: a.typeOid,
          attstattarget: -1,
          attlen: a.len,
          attnum: a.num,
          attndims: data.typeByOid.get(a.typeOid)?.category === 'A' ? 1 : 0,
          attcacheoff: -1,
          atttypmod: a.typmod,
          attbyval: a.byval,
          attalign: a.align,
          attstorage: a.storage,
          attcompression: '',
          attnotnull: a.notNull,
          atthasdef: false,
          atthasmissing: false,
          attidentity: '',
          attgenerated: '',
          attisdropped: false,
          attislocal: true,
          attinhcount: 0,
          attcollation: a.collation,
        })),
      ),
  ),
  rel(
    'pg_type',
    1247,
    `oid:oid! typname:name! typnamespace:oid! typowner:oid! typlen:int2! typbyval:bool! typtype:char!
     typcategory:char! typispreferred:bool! typisdefined:bool! typdelim:char! typrelid:oid!
     typsubscript:regproc! typelem:oid! typarray:oid! typinput:regproc! typoutput:regproc!
     typreceive:regproc! typsend:regproc! typmodin:regproc! typmodout:regproc! typanalyze:regproc!
     typalign:char! typstorage:char! typnotnull:bool! typbasetype:oid! typtypmod:int4! typndims:int4!
     typcollation:oid! typdefaultbin:pg_node_tree typdefault:text typacl:aclitem[]`,
    ({ data }) => {
      const proc = (n: string) => data.procByName.get(n)?.oid ?? 0;
      return data.types.map((t) => ({
        oid: t.oid,
        typname: t.name,
        typnamespace: t.namespace,
        typowner: OWNER,
        typlen: t.len,
        typbyval: t.byval,
        typtype: t.type,
        typcategory: t.category,
        typispreferred: t.preferred,
        typisdefined: true,
        typdelim: ',',
        typrelid: t.relid,
        typsubscript: 0,
        typelem: t.elem,
        typarray: t.array,
        typinput: proc(t.input),
        typoutput: proc(t.output),
        typreceive: proc(t.receive),
        typsend: proc(t.send),
        typmodin: 0,
        typmodout: 0,
        typanalyze: 0,
        typalign: t.align,
        typstorage: t.storage,
        typnotnull: false,
        typbasetype: 0,
        typtypmod: -1,
        typndims: 0,
        typcollation: t.collation,
      }));
    },
  ),
  rel(
    'pg_constraint',
    2606,
    `oid:oid! conname:name! connamespace:oid! contype:char! condeferrable:bool! condeferred:bool!
     convalidated:bool! conrelid:oid! contypid:oid! conindid:oid! conparentid:oid! confrelid:oid!
     confupdtype:char! confdeltype:char! confmatchtype:char! conislocal:bool! coninhcount:int4!
     connoinherit:bool! conkey:int2[] confkey:int2[] conpfeqop:oid[] conppeqop:oid[] conffeqop:oid[]
     confdelsetcols:int2[] conexclop:oid[] conbin:pg_node_tree`,
    ({ data }) =>
      data.constraints.map((c) => ({
        oid: c.oid,
        conname: c.name,
        connamespace: PUBLIC_NS,
        contype: c.type,
        condeferrable: false,
        condeferred: false,
        convalidated: true,
        conrelid: c.relid,
        contypid: 0,
        conindid: c.indid,
        conparentid: 0,
        confrelid: c.frelid,
        confupdtype: c.type === 'f' ? 'a' : ' ',
        confdeltype: c.type === 'f' ? 'a' : ' ',
        confmatchtype: c.type === 'f' ? 's' : ' ',
        conislocal: true,
        coninhcount: 0,
        connoinherit: true,
        conkey: c.key,
        confkey: c.type === 'f' ? c.fkey : null,
        conpfeqop: c.type === 'f' ? [410] : null,
        conppeqop: c.type === 'f' ? [410] : null,
        conffeqop: c.type === 'f' ? [410] : null,
      })),
  ),
  rel(
    'pg_index',
    2610,
    `indexrelid:oid! indrelid:oid! indnatts:int2! indnkeyatts:int2! indisunique:bool!
     indnullsnotdistinct:bool! indisprimary:bool! indisexclusion:bool! indimmediate:bool!
     indisclustered:bool! indisvalid:bool! indcheckxmin:bool! indisready:bool! indislive:bool!
     indisreplident:bool! indkey:int2vector! indcollation:oidvector! indclass:oidvector!
     indoption:int2vector! indexprs:pg_node_tree indpred:pg_node_tree`,
    ({ data }) =>
      data.indexes.map((i) => ({
        indexrelid: i.oid,
        indrelid: i.relid,
        indnatts: i.key.length,
        indnkeyatts: i.key.length,
        indisunique: i.unique,
        indnullsnotdistinct: false,
        indisprimary: i.primary,
        indisexclusion: false,
        indimmediate: true,
        indisclustered: false,
        indisvalid: true,
        indcheckxmin: false,
        indisready: true,
        indislive: true,
        indisreplident: false,
        indkey: i.key,
        indcollation: i.key.map(() => 0),
        indclass: i.key.map(() => 1980),
        indoption: i.key.map(() => 0),
      })),
  ),
  rel('pg_description', 2609, 'objoid:oid! classoid:oid! objsubid:int4! description:text!', ({ data }) => [
    ...data.namespaces
      .filter((n) => n.comment !== '')
      .map((n) => ({ objoid: n.oid, classoid: 2615, objsubid: 0, description: n.comment })),
    ...data.relations.flatMap((r) => [
      ...(r.comment ? [{ objoid: r.oid, classoid: 1259, objsubid: 0, description: r.comment }] : []),
      ...r.attributes
        .filter((a) => a.comment && r.kind !== 'i')
        .map((a) => ({ objoid: r.oid, classoid: 1259, objsubid: a.num, description: a.comment })),
    ]),
  ]),
  rel('pg_shdescription', 2396, 'objoid:oid! classoid:oid! description:text!'),
  rel('pg_attrdef', 2604, 'oid:oid! adrelid:oid! adnum:int2! adbin:pg_node_tree!'),
  rel('pg_am', 2601, 'oid:oid! amname:name! amhandler:regproc! amtype:char!', () => [
    { oid: 2, amname: 'heap', amhandler: 0, amtype: 't' },
    { oid: 403, amname: 'btree', amhandler: 0, amtype: 'i' },
    { oid: 405, amname: 'hash', amhandler: 0, amtype: 'i' },
  ]),
  rel(
    'pg_database',
    1262,
    `oid:oid! datname:name! datdba:oid! encoding:int4! datlocprovider:char! datistemplate:bool!
     datallowconn:bool! datconnlimit:int4! datfrozenxid:xid! datminmxid:xid! dattablespace:oid!
     datcollate:text! datctype:text! daticulocale:text datcollversion:text datacl:aclitem[]`,
    ({ database }) => [
      {
        oid: 5,
        datname: database,
        datdba: OWNER,
        encoding: 6,
        datlocprovider: 'c',
        datistemplate: false,
        datallowconn: true,
        datconnlimit: -1,
        datfrozenxid: 0,
        datminmxid: 1,
        dattablespace: 1663,
        datcollate: 'C.UTF-8',
        datctype: 'C.UTF-8',
      },
    ],
  ),
  rel(
    'pg_tablespace',
    1213,
    'oid:oid! spcname:name! spcowner:oid! spcacl:aclitem[] spcoptions:text[]',
    () => [{ oid: 1663, spcname: 'pg_default', spcowner: OWNER }],
  ),
  rel(
    'pg_roles',
    'view',
    `rolname:name rolsuper:bool rolinherit:bool rolcreaterole:bool rolcreatedb:bool rolcanlogin:bool
     rolreplication:bool rolconnlimit:int4 rolpassword:text rolvaliduntil:timestamptz rolbypassrls:bool
     rolconfig:text[] oid:oid`,
    ({ user }) => [
      {
        rolname: user,
        rolsuper: false,
        rolinherit: true,
        rolcreaterole: false,
        rolcreatedb: false,
        rolcanlogin: true,
        rolreplication: false,
        rolconnlimit: -1,
        rolpassword: '********',
        rolbypassrls: false,
        oid: OWNER,
      },
    ],
  ),
  rel(
    'pg_user',
    'view',
    `usename:name usesysid:oid usecreatedb:bool usesuper:bool userepl:bool usebypassrls:bool
     passwd:text valuntil:timestamptz useconfig:text[]`,
    ({ user }) => [
      {
        usename: user,
        usesysid: OWNER,
        usecreatedb: false,
        usesuper: false,
        userepl: false,
        usebypassrls: false,
        passwd: '********',
      },
    ],
  ),
  rel(
    'pg_proc',
    1255,
    `oid:oid! proname:name! pronamespace:oid! proowner:oid! prolang:oid! procost:float4! prorows:float4!
     provariadic:oid! prosupport:regproc! prokind:char! prosecdef:bool! proleakproof:bool!
     proisstrict:bool! proretset:bool! provolatile:char! proparallel:char! pronargs:int2!
     pronargdefaults:int2! prorettype:oid! proargtypes:oidvector! proallargtypes:oid[]
     proargmodes:char[] proargnames:text[] proargdefaults:pg_node_tree protrftypes:oid[] prosrc:text!
     probin:text prosqlbody:pg_node_tree proconfig:text[] proacl:aclitem[]`,
    ({ data }) =>
      data.procs.map((p) => ({
        oid: p.oid,
        proname: p.name,
        pronamespace: 11,
        proowner: OWNER,
        prolang: 12,
        procost: 1,
        prorows: 0,
        provariadic: 0,
        prosupport: 0,
        prokind: 'f',
        prosecdef: false,
        proleakproof: false,
        proisstrict: true,
        proretset: false,
        provolatile: 'i',
        proparallel: 's',
        pronargs: p.argtypes.length,
        pronargdefaults: 0,
        prorettype: p.rettype,
        proargtypes: p.argtypes,
        prosrc: p.name,
      })),
  ),
  rel('pg_aggregate', 2600, 'aggfnoid:regproc! aggkind:char! aggnumdirectargs:int2!'),
  rel(
    'pg_settings',
    'view',
    `name:text setting:text unit:text category:text short_desc:text extra_desc:text context:text
     vartype:text source:text min_val:text max_val:text enumvals:text[] boot_val:text reset_val:text
     sourcefile:text sourceline:int4 pending_restart:bool`,
    ({ setting }) =>
      [
        ['max_index_keys', '32', 'integer', 'internal'],
        ['max_identifier_length', '63', 'integer', 'internal'],
        ['server_version', setting('server_version') ?? '15.0', 'string', 'internal'],
        ['server_version_num', versionNum(setting('server_version') ?? '15.0'), 'integer', 'internal'],
        ['server_encoding', 'UTF8', 'string', 'internal'],
        ['client_encoding', setting('client_encoding') ?? 'UTF8', 'string', 'user'],
        ['DateStyle', setting('DateStyle') ?? 'ISO, MDY', 'string', 'user'],
        ['TimeZone', setting('TimeZone') ?? 'UTC', 'string', 'user'],
        ['search_path', setting('search_path') ?? '"$user", public', 'string', 'user'],
        ['standard_conforming_strings', 'on', 'bool', 'user'],
        ['integer_datetimes', 'on', 'bool', 'internal'],
        ['default_transaction_read_only', setting('default_transaction_read_only') ?? 'off', 'bool', 'user'],
      ].map(([name, value, vartype, context]) => ({
        name,
        setting: value,
        vartype,
        context,
        source: 'default',
        boot_val: value,
        reset_val: value,
        pending_restart: false,
      })),
  ),
  rel(
    'pg_collation',
    3456,
    `oid:oid! collname:name! collnamespace:oid! collowner:oid! collprovider:char!
     collisdeterministic:bool! collencoding:int4! collcollate:text collctype:text colliculocale:text
     collversion:text`,
    () =>
      [
        { oid: 100, collname: 'default', collnamespace: 11, collowner: OWNER, collprovider: 'd' },
        { oid: 950, collname: 'C', collnamespace: 11, collowner: OWNER, collprovider: 'c' },
        { oid: 951, collname: 'POSIX', collnamespace: 11, collowner: OWNER, collprovider: 'c' },
      ].map((c) => ({
        ...c,
        collisdeterministic: true,
        collencoding: -1,
        collcollate: c.collprovider === 'd' ? null : c.collname,
        collctype: c.collprovider === 'd' ? null : c.collname,
      })),
  ),
  rel('pg_enum', 3501, 'oid:oid! enumtypid:oid! enumsortorder:float4! enumlabel:name!'),
  rel(
    'pg_range',
    3541,
    'rngtypid:oid! rngsubtype:oid! rngmultitypid:oid! rngcollation:oid! rngsubopc:oid! rngcanonical:regproc! rngsubdiff:regproc!',
  ),
  rel('pg_inherits', 2611, 'inhrelid:oid! inhparent:oid! inhseqno:int4! inhdetachpending:bool!'),
  rel(
    'pg_trigger',
    2620,
    `oid:oid! tgrelid:oid! tgparentid:oid! tgname:name! tgfoid:oid! tgtype:int2! tgenabled:char!
     tgisinternal:bool! tgconstrrelid:oid! tgconstrindid:oid! tgconstraint:oid! tgdeferrable:bool!
     tginitdeferred:bool! tgnargs:int2! tgattr:int2vector! tgargs:bytea! tgqual:pg_node_tree
     tgoldtable:name tgnewtable:name`,
  ),
  rel(
    'pg_policy',
    3256,
    'oid:oid! polname:name! polrelid:oid! polcmd:char! polpermissive:bool! polroles:oid[]! polqual:pg_node_tree polwithcheck:pg_node_tree',
  ),
  rel(
    'pg_statistic_ext',
    3381,
    'oid:oid! stxrelid:oid! stxname:name! stxnamespace:oid! stxowner:oid! stxstattarget:int4! stxkeys:int2vector! stxkind:char[]! stxexprs:pg_node_tree',
  ),
  rel(
    'pg_publication',
    6104,
    'oid:oid! pubname:name! pubowner:oid! puballtables:bool! pubinsert:bool! pubupdate:bool! pubdelete:bool! pubtruncate:bool! pubviaroot:bool!',
  ),
  rel('pg_publication_namespace', 6237, 'oid:oid! pnpubid:oid! pnnspid:oid!'),
  rel(
    'pg_publication_rel',
    6106,
    'oid:oid! prpubid:oid! prrelid:oid! prqual:pg_node_tree prattrs:int2vector',
  ),
  rel(
    'pg_depend',
    2608,
    'classid:oid! objid:oid! objsubid:int4! refclassid:oid! refobjid:oid! refobjsubid:int4! deptype:char!',
  ),
  rel(
    'pg_sequence',
    2224,
    'seqrelid:oid! seqtypid:oid! seqstart:int8! seqincrement:int8! seqmax:int8! seqmin:int8! seqcache:int8! seqcycle:bool!',
  ),
  rel(
    'pg_extension',
    3079,
    'oid:oid! extname:name! extowner:oid! extnamespace:oid! extrelocatable:bool! extversion:text! extconfig:oid[] extcondition:text[]',
    () => [
      {
        oid: 13500,
        extname: 'plpgsql',
        extowner: OWNER,
        extnamespace: 11,
        extrelocatable: false,
        extversion: '1.0',
      },
    ],
  ),
  rel(
    'pg_tables',
    'view',
    'schemaname:name tablename:name tableowner:name tablespace:name hasindexes:bool hasrules:bool hastriggers:bool rowsecurity:bool',
    ({ data, user }) =>
      data.relations
        .filter((r) => r.kind === 'r')
        .map((r) => ({
          schemaname: nsName(data, r.namespace),
          tablename: r.name,
          tableowner: user,
          hasindexes: r.hasIndex,
          hasrules: false,
          hastriggers: false,
          rowsecurity: false,
        })),
  ),
  rel('pg_views', 'view', 'schemaname:name viewname:name viewowner:name definition:text'),
  rel(
    'pg_matviews',
    'view',
    'schemaname:name matviewname:name matviewowner:name tablespace:name hasindexes:bool ispopulated:bool definition:text',
  ),
  rel(
    'pg_indexes',
    'view',
    'schemaname:name tablename:name indexname:name tablespace:name indexdef:text',
    ({ data }) =>
      data.indexes.map((i) => ({
        schemaname: 'public',
        tablename: data.relByOid.get(i.relid)?.name,
        indexname: data.relByOid.get(i.oid)?.name,
        indexdef: i.def,
      })),
  ),
  rel(
    'pg_stat_user_tables',
    'view',
    `relid:oid schemaname:name relname:name seq_scan:int8 seq_tup_read:int8 idx_scan:int8
     idx_tup_fetch:int8 n_tup_ins:int8 n_tup_upd:int8 n_tup_del:int8 n_tup_hot_upd:int8 n_live_tup:int8
     n_dead_tup:int8`,
    // Row counts would cost Paymo requests; PostgreSQL's estimate is unknown here, so NULL.
    ({ data }) => userTables(data).map((r) => ({ relid: r.oid, schemaname: 'public', relname: r.name })),
  ),
  // information_schema (views in PostgreSQL; their domain types shown as the base types).
  rel(
    'schemata',
    'view',
    `catalog_name:name schema_name:name schema_owner:name default_character_set_catalog:name
     default_character_set_schema:name default_character_set_name:name sql_path:varchar`,
    ({ data, database, user }) =>
      data.namespaces.map((n) => ({ catalog_name: database, schema_name: n.name, schema_owner: user })),
    'information_schema',
  ),
  rel(
    'tables',
    'view',
    `table_catalog:name table_schema:name table_name:name table_type:varchar
     self_referencing_column_name:name reference_generation:varchar user_defined_type_catalog:name
     user_defined_type_schema:name user_defined_type_name:name is_insertable_into:varchar
     is_typed:varchar commit_action:varchar`,
    ({ data, database }) =>
      data.relations
        .filter((r) => r.kind !== 'i')
        .map((r) => ({
          table_catalog: database,
          table_schema: nsName(data, r.namespace),
          table_name: r.name,
          table_type: r.kind === 'v' ? 'VIEW' : 'BASE TABLE',
          is_insertable_into: 'NO',
          is_typed: 'NO',
        })),
    'information_schema',
  ),
  rel(
    'columns',
    'view',
    `table_catalog:name table_schema:name table_name:name column_name:name ordinal_position:int4
     column_default:varchar is_nullable:varchar data_type:varchar character_maximum_length:int4
     character_octet_length:int4 numeric_precision:int4 numeric_precision_radix:int4 numeric_scale:int4
     datetime_precision:int4 interval_type:varchar interval_precision:int4 character_set_catalog:name
     character_set_schema:name character_set_name:name collation_catalog:name collation_schema:name
     collation_name:name domain_catalog:name domain_schema:name domain_name:name udt_catalog:name
     udt_schema:name udt_name:name scope_catalog:name scope_schema:name scope_name:name
     maximum_cardinality:int4 dtd_identifier:name is_self_referencing:varchar is_identity:varchar
     identity_generation:varchar identity_start:varchar identity_increment:varchar
     identity_maximum:varchar identity_minimum:varchar identity_cycle:varchar is_generated:varchar
     generation_expression:varchar is_updatable:varchar`,
    ({ data, database }) =>
      data.relations
        .filter((r) => r.kind !== 'i')
        .flatMap((r) =>
          r.attributes.map((a) => {
            const ty = data.typeByOid.get(a.typeOid);
            const [prec, radix] = NUMERIC_PRECISION[a.typeOid] ?? [null, a.typeOid === 1700 ? 10 : null];
            const dt = ty?.category === 'D' || ty?.category === 'T';
            return {
              table_catalog: database,
              table_schema: nsName(data, r.namespace),
              table_name: r.name,
              column_name: a.name,
              ordinal_position: a.num,
              is_nullable: a.notNull ? 'NO' : 'YES',
              data_type: infoDataType(data, a.typeOid),
              character_octet_length: ty?.category === 'S' ? 1073741824 : null,
              numeric_precision: prec,
              numeric_precision_radix: radix,
              numeric_scale: ty && ['int8', 'int4', 'int2', 'oid'].includes(ty.name) ? 0 : null,
              datetime_precision: dt ? (ty?.name === 'date' ? 0 : 6) : null,
              udt_catalog: database,
              udt_schema: ty ? nsName(data, ty.namespace) : 'pg_catalog',
              udt_name: ty?.name ?? null,
              dtd_identifier: String(a.num),
              is_self_referencing: 'NO',
              is_identity: 'NO',
              identity_cycle: 'NO',
              is_generated: 'NEVER',
              is_updatable: 'NO',
            };
          }),
        ),
    'information_schema',
  ),
  rel(
    'table_constraints',
    'view',
    `constraint_catalog:name constraint_schema:name constraint_name:name table_catalog:name
     table_schema:name table_name:name constraint_type:varchar is_deferrable:varchar
     initially_deferred:varchar enforced:varchar nulls_distinct:varchar`,
    ({ data, database }) =>
      data.constraints.map((c) => ({
        constraint_catalog: database,
        constraint_schema: 'public',
        constraint_name: c.name,
        table_catalog: database,
        table_schema: 'public',
        table_name: data.relByOid.get(c.relid)?.name,
        constraint_type: c.type === 'p' ? 'PRIMARY KEY' : 'FOREIGN KEY',
        is_deferrable: 'NO',
        initially_deferred: 'NO',
        enforced: 'YES',
        nulls_distinct: c.type === 'p' ? 'YES' : null,
      })),
    'information_schema',
  ),
  rel(
    'key_column_usage',
    'view',
    `constraint_catalog:name constraint_schema:name constraint_name:name table_catalog:name
     table_schema:name table_name:name column_name:name ordinal_position:int4
     position_in_unique_constraint:int4`,
    ({ data, database }) =>
      data.constraints.flatMap((c) => {
        const r = data.relByOid.get(c.relid)!;
        return c.key.map((k, i) => ({
          constraint_catalog: database,
          constraint_schema: 'public',
          constraint_name: c.name,
          table_catalog: database,
          table_schema: 'public',
          table_name: r.name,
          column_name: r.attributes[k - 1]?.name,
          ordinal_position: i + 1,
          position_in_unique_constraint: c.type === 'f' ? i + 1 : null,
        }));
      }),
    'information_schema',
  ),
  rel(
    'referential_constraints',
    'view',
    `constraint_catalog:name constraint_schema:name constraint_name:name unique_constraint_catalog:name
     unique_constraint_schema:name unique_constraint_name:name match_option:varchar update_rule:varchar
     delete_rule:varchar`,
    ({ data, database }) =>
      data.constraints
        .filter((c) => c.type === 'f')
        .map((c) => ({
          constraint_catalog: database,
          constraint_schema: 'public',
          constraint_name: c.name,
          unique_constraint_catalog: database,
          unique_constraint_schema: 'public',
          unique_constraint_name: data.relByOid.get(c.indid)?.name,
          match_option: 'NONE',
          update_rule: 'NO ACTION',
          delete_rule: 'NO ACTION',
        })),
    'information_schema',
  ),
  rel(
    'constraint_column_usage',
    'view',
    `table_catalog:name table_schema:name table_name:name column_name:name constraint_catalog:name
     constraint_schema:name constraint_name:name`,
    ({ data, database }) =>
      data.constraints.flatMap((c) => {
        // The referenced columns for a foreign key, the constrained ones for a primary key.
        const r = data.relByOid.get(c.type === 'f' ? c.frelid : c.relid)!;
        return (c.type === 'f' ? c.fkey : c.key).map((k) => ({
          table_catalog: database,
          table_schema: 'public',
          table_name: r.name,
          column_name: r.attributes[k - 1]?.name,
          constraint_catalog: database,
          constraint_schema: 'public',
          constraint_name: c.name,
        }));
      }),
    'information_schema',
  ),
  rel(
    'views',
    'view',
    `table_catalog:name table_schema:name table_name:name view_definition:varchar check_option:varchar
     is_updatable:varchar is_insertable_into:varchar is_trigger_updatable:varchar
     is_trigger_deletable:varchar is_trigger_insertable_into:varchar`,
    none,
    'information_schema',
  ),
];

/** `15.3` → `150003` (server_version_num). */
export function versionNum(v: string): string {
  const [maj = '15', min = '0'] = v.split(/[.\s]/);
  return String(Number(maj) * 10000 + Number(min));
}
