import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUnavailable } from '../support/postgres.js';
import { compareResults, sameText } from './compare.js';
import {
  type DiffWorld,
  ident,
  paymoText,
  postgresText,
  startDiffWorld,
  type TextResult,
} from './harness.js';
import { type Answer, allQueries, KNOWN_DIFFERENCES } from './queries.js';

// Differential tests (design.md §5): the simulator's demo agency is copied into a real PostgreSQL,
// and every query of queries.ts must give PostgreSQL's answer on paymo-sql, with pushdown on and
// with pushdown off. The comparison rules are in compare.ts; the known engine bugs are pinned in
// KNOWN_DIFFERENCES so that a fix shows up as a test to update.

const skip = postgresUnavailable();
let world: DiffWorld;

beforeAll(async () => {
  if (skip) return;
  world = await startDiffWorld();
}, 90_000);
afterAll(async () => {
  await world?.close();
});

/** The SQLSTATE of a failed statement (`pg` and paymo-sql both put it in `code`). */
function sqlstate(e: unknown): string {
  return String((e as { code?: unknown }).code ?? 'no SQLSTATE');
}

/** A statement's answer as text, or its SQLSTATE and message when it fails. */
async function answer(run: () => Promise<TextResult>): Promise<Answer> {
  try {
    return await run();
  } catch (e) {
    return { error: `${sqlstate(e)} ${(e as Error).message}` };
  }
}

describe.skipIf(skip)(`differential: paymo-sql vs PostgreSQL${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('loads every table into PostgreSQL in a few seconds', () => {
    const names = world.on.tables().map((t) => t.name);
    expect([...world.loaded.keys()].sort()).toEqual(names.sort());
    expect(world.loaded.get('time_entries')).toBeGreaterThan(10_000);
    expect(world.loadMs).toBeLessThan(15_000);
  });

  it('round-trips every table exactly (same text for every value of every row)', async () => {
    for (const table of world.loaded.keys()) {
      const sql = `SELECT * FROM ${ident(table)}`;
      const ours = await paymoText(world.on, sql);
      const theirs = await postgresText(world.pg.client, sql);
      const key = (r: TextResult) => r.rows.map((row) => JSON.stringify(row)).sort();
      expect({ table, names: ours.names, types: ours.types }).toEqual({
        table,
        names: theirs.names,
        types: theirs.types,
      });
      expect(key(ours), table).toEqual(key(theirs));
      expect(ours.rows.length, table).toBe(world.loaded.get(table));
    }
  });

  const queries = allQueries();
  it('has at least 160 queries', () => {
    expect(queries.length).toBeGreaterThanOrEqual(160);
  });

  it.each(queries.map(({ theme, query }, i) => ({ label: `${theme} #${i}: ${query.sql}`, query })))(
    '$label',
    async ({ query }) => {
      if (query.fails) {
        const theirs = await answer(() => postgresText(world.pg.client, query.sql));
        expect('error' in theirs, 'PostgreSQL must reject this query').toBe(true);
        const code = (theirs as { error: string }).error.split(' ')[0];
        for (const [mode, db] of [
          ['pushdown on', world.on],
          ['pushdown off', world.off],
        ] as const) {
          const ours = await answer(() => paymoText(db, query.sql));
          expect(
            'error' in ours ? ours.error.split(' ')[0] : 'no error',
            `${mode}: ${JSON.stringify(ours)}`,
          ).toBe(code);
        }
        return;
      }
      const expected = await postgresText(world.pg.client, query.sql);
      for (const [mode, db] of [
        ['pushdown on', world.on],
        ['pushdown off', world.off],
      ] as const) {
        const actual = await paymoText(db, query.sql);
        const diff = compareResults(expected, actual, query.ordered);
        expect(diff, `${mode}: ${query.sql}`).toBeNull();
      }
    },
  );

  it.each(KNOWN_DIFFERENCES.map((k) => ({ label: `${k.theme}: ${k.reason}`, k })))(
    'known difference, $label',
    async ({ k }) => {
      const theirs = await answer(() => postgresText(world.pg.client, k.sql));
      const on = await answer(() => paymoText(world.on, k.sql));
      const off = await answer(() => paymoText(world.off, k.sql));
      // PostgreSQL still answers as recorded, and so does paymo-sql: when this fails because
      // paymo-sql now agrees with PostgreSQL, the bug is fixed: move the query into QUERIES.
      expect(theirs, `PostgreSQL: ${k.sql}`).toEqual(k.expected);
      expect(on, `paymo-sql (pushdown on): ${k.sql}`).toEqual(k.actual);
      expect(off, `paymo-sql (pushdown off): ${k.sql}`).toEqual(k.actualPushdownOff ?? k.actual);
      const differs = 'error' in theirs || 'error' in on || !sameText(theirs, on);
      expect(differs, 'a known difference must still differ').toBe(true);
    },
  );
});
