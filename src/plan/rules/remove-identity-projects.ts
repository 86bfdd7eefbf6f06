import { outputOf } from '../logical.js';
import { transformDeep } from '../walk.js';
import type { Rule } from './rule.js';

/**
 * Drops projections that pass their input through unchanged (same column ids, same order): they
 * cost a row copy each and say nothing in EXPLAIN. Result column names come from the binder, so
 * renaming-only projections can go too.
 *
 * Before: `Limit 1 → Project id, name → Scan clients [id, name]`
 * After:  `Limit 1 → Scan clients [id, name]`
 */
export const removeIdentityProjects: Rule = {
  name: 'remove-identity-projects',
  apply(plan) {
    return transformDeep(plan, (p) => {
      if (p.kind !== 'project') return p;
      const input = outputOf(p.input);
      if (input.length !== p.exprs.length) return p;
      const same = p.exprs.every(
        (e, i) => e.kind === 'column' && e.id === input[i]!.id && p.output[i]!.id === e.id,
      );
      return same ? p.input : p;
    });
  },
};
