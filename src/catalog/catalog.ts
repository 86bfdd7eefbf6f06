import { undefinedTable } from '../errors.js';
import type { ScanRequest, TableSource } from './table-source.js';
import type { SqlType } from './types.js';

/**
 * A scalar function the host adds (e.g. the pg_catalog helpers a wire server needs:
 * pg_table_is_visible, format_type, current_schema …). Builtins win over user functions.
 */
export interface UserFunction {
  /** Result type, fixed or computed from the (coerced) argument types. */
  readonly returns: SqlType | ((argTypes: readonly SqlType[]) => SqlType);
  /** Argument types untyped literals are coerced to; also the default arity. */
  readonly args?: readonly SqlType[];
  readonly minArgs?: number;
  readonly maxArgs?: number;
  /** When true (the default) a NULL argument gives NULL without calling `impl`. */
  readonly strict?: boolean;
  /** Receives argument values in the catalog's JS representation. */
  readonly impl: (args: unknown[]) => unknown;
}

/** Prefix of `call.fn` for user functions, so they never collide with builtins in plans. */
export const USER_FUNCTION_PREFIX = 'udf:';

/** One scan of a planned statement, as `Catalog.checkStatement` sees it. */
export interface PlannedScan {
  /** The table name as the query wrote it (resolved through the catalog). */
  readonly table: string;
  readonly source: TableSource;
  /** The request the scan will send (dynamic join keys appear as an empty `IN ()` list). */
  readonly request: ScanRequest;
  /**
   * The scan may run any number of times, zero included (correlated subquery, right side of a
   * LATERAL join, recursive step): its estimate is per run, not for the statement.
   */
  readonly repeated: boolean;
}

/** A name → TableSource map. Names are stored as given; lookup is exact first, then case-insensitive. */
export class Catalog {
  private readonly tables = new Map<string, TableSource>();
  private readonly folded = new Map<string, string>();
  private readonly functions = new Map<string, UserFunction>();

  /** Registers a scalar function under a lower-case name (`pg_catalog.` is stripped by the parser). */
  registerFunction(name: string, fn: UserFunction): this {
    this.functions.set(name.toLowerCase(), fn);
    return this;
  }

  /** A user function by name, if registered. */
  lookupFunction(name: string): UserFunction | undefined {
    return this.functions.get(name.toLowerCase());
  }

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

  /**
   * Refuses a planned statement as a whole before it runs, by throwing a SqlError: e.g. its scans
   * together would make more upstream requests than the catalog allows one statement. Called with
   * every scan of the statement (subqueries and a write's reads included) after each source's
   * `validateScan`; plain EXPLAIN shows the refusal as a note instead. `write`: the statement writes,
   * so its reads will be fresh (TableSource.beginWrite). The default accepts all.
   */
  checkStatement(_scans: readonly PlannedScan[], _statement: { readonly write: boolean }): void {}

  /** Registered names, sorted. */
  names(): string[] {
    return [...this.tables.keys()].sort();
  }
}
