import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgServer } from '../../src/server/index.js';
import { plainDecimal } from '../../src/server/pg-types.js';
import { postgresUnavailable, startTempPostgres, type TempPostgres } from '../support/postgres.js';
import { startServer } from './harness.js';
import { dataRow, errorFields, fe, RawClient, rowDescription, textRow } from './raw-client.js';

// Each expression is evaluated by paymo-sql and by a real PostgreSQL 15; the bytes of the binary
// (and text) answers must be identical, as must the RowDescription OIDs and typlen.
const EXPRESSIONS = [
  '42::int4',
  '-7::int4',
  '9007199254740991',
  '(-5)::bigint',
  '1.5::float8',
  '-0.25::float8',
  '12345.678::numeric',
  '-0.0001::numeric',
  '0::numeric',
  '100000000::numeric',
  '5000.5::numeric',
  '0.5::numeric',
  '123456789012.34::numeric',
  "'héllo wörld 😀'::text",
  "''::text",
  'true',
  'false',
  "'2024-02-29'::date",
  "'1999-12-31'::date",
  "'1970-01-01'::date",
  "'2023-02-01 09:00:00.123+00'::timestamptz",
  "'1960-06-15 12:00:00+00'::timestamptz",
  "'2024-01-02 03:04:05'::timestamp",
  "'1 year 2 mons 3 days 04:05:06.789'::interval",
  "'-3 days'::interval",
  `'{"a": [1, 2], "b": null, "long key": "x"}'::jsonb`,
  '\'[1, "two", false]\'::jsonb',
  'array[1, 2, null]::int4[]',
  "'{10,20}'::bigint[]",
  "array['a', 'b c', null]::text[]",
  "'{}'::text[]",
  'array[true, false]',
  "array['2024-01-01'::date]",
  'array[1.25, 2.5]::float8[]',
];

let server: PgServer;
let port: number;
let pgsql: TempPostgres | null = null;
const skip = postgresUnavailable();

beforeAll(async () => {
  ({ server, port } = await startServer());
  if (!skip) pgsql = await startTempPostgres();
}, 60_000);
afterAll(async () => {
  await server.close();
  await pgsql?.close();
});

/** Runs `select <expr>` with the given result format; returns the field description and bytes. */
async function fetchOne(p: number, expr: string, format: number) {
  const c = await RawClient.connect(p, { user: 'postgres', database: 'postgres' });
  c.send(
    fe.parse('', `select ${expr} as v`),
    fe.bind('', '', [], [], [format]),
    fe.describe('P', ''),
    fe.execute(''),
    fe.sync(),
  );
  const msgs = await c.until('Z');
  await c.end();
  const err = msgs.find((m) => m.type === 'E');
  if (err) throw new Error(`${expr}: ${errorFields(err.body).M}`);
  const desc = rowDescription(msgs.find((m) => m.type === 'T')!.body)[0]!;
  const value = dataRow(msgs.find((m) => m.type === 'D')!.body)[0]!;
  return {
    oid: desc.typeOid,
    typlen: desc.typlen,
    format: desc.format,
    value: value?.toString('hex') ?? null,
  };
}

describe.skipIf(skip)('type encoding against PostgreSQL 15', () => {
  it.each(EXPRESSIONS)('binary %s', async (expr) => {
    const ours = await fetchOne(port, expr, 1);
    const theirs = await fetchOne(pgsql!.port, expr, 1);
    expect(ours).toEqual(theirs);
  });

  it.each(EXPRESSIONS)('text %s', async (expr) => {
    const ours = await fetchOne(port, expr, 0);
    const theirs = await fetchOne(pgsql!.port, expr, 0);
    expect(Buffer.from(ours.value ?? '', 'hex').toString()).toBe(
      Buffer.from(theirs.value ?? '', 'hex').toString(),
    );
    expect(ours).toEqual(theirs);
  });
});

const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const i64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
};

describe('binary parameters', () => {
  const cases: [string, number, Buffer, string][] = [
    ['int4', 23, i32(41), '42'],
    ['int2', 21, Buffer.from([0, 41]), '42'],
    ['int8', 20, i64(41n), '42'],
    [
      'float8',
      701,
      (() => {
        const b = Buffer.alloc(8);
        b.writeDoubleBE(40.5);
        return b;
      })(),
      '41.5',
    ],
    // 12.5 as numeric: ndigits 2, weight 0, sign +, dscale 1, digits 12 and 5000.
    ['numeric', 1700, Buffer.from([0, 2, 0, 0, 0, 0, 0, 1, 0, 12, 0x13, 0x88]), '13.5'],
    ['bool', 16, Buffer.from([1]), 'f'],
    ['text', 25, Buffer.from('wörld'), 'hello wörld'],
    ['date', 1082, i32(8825), '2024-03-01'],
    ['timestamptz', 1184, i64(760_006_245_000_000n), '2024-01-31 08:50:45+00'],
    ['jsonb', 3802, Buffer.concat([Buffer.from([1]), Buffer.from('{"a": 1}')]), '1'],
    [
      'int4[]',
      1007,
      Buffer.concat([i32(1), i32(0), i32(23), i32(2), i32(1), i32(4), i32(5), i32(4), i32(6)]),
      '{5,6}',
    ],
  ];
  const exprs: Record<string, string> = {
    int4: '$1 + 1',
    int2: '$1 + 1',
    int8: '$1 + 1',
    float8: '$1 + 1',
    numeric: '$1 + 1',
    bool: 'not $1',
    text: "'hello ' || $1",
    date: '$1::date + 1',
    timestamptz: '$1',
    jsonb: "$1::jsonb ->> 'a'",
    'int4[]': '$1',
  };

  it.each(cases)('%s', async (name, oid, bytes, expected) => {
    const c = await RawClient.connect(port);
    c.send(
      fe.parse('', `select ${exprs[name]} as v`, [oid]),
      fe.bind('', '', [bytes], [1]),
      fe.execute(''),
      fe.sync(),
    );
    const msgs = await c.until('Z');
    await c.end();
    const err = msgs.find((m) => m.type === 'E');
    expect(err ? errorFields(err.body).M : null).toBeNull();
    expect(textRow(msgs.find((m) => m.type === 'D')!.body)).toEqual([expected]);
  });

  it('accepts a NULL binary parameter and one format code for all parameters', async () => {
    const c = await RawClient.connect(port);
    c.send(
      fe.parse('', 'select $1 as a, $2 + 1 as b', [23, 23]),
      fe.bind('', '', [null, i32(1)], [1]),
      fe.execute(''),
      fe.sync(),
    );
    const msgs = await c.until('Z');
    expect(textRow(msgs.find((m) => m.type === 'D')!.body)).toEqual([null, '2']);
    await c.end();
  });

  it('rejects malformed binary parameters with 22P03', async () => {
    const c = await RawClient.connect(port);
    c.send(fe.parse('', 'select $1', [23]), fe.bind('', '', [Buffer.from([1, 2])], [1]), fe.sync());
    const msgs = await c.until('Z');
    expect(errorFields(msgs.find((m) => m.type === 'E')!.body).C).toBe('22P03');
    await c.end();
  });
});

describe('plainDecimal', () => {
  it('expands exponents', () => {
    expect(plainDecimal(1e21)).toBe('1000000000000000000000');
    expect(plainDecimal(1.5e-7)).toBe('0.00000015');
    expect(plainDecimal(-12.5)).toBe('12.5');
  });
});
