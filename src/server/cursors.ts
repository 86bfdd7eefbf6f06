/**
 * SQL-level cursors for the wire server (DECLARE / FETCH / MOVE / CLOSE), per session. A cursor
 * holds the engine's row stream started at DECLARE and reads it only as far as FETCH asks, so a
 * query is never run twice and FETCH 100 at a time costs no more than one pass (postgres_fdw,
 * psql's FETCH_COUNT). SCROLL cursors keep the rows they have read so they can move backwards.
 */
import type { Field, QueryStream } from '../engine.js';
import { SqlError } from '../errors.js';

/** How DECLARE was written. */
export interface DeclareStatement {
  /** The cursor name as PostgreSQL folds it. */
  readonly name: string;
  readonly binary: boolean;
  readonly scroll: boolean;
  readonly hold: boolean;
  /** The query text after FOR, and its offset in the statement (for error positions). */
  readonly query: string;
  readonly queryOffset: number;
}

/** Where FETCH or MOVE goes. `count` is a row count (Infinity for ALL). */
export type FetchDirection =
  | { readonly kind: 'forward'; readonly count: number }
  | { readonly kind: 'backward'; readonly count: number }
  | { readonly kind: 'absolute'; readonly position: number }
  | { readonly kind: 'relative'; readonly offset: number };

/** A parsed FETCH or MOVE. */
export interface FetchStatement {
  readonly move: boolean;
  readonly direction: FetchDirection;
  readonly name: string;
}

/** A parsed CLOSE: a cursor name or every cursor. */
export type CloseStatement = { readonly all: true } | { readonly all: false; readonly name: string };

interface Word {
  /** Lower-cased for unquoted words, verbatim for quoted identifiers. */
  readonly value: string;
  readonly quoted: boolean;
  readonly start: number;
  readonly end: number;
}

/** Words, quoted identifiers and signed numbers of a statement head; stops at `stop` (unquoted). */
function words(sql: string, stop?: string): Word[] {
  const out: Word[] = [];
  const re =
    /\s+|--[^\n]*|\/\*[\s\S]*?\*\/|"((?:[^"]|"")*)"|([+-]?[0-9]+)|([A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)|(;)|(\S)/gy;
  for (let m = re.exec(sql); m; m = re.exec(sql)) {
    if (m[1] !== undefined) {
      out.push({ value: m[1].replace(/""/g, '"'), quoted: true, start: m.index, end: re.lastIndex });
    } else if (m[2] !== undefined || m[3] !== undefined) {
      const w = (m[2] ?? m[3])!;
      const value = m[3] !== undefined ? w.toLowerCase() : w;
      out.push({ value, quoted: false, start: m.index, end: re.lastIndex });
      if (stop !== undefined && value === stop) break;
    } else if (m[4] !== undefined) {
      break;
    } else if (m[5] !== undefined) {
      throw new SqlError('42601', `syntax error at or near "${m[5]}"`, { position: m.index + 1 });
    }
    if (re.lastIndex >= sql.length) break;
  }
  return out;
}

const syntaxAt = (w: Word | undefined, sql: string): SqlError =>
  w
    ? new SqlError('42601', `syntax error at or near "${sql.slice(w.start, w.end)}"`, {
        position: w.start + 1,
      })
    : new SqlError('42601', 'syntax error at end of input');

const isKw = (w: Word | undefined, kw: string): boolean => w !== undefined && !w.quoted && w.value === kw;

/**
 * Parses `DECLARE name [BINARY] [ASENSITIVE | INSENSITIVE] [[NO] SCROLL] CURSOR [{WITH | WITHOUT}
 * HOLD] FOR query`.
 */
export function parseDeclare(sql: string): DeclareStatement {
  const ws = words(sql, 'for');
  let i = 0;
  if (!isKw(ws[i], 'declare')) throw syntaxAt(ws[i], sql);
  i++;
  const nameWord = ws[i++];
  if (!nameWord || /^[+-]?\d/.test(nameWord.value)) throw syntaxAt(nameWord, sql);
  let binary = false;
  let scroll = false;
  let hold = false;
  for (;;) {
    const w = ws[i];
    if (isKw(w, 'binary')) binary = true;
    else if (isKw(w, 'insensitive') || isKw(w, 'asensitive')) {
      // Cursors never see later changes here: there are none to see.
    } else if (isKw(w, 'scroll')) scroll = true;
    else if (isKw(w, 'no') && isKw(ws[i + 1], 'scroll')) {
      scroll = false;
      i++;
    } else if (isKw(w, 'cursor')) {
      i++;
      break;
    } else throw syntaxAt(w, sql);
    i++;
  }
  if ((isKw(ws[i], 'with') || isKw(ws[i], 'without')) && isKw(ws[i + 1], 'hold')) {
    hold = ws[i]!.value === 'with';
    i += 2;
  }
  const forWord = ws[i];
  if (!isKw(forWord, 'for')) throw syntaxAt(forWord, sql);
  const rest = sql.slice(forWord!.end);
  const lead = rest.length - rest.trimStart().length;
  const query = rest.trim().replace(/;\s*$/, '').trim();
  if (query === '') throw syntaxAt(undefined, sql);
  return { name: nameWord.value, binary, scroll, hold, query, queryOffset: forWord!.end + lead };
}

