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

// A string or template literal (templates without nested backticks).
const LIT = String.raw`'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|` + '`(?:[^`\\\\]|\\\\.)*`';

/**
 * The hints written in src outside the simulator (featureNotSupported's second argument, `hint:`
 * values, both branches of a `hint: c ? a : b`), as literal texts, each with where it stands.
 */
function hintTexts(): { where: string; text: string; continued: boolean }[] {
  const out: { where: string; text: string; continued: boolean }[] = [];
  const forms = [
    new RegExp(String.raw`featureNotSupported\(\s*(?:${LIT}|[^,()]*),\s*(${LIT})(\s*\+)?`, 'g'),
    new RegExp(
      String.raw`hint:\s*(?:[^?,}'"` +
        '`' +
        String.raw`]*(?:${LIT})?[^?,}]*\?\s*)?(${LIT})(\s*\+)?(?:\s*:\s*(${LIT})(\s*\+)?)?`,
      'g',
    ),
  ];
  for (const f of tsFiles(SRC).filter((x) => !relative(SRC, x).startsWith('simulator'))) {
    const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    for (const re of forms)
      for (const m of text.matchAll(re))
        for (let i = 1; i < m.length; i += 2) {
          const lit = m[i];
          if (lit === undefined) continue;
          const where = `${relative(SRC, f)}:${text.slice(0, m.index).split('\n').length}`;
          // A literal continued by `+` ends elsewhere.
          out.push({ where, text: lit.slice(1, -1), continued: m[i + 1] !== undefined });
        }
  }
  return out;
}

describe('architecture', () => {
  it('writes every hint as a sentence: upper-case first letter, full stop at the end', () => {
    const hints = hintTexts();
    // Enough found that a broken pattern cannot pass by finding none.
    expect(hints.length).toBeGreaterThan(25);
    const offenders = hints
      .filter(({ text, continued }) => {
        const head = text.startsWith('${') ? 'A' : text[0]!;
        const tail = text.endsWith('}') || continued ? '.' : text.at(-1)!;
        return head !== head.toUpperCase() || !/^[A-Z"]/.test(head) || !/[.!?]$/.test(tail);
      })
      .map(({ where, text }) => `${where}: ${text}`);
    expect(offenders).toEqual([]);
  });

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
