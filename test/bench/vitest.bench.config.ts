import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * vitest configuration of `npm run bench`: the test/bench/*.run.ts entries, one fork with a large heap
 * (the large dataset is ~1 M rows in two engines), console output straight to stdout.
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/bench/*.run.ts'],
    testTimeout: 900_000,
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: true, execArgv: ['--max-old-space-size=8192', '--expose-gc'] } },
    disableConsoleIntercept: true,
    reporters: ['dot'],
  },
});
