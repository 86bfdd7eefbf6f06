import { Catalog } from '../../src/catalog/catalog.js';
import {
  type ColumnWrite,
  type WriteContext,
  WriteError,
  type WriteSupport,
} from '../../src/catalog/table-source.js';
import type { Column, Row } from '../../src/catalog/types.js';
import { SqlError } from '../../src/errors.js';
import { MemorySource } from './memory-source.js';

/** One write call a WritableSource received, in order. */
export type WriteCall =
  | { readonly op: 'insert'; readonly values: Record<string, unknown> }
  | { readonly op: 'update'; readonly key: Row; readonly values: Record<string, unknown> }
  | { readonly op: 'delete'; readonly key: Row };

/** How the n-th write call (1-based, counting every insert/update/delete) fails. */
export interface WriteFault {
  readonly call: number;
  /** `unknown`: the request "was sent" and the row applied, but no answer came (WriteError outcomeUnknown). */
  readonly kind: 'error' | 'unknown' | 'sql';
  readonly code?: string;
  readonly message?: string;
}

/** Configuration of a writable in-memory table. */
export interface WritableOptions {
  readonly schema: readonly Column[];
  readonly rows: Row[];
  readonly writes?: WriteSupport;
  readonly columnWrites?: Record<string, ColumnWrite>;
  readonly primaryKey?: readonly string[];
  /** The source's row rule; throw SqlError to refuse the row. */
  readonly checkWrite?: (op: 'insert' | 'update', values: ReadonlyMap<string, unknown>) => void;
  /** Values the "server" sets on insert for columns not given (e.g. created_on). */
  readonly serverDefaults?: Record<string, unknown>;
  readonly resource: string;
}

const obj = (m: ReadonlyMap<string, unknown>): Record<string, unknown> => Object.fromEntries(m);

/**
 * A TableSource test double that can be written: rows live in an array (scans see writes), `id`
 * filters are exact (so `WHERE id = 5` is a by-id read, as Paymo's), every write call is recorded,
 * and a fault can fail the n-th call with a clean error or with an unknown outcome (applied upstream
 * but unanswered). Each write call counts as one request.
 */
export class WritableSource extends MemorySource {
  readonly writes?: WriteSupport;
  readonly columnWrites?: ReadonlyMap<string, ColumnWrite>;
  readonly primaryKey?: readonly string[];
  readonly calls: WriteCall[] = [];
  readonly checked: { op: string; values: Record<string, unknown> }[] = [];
  fault?: WriteFault;
  /** Called with the 1-based number of each write call as it starts (e.g. to cancel mid-statement). */
  onCall?: (n: number) => void;
  /** Most write calls ever in flight at once (writes must be sequential: always 1). */
  maxInFlight = 0;
  private inFlight = 0;
  private nextId: number;

  constructor(private readonly w: WritableOptions) {
    super({
      schema: w.schema,
      rows: w.rows,
      support: { id: { '=': 'exact', in: 'exact' } },
    });
    if (w.writes) this.writes = w.writes;
    if (w.columnWrites) this.columnWrites = new Map(Object.entries(w.columnWrites));
    this.primaryKey = w.primaryKey ?? ['id'];
    this.nextId = Math.max(0, ...w.rows.map((r) => Number(r[0]))) + 1;
  }

  /** The stored rows (what a later SELECT sees). */
  get rows(): Row[] {
    return this.w.rows;
  }

  checkWrite(op: 'insert' | 'update', values: ReadonlyMap<string, unknown>): void {
    this.checked.push({ op, values: obj(values) });
    this.w.checkWrite?.(op, values);
  }

  private call(c: WriteCall, ctx: WriteContext): void {
    this.calls.push(c);
    ctx.stats.requests++;
    this.onCall?.(this.calls.length);
    const f = this.fault;
    if (!f || f.call !== this.calls.length) return;
    if (f.kind === 'sql') throw new SqlError(f.code ?? '22023', f.message ?? 'rejected by the server');
    if (f.kind === 'error') throw new WriteError(f.code ?? '22023', f.message ?? 'rejected by the server');
  }

  /** After the write was applied: an unknown-outcome fault throws now (the answer was lost). */
  private answered(): void {
    const f = this.fault;
    if (f?.kind === 'unknown' && f.call === this.calls.length)
      throw new WriteError(
        f.code ?? '08006',
        f.message ?? 'connection reset after the request was sent',
        true,
      );
  }

  private index(key: Row): number {
    const i = this.w.rows.findIndex((r) => r[0] === key[0]);
    if (i < 0) throw new WriteError('P0002', `no ${this.w.resource} with id ${String(key[0])}`);
    return i;
  }

