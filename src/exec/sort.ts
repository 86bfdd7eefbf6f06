import type { SqlType } from '../catalog/types.js';
import { comparatorFor } from './compare.js';

/** One sort key's direction, NULL placement and type. */
export interface SortSpec {
  readonly desc: boolean;
  readonly nullsFirst: boolean;
  readonly type: SqlType;
}

/** Compares two tuples of sort-key values following ORDER BY semantics (NULL placement per key). */
export function sortComparator(
  specs: readonly SortSpec[],
): (a: readonly unknown[], b: readonly unknown[]) => number {
  const cmps = specs.map((s) => comparatorFor(s.type));
  return (a, b) => {
    for (let i = 0; i < specs.length; i++) {
      const x = a[i];
      const y = b[i];
      const s = specs[i]!;
      if (x === null || y === null) {
        if (x === y) continue;
        return (x === null) === s.nullsFirst ? -1 : 1;
      }
      const c = cmps[i]!(x, y);
      if (c !== 0) return s.desc ? -c : c;
    }
    return 0;
  };
}

/**
 * Keeps the first `k` items of a stream in sort order (ORDER BY … LIMIT k). Small k: a sorted buffer
 * of at most k items, an item no better than the current k-th rejected with one comparison, others
 * placed by binary search. Large k (inserting into the middle of a big array is O(k) a time): items
 * collect unsorted up to 2k, then a stable sort keeps the best k, O(n log k) overall. Both keep ties
 * in input order, like a full stable sort.
 */
export class TopN<T> {
  private buf: T[] = [];
  // The k-th item once known (large-k mode): anything not better is dropped at once.
  private bound: T | undefined;
  private readonly small: boolean;
  constructor(
    private readonly k: number,
    private readonly cmp: (a: T, b: T) => number,
  ) {
    this.small = k <= 256;
  }

  push(item: T): void {
    const { buf, k, cmp } = this;
    if (k === 0) return;
    if (!this.small) {
      if (this.bound !== undefined && cmp(item, this.bound) >= 0) return;
      buf.push(item);
      if (buf.length >= 2 * k) this.compact();
      return;
    }
    if (buf.length === k && cmp(item, buf[k - 1]!) >= 0) return;
    // Insert after every element that sorts before or equal to it (stability: earlier input wins ties).
    let lo = 0;
    let hi = buf.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(buf[mid]!, item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    buf.splice(lo, 0, item);
    if (buf.length > k) buf.pop();
  }

  private compact(): void {
    this.buf.sort(this.cmp);
    if (this.buf.length > this.k) this.buf.length = this.k;
    if (this.buf.length === this.k) this.bound = this.buf[this.k - 1];
  }

  result(): T[] {
    if (!this.small) this.compact();
    return this.buf;
  }
}
