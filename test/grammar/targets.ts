import { fixture, text } from '../engine/fixture.js';
import type { SltTarget } from './slt.js';

/** A runnable target with a way to release what it started. */
export type ClosableTarget = SltTarget & { close(): Promise<void> };

/** The engine over the in-memory fixture of test/engine (no API; request lists are empty). */
async function fixtureTarget(): Promise<ClosableTarget> {
  const on = fixture({ pushdown: true }).engine;
  const off = fixture({ pushdown: false }).engine;
  return {
    async run(sql, pushdown) {
      const r = await (pushdown ? on : off).query(sql);
      return { fields: r.fields.map((f) => ({ name: f.name, type: f.type })), rows: text(r) };
    },
    explain: (sql) => on.explain(sql),
    takeRequests: () => [],
    close: async () => {},
  };
}

/** Targets by the name a file gives in `# target: NAME`. */
export const TARGETS: Record<string, () => Promise<ClosableTarget>> = {
  fixture: fixtureTarget,
};
