import { PaymoClient } from '../../src/paymo/http-client.js';
import { DEFAULT_SEED, generateDataset } from '../../src/simulator/generate.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/index.js';

/** The anchor instant of the demo company in tests (the bench's BENCH_NOW). */
export const DEMO_NOW = new Date('2026-11-15T12:00:00Z');

/** The simulator over the demo company (default seed, frozen clock, no rate limit) and a client of it. */
export async function startDemoPaymo(): Promise<{
  sim: SimulatorHandle;
  client: PaymoClient;
  close(): Promise<void>;
}> {
  const dataset = generateDataset({ scale: 'demo', seed: DEFAULT_SEED, now: DEMO_NOW });
  const sim = await startSimulator({
    dataset,
    now: DEMO_NOW,
    clock: () => DEMO_NOW.getTime(),
    rateLimit: null,
  });
  const client = new PaymoClient({
    apiKey: sim.apiKey,
    baseUrl: sim.baseUrl,
    rateLimit: false,
    retryBaseMs: 5,
  });
  return {
    sim,
    client,
    async close() {
      await client.close();
      await sim.close();
    },
  };
}