function count(w: Word | undefined, sql: string): number {
  if (isKw(w, 'all')) return Number.POSITIVE_INFINITY;
  if (w && !w.quoted && /^[+-]?\d+$/.test(w.value)) return Number(w.value);
  throw syntaxAt(w, sql);
}

/**
 * Parses `FETCH | MOVE [direction] [FROM | IN] name`, direction being NEXT, PRIOR, FIRST, LAST,
 * ABSOLUTE n, RELATIVE n, n, ALL, FORWARD [n | ALL] or BACKWARD [n | ALL].
 */
export function parseFetch(sql: string): FetchStatement {
  const ws = words(sql);
  const head = ws[0];
  if (!isKw(head, 'fetch') && !isKw(head, 'move')) throw syntaxAt(head, sql);
  const move = head!.value === 'move';
  if (ws.length < 2) throw syntaxAt(undefined, sql);
  const nameWord = ws[ws.length - 1]!;
  let body = ws.slice(1, -1);
  if (body.length > 0 && (isKw(body[body.length - 1], 'from') || isKw(body[body.length - 1], 'in'))) {
    body = body.slice(0, -1);
  }
  let direction: FetchDirection;
  const [a, b, extra] = body;
  if (extra) throw syntaxAt(extra, sql);
  if (!a) direction = { kind: 'forward', count: 1 };
  else if (isKw(a, 'next') && !b) direction = { kind: 'forward', count: 1 };
  else if (isKw(a, 'prior') && !b) direction = { kind: 'backward', count: 1 };
  else if (isKw(a, 'first') && !b) direction = { kind: 'absolute', position: 1 };
  else if (isKw(a, 'last') && !b) direction = { kind: 'absolute', position: -1 };
  else if (isKw(a, 'absolute') && b) direction = { kind: 'absolute', position: count(b, sql) };
  else if (isKw(a, 'relative') && b) direction = { kind: 'relative', offset: count(b, sql) };
  else if (isKw(a, 'forward') || isKw(a, 'backward')) {
    const n = b ? count(b, sql) : 1;
    const back = a.value === 'backward';
    direction =
      n < 0 !== back ? { kind: 'backward', count: Math.abs(n) } : { kind: 'forward', count: Math.abs(n) };
  } else if (!b) {
    const n = count(a, sql);
    direction = n < 0 ? { kind: 'backward', count: -n } : { kind: 'forward', count: n };
  } else throw syntaxAt(b, sql);
  if (!Number.isFinite((direction as { position?: number }).position ?? 0)) throw syntaxAt(b, sql);
  if (direction.kind === 'relative' && !Number.isFinite(direction.offset)) throw syntaxAt(b, sql);
  if (!nameWord.quoted && (/^[+-]?\d/.test(nameWord.value) || RESERVED.has(nameWord.value))) {
    throw syntaxAt(undefined, sql);
  }
  return { move, direction, name: nameWord.value };
}

// Reserved words that cannot name a cursor without quotes.
const RESERVED = new Set(['from', 'in', 'all', 'for', 'select']);

/** Parses `CLOSE name | ALL`. */
export function parseClose(sql: string): CloseStatement {
  const ws = words(sql);
  if (!isKw(ws[0], 'close') || ws.length !== 2) throw syntaxAt(ws[2] ?? ws[1], sql);
  const w = ws[1]!;
  return isKw(w, 'all') ? { all: true } : { all: false, name: w.value };
}

const cursorMissing = (name: string): SqlError => new SqlError('34000', `cursor "${name}" does not exist`);

const forwardOnly = (): SqlError =>
  new SqlError('55000', 'cursor can only scan forward', {
    hint: 'Declare it with SCROLL option to enable backward scan.',
  });

