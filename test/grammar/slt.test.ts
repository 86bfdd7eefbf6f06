import { describe, expect, it } from 'vitest';
import { isWrite, maskTimings, runRecord } from './slt.js';
import { canonicalJson } from './targets.js';

describe('slt runner helpers', () => {
  it('isWrite: recognises data-modifying statements, also after WITH and comments', () => {
    expect(isWrite('INSERT INTO tasks (name) VALUES (1)')).toBe(true);
    expect(isWrite('  update tasks set name = 1')).toBe(true);
    expect(isWrite('-- note\nDELETE FROM tasks WHERE id = 1')).toBe(true);
    expect(isWrite('WITH x AS (SELECT 1) INSERT INTO tasks SELECT * FROM x')).toBe(true);
    expect(isWrite('SELECT * FROM tasks')).toBe(false);
    expect(isWrite("SELECT 'insert' FROM tasks")).toBe(false);
    expect(isWrite('WITH x AS (SELECT 1) SELECT * FROM x')).toBe(false);
    expect(isWrite('EXPLAIN ANALYZE UPDATE tasks SET seq = 1 WHERE id = 1')).toBe(true);
    expect(isWrite('explain (analyze, verbose) delete from tasks where id = 1')).toBe(true);
    expect(isWrite('EXPLAIN UPDATE tasks SET seq = 1 WHERE id = 1')).toBe(false);
    expect(isWrite('EXPLAIN ANALYZE SELECT * FROM tasks')).toBe(false);
  });

  it('maskTimings: replaces the timings of EXPLAIN ANALYZE lines only', () => {
    expect(
      maskTimings([
        'Update on tasks (actual rows=4 time=29.497 ms)',
        '  Scan tasks (actual rows=4 loops=1 time=1 ms)',
        'Execution Time: 29.497 ms',
        "    set: name = 'time=1 ms'",
      ]),
    ).toEqual([
      'Update on tasks (actual rows=4 time=… ms)',
      '  Scan tasks (actual rows=4 loops=1 time=… ms)',
      'Execution Time: … ms',
      "    set: name = 'time=… ms'",
    ]);
  });

  it('matches a statement error against its message and DETAIL', async () => {
    const err = Object.assign(new Error('INSERT into t stopped at row 2 of 2: refused'), {
      code: '23503',
      detail: '1 row was inserted (id 7).',
    });
    const target = {
      run: async () => {
        throw err;
      },
      explain: async () => '',
      takeRequests: () => [],
    };
    const rec = (message: string) => ({
      kind: 'statement' as const,
      line: 1,
      sql: 'x',
      expectError: { code: '23503', message },
    });
    expect((await runRecord(rec('stopped at row 2 of 2'), target)).failure).toBeNull();
    expect((await runRecord(rec('refused DETAIL: 1 row was inserted (id 7).'), target)).failure).toBeNull();
    expect((await runRecord(rec('DETAIL: 2 rows'), target)).failure).toContain('expected message containing');
  });

  it('canonicalJson: sorts keys at every level, keeps non-JSON text', () => {
    expect(canonicalJson('{"b":1,"a":{"d":[{"z":1,"y":2}],"c":null}}')).toBe(
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson('name=x')).toBe('name=x');
  });
});
