/**
 * The hot path of result streaming: DataRow and CopyData messages for text-format rows, encoded
 * straight into one reusable buffer. Values are UTF-8 encoded by a JS loop, which for the short
 * strings of result cells costs far less than a native `Buffer.write` call per cell (surrogate
 * pairs fall back to it). The connection hands the filled buffer to the socket writer in chunks.
 */
import type { SqlType } from '../catalog/types.js';
import { textOutput } from './copy.js';

/** A value's PostgreSQL text output (non-null values only). */
export type CellText = (v: unknown) => string;

/** The text-output function for a column type, with fast paths for the common scalar types. */
export function cellTextFn(type: SqlType): CellText {
  switch (type) {
    case 'bigint':
    case 'integer':
      return (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : textOutput(v, type));
    case 'text':
      return (v) => (typeof v === 'string' ? v : textOutput(v, type));
    case 'boolean':
      return (v) => (v ? 't' : 'f');
    default:
      return (v) => textOutput(v, type);
  }
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

  /** Appends `s` as UTF-8; returns its byte length. */
  private utf8(s: string): number {
    const n = s.length;
    this.ensure(n * 3);
    const buf = this.buf;
    const at = this.len;
    let p = at;
    for (let i = 0; i < n; i++) {
      const ch = s.charCodeAt(i);
      if (ch < 0x80) buf[p++] = ch;
      else if (ch < 0x800) {
        buf[p++] = 0xc0 | (ch >> 6);
        buf[p++] = 0x80 | (ch & 0x3f);
      } else if (ch < 0xd800 || ch > 0xdfff) {
        buf[p++] = 0xe0 | (ch >> 12);
        buf[p++] = 0x80 | ((ch >> 6) & 0x3f);
        buf[p++] = 0x80 | (ch & 0x3f);
      } else {
        // Surrogates (pairs and lone ones): the native encoder knows the rules.
        p += buf.write(s.slice(i), p, 'utf8');
        break;
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
