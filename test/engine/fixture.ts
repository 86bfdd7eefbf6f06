import type { FilterSupport, ScanRequest } from '../../src/catalog/table-source.js';
import { UTC, type Zone } from '../../src/catalog/timezone.js';
import type { Column, Row } from '../../src/catalog/types.js';
import { dateToDays, formatJson, formatTimestamp, parseTimestamp, toText } from '../../src/catalog/values.js';
import { createEngine, type Engine, type QueryResult } from '../../src/engine.js';
import { type FilterOp, MemorySource, memoryCatalog } from './memory-source.js';

const ts = (s: string): number => parseTimestamp(s);
const col = (name: string, type: Column['type'], nullable = true): Column => ({ name, type, nullable });

/** Fixture tables: schema and rows (NULLs, non-ASCII text, dates, timestamps, jsonb, arrays). */
export const TABLES: Record<string, { schema: Column[]; rows: Row[] }> = {
  clients: {
    schema: [
      col('id', 'bigint', false),
      col('name', 'text', false),
      col('city', 'text'),
      col('active', 'boolean'),
      col('created_on', 'date'),
    ],
    rows: [
      [1, 'Acme Corp', 'Berlin', true, '2023-01-15'],
      [2, 'Ærø Design', 'Copenhagen', true, '2023-03-01'],
      [3, 'Zürich AG', null, false, '2022-11-30'],
      [4, 'beta llc', 'Berlin', true, '2024-02-29'],
      [5, 'Ωmega', 'Athens', null, '2024-01-01'],
    ],
  },
  projects: {
    schema: [
      col('id', 'bigint', false),
      col('name', 'text', false),
      col('client_id', 'bigint'),
      col('budget', 'numeric'),
      col('billable', 'boolean'),
      col('created_at', 'timestamptz'),
      col('tags', 'text[]'),
    ],
    rows: [
      [10, 'Website', 1, 5000.5, true, ts('2023-02-01 09:00:00Z'), ['web', 'design']],
      [11, 'App', 1, 12000, true, ts('2023-05-10 14:30:00Z'), ['mobile']],
      [12, 'Branding', 2, null, false, ts('2023-04-01 00:00:00Z'), []],
      [13, 'Internal', null, null, false, ts('2022-12-31 23:59:59Z'), null],
      [14, 'Audit', 3, 800, true, ts('2024-03-15 08:15:00Z'), ['finance', 'web']],
    ],
  },
  tasks: {
    schema: [
      col('id', 'bigint', false),
      col('name', 'text', false),
      col('project_id', 'bigint'),
      col('complete', 'boolean'),
      col('due_date', 'date'),
      col('priority', 'integer'),
    ],
    rows: [
      [100, 'Design mockups', 10, true, '2023-02-15', 1],
      [101, 'Build frontend', 10, false, '2023-03-30', 2],
      [102, 'QA', 10, false, null, null],
      [103, 'iOS build', 11, false, '2023-07-01', 1],
      [104, 'Android build', 11, true, '2023-06-15', 3],
      [105, 'Logo', 12, true, '2023-04-20', 2],
      [106, 'Team offsite', 13, false, '2023-01-10', null],
      [107, 'Review ledgers', 14, false, '2024-04-01', 1],
      [108, 'Café menu', 12, false, '2023-05-05', 2],
    ],
  },
  entries: {
    schema: [
      col('id', 'bigint', false),
      col('task_id', 'bigint'),
      col('user_name', 'text'),
      col('entry_date', 'date'),
      col('minutes', 'integer'),
      col('billed', 'boolean'),
      col('started_at', 'timestamptz'),
      col('description', 'text'),
      col('meta', 'jsonb'),
    ],
    rows: [
      [
        1000,
        100,
        'ann',
        '2023-02-10',
        120,
        true,
        ts('2023-02-10 09:00:00Z'),
        'wireframes',
        { source: 'timer', tags: ['a'] },
      ],
      [1001, 100, 'bob', '2023-02-11', 90, true, ts('2023-02-11 10:30:00Z'), null, { source: 'manual' }],
      [1002, 101, 'ann', '2023-03-01', 240, false, ts('2023-03-01 13:00:00Z'), 'header', null],
      [1003, 101, 'cé', '2023-03-02', 30, null, ts('2023-03-02 08:00:00Z'), 'footer', { source: 'timer' }],
      [
        1004,
        103,
        'bob',
        '2023-06-01',
        60,
        true,
        ts('2023-06-01 22:45:00Z'),
        'setup',
        { source: 'api', n: 3 },
      ],
      [1005, 104, 'ann', '2023-06-10', 45, false, ts('2023-06-10 07:15:00Z'), null, null],
      [1006, 105, 'dan', '2023-04-15', 200, true, ts('2023-04-15 12:00:00Z'), 'logo v1', { source: 'timer' }],
      [1007, 105, 'dan', '2023-04-16', 15, true, ts('2023-04-16 12:00:00Z'), 'logo v2', { source: 'timer' }],
      [
        1008,
        107,
        'eve',
        '2024-03-20',
        300,
        false,
        ts('2024-03-20 09:00:00Z'),
        'ledger',
        { source: 'manual' },
      ],
      [1009, 999, 'zed', '2023-01-01', 10, false, ts('2023-01-01 00:00:00Z'), 'orphan', null],
    ],
  },
};

