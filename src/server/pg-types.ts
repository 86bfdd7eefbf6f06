import { elementType, type Interval, isArrayType, type ScalarType, type SqlType } from '../catalog/types.js';
import {
  dateToDays,
  daysToDate,
  formatInterval,
  formatJson,
  formatTimestamp,
  parseDate,
  toText,
} from '../catalog/values.js';
import { invalidTextRepresentation, SqlError } from '../errors.js';
import type { MessageBuilder } from './wire.js';

/** What RowDescription and ParameterDescription say about a SqlType: its pg_type OID and typlen. */
export interface PgTypeInfo {
  readonly oid: number;
  readonly typlen: number;
  readonly name: string;
}

const SCALARS: Record<ScalarType, PgTypeInfo & { readonly arrayOid: number }> = {
  bigint: { oid: 20, typlen: 8, name: 'int8', arrayOid: 1016 },
  integer: { oid: 23, typlen: 4, name: 'int4', arrayOid: 1007 },
  numeric: { oid: 1700, typlen: -1, name: 'numeric', arrayOid: 1231 },
  'double precision': { oid: 701, typlen: 8, name: 'float8', arrayOid: 1022 },
  text: { oid: 25, typlen: -1, name: 'text', arrayOid: 1009 },
  boolean: { oid: 16, typlen: 1, name: 'bool', arrayOid: 1000 },
  date: { oid: 1082, typlen: 4, name: 'date', arrayOid: 1182 },
  timestamptz: { oid: 1184, typlen: 8, name: 'timestamptz', arrayOid: 1185 },
  timestamp: { oid: 1114, typlen: 8, name: 'timestamp', arrayOid: 1115 },
  interval: { oid: 1186, typlen: 16, name: 'interval', arrayOid: 1187 },
  jsonb: { oid: 3802, typlen: -1, name: 'jsonb', arrayOid: 3807 },
};

/** pg_type facts for a SqlType (`unknown` is sent as text, as PostgreSQL resolves it). */
export function pgType(t: SqlType): PgTypeInfo {
  if (t === 'unknown') return SCALARS.text;
  if (isArrayType(t)) {
    const el = SCALARS[elementType(t) as ScalarType];
    return { oid: el.arrayOid, typlen: -1, name: `_${el.name}` };
  }
  return SCALARS[t];
}

/** The SqlType a client-declared parameter OID stands for, or undefined when it is not one we take. */
export function sqlTypeOfOid(oid: number): SqlType | undefined {
  return OID_TYPES.get(oid);
}

const OID_TYPES = new Map<number, SqlType>();
for (const [t, info] of Object.entries(SCALARS) as [ScalarType, (typeof SCALARS)[ScalarType]][]) {
  OID_TYPES.set(info.oid, t);
  OID_TYPES.set(info.arrayOid, `${t}[]`);
}
// Types clients declare that map onto ours: int2/oid → integer, float4 → double, varchar/bpchar/name/
// char/unknown/json/uuid → text-like; their arrays likewise.
for (const [oid, t] of [
  [21, 'integer'],
  [26, 'bigint'],
  [700, 'double precision'],
  [1043, 'text'],
  [1042, 'text'],
  [19, 'text'],
  [18, 'text'],
  [705, 'text'],
  [2950, 'text'],
  [114, 'jsonb'],
  [1005, 'integer[]'],
  [1028, 'bigint[]'],
  [1021, 'double precision[]'],
  [1015, 'text[]'],
  [1014, 'text[]'],
  [1003, 'text[]'],
  [2951, 'text[]'],
  [199, 'jsonb[]'],
] as [number, SqlType][]) {
  OID_TYPES.set(oid, t);
}

const PG_EPOCH_MS = 946_684_800_000; // 2000-01-01T00:00:00Z
const PG_EPOCH_DAYS = 10_957;

/** Appends one DataRow field (length word and bytes) for a non-null value in text or binary format. */
export function writeValue(b: MessageBuilder, v: unknown, type: SqlType, binary: boolean): void {
  if (!binary) {
    b.lengthPrefixedText(typeof v === 'string' && type !== 'jsonb' ? v : toText(v, type, true));
    return;
  }
  const at = b.openLength();
  writeBinary(b, v, type);
  b.closeLength(at);
}

