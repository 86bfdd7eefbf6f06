#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { parseFaultSpec } from './simulator/faults.js';
import { startSimulator } from './simulator/index.js';
import { parseRateLimit } from './simulator/rate-limit.js';

const USAGE = `Usage: paymo-sql <command> [options]

Commands:
  simulator   Run the local Paymo API simulator
              [--host 127.0.0.1] [--port N] [--scale tiny|demo|large] [--seed N]
              [--api-key KEY] [--rate-limit N/S|off] [--faults SPEC] [--include-cap N|off]
              [--no-required-filters] [--json]
  help        Show this help

Fault SPEC: comma list of kind=probability with kinds 5xx, latency, drop, drop-after-commit,
malformed, truncate-includes, plus seed=N; latency takes a range: latency=0.1@20-200.
`;

/** Thrown for bad command-line input: printed without a stack trace, exit code 2. */
class UsageError extends Error {}

async function runSimulator(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      scale: { type: 'string', default: 'demo' },
      seed: { type: 'string' },
      'api-key': { type: 'string' },
      'rate-limit': { type: 'string', default: '5/5' },
      faults: { type: 'string' },
      'include-cap': { type: 'string', default: '2500' },
      'no-required-filters': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const scale = values.scale;
  if (scale !== 'tiny' && scale !== 'demo' && scale !== 'large') {
    throw new UsageError(`--scale must be tiny, demo or large (got '${scale}')`);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`invalid --port '${values.port}'`);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError(`invalid --seed '${values.seed}'`);
  const cap = values['include-cap'];
  if (cap !== 'off' && !/^\d+$/.test(cap)) throw new UsageError(`--include-cap must be a number or off`);
  let rateLimit: ReturnType<typeof parseRateLimit>;
  let faults: ReturnType<typeof parseFaultSpec> | undefined;
  try {
    rateLimit = parseRateLimit(values['rate-limit']);
    faults = values.faults ? parseFaultSpec(values.faults) : undefined;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }

  const started = Date.now();
  const sim = await startSimulator({
    host: values.host,
    port,
    scale,
    ...(seed !== undefined ? { seed } : {}),
    ...(values['api-key'] ? { apiKey: values['api-key'] } : {}),
    rateLimit,
    ...(faults ? { faults } : {}),
    includeCap: cap === 'off' ? false : Number(cap),
    requiredFilters: !values['no-required-filters'],
  });
  if (values.json) process.stdout.write(`${JSON.stringify({ baseUrl: sim.baseUrl, apiKey: sim.apiKey })}\n`);
  const limitText = rateLimit ? `${rateLimit.limit} requests / ${rateLimit.periodSeconds} s per key` : 'off';
  process.stdout.write(
    [
      `Paymo API simulator (${scale} data, ${Date.now() - started} ms to start)`,
      `  base URL:   ${sim.baseUrl}`,
      `  API key:    ${sim.apiKey}`,
      `  rate limit: ${limitText}`,
      `  try:        curl -u ${sim.apiKey}:x ${sim.baseUrl}projects`,
      '',
    ].join('\n'),
  );
  if (values.host !== '127.0.0.1' && values.host !== 'localhost' && values.host !== '::1') {
    process.stderr.write(
      `warning: listening on ${values.host}, beyond loopback (every request still needs an API key)\n`,
    );
  }
  const stop = () => {
    sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** Entry point of the `paymo-sql` command. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'simulator':
        await runSimulator(rest);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`paymo-sql: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`paymo-sql: ${(err as Error).message}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
if (code !== 0) process.exit(code);
