import { connect } from '../../src/connect.js';
import { cellText } from '../../src/output/text.js';
import { startSimulator } from '../../src/simulator/index.js';
import { fixture, text } from '../engine/fixture.js';
import type { SltTarget } from './slt.js';

/** The anchor day of the grammar tests' data: results never depend on when the tests run. */
export const GRAMMAR_NOW = new Date('2026-11-15T12:00:00Z');

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

/**
 * paymo-sql over the simulator's tiny dataset (seed 1, anchored at GRAMMAR_NOW, no rate limit),
 * through the embedded API: one connection with pushdown on and one with it off, each with its own
 * catalog and a cache TTL of 0, so one run's cache never answers the other's requests.
 */
async function paymoTarget(): Promise<ClosableTarget> {
  const sim = await startSimulator({
    scale: 'tiny',
    seed: 1,
    now: GRAMMAR_NOW,
    clock: () => GRAMMAR_NOW.getTime(),
    rateLimit: null,
  });
  // The simulator has no rate limit here, so the client need not pace itself (requests are counted, not timed).
  const base = { apiKey: sim.apiKey, baseUrl: sim.baseUrl, cacheTtlMs: 0, rateLimit: false as const };
  const on = await connect(base);
  const off = await connect(base);
  await off.query('SET paymo.pushdown = off');
  // The no-pushdown oracle reads whole tables: give it room.
  await off.query('SET paymo.max_requests = 1000');
  let seen = sim.requestLog.count();
  return {
    async run(sql, pushdown) {
      const r = await (pushdown ? on : off).query(sql, [], { rowMode: 'array' });
      return {
        fields: r.fields.map((f) => ({ name: f.name, type: f.type })),
        rows: r.rows.map((row) => row.map((v, i) => cellText(v, r.fields[i].type))),
      };
    },
    explain: (sql) => on.explain(sql),
    takeRequests() {
      const all = sim.requestLog.entries();
      const fresh = all.slice(all.length - (sim.requestLog.count() - seen));
      seen = sim.requestLog.count();
      return fresh.map((e) => {
        const q = Object.entries(e.query)
          .map(([k, v]) => `${k}=${v}`)
          .join('&');
        return `${e.method} ${e.path}${q ? `?${q}` : ''}${e.body ? ` ${canonicalJson(e.body)}` : ''}`;
      });
    },
    async close() {
      await on.close();
      await off.close();
      await sim.close();
    },
  };
}

/** A JSON body with object keys sorted at every level, so golden request lines do not depend on key order. */
export function canonicalJson(text: string): string {
  const sortKeys = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sortKeys)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .map(([k, x]) => [k, sortKeys(x)]),
          )
        : v;
  try {
    return JSON.stringify(sortKeys(JSON.parse(text)));
  } catch {
    return text;
  }
}

/** Targets by the name a file gives in `# target: NAME`. */
export const TARGETS: Record<string, () => Promise<ClosableTarget>> = {
  fixture: fixtureTarget,
  paymo: paymoTarget,
};
