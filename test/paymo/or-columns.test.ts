import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { createPaymoCatalog } from '../../src/paymo/catalog.js';
import { type PushTarget, planWhere, supportOf } from '../../src/paymo/filters.js';
import type { PaymoClient } from '../../src/paymo/http-client.js';
import { defaultFilters } from '../../src/paymo/specs/columns.js';
import type { IntervalPush } from '../../src/paymo/specs/types.js';
import { renderWhere } from '../../src/paymo/where-render.js';
import type { Expr } from '../../src/plan/expr.js';
import type { SimulatorHandle } from '../../src/simulator/index.js';
import { startSimulatedPaymo } from '../support/demo-paymo.js';

const col = (name: string, type: Expr['type']): Expr => ({ kind: 'column', id: 1, name, type });
const lit = (value: unknown, type: Expr['type']): Expr => ({ kind: 'literal', value, type });
const call = (fn: string, c: Expr, v: Expr): Expr => ({ kind: 'call', fn, args: [c, v], type: 'boolean' });
const or = (...args: Expr[]): Expr => ({ kind: 'or', args, type: 'boolean' });
const inList = (c: Expr, vals: unknown[]): Expr => ({
  kind: 'in_list',
  arg: c,
  list: vals.map((v) => lit(v, c.type)),
  negated: false,
  type: 'boolean',
});
const ms = (iso: string): number => Date.parse(iso);

const INTERVAL: IntervalPush = {
  param: 'time_interval',
  format: 'datetime',
  endExclusive: true,
  openFrom: '1970-01-01T00:00:00Z',
  openTo: '2999-12-31T00:00:00Z',
};

/** Like time_entries: start_time/date/spent_on reach Paymo as time_interval; two ids share one attribute. */
const target: PushTarget = new Map([
  ['id', { field: 'id', type: 'bigint', ops: defaultFilters('bigint', false) }],
  ['task_id', { field: 'task_id', type: 'bigint', ops: defaultFilters('bigint', false) }],
  ['user_id', { field: 'user_id', type: 'bigint', ops: defaultFilters('bigint', false) }],
  // A second column filtered through the same Paymo attribute (as a flattened route may declare).
  ['owner_id', { field: 'user_id', type: 'bigint', ops: defaultFilters('bigint', false) }],
  ['start_time', { field: 'start_time', type: 'timestamptz', ops: [], interval: INTERVAL }],
  ['date', { field: 'date', type: 'date', ops: [], interval: INTERVAL }],
  ['spent_on', { field: 'spent_on', type: 'date', ops: [], interval: INTERVAL }],
  ['end_time', { field: 'end_time', type: 'timestamptz', ops: [{ op: 'is_null', exactness: 'inexact' }] }],
  ['name', { field: 'name', type: 'text', ops: defaultFilters('text', true) }],
]);
const start = col('start_time', 'timestamptz');
const date = col('date', 'date');
const october: Expr = {
  kind: 'between',
  arg: date,
  low: lit('2026-10-01', 'date'),
  high: lit('2026-10-31', 'date'),
  negated: false,
  type: 'boolean',
};
const where = (f: Expr): string => renderWhere(planWhere([f], target).conds);

