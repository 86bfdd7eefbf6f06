/** The PostgreSQL wire-protocol server: createPgServer plus the contracts its callers implement. */

export { commandTag } from '../output/command-tag.js';
export type {
  BackendOptions,
  ConnectionInfo,
  QueryBackend,
  SessionHandle,
} from './backend.js';
export { engineBackend } from './backend.js';
export { type PgTypeInfo, pgType } from './pg-types.js';
export type { AuthOptions, LogFn, PgServer, PgServerOptions } from './server.js';
export { createPgServer, isLoopback } from './server.js';
