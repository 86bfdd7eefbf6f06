import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** vitest configuration: the project root is one level up; tests live in test/ and grammar-tests/. */
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
