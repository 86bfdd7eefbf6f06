/**
 * `paymo_capabilities`: a small in-memory system table generated from the specs, so users (and the
 * README) can see what each table allows and what Paymo filters for it, and docs cannot drift.
 */
import type { FilterSupport, ScanContext, ScanRequest, TableSource } from '../catalog/table-source.js';
import type { Column, Row } from '../catalog/types.js';
import type { FilterCapability, FilterOp, ObjectSpec, RequiredFilter } from './specs/types.js';
import { writeRoute } from './writes.js';

/** SQL forms of each operator family, and the `where` form Paymo receives. */
const OPS: Record<FilterOp, { sql: string; paymo: (f: string) => string }> = {
  eq: { sql: '=', paymo: (f) => `${f}=v` },
  ne: { sql: '<>', paymo: (f) => `${f}!=v` },
  in: { sql: 'IN', paymo: (f) => `${f} in (a,b,…)` },
  not_in: { sql: 'NOT IN', paymo: (f) => `${f} not in (a,b,…)` },
  range: { sql: '<, <=, >, >=, BETWEEN', paymo: (f) => `${f}>=a and ${f}<=b` },
  like: { sql: 'LIKE', paymo: (f) => `${f} like "%run%"` },
  is_null: { sql: 'IS NULL', paymo: (f) => `${f}=null` },
  contains: { sql: '= ANY', paymo: (f) => `${f}=v` },
};

const COLUMNS: readonly Column[] = [
  { name: 'table_name', type: 'text', nullable: false, comment: 'SQL table' },
  {
    name: 'capability',
    type: 'text',
    nullable: false,
    comment: 'select, insert, update, delete, write_rule, filter or required_filter',
  },
  { name: 'allowed', type: 'boolean', nullable: false, comment: 'Whether the operation is allowed' },
  { name: 'column_name', type: 'text', nullable: true, comment: 'Filtered column (filter rows)' },
  { name: 'operator', type: 'text', nullable: true, comment: 'SQL operators pushed to Paymo (filter rows)' },
  {
    name: 'exactness',
    type: 'text',
    nullable: true,
    comment: 'exact: Paymo decides; inexact: re-checked locally',
  },
  { name: 'paymo_where', type: 'text', nullable: true, comment: 'The where= form Paymo receives' },
  {
    name: 'detail',
    type: 'text',
    nullable: true,
    comment: 'Route, required filter and fallback, write requests or a write rule, in words',
  },
];

/** The requests of a write per row and what it needs, in words; null when the table refuses it. */
function writeDetail(s: ObjectSpec, op: 'insert' | 'update' | 'delete'): string | null {
  if (!s.writes[op]) return null;
  const path = `/api/${s.resource}`;
  const route = writeRoute(s)?.route;
  // A flattened table reads its route's parent after the write, for the columns taken from it; a
  // table with detail-only columns reads the row back when Paymo's answer lacks them.
  const detail = s.columns.filter((c) => c.detailOnly).map((c) => c.name);
  const then = route
    ? `, then GET /api/${route.resource}/{${route.parentKey}}`
    : detail.length > 0
      ? `, then GET ${path}/{id} when Paymo's answer lacks ${detail.join(', ')}`
      : '';
  if (op === 'insert') {
    const req = s.columns.filter((c) => c.requiredOnInsert).map((c) => c.name);
    return `POST ${path}${then}, per row${req.length > 0 ? `; required: ${req.join(', ')}` : ''}`;
  }
  if (op === 'delete') return `DELETE ${path}/{id}, per row`;
  if (s.read.kind === 'singleton') return `PUT ${path}, one request`;
  const co = s.columns.filter((c) => c.createOnly).map((c) => c.name);
  return (
    (s.updateReplaces ? `GET ${path}/{id} (Paymo takes only the full specification), then ` : '') +
    `PUT ${path}/{id}${then}, per row` +
    (co.length > 0 ? `; set by INSERT only: ${co.join(', ')}` : '')
  );
}

