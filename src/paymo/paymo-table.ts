/**
 * PaymoTable: the one generic TableSource over Paymo, driven entirely by an ObjectSpec. It answers
 * which filters Paymo evaluates, plans the fewest requests for a scan (reads by id, `in (…)`
 * batches, the route of a flattened table, the spec's fallback when Paymo insists on a filter),
 * enforces the request budget, serves repeated requests from the cache, converts Paymo's JSON to the
 * catalog's values, and re-checks every pushed filter locally.
 */
import type {
  ColumnWrite,
  FilterSupport,
  ParentEmbedding,
  ScanContext,
  ScanRequest,
  TableSource,
  WriteContext,
  WriteSupport,
} from '../catalog/table-source.js';
import type { Column, Row, SqlType } from '../catalog/types.js';
import { SqlError } from '../errors.js';
import { type Expr, mapChildren } from '../plan/expr.js';
import { runningBudgetError } from './budget.js';
import type { ResponseCache } from './cache.js';
import { PaymoError, PaymoNotFoundError } from './errors.js';
import {
  compileLocal,
  type LocalPredicate,
  type PushColumn,
  type PushTarget,
  planWhere,
  supportOf,
} from './filters.js';
import type { PaymoClient, PaymoRow } from './http-client.js';
import { EQ_IN } from './specs/columns.js';
import type {
  ColumnSpec,
  DerivedValue,
  Fallback,
  NestedById,
  ObjectSpec,
  RequiredFilter,
  ValueSource,
} from './specs/types.js';
import { isoSeconds, renderWhere, type WhereCondition, type WhereValue } from './where-render.js';
import { readSelector } from './write-values.js';
import { columnWritesOf, PaymoWriter, type WriteOp, writeSupportOf } from './writes.js';

/** Paymo's cap of included items per resource type per response (paymo-api.md 1.7). */
export const PAYMO_INCLUDE_CAP = 2500;
const DEFAULT_PAGE_SIZE = 2500;
/**
 * Reads by id a nested table makes when the route read's size is unknown (its estimate, one page, is
 * only a floor): one rate-limit window (about 5 requests per 5 s), while a read of every parent
 * grows with the account.
 */
const NESTED_BY_ID_READS = 5;

/** What every PaymoTable of one catalog shares. */
export interface PaymoTableContext {
  readonly client: PaymoClient;
  readonly cache: ResponseCache;
  /**
   * Most requests one statement may make, all its scans together: checked on the plan's estimate
   * (PaymoCatalog.checkStatement) and before each request on the statement's running total.
   */
  requestBudget: number;
  /** Largest `in (…)` list sent in one request. */
  readonly maxInListSize: number;
  /** `spec`: use each spec's fallback; `fail`: refuse scans that lack a required filter. */
  readonly fallbacks: 'spec' | 'fail';
  /** Row counts of unfiltered lists seen so far (resource → rows), for request estimates. */
  readonly knownCounts: Map<string, number>;
  /** Included children per response at which Paymo may have cut the list (default {@link PAYMO_INCLUDE_CAP}). */
  readonly includeCap?: number;
}

/** One way to read rows: a direct list (no descend) or a flattened route. */
interface Route {
  readonly resource: string;
  readonly key: string;
  readonly include?: string;
  readonly descend: readonly string[];
  readonly values: Readonly<Record<string, ValueSource>>;
  readonly target: PushTarget;
  readonly required?: RequiredFilter;
  /** Column equal to the listed object's id (reads by id possible). */
  readonly idColumn?: string;
  readonly keepIfSet?: string;
  readonly pageSize: number;
  readonly fallback?: Fallback;
  /** Reads of the leaf itself: the path up to the listed object (chain: it, …, the leaf). */
  readonly ascend?: readonly string[];
}

/** The requests a scan will make, decided before any is made. */
type ScanPlan =
  | { readonly mode: 'none' }
  | { readonly mode: 'singleton'; readonly route: Route }
  | { readonly mode: 'get'; readonly route: Route; readonly ids: readonly number[] }
  | {
      readonly mode: 'list';
      readonly route: Route;
      readonly conds: readonly WhereCondition[];
      /** An `in` condition too long for one request, split into batches. */
      readonly batch?: { readonly index: number; readonly chunks: readonly (readonly WhereValue[])[] };
      readonly pageSize: number;
    }
  | {
      readonly mode: 'fan-out';
      readonly route: Route;
      readonly conds: readonly WhereCondition[];
      readonly fallback: Extract<Fallback, { kind: 'fan-out' }>;
    };

const rank: Record<FilterSupport, number> = { unsupported: 0, inexact: 1, exact: 2 };

/** Stands for the join keys of a plan-time dynamic filter (`col IN ()`), replaced in EXPLAIN text. */
const JOIN_KEYS = -424242424;

/** The first of the sentinels that stand for run-time values in EXPLAIN text (see withSentinels). */
const RUNTIME_NUMBER = -525252500;

/** Plan-time dynamic filters arrive with an empty list; one placeholder value lets them be planned. */
function withPlaceholders(dynamic: readonly Expr[]): Expr[] {
  return dynamic.map((d) =>
    d.kind === 'in_list' && d.list.length === 0 && d.arg.kind === 'column'
      ? {
          ...d,
          list: [
            { kind: 'literal', value: d.arg.type === 'text' ? 'join keys' : JOIN_KEYS, type: d.arg.type },
          ],
        }
      : d,
  );
}

/**
 * The request with each run-time value's placeholder (a literal with `runtime` set) replaced by a
 * sentinel of its type that no real filter holds, so the planned requests can be printed and the
 * sentinels' text (`names`: sentinel text → `{name}`) swapped for the names. A date sentinel may
 * reach the text a day off (bounds of `>` / `<`); boolean values keep their placeholder.
 */
