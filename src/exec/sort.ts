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
 * Keeps the first `k` items of a stream in sort order using a bounded buffer (sort and cut when it
 * reaches 2k), so ORDER BY … LIMIT k costs O(n log k) and O(k) memory. Stable, like a full sort.
 */
export class TopN<T> {
  private buf: T[] = [];
  constructor(
    private readonly k: number,
    private readonly cmp: (a: T, b: T) => number,
  ) {}

  push(item: T): void {
    if (this.k === 0) return;
    this.buf.push(item);
    if (this.buf.length >= this.k * 2 + 64) this.compact();
  }

  private compact(): void {
    this.buf.sort(this.cmp);
    this.buf.length = Math.min(this.buf.length, this.k);
  }

  result(): T[] {
    this.compact();
    return this.buf;
  }
}
