import { and, columnIds, conjuncts, type Expr, hasSubquery } from './expr.js';

/** An equi-join condition split into key pairs and whatever else must be checked per candidate pair. */
export interface JoinKeys {
  readonly leftKeys: readonly Expr[];
  readonly rightKeys: readonly Expr[];
  readonly residual: Expr | null;
}

/**
 * Splits a join condition into `left = right` key pairs (each side reading only its own input's
 * columns) and a residual; `leftIds`/`rightIds` are the column ids each input produces.
 */
export function splitJoinKeys(
  on: Expr | null,
  leftIds: ReadonlySet<number>,
  rightIds: ReadonlySet<number>,
): JoinKeys {
  if (!on) return { leftKeys: [], rightKeys: [], residual: null };
  const leftKeys: Expr[] = [];
  const rightKeys: Expr[] = [];
  const rest: Expr[] = [];
  const within = (e: Expr, ids: ReadonlySet<number>): boolean => {
    const used = columnIds(e);
    return used.size > 0 && [...used].every((id) => ids.has(id)) && !hasSubquery(e);
  };
  for (const c of conjuncts(on)) {
    if (c.kind === 'call' && c.fn === '=' && c.args.length === 2) {
      const [a, b] = c.args as [Expr, Expr];
      if (within(a, leftIds) && within(b, rightIds)) {
        leftKeys.push(a);
        rightKeys.push(b);
        continue;
      }
      if (within(b, leftIds) && within(a, rightIds)) {
        leftKeys.push(b);
        rightKeys.push(a);
        continue;
      }
    }
    rest.push(c);
  }
  return { leftKeys, rightKeys, residual: rest.length > 0 ? and(rest) : null };
}