/** One open cursor: the stream it reads, where it stands, and (SCROLL) the rows read so far. */
export class Cursor {
  /** 0 = before the first row; k = on row k; read + 1 = after the last row (once exhausted). */
  private pos = 0;
  /** Rows pulled from the stream so far. */
  private read = 0;
  private exhausted = false;
  private batch: unknown[][] = [];
  private batchPos = 0;
  private current: unknown[] | null = null;
  private readonly kept: unknown[][] = [];
  private readonly iterator: AsyncIterator<unknown[][]>;
  private closed = false;

  constructor(
    readonly name: string,
    readonly fields: readonly Field[],
    stream: QueryStream,
    readonly binary: boolean,
    readonly scroll: boolean,
    readonly hold: boolean,
    /** Aborts the stream (cancel, timeout, close). */
    readonly controller: AbortController,
    /** Declared in the open transaction block: its ROLLBACK closes even a holdable cursor. */
    public declaredInTransaction: boolean,
  ) {
    this.iterator = stream[Symbol.asyncIterator]();
  }

  /**
   * The rows a FETCH returns, as batches, produced lazily: forward fetches stream straight from the
   * engine, so FETCH ALL over a million rows holds one batch at a time. `signal` is the FETCH's own
   * (cancel, timeout): its abort stops the cursor's stream unless it is just the portal closing.
   */
  async *fetch(d: FetchDirection, signal?: AbortSignal): AsyncGenerator<unknown[][]> {
    this.check();
    const onAbort = (): void => {
      if (signal?.reason !== 'closed') this.controller.abort(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort);
    try {
      // FORWARD 0 and BACKWARD 0 re-fetch the current row, as RELATIVE 0 does.
      if ((d.kind === 'forward' || d.kind === 'backward') && d.count === 0)
        d = { kind: 'relative', offset: 0 };
      switch (d.kind) {
        case 'forward':
          yield* this.forward(d.count);
          return;
        case 'backward': {
          const rows = this.backward(d.count);
          if (rows.length) yield rows;
          return;
        }
        case 'absolute':
        case 'relative': {
          const row = await this.seek(d);
          if (row) yield [row];
          return;
        }
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** MOVE: moves like FETCH and returns how many rows FETCH would have returned. */
  async move(d: FetchDirection, signal?: AbortSignal): Promise<number> {
    let n = 0;
    const zero =
      (d.kind === 'relative' && d.offset === 0) ||
      ((d.kind === 'forward' || d.kind === 'backward') && d.count === 0);
    if (zero) {
      // PostgreSQL counts the row the cursor stands on without reading it again.
      this.check();
      return this.pos >= 1 && this.pos <= this.read ? 1 : 0;
    }
    if (d.kind === 'forward') {
      this.check();
      for await (const b of this.forward(d.count)) n += b.length;
      return n;
    }
    for await (const b of this.fetch(d, signal)) n += b.length;
    return n;
  }

  /** Stops the stream; later use is an error. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.controller.abort('closed');
    void this.iterator.return?.()?.catch(() => undefined);
  }

  private check(): void {
    if (this.closed) throw cursorMissing(this.name);
  }

  /** Rows pos+1 … pos+n: first from the kept rows (after a backward move), then from the stream. */
  private async *forward(n: number): AsyncGenerator<unknown[][]> {
    let left = n;
    if (left > 0 && this.pos < this.read && this.scroll) {
      const from = this.pos;
      const to = Math.min(this.read, from + left);
      const rows = this.kept.slice(from, to);
      this.pos = to;
      left -= rows.length;
      this.current = rows[rows.length - 1] ?? this.current;
      if (rows.length) yield rows;
    }
    while (left > 0) {
      if (this.pos > this.read) return;
      if (this.batchPos >= this.batch.length) {
        if (this.exhausted) {
          this.pos = this.read + 1;
          this.current = null;
          return;
        }
        const r = await this.iterator.next();
        if (this.controller.signal.aborted) this.rethrowAbort();
        if (r.done) {
          this.exhausted = true;
          continue;
        }
        this.batch = r.value;
        this.batchPos = 0;
        continue;
      }
      const take = Math.min(left, this.batch.length - this.batchPos);
      const rows =
        this.batchPos === 0 && take === this.batch.length
          ? this.batch
          : this.batch.slice(this.batchPos, this.batchPos + take);
      this.batchPos += take;
      if (this.batchPos >= this.batch.length) {
        this.batch = [];
        this.batchPos = 0;
      }
      this.read += take;
      this.pos = this.read;
      left -= take;
      this.current = rows[rows.length - 1]!;
      if (this.scroll) for (const r of rows) this.kept.push(r);
      yield rows;
    }
  }

  private rethrowAbort(): never {
    const reason: unknown = this.controller.signal.reason;
    if (reason === 'timeout') throw new SqlError('57014', 'canceling statement due to statement timeout');
    throw new SqlError('57014', 'canceling statement due to user request');
  }

  /** Rows pos-1 down to pos-n (SCROLL only); runs off the front to "before the first row". */
  private backward(n: number): unknown[][] {
    if (!this.scroll) throw forwardOnly();
    const out: unknown[][] = [];
    let p = this.pos;
    while (out.length < n && p > 1) {
      p--;
      out.push(this.kept[p - 1]!);
    }
    this.pos = out.length < n ? 0 : p;
    this.current = this.pos === 0 ? null : this.kept[this.pos - 1]!;
    return out;
  }

  /** ABSOLUTE / RELATIVE: the one row there, or null (leaving the cursor before the first or after the last row). */
  private async seek(d: FetchDirection & { kind: 'absolute' | 'relative' }): Promise<unknown[] | null> {
    let target: number;
    if (d.kind === 'relative') {
      if (d.offset === 0) {
        if (!(this.pos >= 1 && this.pos <= this.read)) return null;
        // PostgreSQL steps back one row and reads it again, which a NO SCROLL cursor cannot.
        if (!this.scroll) throw forwardOnly();
        return this.current;
      }
      target = this.pos + d.offset;
    } else if (d.position >= 0) target = d.position;
    else {
      if (!this.scroll) throw forwardOnly();
      for await (const _ of this.forward(Number.POSITIVE_INFINITY)) {
        // Reading to the end tells how many rows there are.
      }
      target = this.read + 1 + d.position;
    }
    if (target < this.pos || (target === this.pos && !this.scroll && target !== 0)) {
      if (!this.scroll) throw forwardOnly();
    }
    if (target <= 0) {
      if (!this.scroll && this.pos !== 0) throw forwardOnly();
      this.pos = 0;
      this.current = null;
      return null;
    }
    if (target <= this.read && this.scroll) {
      this.pos = target;
      this.current = this.kept[target - 1]!;
      return this.current;
    }
    const skip = target - this.pos - 1;
    if (skip > 0) {
      for await (const _ of this.forward(skip)) {
        // Skipped rows are read but not sent.
      }
    }
    if (this.pos > this.read) return null;
    for await (const rows of this.forward(1)) return rows[0]!;
    return null;
  }
}

/** The cursors of one session. */
export class CursorSet {
  private readonly cursors = new Map<string, Cursor>();

  /** The open cursor called `name`, or throws 34000. */
  get(name: string): Cursor {
    const c = this.cursors.get(name);
    if (!c) throw cursorMissing(name);
    return c;
  }

  /** The open cursor called `name`, if any. */
  find(name: string): Cursor | undefined {
    return this.cursors.get(name);
  }

  /** Throws 42P03 when a cursor of this name is open. */
  checkFree(name: string): void {
    if (this.cursors.has(name)) throw new SqlError('42P03', `cursor "${name}" already exists`);
  }

  add(c: Cursor): void {
    this.checkFree(c.name);
    this.cursors.set(c.name, c);
  }

  /** CLOSE name / CLOSE ALL. */
  close(s: CloseStatement): void {
    if (s.all) {
      this.closeWhere(() => true);
      return;
    }
    const c = this.get(s.name);
    c.close();
    this.cursors.delete(s.name);
  }

  /**
   * The transaction ended: cursors without HOLD close; on ROLLBACK so do holdable ones declared in
   * it (PostgreSQL keeps only holdable cursors of committed transactions).
   */
  endTransaction(committed: boolean): void {
    this.closeWhere((c) => !c.hold || (!committed && c.declaredInTransaction));
    for (const c of this.cursors.values()) c.declaredInTransaction = false;
  }

  /** Closes every cursor (DISCARD ALL, disconnect). */
  closeAll(): void {
    this.closeWhere(() => true);
  }

  get size(): number {
    return this.cursors.size;
  }

  private closeWhere(pred: (c: Cursor) => boolean): void {
    for (const [name, c] of [...this.cursors]) {
      if (!pred(c)) continue;
      c.close();
      this.cursors.delete(name);
    }
  }
}
