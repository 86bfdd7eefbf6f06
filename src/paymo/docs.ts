/**
 * Documentation generated from the specs and settings, so the README cannot drift from what the
 * engine enforces: the DML support matrix (which statements each table takes, with its write rules in
 * words) and the `paymo.*` session settings. `npm run docs` writes them into README.md between
 * markers; test/paymo/readme-docs.test.ts fails when the README differs.
 */

import { PAYMO_SETTINGS } from '../paymo-session.js';
import type { SettingDef } from '../session.js';
import { ALL_SPECS } from './specs/index.js';
import type { ObjectSpec, WriteRule } from './specs/types.js';

/** A generated README section: the text between `<!-- name:start -->` and `<!-- name:end -->`. */
export interface GeneratedSection {
  readonly name: string;
  readonly text: string;
}

const code = (name: string): string => `\`${name}\``;

/** `a`, `a or b`, `a, b or c`. */
function alternatives(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** What an INSERT needs beyond single columns, e.g. "either (`date`, `duration`) or (`start_time`, `end_time`)". */
function groupsText(groups: readonly (readonly string[])[]): string {
  const named = groups.map((g) => (g.length === 1 ? code(g[0]!) : `(${g.map(code).join(', ')})`));
  return `${groups.every((g) => g.length === 1) ? 'one of' : 'either'} ${alternatives(named)}`;
}

/**
 * A table's write rules in words: what an INSERT requires (required columns and alternatives),
 * value rules, and columns an UPDATE cannot change, e.g. for tasks "INSERT requires `name` and one
 * of `project_id` or `tasklist_id`; set on INSERT only: `project_id`".
 */
export function writeRulesText(spec: ObjectSpec): string {
  const w = spec.writes;
  if (!w.insert && !w.update && !w.delete) return 'read-only';
  const required = spec.columns.filter((c) => c.requiredOnInsert).map((c) => code(c.name));
  const needs = w.insert && required.length > 0 ? [required.join(', ')] : [];
  const rules: string[] = [];
  for (const rule of spec.writeRules ?? ([] as readonly WriteRule[])) {
    switch (rule.kind) {
      case 'positive':
        rules.push(`${code(rule.column)} must be greater than 0 when given (Paymo refuses 0)`);
        break;
      case 'one-of-groups':
        // An INSERT rule means nothing on a table that takes no INSERT.
        // Exclusive alternatives also bind an UPDATE: it may not assign columns of two groups.
        if (w.insert && rule.exclusive) {
          const never = rule.groups.length === 2 ? 'not both' : 'only one of them';
          needs.push(`${groupsText(rule.groups)}, ${never}${w.update ? ' (on UPDATE too)' : ''}`);
        } else if (w.insert) needs.push(groupsText(rule.groups));
        break;
      default:
        // A rule kind added later still documents itself through its message.
        rules.push((rule as { readonly message: string }).message);
    }
  }
  const parts: string[] = [];
  if (needs.length > 0) parts.push(`INSERT requires ${needs.join(' and ')}`);
  parts.push(...rules);
  const fixed = spec.columns.filter((c) => c.createOnly).map((c) => code(c.name));
  if (w.update && fixed.length > 0) {
    parts.push(`${w.insert ? 'set on INSERT only' : 'cannot be changed'}: ${fixed.join(', ')}`);
  }
  return parts.length > 0 ? parts.join('; ') : '—';
}

/** The DML support matrix as a Markdown table: one row per table, in the specs' order. */
export function dmlMatrixMarkdown(specs: readonly ObjectSpec[]): string {
  const mark = (allowed: boolean): string => (allowed ? '✓' : '—');
  const lines = [
    '| table | SELECT | INSERT | UPDATE | DELETE | write rules |',
    '|---|:-:|:-:|:-:|:-:|---|',
    ...specs.map(
      (s) =>
        `| ${code(s.name)} | ✓ | ${mark(s.writes.insert)} | ${mark(s.writes.update)} | ${mark(s.writes.delete)} | ${writeRulesText(s)} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** The session settings as a Markdown table: name, meaning, default. */
export function settingsMarkdown(settings: readonly SettingDef[]): string {
  const lines = [
    '| Setting | Meaning | Default |',
    '|---|---|---|',
    ...settings.map(
      (s) => `| ${code(s.name)} | ${s.description.replaceAll('|', '\\|')} | ${code(s.default)} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The text with the section between `<!-- name:start -->` and `<!-- name:end -->` replaced; throws
 * when the markers are missing or out of order (the README was edited by hand around them).
 */
export function withSection(text: string, section: GeneratedSection): string {
  const open = `<!-- ${section.name}:start -->`;
  const close = `<!-- ${section.name}:end -->`;
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start) throw new Error(`README.md must contain ${open} … ${close} (in that order)`);
  return `${text.slice(0, start + open.length)}\n${section.text}${text.slice(end)}`;
}

/** Every generated README section, from the specs and settings given (the shipped ones by default). */
export function readmeSections(
  specs: readonly ObjectSpec[] = ALL_SPECS,
  settings: readonly SettingDef[] = PAYMO_SETTINGS,
): GeneratedSection[] {
  return [
    { name: 'dml-matrix', text: dmlMatrixMarkdown(specs) },
    { name: 'paymo-settings', text: settingsMarkdown(settings) },
  ];
}

/** The README with every generated section rewritten (what `npm run docs` writes). */
export function generatedReadme(readme: string): string {
  return readmeSections().reduce(withSection, readme);
}
