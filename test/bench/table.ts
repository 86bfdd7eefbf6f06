/** Plain-text tables for the benchmark output (monospace, numbers right-aligned). */

/** A cell: text is left-aligned, numbers right-aligned. */
export type Cell = string | number;

/** Formats rows under headers as an aligned text table with a rule under the header. */
export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((r) => r.map((c) => (typeof c === 'number' ? String(c) : c)));
  const right = headers.map(
    (_, i) =>
      rows.length > 0 &&
      rows.every((r) => typeof r[i] === 'number' || /^[\d.,×%~≥<>+-]+[a-z×%]*$/i.test(String(r[i]))),
  );
  const width = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (right[i] ? c.padStart(width[i]!) : c.padEnd(width[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), width.map((w) => '-'.repeat(w)).join('  '), ...text.map(line)].join('\n');
}

/** Writes to stdout directly (vitest's console interception stays out of the tables). */
export function out(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** `x` with `digits` decimals, or `-` when not finite. */
export function fixed(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '-';
}
