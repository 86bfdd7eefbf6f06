import { SqlError } from '../errors.js';

/**
 * PostgreSQL v3 wire codec: frame splitting with a size cap, bounds-checked readers for frontend
 * messages and a growable builder for backend messages. Every read is checked against the message
 * end, so a malformed message becomes a ProtocolError instead of an over-read or a hang.
 */

/** A frame the client sent: `type` is the message byte, or 0 for the type-less startup packets. */
export interface Frame {
  readonly type: number;
  readonly body: Buffer;
}

/** 08P01 protocol_violation: the bytes do not form a valid message. */
export class ProtocolError extends SqlError {
  constructor(message: string) {
    super('08P01', message);
    this.name = 'ProtocolError';
  }
}

/** Startup-packet request codes (the "protocol version" of the special startup packets). */
export const SSL_REQUEST = 80877103;
/** GSSENCRequest: answered 'N' (no GSSAPI encryption). */
export const GSSENC_REQUEST = 80877104;
/** CancelRequest: carries the backend pid and secret key. */
export const CANCEL_REQUEST = 80877102;
/** Protocol 3.0 as a 32-bit version number. */
export const PROTOCOL_3_0 = 196608;

// PostgreSQL itself refuses startup packets larger than this (MAX_STARTUP_PACKET_LENGTH).
const MAX_STARTUP_LENGTH = 10_000;

/**
 * Splits a byte stream into frames. Bytes are kept as a list of chunks and joined only once a whole
 * frame is present, so a large message arriving in many chunks is copied once; a header announcing
 * more than `maxMessageSize` is refused before its body is buffered, which keeps memory bounded.
 */
export class Framer {
  private chunks: Buffer[] = [];
  private size = 0;
  /** True until the startup packet (which has no type byte) has been read. */
  startup = true;

  constructor(private readonly maxMessageSize: number) {}

  /** Bytes received but not yet returned as frames. */
  get buffered(): number {
    return this.size;
  }

  /** Adds received bytes. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** The next complete frame, or null when more bytes are needed; throws ProtocolError on a bad header. */
  next(): Frame | null {
    const headerLen = this.startup ? 4 : 5;
    if (this.size < headerLen) return null;
    const head = this.peek(headerLen);
    const type = this.startup ? 0 : head[0]!;
    const length = head.readInt32BE(this.startup ? 0 : 1);
    if (this.startup) {
      if (length < 8 || length > MAX_STARTUP_LENGTH)
        throw new ProtocolError('invalid length of startup packet');
    } else if (length < 4) {
      throw new ProtocolError(`invalid message length ${length}`);
    } else if (length - 4 > this.maxMessageSize) {
      throw new ProtocolError(
        `message of ${length - 4} bytes exceeds the ${this.maxMessageSize}-byte limit of this server`,
      );
    }
    const total = (this.startup ? 0 : 1) + length;
    if (this.size < total) return null;
    const all = this.take(total);
    return { type, body: all.subarray(headerLen) };
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first;
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }

  private take(n: number): Buffer {
    let first = this.chunks[0]!;
    if (first.length < n) {
      const parts: Buffer[] = [];
      let got = 0;
      while (got < n) {
        const c = this.chunks.shift()!;
        parts.push(c);
        got += c.length;
      }
      first = Buffer.concat(parts, got);
      this.chunks.unshift(first);
    }
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.size -= n;
    return out;
  }
}

/** A bounds-checked cursor over one message body. */
export class MessageReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) throw new ProtocolError('insufficient data left in message');
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** Signed 16-bit big-endian integer. */
  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  /** Signed 32-bit big-endian integer. */
  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** Unsigned 32-bit big-endian integer (OIDs). */
  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** One byte. */
  byte(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  /** A NUL-terminated UTF-8 string; the NUL must lie inside the message. */
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new ProtocolError('invalid string in message');
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }

  /** `n` raw bytes (a view, not a copy). */
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** Throws unless the whole message was consumed (PostgreSQL's pq_getmsgend). */
  end(): void {
    if (this.pos !== this.buf.length) throw new ProtocolError('invalid message format');
  }
}

/** A decoded startup packet. */
export type StartupPacket =
  | { readonly kind: 'ssl' }
  | { readonly kind: 'gssenc' }
  | { readonly kind: 'cancel'; readonly pid: number; readonly key: number }
  | {
      readonly kind: 'startup';
      readonly major: number;
      readonly minor: number;
      readonly params: Readonly<Record<string, string>>;
    };

