import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  dmlMatrixMarkdown,
  generatedReadme,
  readmeSections,
  settingsMarkdown,
  withSection,
  writeRulesText,
} from '../../src/paymo/docs.js';
import { ALL_SPECS } from '../../src/paymo/specs/index.js';
import type { ObjectSpec } from '../../src/paymo/specs/types.js';

const README = new URL('../../README.md', import.meta.url);
const spec = (name: string): ObjectSpec => ALL_SPECS.find((s) => s.name === name)!;

describe('README sections generated from the specs', () => {
  it('are what `npm run docs` writes: the README matches the specs and settings', () => {
    const readme = readFileSync(README, 'utf8');
    // On failure: the specs or settings changed (or the README was edited inside the markers).
    expect(readme, 'README.md is out of date with the specs: run `npm run docs`').toBe(
      generatedReadme(readme),
    );
  });

  it('has one matrix row per table with SELECT always allowed and the DML cells from the spec', () => {
    const rows = dmlMatrixMarkdown(ALL_SPECS).trimEnd().split('\n').slice(2);
    expect(rows).toHaveLength(ALL_SPECS.length);
    for (const [i, s] of ALL_SPECS.entries()) {
      const cells = rows[i]!.split(' | ').map((c) => c.replace(/^\| /, ''));
      const mark = (b: boolean) => (b ? '✓' : '—');
      expect(cells.slice(0, 5)).toEqual([
        `\`${s.name}\``,
        '✓',
        mark(s.writes.insert),
        mark(s.writes.update),
        mark(s.writes.delete),
      ]);
    }
  });

  it('puts write rules and required columns in words', () => {
    expect(writeRulesText(spec('tasks'))).toMatch(
      /^INSERT requires `name` and one of `project_id` or `tasklist_id`/,
    );
    expect(writeRulesText(spec('time_entries'))).toBe(
      'INSERT requires `task_id` and either (`date`, `duration`) or (`start_time`, `end_time`), not both (on UPDATE too)',
    );
    expect(writeRulesText(spec('invoices'))).toContain('`discount` must be greater than 0 when given');
    expect(writeRulesText(spec('me'))).toBe('read-only');
    // A rule kind this generator does not know yet still shows up, through its message.
    const future = {
      ...spec('reports'),
      writeRules: [{ kind: 'preset-or-ids', message: 'clients: a preset or a list of ids' }],
    } as unknown as ObjectSpec;
    expect(writeRulesText(future)).toContain('clients: a preset or a list of ids');
  });

  it('renders settings with their defaults, escaping pipes', () => {
    expect(settingsMarkdown([{ name: 'paymo.x', default: 'on', description: 'a | b' }])).toBe(
      '| Setting | Meaning | Default |\n|---|---|---|\n| `paymo.x` | a \\| b | `on` |\n',
    );
  });

  it('replaces only the text between the markers, and refuses a README without them', () => {
    const text = 'intro\n<!-- s:start -->\nold\n<!-- s:end -->\noutro\n';
    expect(withSection(text, { name: 's', text: 'new\n' })).toBe(
      'intro\n<!-- s:start -->\nnew\n<!-- s:end -->\noutro\n',
    );
    expect(() => withSection('no markers', { name: 's', text: '' })).toThrow(/<!-- s:start -->/);
    expect(readmeSections().map((s) => s.name)).toEqual(['dml-matrix', 'paymo-settings']);
  });
});
