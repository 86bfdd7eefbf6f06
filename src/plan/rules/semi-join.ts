import { type Expr, placeholderFor } from '../expr.js';
import { splitJoinKeys } from '../join-keys.js';
import {
  type DynamicFilter,
  inputsOf,
  type LogicalPlan,
  outputOf,
  transformUp,
  withInputs,
} from '../logical.js';
import { scanRequestOf } from '../scans.js';
import { mapNodeExprs, mapSubplans } from '../walk.js';
import type { Rule } from './rule.js';

type Scan = Extract<LogicalPlan, { kind: 'scan' }>;
type Join = Extract<LogicalPlan, { kind: 'join' }>;

/**
 * Semi-join pushdown, the main request saver: for an equi-join whose one side is selective (it has
 * filters, a limit or literal rows), or whose other side the source estimates cheaper to read by key
 * batches than plainly (a fan-out), and whose other side reaches a scan whose source accepts
 * `key IN (…)`, the executor runs the first side first and hands its distinct keys to that scan
 * as a dynamic IN filter (batched by the source's `maxInListSize`). Only sides whose rows without a
 * match would be dropped anyway are filtered (inner: either; left: right; right: left; semi: either;
 * anti: right: to know which keys have a match is all an anti join needs; a NOT IN join only when
 * the key column cannot be NULL, since a NULL there empties the result).
 *
 * Before: `Hash Join (p.id = t.project_id) → (Scan projects [client_id = 5], Scan tasks)`
 * After:  same, with `semi-join pushdown: left side first, p.id → project_id` on the join and
 *         `dynamic filter: project_id IN (keys from join)` on the tasks scan.
 */
export const semiJoinPushdown: Rule = {
  name: 'semi-join-pushdown',
  apply(plan, ctx) {
    if (!ctx.pushdown) return plan;
    // Top-down: a scan that an outer join just made selective (it now takes keys) can in turn
    // feed keys to the joins below it, so filters cascade down a chain of joins.
    const visit = (p: LogicalPlan): LogicalPlan => {
      const q = p.kind === 'join' ? planJoin(p) : p;
      const ins = inputsOf(q);
      const next = ins.length > 0 ? withInputs(q, ins.map(visit)) : q;
      return mapNodeExprs(next, (e) => mapSubplans(e, visit));
    };
    return visit(plan);
  },
};

/**
 * Follows a column id down through nodes that keep unmatched-key rows droppable, to its scan; the
 * id may change on the way (a projection renames it), so the scan's own column id comes back too.
 */