describe('OR across columns (Paymo side)', () => {
  it('sends range alternatives of one interval pseudo-attribute as their hull, inexact', () => {
    const f = or(
      call('>=', start, lit(ms('2026-11-01T00:00:00Z'), 'timestamptz')),
      call('>=', date, lit('2026-11-03', 'date')),
    );
    expect(supportOf([f], target)).toEqual(['inexact']);
    expect(where(f)).toBe('time_interval in ("2026-11-01T00:00:00Z","2999-12-31T00:00:00Z")');
    // Closed and half-open bounds of both kinds: the hull keeps the widest of each side.
    const g = or(october, call('<', start, lit(ms('2026-11-05T10:30:00.250Z'), 'timestamptz')));
    expect(where(g)).toBe('time_interval in ("1970-01-01T00:00:00Z","2026-11-05T10:30:01Z")');
    const h = or(
      october,
      call('=', start, lit(ms('2026-11-05T10:30:00Z'), 'timestamptz')),
      inList(col('spent_on', 'date'), ['2026-09-30']),
    );
    expect(where(h)).toBe('time_interval in ("2026-09-30T00:00:00Z","2026-11-05T10:30:01Z")');
  });

  it('intersects a hull with the other filters of the scan', () => {
    const f = or(
      call('>=', start, lit(ms('2026-11-01T00:00:00Z'), 'timestamptz')),
      call('>=', date, lit('2026-11-01', 'date')),
    );
    const conds = planWhere(
      [
        call('=', col('user_id', 'bigint'), lit(7, 'bigint')),
        f,
        call('<', col('spent_on', 'date'), lit('2026-11-10', 'date')),
      ],
      target,
    ).conds;
    expect(renderWhere(conds)).toBe(
      'user_id=7 and time_interval in ("2026-11-01T00:00:00Z","2026-11-10T00:00:00Z")',
    );
  });

  it('sends equalities of columns that share one attribute as one exact in', () => {
    const f = or(
      call('=', col('user_id', 'bigint'), lit(1, 'bigint')),
      inList(col('owner_id', 'bigint'), [2, 1]),
    );
    expect(supportOf([f], target)).toEqual(['exact']);
    expect(where(f)).toBe('user_id in (1,2)');
  });

  it('keeps everything else local', () => {
    const cases: Expr[] = [
      // Two attributes: Paymo has no OR.
      or(
        call('=', col('task_id', 'bigint'), lit(1, 'bigint')),
        call('=', col('user_id', 'bigint'), lit(2, 'bigint')),
      ),
      // A hull open on both sides constrains nothing.
      or(
        call('>=', start, lit(ms('2026-11-01T00:00:00Z'), 'timestamptz')),
        call('<', date, lit('2026-01-01', 'date')),
      ),
      // An interval with a plain condition.
      or(call('>=', date, lit('2026-11-01', 'date')), {
        kind: 'is_null',
        arg: col('end_time', 'timestamptz'),
        negated: true,
        type: 'boolean',
      }),
      or(call('>=', date, lit('2026-11-01', 'date')), {
        kind: 'is_null',
        arg: col('end_time', 'timestamptz'),
        negated: false,
        type: 'boolean',
      }),
      // Equality with a NULL test of the same attribute, and a column Paymo does not filter.
      or(call('=', col('user_id', 'bigint'), lit(1, 'bigint')), {
        kind: 'is_null',
        arg: col('owner_id', 'bigint'),
        negated: false,
        type: 'boolean',
      }),
      or(
        call('=', col('user_id', 'bigint'), lit(1, 'bigint')),
        call('=', col('other', 'bigint'), lit(1, 'bigint')),
      ),
      // A value that cannot be sent safely in one alternative.
      or(
        call('=', col('name', 'text'), lit('a', 'text')),
        call('=', col('name', 'text'), lit('x" or id>0', 'text')),
      ),
    ];
    expect(supportOf(cases, target)).toEqual(cases.map(() => 'unsupported'));
  });

  it('drops alternatives that match nothing', () => {
    const f = or(inList(col('task_id', 'bigint'), []), call('>=', date, lit('2026-11-01', 'date')));
    expect(where(f)).toBe('time_interval in ("2026-11-01T00:00:00Z","2999-12-31T00:00:00Z")');
    expect(
      planWhere([or(inList(col('task_id', 'bigint'), []), inList(col('user_id', 'bigint'), []))], target)
        .empty,
    ).toBe(true);
  });
});

describe('OR across columns on time_entries (requests as logged by the simulator)', () => {
  let sim: SimulatorHandle;
  let client: PaymoClient;
  let close: () => Promise<void>;
  const NOW = new Date('2026-11-15T12:00:00Z');
  const engine = (pushdown: boolean, timeZone?: string) =>
    createEngine({
      catalog: createPaymoCatalog({ client, cacheTtlMs: 0, requestBudget: 10_000 }),
      pushdown,
      ...(timeZone ? { timeZone } : {}),
    });

  beforeAll(async () => {
    ({ sim, client, close } = await startSimulatedPaymo({
      scale: 'tiny',
      now: NOW,
      clock: () => NOW.getTime(),
    }));
  });
  afterAll(() => close());

  /** Rows with pushdown on (checked equal to pushdown off) and the `where` of each request made. */
  async function both(sql: string, timeZone?: string): Promise<{ rows: unknown[][]; wheres: string[] }> {
    sim.requestLog.reset();
    const a = await engine(true, timeZone).query(sql);
    const wheres = sim.requestLog.entries().map((e) => `${e.path} ${e.query.where ?? ''}`);
    const b = await engine(false, timeZone).query(sql);
    expect(a.rows).toEqual(b.rows);
    return { rows: a.rows, wheres };
  }

  it('reads start_time OR date windows with one time_interval list instead of a fan-out', async () => {
    const { rows, wheres } = await both(
      "select id from time_entries where start_time >= '2026-11-10' or date >= '2026-11-10' order by id",
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(wheres).toEqual(['/api/entries time_interval in ("2026-11-10T00:00:00Z","2999-12-31T00:00:00Z")']);
  });

  it('widens the hull by the session time zone (start_time literals are local times)', async () => {
    const { rows, wheres } = await both(
      "select id from time_entries where start_time < '2026-11-12' or date between '2026-11-12' and '2026-11-13' order by id",
      'America/New_York',
    );
    expect(rows.length).toBeGreaterThan(0);
    // '2026-11-12' in New York is 05:00 UTC; the date window ends with the 13th (closed).
    expect(wheres).toEqual(['/api/entries time_interval in ("1970-01-01T00:00:00Z","2026-11-14T00:00:00Z")']);
    const { wheres: w2 } = await both(
      "select id from time_entries where start_time >= '2026-11-12' or date >= '2026-11-13' order by id",
      'Asia/Tokyo',
    );
    expect(w2).toEqual(['/api/entries time_interval in ("2026-11-11T15:00:00Z","2999-12-31T00:00:00Z")']);
  });

  it('keeps an OR of a range and a plain condition local (the required filter comes from elsewhere)', async () => {
    const { wheres } = await both(
      "select id from time_entries where user_id = 1001 and (date >= '2026-11-10' or end_time is null) order by id",
    );
    expect(wheres).toEqual(['/api/entries user_id=1001']);
  });
});