/** Decodes a startup-phase packet body (after its length word). */
export function decodeStartup(body: Buffer): StartupPacket {
  const r = new MessageReader(body);
  const code = r.int32();
  if (code === SSL_REQUEST) return { kind: 'ssl' };
  if (code === GSSENC_REQUEST) return { kind: 'gssenc' };
  if (code === CANCEL_REQUEST) return { kind: 'cancel', pid: r.int32(), key: r.int32() };
  const major = code >>> 16;
  const minor = code & 0xffff;
  const params: Record<string, string> = Object.create(null);
  if (major === 3) {
    for (;;) {
      const name = r.cstring();
      if (name === '') break;
      params[name] = r.cstring();
    }
  }
  return { kind: 'startup', major, minor, params };
}

/** Parse ('P'). */
export interface ParseMessage {
  readonly name: string;
  readonly sql: string;
  readonly paramOids: readonly number[];
}

/** Decodes a Parse body. */
export function decodeParse(body: Buffer): ParseMessage {
  const r = new MessageReader(body);
  const name = r.cstring();
  const sql = r.cstring();
  const n = r.int16();
  if (n < 0) throw new ProtocolError('invalid parameter count in Parse');
  const paramOids: number[] = [];
  for (let i = 0; i < n; i++) paramOids.push(r.uint32());
  r.end();
  return { name, sql, paramOids };
}

/** Bind ('B'): parameter values stay raw bytes until their types are known. */
export interface BindMessage {
  readonly portal: string;
  readonly statement: string;
  /** Format code per parameter (0 text, 1 binary), already expanded from the 0/1/n encoding. */
  readonly paramFormats: readonly number[];
  readonly values: readonly (Buffer | null)[];
  /** Result format codes as sent: empty = all text, one = for every column, n = per column. */
  readonly resultFormats: readonly number[];
}

function formatCode(c: number): number {
  if (c !== 0 && c !== 1) throw new ProtocolError(`unsupported format code: ${c}`);
  return c;
}

/** Decodes a Bind body, including the single-format-code-for-all case and NULL (-1) values. */
export function decodeBind(body: Buffer): BindMessage {
  const r = new MessageReader(body);
  const portal = r.cstring();
  const statement = r.cstring();
  const nf = r.int16();
  if (nf < 0) throw new ProtocolError('invalid format count in Bind');
  const codes: number[] = [];
  for (let i = 0; i < nf; i++) codes.push(formatCode(r.int16()));
  const nv = r.int16();
  if (nv < 0) throw new ProtocolError('invalid parameter count in Bind');
  if (nf > 1 && nf !== nv) {
    throw new ProtocolError(`bind message has ${nf} parameter formats but ${nv} parameters`);
  }
  const paramFormats = Array.from({ length: nv }, (_, i) =>
    nf === 0 ? 0 : nf === 1 ? codes[0]! : codes[i]!,
  );
  const values: (Buffer | null)[] = [];
  for (let i = 0; i < nv; i++) {
    const len = r.int32();
    if (len < -1) throw new ProtocolError(`invalid parameter length ${len}`);
    values.push(len === -1 ? null : r.bytes(len));
  }
  const nr = r.int16();
  if (nr < 0) throw new ProtocolError('invalid result format count in Bind');
  const resultFormats: number[] = [];
  for (let i = 0; i < nr; i++) resultFormats.push(formatCode(r.int16()));
  r.end();
  return { portal, statement, paramFormats, values, resultFormats };
}

/** Describe ('D') or Close ('C'): a statement ('S') or portal ('P') by name. */
export interface TargetMessage {
  readonly target: 'S' | 'P';
  readonly name: string;
}

/** Decodes a Describe or Close body. */
export function decodeTarget(body: Buffer): TargetMessage {
  const r = new MessageReader(body);
  const t = String.fromCharCode(r.byte());
  if (t !== 'S' && t !== 'P') throw new ProtocolError(`invalid DESCRIBE/CLOSE message subtype ${t}`);
  const name = r.cstring();
  r.end();
  return { target: t, name };
}

/** Execute ('E'): portal name and row limit (0 = all). */
export interface ExecuteMessage {
  readonly portal: string;
  readonly maxRows: number;
}

/** Decodes an Execute body. */
export function decodeExecute(body: Buffer): ExecuteMessage {
  const r = new MessageReader(body);
  const portal = r.cstring();
  const maxRows = r.int32();
  r.end();
  return { portal, maxRows: Math.max(maxRows, 0) };
}

/** Decodes a Query ('Q') body. */
export function decodeQuery(body: Buffer): string {
  const r = new MessageReader(body);
  const sql = r.cstring();
  r.end();
  return sql;
}

