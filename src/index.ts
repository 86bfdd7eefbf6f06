/** paymo-sql's public entry point. The embedded SQL API (connect/query) arrives with the SELECT engine. */

export type { SimulatorHandle, SimulatorOptions } from './simulator/index.js';
export { startSimulator } from './simulator/index.js';