  /** Runs one write call, tracking how many are in flight. */
  private async flight<T>(f: () => Promise<T>): Promise<T> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, 1));
      return await f();
    } finally {
      this.inFlight--;
    }
  }

  insert(values: ReadonlyMap<string, unknown>, ctx: WriteContext): Promise<Row> {
    return this.flight(async () => this.doInsert(values, ctx));
  }

  update(key: Row, values: ReadonlyMap<string, unknown>, ctx: WriteContext): Promise<Row> {
    return this.flight(async () => this.doUpdate(key, values, ctx));
  }

  delete(key: Row, ctx: WriteContext): Promise<void> {
    return this.flight(async () => this.doDelete(key, ctx));
  }

  private doInsert(values: ReadonlyMap<string, unknown>, ctx: WriteContext): Row {
    this.call({ op: 'insert', values: obj(values) }, ctx);
    const row = this.w.schema.map((c, i) => {
      if (i === 0) return this.nextId;
      if (values.has(c.name)) return values.get(c.name);
      return this.w.serverDefaults?.[c.name] ?? null;
    });
    this.nextId++;
    this.w.rows.push(row);
    this.answered();
    return [...row];
  }

  private doUpdate(key: Row, values: ReadonlyMap<string, unknown>, ctx: WriteContext): Row {
    this.call({ op: 'update', key, values: obj(values) }, ctx);
    const i = this.index(key);
    const row = this.w.rows[i]!.map((v, j) => {
      const name = this.w.schema[j]!.name;
      return values.has(name) ? values.get(name) : v;
    });
    this.w.rows[i] = row;
    this.answered();
    return [...row];
  }

  private doDelete(key: Row, ctx: WriteContext): void {
    this.call({ op: 'delete', key }, ctx);
    this.w.rows.splice(this.index(key), 1);
    this.answered();
  }

  describeWrite(op: 'insert' | 'update' | 'delete', columns: readonly string[]): string[] {
    const path = op === 'insert' ? `/memory/${this.w.resource}` : `/memory/${this.w.resource}/{id}`;
    const method = op === 'insert' ? 'POST' : op === 'update' ? 'PUT' : 'DELETE';
    return [`${method} ${path}${columns.length > 0 ? ` fields: ${columns.join(', ')}` : ''}`];
  }
}

const col = (name: string, type: Column['type'], nullable = true, comment?: string): Column =>
  comment === undefined ? { name, type, nullable } : { name, type, nullable, comment };

/**
 * A catalog for write tests: `tasks` (all writes; read-only id/created_on, create-only project_id,
 * required name and project_id, a rule refusing budget 0), `company` (UPDATE only; create-only
 * region), `bookings`
 * (read-only), `notes` (INSERT and DELETE only).
 */
export function dmlCatalog(): {
  catalog: Catalog;
  tasks: WritableSource;
  company: WritableSource;
  bookings: WritableSource;
  notes: WritableSource;
} {
  const tasks = new WritableSource({
    resource: 'tasks',
    schema: [
      col('id', 'bigint', false),
      col('name', 'text', false),
      col('project_id', 'bigint', false),
      col('budget', 'numeric'),
      col('hours', 'integer'),
      col('done', 'boolean'),
      col('due', 'date'),
      col('tags', 'text[]'),
      col('created_on', 'timestamptz', false, 'set by the server when the task is created'),
    ],
    rows: [
      [1, 'Design', 10, 100, 5, false, '2024-01-10', ['a'], 1_700_000_000_000],
      [2, 'Build', 10, 200, 8, false, '2024-02-01', [], 1_700_000_000_000],
      [3, 'Test', 11, null, null, true, null, null, 1_700_000_000_000],
    ],
    writes: { insert: true, update: true, delete: true },
    columnWrites: {
      id: { readOnly: true },
      created_on: { readOnly: true },
      name: { requiredOnInsert: true },
      project_id: { requiredOnInsert: true, createOnly: true },
    },
    serverDefaults: { created_on: 1_800_000_000_000, done: false },
    checkWrite(_op, values) {
      if (values.get('budget') === 0)
        throw new SqlError('23514', 'budget must be greater than 0', {
          hint: 'leave budget out, or give a positive amount',
        });
    },
  });
  const company = new WritableSource({
    resource: 'company',
    schema: [col('id', 'bigint', false), col('name', 'text', false), col('region', 'text')],
    rows: [[1, 'Acme', 'eu']],
    writes: { insert: false, update: true, delete: false },
    columnWrites: { region: { createOnly: true } },
  });
  const bookings = new WritableSource({
    resource: 'bookings',
    schema: [col('id', 'bigint', false), col('hours', 'integer')],
    rows: [[1, 4]],
  });
  const notes = new WritableSource({
    resource: 'notes',
    schema: [col('id', 'bigint', false), col('body', 'text')],
    rows: [],
    writes: { insert: true, update: false, delete: true },
  });
  const catalog = new Catalog()
    .register('tasks', tasks)
    .register('company', company)
    .register('bookings', bookings)
    .register('notes', notes);
  return { catalog, tasks, company, bookings, notes };
}
