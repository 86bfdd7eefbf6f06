/** The catalog's public surface: what a TableSource implementation (e.g. the Paymo side) imports. */
export { Catalog, type UserFunction } from './catalog.js';
export {
  RuntimeValue,
  readFilter,
  type SimpleFilter,
  type SimpleFilterOp,
  type SourceFilter,
} from './filters.js';
export { type MemoryRows, MemoryTable } from './memory-table.js';
export type {
  ColumnWrite,
  FilterSupport,
  ParentEmbedding,
  ScanContext,
  ScanRequest,
  ScanStats,
  TableSource,
  WriteContext,
  WriteSupport,
} from './table-source.js';
export { WriteError } from './table-source.js';
export { fromWall, toWall, UTC, type Zone, zoneByName } from './timezone.js';
export {
  type Column,
  elementType,
  type Interval,
  isArrayType,
  parseTypeName,
  type Row,
  type ScalarType,
  type SqlType,
} from './types.js';
export {
  castValue,
  formatInterval,
  formatJson,
  formatTimestamp,
  parseDate,
  parseTimestamp,
  toText,
} from './values.js';