function writeBinary(b: MessageBuilder, v: unknown, type: SqlType): void {
  switch (type) {
    case 'bigint':
      b.int64(BigInt(Math.trunc(v as number)));
      return;
    case 'integer':
      b.int32(v as number);
      return;
    case 'double precision':
      b.float64(v as number);
      return;
    case 'numeric':
      writeNumeric(b, v as number);
      return;
    case 'boolean':
      b.byte(v ? 1 : 0);
      return;
    case 'text':
    case 'unknown':
      b.bytes(Buffer.from(typeof v === 'string' ? v : String(v), 'utf8'));
      return;
    case 'date':
      b.int32(dateToDays(v as string) - PG_EPOCH_DAYS);
      return;
    case 'timestamptz':
    case 'timestamp':
      b.int64(BigInt(Math.round(((v as number) - PG_EPOCH_MS) * 1000)));
      return;
    case 'interval': {
      const iv = v as Interval;
      b.int64(BigInt(Math.round(iv.ms * 1000)));
      b.int32(iv.days);
      b.int32(iv.months);
      return;
    }
    case 'jsonb':
      b.byte(1);
      b.bytes(Buffer.from(formatJson(v), 'utf8'));
      return;
    default: {
      const el = elementType(type);
      const items = v as unknown[];
      const hasNull = items.some((x) => x === null);
      // An empty array has zero dimensions in PostgreSQL's binary format.
      b.int32(items.length === 0 ? 0 : 1);
      b.int32(hasNull ? 1 : 0);
      b.uint32(pgType(el).oid);
      if (items.length > 0) {
        b.int32(items.length);
        b.int32(1);
      }
      for (const x of items) {
        if (x === null) b.int32(-1);
        else writeValue(b, x, el, true);
      }
    }
  }
}

/** A finite number as a plain decimal string (no exponent), as numeric's output has it. */
export function plainDecimal(n: number): string {
  const s = String(Math.abs(n));
  const m = /^(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const digits = m[1]! + (m[2] ?? '');
  const exp = Number(m[3]) - (m[2]?.length ?? 0);
  if (exp >= 0) return digits + '0'.repeat(exp);
  const k = digits.length + exp;
  return k > 0 ? `${digits.slice(0, k)}.${digits.slice(k)}` : `0.${'0'.repeat(-k)}${digits}`;
}

/** numeric's binary form: ndigits, weight, sign, dscale, then base-10000 digits. */
function writeNumeric(b: MessageBuilder, n: number): void {
  if (!Number.isFinite(n)) {
    const sign = Number.isNaN(n) ? 0xc000 : n > 0 ? 0xd000 : 0xf000;
    b.int16(0).int16(0).uint16(sign).int16(0);
    return;
  }
  const [intPart, fracPart = ''] = plainDecimal(n).split('.');
  const dscale = fracPart.length;
  // Pad both sides to whole groups of four decimal digits around the point.
  const ip = intPart === '0' ? '' : intPart!.padStart(Math.ceil(intPart!.length / 4) * 4, '0');
  const fp = fracPart.padEnd(Math.ceil(fracPart.length / 4) * 4, '0');
  const groups: number[] = [];
  for (let i = 0; i < ip.length; i += 4) groups.push(Number(ip.slice(i, i + 4)));
  for (let i = 0; i < fp.length; i += 4) groups.push(Number(fp.slice(i, i + 4)));
  let weight = ip.length / 4 - 1;
  while (groups.length > 0 && groups[0] === 0) {
    groups.shift();
    weight--;
  }
  while (groups.length > 0 && groups[groups.length - 1] === 0) groups.pop();
  if (groups.length === 0) weight = 0;
  b.int16(groups.length)
    .int16(weight)
    .uint16(n < 0 && groups.length > 0 ? 0x4000 : 0)
    .int16(dscale);
  for (const g of groups) b.int16(g);
}

/**
 * Decodes one Bind parameter to the JS value the engine takes: numbers for numeric types, booleans,
 * Date for timestamptz, JS arrays for arrays, and PostgreSQL text for the rest (the engine reads
 * strings as untyped literals and coerces them in context, as PostgreSQL does with unknown).
 */
export function decodeParam(raw: Buffer | null, oid: number, binary: boolean): unknown {
  if (raw === null) return null;
  const type = sqlTypeOfOid(oid);
  if (!binary) {
    const s = raw.toString('utf8');
    return type === undefined ? s : fromText(s, type, oid);
  }
  if (oid === 0 || oid === 705) return raw.toString('utf8');
  if (type === undefined) {
    throw new SqlError('22P03', `binary parameters of type oid ${oid} are not supported`, {
      hint: 'Send this parameter in text format.',
    });
  }
  return fromBinary(raw, type, oid);
}

function number(s: string, type: SqlType): number {
  const t = s.trim();
  const n = Number(t);
  if (t === '' || Number.isNaN(n)) {
    if (/^nan$/i.test(t) && (type === 'numeric' || type === 'double precision')) return Number.NaN;
    if (/^[+-]?inf(inity)?$/i.test(t) && type !== 'integer' && type !== 'bigint') {
      return t.startsWith('-') ? -Infinity : Infinity;
    }
    throw invalidTextRepresentation(type, s);
  }
  if ((type === 'integer' || type === 'bigint') && !Number.isInteger(n))
    throw invalidTextRepresentation(type, s);
  return n;
}

function fromText(s: string, type: SqlType, oid: number): unknown {
  switch (type) {
    case 'integer':
    case 'bigint':
    case 'numeric':
    case 'double precision':
      return number(s, type);
    case 'boolean': {
      const v = s.trim().toLowerCase();
      if (['t', 'true', 'y', 'yes', 'on', '1'].includes(v)) return true;
      if (['f', 'false', 'n', 'no', 'off', '0'].includes(v)) return false;
      throw invalidTextRepresentation('boolean', s);
    }
    case 'date':
      return parseDate(s);
    default:
      if (isArrayType(type)) return parseArrayText(s, elementType(type), oid);
      return s;
  }
}

function parseArrayText(s: string, el: SqlType, oid: number): unknown[] {
  const t = s.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) throw invalidTextRepresentation(`${el}[]`, s);
  const out: unknown[] = [];
  const body = t.slice(1, -1);
  let i = 0;
  while (i < body.length) {
    while (body[i] === ' ') i++;
    let item = '';
    let quoted = false;
    if (body[i] === '"') {
      quoted = true;
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i++;
        item += body[i++] ?? '';
      }
      i++;
    } else {
      while (i < body.length && body[i] !== ',') item += body[i++];
      item = item.trim();
    }
    while (body[i] === ' ') i++;
    if (i < body.length && body[i] !== ',') throw invalidTextRepresentation(`${el}[]`, s);
    i++;
    out.push(!quoted && item.toUpperCase() === 'NULL' ? null : fromText(item, el, oid));
  }
  return out;
}

