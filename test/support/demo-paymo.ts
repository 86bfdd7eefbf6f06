import { PaymoClient } from '../../src/paymo/http-client.js';
import { DEFAULT_SEED, generateDataset } from '../../src/simulator/generate.js';
import { type SimulatorHandle, type SimulatorOptions, startSimulator } from '../../src/simulator/index.js';

/** The anchor instant of the demo company in tests (the bench's BENCH_NOW). */
export const DEMO_NOW = new Date('2026-11-15T12:00:00Z');

/** The simulator over the demo company (default seed, frozen clock, no rate limit) and a client of it. */
export function startDemoPaymo(): Promise<SimulatedPaymo> {
  const dataset = generateDataset({ scale: 'demo', seed: DEFAULT_SEED, now: DEMO_NOW });
  return startSimulatedPaymo({ dataset, now: DEMO_NOW, clock: () => DEMO_NOW.getTime() });
}

/** A running simulator, a client of it, and `close()` for both. */
export interface SimulatedPaymo {
  sim: SimulatorHandle;
  client: PaymoClient;
  close(): Promise<void>;
}

/** A simulator with `options` and no rate limit, and a client of it that retries fast and never waits. */
export async function startSimulatedPaymo(options: SimulatorOptions): Promise<SimulatedPaymo> {
  const sim = await startSimulator({ ...options, rateLimit: null });
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
