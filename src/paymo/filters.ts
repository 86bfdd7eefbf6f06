/**
 * From SQL filters to Paymo `where` conditions: which filter a target (a list endpoint, or one route
 * of a flattened table) can push and how exactly, the conditions it becomes, and a local evaluator
 * with SQL semantics that PaymoTable runs on every fetched row (so reads by id, routes that cannot
 * push a filter, and Paymo's undocumented corners never change an answer).
 */
import type { FilterSupport } from '../catalog/table-source.js';
import type { SqlType } from '../catalog/types.js';
import { children, type Expr } from '../plan/expr.js';
import type { Exactness, FilterCapability, FilterOp, IntervalPush } from './specs/types.js';
import {
  isoSeconds,
  isSafeNumber,
  isSafeText,
  type WhereCondition,
  type WhereOp,
  type WhereValue,
} from './where-render.js';

/** What one column of a target accepts: the Paymo attribute, operators, or an interval push. */
export interface PushColumn {
  readonly field: string;
  readonly type: SqlType;
  readonly ops: readonly FilterCapability[];
  readonly interval?: IntervalPush;
}

/** Column name → what it accepts; columns absent from the map push nothing. */
export type PushTarget = ReadonlyMap<string, PushColumn>;

/** A filter translated: its conditions, or interval bounds to merge, and how exact it is. */
interface Translated {
  readonly exactness: Exactness;
  readonly conds: readonly WhereCondition[];
  readonly bounds?: { readonly param: IntervalPush; readonly from?: string; readonly to?: string };
  /** The ids a `=`/`IN` filter on this column allows (for reads by id). */
  readonly ids?: readonly number[];
  /** The filter matches nothing (`IN ()`). */
  readonly empty?: boolean;
}

type Col = Extract<Expr, { kind: 'column' }>;

const litValue = (e: Expr): unknown => (e.kind === 'literal' ? e.value : undefined);
const isLit = (e: Expr): boolean => e.kind === 'literal';

/** The column a source-form filter constrains, or undefined. */
export function filterColumn(f: Expr): string | undefined {
  switch (f.kind) {
    case 'call':
      return f.args[0]?.kind === 'column' ? f.args[0].name : undefined;
    case 'in_list':
    case 'is_null':
    case 'like':
    case 'between':
      return f.arg.kind === 'column' ? f.arg.name : undefined;
    case 'any':
      return f.right.kind === 'column' ? f.right.name : undefined;
    case 'or': {
      const cols = f.args.map(filterColumn);
      return cols.every((c) => c !== undefined && c === cols[0]) ? cols[0] : undefined;
    }
    default:
      return undefined;
  }
}

function cap(col: PushColumn, op: FilterOp): Exactness | undefined {
  return col.ops.find((o) => o.op === op)?.exactness;
}

const worse = (a: Exactness, b: Exactness): Exactness =>
  a === 'exact' && b === 'exact' ? 'exact' : 'inexact';

/** A literal as a where value for a column of `type`, or undefined when it cannot be sent safely. */
function scalarValue(type: SqlType, v: unknown): { value: WhereValue; exact: boolean } | undefined {
  if (v === null || v === undefined) return undefined;
  switch (type) {
    case 'bigint':
    case 'integer':
    case 'numeric':
    case 'double precision':
    case 'bigint[]':
    case 'integer[]':
      return typeof v === 'number' && isSafeNumber(v)
        ? { value: { kind: 'number', value: v }, exact: true }
        : undefined;
    case 'boolean':
      return typeof v === 'boolean' ? { value: { kind: 'bool', value: v }, exact: true } : undefined;
    case 'text':
      return typeof v === 'string' && isSafeText(v)
        ? { value: { kind: 'text', value: v }, exact: true }
        : undefined;
    case 'date':
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)
        ? { value: { kind: 'date', value: v }, exact: true }
        : undefined;
    case 'timestamptz':
      return typeof v === 'number' && Number.isFinite(v)
        ? { value: { kind: 'unix', value: Math.floor(v / 1000) }, exact: v % 1000 === 0 }
        : undefined;
    default:
      return undefined;
  }
}