function findScan(p: LogicalPlan, id: number): { scan: Scan; id: number } | undefined {
  switch (p.kind) {
    case 'scan':
      // A scan with a pushed LIMIT must not be filtered further: its first n rows would change.
      return p.output.some((c) => c.id === id) && p.dynamicColumn === undefined && p.limit === undefined
        ? { scan: p, id }
        : undefined;
    case 'filter':
    case 'sort':
      return findScan(p.input, id);
    case 'aggregate':
      // Filtering the input on a pass-through group key only removes whole groups.
      return p.groupBy.some((g) => g.kind === 'column' && g.id === id) ? findScan(p.input, id) : undefined;
    case 'project': {
      const i = p.output.findIndex((c) => c.id === id);
      const e = i >= 0 ? p.exprs[i] : undefined;
      return e && e.kind === 'column' ? findScan(p.input, e.id) : undefined;
    }
    case 'join': {
      if (p.joinType === 'inner' || p.joinType === 'cross') {
        return outputOf(p.left).some((c) => c.id === id) ? findScan(p.left, id) : findScan(p.right, id);
      }
      if (p.joinType === 'semi' || p.joinType === 'left') {
        return outputOf(p.left).some((c) => c.id === id) ? findScan(p.left, id) : undefined;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** True if a subtree is likely to produce few rows: it is filtered, limited or literal. */
function selective(p: LogicalPlan): boolean {
  switch (p.kind) {
    case 'scan':
      return p.filters.length > 0 || p.limit !== undefined || p.dynamicColumn !== undefined;
    case 'filter':
    case 'limit':
    case 'values':
    case 'function_scan':
      return true;
    case 'project':
    case 'sort':
    case 'distinct':
    case 'aggregate':
    case 'window':
    case 'project_set':
      return selective(p.input);
    case 'join':
      return p.joinType === 'inner' || p.joinType === 'semi' || p.joinType === 'cross'
        ? selective(p.left) || selective(p.right)
        : selective(p.left);
    default:
      return false;
  }
}

/**
 * How many requests the source estimates one batch of join keys on `column` saves over its plain
 * read (Infinity when it cannot read it plainly at all: a required filter without fallback; 0
 * without estimates). The executor still weighs the real key count against the plain read.
 */
function keySavings(scan: Scan, column: string): number {
  const estimate = scan.source.estimateRequests?.bind(scan.source);
  if (!estimate) return 0;
  let keyed: number;
  try {
    keyed = estimate(scanRequestOf({ ...scan, dynamicColumn: column }));
  } catch {
    return 0;
  }
  try {
    return Math.max(0, estimate(scanRequestOf(scan)) - keyed);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function planJoin(j: Join): LogicalPlan {
  if (j.dynamic || j.lateral || j.joinType === 'full' || j.joinType === 'cross') return j;
  const lids = new Set(outputOf(j.left).map((c) => c.id));
  const rids = new Set(outputOf(j.right).map((c) => c.id));
  const keys = splitJoinKeys(j.on, lids, rids);
  if (keys.leftKeys.length === 0) return j;
  const probeSides: ('left' | 'right')[] =
    j.joinType === 'inner' || j.joinType === 'semi'
      ? ['right', 'left']
      : j.joinType === 'right'
        ? ['left']
        : ['right'];
  const options: {
    probe: 'left' | 'right';
    scan: Scan;
    key: Expr;
    buildKey: Expr;
    column: string;
    savings: number;
  }[] = [];
  for (const probe of probeSides) {
    const build = probe === 'left' ? j.right : j.left;
    const buildSelective = selective(build);
    keys.leftKeys.forEach((lk, i) => {
      const pk = probe === 'left' ? lk : keys.rightKeys[i]!;
      const bk = probe === 'left' ? keys.rightKeys[i]! : lk;
      if (pk.kind !== 'column') return;
      const found = findScan(probe === 'left' ? j.left : j.right, pk.id);
      if (!found) return;
      const { scan } = found;
      const col = scan.output.find((c) => c.id === found.id)!;
      const probeFilter: Expr = {
        kind: 'in_list',
        arg: { kind: 'column', id: col.id, name: col.name, type: col.type },
        list: [{ kind: 'literal', value: placeholderFor(col.type), type: col.type }],
        negated: false,
        type: 'boolean',
      };
      const [answer] = scan.source.supportsFilters([probeFilter]);
      if (answer === undefined || answer === 'unsupported') return;
      // A probe side that already pins its key (= or IN) gains nothing but a sequential round trip.
      const pinned = scan.filters.some(
        (f) =>
          (f.kind === 'call' && f.fn === '=' && f.args[0]?.kind === 'column' && f.args[0].id === col.id) ||
          (f.kind === 'in_list' && !f.negated && f.arg.kind === 'column' && f.arg.id === col.id),
      );
      if (pinned) return;
      // NOT IN must see every NULL of the probe side: keys would leave its NULL-key rows unread.
      if (j.nullAware && scan.source.schema.find((c) => c.name === col.name)?.nullable !== false) return;
      // An unfiltered build side is worth reading first only when keys make the probe side cheaper
      // than reading it plainly (a table Paymo lists only by key, read by fan-out otherwise).
      const savings = keySavings(scan, col.name);
      if (!buildSelective && savings <= 0) return;
      options.push({ probe, scan, key: pk, buildKey: bk, column: col.name, savings });
    });
  }
  if (options.length === 0) return j;
  // Prefer probing the side whose requests keys cut the most (a fan-out), then the side that is not
  // itself selective (it has the most rows to save).
  options.sort(
    (a, b) =>
      b.savings - a.savings ||
      Number(selective(a.probe === 'left' ? j.left : j.right)) -
        Number(selective(b.probe === 'left' ? j.left : j.right)),
  );
  const best = options[0]!;
  const dynamic: DynamicFilter = {
    build: best.probe === 'left' ? 'right' : 'left',
    buildKey: best.buildKey,
    scanId: best.scan.scanId,
    column: best.column,
  };
  const mark = (p: LogicalPlan): LogicalPlan =>
    transformUp(p, (n) =>
      n.kind === 'scan' && n.scanId === best.scan.scanId ? { ...n, dynamicColumn: best.column } : n,
    );
  return best.probe === 'left'
    ? { ...j, dynamic, left: mark(j.left) }
    : { ...j, dynamic, right: mark(j.right) };
}
