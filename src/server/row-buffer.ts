/**
 * The hot path of result streaming: DataRow and CopyData messages for text-format rows, encoded
 * straight into one reusable buffer. Values are UTF-8 encoded by a JS loop, which for the short
 * strings of result cells costs far less than a native `Buffer.write` call per cell, and COPY's
 * escaping and quoting happen in the same pass. The connection hands the filled buffer to the socket writer in chunks.
 */
import { UTC, type Zone } from '../catalog/timezone.js';
import type { SqlType } from '../catalog/types.js';
import { toText } from '../catalog/values.js';

/**
 * A value's PostgreSQL text output, as a text-format DataRow carries it: timestamptz values (also
 * inside arrays) read in `zone`, the session's TimeZone, as PostgreSQL prints them.
 */
export function textOutput(v: unknown, type: SqlType, zone: Zone = UTC): string {
  return typeof v === 'string' && type !== 'jsonb' ? v : toText(v, type, true, zone);
}

/** A value's PostgreSQL text output (non-null values only). */
export type CellText = (v: unknown) => string;

/** The text-output function for a column type, with fast paths for the common scalar types. */
export function cellTextFn(type: SqlType, zone: Zone = UTC): CellText {
  switch (type) {
    case 'bigint':
    case 'integer':
      return (v) =>
        typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : textOutput(v, type, zone);
    case 'text':
      return (v) => (typeof v === 'string' ? v : textOutput(v, type, zone));
    case 'boolean':
      return (v) => (v ? 't' : 'f');
    case 'timestamptz':
      return zone === UTC ? utcTimestampText() : (v) => textOutput(v, type, zone);
    default:
      return (v) => textOutput(v, type, zone);
  }
}

/** How {@link RowBuffer.copyLine} writes a line: the options of a text or CSV COPY, as char codes. */
export interface CopyLineFormat {
  readonly csv: boolean;
  readonly delimiter: number;
  readonly null: string;
  readonly quote: number;
  readonly escape: number;
  /** FORCE_QUOTE per column. */
  readonly forced: readonly boolean[];
}

const PLAIN = 0;
const TEXT_ESCAPE = 1;
const CSV_CHECK = 2;
const CSV_QUOTED = 3;
// \b \t \n \v \f \r for the control characters 8 … 13.
const TEXT_ESCAPE_LETTER = [0x62, 0x74, 0x6e, 0x76, 0x66, 0x72];

const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

/**
 * formatTimestamp(ms, true) for UTC, with the calendar date of the previous value's day reused:
 * result rows are often ordered or clustered in time, and building the date is the costly part.
 */
function utcTimestampText(): CellText {
  let lastDay = Number.NaN;
  let lastDate = '';
  return (v) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) return textOutput(v, 'timestamptz');
    const day = Math.floor(v / DAY_MS);
    if (day !== lastDay) {
      const date = toText(v, 'timestamptz', true);
      lastDay = day;
      lastDate = date.slice(0, date.indexOf(' '));
    }
    const tod = v - day * DAY_MS;
    const frac = tod % 1000;
    const secs = (tod - frac) / 1000;
    let out = `${lastDate} ${TWO_DIGITS[Math.floor(secs / 3600)]}:${TWO_DIGITS[Math.floor(secs / 60) % 60]}:${TWO_DIGITS[secs % 60]}`;
    if (frac) out += `.${String(frac).padStart(3, '0').replace(/0+$/, '')}`;
    return `${out}+00`;
  };
}

/** A growable byte buffer of complete protocol messages. */
export class RowBuffer {
  // Allocated on first use: idle connections hold nothing.
  private buf = Buffer.allocUnsafe(0);
  private len = 0;

