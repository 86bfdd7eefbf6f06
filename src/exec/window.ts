import type { Row } from '../catalog/types.js';
import { SqlError } from '../errors.js';
import type { WindowCall } from '../plan/expr.js';
import { compileAggregate } from './aggregate.js';
import { tupleKeyFor } from './compare.js';
import { type CompileScope, compile } from './compile.js';
import { sortComparator } from './sort.js';

/**
 * Computes one window function over all input rows and returns its value per input row (same order
 * as `rows`). Partitions are hashed, each is sorted by the window's ORDER BY (stable), and frames follow
 * PostgreSQL: with ORDER BY the default frame runs from the partition start to the current row's last
 * peer; without ORDER BY it is the whole partition; explicit ROWS frames use row offsets.
 */
export function computeWindow(call: WindowCall, rows: readonly Row[], scope: CompileScope): unknown[] {
  const out = new Array<unknown>(rows.length);
  const partKeys = call.partitionBy.map((p) => compile(p, scope));
  const pkey = tupleKeyFor(call.partitionBy.map((p) => p.type));
  const parts = new Map<unknown, number[]>();
  for (let i = 0; i < rows.length; i++) {
    const k = partKeys.length === 0 ? 0 : pkey(partKeys.map((f) => f(rows[i]!)));
    let p = parts.get(k);
    if (!p) parts.set(k, (p = []));
    p.push(i);
  }
  const orderFns = call.orderBy.map((k) => compile(k.expr, scope));
  const cmp = sortComparator(call.orderBy.map((k) => ({ ...k, type: k.expr.type })));
  const okeys = rows.map((r) => orderFns.map((f) => f(r)));
  const args = call.args.map((a) => compile(a, scope));
  const aggFactory = call.agg ? compileAggregate(call.agg, scope) : undefined;

  for (const idxs of parts.values()) {
    if (orderFns.length > 0) idxs.sort((a, b) => cmp(okeys[a]!, okeys[b]!) || a - b);
    const n = idxs.length;
    // peerEnd[i]: last position (inclusive) of i's peer group; peerStart likewise.
    const peerStart = new Array<number>(n);
    const peerEnd = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      peerStart[i] =
        i > 0 && orderFns.length > 0 && cmp(okeys[idxs[i]!]!, okeys[idxs[i - 1]!]!) === 0
          ? peerStart[i - 1]!
          : i;
      if (orderFns.length === 0) peerStart[i] = 0;
    }
    for (let i = n - 1; i >= 0; i--) {
      peerEnd[i] = i < n - 1 && peerStart[i + 1] === peerStart[i] ? peerEnd[i + 1]! : i;
    }
    const frame = (i: number): [number, number] => {
      if (call.frame) {
        const s = call.frame.start === null ? 0 : Math.max(0, i - call.frame.start);
        const e = call.frame.end === null ? n - 1 : Math.min(n - 1, i + call.frame.end);
        return [s, e];
      }
      return orderFns.length === 0 ? [0, n - 1] : [0, peerEnd[i]!];
    };
    const rowAt = (pos: number): Row => rows[idxs[pos]!]!;

    switch (call.fn) {
      case 'row_number':
        for (let i = 0; i < n; i++) out[idxs[i]!] = i + 1;
        break;
      case 'rank':
        for (let i = 0; i < n; i++) out[idxs[i]!] = peerStart[i]! + 1;
        break;
      case 'dense_rank': {
        let r = 0;
        for (let i = 0; i < n; i++) {
          if (i === 0 || peerStart[i] !== peerStart[i - 1]) r++;
          out[idxs[i]!] = r;
        }
        break;
      }
      case 'percent_rank':
        for (let i = 0; i < n; i++) out[idxs[i]!] = n > 1 ? peerStart[i]! / (n - 1) : 0;
        break;
      case 'cume_dist':
        for (let i = 0; i < n; i++) out[idxs[i]!] = (peerEnd[i]! + 1) / n;
        break;
      case 'ntile': {
        for (let i = 0; i < n; i++) {
          const buckets = args[0]!(rowAt(i)) as number;
          if (buckets <= 0) throw new SqlError('22014', 'argument of ntile must be greater than zero');
          const small = Math.floor(n / buckets);
          const big = n % buckets;
          // The first `big` buckets hold one extra row.
          const cut = big * (small + 1);
          out[idxs[i]!] = i < cut ? Math.floor(i / (small + 1)) + 1 : big + Math.floor((i - cut) / small) + 1;
        }
        break;
      }
      case 'lag':
      case 'lead': {
        const dir = call.fn === 'lag' ? -1 : 1;
        for (let i = 0; i < n; i++) {
          const r = rowAt(i);
          const off = args[1] ? (args[1](r) as number | null) : 1;
          if (off === null) {
            out[idxs[i]!] = null;
            continue;
          }
          const j = i + dir * off;
          out[idxs[i]!] = j >= 0 && j < n ? args[0]!(rowAt(j)) : args[2] ? args[2](r) : null;
        }
        break;
      }
      case 'first_value':
      case 'last_value':
      case 'nth_value':
        for (let i = 0; i < n; i++) {
          const [s, e] = frame(i);
          let pos: number;
          if (call.fn === 'first_value') pos = s;
          else if (call.fn === 'last_value') pos = e;
          else pos = s + (args[1]!(rowAt(i)) as number) - 1;
          out[idxs[i]!] = pos >= s && pos <= e ? args[0]!(rowAt(pos)) : null;
        }
        break;
      default: {
        if (!aggFactory) throw new Error(`unknown window function ${call.fn}`);
        const incremental = !call.frame || call.frame.start === null;
        if (incremental) {
          // Frames all start at the partition start: extend one accumulator as the end moves.
          const acc = aggFactory();
          let added = -1;
          for (let i = 0; i < n; i++) {
            const [, e] = frame(i);
            while (added < e) acc.add(rowAt(++added));
            out[idxs[i]!] = acc.result();
          }
        } else {
          for (let i = 0; i < n; i++) {
            const [s, e] = frame(i);
            const acc = aggFactory();
            for (let j = s; j <= e; j++) acc.add(rowAt(j));
            out[idxs[i]!] = acc.result();
          }
        }
      }
    }
  }
  return out;
}
