import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { UTC, type Zone, zoneByName } from '../catalog/timezone.js';
import { parseTypeName, type SqlType } from '../catalog/types.js';
import { castValue } from '../catalog/values.js';
import type { Field, QueryStream } from '../engine.js';
import { SqlError, toSqlError } from '../errors.js';
import { commandTag, isWriteCommand } from '../output/command-tag.js';
import { type Notice, parseDuration, Session, type SessionResult } from '../session.js';
import { type ConnectionInfo, type CopyInSink, type SessionHandle, StreamCapture } from './backend.js';
import {
  CopyEncoder,
  CopyInDecoder,
  type CopyStatement,
  copyQuery,
  identifierName,
  parseCopy,
  serverFileRefusal,
} from './copy.js';
import { Cursor, CursorSet, parseClose, parseDeclare, parseFetch } from './cursors.js';
import { decodeParam, pgType, sqlTypeOfOid, writeValue } from './pg-types.js';
import { type CellText, cellTextFn, RowBuffer } from './row-buffer.js';
import { ScramError, ScramServer } from './scram.js';
import type { ServerContext } from './server.js';
import { leadingWords, maxParamIndex, paramCasts, splitStatements } from './sql-text.js';
import {
  decodeBind,
  decodeExecute,
  decodeParse,
  decodePassword,
  decodeQuery,
  decodeSaslInitial,
  decodeStartup,
  decodeTarget,
  type ErrorFields,
  type Frame,
  Framer,
  MessageBuilder,
  ProtocolError,
  writeErrorFields,
} from './wire.js';

/** A prepared statement (Parse). */
interface Prepared {
  readonly sql: string;
  /** Parameter type OIDs: as Parse declared them, zeros filled from casts and from Describe. */
  readonly paramOids: number[];
  readonly paramCount: number;
  /** Fields as last described to the client; portals encode to these so the client's decoders match. */
  described?: readonly Field[];
}

/** A running or runnable statement: its fields and a pull-based source of row batches. */
interface Started {
  readonly command: string;
  readonly fields: readonly Field[];
  readonly returnsRows: boolean;
  readonly rowCount: number;
  readonly notices: readonly Notice[];
  readonly batches: AsyncIterator<unknown[][]> | null;
  /** COPY … TO STDOUT: rows go out as CopyData in this encoding instead of DataRows. */
  readonly copy?: CopyEncoder;
  /** FETCH from a BINARY cursor: the simple protocol sends its rows in binary. */
  readonly binary?: boolean;
  /** A write's rows written once its stream is done (undefined: count the rows sent, e.g. RETURNING). */
  readonly rowsWritten?: () => number | undefined;
}

/** A bound statement (Bind). */
interface Portal {
  readonly stmt: Prepared;
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly resultFormats: readonly number[];
  readonly controller: AbortController;
  started?: Started | 'empty';
  pending: unknown[][];
  pendingPos: number;
  finished: boolean;
}

type Phase = 'startup' | 'sasl-first' | 'sasl-final' | 'password' | 'ready' | 'closed';

// Parameters PostgreSQL reports with ParameterStatus (GUC_REPORT), and the Session name for each.
const REPORTED: readonly [string, string][] = [
  ['application_name', 'application_name'],
  ['client_encoding', 'client_encoding'],
  ['DateStyle', 'datestyle'],
  ['IntervalStyle', 'intervalstyle'],
  ['TimeZone', 'timezone'],
  ['integer_datetimes', 'integer_datetimes'],
  ['server_encoding', 'server_encoding'],
  ['server_version', 'server_version'],
  ['standard_conforming_strings', 'standard_conforming_strings'],
];

const SESSION_WORDS = new Set([
  'set',
  'reset',
  'show',
  'begin',
  'start',
  'commit',
  'end',
  'rollback',
  'abort',
  'discard',
]);
const TX_END_WORDS = new Set(['commit', 'end', 'rollback', 'abort']);

// Stop reading from a client whose parsed-but-unprocessed messages exceed this (memory bound).
const INPUT_HIGH_WATER = 4 * 1024 * 1024;
// Rows are written out once this many bytes of DataRows are pending.
const OUTPUT_CHUNK = 64 * 1024;
// Longest stretch of synchronous row encoding before yielding to the event loop (cancel, other clients).
const YIELD_MS = 10;

// Statements the connection answers itself (cursors, COPY, savepoints) rather than the Session.
const CONNECTION_WORDS = new Set(['declare', 'fetch', 'move', 'close', 'copy', 'savepoint', 'release']);

const isRowCommand = (command: string): boolean =>
  command === 'SELECT' || command === 'SHOW' || command === 'EXPLAIN' || command === 'FETCH';

/**
 * One client connection: startup and authentication, then the simple and extended query protocols
 * over one Session. Frames are processed strictly in arrival order by a single async pump, so a
 * pipelined Parse/Bind/Execute/Sync batch is answered in order even though execution is async.
 */
