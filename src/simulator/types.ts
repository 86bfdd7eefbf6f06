/**
 * The simulator's description of the Paymo API: one ResourceDef per endpoint, as data.
 *
 * Everything here follows ../shared/paymo-api.md (section 1 for the protocol, section 2 for the
 * objects). Behaviour that cannot be said as data (side effects, computed totals) lives in
 * behaviours.ts, keyed by resource path.
 */

/** Field value types of paymo-api.md's type vocabulary (`html` is a string holding markup). */
export type FieldType =
  | 'int'
  | 'number'
  | 'bool'
  | 'string'
  | 'html'
  | 'date'
  | 'datetime'
  | 'int[]'
  | 'string[]'
  | 'object'
  | 'any';

/**
 * How a field may be written: `RO` server-set, never accepted; `RW` create and update; `C` create
 * only (read-only afterwards); `W` write-only (accepted, never returned); `V` virtual request
 * parameter, not stored (e.g. invoice `items`, project `template_id`).
 */
export type Access = 'RO' | 'RW' | 'C' | 'W' | 'V';

/** One attribute of a Paymo object. */
export interface FieldDef {
  readonly name: string;
  readonly type: FieldType;
  /** `null` is a legal stored value. */
  readonly nullable: boolean;
  readonly access: Access;
  /** Required on create (simple rule; alternatives such as "task_id or project_id" are behaviours). */
  readonly required?: boolean;
  /** Allowed values; anything else is refused with 400 on create/update. */
  readonly enum?: readonly string[];
  /** Value stored on create when the body does not give one (a function for values like "today"). */
  readonly default?: unknown;
  /**
   * `always` (default): the key is present in every response, `null` when unset.
   * `when-set`: the key is omitted when the value is undefined (thread `task_id`, entry `date`).
   * `read-one`: only in read-one responses, never in lists (report `content`, paymo-api.md 2.19).
   */
  readonly emit?: 'always' | 'when-set' | 'read-one';
  /** Other spellings accepted in request bodies (payment `note` for `notes`, paymo-api.md 6 #27). */
  readonly aliases?: readonly string[];
}

/** A stored record: plain JSON values keyed by attribute name. */
export type Rec = Record<string, unknown> & { id: number | string };

/** Read access to the store, for resolvers of virtual filters and includes. */
export interface StoreView {
  get(path: string, id: number | string): Rec | undefined;
  /** Records of `path` whose `field` equals `value` (or, for array fields, contains it). */
  findBy(path: string, field: string, value: unknown): readonly Rec[];
  all(path: string): Iterable<Rec>;
}

/** Who is calling: the authenticated user. */
export interface CallContext {
  readonly userId: number;
  readonly store: StoreView;
  /** Current time in epoch milliseconds (the simulator's clock; tests may pin it). */
  readonly now: number;
}

/**
 * A filter-only attribute that is not a stored field of the object.
 * - `derived`: a value computed from the record (entry `client_id` = its project's client); it then
 *   behaves like a field of `type` under every operator.
 * - `interval`: only `name in ("from","to")` is accepted; `test` gets the bounds in epoch ms.
 * - `predicate`: `name=value` evaluated by `test` (tasks `mytasks=true`).
 */
export type VirtualFilter =
  | {
      readonly kind: 'derived';
      readonly name: string;
      readonly type: FieldType;
      readonly value: (rec: Rec, ctx: CallContext) => unknown;
    }
  | {
      readonly kind: 'interval';
      readonly name: string;
      readonly type: 'date' | 'datetime';
      readonly test: (rec: Rec, fromMs: number, toMs: number, ctx: CallContext) => boolean;
    }
  | {
      readonly kind: 'predicate';
      readonly name: string;
      readonly type: FieldType;
      readonly test: (rec: Rec, value: unknown, ctx: CallContext) => boolean;
    };

/**
 * A related object that `include=` can embed.
 * - `parent` with `localField`: the one target whose id = record[localField] (embedded as an object or null).
 * - `parent` with `foreignField`: the one target whose foreignField = record.id (a task's `thread`).
 * - `child`: every target whose `foreignField` equals record.id, or contains it when it is an array
 *   field (embedded as an array, `[]` when none).
 */
export interface IncludeDef {
  readonly key: string;
  /** Other spellings accepted in requests (embedded under the spelling requested). */
  readonly aliases?: readonly string[];
  readonly resource: string;
  readonly kind: 'parent' | 'child';
  readonly localField?: string;
  readonly foreignField?: string;
}

/**
 * The filter a list request must carry (paymo-api.md 1.11). It is met by a top-level `=` or `in`
 * condition on one of `anyOf`, by an interval condition on one of `intervals`, or by conditions of
 * any operator on every field of one of `allOf` (bookings' `start_date` and `end_date`).
 */
export interface RequiredFilter {
  readonly anyOf: readonly string[];
  readonly intervals?: readonly string[];
  readonly allOf?: readonly (readonly string[])[];
}

/** The operations an endpoint answers. */
export type Operation = 'list' | 'read' | 'create' | 'update' | 'delete';

/** One Paymo resource (endpoint), described as data. */
export interface ResourceDef {
  /** Path segment under /api/, e.g. `entries`. */
  readonly path: string;
  /** Other accepted path spellings (e.g. `recurringprofile`). */
  readonly pathAliases?: readonly string[];
  /** JSON collection key of responses, e.g. `project_templates` for `projecttemplates`. */
  readonly key: string;
  /** `company`: GET/POST/PUT on the collection path, the envelope holds one object. */
  readonly singleton?: boolean;
  /** Operations served; an empty list means the resource is only reachable through includes. */
  readonly ops: readonly Operation[];
  readonly fields: readonly FieldDef[];
  readonly virtualFilters?: readonly VirtualFilter[];
  readonly includes: readonly IncludeDef[];
  readonly requiredFilter?: RequiredFilter;
}
