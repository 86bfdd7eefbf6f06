import { randomInt } from 'node:crypto';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { ConnectionInfo, SessionHandle } from './backend.js';
import { Connection } from './connection.js';
import { type ScramVerifier, scramVerifier } from './scram.js';

/** How clients prove who they are. */
export type AuthOptions =
  /** No password (only allowed on a loopback address). */
  | { readonly method: 'trust' }
  /** SCRAM-SHA-256 against one configured password (any user name). */
  | { readonly method: 'scram-sha-256'; readonly password: string }
  /**
   * The client's cleartext password goes to `check` (e.g. "your Paymo API key is your password").
   * Return `false` or throw to refuse; any other value becomes `ConnectionInfo.credentials`, so each
   * connection can open its own account. Use with TLS beyond loopback: the password crosses the wire.
   */
  | {
      readonly method: 'password';
      readonly check: (user: string, password: string, info: ConnectionInfo) => unknown | Promise<unknown>;
    };

/** A log line from the server. */
export type LogFn = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

/** Options of `createPgServer`. */
export interface PgServerOptions {
  /** Address to bind; default 127.0.0.1. Anything but loopback requires an auth method other than trust. */
  readonly host?: string;
  /** Port; default 5433; 0 picks a free one (see `PgServer.port`). */
  readonly port?: number;
  /** Opens the engine side of one authenticated connection. A thrown SqlError is sent as FATAL. */
  openSession(info: ConnectionInfo): SessionHandle | Promise<SessionHandle>;
  /** Default `{ method: 'trust' }`. */
  readonly auth?: AuthOptions;
  /** PEM certificate and key: SSLRequest is answered 'S' and the socket upgraded. `required` refuses plain connections. */
  readonly tls?: {
    readonly cert: string | Buffer;
    readonly key: string | Buffer;
    readonly required?: boolean;
  };
  readonly log?: LogFn;
  /** Largest client message accepted; bigger ones end the connection with 08P01. Default 64 MiB. */
  readonly maxMessageSize?: number;
  /** Connections beyond this get 53300 "too many clients". Default 500. */
  readonly maxConnections?: number;
  /** Time a client has to finish startup and authentication. Default 30 s. */
  readonly startupTimeoutMs?: number;
}

/** A listening server. */
export interface PgServer {
  readonly host: string;
  readonly port: number;
  /** Open connections right now. */
  readonly connections: number;
  /** Stops listening, ends every connection (FATAL 57P01) and waits until they are gone. */
  close(): Promise<void>;
}

/** What a Connection needs from its server. */
export interface ServerContext {
  readonly auth: AuthOptions;
  readonly scramVerifier: ScramVerifier | null;
  readonly secureContext: SecureContext | null;
  readonly tlsRequired: boolean;
  readonly maxMessageSize: number;
  readonly startupTimeoutMs: number;
  readonly openSession: PgServerOptions['openSession'];
  readonly log: LogFn;
  cancel(pid: number, key: number): void;
  full(): boolean;
  closed(conn: Connection): void;
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return (
    host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::ffff:127.0.0.1'
  );
}

/**
 * Starts a PostgreSQL wire-protocol server. Resolves once it listens. Refuses (throws) to listen
 * beyond loopback without authentication.
 */
export async function createPgServer(options: PgServerOptions): Promise<PgServer> {
  const host = options.host ?? '127.0.0.1';
  const auth: AuthOptions = options.auth ?? { method: 'trust' };
  if (!isLoopback(host) && auth.method === 'trust') {
    throw new Error(
      `refusing to listen on ${host} without authentication: anyone who can reach it could read the account. ` +
        `Configure a password (SCRAM-SHA-256) or the API-key password mode, or listen on 127.0.0.1.`,
    );
  }
  const log: LogFn = options.log ?? (() => {});
  if (!isLoopback(host) && auth.method === 'password' && !options.tls) {
    log('warn', `passwords will cross the network in cleartext on ${host}: configure tls`);
  }
  const maxConnections = options.maxConnections ?? 500;
  const connections = new Map<number, Connection>();
  const sockets = new Set<Socket>();
  let nextPid = randomInt(1000, 30000);
  const ctx: ServerContext = {
    auth,
    scramVerifier: auth.method === 'scram-sha-256' ? scramVerifier(auth.password) : null,
    secureContext: options.tls ? createSecureContext({ cert: options.tls.cert, key: options.tls.key }) : null,
    tlsRequired: options.tls?.required ?? false,
    maxMessageSize: options.maxMessageSize ?? 64 * 1024 * 1024,
    startupTimeoutMs: options.startupTimeoutMs ?? 30_000,
    openSession: (info) => options.openSession(info),
    log,
    cancel(pid, key) {
      const c = connections.get(pid);
      // A wrong key is ignored silently, as PostgreSQL does, so pids cannot be probed.
      if (c && c.secret === key) {
        log('info', 'cancel request', { pid });
        c.cancel();
      }
    },
    full: () => connections.size > maxConnections,
    closed(conn) {
      connections.delete(conn.pid);
    },
  };

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    nextPid = nextPid >= 2_000_000_000 ? 1000 : nextPid + 1;
    const conn = new Connection(socket, ctx, { pid: nextPid, secret: randomInt(-2147483648, 2147483647) });
    connections.set(conn.pid, conn);
  });
  server.on('error', (e) => log('error', `server error: ${e.message}`));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 5433, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (options.port ?? 5433);
  log('info', `listening on ${isIPv6(host) ? `[${host}]` : host}:${port}`);

  return {
    host,
    port,
    get connections() {
      return connections.size;
    },
    async close() {
      const stopped = new Promise<void>((r) => server.close(() => r()));
      const open = [...connections.values()];
      for (const c of open) c.terminate('57P01', 'terminating connection due to administrator command');
      // Sockets that never reached a Connection state machine (or ignore our FATAL) are cut.
      const deadline = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, 2000);
      await Promise.all(open.map((c) => c.closed));
      for (const s of sockets) s.destroy();
      clearTimeout(deadline);
      await stopped;
    },
  };
}
