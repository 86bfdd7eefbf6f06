/**
 * ObjectSpec: one Paymo object described as plain data (design.md §3, "ObjectSpec as pure data").
 *
 * A spec says where the rows of one SQL table come from (an endpoint list, a singleton, or children
 * flattened out of a parent's `include=`), what its columns are (PostgreSQL types, nullability, a
 * comment BI tools show), which `where` operators Paymo evaluates per column and how faithfully
 * (`exact` / `inexact`), which list filter Paymo insists on and what to do without one, keys for the
 * catalog, and the DML matrix row with per-object write rules. The generic PaymoTable reads nothing
 * else: the engine never branches on a table name. Specs are checked at start-up by `validateSpecs`.
 */
import type { SqlType } from '../../catalog/types.js';

/**
 * A `where` operator family Paymo evaluates, as a SQL filter form maps onto it:
 * - `eq`: `col = v` → `col=v`; `ne`: `col <> v` → `col!=v`;
 * - `in`: `col IN (…)` (and ORs of `=` on one column) → `col in (…)`; `not_in`: `col NOT IN (…)`;
 * - `range`: `<`, `<=`, `>`, `>=`, BETWEEN → `col>=v and col<=w`;
 * - `like`: `col LIKE p` → `col like "%run%"` with the longest literal run of `p` (always inexact);
 * - `is_null`: `col IS NULL` → `col=null`;
 * - `contains`: array membership `v = ANY(col)` → `col=v` (paymo-api.md 1.9, `users=<id>`).
 */
export type FilterOp = 'eq' | 'ne' | 'in' | 'not_in' | 'range' | 'like' | 'is_null' | 'contains';

/** How faithfully Paymo evaluates a filter: `exact` as SQL would, `inexact` a superset (re-checked locally). */
export type Exactness = 'exact' | 'inexact';

/** One pushable operator of a column. */
export interface FilterCapability {
  readonly op: FilterOp;
  readonly exactness: Exactness;
}

/**
 * Range filters of a column sent as a Paymo interval pseudo-attribute instead of `col>=v`
 * (entries `time_interval in ("a","b")`, bookings `date_interval in ("d1","d2")`). Every row matching
 * the column's SQL range must be inside the interval Paymo tests, so the push is always inexact.
 */
export interface IntervalPush {
  /** The pseudo-attribute, e.g. `time_interval`. */
  readonly param: string;
  /** Bound format: `datetime` → `"YYYY-MM-DDTHH:MM:SSZ"`, `date` → `"YYYY-MM-DD"`. */
  readonly format: 'date' | 'datetime';
  /** True when Paymo's upper bound is exclusive (`[from, to)`), false for a closed interval. */
  readonly endExclusive: boolean;
  /** Bounds used for an open side (no lower / no upper SQL bound). */
  readonly openFrom: string;
  readonly openTo: string;
}

/** Where a column's value is read from in a flattened row: `field` of the object at `level`. */
export interface ValueSource {
  /** 0 = the listed (parent) object; 1.. = each object reached by descending `NestedRoute.descend`. */
  readonly level: number;
  readonly field: string;
}

/**
 * A column Paymo does not send, computed from attributes of the same object: `day-of-first` is the
 * first of `fields` that is set, as a date (a `date` attribute as it is, a date-time attribute as
 * its UTC day). Derived columns are read-only; filters on them push only through `interval`.
 */
export interface DerivedValue {
  readonly kind: 'day-of-first';
  readonly fields: readonly string[];
}

/**
 * A Paymo selector attribute (report `clients` / `users`, paymo-api.md 2.19): a preset word or a list
 * of ids. Read as the preset, or as the ids comma-separated (`12,15`); written in the form Paymo
 * requires: the preset, or the comma-separated ids (a comma list, `{12,15}` or `[12,15]` text is
 * accepted).
 */
export interface IdSelector {
  /** The preset words, e.g. `all`, `all_active`, `all_archived`. */
  readonly presets: readonly string[];
}

