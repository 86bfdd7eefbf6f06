import { describe, expect, it } from 'vitest';
import { SqlError } from '../../src/errors.js';
import { fixture, text } from './fixture.js';

// Bugs found by the differential and grammar suites, one case each. Every expectation was checked
// against PostgreSQL 15 loaded with fixtureSql() (session TimeZone UTC, C collation).

/** [sql, column names, column types, rows as text] */
const ANSWERS: [string, string[], string[], (string | null)[][]][] = [
  // A parenthesised set-operation branch keeps its own ORDER BY / LIMIT.
  [
    '(select id from tasks order by id limit 2) union all (select id from tasks order by id desc limit 2) order by 1',
    ['id'],
    ['bigint'],
    [['100'], ['101'], ['107'], ['108']],
  ],
  ['select 1 union all (select 2 order by 1 limit 1)', ['?column?'], ['integer'], [['1'], ['2']]],
  ['(select 1) union all (select 2 limit 3) order by 1 limit 1 offset 1', ['?column?'], ['integer'], [['2']]],
  [
    '(select id from tasks order by id limit 2) union all select id from tasks order by 1 desc limit 3',
    ['id'],
    ['bigint'],
    [['108'], ['107'], ['106']],
  ],
];

/** [sql, SQLSTATE, message] as PostgreSQL reports them (our wording where the construct is refused on purpose). */
const ERRORS: [string, string, string | RegExp][] = [];

describe('regressions (answers checked against PostgreSQL)', () => {
  const on = fixture();
  const off = fixture({ pushdown: false });
  for (const [sql, names, types, rows] of ANSWERS) {
    it(sql, async () => {
      for (const f of [on, off]) {
        const r = await f.engine.query(sql);
        expect(r.fields.map((x) => x.name)).toEqual(names);
        expect(r.fields.map((x) => x.type)).toEqual(types);
        expect(text(r)).toEqual(rows);
      }
    });
  }
  for (const [sql, code, message] of ERRORS) {
    it(`${sql} → ${code}`, async () => {
      const err = await on.engine.query(sql).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SqlError);
      expect((err as SqlError).code).toBe(code);
      if (typeof message === 'string') expect((err as SqlError).message).toBe(message);
      else expect((err as SqlError).message).toMatch(message);
    });
  }
});
