import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSlt, rewriteSlt, runRecord, type SltTarget } from './slt.js';
import { TARGETS } from './targets.js';

const ROOT = fileURLToPath(new URL('../../grammar-tests', import.meta.url));
const REWRITE = process.env.SLT_REWRITE === '1';

function sltFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? sltFiles(p) : name.endsWith('.slt') ? [p] : [];
    })
    .sort();
}

/** `# target: NAME` in a file's first lines picks what it runs against (default: paymo). */
function targetName(text: string): string {
  return /^#\s*target:\s*(\S+)/m.exec(text.split('\n').slice(0, 5).join('\n'))?.[1] ?? 'paymo';
}

for (const file of sltFiles(ROOT)) {
  const text = readFileSync(file, 'utf8');
  const records = parseSlt(text);
  const name = targetName(text);
  describe(relative(ROOT, file), () => {
    let target: (SltTarget & { close(): Promise<void> }) | undefined;
    const actuals = new Map<number, string[]>();
    afterAll(async () => {
      await target?.close();
      if (REWRITE && actuals.size > 0) writeFileSync(file, rewriteSlt(text, actuals));
    });
    for (const rec of records) {
      const title = `line ${rec.line}: ${rec.kind} ${'sql' in rec ? rec.sql.replace(/\s+/g, ' ').slice(0, 80) : ''}`;
      it(title, async () => {
        const make = TARGETS[name];
        if (!make)
          throw new Error(`${file}: unknown target '${name}' (known: ${Object.keys(TARGETS).join(', ')})`);
        target ??= await make();
        const outcome = await runRecord(rec, target);
        // A pushdown on/off difference is a bug, never an expected answer: rewrite mode fails on it too.
        const pushdownDiffers = outcome.failure?.startsWith('pushdown on/off differ') ?? false;
        if (REWRITE && outcome.actual && rec.kind !== 'statement' && !pushdownDiffers) {
          actuals.set(rec.line, outcome.actual);
          return;
        }
        expect(outcome.failure, `${relative(ROOT, file)}:${rec.line}`).toBeNull();
      });
    }
  });
}

describe('grammar-tests', () => {
  it('has test files', () => {
    expect(sltFiles(ROOT).length).toBeGreaterThan(0);
  });
});