/** One column of a table. */
export interface ColumnSpec {
  /** SQL column name = Paymo attribute name (snake_case). */
  readonly name: string;
  readonly type: SqlType;
  readonly nullable: boolean;
  /** One line for BI tools and `\d+`. */
  readonly comment: string;
  /** Operators Paymo evaluates on this attribute in `where` (list specs). */
  readonly filters?: readonly FilterCapability[];
  /** Range filters go to Paymo as this interval pseudo-attribute (instead of `range`). */
  readonly interval?: IntervalPush;
  /** Server-set: never assignable by INSERT/UPDATE. */
  readonly readOnly?: boolean;
  /** Accepted on INSERT only. */
  readonly createOnly?: boolean;
  /** Must be given on INSERT (simple rule; alternatives are `WriteRule`s). */
  readonly requiredOnInsert?: boolean;
  /** Only read-one responses carry it (report `content`): a list needs one `GET /x/{id}` per row. */
  readonly detailOnly?: boolean;
  /** Computed from other attributes of the object instead of read from `name`. */
  readonly derived?: DerivedValue;
  /** A preset-or-ids selector (text column), see {@link IdSelector}. */
  readonly selector?: IdSelector;
}

/** A foreign key, for the wire server's catalog (`information_schema`, `\d`). */
export interface ForeignKey {
  readonly column: string;
  readonly table: string;
  readonly references: string;
}

/**
 * A list filter Paymo requires (paymo-api.md 1.11), in Paymo attribute names: met by `=`/`in` on one
 * of `anyOf`, by one of the interval pseudo-attributes in `intervals`, or by filters on every
 * attribute of one group of `allOf`.
 */
export interface RequiredFilter {
  readonly anyOf: readonly string[];
  readonly intervals?: readonly string[];
  readonly allOf?: readonly (readonly string[])[];
}

/**
 * What to do when no SQL predicate meets the required filter:
 * - `fan-out`: list every id of another endpoint (`resource`, paged) and send `field in (…)` in
 *   batches (time entries: one list of projects, then `project_id in (…)` per batch);
 * - `fail`: refuse at plan time, naming the filters that would make it work.
 */
export type Fallback =
  | {
      readonly kind: 'fan-out';
      readonly resource: string;
      readonly key: string;
      /** The required attribute the ids fill, e.g. `project_id`. */
      readonly field: string;
    }
  | { readonly kind: 'fail' };

/**
 * One way to obtain flattened child rows: list `resource` with `include`, walk `descend` from each
 * listed object to the children (objects or arrays at each step), and build a row per leaf.
 */
export interface NestedRoute {
  readonly resource: string;
  readonly key: string;
  readonly include: string;
  /** Keys walked from the listed object to the leaf, e.g. `['thread', 'comments']`. */
  readonly descend: readonly string[];
  /** Columns read from an ancestor instead of the leaf (a leaf-level column needs no entry). */
  readonly values: Readonly<Record<string, ValueSource>>;
  /** Column → the listed object's attribute it filters, with the operators Paymo evaluates there. */
  readonly filters: Readonly<
    Record<string, { readonly field: string; readonly ops: readonly FilterCapability[] }>
  >;
  /** The column equal to the listed object's id: `=`/`IN` on it may read parents by id. */
  readonly parentIdColumn?: string;
  /** Listed objects without this attribute are skipped (threads of tasks, not of discussions). */
  readonly keepIfSet?: string;
  readonly required?: RequiredFilter;
  /** Parents per page; small, so included children stay under Paymo's 2 500 per response cap. */
  readonly pageSize?: number;
  /**
   * The leaf attribute holding the id of the listed object (comments: `thread_id`, the thread they
   * live in). A nested table is written through its own `resource`; the row it returns takes the
   * columns of this route's listed object from one `GET /<route resource>/<id>` of that parent.
   */
  readonly parentKey?: string;
}

/** How rows are obtained. */
export type ReadSpec =
  | {
      readonly kind: 'list';
      /** `GET /resource/{id}` exists (false for endpoints only listable). */
      readonly byId: boolean;
      readonly required?: RequiredFilter;
      readonly fallback?: Fallback;
      /** Rows per page (default: the client's, 2 500). */
      readonly pageSize?: number;
    }
  | { readonly kind: 'singleton' }
  | {
      readonly kind: 'nested';
      /** Tried in order: the first whose `required` filter the query meets (or that has none). */
      readonly routes: readonly NestedRoute[];
      /** Reads by the row's own id, one per route they can stand in for (see NestedById). */
      readonly byId?: readonly NestedById[];
    };