export class Connection {
  readonly pid: number;
  readonly secret: number;
  private sock: Socket;
  private readonly framer: Framer;
  private phase: Phase = 'startup';
  private readonly queue: Frame[] = [];
  private queuedBytes = 0;
  private pumping = false;
  private paused = false;
  private readonly out = new MessageBuilder();
  private tls = false;
  private startupParams: Record<string, string> = {};
  private scram: ScramServer | null = null;
  private session: Session | null = null;
  private capture: StreamCapture | null = null;
  private sessionHandle: SessionHandle | null = null;
  private readonly statements = new Map<string, Prepared>();
  private readonly portals = new Map<string, Portal>();
  private readonly cursors = new CursorSet();
  /** Text-format rows are encoded here (the fast path) and moved to `out` in chunks. */
  private readonly rowBuffer = new RowBuffer();
  /** Savepoint names of the open transaction block, oldest first. */
  private savepoints: string[] = [];
  /** Running a multi-statement simple query: an implicit transaction block (DECLARE allowed). */
  private implicitBlock = false;
  private skipUntilSync = false;
  private txFailed = false;
  private running: AbortController | null = null;
  private reported = new Map<string, string>();
  private startupTimer: NodeJS.Timeout | null = null;
  private lastYield = 0;
  private readonly onData = (chunk: Buffer): void => this.receive(chunk);
  /** Wakes a COPY FROM STDIN waiting for the client's next message. */
  private frameWaiter: (() => void) | null = null;
  /** Resolves when the socket has closed and the session is released. */
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    socket: Socket,
    private readonly ctx: ServerContext,
    ids: { pid: number; secret: number },
  ) {
    this.pid = ids.pid;
    this.secret = ids.secret;
    this.sock = socket;
    this.framer = new Framer(ctx.maxMessageSize);
    this.closed = new Promise((r) => (this.resolveClosed = r));
    socket.setNoDelay(true);
    this.attach(socket);
    this.startupTimer = setTimeout(() => {
      if (this.phase !== 'ready') {
        this.ctx.log('warn', 'startup/authentication timed out', { pid: this.pid });
        this.destroy();
      }
    }, ctx.startupTimeoutMs);
    this.startupTimer.unref();
  }

  private attach(s: Socket): void {
    s.on('data', this.onData);
    s.on('error', (e) => {
      this.ctx.log('info', `socket error: ${e.message}`, { pid: this.pid });
      this.destroy();
    });
    s.on('close', () => this.onClose());
    s.on('end', () => this.destroy());
  }

  /** Aborts the statement running now (CancelRequest); does nothing when idle. */
  cancel(): void {
    this.running?.abort('cancel');
  }

  /** Ends the connection with a FATAL error (server shutdown). */
  terminate(code: string, message: string): void {
    if (this.phase === 'closed') return;
    this.writeError({ severity: 'FATAL', code, message });
    this.flush();
    this.closeSoon();
  }

  // ---------------------------------------------------------------- input

  private receive(chunk: Buffer): void {
    if (this.phase === 'closed') return;
    this.framer.push(chunk);
    this.split();
    this.wakeFrameWaiter();
    void this.pump();
  }

  private wakeFrameWaiter(): void {
    const w = this.frameWaiter;
    this.frameWaiter = null;
    w?.();
  }

  /**
   * The client's next message, read from inside a running statement (COPY FROM STDIN pulls its
   * CopyData this way while the pump waits for the statement); null when the connection closed.
   */
  private async takeFrame(): Promise<Frame | null> {
    for (;;) {
      if (this.phase === 'closed') return null;
      if (this.queue.length === 0 && this.framer.buffered > 0) this.split();
      const f = this.queue.shift();
      if (f) {
        this.queuedBytes -= f.body.length + 5;
        if (this.paused && this.queuedBytes < INPUT_HIGH_WATER / 2) {
          this.paused = false;
          this.sock.resume();
        }
        return f;
      }
      this.flush();
      await new Promise<void>((resolve) => {
        this.frameWaiter = resolve;
      });
    }
  }

  /** Moves complete frames from the framer to the queue; pauses the socket when too much is queued. */
  private split(): void {
    try {
      // A startup-phase packet changes how the following bytes are framed, so split no further
      // until it has been handled.
      while (!(this.framer.startup && this.queue.length > 0)) {
        const f = this.framer.next();
        if (!f) break;
        this.queue.push(f);
        this.queuedBytes += f.body.length + 5;
      }
    } catch (e) {
      // A bad frame header: nothing after it can be trusted, so answer and hang up.
      this.queue.length = 0;
      this.fatal(toSqlError(e));
      return;
    }
    if (this.queuedBytes + this.framer.buffered > INPUT_HIGH_WATER && !this.paused) {
      this.paused = true;
      this.sock.pause();
    }
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const f = this.queue.shift();
        if (!f) break;
        this.queuedBytes -= f.body.length + 5;
        await this.handle(f);
        if (this.phase === 'closed') return;
        if (this.queue.length === 0 && this.framer.buffered > 0) this.split();
        if (this.paused && this.queuedBytes < INPUT_HIGH_WATER / 2) {
          this.paused = false;
          this.sock.resume();
        }
      }
      // Nothing more to read: whatever is pending must reach the client now.
      this.flush();
    } catch (e) {
      this.fatal(toSqlError(e));
    } finally {
      this.pumping = false;
    }
  }

  private async handle(f: Frame): Promise<void> {
    switch (this.phase) {
      case 'startup':
        return this.handleStartup(f.body);
      case 'sasl-first':
      case 'sasl-final':
      case 'password':
        return this.handleAuth(f);
      case 'ready':
        return this.handleMessage(f);
      case 'closed':
        return;
    }
  }

  // ---------------------------------------------------------------- startup and authentication

  private async handleStartup(body: Buffer): Promise<void> {
    const p = decodeStartup(body);
    switch (p.kind) {
      case 'ssl':
        if (this.ctx.secureContext && !this.tls) {
          if (this.framer.buffered > 0) {
            // Bytes sent before the TLS handshake would be trusted as if encrypted (CVE-2021-23214).
            throw new ProtocolError('received unencrypted data after SSL request');
          }
          this.writeRaw(Buffer.from('S'));
          this.upgradeTls();
        } else {
          this.writeRaw(Buffer.from('N'));
        }
        return;
      case 'gssenc':
        this.writeRaw(Buffer.from('N'));
        return;
      case 'cancel':
        this.ctx.cancel(p.pid, p.key);
        this.destroy();
        return;
      case 'startup':
        break;
    }
    if (p.major !== 3) {
      throw new SqlError(
        '0A000',
        `unsupported frontend protocol ${p.major}.${p.minor}: server supports 3.0 to 3.0`,
      );
    }
    this.framer.startup = false;
    const unknownOptions = Object.keys(p.params).filter((k) => k.startsWith('_pq_.'));
    if (p.minor > 0 || unknownOptions.length > 0) {
      const b = this.out.begin('v').int32(0).int32(unknownOptions.length);
      for (const o of unknownOptions) b.cstring(o);
      b.end();
    }
    this.startupParams = { ...p.params };
    const user = p.params.user;
    if (!user) throw new SqlError('28000', 'no PostgreSQL user name specified in startup packet');
    if (this.ctx.tlsRequired && !this.tls) {
      throw new SqlError('28000', 'this server requires TLS: connect with sslmode=require', {
        hint: 'The server was started with a certificate and tls.required.',
      });
    }
    if (this.ctx.full()) throw new SqlError('53300', 'sorry, too many clients already');
    const auth = this.ctx.auth;
    if (auth.method === 'trust') {
      await this.authenticated(undefined);
    } else if (auth.method === 'scram-sha-256') {
      this.phase = 'sasl-first';
      this.out.begin('R').int32(10).cstring('SCRAM-SHA-256').byte(0).end();
    } else {
      this.phase = 'password';
      this.out.begin('R').int32(3).end();
    }
  }

  private upgradeTls(): void {
    const raw = this.sock;
    raw.removeListener('data', this.onData);
    const t = new TLSSocket(raw, { isServer: true, secureContext: this.ctx.secureContext! });
    this.sock = t;
    this.tls = true;
    t.on('data', this.onData);
    t.on('error', (e) => {
      this.ctx.log('info', `TLS error: ${e.message}`, { pid: this.pid });
      this.destroy();
    });
  }

  private async handleAuth(f: Frame): Promise<void> {
    if (f.type !== 0x70) {
      throw new SqlError('08P01', `expected password response, got message type ${f.type}`);
    }
    const user = this.startupParams.user!;
    const auth = this.ctx.auth;
    if (this.phase === 'password' && auth.method === 'password') {
      const password = decodePassword(f.body);
      let credentials: unknown;
      try {
        credentials = await auth.check(user, password, this.info(undefined));
      } catch (e) {
        const err = toSqlError(e);
        throw err.code === 'XX000' ? passwordFailed(user) : err;
      }
      if (credentials === false) throw passwordFailed(user);
      await this.authenticated(credentials);
      return;
    }
    if (auth.method !== 'scram-sha-256') throw new SqlError('08P01', 'unexpected authentication message');
    try {
      if (this.phase === 'sasl-first') {
        const { mechanism, data } = decodeSaslInitial(f.body);
        if (mechanism !== 'SCRAM-SHA-256') {
          throw new SqlError(
            '28000',
            `client selected an invalid SASL authentication mechanism "${mechanism}"`,
          );
        }
        this.scram = new ScramServer(this.ctx.scramVerifier!);
        const serverFirst = this.scram.first(data.toString('utf8'));
        this.out.begin('R').int32(11).bytes(Buffer.from(serverFirst)).end();
        this.phase = 'sasl-final';
        this.flush();
        return;
      }
      const serverFinal = this.scram!.final(f.body.toString('utf8'));
      this.out.begin('R').int32(12).bytes(Buffer.from(serverFinal)).end();
    } catch (e) {
      if (e instanceof ScramError) {
        throw e.badPassword ? passwordFailed(user) : new SqlError('08P01', e.message);
      }
      throw e;
    }
    await this.authenticated(undefined);
  }

  private info(credentials: unknown): ConnectionInfo {
    const p = this.startupParams;
    return {
      user: p.user ?? '',
      database: p.database || p.user || '',
      applicationName: p.application_name ?? '',
      params: { ...p },
      remoteAddress: this.sock.remoteAddress ?? '',
      tls: this.tls,
      ...(credentials !== undefined ? { credentials } : {}),
    };
  }

  private async authenticated(credentials: unknown): Promise<void> {
    const handle = await this.ctx.openSession(this.info(credentials));
    if (this.phase === 'closed') {
      await handle.close?.();
      return;
    }
    this.sessionHandle = handle;
    this.capture = new StreamCapture(handle.backend);
    this.session = new Session(this.capture, handle.settings ?? []);
    const warnings: Notice[] = [];
    for (const [name, value] of startupSettings(this.startupParams)) {
      try {
        this.session.set(name, value);
      } catch (e) {
        warnings.push({
          severity: 'WARNING',
          code: toSqlError(e).code,
          message: `startup parameter ${name}=${value} ignored: ${toSqlError(e).message}`,
        });
      }
    }
    this.out.begin('R').int32(0).end();
    this.reportParameters(true);
    this.out.begin('S').cstring('is_superuser').cstring('off').end();
    this.out.begin('S').cstring('session_authorization').cstring(this.startupParams.user!).end();
    this.out.begin('K').int32(this.pid).int32(this.secret).end();
    for (const w of warnings) this.writeNotice(w);
    this.phase = 'ready';
    if (this.startupTimer) clearTimeout(this.startupTimer);
    this.ready();
    this.ctx.log('info', 'session started', { pid: this.pid, user: this.startupParams.user });
  }

  /** Sends ParameterStatus for reported settings that changed since last time (all of them at start). */
  private reportParameters(all = false): void {
    const s = this.session!;
    for (const [wire, name] of REPORTED) {
      let v: string;
      try {
        v = s.get(name);
      } catch {
        continue;
      }
      if (all || this.reported.get(wire) !== v) {
        this.reported.set(wire, v);
        this.out.begin('S').cstring(wire).cstring(v).end();
      }
    }
  }

  // ---------------------------------------------------------------- query protocol

  private async handleMessage(f: Frame): Promise<void> {
    const type = String.fromCharCode(f.type);
    if (type === 'X') {
      this.closeSoon();
      return;
    }
    if (this.skipUntilSync && type !== 'S') return;
    try {
      switch (type) {
        case 'Q':
          await this.simpleQuery(decodeQuery(f.body));
          return;
        case 'P':
          return this.parse(f.body);
        case 'B':
          return this.bind(f.body);
        case 'D':
          return await this.describe(f.body);
        case 'E':
          return await this.execute(f.body);
        case 'C':
          return this.close(f.body);
        case 'S':
          return this.sync();
        case 'H':
          this.flush();
          return;
        case 'F':
          this.writeError(errorFields(new SqlError('0A000', 'the function call protocol is not supported')));
          this.ready();
          return;
        case 'd':
        case 'c':
        case 'f':
          // PostgreSQL ignores COPY data arriving outside COPY (a COPY that failed early).
          return;
        default:
          this.fatal(
            new SqlError('08P01', `invalid frontend message type ${f.type}`, {
              hint: 'The client is not speaking the PostgreSQL protocol.',
            }),
          );
          return;
      }
    } catch (e) {
      this.fail(toSqlError(e));
      // After an extended-protocol error the rest of the batch is skipped until Sync; a malformed
      // simple Query just ends, like any failed query.
      if (type === 'Q') this.ready();
      else this.skipUntilSync = true;
    }
  }

  private ready(): void {
    this.out
      .begin('Z')
      .byte((this.txFailed ? 'E' : this.session?.transactionOpen ? 'T' : 'I').charCodeAt(0))
      .end();
    this.flush();
  }

  private fail(err: SqlError, offset = 0): void {
    if (this.session?.transactionOpen) this.txFailed = true;
    const fields = errorFields(err);
    this.writeError(err.position !== undefined ? { ...fields, position: err.position + offset } : fields);
  }

  private async simpleQuery(sql: string): Promise<void> {
    const statements = splitStatements(sql);
    if (statements.length === 0) {
      this.out.begin('I').end();
    }
    // Several statements in one Query form an implicit transaction block (PostgreSQL ≥ 10).
    this.implicitBlock = statements.length > 1;
    let failed = false;
    for (const st of statements) {
      const controller = new AbortController();
      try {
        const started = await this.start(st.text, [], controller);
        if (started === 'empty') {
          this.out.begin('I').end();
          continue;
        }
        const formats = started.binary ? [1] : [];
        if (started.returnsRows) this.writeRowDescription(started.fields, formats);
        const portal: Portal = {
          stmt: { sql: st.text, paramOids: [], paramCount: 0 },
          sql: st.text,
          params: [],
          resultFormats: formats,
          controller,
          started,
          pending: [],
          pendingPos: 0,
          finished: false,
        };
        await this.run(portal, 0);
      } catch (e) {
        // Offsets in a multi-statement string count from the start of the whole string.
        this.fail(toSqlError(e), codePoints(sql, st.offset));
        failed = true;
        break;
      }
    }
    if (this.implicitBlock && !this.session?.transactionOpen) this.cursors.endTransaction(!failed);
    this.implicitBlock = false;
    this.ready();
  }

  /**
   * Starts one statement: transaction-state checks, statements the connection owns (DEALLOCATE),
   * then the Session, which answers SET/SHOW/BEGIN… itself and hands the rest to the backend.
   */
  private async start(
    sql: string,
    params: readonly unknown[],
    controller: AbortController,
  ): Promise<Started | 'empty'> {
    const words = leadingWords(sql, 3);
    if (words.length === 0) return 'empty';
    const first = words[0]!;
    if (this.txFailed && !TX_END_WORDS.has(first)) {
      throw new SqlError(
        '25P02',
        'current transaction is aborted, commands ignored until end of transaction block',
      );
    }
    if (first === 'deallocate') return this.deallocate(sql);
    if (
      CONNECTION_WORDS.has(first) ||
      (first === 'rollback' && /^\s*rollback\s+(?:(?:work|transaction)\s+)?to\b/i.test(sql))
    ) {
      this.running = controller;
      try {
        return await this.connectionStatement(first, sql, params, controller);
      } finally {
        this.running = null;
      }
    }
    this.running = controller;
    try {
      const session = this.session!;
      const result: SessionResult = await session.execute(sql, params, { signal: controller.signal });
      const stream = this.capture!.take();
      if (SESSION_WORDS.has(first)) this.reportParameters();
      let command = result.command;
      if (this.txFailed && TX_END_WORDS.has(first)) {
        // PostgreSQL reports COMMIT of a failed transaction as the ROLLBACK it really is.
        this.txFailed = false;
        command = 'ROLLBACK';
      }
      if (TX_END_WORDS.has(first) || command === 'DISCARD ALL') {
        this.savepoints = [];
        if (command === 'DISCARD ALL') this.cursors.closeAll();
        else this.cursors.endTransaction(command === 'COMMIT');
      }
      if (stream) {
        return {
          command: stream.command,
          fields: stream.fields,
          // An INSERT/UPDATE/DELETE without RETURNING has no RowDescription, as in PostgreSQL.
          returnsRows: isRowCommand(stream.command) || stream.fields.length > 0,
          rowCount: 0,
          notices: [],
          batches: stream[Symbol.asyncIterator](),
          ...(isWriteCommand(stream.command) ? { rowsWritten: () => stream.rowCount } : {}),
        };
      }
      const rows = result.rows;
      return {
        command,
        fields: result.fields,
        returnsRows: isRowCommand(command) || result.fields.length > 0,
        rowCount: result.rowCount,
        notices: result.notices,
        batches: rows.length > 0 ? oneBatch(rows) : null,
      };
    } finally {
      this.running = null;
    }
  }

  /** Cursors, COPY and savepoints: statements whose state lives in the connection. */
  private async connectionStatement(
    first: string,
    sql: string,
    params: readonly unknown[],
    controller: AbortController,
  ): Promise<Started> {
    switch (first) {
      case 'declare':
        return this.declareCursor(sql, params);
      case 'fetch':
      case 'move': {
        const f = parseFetch(sql);
        const cursor = this.cursors.get(f.name);
        if (f.move) return done('MOVE', await cursor.move(f.direction, controller.signal));
        return {
          command: 'FETCH',
          fields: cursor.fields,
          returnsRows: true,
          rowCount: 0,
          notices: [],
          batches: cursor.fetch(f.direction, controller.signal),
          binary: cursor.binary,
        };
      }
      case 'close': {
        const c = parseClose(sql);
        this.cursors.close(c);
        return done(c.all ? 'CLOSE CURSOR ALL' : 'CLOSE CURSOR');
      }
      case 'copy':
        return this.copy(sql, params, controller);
      default:
        return this.savepoint(first, sql);
    }
  }

  private async declareCursor(sql: string, params: readonly unknown[]): Promise<Started> {
    const d = parseDeclare(sql);
    const inBlock = this.session!.transactionOpen || this.implicitBlock;
    if (!d.hold && !inBlock) {
      throw new SqlError('25P01', 'DECLARE CURSOR can only be used in transaction blocks');
    }
    this.cursors.checkFree(d.name);
    // The cursor's stream outlives this statement, so it gets its own controller (see Cursor.fetch).
    const controller = new AbortController();
    const link = (): void => controller.abort(this.running?.signal.reason);
    const running = this.running;
    running?.signal.addEventListener('abort', link);
    let stream: QueryStream;
    try {
      stream = await this.sessionHandle!.backend.stream(d.query, params, {
        settings: this.session!,
        signal: controller.signal,
      });
    } catch (e) {
      throw shiftPosition(toSqlError(e), codePoints(sql, d.queryOffset));
    } finally {
      running?.signal.removeEventListener('abort', link);
    }
    this.cursors.add(
      new Cursor(d.name, stream.fields, stream, d.binary, d.scroll, d.hold, controller, inBlock),
    );
    return done('DECLARE CURSOR');
  }

  private async copy(sql: string, params: readonly unknown[], controller: AbortController): Promise<Started> {
    const stmt = parseCopy(sql);
    if (stmt.endpoint !== 'stdio') throw serverFileRefusal(stmt);
    if (stmt.direction === 'from') return this.copyIn(stmt, controller);
    const query = copyQuery(stmt);
    let stream: QueryStream;
    try {
      stream = await this.sessionHandle!.backend.stream(query, params, {
        settings: this.session!,
        signal: controller.signal,
      });
    } catch (e) {
      const offset = stmt.source.kind === 'query' ? codePoints(sql, stmt.source.offset) : 0;
      throw shiftPosition(toSqlError(e), offset);
    }
    const encoder = new CopyEncoder(stream.fields, stmt.options, this.zone());
    return {
      command: 'COPY',
      fields: stream.fields,
      returnsRows: false,
      rowCount: 0,
      notices: [],
      batches: stream[Symbol.asyncIterator](),
      copy: encoder,
    };
  }

  /**
   * COPY … FROM STDIN: CopyInResponse, then the client's CopyData decoded into rows for the
   * backend's sink until CopyDone (`COPY n`) or CopyFail (57014). Flush and Sync are ignored
   * meanwhile, as PostgreSQL does; after an error, CopyData still in flight is dropped by
   * handleMessage.
   */
  private async copyIn(stmt: CopyStatement, controller: AbortController): Promise<Started> {
    const backend = this.sessionHandle!.backend;
    if (!backend.copyIn) {
      throw new SqlError('0A000', 'COPY FROM STDIN is not supported yet', {
        hint: 'Importing rows is part of the write support that is still to come; use INSERT meanwhile.',
      });
    }
    if (stmt.options.format === 'binary') {
      throw new SqlError('0A000', 'COPY FROM STDIN in binary format is not supported', {
        hint: 'Send text or CSV (FORMAT csv).',
      });
    }
    const source = stmt.source as Extract<CopyStatement['source'], { kind: 'table' }>;
    const sink: CopyInSink = await backend.copyIn(
      {
        table: source.table,
        columns: source.columns ? source.columns.map(identifierName) : null,
        ...(stmt.where ? { where: stmt.where } : {}),
      },
      { settings: this.session!, signal: controller.signal },
    );
    let settled = false;
    const abort = async (reason: string): Promise<void> => {
      if (settled) return;
      settled = true;
      await Promise.resolve(sink.abort(reason)).catch(() => undefined);
    };
    try {
      const decoder = new CopyInDecoder(stmt.options, sink.columns);
      const b = this.out.begin('G').byte(0).int16(sink.columns.length);
      for (let i = 0; i < sink.columns.length; i++) b.int16(0);
      b.end();
      this.flush();
      for (;;) {
        const f = await this.takeFrame();
        if (!f) throw new SqlError('08006', 'client connection closed during COPY FROM STDIN');
        const type = String.fromCharCode(f.type);
        if (type === 'd') {
          const rows = decoder.push(f.body);
          if (rows.length > 0) await sink.write(rows);
        } else if (type === 'c') {
          const rows = decoder.finish();
          if (rows.length > 0) await sink.write(rows);
          settled = true;
          return done('COPY', await sink.end());
        } else if (type === 'f') {
          const message = f.body.toString('utf8').replace(/\0$/, '');
          throw new SqlError('57014', `COPY from stdin failed: ${message}`);
        } else if (type !== 'H' && type !== 'S') {
          throw new SqlError(
            '08P01',
            `unexpected message type 0x${f.type.toString(16)} during COPY from stdin`,
          );
        }
        if (controller.signal.aborted) throwAbort(controller);
      }
    } catch (e) {
      await abort(toSqlError(e).message);
      throw e;
    }
  }

  /**
   * SAVEPOINT, RELEASE and ROLLBACK TO are accepted inside a transaction block (psql's
   * ON_ERROR_ROLLBACK and postgres_fdw's subtransactions send them); ROLLBACK TO ends the failed
   * state, as in PostgreSQL, but undoes nothing: Paymo has no transactions.
   */
  private savepoint(first: string, sql: string): Started {
    const m =
      /^\s*(savepoint|release(?:\s+savepoint)?|rollback\s+(?:(?:work|transaction)\s+)?to(?:\s+savepoint)?)\s+("(?:[^"]|"")+"|[A-Za-z_][\w$]*)\s*;?\s*$/i.exec(
        sql,
      );
    if (!m) throw new SqlError('42601', `syntax error at or near "${first.toUpperCase()}"`);
    const raw = m[2]!;
    const name = raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.toLowerCase();
    const label =
      first === 'savepoint'
        ? 'SAVEPOINT'
        : first === 'release'
          ? 'RELEASE SAVEPOINT'
          : 'ROLLBACK TO SAVEPOINT';
    if (!this.session!.transactionOpen) {
      throw new SqlError('25P01', `${label} can only be used in transaction blocks`);
    }
    if (first === 'savepoint') {
      this.savepoints.push(name);
      return done('SAVEPOINT');
    }
    const at = this.savepoints.lastIndexOf(name);
    if (at < 0) throw new SqlError('3B001', `savepoint "${name}" does not exist`);
    if (first === 'release') {
      this.savepoints.length = at;
      return done('RELEASE');
    }
    this.savepoints.length = at + 1;
    this.txFailed = false;
    return {
      ...done('ROLLBACK'),
      notices: [
        {
          severity: 'NOTICE',
          code: '00000',
          message: 'Paymo has no transactions: ROLLBACK TO SAVEPOINT undoes no write',
        },
      ],
    };
  }

  private deallocate(sql: string): Started {
    const m = /^\s*deallocate\s+(?:prepare\s+)?("(?:[^"]|"")+"|[^\s;]+)\s*;?\s*$/i.exec(sql);
    if (!m) throw new SqlError('42601', 'syntax error at or near "DEALLOCATE"');
    const raw = m[1]!;
    if (/^all$/i.test(raw)) {
      for (const k of [...this.statements.keys()]) if (k !== '') this.statements.delete(k);
      return done('DEALLOCATE ALL');
    }
    const name = raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.toLowerCase();
    const key = this.statements.has(name) ? name : raw;
    if (!this.statements.delete(key)) {
      throw new SqlError('26000', `prepared statement "${name}" does not exist`);
    }
    return done('DEALLOCATE');
  }

  /**
   * Runs a portal until it completes or `maxRows` rows were sent. Rows are encoded into one buffer
   * and written whenever it grows past OUTPUT_CHUNK, waiting for 'drain' when the socket is full, so
   * the engine is only asked for more rows as fast as the client reads them.
   */
  private async run(portal: Portal, maxRows: number): Promise<void> {
    const started = portal.started as Started;
    for (const n of started.notices) this.writeNotice(n);
    if (started.copy) return this.runCopyOut(portal, started.copy);
    const fields = this.outputFields(portal);
    const casts = fields.map((f, i) => (f.type !== started.fields[i]?.type ? started.fields[i]!.type : null));
    const binary = fields.map((_, i) => resultFormat(portal.resultFormats, i) === 1);
    const types = fields.map((f) => f.type);
    const zone = this.zone();
    const text = types.map((t) => cellTextFn(t, zone));
    // All-text results without casts take the fast encoder.
    const cells = binary.some(Boolean) || casts.some((c) => c !== null) ? null : text;
    const rb = this.rowBuffer;
    const timeout = this.statementTimeout(portal.controller);
    this.running = portal.controller;
    let sent = 0;
    try {
      for (;;) {
        if (portal.pendingPos >= portal.pending.length) {
          if (portal.finished || !started.batches) {
            portal.finished = true;
            break;
          }
          const r = await started.batches.next();
          if (r.done) {
            portal.finished = true;
            break;
          }
          portal.pending = r.value;
          portal.pendingPos = 0;
          continue;
        }
        const rows = portal.pending;
        let i = portal.pendingPos;
        const limit = maxRows > 0 ? Math.min(rows.length, i + (maxRows - sent)) : rows.length;
        if (cells) {
          for (; i < limit; i++) {
            rb.dataRow(rows[i]!, cells);
            if (rb.length >= OUTPUT_CHUNK) {
              this.out.bytes(rb.take());
              await this.drain();
            }
          }
          this.out.bytes(rb.take());
        } else {
          for (; i < limit; i++) {
            this.writeDataRow(rows[i]!, types, binary, casts, text);
            if (this.out.length >= OUTPUT_CHUNK) await this.drain();
          }
        }
        sent += i - portal.pendingPos;
        portal.pendingPos = i;
        if (portal.controller.signal.aborted) throwAbort(portal.controller);
        await this.drain();
        if (maxRows > 0 && sent >= maxRows) {
          this.out.begin('s').end();
          return;
        }
      }
    } catch (e) {
      portal.finished = true;
      rb.take(); // rows encoded for a connection that is going away
      if (portal.controller.signal.aborted) throwAbort(portal.controller);
      throw e;
    } finally {
      if (timeout) clearTimeout(timeout);
      this.running = null;
    }
    const count =
      started.command === 'SELECT' || started.command === 'SHOW' || started.command === 'FETCH'
        ? sent
        : started.rowsWritten
          ? (started.rowsWritten() ?? sent)
          : started.rowCount;
    this.out.begin('C').cstring(commandTag(started.command, count)).end();
  }

  /**
   * COPY … TO STDOUT: CopyOutResponse, one CopyData per row (what PostgreSQL sends and what
   * psycopg's row reader expects), CopyDone, `COPY n`. Writes wait for the socket like DataRows do.
   */
  private async runCopyOut(portal: Portal, enc: CopyEncoder): Promise<void> {
    const started = portal.started as Started;
    const n = started.fields.length;
    const b = this.out.begin('H').byte(enc.formatCode).int16(n);
    for (let i = 0; i < n; i++) b.int16(enc.formatCode);
    b.end();
    const header = enc.header();
    const rb = this.rowBuffer;
    if (header !== null) {
      rb.copyData(header);
      this.out.bytes(rb.take());
    }
    const binary = enc.formatCode === 1;
    const timeout = this.statementTimeout(portal.controller);
    this.running = portal.controller;
    let sent = 0;
    try {
      for (;;) {
        const r = started.batches ? await started.batches.next() : { done: true as const, value: undefined };
        if (r.done) break;
        for (const row of r.value) {
          if (binary) {
            this.out.begin('d');
            enc.binaryRow(this.out, row);
            this.out.end();
            if (this.out.length >= OUTPUT_CHUNK) await this.drain();
          } else {
            enc.lineInto(rb, row);
            if (rb.length >= OUTPUT_CHUNK) {
              this.out.bytes(rb.take());
              await this.drain();
            }
          }
          sent++;
        }
        if (rb.length > 0) this.out.bytes(rb.take());
        if (portal.controller.signal.aborted) throwAbort(portal.controller);
        await this.drain();
      }
    } catch (e) {
      // Release the scan now: nothing will ask it for another batch.
      void started.batches?.return?.().catch(() => undefined);
      rb.take();
      if (portal.controller.signal.aborted) throwAbort(portal.controller);
      throw e;
    } finally {
      portal.finished = true;
      if (timeout) clearTimeout(timeout);
      this.running = null;
    }
    if (binary) {
      this.out.begin('d');
      enc.binaryTrailer(this.out);
      this.out.end();
    }
    this.out.begin('c').end();
    this.out.begin('C').cstring(commandTag('COPY', sent)).end();
  }

  /** The session's TimeZone, in which timestamptz values are written as text. */
  private zone(): Zone {
    try {
      return zoneByName(this.session!.get('timezone'));
    } catch {
      return UTC;
    }
  }

  private statementTimeout(controller: AbortController): NodeJS.Timeout | null {
    let ms = 0;
    try {
      ms = parseDuration(this.session!.get('statement_timeout'), 'ms');
    } catch {
      return null;
    }
    if (!(ms > 0)) return null;
    const t = setTimeout(() => controller.abort('timeout'), ms);
    t.unref();
    return t;
  }

  private outputFields(portal: Portal): readonly Field[] {
    const started = portal.started as Started;
    const described = portal.stmt.described;
    // A client that described the statement decodes with those types, so keep to them.
    return described && described.length === started.fields.length ? described : started.fields;
  }

  private writeDataRow(
    row: unknown[],
    types: readonly SqlType[],
    binary: readonly boolean[],
    casts: readonly (SqlType | null)[],
    text: readonly CellText[],
  ): void {
    const b = this.out.begin('D').int16(types.length);
    for (let c = 0; c < types.length; c++) {
      let v: unknown = row[c] ?? null;
      if (v === null) {
        b.int32(-1);
        continue;
      }
      const from = casts[c];
      if (from) v = castValue(v, from, types[c]!);
      if (binary[c]) writeValue(b, v, types[c]!, true);
      else b.lengthPrefixedText(text[c]!(v));
    }
    b.end();
  }

  private writeRowDescription(fields: readonly Field[], formats: readonly number[]): void {
    if (formats.length > 1 && formats.length !== fields.length) {
      throw new SqlError(
        '08P01',
        `bind message has ${formats.length} result formats but query has ${fields.length} columns`,
      );
    }
    const b = this.out.begin('T').int16(fields.length);
    fields.forEach((f, i) => {
      const t = pgType(f.type);
      // tableID 0: pgjdbc would otherwise look the column up in pg_attribute for every result set.
      b.cstring(f.name)
        .int32(0)
        .int16(0)
        .uint32(t.oid)
        .int16(t.typlen)
        .int32(-1)
        .int16(resultFormat(formats, i));
    });
    b.end();
  }

  private parse(body: Buffer): void {
    const m = decodeParse(body);
    if (m.name !== '' && this.statements.has(m.name)) {
      throw new SqlError('42P05', `prepared statement "${m.name}" already exists`);
    }
    if (splitStatements(m.sql).length > 1) {
      throw new SqlError('42601', 'cannot insert multiple commands into a prepared statement');
    }
    const paramCount = Math.max(m.paramOids.length, maxParamIndex(m.sql));
    const paramOids = Array.from({ length: paramCount }, (_, i) => m.paramOids[i] ?? 0);
    for (const [n, name] of paramCasts(m.sql)) {
      if (n < 1 || n > paramCount || paramOids[n - 1] !== 0) continue;
      try {
        paramOids[n - 1] = pgType(parseTypeName(name)).oid;
      } catch {
        // A type we do not know stays unspecified (sent as text).
      }
    }
    this.statements.set(m.name, { sql: m.sql, paramOids, paramCount });
    this.out.begin('1').end();
  }

  private bind(body: Buffer): void {
    const m = decodeBind(body);
    const stmt = this.statements.get(m.statement);
    if (!stmt) throw new SqlError('26000', `prepared statement "${m.statement}" does not exist`);
    if (m.values.length !== stmt.paramCount) {
      throw new SqlError(
        '08P01',
        `bind message supplies ${m.values.length} parameters, but prepared statement "${m.statement}" requires ${stmt.paramCount}`,
      );
    }
    if (m.portal !== '' && this.portals.has(m.portal)) {
      throw new SqlError('42P03', `cursor "${m.portal}" already exists`);
    }
    const params = m.values.map((v, i) => decodeParam(v, stmt.paramOids[i] ?? 0, m.paramFormats[i] === 1));
    this.closePortal(m.portal);
    this.portals.set(m.portal, {
      stmt,
      sql: stmt.sql,
      params,
      resultFormats: m.resultFormats,
      controller: new AbortController(),
      pending: [],
      pendingPos: 0,
      finished: false,
    });
    this.out.begin('2').end();
  }

  private async describe(body: Buffer): Promise<void> {
    const m = decodeTarget(body);
    if (m.target === 'S') {
      const stmt = this.statements.get(m.name);
      if (!stmt) throw new SqlError('26000', `prepared statement "${m.name}" does not exist`);
      const { fields, paramTypes } = await this.describeStatement(stmt);
      // From now on the client encodes parameters with these types, so Bind decodes with them too.
      for (let i = 0; i < stmt.paramCount; i++) {
        if (stmt.paramOids[i] === 0) stmt.paramOids[i] = pgType(paramTypes[i] ?? 'text').oid;
      }
      const b = this.out.begin('t').int16(stmt.paramCount);
      for (const oid of stmt.paramOids) b.uint32(oid);
      b.end();
      if (fields) {
        stmt.described = fields;
        this.writeRowDescription(fields, []);
      } else this.out.begin('n').end();
      return;
    }
    const portal = this.portals.get(m.name);
    if (!portal) {
      // A DECLAREd cursor is a portal too: psycopg 3 describes its server-side cursors this way.
      const cursor = this.cursors.find(m.name);
      if (!cursor) throw new SqlError('34000', `portal "${m.name}" does not exist`);
      this.writeRowDescription(cursor.fields, cursor.binary ? [1] : []);
      return;
    }
    const first = leadingWords(portal.sql, 1)[0];
    if (portal.started === undefined && isUtility(first)) {
      this.out.begin('n').end();
      return;
    }
    if (portal.started === undefined && (isWriteWord(first) || first === 'with')) {
      // Describe must not run a write (`WITH … INSERT` included): it happens once, at Execute.
      const d = await this.describeStatement(portal.stmt);
      if (d.write || isWriteWord(first)) {
        if (d.fields) {
          portal.stmt.described = d.fields;
          this.writeRowDescription(d.fields, portal.resultFormats);
        } else this.out.begin('n').end();
        return;
      }
    }
    await this.startPortal(portal);
    if (portal.started === 'empty' || !(portal.started as Started).returnsRows) {
      this.out.begin('n').end();
      return;
    }
    this.writeRowDescription(this.outputFields(portal), portal.resultFormats);
  }

  private async describeStatement(stmt: Prepared): Promise<{
    fields: readonly Field[] | null;
    paramTypes: readonly (SqlType | undefined)[];
    /** The backend described an INSERT/UPDATE/DELETE. */
    write?: boolean;
  }> {
    const declared = Array.from({ length: stmt.paramCount }, (_, i) => sqlTypeOfOid(stmt.paramOids[i] ?? 0));
    const first = leadingWords(stmt.sql, 1)[0];
    if (first === 'fetch') {
      // A FETCH returns its cursor's columns; before the cursor exists there is nothing to say.
      let cursor: Cursor | undefined;
      try {
        const f = parseFetch(stmt.sql);
        cursor = f.move ? undefined : this.cursors.find(f.name);
      } catch {
        cursor = undefined;
      }
      return { fields: cursor ? cursor.fields : null, paramTypes: declared };
    }
    if (isUtility(first)) return { fields: null, paramTypes: declared };
    if (first === 'show') {
      const r = await this.session!.execute(stmt.sql);
      return { fields: r.fields, paramTypes: declared };
    }
    const backend = this.sessionHandle!.backend;
    const opts = { settings: this.session! };
    if (backend.describe) {
      const d = await backend.describe(stmt.sql, declared, opts);
      // A write without RETURNING returns no rows: NoData, which pgjdbc's executeUpdate requires.
      const rows = d.command === undefined || isRowCommand(d.command) || d.fields.length > 0;
      return {
        fields: rows ? d.fields : null,
        paramTypes: d.paramTypes ?? declared,
        write: d.command !== undefined && isWriteCommand(d.command),
      };
    }
    // Planning through `stream` would run a write; without a describe its result is unknown.
    if (isWriteWord(first)) return { fields: null, paramTypes: declared };
    const s = await backend.stream(
      stmt.sql,
      declared.map(() => null),
      opts,
    );
    return { fields: s.fields, paramTypes: declared };
  }

  private async startPortal(portal: Portal): Promise<void> {
    if (portal.started !== undefined) return;
    portal.started = await this.start(portal.sql, portal.params, portal.controller);
  }

  private async execute(body: Buffer): Promise<void> {
    const m = decodeExecute(body);
    const portal = this.portals.get(m.portal);
    if (!portal) throw new SqlError('34000', `portal "${m.portal}" does not exist`);
    await this.startPortal(portal);
    if (portal.started === 'empty') {
      this.out.begin('I').end();
      return;
    }
    const started = portal.started as Started;
    if (portal.resultFormats.length > 1 && portal.resultFormats.length !== started.fields.length) {
      throw new SqlError(
        '08P01',
        `bind message has ${portal.resultFormats.length} result formats but query has ${started.fields.length} columns`,
      );
    }
    if (portal.finished) {
      // Executing a completed portal again returns no more rows.
      this.out.begin('C').cstring(commandTag(started.command, 0)).end();
      return;
    }
    try {
      await this.run(portal, m.maxRows);
    } catch (e) {
      this.closePortal(m.portal);
      throw e;
    }
  }

  private close(body: Buffer): void {
    const m = decodeTarget(body);
    if (m.target === 'S') this.statements.delete(m.name);
    else if (this.portals.has(m.name)) this.closePortal(m.name);
    else if (this.cursors.find(m.name)) this.cursors.close({ all: false, name: m.name });
    this.out.begin('3').end();
  }

  private closePortal(name: string): void {
    const p = this.portals.get(name);
    if (!p) return;
    this.portals.delete(name);
    p.controller.abort('closed');
    if (p.started && p.started !== 'empty') void p.started.batches?.return?.().catch(() => undefined);
  }

  private sync(): void {
    this.skipUntilSync = false;
    // Outside a transaction block every Sync ends the implicit transaction, and its portals with it.
    if (!this.session?.transactionOpen) for (const name of [...this.portals.keys()]) this.closePortal(name);
    this.ready();
  }

  // ---------------------------------------------------------------- output

  private writeError(f: ErrorFields): void {
    writeErrorFields(this.out, 'E', f);
  }

  private writeNotice(n: Notice): void {
    writeErrorFields(this.out, 'N', { severity: n.severity, code: n.code, message: n.message });
  }

  private writeRaw(b: Buffer): void {
    this.flush();
    if (!this.sock.destroyed) this.sock.write(b);
  }

  /** Writes pending output without waiting. */
  private flush(): void {
    if (this.out.length === 0) return;
    const b = this.out.take();
    if (!this.sock.destroyed && this.sock.writable) this.sock.write(b);
  }

  /** Writes pending output; waits while the socket's buffer is full; yields to the event loop now and then. */
  private async drain(): Promise<void> {
    if (this.phase === 'closed') throw new SqlError('08006', 'client connection closed');
    if (this.out.length > 0) {
      const b = this.out.take();
      if (!this.sock.write(b)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            this.sock.off('drain', done);
            this.sock.off('close', done);
            resolve();
          };
          this.sock.on('drain', done);
          this.sock.on('close', done);
        });
        this.lastYield = performance.now();
        return;
      }
    }
    const now = performance.now();
    if (now - this.lastYield > YIELD_MS) {
      await new Promise((r) => setImmediate(r));
      this.lastYield = performance.now();
    }
  }

  private fatal(err: SqlError): void {
    if (this.phase === 'closed') return;
    this.ctx.log('info', `closing connection: ${err.message}`, { pid: this.pid, code: err.code });
    this.writeError({ ...errorFields(err), severity: 'FATAL' });
    this.flush();
    this.closeSoon();
  }

  private closeSoon(): void {
    if (this.phase === 'closed') return;
    this.sock.end();
    this.onClose();
    // A peer that never reads would keep the socket half-open.
    setTimeout(() => this.sock.destroy(), 1000).unref();
  }

  private destroy(): void {
    this.sock.destroy();
    this.onClose();
  }

  private onClose(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.queue.length = 0;
    if (this.startupTimer) clearTimeout(this.startupTimer);
    this.running?.abort('disconnect');
    for (const name of [...this.portals.keys()]) this.closePortal(name);
    this.cursors.closeAll();
    this.wakeFrameWaiter();
    const h = this.sessionHandle;
    this.sessionHandle = null;
    void Promise.resolve(h?.close?.())
      .catch((e: unknown) =>
        this.ctx.log('warn', `session close failed: ${toSqlError(e).message}`, { pid: this.pid }),
      )
      .finally(() => {
        this.ctx.closed(this);
        this.resolveClosed();
      });
  }
}

