import { connect, type Socket } from 'node:net';

/** A backend message as received: its type character and body bytes. */
export interface BackendMessage {
  readonly type: string;
  readonly body: Buffer;
}

function frame(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = type.charCodeAt(0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const cstr = (s: string): Buffer => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
const i16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const i32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

/** Frontend message builders, byte-exact, so tests can also build malformed ones. */
export const fe = {
  startup(params: Record<string, string>, version = 196608): Buffer {
    const body = Buffer.concat([
      i32(version),
      ...Object.entries(params).flatMap(([k, v]) => [cstr(k), cstr(v)]),
      Buffer.from([0]),
    ]);
    return Buffer.concat([i32(body.length + 4), body]);
  },
  sslRequest: (): Buffer => Buffer.concat([i32(8), i32(80877103)]),
  gssencRequest: (): Buffer => Buffer.concat([i32(8), i32(80877104)]),
  cancel: (pid: number, key: number): Buffer => Buffer.concat([i32(16), i32(80877102), i32(pid), i32(key)]),
  query: (sql: string): Buffer => frame('Q', cstr(sql)),
  parse: (name: string, sql: string, oids: number[] = []): Buffer =>
    frame('P', Buffer.concat([cstr(name), cstr(sql), i16(oids.length), ...oids.map(i32)])),
  bind(
    portal: string,
    statement: string,
    values: (Buffer | string | null)[] = [],
    paramFormats: number[] = [],
    resultFormats: number[] = [],
  ): Buffer {
    return frame(
      'B',
      Buffer.concat([
        cstr(portal),
        cstr(statement),
        i16(paramFormats.length),
        ...paramFormats.map(i16),
        i16(values.length),
        ...values.flatMap((v) => {
          if (v === null) return [i32(-1)];
          const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
          return [i32(b.length), b];
        }),
        i16(resultFormats.length),
        ...resultFormats.map(i16),
      ]),
    );
  },
  describe: (target: 'S' | 'P', name: string): Buffer =>
    frame('D', Buffer.concat([Buffer.from(target), cstr(name)])),
  execute: (portal: string, maxRows = 0): Buffer => frame('E', Buffer.concat([cstr(portal), i32(maxRows)])),
  close: (target: 'S' | 'P', name: string): Buffer =>
    frame('C', Buffer.concat([Buffer.from(target), cstr(name)])),
  sync: (): Buffer => frame('S', Buffer.alloc(0)),
  flush: (): Buffer => frame('H', Buffer.alloc(0)),
  terminate: (): Buffer => frame('X', Buffer.alloc(0)),
  raw: frame,
};

/** Fields of an ErrorResponse / NoticeResponse keyed by their one-letter codes. */
export function errorFields(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const code = String.fromCharCode(body[i]!);
    const end = body.indexOf(0, i + 1);
    if (end < 0) throw new Error(`not an error/notice body: ${body.toString('hex')}`);
    out[code] = body.toString('utf8', i + 1, end);
    i = end + 1;
  }
  return out;
}

/** A RowDescription field. */
export interface RowField {
  name: string;
  tableOid: number;
  column: number;
  typeOid: number;
  typlen: number;
  typmod: number;
  format: number;
}

/** Decodes a RowDescription body. */
export function rowDescription(body: Buffer): RowField[] {
  const n = body.readInt16BE(0);
  let i = 2;
  const out: RowField[] = [];
  for (let k = 0; k < n; k++) {
    const end = body.indexOf(0, i);
    const name = body.toString('utf8', i, end);
    i = end + 1;
    out.push({
      name,
      tableOid: body.readUInt32BE(i),
      column: body.readInt16BE(i + 4),
      typeOid: body.readUInt32BE(i + 6),
      typlen: body.readInt16BE(i + 10),
      typmod: body.readInt32BE(i + 12),
      format: body.readInt16BE(i + 16),
    });
    i += 18;
  }
  return out;
}

/** Decodes a DataRow body into raw field bytes (null for SQL NULL). */
export function dataRow(body: Buffer): (Buffer | null)[] {
  const n = body.readInt16BE(0);
  let i = 2;
  const out: (Buffer | null)[] = [];
  for (let k = 0; k < n; k++) {
    const len = body.readInt32BE(i);
    i += 4;
    if (len < 0) out.push(null);
    else {
      out.push(body.subarray(i, i + len));
      i += len;
    }
  }
  return out;
}

/** A DataRow as text values. */
export function textRow(body: Buffer): (string | null)[] {
  return dataRow(body).map((b) => (b === null ? null : b.toString('utf8')));
}

/**
 * A byte-level PostgreSQL client for protocol tests: sends exact frames and reads backend messages
 * one by one, so ordering, partial messages and malformed input can be asserted.
 */
export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private ended = false;
  /** Backend pid and secret from BackendKeyData, once authenticated. */
  pid = 0;
  secret = 0;
  /** ParameterStatus values seen so far. */
  readonly params = new Map<string, string>();

  private constructor(readonly socket: Socket) {
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Opens a TCP connection (no startup sent). */
  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  /** Opens a connection and completes a trust-auth startup, up to the first ReadyForQuery. */
  static async connect(port: number, params: Record<string, string> = {}): Promise<RawClient> {
    const c = await RawClient.open(port);
    c.send(fe.startup({ user: 'tester', database: 'db', ...params }));
    const msgs = await c.until('Z');
    const err = msgs.find((m) => m.type === 'E');
    if (err) throw new Error(`startup failed: ${errorFields(err.body).M}`);
    return c;
  }

  /** True once the server closed the connection. */
  get closed(): boolean {
    return this.ended;
  }

  /** Writes bytes as they are. */
  send(...parts: Buffer[]): void {
    this.socket.write(Buffer.concat(parts));
  }

  private async wait(timeoutMs: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timed out waiting for the server')), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** One raw byte (the answer to SSLRequest / GSSENCRequest). */
  async byte(timeoutMs = 5000): Promise<string> {
    while (this.buf.length < 1) {
      if (this.ended) throw new Error('connection closed');
      await this.wait(timeoutMs);
    }
    const b = String.fromCharCode(this.buf[0]!);
    this.buf = this.buf.subarray(1);
    return b;
  }

  /** The next backend message, or null when the server closed the connection. */
  async next(timeoutMs = 5000): Promise<BackendMessage | null> {
    for (;;) {
      if (this.buf.length >= 5) {
        const len = this.buf.readInt32BE(1);
        if (this.buf.length >= len + 1) {
          const m = { type: String.fromCharCode(this.buf[0]!), body: this.buf.subarray(5, len + 1) };
          this.buf = this.buf.subarray(len + 1);
          this.track(m);
          return m;
        }
      }
      if (this.ended) return null;
      await this.wait(timeoutMs);
    }
  }

  private track(m: BackendMessage): void {
    if (m.type === 'S') {
      const [k, v] = m.body.toString('utf8').split('\0');
      this.params.set(k!, v!);
    } else if (m.type === 'K') {
      this.pid = m.body.readInt32BE(0);
      this.secret = m.body.readInt32BE(4);
    }
  }

  /** Messages up to and including the next one of `type` (or until the connection closes). */
  async until(type: string, timeoutMs = 5000): Promise<BackendMessage[]> {
    const out: BackendMessage[] = [];
    for (;;) {
      const m = await this.next(timeoutMs);
      if (!m) return out;
      out.push(m);
      if (m.type === type) return out;
    }
  }

  /** Runs a simple query and returns every message up to ReadyForQuery. */
  async query(sql: string): Promise<BackendMessage[]> {
    this.send(fe.query(sql));
    return this.until('Z');
  }

  /** Closes politely. */
  async end(): Promise<void> {
    if (!this.ended) this.socket.end(fe.terminate());
    await new Promise<void>((r) => (this.ended ? r() : this.socket.once('close', () => r())));
  }
}

/** Message types in order, e.g. 'TDDCZ', for asserting protocol flows compactly. */
export const types = (msgs: readonly BackendMessage[]): string => msgs.map((m) => m.type).join('');
