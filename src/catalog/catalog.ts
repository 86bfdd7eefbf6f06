import { undefinedTable } from '../errors.js';
import type { TableSource } from './table-source.js';

/** A name → TableSource map. Names are stored as given; lookup is exact first, then case-insensitive. */
export class Catalog {
  private readonly tables = new Map<string, TableSource>();
  private readonly folded = new Map<string, string>();

  /** Registers a source under a name (and optional aliases); a later registration replaces an earlier one. */
  register(name: string, source: TableSource, aliases: readonly string[] = []): this {
    for (const n of [name, ...aliases]) {
      this.tables.set(n, source);
      this.folded.set(n.toLowerCase(), n);
    }
    return this;
  }

  /**
   * Finds a source. The parser already folds unquoted identifiers to lower case, so `Tasks` and `tasks`
   * arrive as `tasks`; quoted `"Tasks"` arrives as written and still resolves case-insensitively when
   * no exact entry exists, which is friendlier than PostgreSQL and cannot be ambiguous here.
   */
  lookup(name: string): TableSource | undefined {
    const exact = this.tables.get(name);
    if (exact !== undefined) return exact;
    const n = this.folded.get(name.toLowerCase());
    return n === undefined ? undefined : this.tables.get(n);
  }

  /** Like `lookup` but throws 42P01 naming the tables that exist. */
  get(name: string): TableSource {
    const s = this.lookup(name);
    if (s === undefined) throw undefinedTable(name, `known tables: ${this.names().join(', ')}`);
    return s;
  }

  /** Registered names, sorted. */
  names(): string[] {
    return [...this.tables.keys()].sort();
  }
}