/** SASLInitialResponse ('p' during SASL): mechanism and client-first message. */
export function decodeSaslInitial(body: Buffer): { mechanism: string; data: Buffer } {
  const r = new MessageReader(body);
  const mechanism = r.cstring();
  const len = r.int32();
  const data = len < 0 ? Buffer.alloc(0) : r.bytes(len);
  r.end();
  return { mechanism, data };
}

/** PasswordMessage ('p' after AuthenticationCleartextPassword). */
export function decodePassword(body: Buffer): string {
  const r = new MessageReader(body);
  const p = r.cstring();
  r.end();
  return p;
}

/**
 * Builds backend messages into one growable buffer, so a batch of DataRows becomes one socket
 * write. Lengths are patched after the body is written, so text is measured in UTF-8 bytes.
 */
export class MessageBuilder {
  private buf: Buffer;
  private len = 0;
  private msgStart = -1;

  constructor(initial = 16_384) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.len;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** Starts a message of type `type` (a character such as 'D'). */
  begin(type: string): this {
    this.ensure(5);
    this.buf[this.len] = type.charCodeAt(0);
    this.msgStart = this.len + 1;
    this.len += 5;
    return this;
  }

  /** Finishes the current message by writing its length. */
  end(): this {
    this.buf.writeInt32BE(this.len - this.msgStart, this.msgStart);
    this.msgStart = -1;
    return this;
  }

  /** Appends a signed 16-bit integer. */
  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.len);
    this.len += 2;
    return this;
  }

  /** Appends an unsigned 16-bit integer. */
  uint16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.len);
    this.len += 2;
    return this;
  }

  /** Appends a signed 32-bit integer. */
  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.len);
    this.len += 4;
    return this;
  }

  /** Appends an unsigned 32-bit integer. */
  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
    return this;
  }

  /** Appends a signed 64-bit integer. */
  int64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.len);
    this.len += 8;
    return this;
  }

  /** Appends a float8. */
  float64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.len);
    this.len += 8;
    return this;
  }

  /** Appends one byte. */
  byte(v: number): this {
    this.ensure(1);
    this.buf[this.len++] = v;
    return this;
  }

  /** Appends a NUL-terminated UTF-8 string. */
  cstring(s: string): this {
    this.ensure(Buffer.byteLength(s) + 1);
    this.len += this.buf.write(s, this.len, 'utf8');
    this.buf[this.len++] = 0;
    return this;
  }

  /** Appends raw bytes. */
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** Appends a length-prefixed UTF-8 value (a DataRow field in text form). */
  lengthPrefixedText(s: string): this {
    // Worst case 3 bytes per UTF-16 code unit; avoids measuring the string twice.
    this.ensure(4 + s.length * 3);
    const at = this.len;
    const n = this.buf.write(s, at + 4, 'utf8');
    this.buf.writeInt32BE(n, at);
    this.len += 4 + n;
    return this;
  }

  /** Reserves a 4-byte length slot; `closeLength` fills it with the bytes written since. */
  openLength(): number {
    this.ensure(4);
    const at = this.len;
    this.len += 4;
    return at;
  }

  /** Fills a slot from `openLength`. */
  closeLength(at: number): void {
    this.buf.writeInt32BE(this.len - at - 4, at);
  }

  /** The bytes written so far and resets the builder for reuse. */
  take(): Buffer {
    let out: Buffer;
    if (this.buf.length > 1024 * 1024) {
      // One huge row must not pin a huge buffer for the rest of the connection: hand it over.
      out = this.buf.subarray(0, this.len);
      this.buf = Buffer.allocUnsafe(16_384);
    } else out = Buffer.from(this.buf.subarray(0, this.len));
    this.len = 0;
    return out;
  }
}

/** One field of an ErrorResponse / NoticeResponse. */
export interface ErrorFields {
  readonly severity: 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
  readonly position?: number;
}

/** Appends an ErrorResponse ('E') or NoticeResponse ('N'). */
export function writeErrorFields(b: MessageBuilder, type: 'E' | 'N', f: ErrorFields): void {
  b.begin(type);
  b.byte(0x53).cstring(f.severity); // S
  b.byte(0x56).cstring(f.severity); // V: non-localized severity
  b.byte(0x43).cstring(f.code); // C
  b.byte(0x4d).cstring(f.message); // M
  if (f.detail !== undefined) b.byte(0x44).cstring(f.detail); // D
  if (f.hint !== undefined) b.byte(0x48).cstring(f.hint); // H
  if (f.position !== undefined) b.byte(0x50).cstring(String(f.position)); // P
  b.byte(0);
  b.end();
}