/** Support profile: what each table's source answers, per column and operator. */
export type Profile = Record<string, Record<string, Partial<Record<FilterOp, FilterSupport>>>>;

/** A Paymo-like profile: equality/IN exact on ids and foreign keys, ranges exact on dates, LIKE inexact. */
export const PAYMO_LIKE: Profile = {
  clients: { id: { '=': 'exact', in: 'exact' }, active: { '=': 'exact' }, name: { like: 'inexact' } },
  projects: {
    id: { '=': 'exact', in: 'exact' },
    client_id: { '=': 'exact', in: 'exact' },
    billable: { '=': 'exact' },
  },
  tasks: {
    id: { '=': 'exact', in: 'exact' },
    project_id: { '=': 'exact', in: 'exact' },
    complete: { '=': 'exact' },
  },
  entries: {
    id: { '=': 'exact', in: 'exact' },
    task_id: { '=': 'exact', in: 'exact' },
    entry_date: { '>=': 'exact', '<=': 'exact', '>': 'exact', '<': 'exact', between: 'exact' },
    user_name: { '=': 'inexact' },
  },
};

/** Sources and an engine over the fixture; `pushdown: false` for the oracle run. */
export function fixture(
  opts: {
    profile?: Profile;
    pushdown?: boolean;
    pageSize?: number;
    maxInListSize?: number;
    estimate?: number | ((request: ScanRequest) => number);
  } = {},
) {
  const profile = opts.profile ?? PAYMO_LIKE;
  const sources: Record<string, MemorySource> = {};
  for (const [name, t] of Object.entries(TABLES)) {
    sources[name] = new MemorySource({
      schema: t.schema,
      rows: t.rows,
      support: profile[name] ?? {},
      ...(opts.pageSize !== undefined ? { pageSize: opts.pageSize } : {}),
      ...(opts.maxInListSize !== undefined ? { maxInListSize: opts.maxInListSize } : {}),
      ...(typeof opts.estimate === 'number' ? { estimate: opts.estimate } : {}),
      ...(typeof opts.estimate === 'function' ? { estimateFn: opts.estimate } : {}),
    });
  }
  const catalog = memoryCatalog(sources);
  const engine: Engine = createEngine({ catalog, pushdown: opts.pushdown ?? true });
  return { sources, catalog, engine };
}

/** DDL and INSERTs that load the fixture into PostgreSQL (the oracle the expectations were checked on). */
export function fixtureSql(): string {
  const lit = (v: unknown, type: string): string => {
    if (v === null) return 'NULL';
    if (type === 'timestamptz') return `'${formatTimestamp(v as number)}'`;
    if (type === 'jsonb') return `'${formatJson(v).replace(/'/g, "''")}'`;
    if (type === 'text[]') return `ARRAY[${(v as string[]).map((x) => `'${x}'`).join(',')}]::text[]`;
    if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
    return String(v);
  };
  const out: string[] = [];
  for (const [name, t] of Object.entries(TABLES)) {
    out.push(`DROP TABLE IF EXISTS ${name};`);
    out.push(`CREATE TABLE ${name} (${t.schema.map((c) => `${c.name} ${c.type}`).join(', ')});`);
    for (const r of t.rows)
      out.push(`INSERT INTO ${name} VALUES (${r.map((v, i) => lit(v, t.schema[i]!.type)).join(', ')});`);
  }
  return out.join('\n');
}

/** Days since epoch helper re-exported for tests that compute dates. */
export { dateToDays };

/** Rows as PostgreSQL's text output (what psql shows), NULL as null; timestamptz in `zone` (default UTC). */
export function text(r: QueryResult, zone: Zone = UTC): (string | null)[][] {
  return r.rows.map((row) =>
    row.map((v, i) => (v === null ? null : toText(v, r.fields[i]!.type, true, zone))),
  );
}