async function* oneBatch(rows: unknown[][]): AsyncGenerator<unknown[][]> {
  yield rows;
}

/** True for statements that only change state (Describe answers NoData without running them). */
function isUtility(first: string | undefined): boolean {
  return (
    first === undefined ||
    first === 'deallocate' ||
    (CONNECTION_WORDS.has(first) && first !== 'fetch') ||
    (SESSION_WORDS.has(first) && first !== 'show')
  );
}

/** True for statements that start with INSERT, UPDATE or DELETE (Describe must not run them). */
function isWriteWord(first: string | undefined): boolean {
  return first === 'insert' || first === 'update' || first === 'delete';
}

/** A statement that returns no rows, with its completion tag's word(s) and count. */
function done(command: string, rowCount = 0): Started {
  return { command, fields: [], returnsRows: false, rowCount, notices: [], batches: null };
}

/** The error with its position moved by `offset` characters (an inner query's error in the whole statement). */
function shiftPosition(e: SqlError, offset: number): SqlError {
  if (e.position === undefined || offset === 0) return e;
  return new SqlError(e.code, e.message, {
    ...(e.detail !== undefined ? { detail: e.detail } : {}),
    ...(e.hint !== undefined ? { hint: e.hint } : {}),
    position: e.position + offset,
  });
}

