import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALL_SPECS } from '../src/paymo/specs/index.js';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : name.endsWith('.ts') ? [p] : [];
  });
}

/** Module specifiers a file imports (static and dynamic). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]);
}

/** String literals of a file, without comments. */
function literalsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/[^\n]*/g, '$1');
  return [...text.matchAll(/'([^'\\\n]*)'|"([^"\\\n]*)"/g)].map((m) => m[1] ?? m[2]);
}

describe('architecture', () => {
  it('keeps the generic engine and output free of Paymo and simulator code', () => {
    const generic = [
      ...['sql', 'plan', 'exec', 'catalog', 'output'].flatMap((d) => tsFiles(join(SRC, d))),
      join(SRC, 'engine.ts'),
      join(SRC, 'errors.ts'),
      join(SRC, 'session.ts'),
    ];
    const offenders = generic.flatMap((f) =>
      importsOf(f)
        .filter((m) => /(^|\/)(paymo|simulator)\//.test(m))
        .map((m) => `${relative(SRC, f)} imports ${m}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps Paymo table knowledge in the specs: no table or resource name in the generic Paymo code', () => {
    const names = new Set<string>();
    for (const s of ALL_SPECS) {
      names.add(s.name);
      names.add(s.resource);
      names.add(s.key);
      for (const a of s.aliases) names.add(a);
    }
    const generic = tsFiles(join(SRC, 'paymo')).filter((f) => !f.includes(`${join('paymo', 'specs')}`));
    const offenders = generic.flatMap((f) =>
      literalsOf(f)
        .filter((lit) => names.has(lit))
        .map((lit) => `${relative(SRC, f)} mentions '${lit}'`),
    );
    expect(offenders).toEqual([]);
  });

  it('lets only the simulator know the simulator: production code never imports it, except the demo entry points', () => {
    const allowed = new Set(['connect.ts', 'serve.ts', 'cli.ts', 'index.ts']);
    const offenders = tsFiles(SRC)
      .filter((f) => !relative(SRC, f).startsWith('simulator'))
      .filter((f) => !allowed.has(relative(SRC, f)))
      .flatMap((f) =>
        importsOf(f)
          .filter((m) => /(^|\/)simulator\//.test(m))
          .map((m) => `${relative(SRC, f)} imports ${m}`),
      );
    expect(offenders).toEqual([]);
  });
});
