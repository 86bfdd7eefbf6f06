/**
 * `npm run bench`: prints the request table (demo company) and the local-execution table (large
 * dataset, paymo-sql vs DuckDB). Figures, not assertions: design.md §5.
 *
 * Run with `npx vitest run --config test/bench/vitest.bench.config.ts` (or `npx vite-node test/bench/run.ts`).
 */
import { runLocal } from './local.js';
import { measureRequests, printRequestDetail, printRequests } from './requests.js';
import { out } from './table.js';

/** Runs both parts and prints their tables. */
export async function runBench(): Promise<void> {
  const t0 = performance.now();
  const results = await measureRequests();
  printRequests(results);
  out();
  printRequestDetail(results);
  out();
  await runLocal();
  out();
  out(`bench finished in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

if (process.argv[1]?.endsWith('/bench/run.ts')) await runBench();
