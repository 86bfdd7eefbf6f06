import { USER_FUNCTION_PREFIX, type UserFunction } from '../catalog/catalog.js';
import { UTC, type Zone } from '../catalog/timezone.js';
import type { Interval, Row, SqlType } from '../catalog/types.js';
import { isIntegerType } from '../catalog/types.js';
import {
  addInterval,
  castValue,
  DAY_MS,
  dateToDays,
  daysToDate,
  decimalFix,
  scaleInterval,
} from '../catalog/values.js';
import { cardinalityViolation, divisionByZero, numericOutOfRange, SqlError } from '../errors.js';
import { assertNever, type Expr, type SubqueryExpr } from '../plan/expr.js';
import type { LogicalPlan } from '../plan/logical.js';
import { comparatorFor, equalsFor, keyFor } from './compare.js';
import { type FnEnv, likeMatcher, likeToRegExp, makeFunction } from './functions.js';

/** A compiled expression: a closure over a positional row. */
export type Compiled = (row: Row) => unknown;

/** Maps column ids to positions in the rows an expression will see. */
export type Layout = ReadonlyMap<number, number>;

/** Builds a layout from a node's output columns. */
export function layoutOf(cols: readonly { id: number }[]): Layout {
  const m = new Map<number, number>();
  cols.forEach((c, i) => {
    if (!m.has(c.id)) m.set(c.id, i);
  });
  return m;
}

/** What compiled code needs from the running query. */
export interface CompileEnv extends FnEnv {
  /** Host-registered scalar functions (see Catalog.registerFunction). */
  readonly userFunction?: (name: string) => UserFunction | undefined;
  /** Values of outer (correlated) columns, set while a correlated subquery runs. */
  readonly outer: Map<number, unknown>;
  /** Runs a plan to completion (used for subqueries). */
  readonly runPlan: (plan: LogicalPlan) => Promise<Row[]>;
}

/**
 * Evaluates the subqueries of one compiled expression set for a batch before the synchronous closures
 * run over it: results are cached by the values of the correlated columns, so an uncorrelated
 * subquery runs once per query and a correlated one once per distinct outer key.
 */
export interface SubqueryRunner {
  prepare(batch: readonly Row[]): Promise<void>;
}

/** Collects the subquery runners created while compiling a node's expressions. */
export class CompileScope {
  readonly runners: SubqueryRunner[] = [];
  constructor(
    readonly layout: Layout,
    readonly env: CompileEnv,
  ) {}

  /** Awaits every subquery result the batch needs; a no-op when the node has no subqueries. */
  async prepare(batch: readonly Row[]): Promise<void> {
    for (const r of this.runners) await r.prepare(batch);
  }
}

const bool3 = (v: unknown): boolean | null => (v === null ? null : (v as boolean));