function withSentinels(request: ScanRequest): {
  request: ScanRequest;
  names: (readonly [string, string])[];
} {
  const names: (readonly [string, string])[] = [];
  const place = (e: Expr): Expr => {
    if (e.kind !== 'literal' || e.runtime === undefined) return e;
    const k = names.length;
    const name = e.runtime;
    switch (e.type) {
      case 'bigint':
      case 'integer':
      case 'numeric':
      case 'double precision': {
        const value = RUNTIME_NUMBER - k;
        names.push([String(value), `{${name}}`]);
        return { ...e, value };
      }
      case 'text':
        names.push([`runtime value ${k}`, `{${name}}`]);
        return { ...e, value: `runtime value ${k}` };
      case 'date': {
        const year = 1111 + k;
        names.push([`${year}-11-10`, `{${name} - 1 day}`], [`${year}-11-12`, `{${name} + 1 day}`]);
        names.push([`${year}-11-11`, `{${name}}`]);
        return { ...e, value: `${year}-11-11` };
      }
      case 'timestamptz': {
        const secs = RUNTIME_NUMBER - k;
        names.push([isoSeconds((secs + 1) * 1000), `{${name} + 1 s}`]);
        names.push([isoSeconds(secs * 1000), `{${name}}`], [String(secs), `{${name}}`]);
        return { ...e, value: secs * 1000 };
      }
      default:
        return e;
    }
  };
  const walk = (e: Expr): Expr => (e.kind === 'literal' ? place(e) : mapChildren(e, walk));
  return { request: { ...request, filters: request.filters.map(walk) }, names };
}

/** A Paymo error as a SqlError with the client's suggested SQLSTATE (messages never hold the key). */
export function toPaymoSqlError(error: unknown, table: string): SqlError {
  if (error instanceof SqlError) return error;
  if (error instanceof PaymoError) {
    return new SqlError(error.sqlState, `Paymo request for table "${table}" failed: ${error.message}`);
  }
  return new SqlError('XX000', error instanceof Error ? error.message : String(error));
}

