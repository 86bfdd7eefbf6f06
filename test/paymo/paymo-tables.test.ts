import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { createPaymoCatalog } from '../../src/paymo/catalog.js';
import { PaymoClient } from '../../src/paymo/http-client.js';
import { ALL_SPECS } from '../../src/paymo/specs/index.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/index.js';

/** Every table against the simulator: readable, typed, NULLs for absent keys. */
describe('Paymo tables over the simulator', () => {
  let sim: SimulatorHandle;
  let client: PaymoClient;
  beforeAll(async () => {
    sim = await startSimulator({ scale: 'tiny', rateLimit: null });
    client = new PaymoClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl, rateLimit: false, retryBaseMs: 5 });
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  for (const spec of ALL_SPECS) {
    it(`${spec.name}: SELECT * … LIMIT 5`, async () => {
      const engine = createEngine({ catalog: createPaymoCatalog({ client, cacheTtlMs: 0 }) });
      const r = await engine.query(`select * from ${spec.name} limit 5`);
      expect(r.fields.map((f) => f.name)).toEqual(spec.columns.map((c) => c.name));
      expect(r.rows.length).toBeGreaterThan(0);
      for (const row of r.rows) {
        spec.columns.forEach((c, i) => {
          const v = row[i];
          if (v === null) {
            expect(c.nullable, `${spec.name}.${c.name} is NULL`).toBe(true);
            return;
          }
          const t = c.type;
          if (t === 'bigint' || t === 'integer' || t === 'numeric' || t === 'timestamptz')
            expect(typeof v, `${spec.name}.${c.name}`).toBe('number');
          else if (t === 'text') expect(typeof v, `${spec.name}.${c.name}`).toBe('string');
          else if (t === 'boolean') expect(typeof v, `${spec.name}.${c.name}`).toBe('boolean');
          else if (t === 'date') expect(v, `${spec.name}.${c.name}`).toMatch(/^\d{4}-\d{2}-\d{2}$/);
          else if (t.endsWith('[]')) expect(Array.isArray(v), `${spec.name}.${c.name}`).toBe(true);
        });
      }
    });
  }
});
