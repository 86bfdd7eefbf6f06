/**
 * Small builders that keep the spec files readable. They only assemble plain data: the result of
 * every call is an ordinary ColumnSpec / ObjectSpec object.
 *
 * Exactness per operator and type (paymo-api.md 1.8–1.9), decided once here:
 * - ids, integers, numbers, dates, booleans: `=`, `in`, ranges are exact (Paymo compares values);
 *   `!=`/`not in` are exact on NOT NULL columns and inexact on nullable ones (whether Paymo keeps
 *   NULLs there is undocumented; keeping them is a superset, dropping them is what SQL does);
 * - text: `=`/`in` inexact (Paymo's case and collation are undocumented), `like` inexact;
 * - timestamptz: ranges exact (Paymo stores whole seconds and takes Unix seconds; a literal with a
 *   fraction is widened to the enclosing second and re-checked);
 * - bigint[]: membership (`v = ANY(col)` → `col=v`) exact.
 */
import type { SqlType } from '../../catalog/types.js';
import type {
  ColumnSpec,
  DerivedValue,
  FilterCapability,
  FilterOp,
  ForeignKey,
  IdSelector,
  IntervalPush,
  ObjectSpec,
  ParentInclude,
  ReadSpec,
  WriteMatrix,
  WriteRule,
} from './types.js';

const ex = (op: FilterOp): FilterCapability => ({ op, exactness: 'exact' });
const inex = (op: FilterOp): FilterCapability => ({ op, exactness: 'inexact' });

/** The default pushable operators of a column of `type` (see the module comment). */
export function defaultFilters(type: SqlType, nullable: boolean): readonly FilterCapability[] {
  switch (type) {
    case 'bigint':
    case 'integer':
      return [
        ex('eq'),
        ex('in'),
        ex('range'),
        nullable ? inex('ne') : ex('ne'),
        nullable ? inex('not_in') : ex('not_in'),
      ];
    case 'numeric':
    case 'date':
      return [ex('eq'), ex('in'), ex('range')];
    case 'boolean':
      return [ex('eq')];
    case 'text':
      return [inex('eq'), inex('in'), inex('like')];
    case 'timestamptz':
      return [ex('range')];
    case 'bigint[]':
      return [ex('contains')];
    default:
      return [];
  }
}

/** Options of a column builder. */
export interface ColOpts {
  /** May be NULL (or absent in Paymo's JSON). */
  readonly null?: boolean;
  /** Pushable in `where`: `true` for the type's defaults, or an explicit list. */
  readonly f?: boolean | readonly FilterCapability[];
  readonly ro?: boolean;
  /** Create-only. */
  readonly c?: boolean;
  /** Required on INSERT. */
  readonly req?: boolean;
  /** Foreign key target table (references its `id`). */
  readonly ref?: string;
  readonly interval?: IntervalPush;
  readonly detailOnly?: boolean;
  readonly derived?: DerivedValue;
  readonly selector?: IdSelector;
}

/** A column spec; see ColOpts. `ref` is kept on the result only until `table()` turns it into a ForeignKey. */
export function col(
  name: string,
  type: SqlType,
  comment: string,
  o: ColOpts = {},
): ColumnSpec & { ref?: string } {
  const nullable = o.null ?? false;
  const filters =
    o.f === true ? defaultFilters(type, nullable) : o.f === false || o.f === undefined ? undefined : o.f;
  return {
    name,
    type,
    nullable,
    comment,
    ...(filters && filters.length > 0 ? { filters } : {}),
    ...(o.interval ? { interval: o.interval } : {}),
    ...(o.ro ? { readOnly: true } : {}),
    ...(o.c ? { createOnly: true } : {}),
    ...(o.req ? { requiredOnInsert: true } : {}),
    ...(o.detailOnly ? { detailOnly: true } : {}),
    ...(o.derived ? { derived: o.derived } : {}),
    ...(o.selector ? { selector: o.selector } : {}),
    ...(o.ref ? { ref: o.ref } : {}),
  };
}

/** The `id` primary key column; filterable on list tables (`=` reads by id, `IN` batches). */
export const idCol = (what: string, filterable = true): ColumnSpec =>
  col('id', 'bigint', `Paymo id of the ${what}`, { f: filterable, ro: true });

/** `created_on` / `updated_on`, server-set, filterable by range (Unix seconds, paymo-api.md 1.8). */
export function stamps(filterable = true): ColumnSpec[] {
  return [
    col('created_on', 'timestamptz', 'When the object was created (UTC)', { ro: true, f: filterable }),
    col('updated_on', 'timestamptz', 'When the object was last changed (UTC)', { ro: true, f: filterable }),
  ];
}

/** Logo / photo URL columns (absent in Paymo's JSON when there is no image → NULL). */
export function images(what: string): ColumnSpec[] {
  return [
    col('image', 'text', `URL of the ${what} image`, { null: true }),
    col('image_thumb_large', 'text', 'URL of the large thumbnail', { null: true, ro: true }),
    col('image_thumb_medium', 'text', 'URL of the medium thumbnail', { null: true, ro: true }),
    col('image_thumb_small', 'text', 'URL of the small thumbnail', { null: true, ro: true }),
  ];
}

/** Everything of an ObjectSpec except what `table()` derives (foreign keys from `ref`, the primary key). */
export interface TableInit {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly comment: string;
  readonly resource: string;
  readonly key: string;
  readonly read: ReadSpec;
  readonly columns: readonly (ColumnSpec & { ref?: string })[];
  readonly writes: WriteMatrix | 'all' | 'none';
  readonly writeRules?: readonly WriteRule[];
  readonly updateReplaces?: boolean;
  readonly primaryKey?: readonly string[];
  readonly parents?: readonly ParentInclude[];
}

/** Builds an ObjectSpec: foreign keys from the columns' `ref`, primary key `id` unless given. */
export function table(init: TableInit): ObjectSpec {
  const foreignKeys: ForeignKey[] = [];
  const columns = init.columns.map(({ ref, ...c }) => {
    if (ref !== undefined) foreignKeys.push({ column: c.name, table: ref, references: 'id' });
    return c;
  });
  const writes: WriteMatrix =
    init.writes === 'all'
      ? { insert: true, update: true, delete: true }
      : init.writes === 'none'
        ? { insert: false, update: false, delete: false }
        : init.writes;
  return {
    name: init.name,
    aliases: init.aliases,
    comment: init.comment,
    resource: init.resource,
    key: init.key,
    read: init.read,
    columns,
    primaryKey: init.primaryKey ?? ['id'],
    foreignKeys,
    writes,
    ...(init.writeRules ? { writeRules: init.writeRules } : {}),
    ...(init.updateReplaces ? { updateReplaces: true } : {}),
    ...(init.parents ? { parents: init.parents } : {}),
  };
}

/** A plain list read (`GET /resource`, `GET /resource/{id}`). */
export const LIST: ReadSpec = { kind: 'list', byId: true };

/** Exact `=` / `in` on a parent attribute (nested routes). */
export const EQ_IN: readonly FilterCapability[] = [ex('eq'), ex('in')];
