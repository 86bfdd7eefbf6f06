import type { TableSource } from '../catalog/table-source.js';
import type { AggCall, ColumnDef, Expr, SortKey, WindowCall } from './expr.js';
import { assertNever } from './expr.js';

/** Join kinds; `semi`/`anti` output only the left side's columns. */
export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti' | 'cross';

/**
 * Semi-join pushdown decided by the optimizer: run the `build` side first, collect the distinct
 * non-NULL values of `buildKey`, and hand them to scan `scanId` (on the other side) as a dynamic
 * `column IN (...)` filter, batched by the source's `maxInListSize`.
 */
export interface DynamicFilter {
  readonly build: 'left' | 'right';
  readonly buildKey: Expr;
  readonly scanId: number;
  readonly column: string;
}

/** A logical plan node: readonly tagged data, no behaviour; `output` lists the columns it produces. */
export type LogicalPlan =
  | {
      readonly kind: 'scan';
      /** Unique per query; dynamic filters target scans by this id. */
      readonly scanId: number;
      readonly table: string;
      readonly alias: string;
      readonly source: TableSource;
      /** Output columns; `name` is the source's column name. */
      readonly output: readonly ColumnDef[];
      /** Filters the source accepted (exact or inexact), in source-column terms. */
      readonly filters: readonly Expr[];
      readonly limit?: number;
      /** Set when a join feeds this scan a dynamic IN filter on this source column. */
      readonly dynamicColumn?: string;
      /**
       * Parents the source reads with each row in place of a join (parent-include rule), for
       * EXPLAIN: `users AS u via include=user`.
       */
      readonly embedded?: readonly string[];
      /**
       * Correlation parameters in `filters`: ids of enclosing-query columns whose current values the
       * executor substitutes before each run of the (correlated) subquery containing this scan.
       */
      readonly paramIds?: readonly number[];
    }
  | {
      readonly kind: 'values';
      readonly rows: readonly (readonly Expr[])[];
      readonly output: readonly ColumnDef[];
    }
  | { readonly kind: 'filter'; readonly input: LogicalPlan; readonly predicate: Expr }
  | {
      readonly kind: 'project';
      readonly input: LogicalPlan;
      readonly exprs: readonly Expr[];
      readonly output: readonly ColumnDef[];
    }
  | {
      readonly kind: 'join';
      readonly joinType: JoinType;
      readonly left: LogicalPlan;
      readonly right: LogicalPlan;
      readonly on: Expr | null;
      readonly dynamic?: DynamicFilter;
      /**
       * Anti join of `x NOT IN (subquery)` (on is the single `x = y`): no left row is kept when the
       * right side holds a NULL `y`, and a NULL `x` is kept only when the right side is empty.
       */
      readonly nullAware?: boolean;
      /**
       * LATERAL: ids of left-side columns the right side reads; the right side runs once per
       * distinct combination of their values (nested loop), with the values as parameters.
       */
      readonly lateral?: readonly number[];
    }
  | {
      readonly kind: 'aggregate';
      readonly input: LogicalPlan;
      readonly groupBy: readonly Expr[];
      readonly aggs: readonly AggCall[];
      /** Group keys first, then one column per aggregate. */
      readonly output: readonly ColumnDef[];
    }
  | {
      readonly kind: 'window';
      readonly input: LogicalPlan;
      readonly funcs: readonly WindowCall[];
      /** One column per window function, appended to the input's columns. */
      readonly windowOutput: readonly ColumnDef[];
    }
  | {
      /** Expands each input row by set-returning functions (unnest, generate_series) in the select list. */
      readonly kind: 'project_set';
      readonly input: LogicalPlan;
      readonly funcs: readonly { readonly fn: string; readonly args: readonly Expr[] }[];
      /** One column per function, appended to the input's columns. */
      readonly setOutput: readonly ColumnDef[];
    }
  | { readonly kind: 'sort'; readonly input: LogicalPlan; readonly keys: readonly SortKey[] }
  | {
      readonly kind: 'limit';
      readonly input: LogicalPlan;
      readonly limit: number | null;
      readonly offset: number;
    }
  | { readonly kind: 'distinct'; readonly input: LogicalPlan; readonly on?: readonly Expr[] }
  | {
      readonly kind: 'setop';
      readonly op: 'union' | 'intersect' | 'except';
      readonly all: boolean;
      readonly left: LogicalPlan;
      readonly right: LogicalPlan;
      readonly output: readonly ColumnDef[];
    }
  | {
      readonly kind: 'cte_ref';
      readonly cteId: number;
      readonly name: string;
      readonly output: readonly ColumnDef[];
    }
  | {
      /**
       * WITH RECURSIVE: `anchor` once, then `step` repeatedly, each time reading the previous
       * round's new rows through `cte_ref(workId)`, until a round adds nothing.
       */
      readonly kind: 'recursive_union';
      readonly workId: number;
      readonly anchor: LogicalPlan;
      readonly step: LogicalPlan;
      readonly all: boolean;
      readonly output: readonly ColumnDef[];
    }
  | {
      readonly kind: 'with';
      readonly ctes: readonly { readonly cteId: number; readonly name: string; readonly plan: LogicalPlan }[];
      readonly input: LogicalPlan;
    }
  | {
      readonly kind: 'function_scan';
      readonly fn: string;
      readonly args: readonly Expr[];
      readonly output: readonly ColumnDef[];
    };

