import type { FilterSupport, ScanContext, ScanRequest, TableSource } from './table-source.js';
import type { Column, Row } from './types.js';

/** Rows of a MemoryTable: a fixed array, or a function called at each scan (e.g. live system tables). */
export type MemoryRows = readonly Row[] | (() => readonly Row[] | Promise<readonly Row[]>);

/**
 * A TableSource over rows held in memory, for system tables (pg_catalog / information_schema
 * emulation) and small lookups: it accepts no filters (the engine filters locally, with exact SQL
 * semantics), makes no requests, and returns rows in schema order projected to the requested columns.
 */
export class MemoryTable implements TableSource {
  readonly maxInListSize = Number.POSITIVE_INFINITY;

  constructor(
    readonly schema: readonly Column[],
    private readonly rows: MemoryRows,
    private readonly label = 'memory',
  ) {}

  supportsFilters(filters: readonly unknown[]): FilterSupport[] {
    return filters.map(() => 'unsupported');
  }

  describeScan(): string[] {
    return [`${this.label} (no requests)`];
  }

  estimateRequests(): number {
    return 0;
  }

  async *scan(request: ScanRequest, ctx: ScanContext): AsyncIterable<Row[]> {
    const all = typeof this.rows === 'function' ? await this.rows() : this.rows;
    const idx = request.columns.map((c) => {
      const i = this.schema.findIndex((s) => s.name === c);
      if (i < 0) throw new Error(`MemoryTable: unknown column ${c}`);
      return i;
    });
    const batch = 1024;
    for (let i = 0; i < all.length; i += batch) {
      if (ctx.signal?.aborted) return;
      const out = all.slice(i, i + batch).map((r) => idx.map((j) => r[j] ?? null));
      ctx.stats.rowsFetched += out.length;
      yield out;
      if (request.limit !== undefined && i + batch >= request.limit) return;
    }
  }
}
