import { castValue, compareText, decimalFix } from '../../catalog/values.js';
import { and, type Expr, lit, mapExpr } from '../expr.js';
import { type LogicalPlan, outputOf } from '../logical.js';
import { planningZone } from '../types.js';
import { mapNodeExprs, transformDeep } from '../walk.js';
import type { Rule } from './rule.js';

const isLit = (e: Expr): e is Extract<Expr, { kind: 'literal' }> => e.kind === 'literal';

/**
 * Folds what can be decided without data: boolean algebra with constant operands, IS [NOT] NULL and
 * casts of literals, arithmetic/comparison/concatenation of plain literals (never a division, so a
 * division by zero still fails at run time like PostgreSQL). A Filter that folds to TRUE disappears;
 * one that folds to FALSE or NULL becomes an empty Values node, so its scans are never called.
 *
 * Before: `Filter ((1 = 1) AND (x > 2 + 3))`          After: `Filter (x > 5)`
 * Before: `Filter (false AND x = 1) → Scan t`         After: `Values (0 rows)`
 */
export const foldConstants: Rule = {
  name: 'fold-constants',
  apply(plan) {
    return transformDeep(plan, (p) => {
      const q = mapNodeExprs(p, (e) => mapExpr(e, foldNode));
      if (q.kind === 'filter' && isLit(q.predicate)) {
        if (q.predicate.value === true) return q.input;
        return emptyOf(q);
      }
      if (q.kind === 'join' && q.on && isLit(q.on) && q.on.value === true) {
        return { ...q, on: null, joinType: q.joinType === 'inner' ? 'cross' : q.joinType };
      }
      return q;
    });
  },
};

function emptyOf(p: LogicalPlan): LogicalPlan {
  return { kind: 'values', rows: [], output: outputOf(p) };
}

/** Folds one node whose children are already folded. */
export function foldNode(e: Expr): Expr {
  switch (e.kind) {
    case 'and': {
      if (e.args.some((a) => isLit(a) && a.value === false)) return lit(false, 'boolean');
      const rest = e.args.filter((a) => !(isLit(a) && a.value === true));
      if (rest.length === 0) return lit(true, 'boolean');
      if (rest.every((a) => isLit(a) && a.value === null)) return lit(null, 'boolean');
      return rest.length === e.args.length ? e : and(rest);
    }
    case 'or': {
      if (e.args.some((a) => isLit(a) && a.value === true)) return lit(true, 'boolean');
      const rest = e.args.filter((a) => !(isLit(a) && a.value === false));
      if (rest.length === 0) return lit(false, 'boolean');
      if (rest.length === 1) return rest[0]!;
      return rest.length === e.args.length ? e : { ...e, args: rest };
    }
    case 'not':
      return isLit(e.arg) ? lit(e.arg.value === null ? null : !e.arg.value, 'boolean') : e;
    case 'is_null':
      return isLit(e.arg) ? lit((e.arg.value === null) !== e.negated, 'boolean') : e;
    case 'cast':
      if (isLit(e.arg)) {
        try {
          return lit(castValue(e.arg.value, e.arg.type, e.type, planningZone()), e.type);
        } catch {
          return e; // leave the error to run time, where PostgreSQL would raise it too
        }
      }
      return e;
    case 'call': {
      if (!e.args.every(isLit) || e.args.length !== 2) return e;
      const [a, b] = e.args.map((x) => (x as { value: unknown }).value);
      if (a === null || b === null) {
        return ['=', '!=', '<', '<=', '>', '>=', '+', '-', '*', '||'].includes(e.fn) ? lit(null, e.type) : e;
      }
      // NaN compares equal to itself in PostgreSQL; leave such comparisons to run time.
      const plain = (v: unknown): v is number | string =>
        (typeof v === 'number' && !Number.isNaN(v)) || typeof v === 'string';
      if (!plain(a) || !plain(b) || typeof a !== typeof b) return e;
      const t = e.args[0]!.type;
      if (t !== 'integer' && t !== 'bigint' && t !== 'numeric' && t !== 'double precision' && t !== 'text')
        return e;
      // Text compares by code point (compareText), not by JavaScript's UTF-16 `<`.
      const c =
        typeof a === 'string'
          ? compareText(a, b as string)
          : a < (b as number)
            ? -1
            : a > (b as number)
              ? 1
              : 0;
      switch (e.fn) {
        case '=':
          return lit(a === b, 'boolean');
        case '!=':
          return lit(a !== b, 'boolean');
        case '<':
          return lit(c < 0, 'boolean');
        case '<=':
          return lit(c <= 0, 'boolean');
        case '>':
          return lit(c > 0, 'boolean');
        case '>=':
          return lit(c >= 0, 'boolean');
        case '||':
          return lit(String(a) + String(b), 'text');
        case '+':
        case '-':
        case '*': {
          if (typeof a !== 'number' || typeof b !== 'number' || e.type !== t) return e;
          const v = e.fn === '+' ? a + b : e.fn === '-' ? a - b : a * b;
          if (e.type === 'integer' || e.type === 'bigint') {
            // Overflow is left to run time, which raises 22003 like PostgreSQL.
            const overflow = e.type === 'integer' ? Math.abs(v) > 2147483647 : !Number.isSafeInteger(v);
            return overflow ? e : lit(v, e.type);
          }
          return lit(e.type === 'numeric' ? decimalFix(v) : v, e.type);
        }
        default:
          return e;
      }
    }
    default:
      return e;
  }
}
