import {
  Bool,
  type DataType,
  DateDay,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Timestamp,
  TimeUnit,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import type { Interval, SqlType } from '../catalog/types.js';
import { formatInterval, formatJson } from '../catalog/values.js';

/** A result column as the engine describes it. */
export interface ResultField {
  readonly name: string;
  readonly type: SqlType;
}

/**
 * The Arrow type of a SQL type. Integers, booleans, dates and timestamps map natively; `numeric`
 * is Float64 because the engine computes numerics as doubles (the field's `pg_type` metadata keeps
 * the SQL type); `interval` is its PostgreSQL text form and `jsonb` is JSON text tagged with the
 * canonical `arrow.json` extension name.
 */
export function arrowTypeOf(type: SqlType): DataType {
  if (type.endsWith('[]')) {
    return new List(new Field('item', arrowTypeOf(type.slice(0, -2) as SqlType), true));
  }
  switch (type) {
    case 'bigint':
      return new Int64();
    case 'integer':
      return new Int32();
    case 'numeric':
    case 'double precision':
      return new Float64();
    case 'boolean':
      return new Bool();
    case 'date':
      return new DateDay();
    case 'timestamptz':
      return new Timestamp(TimeUnit.MILLISECOND, 'UTC');
    case 'timestamp':
      return new Timestamp(TimeUnit.MILLISECOND);
    default:
      return new Utf8();
  }
}

/** Converts one engine value to what the Arrow builder of `type` expects. */
function toArrowValue(v: unknown, type: SqlType): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) v = v.getTime();
  if (type.endsWith('[]')) {
    const el = type.slice(0, -2) as SqlType;
    return (v as unknown[]).map((x) => toArrowValue(x, el));
  }
  switch (type) {
    case 'bigint':
      return BigInt(v as number);
    case 'date':
      return new Date(`${v as string}T00:00:00Z`);
    case 'interval':
      return formatInterval(v as Interval);
    case 'jsonb':
      return formatJson(v);
    case 'text':
    case 'unknown':
      return typeof v === 'string' ? v : String(v);
    default:
      return v;
  }
}

/** The Arrow field of a result column, nullable, with the SQL type in its metadata. */
function arrowField(f: ResultField): Field {
  const meta = new Map<string, string>([['pg_type', f.type]]);
  if (f.type === 'jsonb') meta.set('ARROW:extension:name', 'arrow.json');
  return new Field(f.name, arrowTypeOf(f.type), true, meta);
}

/**
 * Builds an Arrow table from engine rows, column by column. Duplicate column names (legal in SQL,
 * e.g. two `id`s from a join) are kept as separate fields in result order.
 */
export function rowsToArrow(fields: readonly ResultField[], rows: readonly (readonly unknown[])[]): Table {
  const schemaFields = fields.map(arrowField);
  const children = fields.map((f, i) => {
    const values = new Array(rows.length);
    for (let r = 0; r < rows.length; r++) values[r] = toArrowValue(rows[r][i], f.type);
    return vectorFromArray(values, schemaFields[i].type).data[0];
  });
  const schema = new Schema(schemaFields);
  const struct = makeData({
    type: new Struct(schemaFields),
    length: rows.length,
    nullCount: 0,
    children,
  });
  return new Table([new RecordBatch(schema, struct)]);
}
