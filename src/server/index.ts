/** The PostgreSQL wire-protocol server: createPgServer plus the contracts its callers implement. */
export type {
  BackendOptions,
  ConnectionInfo,
  QueryBackend,
  SessionHandle,
} from './backend.js';
export { engineBackend } from './backend.js';
export { commandTag } from './connection.js';
export { type PgTypeInfo, pgType } from './pg-types.js';
export type { AuthOptions, LogFn, PgServer, PgServerOptions } from './server.js';
export { createPgServer, isLoopback } from './server.js';
