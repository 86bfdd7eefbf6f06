/**
 * The vitest entry of the wire benchmark (part of `npm run bench`, or alone:
 * `npx vitest run --config test/bench/vitest.bench.config.ts test/bench/wire.run.ts`).
 * Its name does not end in `.test.ts`, so `npm test` never runs it.
 */
import { it } from 'vitest';
import { runWire } from './wire.js';

it('prints the wire throughput table (1 M rows, paymo-sql vs PostgreSQL)', async () => {
  await runWire();
}, 900_000);
