import type { Interval, SqlType } from '../catalog/types.js';
import { formatInterval, formatTimestamp, toText } from '../catalog/values.js';
import type { ResultField } from './arrow.js';

/** The embedded API hands out Date objects for timestamps; the engine's form is epoch ms. */
export function engineValue(v: unknown): unknown {
  return v instanceof Date ? v.getTime() : v;
}

/** PostgreSQL's text form of a value (what psql shows), or null for NULL. */
export function cellText(v: unknown, type: SqlType): string | null {
  if (v === null || v === undefined) return null;
  return toText(engineValue(v), type, true);
}

/**
 * One CSV field per RFC 4180: NULL is empty, an empty string is `""` (so the two stay apart, as
 * PostgreSQL's `COPY … CSV` does), and fields with separators, quotes or line breaks are quoted.
 */
function csvField(text: string | null): string {
  if (text === null) return '';
  if (text === '' || /[",\r\n]/.test(text) || text.trim() !== text) return `"${text.replace(/"/g, '""')}"`;
  return text;
}

/** Formats rows as CSV with a header line; lines end in `\n`. */
export function formatCsv(
  fields: readonly ResultField[],
  rows: Iterable<readonly unknown[]>,
  header = true,
): string {
  const out: string[] = [];
  if (header) out.push(fields.map((f) => csvField(f.name)).join(','));
  for (const row of rows) out.push(fields.map((f, i) => csvField(cellText(row[i], f.type))).join(','));
  return out.length ? `${out.join('\n')}\n` : '';
}

/**
 * The JSON value of a cell: numbers and booleans as such, timestamps as ISO 8601 strings, dates as
 * `YYYY-MM-DD`, intervals as PostgreSQL text, jsonb as the JSON it holds, arrays element-wise.
 */
export function jsonValue(v: unknown, type: SqlType): unknown {
  if (v === null || v === undefined) return null;
  v = engineValue(v);
  if (type.endsWith('[]')) {
    const el = type.slice(0, -2) as SqlType;
    return (v as unknown[]).map((x) => jsonValue(x, el));
  }
  switch (type) {
    case 'timestamptz':
      return new Date(v as number).toISOString();
    case 'timestamp':
      return formatTimestamp(v as number, false).replace(' ', 'T');
    case 'interval':
      return formatInterval(v as Interval);
    default:
      return v;
  }
}

/** A row as a JSON object keyed by column name (a later duplicate name wins, as in most drivers). */
export function rowObject(fields: readonly ResultField[], row: readonly unknown[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  fields.forEach((f, i) => {
    o[f.name] = jsonValue(row[i], f.type);
  });
  return o;
}

/** Formats rows as one JSON array of row objects. */
export function formatJsonRows(fields: readonly ResultField[], rows: Iterable<readonly unknown[]>): string {
  const parts: string[] = [];
  for (const row of rows) parts.push(JSON.stringify(rowObject(fields, row)));
  return parts.length ? `[\n${parts.join(',\n')}\n]\n` : '[]\n';
}

/** Formats rows as newline-delimited JSON: one object a line. */
export function formatNdjson(fields: readonly ResultField[], rows: Iterable<readonly unknown[]>): string {
  let out = '';
  for (const row of rows) out += `${JSON.stringify(rowObject(fields, row))}\n`;
  return out;
}

/** Display width of a string in a terminal: East Asian wide characters and emoji take two cells. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0x300 && cp <= 0x36f)) continue;
    const wide =
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      (cp >= 0x1f300 && cp <= 0x1faff) ||
      (cp >= 0x20000 && cp <= 0x3fffd);
    w += wide ? 2 : 1;
  }
  return w;
}

function pad(s: string, width: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(s)));
  return right ? fill + s : s + fill;
}

/**
 * Formats rows the way psql's aligned output does: centred headers, numbers right-aligned, NULL as
 * an empty cell, and a `(N rows)` footer. Line breaks inside values are shown as `\n`.
 */
export function formatTable(fields: readonly ResultField[], rows: readonly (readonly unknown[])[]): string {
  const numeric = fields.map((f) => ['bigint', 'integer', 'numeric', 'double precision'].includes(f.type));
  const cells = rows.map((row) =>
    fields.map((f, i) => (cellText(row[i], f.type) ?? '').replace(/\r?\n/g, '\\n')),
  );
  const widths = fields.map((f, i) =>
    Math.max(displayWidth(f.name), ...cells.map((c) => displayWidth(c[i]))),
  );
  const header = fields
    .map((f, i) => {
      const total = widths[i] - displayWidth(f.name);
      const left = Math.floor(total / 2);
      return ' '.repeat(left) + f.name + ' '.repeat(total - left);
    })
    .join(' | ');
  const lines = [` ${header} `, widths.map((w) => '-'.repeat(w + 2)).join('+')];
  for (const c of cells) lines.push(` ${c.map((s, i) => pad(s, widths[i], numeric[i])).join(' | ')} `);
  lines.push(`(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`);
  return `${lines.map((l) => l.trimEnd()).join('\n')}\n`;
}
