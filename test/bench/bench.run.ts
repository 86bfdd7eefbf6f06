/**
 * The vitest entry of `npm run bench`: one long "test" whose body prints the benchmark tables.
 * Its name does not end in `.test.ts`, so `npm test` (test/vitest.config.ts) never runs it.
 */
import { it } from 'vitest';
import { runBench } from './run.js';

it('prints the paymo-sql benchmark tables', async () => {
  await runBench();
}, 900_000);
