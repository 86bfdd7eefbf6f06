import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/**
 * Runs the built CLI to completion. The caller's PAYMO_API_KEY / PAYMO_BASE_URL never leak in:
 * only `env` says which Paymo (if any) the command talks to.
 */
export function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  const { PAYMO_API_KEY: _k, PAYMO_BASE_URL: _u, ...rest } = process.env;
  const proc = spawn(process.execPath, [CLI, ...args], {
    env: { ...rest, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => {
    stdout += d;
  });
  proc.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => proc.once('exit', (code) => resolve({ code, stdout, stderr })));
}