/** The columns a node produces, in order. */
export function outputOf(p: LogicalPlan): readonly ColumnDef[] {
  switch (p.kind) {
    case 'scan':
    case 'values':
    case 'project':
    case 'aggregate':
    case 'setop':
    case 'cte_ref':
    case 'function_scan':
    case 'recursive_union':
      return p.output;
    case 'filter':
    case 'sort':
    case 'limit':
    case 'distinct':
    case 'with':
      return outputOf(p.input);
    case 'window':
      return [...outputOf(p.input), ...p.windowOutput];
    case 'project_set':
      return [...outputOf(p.input), ...p.setOutput];
    case 'join':
      return p.joinType === 'semi' || p.joinType === 'anti'
        ? outputOf(p.left)
        : [...outputOf(p.left), ...outputOf(p.right)];
    default:
      return assertNever(p);
  }
}

/** The direct child plans of a node. */
export function inputsOf(p: LogicalPlan): LogicalPlan[] {
  switch (p.kind) {
    case 'scan':
    case 'values':
    case 'cte_ref':
    case 'function_scan':
      return [];
    case 'filter':
    case 'project':
    case 'aggregate':
    case 'window':
    case 'project_set':
    case 'sort':
    case 'limit':
    case 'distinct':
      return [p.input];
    case 'with':
      return [...p.ctes.map((c) => c.plan), p.input];
    case 'join':
    case 'setop':
      return [p.left, p.right];
    case 'recursive_union':
      return [p.anchor, p.step];
    default:
      return assertNever(p);
  }
}

/** Rebuilds a node with new children (same order as `inputsOf`). */
export function withInputs(p: LogicalPlan, inputs: readonly LogicalPlan[]): LogicalPlan {
  switch (p.kind) {
    case 'scan':
    case 'values':
    case 'cte_ref':
    case 'function_scan':
      return p;
    case 'filter':
    case 'project':
    case 'aggregate':
    case 'window':
    case 'project_set':
    case 'sort':
    case 'limit':
    case 'distinct':
      return { ...p, input: inputs[0]! };
    case 'with':
      return {
        ...p,
        ctes: p.ctes.map((c, i) => ({ ...c, plan: inputs[i]! })),
        input: inputs[p.ctes.length]!,
      };
    case 'join':
    case 'setop':
      return { ...p, left: inputs[0]!, right: inputs[1]! };
    case 'recursive_union':
      return { ...p, anchor: inputs[0]!, step: inputs[1]! };
    default:
      return assertNever(p);
  }
}

/** Applies `f` bottom-up to every node of the plan (not into subquery expressions). */
export function transformUp(p: LogicalPlan, f: (p: LogicalPlan) => LogicalPlan): LogicalPlan {
  const ins = inputsOf(p);
  const next =
    ins.length === 0
      ? p
      : withInputs(
          p,
          ins.map((c) => transformUp(c, f)),
        );
  return f(next);
}
