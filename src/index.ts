/** paymo-sql's public entry point: the embedded SQL API over a Paymo account or the demo company. */

export * as catalog from './catalog/index.js';
export type {
  Connection,
  ConnectOptions,
  Result,
  ResultField,
  RowStream,
  StatementOptions,
} from './connect.js';
export { connect } from './connect.js';
export type { Engine, EngineOptions, Field, QueryOptions, QueryResult, QueryStream } from './engine.js';
export { createEngine } from './engine.js';
export { SqlError } from './errors.js';
export { PAYMO_SETTINGS } from './paymo-session.js';
export type { Notice } from './session.js';
export type { SimulatorHandle, SimulatorOptions } from './simulator/index.js';
export { startSimulator } from './simulator/index.js';