function throwAbort(controller: AbortController): never {
  const reason: unknown = controller.signal.reason;
  if (reason === 'timeout') throw new SqlError('57014', 'canceling statement due to statement timeout');
  if (reason === 'disconnect') throw new SqlError('08006', 'client connection closed');
  throw new SqlError('57014', 'canceling statement due to user request');
}

function passwordFailed(user: string): SqlError {
  return new SqlError('28P01', `password authentication failed for user "${user}"`);
}

function resultFormat(formats: readonly number[], i: number): number {
  return formats.length === 0 ? 0 : formats.length === 1 ? formats[0]! : (formats[i] ?? 0);
}

function errorFields(e: SqlError): ErrorFields {
  return {
    severity: 'ERROR',
    code: e.code,
    message: e.message,
    ...(e.detail !== undefined ? { detail: e.detail } : {}),
    ...(e.hint !== undefined ? { hint: e.hint } : {}),
    ...(e.position !== undefined ? { position: e.position } : {}),
  };
}

/** Code points before UTF-16 offset `at` (PostgreSQL counts error positions in characters). */
function codePoints(s: string, at: number): number {
  let n = 0;
  for (let i = 0; i < at; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

/** Startup parameters that are settings, including `options=-c name=value` ones. */
function startupSettings(params: Readonly<Record<string, string>>): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(params)) {
    if (k === 'user' || k === 'database' || k === 'replication' || k.startsWith('_pq_.')) continue;
    if (k === 'options') {
      for (const m of v.matchAll(/(?:-c\s*|--)([A-Za-z_][\w.]*)=(\S+)/g)) out.push([m[1]!, m[2]!]);
      continue;
    }
    out.push([k, v]);
  }
  return out;
}
