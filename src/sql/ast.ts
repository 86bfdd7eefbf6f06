/** The engine's own typed SQL AST: what `parse()` produces from node-sql-parser's loose tree. */

/** A type name as written (`int`, `numeric(10,2)`, `text[]`), resolved by the binder. */
export type AstTypeName = string;

/** ORDER BY item. */
export interface AstOrderItem {
  readonly expr: AstExpr;
  readonly desc: boolean;
  /** `undefined` = PostgreSQL default (NULLS LAST for ASC, NULLS FIRST for DESC). */
  readonly nullsFirst?: boolean;
}

/** A window frame: only ROWS frames; bounds are offsets (`null` = unbounded, 0 = current row). */
export interface AstFrame {
  /** Rows before the current row (positive) or after (negative); null = UNBOUNDED PRECEDING. */
  readonly start: number | null;
  /** Rows after the current row (positive) or before (negative); null = UNBOUNDED FOLLOWING. */
  readonly end: number | null;
}

/** OVER (...) clause, possibly referring to a named window. */
export interface AstWindowSpec {
  readonly ref?: string;
  readonly partitionBy: readonly AstExpr[];
  readonly orderBy: readonly AstOrderItem[];
  readonly frame?: AstFrame;
}

/** Scalar expression syntax. */
export type AstExpr =
  | { readonly type: 'column'; readonly table?: string; readonly name: string }
  | { readonly type: 'star'; readonly table?: string }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'number'; readonly text: string }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'null' }
  | { readonly type: 'typed_string'; readonly dataType: AstTypeName; readonly value: string }
  | { readonly type: 'param'; readonly index: number }
  | { readonly type: 'unary'; readonly op: '-' | '+' | 'not'; readonly arg: AstExpr }
  | { readonly type: 'binary'; readonly op: string; readonly left: AstExpr; readonly right: AstExpr }
  | {
      readonly type: 'is';
      readonly arg: AstExpr;
      readonly test: 'null' | 'true' | 'false' | 'unknown';
      readonly negated: boolean;
    }
  | {
      readonly type: 'distinct_from';
      readonly left: AstExpr;
      readonly right: AstExpr;
      readonly negated: boolean;
    }
  | {
      readonly type: 'in_list';
      readonly arg: AstExpr;
      readonly list: readonly AstExpr[];
      readonly negated: boolean;
    }
  | { readonly type: 'in_query'; readonly arg: AstExpr; readonly query: AstQuery; readonly negated: boolean }
  | {
      readonly type: 'between';
      readonly arg: AstExpr;
      readonly low: AstExpr;
      readonly high: AstExpr;
      readonly negated: boolean;
    }
  | {
      readonly type: 'like';
      readonly arg: AstExpr;
      readonly pattern: AstExpr;
      readonly escape?: AstExpr;
      readonly caseInsensitive: boolean;
      readonly negated: boolean;
    }
  | {
      readonly type: 'case';
      readonly operand?: AstExpr;
      readonly whens: readonly { readonly when: AstExpr; readonly result: AstExpr }[];
      readonly else?: AstExpr;
    }
  | { readonly type: 'cast'; readonly arg: AstExpr; readonly to: AstTypeName }
  | {
      readonly type: 'func';
      readonly name: string;
      readonly args: readonly AstExpr[];
      readonly star: boolean;
      readonly distinct: boolean;
      readonly orderBy?: readonly AstOrderItem[];
      /** Ordered-set aggregates: `percentile_cont(0.5) WITHIN GROUP (ORDER BY x)`. */
      readonly withinGroup?: readonly AstOrderItem[];
      readonly filter?: AstExpr;
      readonly over?: AstWindowSpec;
    }
  | { readonly type: 'subquery'; readonly query: AstQuery }
  | { readonly type: 'exists'; readonly query: AstQuery }
  /** `ARRAY(subquery)`, also the right side of `x op ANY/ALL (subquery)`. */
  | { readonly type: 'array_subquery'; readonly query: AstQuery }
  | { readonly type: 'array'; readonly items: readonly AstExpr[] }
  /** `(a, b)`: only in comparisons and IN lists, which the binder expands pairwise. */
  | { readonly type: 'row'; readonly items: readonly AstExpr[] }
  | {
      readonly type: 'any';
      readonly op: string;
      readonly left: AstExpr;
      readonly right: AstExpr;
      readonly all: boolean;
    }
  | { readonly type: 'subscript'; readonly arg: AstExpr; readonly index: AstExpr }
  | { readonly type: 'extract'; readonly field: string; readonly source: AstExpr };