/** Compiles an expression into a closure; outer column ids read from `env.outer`. */
export function compile(e: Expr, scope: CompileScope): Compiled {
  switch (e.kind) {
    case 'column': {
      const idx = scope.layout.get(e.id);
      if (idx !== undefined) return (row) => row[idx];
      const outer = scope.env.outer;
      const id = e.id;
      return () => {
        if (!outer.has(id))
          throw new SqlError('XX000', `internal error: column ${e.name} (#${id}) is not available`);
        return outer.get(id);
      };
    }
    case 'literal': {
      const v = e.value;
      return () => v;
    }
    case 'call':
      return compileCall(e, scope);
    case 'and': {
      const fs = e.args.map((a) => compile(a, scope));
      return (row) => {
        let sawNull = false;
        for (const f of fs) {
          const v = f(row);
          if (v === false) return false;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : true;
      };
    }
    case 'or': {
      const fs = e.args.map((a) => compile(a, scope));
      return (row) => {
        let sawNull = false;
        for (const f of fs) {
          const v = f(row);
          if (v === true) return true;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : false;
      };
    }
    case 'not': {
      const f = compile(e.arg, scope);
      return (row) => {
        const v = bool3(f(row));
        return v === null ? null : !v;
      };
    }
    case 'is_null': {
      const f = compile(e.arg, scope);
      return e.negated ? (row) => f(row) !== null : (row) => f(row) === null;
    }
    case 'is_bool': {
      const f = compile(e.arg, scope);
      const want = e.value;
      return e.negated ? (row) => f(row) !== want : (row) => f(row) === want;
    }
    case 'distinct_from': {
      const l = compile(e.left, scope);
      const r = compile(e.right, scope);
      const eq = equalsFor(e.left.type);
      const neg = e.negated;
      return (row) => {
        const a = l(row);
        const b = r(row);
        const same = a === null || b === null ? a === b : eq(a, b);
        return neg ? same : !same;
      };
    }
    case 'in_list': {
      const arg = compile(e.arg, scope);
      const neg = e.negated;
      if (e.list.every((x) => x.kind === 'literal')) {
        const key = keyFor(e.arg.type);
        const set = new Set<unknown>();
        let hasNull = false;
        for (const x of e.list) {
          const v = (x as { value: unknown }).value;
          if (v === null) hasNull = true;
          else set.add(key(v));
        }
        return (row) => {
          const v = arg(row);
          if (v === null) return null;
          if (set.has(key(v))) return !neg;
          return hasNull ? null : neg;
        };
      }
      const items = e.list.map((x) => compile(x, scope));
      const eq = equalsFor(e.arg.type);
      return (row) => {
        const v = arg(row);
        if (v === null) return null;
        let sawNull = false;
        for (const it of items) {
          const w = it(row);
          if (w === null) sawNull = true;
          else if (eq(v, w)) return !neg;
        }
        return sawNull ? null : neg;
      };
    }
    case 'like': {
      const arg = compile(e.arg, scope);
      const neg = e.negated;
      const ci = e.caseInsensitive;
      const esc = e.escape ? compile(e.escape, scope) : undefined;
      if (e.pattern.kind === 'literal' && (!e.escape || e.escape.kind === 'literal')) {
        if (e.pattern.value === null) return () => null;
        const escVal = e.escape ? (e.escape as { value: unknown }).value : '\\';
        if (escVal === null) return () => null;
        const match = likeMatcher(e.pattern.value as string, ci, escVal as string);
        return (row) => {
          const v = arg(row);
          return v === null ? null : match(v as string) !== neg;
        };
      }
      const pat = compile(e.pattern, scope);
      const cache = new Map<string, RegExp>();
      return (row) => {
        const v = arg(row);
        const p = pat(row);
        const x = esc ? esc(row) : '\\';
        if (v === null || p === null || x === null) return null;
        const k = `${x as string}\u0000${p as string}`;
        let re = cache.get(k);
        if (!re) {
          re = likeToRegExp(p as string, ci, x as string);
          cache.set(k, re);
        }
        return re.test(v as string) !== neg;
      };
    }
    case 'between': {
      const x = compile(e.arg, scope);
      const lo = compile(e.low, scope);
      const hi = compile(e.high, scope);
      const cmp = comparatorFor(e.arg.type);
      const neg = e.negated;
      return (row) => {
        const v = x(row);
        const a = lo(row);
        const b = hi(row);
        const ge = v === null || a === null ? null : cmp(v, a) >= 0;
        const le = v === null || b === null ? null : cmp(v, b) <= 0;
        let r: boolean | null;
        if (ge === false || le === false) r = false;
        else if (ge === null || le === null) r = null;
        else r = true;
        return r === null ? null : r !== neg;
      };
    }
    case 'case': {
      const whens = e.whens.map((w) => ({ when: compile(w.when, scope), result: compile(w.result, scope) }));
      const otherwise = e.else ? compile(e.else, scope) : () => null;
      return (row) => {
        for (const w of whens) if (w.when(row) === true) return w.result(row);
        return otherwise(row);
      };
    }
    case 'cast': {
      const f = compile(e.arg, scope);
      const from = e.arg.type;
      const to = e.type;
      const zone = scope.env.zone;
      return (row) => {
        const v = f(row);
        return v === null ? null : castValue(v, from, to, zone);
      };
    }
    case 'any': {
      const l = compile(e.left, scope);
      const r = compile(e.right, scope);
      const test = comparisonFn(e.op, e.left.type);
      const all = e.all;
      return (row) => {
        const arr = r(row) as unknown[] | null;
        if (arr === null) return null;
        if (arr.length === 0) return all;
        const v = l(row);
        if (v === null) return null;
        let sawNull = false;
        for (const w of arr) {
          if (w === null) {
            sawNull = true;
            continue;
          }
          const t = test(v, w);
          if (all && !t) return false;
          if (!all && t) return true;
        }
        return sawNull ? null : all;
      };
    }
    case 'array': {
      const items = e.items.map((x) => compile(x, scope));
      return (row) => items.map((f) => f(row));
    }
    case 'subquery':
      return compileSubquery(e, scope);
    case 'agg':
    case 'window':
    case 'srf':
      throw new SqlError('XX000', `internal error: ${e.kind} call outside its plan node`);
    default:
      return assertNever(e);
  }
}

/** The boolean test for a comparison operator on non-NULL values of one type. */
export function comparisonFn(op: string, type: SqlType): (a: unknown, b: unknown) => boolean {
  // (text is not simple: JavaScript's `<` is UTF-16 order, PostgreSQL's code-point order)
  const simple = type === 'date' || isIntegerType(type) || type === 'timestamptz' || type === 'timestamp';
  if (simple) {
    switch (op) {
      case '=':
        return (a, b) => a === b;
      case '!=':
        return (a, b) => a !== b;
      case '<':
        return (a, b) => (a as number) < (b as number);
      case '<=':
        return (a, b) => (a as number) <= (b as number);
      case '>':
        return (a, b) => (a as number) > (b as number);
      case '>=':
        return (a, b) => (a as number) >= (b as number);
    }
  }
  const eq = equalsFor(type);
  const cmp = comparatorFor(type);
  switch (op) {
    case '=':
      return eq;
    case '!=':
      return (a, b) => !eq(a, b);
    case '<':
      return (a, b) => cmp(a, b) < 0;
    case '<=':
      return (a, b) => cmp(a, b) <= 0;
    case '>':
      return (a, b) => cmp(a, b) > 0;
    case '>=':
      return (a, b) => cmp(a, b) >= 0;
    default:
      throw new SqlError('XX000', `internal error: unknown comparison ${op}`);
  }
}

function intResult(type: SqlType): (v: number) => number {
  if (type === 'integer') {
    return (v) => {
      if (v > 2147483647 || v < -2147483648) throw numericOutOfRange('integer');
      return v;
    };
  }
  if (type === 'bigint') {
    return (v) => {
      if (!Number.isSafeInteger(v)) throw numericOutOfRange('bigint');
      return v;
    };
  }
  return (v) => v;
}

function arithmetic(
  op: string,
  lt: SqlType,
  rt: SqlType,
  type: SqlType,
  zone: Zone,
): (a: unknown, b: unknown) => unknown {
  const num = (x: unknown): number => x as number;
  if (type === 'date') {
    // date ± integer
    if (lt === 'date')
      return op === '+'
        ? (a, b) => daysToDate(dateToDays(a as string) + num(b))
        : (a, b) => daysToDate(dateToDays(a as string) - num(b));
    return (a, b) => daysToDate(dateToDays(b as string) + num(a));
  }
  if (lt === 'date' && rt === 'date') return (a, b) => dateToDays(a as string) - dateToDays(b as string);
  const toMs = (t: SqlType) =>
    t === 'date' ? (x: unknown) => dateToDays(x as string) * DAY_MS : (x: unknown) => x as number;
  if (type === 'timestamptz' || type === 'timestamp') {
    // Days and months move a timestamptz on the session zone's calendar; a timestamp is wall time already.
    const z = type === 'timestamptz' ? zone : UTC;
    if (rt === 'interval') {
      const f = toMs(lt);
      return (a, b) => addInterval(f(a), b as Interval, op === '-' ? -1 : 1, z);
    }
    const f = toMs(rt);
    return (a, b) => addInterval(f(b), a as Interval, 1, z);
  }
  if (type === 'interval') {
    if (lt === 'interval' && rt === 'interval') {
      const s = op === '-' ? -1 : 1;
      return (a, b) => {
        const x = a as Interval;
        const y = b as Interval;
        return { months: x.months + s * y.months, days: x.days + s * y.days, ms: x.ms + s * y.ms };
      };
    }
    if (lt === 'interval' || rt === 'interval') {
      if (op === '/') {
        return (a, b) => {
          if (num(b) === 0) throw divisionByZero();
          return scaleInterval(a as Interval, 1, num(b));
        };
      }
      return lt === 'interval'
        ? (a, b) => scaleInterval(a as Interval, num(b))
        : (a, b) => scaleInterval(b as Interval, num(a));
    }
    // timestamp - timestamp: days and time, no months (PostgreSQL justifies hours into days).
    const fl = toMs(lt);
    const fr = toMs(rt);
    return (a, b) => {
      const d = fl(a) - fr(b);
      const days = Math.trunc(d / DAY_MS);
      return { months: 0, days, ms: d - days * DAY_MS };
    };
  }
  const check = intResult(type);
  const integral = isIntegerType(type);
  // numeric is carried as a double; trimming to 15 significant digits keeps 0.1 + 0.2 = 0.3 as in PostgreSQL.
  const fix = type === 'numeric' ? decimalFix : (v: number) => v;
  switch (op) {
    case '+':
      return integral ? (a, b) => check(num(a) + num(b)) : (a, b) => fix(num(a) + num(b));
    case '-':
      return integral ? (a, b) => check(num(a) - num(b)) : (a, b) => fix(num(a) - num(b));
    case '*':
      return integral ? (a, b) => check(num(a) * num(b)) : (a, b) => fix(num(a) * num(b));
    case '/':
      if (integral) {
        return (a, b) => {
          if (num(b) === 0) throw divisionByZero();
          return check(Math.trunc(num(a) / num(b)));
        };
      }
      if (type === 'double precision') {
        return (a, b) => {
          if (num(b) === 0) throw divisionByZero();
          return num(a) / num(b);
        };
      }
      return (a, b) => {
        if (num(b) === 0) throw divisionByZero();
        return num(a) / num(b);
      };
    case '%':
      return (a, b) => {
        if (num(b) === 0) throw divisionByZero();
        const r = num(a) % num(b);
        return r === 0 ? 0 : r;
      };
    default:
      throw new SqlError('XX000', `internal error: unknown operator ${op}`);
  }
}

function compileCall(e: Extract<Expr, { kind: 'call' }>, scope: CompileScope): Compiled {
  const args = e.args.map((a) => compile(a, scope));
  const types = e.args.map((a) => a.type);
  switch (e.fn) {
    case '=':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const [l, r] = args as [Compiled, Compiled];
      const test = comparisonFn(e.fn, types[0]!);
      return (row) => {
        const a = l(row);
        if (a === null) return null;
        const b = r(row);
        return b === null ? null : test(a, b);
      };
    }
    case '+':
    case '-':
    case '*':
    case '/':
    case '%': {
      const [l, r] = args as [Compiled, Compiled];
      const f = arithmetic(e.fn, types[0]!, types[1]!, e.type, scope.env.zone);
      return (row) => {
        const a = l(row);
        if (a === null) return null;
        const b = r(row);
        return b === null ? null : f(a, b);
      };
    }
    case 'neg': {
      const f = args[0]!;
      if (e.type === 'interval') {
        return (row) => {
          const v = f(row) as Interval | null;
          return v === null ? null : { months: -v.months, days: -v.days, ms: -v.ms };
        };
      }
      const check = intResult(e.type);
      return (row) => {
        const v = f(row);
        return v === null ? null : check(-(v as number));
      };
    }
    case '||': {
      const [l, r] = args as [Compiled, Compiled];
      return (row) => {
        const a = l(row);
        if (a === null) return null;
        const b = r(row);
        return b === null ? null : (a as string) + (b as string);
      };
    }
  }
  let strict: boolean;
  let impl: (args: unknown[]) => unknown;
  if (e.fn.startsWith(USER_FUNCTION_PREFIX)) {
    const name = e.fn.slice(USER_FUNCTION_PREFIX.length);
    const udf = scope.env.userFunction?.(name);
    if (!udf) throw new SqlError('42883', `function ${name} is not registered`);
    strict = udf.strict ?? true;
    impl = udf.impl;
  } else ({ strict, impl } = makeFunction(e.fn, types, e.type, scope.env));
  if (args.length === 0) return () => impl([]);
  if (!strict) return (row) => impl(args.map((f) => f(row)));
  if (args.length === 1) {
    const f = args[0]!;
    return (row) => {
      const v = f(row);
      return v === null ? null : impl([v]);
    };
  }
  return (row) => {
    const vals = new Array<unknown>(args.length);
    for (let i = 0; i < args.length; i++) {
      const v = args[i]!(row);
      if (v === null) return null;
      vals[i] = v;
    }
    return impl(vals);
  };
}

interface InResult {
  readonly set: Set<unknown>;
  readonly hasNull: boolean;
}

function compileSubquery(e: SubqueryExpr, scope: CompileScope): Compiled {
  const env = scope.env;
  // Correlated values come from the current row when this level has them, else from further out.
  const readers = e.correlated.map((id) => {
    const idx = scope.layout.get(id);
    return { id, read: idx !== undefined ? (row: Row) => row[idx] : () => env.outer.get(id) };
  });
  const keyOf = (row: Row): string =>
    readers.length === 0 ? '' : JSON.stringify(readers.map((r) => r.read(row) ?? null));
  const cache = new Map<string, unknown>();
  const outType = e.mode === 'in' ? e.arg!.type : e.type;
  const valueKey = keyFor(outType);
  const run = async (row: Row): Promise<unknown> => {
    const saved = readers.map((r) => [r.id, env.outer.has(r.id), env.outer.get(r.id)] as const);
    for (const r of readers) env.outer.set(r.id, r.read(row));
    try {
      const rows = await env.runPlan(e.plan);
      if (e.mode === 'exists') return rows.length > 0;
      if (e.mode === 'array') return rows.map((r) => r[0]);
      if (e.mode === 'scalar') {
        if (rows.length > 1) throw cardinalityViolation();
        return rows.length === 0 ? null : rows[0]![0];
      }
      const set = new Set<unknown>();
      let hasNull = false;
      for (const r of rows) {
        if (r[0] === null) hasNull = true;
        else set.add(valueKey(r[0]));
      }
      return { set, hasNull } satisfies InResult;
    } finally {
      for (const [id, had, v] of saved) {
        if (had) env.outer.set(id, v);
        else env.outer.delete(id);
      }
    }
  };
  scope.runners.push({
    async prepare(batch) {
      for (const row of batch) {
        const k = keyOf(row);
        if (!cache.has(k)) cache.set(k, await run(row));
      }
    },
  });
  const get = (row: Row): unknown => {
    const k = keyOf(row);
    if (!cache.has(k)) throw new SqlError('XX000', 'internal error: subquery result was not prepared');
    return cache.get(k);
  };
  if (e.mode !== 'in') {
    if (e.mode === 'exists' && e.negated) return (row) => !(get(row) as boolean);
    return get;
  }
  const arg = compile(e.arg!, scope);
  const neg = e.negated;
  return (row) => {
    const v = arg(row);
    const res = get(row) as InResult;
    if (res.set.size === 0 && !res.hasNull) return neg;
    if (v === null) return null;
    if (res.set.has(valueKey(v))) return !neg;
    return res.hasNull ? null : neg;
  };
}