/**
 * Reading rows of a nested table by their own id: `GET /<spec resource>/<id>?include=<include>`
 * returns the leaf with the object route `route` lists embedded along `include`, one step per level
 * that route descends (a comment with `thread`, or with `thread.task`, paymo-api.md 2.4), so the row
 * is built as that route builds it, from the same chain (listed object, …, leaf). Used for `id = x`
 * / `id IN (…)` while the ids are fewer than the requests of the route read (see PaymoTable), never
 * for join keys. A table read with the listed object as its parent uses the entry of that route.
 */
export interface NestedById {
  /** The include path from the leaf up to the listed object, e.g. `thread`, `thread.task`. */
  readonly include: string;
  /** Index of the route whose listed object the path ends at (its `values` and `keepIfSet` apply). */
  readonly route: number;
}

/** The DML matrix row (issue 5): which statements Paymo supports for the table. */
export interface WriteMatrix {
  readonly insert: boolean;
  readonly update: boolean;
  readonly delete: boolean;
}

/**
 * A per-object write rule, as data for the DML layer (checked by `checkWriteRules` for every row
 * before the first request):
 * - `positive`: the column must be > 0 when given, on INSERT and UPDATE (invoice `discount`: Paymo
 *   answers 0 with "Field 'discount' cannot be empty"). NULL means "not given" on INSERT (left out
 *   of the body) and is refused on UPDATE, where Paymo would read it as empty too;
 * - `one-of-groups`: INSERT needs a non-NULL value in every column of at least one group (time
 *   entries: (`date`,`duration`) or (`start_time`,`end_time`); tasks: `project_id` or
 *   `tasklist_id`). With `exclusive`, the groups are alternatives of which one row uses exactly one:
 *   an INSERT may not give values in two groups, an UPDATE may not assign columns of two groups.
 */
export type WriteRule =
  | { readonly kind: 'positive'; readonly column: string; readonly message: string }
  | {
      readonly kind: 'one-of-groups';
      readonly groups: readonly (readonly string[])[];
      readonly message: string;
      readonly exclusive?: boolean;
    };

/**
 * A parent object Paymo embeds in every listed object with `include=<include>` at no extra request
 * (paymo-api.md 1.7): `entries?include=user` puts each entry's user under `user`. Lets a scan carry
 * its parents' columns (PaymoTable.withParent) instead of a second list of them by id.
 *
 * A dotted include reaches a grandparent through parents embedded in turn (1.10, nested includes):
 * `entries?include=task.project` puts the task's project under `task.project`. Each segment must
 * be a parent include of the table before it, and `column` is this table's own copy of the last
 * link's key, one Paymo derives from that chain (an entry's `project_id` is its task's, 2.25; a task
 * never changes project, 2.24). PaymoTable still checks the embedded parent's id against `column`
 * and reads any that differ by id, so a broken chain costs a request, never a wrong row.
 */
export interface ParentInclude {
  /** The include path, which is also where the parent object arrives, e.g. `user`, `task.project`. */
  readonly include: string;
  /** This table's column holding the parent's id, e.g. `user_id`. */
  readonly column: string;
  /** The parent's SQL table (its spec gives the embedded object's columns), e.g. `users`. */
  readonly table: string;
}

/** One SQL table over Paymo. */
export interface ObjectSpec {
  /** snake_case table name, e.g. `time_entries`. */
  readonly name: string;
  /** Other accepted names (Skyvia's `TimeEntries`, `timeentries`, …). */
  readonly aliases: readonly string[];
  readonly comment: string;
  /** Paymo resource path segment for by-id reads and writes, e.g. `entries`. */
  readonly resource: string;
  /** JSON collection key of that resource's responses. */
  readonly key: string;
  readonly read: ReadSpec;
  readonly columns: readonly ColumnSpec[];
  readonly primaryKey: readonly string[];
  readonly foreignKeys: readonly ForeignKey[];
  readonly writes: WriteMatrix;
  readonly writeRules?: readonly WriteRule[];
  /**
   * Paymo treats an update as a full re-specification (reports, 2.19: "update requires the same
   * parameters as create"): an UPDATE first reads the object by id and sends every writable
   * attribute, the assigned ones changed.
   */
  readonly updateReplaces?: boolean;
  /** Parents a list read can embed with `include=` (list tables only). */
  readonly parents?: readonly ParentInclude[];
}