/** A timestamptz bound widened to whole seconds so the sent range contains the SQL range. */
function timeBound(op: WhereOp, ms: number): { value: WhereValue; exact: boolean } {
  const whole = ms % 1000 === 0;
  const lower = op === '>' || op === '>=';
  // A fractional lower bound rounds down and an upper bound up; `>`/`<` then become inclusive.
  const secs = lower ? Math.floor(ms / 1000) : Math.ceil(ms / 1000);
  return { value: { kind: 'unix', value: secs }, exact: whole };
}

const DAY = 86_400_000;
const addDays = (d: string, n: number): string =>
  new Date(Date.parse(`${d}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

/** Interval bounds (`from`, `to` in the pseudo-attribute's format) of one range comparison. */
function intervalBound(
  iv: IntervalPush,
  type: SqlType,
  op: '<' | '<=' | '>' | '>=' | '=',
  v: unknown,
): { from?: string; to?: string } | undefined {
  if (type === 'date' && typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const fromDay = op === '>' ? addDays(v, 1) : v;
    // Closed interval: last day included. Half-open: the day after the last included one.
    const lastDay = op === '<' ? addDays(v, -1) : v;
    const toDay = iv.endExclusive ? addDays(lastDay, 1) : lastDay;
    const fmt = (d: string) => (iv.format === 'datetime' ? `${d}T00:00:00Z` : d);
    if (op === '>' || op === '>=') return { from: fmt(fromDay) };
    if (op === '<' || op === '<=') return { to: fmt(toDay) };
    return { from: fmt(fromDay), to: fmt(toDay) };
  }
  if (type === 'timestamptz' && typeof v === 'number' && Number.isFinite(v) && iv.format === 'datetime') {
    const from = isoSeconds(Math.floor(v / 1000) * 1000);
    // Whole seconds are stored, so `<= t` ends just after t's second, `< t` at t rounded up.
    const toMs = op === '<' ? Math.ceil(v / 1000) * 1000 : Math.floor(v / 1000) * 1000 + 1000;
    const to = iv.endExclusive ? isoSeconds(toMs) : isoSeconds(Math.floor(v / 1000) * 1000);
    if (op === '>' || op === '>=') return { from };
    if (op === '<' || op === '<=') return { to };
    return { from, to };
  }
  return undefined;
}

const cond = (field: string, op: WhereOp, values: readonly WhereValue[]): WhereCondition => ({
  field,
  op,
  values,
});

function compare(col: PushColumn, isId: boolean, fn: string, v: unknown): Translated | undefined {
  if (col.interval && (fn === '<' || fn === '<=' || fn === '>' || fn === '>=' || fn === '=')) {
    const b = intervalBound(col.interval, col.type, fn, v);
    return b ? { exactness: 'inexact', conds: [], bounds: { param: col.interval, ...b } } : undefined;
  }
  const op: FilterOp | undefined =
    fn === '=' ? 'eq' : fn === '!=' ? 'ne' : ['<', '<=', '>', '>='].includes(fn) ? 'range' : undefined;
  if (!op) return undefined;
  const ex = cap(col, op);
  if (!ex) return undefined;
  const sv =
    op === 'range' && col.type === 'timestamptz' && typeof v === 'number'
      ? timeBound(fn as WhereOp, v)
      : scalarValue(col.type, v);
  if (!sv) return undefined;
  const t: Translated = {
    exactness: sv.exact ? ex : 'inexact',
    conds: [cond(col.field, fn as WhereOp, [sv.value])],
  };
  return isId && fn === '=' && typeof v === 'number' ? { ...t, ids: [v] } : t;
}

function inList(
  col: PushColumn,
  isId: boolean,
  list: readonly unknown[],
  negated: boolean,
): Translated | undefined {
  // NULL in an IN list never matches; in NOT IN it makes the predicate never true (left to SQL).
  if (negated && list.some((v) => v === null)) return undefined;
  const vals = list.filter((v) => v !== null);
  if (col.interval) return negated ? undefined : intervalOfList(col, vals);
  const ex =
    cap(col, negated ? 'not_in' : 'in') ?? (!negated && vals.length === 1 ? cap(col, 'eq') : undefined);
  if (!ex) return undefined;
  const sent: WhereValue[] = [];
  for (const v of vals) {
    const sv = scalarValue(col.type, v);
    if (!sv?.exact) return undefined;
    sent.push(sv.value);
  }
  if (vals.length === 0) return negated ? undefined : { exactness: 'exact', conds: [], empty: true };
  const t: Translated = { exactness: ex, conds: [cond(col.field, negated ? 'not in' : 'in', sent)] };
  return isId && !negated ? { ...t, ids: vals as number[] } : t;
}

/** `IN` / ORs of `=` on an interval column: one interval from the smallest to the largest value. */
function intervalOfList(col: PushColumn, vals: readonly unknown[]): Translated | undefined {
  if (vals.length === 0) return { exactness: 'exact', conds: [], empty: true };
  const sorted = [...vals].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  if (col.type === 'timestamptz') sorted.sort((a, b) => Number(a) - Number(b));
  const lo = intervalBound(col.interval!, col.type, '>=', sorted[0]);
  const hi = intervalBound(col.interval!, col.type, '<=', sorted.at(-1));
  if (!lo || !hi) return undefined;
  return {
    exactness: 'inexact',
    conds: [],
    bounds: {
      param: col.interval!,
      ...(lo.from !== undefined ? { from: lo.from } : {}),
      ...(hi.to !== undefined ? { to: hi.to } : {}),
    },
  };
}

/** The longest run of literal characters of a LIKE pattern (default `\` escape), or undefined. */
export function likeRun(pattern: string): string | undefined {
  let best = '';
  let cur = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      if (i + 1 >= pattern.length) return undefined;
      cur += pattern[++i];
    } else if (c === '%' || c === '_') {
      if (cur.length > best.length) best = cur;
      cur = '';
    } else cur += c;
  }
  if (cur.length > best.length) best = cur;
  return best.length > 0 ? best : undefined;
}

function translateOne(f: Expr, target: PushTarget, idColumn?: string): Translated | undefined {
  if (f.kind === 'or') return sameColumnOr(f, target, idColumn) ?? coveringOr(f.args, target, idColumn);
  const name = filterColumn(f);
  const col = name === undefined ? undefined : target.get(name);
  if (!col || name === undefined) return undefined;
  const isId = name === idColumn;
  switch (f.kind) {
    case 'call':
      return f.args.length === 2 && isLit(f.args[1]!)
        ? compare(col, isId, f.fn, litValue(f.args[1]!))
        : undefined;
    case 'in_list':
      return f.list.every(isLit) ? inList(col, isId, f.list.map(litValue), f.negated) : undefined;
    case 'is_null': {
      const ex = cap(col, 'is_null');
      return ex && !f.negated
        ? { exactness: ex, conds: [cond(col.field, '=', [{ kind: 'null' }])] }
        : undefined;
    }
    case 'like': {
      if (f.negated || f.caseInsensitive || f.escape || !cap(col, 'like')) return undefined;
      const p = litValue(f.pattern);
      const run = typeof p === 'string' ? likeRun(p) : undefined;
      // `%`/`_` are Paymo wildcards too (if any), so a run holding them cannot be sent literally.
      if (run === undefined || run.includes('%') || run.includes('_') || !isSafeText(run)) return undefined;
      return {
        exactness: 'inexact',
        conds: [cond(col.field, 'like', [{ kind: 'text', value: `%${run}%` }])],
      };
    }
    case 'between': {
      if (f.negated) return undefined;
      const lo = compare(col, isId, '>=', litValue(f.low));
      const hi = compare(col, isId, '<=', litValue(f.high));
      if (!lo || !hi) return undefined;
      if (lo.bounds && hi.bounds) {
        const to = hi.bounds.to;
        return {
          exactness: 'inexact',
          conds: [],
          bounds: { ...lo.bounds, ...(to !== undefined ? { to } : {}) },
        };
      }
      return { exactness: worse(lo.exactness, hi.exactness), conds: [...lo.conds, ...hi.conds] };
    }
    case 'any': {
      if (f.all || f.op !== '=' || !isLit(f.left)) return undefined;
      const ex = cap(col, 'contains');
      const sv = scalarValue(col.type, litValue(f.left));
      return ex && sv ? { exactness: ex, conds: [cond(col.field, '=', [sv.value])] } : undefined;
    }
    default:
      return undefined;
  }
}

/** The values of an OR alternative that is `col = v` or `col IN (…)`, or undefined. */
function eqValues(a: Expr): unknown[] | undefined {
  if (a.kind === 'call' && a.fn === '=' && a.args.length === 2 && isLit(a.args[1]!))
    return [litValue(a.args[1]!)];
  if (a.kind === 'in_list' && !a.negated && a.list.every(isLit)) return a.list.map(litValue);
  return undefined;
}

/** Paymo has no OR: equalities and IN lists on one column are sent as one `in` (or one interval). */
function sameColumnOr(
  f: Extract<Expr, { kind: 'or' }>,
  target: PushTarget,
  idColumn?: string,
): Translated | undefined {
  const name = filterColumn(f);
  const col = name === undefined ? undefined : target.get(name);
  if (!col) return undefined;
  const vals: unknown[] = [];
  for (const a of f.args) {
    const v = eqValues(a);
    if (!v) return undefined;
    vals.push(...v);
  }
  return inList(col, name === idColumn, vals, false);
}

const SCALAR_KINDS = new Set(['number', 'text', 'date', 'bool']);

/**
 * An OR of source forms on one or several columns, pushed only when a single Paymo condition holds
 * for every alternative: range alternatives sent to one interval pseudo-attribute become their hull
 * (`start_time >= a OR date >= b` → `time_interval in (min(a, b), …)`, always inexact, re-checked
 * locally), and equalities / IN lists that reach one attribute become one `in` (as exact as the
 * worst alternative). Anything else stays local. A hull open on both sides constrains nothing and
 * is not sent.
 */
function coveringOr(args: readonly Expr[], target: PushTarget, idColumn?: string): Translated | undefined {
  const parts: Translated[] = [];
  for (const a of args) {
    const t = translateOne(a, target, idColumn);
    if (!t) return undefined;
    // `IN ()` matches nothing: it adds no rows to the OR.
    if (!t.empty) parts.push(t);
  }
  if (parts.length === 0) return { exactness: 'exact', conds: [], empty: true };
  const first = parts[0]!;
  if (first.bounds) {
    const param = first.bounds.param;
    if (!parts.every((p) => p.conds.length === 0 && p.bounds?.param.param === param.param)) return undefined;
    // Bound strings of one pseudo-attribute share a fixed-width format: text order is time order.
    const froms = parts.map((p) => p.bounds!.from);
    const tos = parts.map((p) => p.bounds!.to);
    const from = froms.includes(undefined) ? undefined : (froms as string[]).sort()[0];
    const to = tos.includes(undefined) ? undefined : (tos as string[]).sort().at(-1);
    if (from === undefined && to === undefined) return undefined;
    return {
      exactness: 'inexact',
      conds: [],
      bounds: { param, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) },
    };
  }
  // Equalities / IN lists of different columns that Paymo filters through the same attribute.
  const field = first.conds[0]?.field;
  const values: WhereValue[] = [];
  let exactness: Exactness = 'exact';
  for (const a of args) {
    const col = target.get(filterColumn(a) ?? '');
    const inCap = col ? cap(col, 'in') : undefined;
    if (!eqValues(a) || !inCap || col?.field !== field) return undefined;
    exactness = worse(exactness, inCap);
    const t = translateOne(a, target, idColumn)!;
    if (t.empty) continue;
    const c = t.conds[0];
    if (t.bounds || t.conds.length !== 1 || !c || (c.op !== '=' && c.op !== 'in')) return undefined;
    if (!c.values.every((v) => SCALAR_KINDS.has(v.kind))) return undefined;
    exactness = worse(exactness, t.exactness);
    for (const v of c.values)
      if (!values.some((w) => JSON.stringify(w) === JSON.stringify(v))) values.push(v);
  }
  return field === undefined ? undefined : { exactness, conds: [cond(field, 'in', values)] };
}

/** One answer per filter: how the target evaluates it (pure, cheap; used by supportsFilters). */
export function supportOf(filters: readonly Expr[], target: PushTarget): FilterSupport[] {
  return filters.map((f) => translateOne(f, target)?.exactness ?? 'unsupported');
}

/** True if a filter holds a plan-time stand-in for a value known only at run time (`runtime` set). */
function hasRuntimeValue(f: Expr): boolean {
  return f.kind === 'literal' ? f.runtime !== undefined : children(f).some(hasRuntimeValue);
}

/** The conditions a set of filters becomes on a target, with the ids they allow (undefined = any). */
export interface WherePlan {
  readonly conds: readonly WhereCondition[];
  /** Intersection of every `id =`/`id IN` filter, when there is one. */
  readonly ids?: readonly number[];
  /** Some filter matches nothing: no request is needed. */
  readonly empty?: boolean;
}

/** Translates every filter the target accepts (others are skipped; the local check covers them). */
/** `idColumn` names the column whose `=`/`IN` values are collected as `ids` (reads by id). */
export function planWhere(filters: readonly Expr[], target: PushTarget, idColumn?: string): WherePlan {
  const conds: WhereCondition[] = [];
  const intervals = new Map<string, { iv: IntervalPush; from?: string; to?: string }>();
  let ids: number[] | undefined;
  // Ids with a plan-time stand-in for a run-time value: only an upper bound, never intersected (its
  // placeholder would rule out ids the real value may equal).
  let runtimeIds: number[] | undefined;
  let empty = false;
  for (const f of filters) {
    const t = translateOne(f, target, idColumn);
    if (!t) continue;
    if (t.empty) empty = true;
    conds.push(...t.conds);
    if (t.ids && hasRuntimeValue(f)) {
      if (runtimeIds === undefined || t.ids.length < runtimeIds.length) runtimeIds = [...new Set(t.ids)];
    } else if (t.ids) ids = ids === undefined ? [...new Set(t.ids)] : ids.filter((i) => t.ids!.includes(i));
    if (t.bounds) {
      const cur = intervals.get(t.bounds.param.param) ?? { iv: t.bounds.param };
      // Every bound string of one pseudo-attribute has the same fixed-width format, so text order is time order.
      if (t.bounds.from !== undefined && (cur.from === undefined || t.bounds.from > cur.from))
        cur.from = t.bounds.from;
      if (t.bounds.to !== undefined && (cur.to === undefined || t.bounds.to < cur.to)) cur.to = t.bounds.to;
      intervals.set(t.bounds.param.param, cur);
    }
  }
  for (const [param, b] of intervals) {
    conds.push(
      cond(param, 'in', [
        { kind: 'text', value: b.from ?? b.iv.openFrom },
        { kind: 'text', value: b.to ?? b.iv.openTo },
      ]),
    );
  }
  ids ??= runtimeIds;
  return {
    conds,
    ...(ids !== undefined ? { ids } : {}),
    ...(empty || ids?.length === 0 ? { empty: true } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Local evaluation (SQL semantics on converted values)
// ---------------------------------------------------------------------------------------------

/** A compiled filter over a row getter: true, false, or null (SQL unknown). */
export type LocalPredicate = (get: (column: string) => unknown) => boolean | null;

function cmp(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function likeRegExp(pattern: string, ci: boolean): RegExp {
  let src = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) src += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else if (c === '%') src += '[\\s\\S]*';
    else if (c === '_') src += '[\\s\\S]';
    else src += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`${src}$`, ci ? 'isu' : 'su');
}

/**
 * Compiles a source-form filter for local evaluation, or undefined for a form this evaluator does not
 * know (the engine re-checks those anyway, since a source only accepts forms it understands).
 */
export function compileLocal(f: Expr): LocalPredicate | undefined {
  switch (f.kind) {
    case 'call': {
      const [a, b] = f.args as [Expr, Expr];
      if (a?.kind !== 'column' || !b || !isLit(b)) return undefined;
      const name = (a as Col).name;
      const w = litValue(b);
      const test =
        f.fn === '='
          ? (c: number) => c === 0
          : f.fn === '!='
            ? (c: number) => c !== 0
            : f.fn === '<'
              ? (c: number) => c < 0
              : f.fn === '<='
                ? (c: number) => c <= 0
                : f.fn === '>'
                  ? (c: number) => c > 0
                  : f.fn === '>='
                    ? (c: number) => c >= 0
                    : undefined;
      if (!test) return undefined;
      return (get) => {
        const v = get(name);
        return v === null || w === null || w === undefined ? null : test(cmp(v, w));
      };
    }
    case 'in_list': {
      if (f.arg.kind !== 'column' || !f.list.every(isLit)) return undefined;
      const name = f.arg.name;
      const vals = f.list.map(litValue);
      const hasNull = vals.includes(null);
      const set = new Set(vals.filter((v) => v !== null));
      return (get) => {
        const v = get(name);
        if (v === null) return null;
        if (set.has(v)) return !f.negated;
        return hasNull ? null : f.negated;
      };
    }
    case 'is_null': {
      if (f.arg.kind !== 'column') return undefined;
      const name = f.arg.name;
      return (get) => (get(name) === null) !== f.negated;
    }
    case 'like': {
      if (f.arg.kind !== 'column' || f.escape) return undefined;
      const p = litValue(f.pattern);
      if (typeof p !== 'string') return undefined;
      const re = likeRegExp(p, f.caseInsensitive);
      const name = f.arg.name;
      return (get) => {
        const v = get(name);
        return v === null ? null : re.test(String(v)) !== f.negated;
      };
    }
    case 'between': {
      if (f.arg.kind !== 'column' || !isLit(f.low) || !isLit(f.high)) return undefined;
      const name = f.arg.name;
      const lo = litValue(f.low);
      const hi = litValue(f.high);
      return (get) => {
        const v = get(name);
        if (v === null || lo === null || hi === null) return null;
        return (cmp(v, lo) >= 0 && cmp(v, hi) <= 0) !== f.negated;
      };
    }
    case 'any': {
      if (f.all || f.op !== '=' || f.right.kind !== 'column' || !isLit(f.left)) return undefined;
      const name = f.right.name;
      const x = litValue(f.left);
      return (get) => {
        const v = get(name);
        if (!Array.isArray(v) || x === null) return null;
        return v.includes(x) ? true : v.includes(null) ? null : false;
      };
    }
    case 'or': {
      const parts = f.args.map(compileLocal);
      if (parts.some((p) => p === undefined)) return undefined;
      return (get) => {
        let unknown = false;
        for (const p of parts) {
          const r = p!(get);
          if (r === true) return true;
          if (r === null) unknown = true;
        }
        return unknown ? null : false;
      };
    }
    default:
      return undefined;
  }
}