function requiredText(rf: RequiredFilter): string {
  const parts = [`= or IN on one of ${rf.anyOf.join(', ')}`];
  for (const iv of rf.intervals ?? []) parts.push(`${iv} in ("from","to")`);
  for (const g of rf.allOf ?? []) parts.push(`conditions on ${g.join(' and ')}`);
  return parts.join('; or ');
}

function filterRows(
  table: string,
  column: string,
  field: string,
  caps: readonly FilterCapability[],
  via: string,
): Row[] {
  return caps.map((c) => [
    table,
    'filter',
    true,
    column,
    OPS[c.op].sql,
    c.exactness,
    OPS[c.op].paymo(field),
    via,
  ]);
}

/** The rows of `paymo_capabilities` for a set of specs. */
export function capabilityRows(specs: readonly ObjectSpec[]): Row[] {
  const rows: Row[] = [];
  for (const s of specs) {
    rows.push([s.name, 'select', true, null, null, null, null, s.comment]);
    for (const op of ['insert', 'update', 'delete'] as const) {
      rows.push([s.name, op, s.writes[op], null, null, null, null, writeDetail(s, op)]);
    }
    for (const r of s.writeRules ?? []) {
      const cols = r.kind === 'positive' ? r.column : r.groups.map((g) => g.join('+')).join(' | ');
      rows.push([s.name, 'write_rule', true, cols, null, null, null, r.message]);
    }
    const read = s.read;
    if (read.kind === 'list') {
      const path = `/api/${s.resource}`;
      for (const c of s.columns) {
        rows.push(...filterRows(s.name, c.name, c.name, c.filters ?? [], path));
        if (c.interval) {
          rows.push([
            s.name,
            'filter',
            true,
            c.name,
            '<, <=, >, >=, =, BETWEEN',
            'inexact',
            `${c.interval.param} in ("from","to")`,
            path,
          ]);
        }
      }
      if (read.required) {
        const fb =
          read.fallback?.kind === 'fan-out'
            ? `without one: list ${read.fallback.resource} ids, then ${read.fallback.field} in (…) batches`
            : 'without one: the query is refused';
        rows.push([s.name, 'required_filter', true, null, null, null, requiredText(read.required), fb]);
      }
    } else if (read.kind === 'nested') {
      const seen = new Set<string>();
      for (const r of read.routes) {
        const via = `/api/${r.resource}?include=${r.include}`;
        for (const [col, f] of Object.entries(r.filters)) {
          const caps = f.ops.filter((c) => !seen.has(`${col} ${c.op}`));
          for (const c of caps) seen.add(`${col} ${c.op}`);
          rows.push(...filterRows(s.name, col, f.field, caps, via));
        }
      }
    }
  }
  return rows;
}

/** A read-only in-memory table of fixed rows (system tables generated from the specs). */
export class StaticTable implements TableSource {
  readonly schema: readonly Column[];
  readonly #rows: readonly Row[];
  readonly #what: string;

  constructor(schema: readonly Column[], rows: readonly Row[], what: string) {
    this.schema = schema;
    this.#rows = rows;
    this.#what = what;
  }

  /** Nothing is pushed: the rows are local and few. */
  supportsFilters(filters: readonly unknown[]): FilterSupport[] {
    return filters.map(() => 'unsupported');
  }

  /** The rows, projected to the requested columns, in one batch. */
  async *scan(request: ScanRequest, ctx: ScanContext): AsyncIterable<Row[]> {
    const idx = request.columns.map((c) => this.schema.findIndex((s) => s.name === c));
    ctx.stats.rowsFetched += this.#rows.length;
    yield this.#rows.map((r) => idx.map((i) => r[i] ?? null));
  }

  /** No request: local rows. */
  describeScan(): string[] {
    return [`local rows (${this.#what}), no request`];
  }

  /** Always 0. */
  estimateRequests(): number {
    return 0;
  }
}

/** The `paymo_capabilities` system table of a set of specs. */
export function capabilitiesTable(specs: readonly ObjectSpec[]): StaticTable {
  return new StaticTable(COLUMNS, capabilityRows(specs), 'generated from the Paymo specs');
}