function isObject(v: unknown): v is PaymoRow {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Converts one Paymo JSON value to the catalog's JS representation of `type`; absent → NULL. */
export function convertValue(v: unknown, type: SqlType): unknown {
  if (v === undefined || v === null) return null;
  switch (type) {
    case 'bigint':
    case 'integer':
    case 'numeric':
    case 'double precision': {
      if (typeof v === 'number') return Number.isFinite(v) ? v : null;
      if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
      if (typeof v === 'boolean') return v ? 1 : 0;
      return null;
    }
    case 'text':
      return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (v === 1 || v === '1' || v === 'true') return true;
      if (v === 0 || v === '0' || v === 'false') return false;
      return null;
    case 'date':
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : null;
    case 'timestamptz':
    case 'timestamp': {
      if (typeof v === 'number') return v * 1000;
      if (typeof v !== 'string') return null;
      const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
      return Number.isNaN(ms) ? null : ms;
    }
    case 'jsonb':
      return v;
    default:
      if (type.endsWith('[]')) {
        if (!Array.isArray(v)) return null;
        const el = type.slice(0, -2) as SqlType;
        return v.map((x) => convertValue(x, el));
      }
      return v;
  }
}

function toTarget(entries: Iterable<[string, PushColumn]>): PushTarget {
  return new Map([...entries].filter(([, c]) => c.ops.length > 0 || c.interval !== undefined));
}

function routesOf(spec: ObjectSpec): Route[] {
  const read = spec.read;
  const typeOf = (name: string): SqlType => spec.columns.find((c) => c.name === name)?.type ?? 'text';
  switch (read.kind) {
    case 'singleton':
      return [
        {
          resource: spec.resource,
          key: spec.key,
          descend: [],
          values: {},
          target: new Map(),
          pageSize: DEFAULT_PAGE_SIZE,
        },
      ];
    case 'list':
      return [
        {
          resource: spec.resource,
          key: spec.key,
          descend: [],
          values: {},
          target: toTarget(
            spec.columns.map((c): [string, PushColumn] => [
              c.name,
              {
                field: c.name,
                type: c.type,
                ops: c.filters ?? [],
                ...(c.interval ? { interval: c.interval } : {}),
              },
            ]),
          ),
          ...(read.required ? { required: read.required } : {}),
          ...(read.byId ? { idColumn: 'id' } : {}),
          pageSize: read.pageSize ?? DEFAULT_PAGE_SIZE,
          ...(read.fallback ? { fallback: read.fallback } : {}),
        },
      ];
    case 'nested':
      return read.routes.map((r) => ({
        resource: r.resource,
        key: r.key,
        include: r.include,
        descend: r.descend,
        values: r.values,
        target: toTarget(
          Object.entries(r.filters).map(([c, f]): [string, PushColumn] => [
            c,
            { field: f.field, type: typeOf(c), ops: f.ops },
          ]),
        ),
        ...(r.required ? { required: r.required } : {}),
        ...(r.parentIdColumn ? { idColumn: r.parentIdColumn } : {}),
        ...(r.keepIfSet ? { keepIfSet: r.keepIfSet } : {}),
        pageSize: r.pageSize ?? DEFAULT_PAGE_SIZE,
      }));
  }
}

/** True if the conditions meet a required list filter (as the simulator and Paymo count them). */
export function meetsRequired(conds: readonly WhereCondition[], rf: RequiredFilter): boolean {
  if (conds.some((c) => (c.op === '=' || c.op === 'in') && rf.anyOf.includes(c.field))) return true;
  if (conds.some((c) => c.op === 'in' && (rf.intervals ?? []).includes(c.field))) return true;
  return (rf.allOf ?? []).some((g) => g.every((f) => conds.some((c) => c.field === f)));
}

/** The required filter in words, for errors: `task_id, project_id, user_id or client_id (= or IN)`. */
function describeRequired(spec: ObjectSpec, rf: RequiredFilter): string {
  const parts = [`${rf.anyOf.join(', ')} (= or IN)`];
  for (const iv of rf.intervals ?? []) {
    const cols = spec.columns.filter((c) => c.interval?.param === iv).map((c) => c.name);
    const list = cols.length > 1 ? `${cols.slice(0, -1).join(', ')} or ${cols.at(-1)}` : cols.join('');
    parts.push(`a range on ${list} (sent as ${iv})`);
  }
  for (const g of rf.allOf ?? []) parts.push(`filters on both ${g.join(' and ')}`);
  return parts.join('; or ');
}

/**
 * A parent carried by every row (see {@link PaymoTable.withParent}): embedded by Paymo under
 * `include` (a spec's ParentInclude), or, for a flattened table, the object its route lists
 * (`include` undefined: no extra include, and filters on its columns go into the route's `where`).
 */
interface Embed {
  readonly parent: PaymoTable;
  /** This table's column holding the parent's id. */
  readonly column: string;
  /** Prefix of the parent's column names: the include name, or the parent table's name. */
  readonly prefix: string;
  readonly include?: string;
}

/** A TableSource over one Paymo object, driven by its spec. */
export class PaymoTable implements TableSource {
  readonly schema: readonly Column[];
  readonly maxInListSize: number;
  readonly spec: ObjectSpec;
  readonly #ctx: PaymoTableContext;
  readonly #routes: readonly Route[];
  /** A nested table's reads by its own id (spec `byId`), absent with embedded parents. */
  readonly #byId: Route | undefined;
  readonly #columns: ReadonlyMap<string, ColumnSpec>;
  readonly #embeds: readonly Embed[];
  /** Column names of a full row: the spec's, then each embedded parent's as `<prefix>.<name>`. */
  readonly #names: readonly string[];
  /** The DML matrix row (absent: read-only, and on a table read with its parent embedded). */
  readonly writes?: WriteSupport;
  readonly columnWrites?: ReadonlyMap<string, ColumnWrite>;
  readonly primaryKey?: readonly string[];
  readonly #writer: PaymoWriter | undefined;

  constructor(spec: ObjectSpec, ctx: PaymoTableContext, embeds: readonly Embed[] = []) {
    this.spec = spec;
    this.#ctx = ctx;
    this.#embeds = embeds;
    // `include=task.project` embeds the task too: a bare `task` beside it adds nothing.
    const all = embeds.flatMap((e) => (e.include === undefined ? [] : [e.include]));
    const incs = all.filter((i) => !all.some((o) => o.startsWith(`${i}.`)));
    const listed = embeds.find((e) => e.include === undefined);
    // A listed parent: only the routes listing it, which can also filter on its attributes.
    const extra = listed
      ? [...listed.parent.#routes[0]!.target].map(([n, c]): [string, PushColumn] => [
          `${listed.prefix}.${n}`,
          c,
        ])
      : [];
    this.#routes = routesOf(spec)
      .filter((r) => !listed || (r.resource === listed.parent.spec.resource && r.idColumn === listed.column))
      .map((r) => ({
        ...r,
        ...(incs.length > 0 ? { include: [...(r.include ? [r.include] : []), ...incs].join(',') } : {}),
        ...(extra.length > 0 ? { target: new Map([...r.target, ...extra]) } : {}),
      }));
    this.#columns = new Map(spec.columns.map((c) => [c.name, c]));
    this.maxInListSize = ctx.maxInListSize;
    // Reads by id standing in for a route still in use (a listed parent keeps only its own).
    const specRoutes = routesOf(spec);
    const mirror = (b: NestedById) => this.#routes.find((r) => r.resource === specRoutes[b.route]?.resource);
    const byId = spec.read.kind === 'nested' ? spec.read.byId?.find((b) => mirror(b)) : undefined;
    const mirrored = byId && mirror(byId);
    this.#byId =
      byId && mirrored
        ? {
            resource: spec.resource,
            key: spec.key,
            include: byId.include,
            descend: [],
            ascend: byId.include.split('.'),
            values: mirrored.values,
            target: toTarget([['id', { field: 'id', type: 'bigint', ops: EQ_IN }]]),
            idColumn: 'id',
            ...(mirrored.keepIfSet ? { keepIfSet: mirrored.keepIfSet } : {}),
            pageSize: mirrored.pageSize,
          }
        : undefined;
    const own = spec.columns.map((c) => ({
      name: c.name,
      type: c.type,
      nullable: c.nullable,
      comment: c.comment,
    }));
    const parentCols = embeds.flatMap((e) =>
      e.parent.spec.columns
        .filter((c) => !c.detailOnly)
        .map((c) => ({
          name: `${e.prefix}.${c.name}`,
          type: c.type,
          nullable: true,
          comment: e.include
            ? `${c.comment} (the row's ${e.include}, embedded with include=${e.include}; NULL without one)`
            : `${c.comment} (the ${e.prefix} row its route lists)`,
        })),
    );
    this.schema = [...own, ...parentCols];
    this.#names = this.schema.map((c) => c.name);
    // A table read with parents embedded is a join, not a write target (its routes may be filtered).
    const writes = embeds.length > 0 ? undefined : writeSupportOf(spec);
    if (writes) {
      this.writes = writes;
      this.columnWrites = columnWritesOf(spec);
      this.primaryKey = spec.primaryKey;
    }
    this.#writer = writes
      ? new PaymoWriter(spec, {
          client: ctx.client,
          afterWrite: () => ctx.cache.afterWrite(),
          toRow: (chain, route) => this.#row(this.#routes[route]!, chain),
          // Only within a write statement, whose reads are fresh: never an answer older than it.
          statementRead: (id, load) =>
            ctx.cache.currentStatement()?.fresh
              ? ctx.cache.get(this.#getKey(this.#routes[0]!, Number(id)), load).then((r) => r.value)
              : load(),
        })
      : undefined;
  }

  // ---- Writes (issue 5): delegated to writes.ts. ----

  /** A write statement's reads bypass cached answers: SET seq = seq + 1 must not start from a stale seq. */
  beginWrite(): void {
    this.#ctx.cache.currentStatement()?.requireFresh();
  }

  /** Checks the assigned columns against the spec's write rules while planning (throws SqlError). */
  checkWriteColumns(op: 'insert' | 'update', columns: readonly string[]): void {
    this.#write().checkColumns(op, columns);
  }

  /** Checks one row against the spec's write rules before any request (throws SqlError). */
  checkWrite(op: 'insert' | 'update', values: ReadonlyMap<string, unknown>): void {
    this.#write().check(op, values);
  }

  /** `POST /<resource>`; the row as Paymo stored it, in schema order. */
  async insert(values: ReadonlyMap<string, unknown>, ctx: WriteContext): Promise<Row> {
    return this.#write().insert(values, ctx);
  }

  /** `PUT /<resource>/<id>` (company: `PUT /company`); the row as Paymo stored it. */
  async update(key: Row, values: ReadonlyMap<string, unknown>, ctx: WriteContext): Promise<Row> {
    return this.#write().update(key, values, ctx);
  }

  /** `DELETE /<resource>/<id>`, resolved once Paymo confirmed. */
  async delete(key: Row, ctx: WriteContext): Promise<void> {
    return this.#write().delete(key, ctx);
  }

  /** EXPLAIN lines of a write: its requests per row and body fields. */
  describeWrite(op: WriteOp, columns: readonly string[]): string[] {
    return this.#write().describe(op, columns);
  }

  #write(): PaymoWriter {
    if (!this.#writer) throw new SqlError('0A000', `"${this.spec.name}" is read-only`);
    return this.#writer;
  }

  /**
   * This table read with its parent `parent` (`column` = parent.id, left-join semantics; see
   * ParentEmbedding): the same requests as a plain scan, each row followed by the parent's columns
   * as `<prefix>.<name>`. A list table embeds a parent its spec declares through `include=` (NULL
   * columns when the row has none; a parent Paymo left out of a response, include caps, is read by
   * id, all missing ones in one request); Paymo ignores `where` on a parent's attributes, so
   * filters on them are unsupported. A spec's dotted include (`task.project` on entries'
   * `project_id`) and a parent of an embedded parent (`column` = `task.project_id`) come the same
   * way, one include path deeper; the embedded parent's id is checked against the row's key. A
   * flattened table takes the object its route lists (invoice lines: the invoice), whose own
   * attributes its route's `where` filters. Chains: another parent can follow (a different
   * include). Undefined for any other parent.
   */
  withParent(parent: TableSource, column: string): ParentEmbedding | undefined {
    if (!(parent instanceof PaymoTable) || parent.#embeds.length > 0 || parent.spec.read.kind !== 'list')
      return undefined;
    const read = this.spec.read;
    let embed: Embed | undefined;
    if (read.kind === 'list') {
      // `task.project_id`: a parent of an included parent, reached by extending its include path.
      const dot = column.lastIndexOf('.');
      const via =
        dot < 0
          ? undefined
          : this.#embeds.find((e) => e.include !== undefined && e.prefix === column.slice(0, dot));
      const owner = via ? via.parent.spec : this.spec;
      const own = via ? column.slice(dot + 1) : column;
      const pi = owner.parents?.find((p) => p.column === own && p.table === parent.spec.name);
      const include = pi && (via ? `${via.include}.${pi.include}` : pi.include);
      if (include !== undefined && (via || dot < 0) && !this.#embeds.some((e) => e.include === include))
        embed = { parent, column, prefix: include, include };
    } else if (
      read.kind === 'nested' &&
      this.#embeds.length === 0 &&
      read.routes.some((r) => r.resource === parent.spec.resource && r.parentIdColumn === column)
    ) {
      embed = { parent, column, prefix: parent.spec.name };
    }
    if (!embed) return undefined;
    const { prefix, include } = embed;
    return {
      source: new PaymoTable(this.spec, this.#ctx, [...this.#embeds, embed]),
      parentKey: 'id',
      columns: new Map(
        parent.spec.columns.filter((c) => !c.detailOnly).map((c) => [c.name, `${prefix}.${c.name}`]),
      ),
      via: include ? `include=${include}` : `the ${parent.spec.resource} its route lists`,
    };
  }

  /** Per filter, the best answer of any route (every filter is also re-checked on fetched rows). */
  supportsFilters(filters: readonly Expr[]): FilterSupport[] {
    const answers: FilterSupport[] = filters.map(() => 'unsupported');
    for (const r of this.#byId ? [...this.#routes, this.#byId] : this.#routes) {
      supportOf(filters, r.target).forEach((a, i) => {
        if (rank[a] > rank[answers[i]!]) answers[i] = a;
      });
    }
    return answers;
  }

  /**
   * Plan-time check: a missing required filter without a usable fallback. The request budget holds
   * per statement, so the catalog checks it over all scans (PaymoCatalog.checkStatement).
   */
  validateScan(request: ScanRequest): void {
    this.#plan(request);
  }

  /** Why reading `request` takes many requests, for a budget error's hint (empty, or ends with a space). */
  budgetHow(request: ScanRequest): string {
    return this.#budgetHow(this.#plan(request));
  }

  /** Expected requests: by-id reads, `in` batches × estimated pages, fan-out lists, detail reads. */
  estimateRequests(request: ScanRequest): number {
    return this.#estimate(request, false);
  }

  /**
   * Like estimateRequests, less the requests the cache (or the running statement) would answer now:
   * what the scan would cost the statement's budget. A fan-out's batches are known only as it runs,
   * so a fan-out counts in full.
   */
  uncachedRequests(request: ScanRequest): number {
    return this.#estimate(request, true);
  }

  #estimate(request: ScanRequest, skipCached: boolean, plan = this.#plan(request)): number {
    // `n` requests, the i-th named by keyOf(i): keys are built only when the cache is asked.
    const count = (n: number, keyOf: (i: number) => string): number => {
      if (!skipCached) return n;
      let left = 0;
      for (let i = 0; i < n; i++) if (!this.#ctx.cache.has(keyOf(i))) left++;
      return left;
    };
    let n = 0;
    switch (plan.mode) {
      case 'none':
        return 0;
      case 'singleton':
        return count(1, () => this.#singletonKey(plan.route));
      case 'get':
        return count(plan.ids.length, (i) => this.#getKey(plan.route, plan.ids[i]!));
      case 'list': {
        const pages = this.#pages(plan.route, plan.conds, plan.pageSize);
        const batches = this.#batches(plan);
        n = count(batches.length * pages, (i) =>
          this.#listKey(plan.route, batches[Math.floor(i / pages)]!, plan.pageSize, i % pages),
        );
        break;
      }
      case 'fan-out': {
        const known = this.#ctx.knownCounts.get(plan.fallback.resource);
        const parents = Math.max(1, Math.ceil((known ?? 1) / DEFAULT_PAGE_SIZE));
        // At least one request per batch of parent ids, and at least one page per 2 500 rows this
        // table is known to hold (learned by earlier fan-outs), whichever is more.
        const rows = this.#ctx.knownCounts.get(this.spec.resource) ?? 0;
        n =
          parents +
          Math.max(1, Math.ceil((known ?? 1) / this.maxInListSize), Math.ceil(rows / plan.route.pageSize));
        break;
      }
    }
    if (this.#needsDetail(request)) n += this.#ctx.knownCounts.get(this.spec.resource) ?? 1;
    return n;
  }

  /**
   * Key batches or one plain read, by the requests each costs. A fan-out over a table whose size no
   * fan-out has shown yet is estimated at its floor, yet it reads every row of a table Paymo will not
   * list whole, while the batches read only the keys' rows: then the batches are chosen (they can
   * lose at most their own count, the fan-out a whole table), unless they alone break the budget.
   */
  preferKeyBatches(request: ScanRequest, column: string, keys: number): boolean {
    const probe: Expr = {
      kind: 'in_list',
      arg: { kind: 'column', id: -1, name: column, type: this.#columns.get(column)?.type ?? 'bigint' },
      list: [],
      negated: false,
      type: 'boolean',
    };
    const keyed =
      Math.ceil(keys / this.maxInListSize) *
      this.estimateRequests({ ...request, dynamicFilters: [...(request.dynamicFilters ?? []), probe] });
    let plan: ScanPlan;
    try {
      plan = this.#plan(request);
    } catch {
      return true; // no plain read at all (a required filter without fallback)
    }
    const plain = this.estimateRequests(request);
    if (plan.mode === 'fan-out' && !this.#ctx.knownCounts.has(this.spec.resource))
      return keyed <= this.#ctx.requestBudget || plain > this.#ctx.requestBudget;
    return keyed <= plain;
  }

  /**
   * The exact requests of the scan, as EXPLAIN prints them; a value known only at run time shows as
   * its name in braces (`GET /api/clients/{SubPlan 1}`).
   */
  describeScan(request0: ScanRequest): string[] {
    const { request, names } = withSentinels(request0);
    const plan = this.#plan(request);
    const base = new URL(this.#ctx.client.baseUrl).pathname.replace(/\/$/, '');
    const q = (route: Route, conds: readonly WhereCondition[], pageSize?: number): string => {
      const parts: string[] = [];
      const where = renderWhere(conds);
      if (where !== '') parts.push(`where=${where}`);
      if (route.include) parts.push(`include=${route.include}`);
      if (pageSize !== undefined) parts.push(`page_size=${pageSize}`);
      return parts.length > 0 ? `?${parts.join('&')}` : '';
    };
    const lines: string[] = [];
    switch (plan.mode) {
      case 'none':
        lines.push('no request (the filters match nothing)');
        break;
      case 'singleton':
        lines.push(`GET ${base}/${plan.route.resource}`);
        break;
      case 'get':
        for (const id of plan.ids.slice(0, 5))
          lines.push(`GET ${base}/${plan.route.resource}/${id}${q(plan.route, [])}`);
        if (plan.ids.length > 5) lines.push(`… ${plan.ids.length - 5} more reads by id`);
        break;
      case 'list': {
        const pages = this.#pages(plan.route, plan.conds, plan.pageSize);
        const conds = plan.batch
          ? plan.conds.map((c, i) => (i === plan.batch!.index ? { ...c, values: plan.batch!.chunks[0]! } : c))
          : plan.conds;
        const batches = plan.batch
          ? `, ${plan.batch.chunks.length} batches of up to ${this.maxInListSize} values`
          : '';
        lines.push(
          `GET ${base}/${plan.route.resource}${q(plan.route, conds, plan.pageSize)} (pages: ~${pages}${batches})`,
        );
        break;
      }
      case 'fan-out': {
        const fb = plan.fallback;
        lines.push(
          `required filter missing (${describeRequired(this.spec, plan.route.required!)}): fan-out over ${fb.resource} ids`,
        );
        lines.push(`GET ${base}/${fb.resource}?page_size=${DEFAULT_PAGE_SIZE} (ids)`);
        const placeholder: WhereCondition = {
          field: fb.field,
          op: 'in',
          values: [{ kind: 'number', value: 0 }],
        };
        const text = q(plan.route, [...plan.conds, placeholder], plan.route.pageSize).replace(
          `${fb.field} in (0)`,
          `${fb.field} in (<${fb.resource} ids>)`,
        );
        lines.push(`GET ${base}/${plan.route.resource}${text} (one per ${this.maxInListSize} ids)`);
        break;
      }
    }
    if (this.#needsDetail(request))
      lines.push(`GET ${base}/${this.spec.resource}/{id} per row (detail-only columns)`);
    return lines.map((l) =>
      // Last first: `runtime value 1` is a prefix of `runtime value 10`.
      names.reduceRight(
        (text, [sentinel, name]) => text.replaceAll(sentinel, name),
        l.replaceAll(String(JOIN_KEYS), '<join keys>').replaceAll('"join keys"', '<join keys>'),
      ),
    );
  }

  /** Reads the rows: plans the requests, makes them (cached, within budget), flattens, converts, re-checks. */
  async *scan(request: ScanRequest, ctx: ScanContext): AsyncIterable<Row[]> {
    const plan = this.#plan(request);
    const checks = [...request.filters, ...(request.dynamicFilters ?? [])]
      .map(compileLocal)
      .filter((p): p is LocalPredicate => p !== undefined);
    const index = new Map(this.#names.map((n, i) => [n, i]));
    const out = request.columns.map((c) => {
      const i = index.get(c);
      if (i === undefined) throw new SqlError('42703', `column "${c}" of "${this.spec.name}" does not exist`);
      return i;
    });
    const detail = this.#needsDetail(request);
    const route = plan.mode === 'none' ? this.#routes[0]! : plan.route;
    const limit = request.limit;
    let emitted = 0;
    try {
      for await (const chains of this.#fetch(plan, ctx)) {
        ctx.stats.rowsFetched += chains.length;
        if (detail && plan.mode !== 'get') await this.#addDetails(chains, ctx);
        const parents = await this.#parentsOf(chains, ctx);
        const batch: Row[] = [];
        for (const chain of chains) {
          const full = this.#row(route, chain);
          if (parents) full.push(...parents(chain));
          const get = (c: string): unknown => full[index.get(c) ?? -1] ?? null;
          if (!checks.every((p) => p(get) === true)) continue;
          batch.push(out.map((i) => full[i]));
        }
        if (batch.length > 0) {
          const keep = limit !== undefined ? batch.slice(0, Math.max(0, limit - emitted)) : batch;
          emitted += keep.length;
          if (keep.length > 0) yield keep;
        }
        if (limit !== undefined && emitted >= limit) return;
      }
    } catch (error) {
      throw toPaymoSqlError(error, this.spec.name);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Planning
  // -------------------------------------------------------------------------------------------

  /**
   * A nested table's `id = x` / `id IN (…)` read by id (one request per id, spec `byId`) while the
   * ids are no more than the route read costs, or than NESTED_BY_ID_READS when that read's size is
   * unknown; otherwise (and for join keys, known only at run time) the route read.
   */
  #plan(request: ScanRequest): ScanPlan {
    const plan = this.#planRoutes(request);
    if (!this.#byId || plan.mode === 'none') return plan;
    const wp = planWhere(request.filters, this.#byId.target, 'id');
    if (wp.empty) return { mode: 'none' };
    if (wp.ids === undefined) return plan;
    const cost = this.#estimate(request, false, plan);
    const floor =
      plan.mode === 'list' && plan.conds.length === 0 && !this.#ctx.knownCounts.has(plan.route.resource);
    return wp.ids.length <= (floor ? Math.max(cost, NESTED_BY_ID_READS) : cost)
      ? { mode: 'get', route: this.#byId, ids: wp.ids }
      : plan;
  }

  #planRoutes(request: ScanRequest): ScanPlan {
    const filters = [...request.filters, ...withPlaceholders(request.dynamicFilters ?? [])];
    const read = this.spec.read;
    if (read.kind === 'singleton') return { mode: 'singleton', route: this.#routes[0]! };
    const planned = this.#routes.map((route) => ({
      route,
      wp: planWhere(filters, route.target, route.idColumn),
    }));
    const meets = (route: Route, conds: readonly WhereCondition[]) =>
      !route.required || meetsRequired(conds, route.required);
    const chosen = planned.find((p) => meets(p.route, p.wp.conds)) ?? planned.at(-1)!;
    const { route, wp } = chosen;
    if (wp.empty) return { mode: 'none' };
    const ok = meets(route, wp.conds);
    if (route.idColumn !== undefined && wp.ids !== undefined && (wp.ids.length === 1 || !ok)) {
      const byId = planned.find((p) => p.route.idColumn !== undefined && p.wp.ids !== undefined);
      const r = byId?.route ?? route;
      return { mode: 'get', route: r, ids: byId?.wp.ids ?? wp.ids };
    }
    if (!ok) {
      const rf = route.required!;
      const fb = this.#ctx.fallbacks === 'fail' ? undefined : route.fallback;
      if (fb?.kind === 'fan-out') return { mode: 'fan-out', route, conds: wp.conds, fallback: fb };
      throw new SqlError(
        '0A000',
        `Paymo cannot list "${this.spec.name}" without a filter on ${describeRequired(this.spec, rf)}`,
        {
          hint:
            `Add a WHERE condition such as ${rf.anyOf[0]} = <id> or ${rf.anyOf[0]} IN (…), ` +
            `or join with the table it belongs to so the join can supply ${rf.anyOf[0]} values.`,
        },
      );
    }
    const bi = wp.conds.findIndex(
      (c) => (c.op === 'in' || c.op === 'not in') && c.values.length > this.maxInListSize,
    );
    const limit = request.limit;
    const pageSize =
      limit !== undefined && route.descend.length === 0 && !this.#needsDetail(request)
        ? Math.max(1, Math.min(route.pageSize, limit))
        : route.pageSize;
    if (bi < 0) return { mode: 'list', route, conds: wp.conds, pageSize };
    const values = wp.conds[bi]!.values;
    const chunks: WhereValue[][] = [];
    for (let i = 0; i < values.length; i += this.maxInListSize)
      chunks.push(values.slice(i, i + this.maxInListSize));
    return { mode: 'list', route, conds: wp.conds, batch: { index: bi, chunks }, pageSize };
  }

  #pages(route: Route, conds: readonly WhereCondition[], pageSize: number): number {
    if (conds.length > 0) return 1;
    const known = this.#ctx.knownCounts.get(route.resource);
    return known === undefined ? 1 : Math.max(1, Math.ceil((known + 1) / pageSize));
  }

  #needsDetail(request: ScanRequest): boolean {
    return request.columns.some((c) => this.#columns.get(c)?.detailOnly === true);
  }

  #budgetHow(plan: ScanPlan): string {
    if (plan.mode === 'fan-out') {
      return `Without a usable filter it lists every ${plan.fallback.resource} id and reads ${this.spec.name} in batches of ${this.maxInListSize}. `;
    }
    if (plan.mode === 'get') return `It reads ${plan.ids.length} objects one by one. `;
    return '';
  }

  // -------------------------------------------------------------------------------------------
  // Fetching
  // -------------------------------------------------------------------------------------------

  /**
   * Makes one request through the cache, counting it and checking the statement's budget first (a
   * cache hit is no request, so it is neither checked nor counted).
   */
  async #call<T>(ctx: ScanContext, key: string, load: () => Promise<T>): Promise<T> {
    const { value, hit } = await this.#ctx.cache.get(key, async () => {
      // In the loader: only a request not answered from the cache is checked and counted.
      const made = ctx.statement?.requests ?? ctx.stats.requests;
      if (made + 1 > this.#ctx.requestBudget)
        throw runningBudgetError(this.spec.name, made, 1, this.#ctx.requestBudget, '');
      ctx.stats.requests++;
      const before = this.#ctx.client.stats().retries;
      try {
        return await load();
      } finally {
        ctx.stats.retries += Math.max(0, this.#ctx.client.stats().retries - before);
      }
    });
    if (hit) ctx.stats.cacheHits++;
    return value;
  }

  /**
   * Fails before the requests `keys` name would take the statement (this scan alone outside one)
   * past the budget; keys the cache or the statement already answered need no request.
   */
  #ensureBudget(ctx: ScanContext, keys: readonly string[], how: string): void {
    const more = keys.filter((k) => !this.#ctx.cache.has(k)).length;
    const made = ctx.statement?.requests ?? ctx.stats.requests;
    if (made + more > this.#ctx.requestBudget) {
      throw runningBudgetError(this.spec.name, made, more, this.#ctx.requestBudget, how);
    }
  }

  /** Pages of a list, each as chains (one per flattened leaf: ancestors then the leaf). */
  async *#list(
    route: Route,
    conds: readonly WhereCondition[],
    pageSize: number,
    ctx: ScanContext,
  ): AsyncGenerator<PaymoRow[][]> {
    const client = this.#ctx.client;
    const where = renderWhere(conds);
    let total = 0;
    let previousFirst: unknown;
    for (let page = 0; ; page++) {
      const opts = this.#listOptions(route, where, page, pageSize);
      const key = `GET ${client.describeList(route.resource, opts)}`;
      const rows = await this.#call(ctx, key, () =>
        client.list(route.resource, { ...opts, ...(ctx.signal ? { signal: ctx.signal } : {}) }),
      );
      if (rows.length > 0 && page > 0 && rows[0]!.id === previousFirst) {
        throw new SqlError('08P01', `Paymo ignored paging on ${route.resource}; cannot read it safely`);
      }
      previousFirst = rows[0]?.id;
      total += rows.length;
      if (rows.length > 0) yield await this.#flatten(route, rows, ctx);
      if (rows.length < pageSize) break;
    }
    if (conds.length === 0 && route.descend.length === 0) this.#ctx.knownCounts.set(route.resource, total);
  }

  #listOptions(route: Route, where: string, page: number, pageSize: number) {
    return {
      ...(where !== '' ? { where } : {}),
      ...(route.include ? { include: route.include } : {}),
      key: route.key,
      page,
      pageSize,
    };
  }

  /** The cache key of a list's page (the first by default). */
  #listKey(route: Route, conds: readonly WhereCondition[], pageSize: number, page = 0): string {
    const opts = this.#listOptions(route, renderWhere(conds), page, pageSize);
    return `GET ${this.#ctx.client.describeList(route.resource, opts)}`;
  }

  /** The cache key of a singleton read. */
  #singletonKey(route: Route): string {
    return `GET ${new URL(this.#ctx.client.baseUrl).pathname}${route.resource}`;
  }

  /** The conditions of each request of a list plan: one set, or one per batch of a long `in` list. */
  #batches(plan: Extract<ScanPlan, { mode: 'list' }>): (readonly WhereCondition[])[] {
    const batch = plan.batch;
    if (!batch) return [plan.conds];
    return batch.chunks.map((values) => plan.conds.map((c, i) => (i === batch.index ? { ...c, values } : c)));
  }

  /** The cache key of a read by id. */
  #getKey(route: Route, id: number): string {
    const base = new URL(this.#ctx.client.baseUrl).pathname;
    return `GET ${base}${route.resource}/${id}${route.include ? `?include=${route.include}` : ''}`;
  }

  /** Chains of a page; a response whose included children reach Paymo's cap is re-read parent by parent. */
  async #flatten(route: Route, parents: readonly PaymoRow[], ctx: ScanContext): Promise<PaymoRow[][]> {
    const chains = this.#chains(route, parents);
    const cap = this.#ctx.includeCap ?? PAYMO_INCLUDE_CAP;
    if (route.descend.length === 0 || chains.length < cap || parents.length <= 1) return chains;
    this.#ensureBudget(
      ctx,
      parents.map((p) => this.#getKey(route, Number(p.id))),
      'Included children reached Paymo’s cap of 2500 per response. ',
    );
    const out: PaymoRow[][] = [];
    for (const p of parents) {
      const full = await this.#getOne(route, Number(p.id), ctx);
      if (full) out.push(...this.#chains(route, [full]));
    }
    return out;
  }

  #chains(route: Route, parents: readonly PaymoRow[]): PaymoRow[][] {
    const out: PaymoRow[][] = [];
    const walk = (chain: PaymoRow[], depth: number): void => {
      if (depth === route.descend.length) {
        out.push(chain);
        return;
      }
      const next = chain[depth]![route.descend[depth]!];
      const items = Array.isArray(next) ? next : next && typeof next === 'object' ? [next] : [];
      for (const it of items) if (it && typeof it === 'object') walk([...chain, it as PaymoRow], depth + 1);
    };
    for (const leaf of parents) {
      // A read of the leaf itself: its ancestors come embedded (a comment's thread, its task).
      const up: unknown[] = [leaf];
      for (const k of route.ascend ?? []) up.unshift(isObject(up[0]) ? up[0][k] : undefined);
      const p = up[0];
      if (!isObject(p) || !up.every(isObject)) continue;
      if (route.keepIfSet !== undefined && (p[route.keepIfSet] === undefined || p[route.keepIfSet] === null))
        continue;
      if (route.ascend === undefined) walk([p], 0);
      else out.push(up as PaymoRow[]);
    }
    return out;
  }

  async #getOne(route: Route, id: number, ctx: ScanContext): Promise<PaymoRow | undefined> {
    const client = this.#ctx.client;
    const opts = {
      ...(route.include ? { include: route.include } : {}),
      key: route.key,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    };
    try {
      return await this.#call(ctx, this.#getKey(route, id), () => client.get(route.resource, id, opts));
    } catch (error) {
      if (error instanceof PaymoNotFoundError) return undefined;
      throw error;
    }
  }

  async *#fetch(plan: ScanPlan, ctx: ScanContext): AsyncGenerator<PaymoRow[][]> {
    const client = this.#ctx.client;
    switch (plan.mode) {
      case 'none':
        return;
      case 'singleton': {
        const opts = { key: plan.route.key, ...(ctx.signal ? { signal: ctx.signal } : {}) };
        const row = await this.#call(ctx, this.#singletonKey(plan.route), () =>
          client.getSingleton(plan.route.resource, opts),
        );
        yield [[row]];
        return;
      }
      case 'get': {
        this.#ensureBudget(
          ctx,
          plan.ids.map((id) => this.#getKey(plan.route, id)),
          `It reads ${plan.ids.length} objects one by one. `,
        );
        const rows = await Promise.all(plan.ids.map((id) => this.#getOne(plan.route, id, ctx)));
        const found = rows.filter((r): r is PaymoRow => r !== undefined);
        if (found.length > 0) yield this.#chains(plan.route, found);
        return;
      }
      case 'list': {
        const batches = this.#batches(plan);
        if (batches.length > 1)
          this.#ensureBudget(
            ctx,
            batches.map((conds) => this.#listKey(plan.route, conds, plan.pageSize)),
            '',
          );
        // Pages are read lazily: a scan that reached its LIMIT stops asking for more.
        for (const conds of batches) yield* this.#list(plan.route, conds, plan.pageSize, ctx);
        return;
      }
      case 'fan-out': {
        const fb = plan.fallback;
        const ids: number[] = [];
        const source: Route = {
          resource: fb.resource,
          key: fb.key,
          descend: [],
          values: {},
          target: new Map(),
          pageSize: DEFAULT_PAGE_SIZE,
        };
        for await (const page of this.#list(source, [], DEFAULT_PAGE_SIZE, ctx)) {
          for (const chain of page) if (typeof chain[0]!.id === 'number') ids.push(chain[0]!.id);
        }
        const batches: WhereCondition[][] = [];
        for (let i = 0; i < ids.length; i += this.maxInListSize) {
          const values = ids
            .slice(i, i + this.maxInListSize)
            .map((v): WhereValue => ({ kind: 'number', value: v }));
          batches.push([...plan.conds, { field: fb.field, op: 'in' as const, values }]);
        }
        this.#ensureBudget(
          ctx,
          batches.map((conds) => this.#listKey(plan.route, conds, plan.route.pageSize)),
          `Without a usable filter it reads ${this.spec.name} for ${ids.length} ${fb.resource} in ${batches.length} requests. `,
        );
        let rows = 0;
        for (const conds of batches) {
          for await (const page of this.#list(plan.route, conds, plan.route.pageSize, ctx)) {
            rows += page.length;
            yield page;
          }
        }
        // Every row passing the pushed conditions was read: the table holds at least that many, which
        // keeps later estimates of a fan-out (and the executor's choice against join-key batches) honest.
        const seen = this.#ctx.knownCounts.get(this.spec.resource) ?? 0;
        if (rows > seen) this.#ctx.knownCounts.set(this.spec.resource, rows);
        return;
      }
    }
  }

  /** Adds the detail-only attributes (report `content`) of each row with one read by id per row. */
  async #addDetails(chains: PaymoRow[][], ctx: ScanContext): Promise<void> {
    const route = { ...this.#routes[0]!, descend: [] };
    this.#ensureBudget(
      ctx,
      chains.map((chain) => this.#getKey(route, Number(chain.at(-1)!.id))),
      'Detail-only columns need one request per row; leave them out to save requests. ',
    );
    await Promise.all(
      chains.map(async (chain) => {
        const leaf = chain.at(-1)!;
        const full = await this.#getOne(route, Number(leaf.id), ctx);
        if (full) chain[chain.length - 1] = { ...leaf, ...full };
      }),
    );
  }

  /**
   * The embedded parents' columns of each row of a page, as a lookup by chain; undefined without an
   * embedded parent. Included parents missing from the response are read in one `id in (…)` list.
   */
  async #parentsOf(
    chains: readonly PaymoRow[][],
    ctx: ScanContext,
  ): Promise<((chain: readonly PaymoRow[]) => unknown[]) | undefined> {
    if (this.#embeds.length === 0) return undefined;
    const leaves = chains.map((c) => c.at(-1)!);
    const lookups: ((chain: readonly PaymoRow[]) => unknown[])[] = [];
    // Each included parent's object per leaf, so a parent chained on another (`task.project_id`)
    // takes its key from the object found for that one (embedded or read by id).
    const found = new Map<string, Map<PaymoRow, PaymoRow | undefined>>();
    for (const e of this.#embeds) {
      const p = e.parent;
      const keep = p.spec.columns.flatMap((c, i) => (c.detailOnly ? [] : [i]));
      const proute = p.#routes[0]!;
      // Many rows share a parent (a task's entries, an invoice's lines): each is converted once.
      const converted = new Map<PaymoRow, unknown[]>();
      const toRow = (obj: PaymoRow): unknown[] => {
        let row = converted.get(obj);
        if (row === undefined) {
          const r = p.#row(proute, [obj]);
          converted.set(obj, (row = keep.map((i) => r[i])));
        }
        return row;
      };
      const inc = e.include;
      if (inc === undefined) {
        lookups.push((chain) => toRow(chain[0]!));
        continue;
      }
      const dot = e.column.lastIndexOf('.');
      const via = dot < 0 ? undefined : found.get(e.column.slice(0, dot));
      const fk = (leaf: PaymoRow): number | null => {
        const v = convertValue(via ? via.get(leaf)?.[e.column.slice(dot + 1)] : leaf[e.column], 'bigint');
        return typeof v === 'number' ? v : null;
      };
      // A dotted include (`task.project`) arrives nested; a parent whose id is not the row's key
      // (Paymo cut it, or the chain led elsewhere) counts as missing and is read by id.
      const path = inc.split('.');
      const embedded = (leaf: PaymoRow, key: number | null): PaymoRow | undefined => {
        let o: unknown = leaf;
        for (const k of path) o = isObject(o) ? o[k] : undefined;
        return isObject(o) && key !== null && convertValue(o.id, 'bigint') === key ? o : undefined;
      };
      // Each leaf's key and embedded parent, found once.
      const keys = leaves.map(fk);
      const inline = leaves.map((l, i) => embedded(l, keys[i] ?? null));
      const missing = [...new Set(keys.filter((k, i): k is number => k !== null && inline[i] === undefined))];
      const fetched = new Map<number, PaymoRow>();
      for (let i = 0; i < missing.length; i += this.maxInListSize) {
        const values = missing
          .slice(i, i + this.maxInListSize)
          .map((v): WhereValue => ({ kind: 'number', value: v }));
        for await (const page of p.#list(proute, [{ field: 'id', op: 'in', values }], proute.pageSize, ctx))
          for (const chain of page) fetched.set(Number(chain[0]!.id), chain[0]!);
      }
      const objs = new Map(
        leaves.map((l, i) => {
          const key = keys[i] ?? null;
          return [l, inline[i] ?? (key === null ? undefined : fetched.get(key))] as const;
        }),
      );
      found.set(e.prefix, objs);
      const nulls = new Array<unknown>(keep.length).fill(null);
      lookups.push((chain) => {
        const obj = objs.get(chain.at(-1)!);
        return obj ? toRow(obj) : nulls;
      });
    }
    return (chain) => lookups.flatMap((f) => f(chain));
  }

  /** One row in spec column order from a chain (ancestors, then the leaf). */
  #row(route: Route, chain: readonly PaymoRow[]): Row {
    const leaf = chain.length - 1;
    const raw = (name: string): unknown => {
      const src = route.values[name];
      return chain[src ? src.level : leaf]?.[src ? src.field : name];
    };
    return this.spec.columns.map((c) =>
      c.derived
        ? this.#derive(c.derived, raw)
        : c.selector
          ? readSelector(raw(c.name))
          : convertValue(raw(c.name), c.type),
    );
  }

  /** A derived column's value: the first set source attribute, as a date (date-times by their UTC day). */
  #derive(d: DerivedValue, raw: (name: string) => unknown): unknown {
    for (const f of d.fields) {
      const type = this.#columns.get(f)?.type ?? 'text';
      const v = convertValue(raw(f), type);
      if (v === null) continue;
      if (type === 'timestamptz' && typeof v === 'number') return new Date(v).toISOString().slice(0, 10);
      return type === 'date' ? v : null;
    }
    return null;
  }
}
