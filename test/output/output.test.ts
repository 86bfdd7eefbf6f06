import { DataType, tableFromIPC, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { type ResultField, rowsToArrow } from '../../src/output/arrow.js';
import { formatCsv, formatJsonRows, formatNdjson, formatTable } from '../../src/output/text.js';

const fields: ResultField[] = [
  { name: 'id', type: 'bigint' },
  { name: 'name', type: 'text' },
  { name: 'amount', type: 'numeric' },
  { name: 'billable', type: 'boolean' },
  { name: 'due', type: 'date' },
  { name: 'created_on', type: 'timestamptz' },
  { name: 'users', type: 'bigint[]' },
  { name: 'meta', type: 'jsonb' },
  { name: 'n', type: 'integer' },
  { name: 'took', type: 'interval' },
];
const created = Date.UTC(2026, 10, 24, 9, 30, 5, 250);
const rows: unknown[][] = [
  [
    1,
    'Ørsted "Quoted", Ltd',
    1234.5,
    true,
    '2026-11-30',
    created,
    [1001, 1002],
    { a: [1, 'x'] },
    7,
    { months: 1, days: 2, ms: 3_600_000 },
  ],
  [2, null, null, null, null, null, null, null, null, null],
  [3, '', 0, false, '1999-01-01', 0, [], 'str', -2, { months: 0, days: 0, ms: 0 }],
  [
    4,
    'line1\nline2 日本語 🎉',
    -0.01,
    false,
    '2024-02-29',
    created,
    [null, 5],
    null,
    0,
    { months: 0, days: -1, ms: 0 },
  ],
];

describe('Arrow output', () => {
  it('keeps faithful column types with the SQL type in metadata', () => {
    const t = rowsToArrow(fields, rows);
    const byName = Object.fromEntries(t.schema.fields.map((f) => [f.name, f]));
    expect(DataType.isInt(byName.id.type) && byName.id.type.bitWidth).toBe(64);
    expect(DataType.isInt(byName.n.type) && byName.n.type.bitWidth).toBe(32);
    expect(DataType.isFloat(byName.amount.type)).toBe(true);
    expect(DataType.isBool(byName.billable.type)).toBe(true);
    expect(DataType.isDate(byName.due.type)).toBe(true);
    expect(DataType.isTimestamp(byName.created_on.type)).toBe(true);
    expect((byName.created_on.type as { timezone: string }).timezone).toBe('UTC');
    expect(DataType.isList(byName.users.type)).toBe(true);
    expect(byName.meta.metadata.get('ARROW:extension:name')).toBe('arrow.json');
    expect(byName.amount.metadata.get('pg_type')).toBe('numeric');
    expect(t.numRows).toBe(4);
  });

  it('round-trips values and NULLs through Arrow IPC', () => {
    const t = tableFromIPC(tableToIPC(rowsToArrow(fields, rows)));
    const col = (name: string) => t.getChild(name)!;
    expect(col('id').get(0)).toBe(1n);
    expect(col('name').get(0)).toBe('Ørsted "Quoted", Ltd');
    expect(col('name').get(1)).toBeNull();
    expect(col('name').get(2)).toBe('');
    expect(col('name').get(3)).toBe('line1\nline2 日本語 🎉');
    expect(col('amount').get(0)).toBe(1234.5);
    expect(col('billable').get(2)).toBe(false);
    expect(col('due').get(3)).toBe(Date.UTC(2024, 1, 29));
    expect(col('created_on').get(0)).toBe(created);
    expect([...col('users').get(0)]).toEqual([1001n, 1002n]);
    expect([...col('users').get(3)]).toEqual([null, 5n]);
    expect(col('users').get(1)).toBeNull();
    expect(JSON.parse(col('meta').get(0))).toEqual({ a: [1, 'x'] });
    expect(col('took').get(0)).toBe('1 mon 2 days 01:00:00');
    for (const f of fields.slice(1)) expect(col(f.name).get(1), f.name).toBeNull();
  });

  it('keeps duplicate column names as separate fields', () => {
    const t = rowsToArrow(
      [
        { name: 'id', type: 'bigint' },
        { name: 'id', type: 'text' },
      ],
      [[1, 'a']],
    );
    expect(t.schema.fields.map((f) => f.name)).toEqual(['id', 'id']);
    expect(t.getChildAt(1)!.get(0)).toBe('a');
  });

  it('builds an empty table with the right schema', () => {
    const t = rowsToArrow(fields, []);
    expect(t.numRows).toBe(0);
    expect(t.schema.fields).toHaveLength(fields.length);
  });
});

describe('text output', () => {
  it('writes CSV like COPY … CSV HEADER: NULL empty, empty string quoted, quotes doubled', () => {
    const csv = formatCsv(
      fields.slice(0, 4),
      rows.map((r) => r.slice(0, 4)),
    );
    expect(csv).toBe(
      'id,name,amount,billable\n' +
        '1,"Ørsted ""Quoted"", Ltd",1234.5,t\n' +
        '2,,,\n' +
        '3,"",0,f\n' +
        '4,"line1\nline2 日本語 🎉",-0.01,f\n',
    );
  });

  it('writes JSON as one array of row objects and NDJSON one object a line', () => {
    const json = JSON.parse(formatJsonRows(fields, rows));
    expect(json).toHaveLength(4);
    expect(json[0]).toEqual({
      id: 1,
      name: 'Ørsted "Quoted", Ltd',
      amount: 1234.5,
      billable: true,
      due: '2026-11-30',
      created_on: '2026-11-24T09:30:05.250Z',
      users: [1001, 1002],
      meta: { a: [1, 'x'] },
      n: 7,
      took: '1 mon 2 days 01:00:00',
    });
    expect(json[1].name).toBeNull();
    const lines = formatNdjson(fields, rows).trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[3]).name).toBe('line1\nline2 日本語 🎉');
    expect(formatJsonRows(fields, [])).toBe('[]\n');
  });

  it('aligns a psql-style table, counting wide characters as two cells', () => {
    const out = formatTable(
      [
        { name: 'id', type: 'bigint' },
        { name: 'name', type: 'text' },
      ],
      [
        [1, '日本'],
        [22, null],
      ],
    );
    expect(out).toBe([' id | name', '----+------', '  1 | 日本', ' 22 |', '(2 rows)', ''].join('\n'));
  });
});