/** One FROM item (tables, derived tables, table functions and joins between them). */
export type AstFrom =
  | {
      readonly type: 'table';
      readonly name: string;
      /** Schema qualifier as written (`pg_catalog` in `pg_catalog.pg_class`). */
      readonly schema?: string;
      readonly alias?: string;
      readonly columnAliases?: readonly string[];
    }
  | {
      readonly type: 'derived';
      readonly query: AstQuery;
      readonly alias?: string;
      readonly columnAliases?: readonly string[];
      /** LATERAL: may refer to the FROM items to its left. */
      readonly lateral?: boolean;
    }
  | {
      readonly type: 'function';
      readonly name: string;
      readonly args: readonly AstExpr[];
      readonly alias?: string;
      readonly columnAliases?: readonly string[];
      readonly lateral?: boolean;
    }
  | {
      readonly type: 'values';
      readonly rows: readonly (readonly AstExpr[])[];
      readonly alias?: string;
      readonly columnAliases?: readonly string[];
    }
  | {
      readonly type: 'join';
      readonly kind: 'inner' | 'left' | 'right' | 'full' | 'cross';
      readonly left: AstFrom;
      readonly right: AstFrom;
      readonly on?: AstExpr;
      readonly using?: readonly string[];
    };

/** One select-list item. */
export type AstSelectItem =
  | { readonly type: 'expr'; readonly expr: AstExpr; readonly alias?: string }
  | { readonly type: 'star'; readonly table?: string };

/** A common table expression. */
export interface AstCte {
  readonly name: string;
  readonly columns?: readonly string[];
  readonly query: AstQuery;
  /** Declared under WITH RECURSIVE: the query may read its own rows (UNION [ALL] of anchor and step). */
  readonly recursive?: boolean;
}

/** A SELECT block. */
export interface AstSelect {
  readonly type: 'select';
  readonly ctes: readonly AstCte[];
  /** `false`: ALL; `true`: DISTINCT; array: DISTINCT ON (exprs). */
  readonly distinct: boolean | readonly AstExpr[];
  readonly columns: readonly AstSelectItem[];
  readonly from?: AstFrom;
  readonly where?: AstExpr;
  /** GROUP BY items; `GROUP BY ()` (one group over all rows) is an empty `row`. */
  readonly groupBy: readonly AstExpr[];
  readonly having?: AstExpr;
  readonly windows: ReadonlyMap<string, AstWindowSpec>;
  readonly orderBy: readonly AstOrderItem[];
  readonly limit?: AstExpr;
  readonly offset?: AstExpr;
}

/** UNION / INTERSECT / EXCEPT, with the ORDER BY / LIMIT that applies to the whole result. */
export interface AstSetOp {
  readonly type: 'setop';
  readonly ctes: readonly AstCte[];
  readonly op: 'union' | 'intersect' | 'except';
  readonly all: boolean;
  readonly left: AstQuery;
  readonly right: AstQuery;
  readonly orderBy: readonly AstOrderItem[];
  readonly limit?: AstExpr;
  readonly offset?: AstExpr;
}

/** A query expression. */
export type AstQuery = AstSelect | AstSetOp;

/** The target table of INSERT / UPDATE / DELETE, as written. */
export interface AstTarget {
  readonly name: string;
  readonly schema?: string;
  readonly alias?: string;
}

/** A value in an INSERT's VALUES row: an expression or the DEFAULT keyword. */
export type AstInsertValue = AstExpr | { readonly type: 'default' };

/** `INSERT INTO t [(cols)] VALUES (…), (…) | SELECT … | DEFAULT VALUES [RETURNING …]`. */
export interface AstInsert {
  readonly type: 'insert';
  readonly ctes: readonly AstCte[];
  readonly table: AstTarget;
  /** Target columns as written; absent = every column in declared order. */
  readonly columns?: readonly string[];
  readonly source:
    | { readonly kind: 'values'; readonly rows: readonly (readonly AstInsertValue[])[] }
    | { readonly kind: 'query'; readonly query: AstQuery }
    | { readonly kind: 'default' };
  /** RETURNING items; empty = no RETURNING clause. */
  readonly returning: readonly AstSelectItem[];
}

/** `UPDATE t [AS a] SET col = expr|DEFAULT, … [WHERE …] [RETURNING …]`. */
export interface AstUpdate {
  readonly type: 'update';
  readonly ctes: readonly AstCte[];
  readonly table: AstTarget;
  readonly set: readonly { readonly column: string; readonly value: AstInsertValue }[];
  readonly where?: AstExpr;
  readonly returning: readonly AstSelectItem[];
}

/** `DELETE FROM t [AS a] [WHERE …] [RETURNING …]`. */
export interface AstDelete {
  readonly type: 'delete';
  readonly ctes: readonly AstCte[];
  readonly table: AstTarget;
  readonly where?: AstExpr;
  readonly returning: readonly AstSelectItem[];
}

/** A data-modifying statement. */
export type AstWrite = AstInsert | AstUpdate | AstDelete;

/** A statement EXPLAIN can show: a query or a write. */
export type AstExplainable =
  | { readonly type: 'query'; readonly query: AstQuery }
  | { readonly type: 'write'; readonly write: AstWrite };

/** A parsed statement the engine can run. */
export type AstStatement =
  | AstExplainable
  | {
      readonly type: 'explain';
      readonly analyze: boolean;
      readonly verbose: boolean;
      readonly statement: AstExplainable;
    };