  /** Bytes held. */
  get length(): number {
    return this.len;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = Math.max(this.buf.length * 2, 64 * 1024);
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** Appends a DataRow of text-format values (null for SQL NULL). */
  dataRow(row: readonly unknown[], cells: readonly CellText[]): void {
    const n = cells.length;
    this.ensure(7 + n * 4);
    const start = this.len;
    const buf = this.buf;
    buf[start] = 0x44; // 'D'
    buf[start + 5] = n >> 8;
    buf[start + 6] = n & 0xff;
    this.len = start + 7;
    for (let c = 0; c < n; c++) {
      const v = row[c];
      if (v === null || v === undefined) {
        this.ensure(4);
        this.buf.writeInt32BE(-1, this.len);
        this.len += 4;
        continue;
      }
      const at = this.len;
      this.len += 4;
      const bytes = this.utf8(cells[c]!(v));
      this.buf.writeInt32BE(bytes, at);
    }
    this.buf.writeInt32BE(this.len - start - 1, start + 1);
  }

  /** Appends a CopyData message holding `text` (UTF-8). */
  copyData(text: string): void {
    this.ensure(5);
    const start = this.len;
    this.buf[start] = 0x64; // 'd'
    this.len = start + 5;
    this.utf8(text);
    this.buf.writeInt32BE(this.len - start - 1, start + 1);
  }

  /**
   * Appends one COPY text/CSV line as a CopyData message, escaping or quoting each value while it
   * is encoded (the rules of copyTextField / copyCsvField, without building the line as a string).
   */
  copyLine(row: readonly unknown[], cells: readonly CellText[], f: CopyLineFormat): void {
    this.ensure(5);
    const start = this.len;
    this.buf[start] = 0x64; // 'd'
    this.len = start + 5;
    const n = cells.length;
    for (let c = 0; c < n; c++) {
      if (c > 0) this.byte(f.delimiter);
      const v = row[c];
      if (v === null || v === undefined) {
        this.utf8(f.null);
        continue;
      }
      const s = cells[c]!(v);
      if (!f.csv) {
        this.utf8(s, TEXT_ESCAPE, f.delimiter);
        continue;
      }
      let quote = f.forced[c]! || s === f.null || (n === 1 && s === '\\.');
      if (!quote) {
        const mark = this.len;
        if (this.utf8(s, CSV_CHECK, f.delimiter, f.quote) < 0) {
          this.len = mark;
          quote = true;
        }
      }
      if (quote) {
        this.byte(f.quote);
        this.utf8(s, CSV_QUOTED, f.quote, f.escape);
        this.byte(f.quote);
      }
    }
    this.byte(0x0a);
    this.buf.writeInt32BE(this.len - start - 1, start + 1);
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  /**
   * Appends `s` as UTF-8 and returns its byte length. `mode` handles ASCII specials on the way:
   * TEXT_ESCAPE writes COPY text escapes (`a` = delimiter); CSV_CHECK stops and returns -1 at a
   * character that needs CSV quoting (`a` = delimiter, `b` = quote); CSV_QUOTED precedes the quote
   * `a` and escape `b` characters with the escape.
   */
  private utf8(s: string, mode = PLAIN, a = -1, b = -1): number {
    const n = s.length;
    // Escapes at most double an ASCII character; other characters take at most 3 bytes.
    this.ensure(n * 3);
    const buf = this.buf;
    const at = this.len;
    let p = at;
    for (let i = 0; i < n; i++) {
      const ch = s.charCodeAt(i);
      if (ch < 0x80) {
        if (mode !== PLAIN) {
          if (mode === TEXT_ESCAPE) {
            if ((ch >= 8 && ch <= 13) || ch === 92 || ch === a) {
              buf[p++] = 92;
              buf[p++] = ch >= 8 && ch <= 13 ? TEXT_ESCAPE_LETTER[ch - 8]! : ch;
              continue;
            }
          } else if (mode === CSV_CHECK) {
            if (ch === a || ch === b || ch === 10 || ch === 13) return -1;
          } else if (ch === a || ch === b) buf[p++] = b;
        }
        buf[p++] = ch;
      } else if (ch < 0x800) {
        buf[p++] = 0xc0 | (ch >> 6);
        buf[p++] = 0x80 | (ch & 0x3f);
      } else if (ch < 0xd800 || ch > 0xdfff) {
        buf[p++] = 0xe0 | (ch >> 12);
        buf[p++] = 0x80 | ((ch >> 6) & 0x3f);
        buf[p++] = 0x80 | (ch & 0x3f);
      } else {
        const lo = ch <= 0xdbff && i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          const cp = 0x10000 + ((ch - 0xd800) << 10) + (lo - 0xdc00);
          buf[p++] = 0xf0 | (cp >> 18);
          buf[p++] = 0x80 | ((cp >> 12) & 0x3f);
          buf[p++] = 0x80 | ((cp >> 6) & 0x3f);
          buf[p++] = 0x80 | (cp & 0x3f);
          i++;
        } else {
          // A lone surrogate becomes U+FFFD, as Buffer.from does.
          buf[p++] = 0xef;
          buf[p++] = 0xbf;
          buf[p++] = 0xbd;
        }
      }
    }
    this.len = p;
    return p - at;
  }

  /** The bytes held, as a view valid until the next append; then empties the buffer. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.len);
    // A huge row must not pin a huge buffer for the rest of the connection.
    if (this.buf.length > 1024 * 1024) this.buf = Buffer.allocUnsafe(0);
    this.len = 0;
    return out;
  }
}
