import type { FilterSupport, ScanContext, ScanRequest, TableSource } from '../../src/catalog/table-source.js';
import type { Column, Row } from '../../src/catalog/types.js';
import type { Expr } from '../../src/plan/expr.js';

/**
 * A read-only in-memory TableSource for the local-execution benchmark: it evaluates no filter
 * (every filter stays in the engine, so the engine's own work is what gets timed) and streams the
 * requested columns in batches, as PaymoTable streams converted pages. Unlike test/engine's
 * MemorySource it never materialises the whole projected table before yielding, which would time
 * the garbage collector instead of the engine.
 */
export class ArraySource implements TableSource {
  readonly schema: readonly Column[];
  readonly #rows: readonly Row[];
  readonly #batch: number;

  constructor(schema: readonly Column[], rows: readonly Row[], batch = 8192) {
    this.schema = schema;
    this.#rows = rows;
    this.#batch = batch;
  }

  supportsFilters(filters: readonly Expr[]): FilterSupport[] {
    return filters.map(() => 'unsupported');
  }

  describeScan(): string[] {
    return [`memory (${this.#rows.length} rows)`];
  }

  estimateRequests(): number {
    return 0;
  }

  async *scan(request: ScanRequest, ctx: ScanContext): AsyncIterable<Row[]> {
    const index = new Map(this.schema.map((c, i) => [c.name, i] as const));
    const pos = request.columns.map((c) => {
      const i = index.get(c);
      if (i === undefined) throw new Error(`unknown column ${c}`);
      return i;
    });
    const rows = this.#rows;
    const limit = request.limit ?? Number.POSITIVE_INFINITY;
    const end = Math.min(rows.length, limit);
    for (let start = 0; start < end; start += this.#batch) {
      const stop = Math.min(end, start + this.#batch);
      // Fresh row arrays, as PaymoTable builds them: the engine may own what it receives.
      const out = new Array<Row>(stop - start);
      const n = pos.length;
      for (let i = start; i < stop; i++) {
        const r = rows[i]!;
        const o = new Array<unknown>(n);
        for (let j = 0; j < n; j++) o[j] = r[pos[j]!];
        out[i - start] = o;
      }
      ctx.stats.rowsFetched += out.length;
      yield out;
    }
  }
}