function fromBinary(raw: Buffer, type: SqlType, oid: number): unknown {
  const bad = (): SqlError =>
    new SqlError('22P03', `incorrect binary data format in bind parameter (type oid ${oid})`);
  const len = (n: number): void => {
    if (raw.length !== n) throw bad();
  };
  switch (type) {
    case 'integer':
      if (oid === 21) {
        len(2);
        return raw.readInt16BE(0);
      }
      len(4);
      return raw.readInt32BE(0);
    case 'bigint':
      if (oid === 26) {
        len(4);
        return raw.readUInt32BE(0);
      }
      len(8);
      return Number(raw.readBigInt64BE(0));
    case 'double precision':
      if (oid === 700) {
        len(4);
        return raw.readFloatBE(0);
      }
      len(8);
      return raw.readDoubleBE(0);
    case 'numeric':
      return readNumeric(raw, bad);
    case 'boolean':
      len(1);
      return raw[0] !== 0;
    case 'text':
      return raw.toString('utf8');
    case 'date': {
      len(4);
      const d = raw.readInt32BE(0);
      return daysToDate(d + PG_EPOCH_DAYS);
    }
    case 'timestamptz':
    case 'timestamp': {
      len(8);
      const ms = Number(raw.readBigInt64BE(0)) / 1000 + PG_EPOCH_MS;
      return type === 'timestamptz' ? new Date(ms) : formatTimestamp(ms, false);
    }
    case 'interval':
      len(16);
      return formatInterval({
        ms: Number(raw.readBigInt64BE(0)) / 1000,
        days: raw.readInt32BE(8),
        months: raw.readInt32BE(12),
      });
    case 'jsonb':
      // jsonb carries a version byte; json (oid 114) is plain text.
      if (oid === 3802) {
        if (raw[0] !== 1) throw bad();
        return raw.toString('utf8', 1);
      }
      return raw.toString('utf8');
    default:
      return readArray(raw, elementType(type), bad);
  }
}

function readNumeric(raw: Buffer, bad: () => SqlError): number {
  if (raw.length < 8) throw bad();
  const ndigits = raw.readInt16BE(0);
  const weight = raw.readInt16BE(2);
  const sign = raw.readUInt16BE(4);
  if (raw.length !== 8 + ndigits * 2) throw bad();
  if (sign === 0xc000) return Number.NaN;
  if (sign === 0xd000) return Infinity;
  if (sign === 0xf000) return -Infinity;
  let s = '';
  for (let i = 0; i < ndigits; i++) s += String(raw.readInt16BE(8 + i * 2)).padStart(4, '0');
  // The digits stand for s × 10000^(weight - ndigits + 1).
  const v = Number(`${s || '0'}e${(weight - ndigits + 1) * 4}`);
  return sign === 0x4000 ? -v : v;
}

function readArray(raw: Buffer, el: SqlType, bad: () => SqlError): unknown[] {
  if (raw.length < 12) throw bad();
  const ndim = raw.readInt32BE(0);
  const elOid = raw.readUInt32BE(8);
  if (ndim === 0) return [];
  if (ndim !== 1) throw new SqlError('0A000', 'multi-dimensional array parameters are not supported');
  if (raw.length < 20) throw bad();
  const n = raw.readInt32BE(12);
  let pos = 20;
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    if (pos + 4 > raw.length) throw bad();
    const l = raw.readInt32BE(pos);
    pos += 4;
    if (l === -1) {
      out.push(null);
      continue;
    }
    if (l < 0 || pos + l > raw.length) throw bad();
    out.push(fromBinary(raw.subarray(pos, pos + l), el, elOid));
    pos += l;
  }
  return out;
}
