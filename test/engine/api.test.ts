import { describe, expect, it } from 'vitest';
import { Catalog } from '../../src/catalog/catalog.js';
import { readFilter } from '../../src/catalog/filters.js';
import { MemoryTable } from '../../src/catalog/memory-table.js';
import { createEngine } from '../../src/engine.js';
import { parseSql } from '../../src/sql/parse.js';
import { rewriteSql } from '../../src/sql/rewrite.js';
import { fixture, text } from './fixture.js';

describe('parser front end', () => {
  it('folds unquoted identifiers and keeps quoted ones', async () => {
    const { engine } = fixture();
    expect(text(await engine.query('SELECT Name FROM Clients WHERE ID = 1'))).toEqual([['Acme Corp']]);
    expect(text(await engine.query('select "name" from "clients" where "id" = 1'))).toEqual([['Acme Corp']]);
    await expect(engine.query('select "Name" from clients')).rejects.toMatchObject({ code: '42703' });
    const r = await engine.query('select 1 as "MixedCase", 2 AS Folded');
    expect(r.fields.map((f) => f.name)).toEqual(['MixedCase', 'folded']);
  });

  it('leaves string literals, comments and dollar quotes alone', async () => {
    const { engine } = fixture();
    const r = await engine.query(
      "select 'Keep CASE' as a, $$it's$$ as b, E'tab\\there' as c, 'x''y' as d -- comment SELECT\n /* block /* nested */ */",
    );
    expect(r.rows).toEqual([['Keep CASE', "it's", 'tab\there', "x'y"]]);
  });

  it('reads what node-sql-parser cannot: IS [NOT] DISTINCT FROM, FETCH FIRST, TABLE t, $1::t', async () => {
    const { engine } = fixture();
    expect(
      text(await engine.query('select id from clients where active is distinct from true order by id')),
    ).toEqual([['3'], ['5']]);
    expect(
      text(
        await engine.query(
          'select id from clients where city is not distinct from null and id > $1::int',
          [1],
        ),
      ),
    ).toEqual([['3']]);
    expect(
      text(await engine.query('select id from tasks order by id offset 1 rows fetch next 2 rows only')),
    ).toEqual([['101'], ['102']]);
    expect((await engine.query('TABLE clients')).rowCount).toBe(5);
  });

  it('rewrites SQL text but keeps the original offsets for errors', () => {
    const rw = rewriteSql("SELECT E'a' , x IS NOT DISTINCT FROM y FROM T");
    expect(rw.text).toBe("select '§0' , x NOT SIMILAR TO y from t");
    expect(rw.strings).toEqual(['a']);
    expect(rw.originalOffset(rw.text.indexOf('from'))).toBe("SELECT E'a' , x IS NOT DISTINCT FROM y ".length);
  });

  it('parses EXPLAIN options itself', () => {
    const [s] = parseSql('EXPLAIN (ANALYZE, VERBOSE) select 1');
    expect(s).toMatchObject({ type: 'explain', analyze: true, verbose: true });
    const [t] = parseSql('explain select 1');
    expect(t).toMatchObject({ type: 'explain', analyze: false });
  });

  it('applies ORDER BY / LIMIT after a set operation to the whole result', async () => {
    const { engine } = fixture();
    const r = await engine.query(
      'select id from clients union select id from clients order by id desc limit 2',
    );
    expect(text(r)).toEqual([['5'], ['4']]);
  });

  it('gives INTERSECT precedence over UNION', async () => {
    const { engine } = fixture();
    const r = await engine.query('select 1 union select 2 intersect select 3 order by 1');
    expect(text(r)).toEqual([['1']]);
  });
});

describe('engine API', () => {
  it('returns the command tag, fields with SQL types and rows in the documented JS representation', async () => {
    const { engine } = fixture();
    const r = await engine.query(
      'select id, name, budget, billable, created_at, tags, client_id::int as c, created_at::date as d from projects where id = 10',
    );
    expect(r.command).toBe('SELECT');
    expect(r.rowCount).toBe(1);
    expect(r.fields).toEqual([
      { name: 'id', type: 'bigint' },
      { name: 'name', type: 'text' },
      { name: 'budget', type: 'numeric' },
      { name: 'billable', type: 'boolean' },
      { name: 'created_at', type: 'timestamptz' },
      { name: 'tags', type: 'text[]' },
      { name: 'c', type: 'integer' },
      { name: 'd', type: 'date' },
    ]);
    expect(r.rows).toEqual([
      [10, 'Website', 5000.5, true, Date.UTC(2023, 1, 1, 9), ['web', 'design'], 1, '2023-02-01'],
    ]);
  });

  it('binds $n parameters by context: strings, numbers, booleans, dates, arrays', async () => {
    const { engine } = fixture();
    const q = 'select id from tasks where project_id = $1 and complete = $2 order by id';
    expect(text(await engine.query(q, ['10', 'false']))).toEqual([['101'], ['102']]);
    expect(text(await engine.query(q, [10, false]))).toEqual([['101'], ['102']]);
    expect(
      text(await engine.query('select id from tasks where due_date < $1 order by id', ['2023-02-20'])),
    ).toEqual([['100'], ['106']]);
    expect(
      text(await engine.query('select id from tasks where id = any($1) order by id', [[101, 104]])),
    ).toEqual([['101'], ['104']]);
    expect(text(await engine.query('select $1 as v', [null]))).toEqual([[null]]);
    await expect(engine.query('select id from tasks where id = $1', ['abc'])).rejects.toMatchObject({
      code: '22P02',
    });
  });

  it('pushes parameter values into the scan like literals', async () => {
    const { engine, sources } = fixture();
    await engine.query('select name from clients where id = $1', ['4']);
    expect(sources.clients!.requests[0]!.filters[0]).toMatchObject({
      args: [{ name: 'id' }, { value: 4, type: 'bigint' }],
    });
  });

  it('streams row batches after the fields', async () => {
    const { engine } = fixture();
    const s = await engine.stream('select g from generate_series(1, 2500) g');
    expect(s.fields).toEqual([{ name: 'g', type: 'integer' }]);
    let n = 0;
    let batches = 0;
    for await (const b of s) {
      batches++;
      n += b.length;
    }
    expect(n).toBe(2500);
    expect(batches).toBeGreaterThan(1);
  });

  it('runs the last of several statements', async () => {
    const { engine } = fixture();
    expect(text(await engine.query('select 1; select 2'))).toEqual([['2']]);
  });

  it('keeps now() fixed within a statement', async () => {
    const { engine } = fixture();
    const r = await engine.query('select now() = now(), current_date = now()::date');
    expect(r.rows).toEqual([[true, true]]);
  });
});

describe('readFilter (what a TableSource sees, as data)', () => {
  it('flattens every filter form the engine pushes', async () => {
    const seen: unknown[] = [];
    const { engine, sources } = fixture({
      profile: {
        tasks: {
          '*': {
            '=': 'exact',
            in: 'exact',
            is_null: 'exact',
            like: 'exact',
            between: 'exact',
            or: 'exact',
            '>': 'exact',
          },
        },
      },
    });
    await engine.query(
      "select id from tasks where project_id = 10 and priority in (1, 2) and due_date is not null and name like 'D%' and id between 1 and 200 and (priority > 1 or priority is null)",
    );
    for (const f of sources.tasks!.requests[0]!.filters) seen.push(readFilter(f));
    expect(seen).toEqual([
      { kind: 'simple', column: 'project_id', type: 'bigint', op: '=', values: [10] },
      { kind: 'simple', column: 'priority', type: 'integer', op: 'in', values: [1, 2] },
      { kind: 'simple', column: 'due_date', type: 'date', op: 'is not null', values: [] },
      { kind: 'simple', column: 'name', type: 'text', op: 'like', values: ['D%'] },
      { kind: 'simple', column: 'id', type: 'bigint', op: 'between', values: [1, 200] },
      {
        kind: 'or',
        column: 'priority',
        type: 'integer',
        alternatives: [
          { column: 'priority', type: 'integer', op: '>', values: [1] },
          { column: 'priority', type: 'integer', op: 'is null', values: [] },
        ],
      },
    ]);
  });
});

describe('host extension points', () => {
  it('resolves schema-qualified names: public.x is x, pg_catalog is searched for unqualified names', async () => {
    const { engine, catalog, sources } = fixture();
    catalog.register('pg_catalog.pg_tables_demo', sources.clients!);
    expect((await engine.query('select id from public.clients')).rowCount).toBe(5);
    expect((await engine.query('select id from pg_catalog.pg_tables_demo')).rowCount).toBe(5);
    expect((await engine.query('select id from pg_tables_demo')).rowCount).toBe(5);
    await expect(engine.query('select id from other.clients')).rejects.toMatchObject({ code: '42P01' });
  });

  it('calls scalar functions the host registers on the catalog (pg_catalog prefix allowed)', async () => {
    const { engine, catalog } = fixture();
    catalog.registerFunction('pg_table_is_visible', {
      args: ['bigint'],
      returns: 'boolean',
      impl: ([oid]) => oid !== 0,
    });
    catalog.registerFunction('current_schema', { args: [], returns: 'text', impl: () => 'public' });
    const r = await engine.query(
      'select pg_catalog.pg_table_is_visible(id), current_schema() from clients where pg_table_is_visible(id) and id < 3 order by id',
    );
    expect(r.fields.map((f) => f.type)).toEqual(['boolean', 'text']);
    expect(r.rows).toEqual([
      [true, 'public'],
      [true, 'public'],
    ]);
    expect(text(await engine.query('select pg_table_is_visible(null)'))).toEqual([[null]]);
  });
});

describe('describe and multi-statement texts', () => {
  it('describes result columns and parameter types without values or requests', () => {
    const { engine, sources } = fixture();
    const d = engine.describe(
      'select id, name, $3::text as note from tasks where project_id = $1 and due_date < $2 and name like $4 limit $5',
    );
    expect(d.command).toBe('SELECT');
    expect(d.fields).toEqual([
      { name: 'id', type: 'bigint' },
      { name: 'name', type: 'text' },
      { name: 'note', type: 'text' },
    ]);
    expect(d.paramTypes).toEqual(['bigint', 'date', 'text', 'text', 'bigint']);
    expect(engine.describe('select $1 + 1, $2').paramTypes).toEqual(['integer', 'text']);
    expect(Object.values(sources).every((s) => s.requests.length === 0)).toBe(true);
  });

  it('runs every statement of a multi-statement text in order', async () => {
    const { engine } = fixture();
    const rs = await engine.queryMany(
      'select 1 as a; select name from clients where id = 2; explain select 1',
    );
    expect(rs.map((r) => r.command)).toEqual(['SELECT', 'SELECT', 'EXPLAIN']);
    expect(rs[1]!.rows).toEqual([['Ærø Design']]);
    await expect(engine.queryMany('select 1; select nope from clients; select 3')).rejects.toMatchObject({
      code: '42703',
    });
  });
});

describe('MemoryTable (system tables for the host)', () => {
  it('serves rows from memory, filtered and joined by the engine, without requests', async () => {
    const { engine, catalog } = fixture();
    const ns = new MemoryTable(
      [
        { name: 'oid', type: 'bigint', nullable: false },
        { name: 'nspname', type: 'text', nullable: false },
      ],
      () => [
        [11, 'pg_catalog'],
        [2200, 'public'],
      ],
      'pg_namespace',
    );
    catalog.register('pg_catalog.pg_namespace', ns);
    const r = await engine.query(
      "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' AND oid > $1 ORDER BY nspname",
      [100],
    );
    expect(r.rows).toEqual([['public']]);
    expect(await engine.explain('select * from pg_catalog.pg_namespace')).toContain(
      'pg_namespace (no requests)',
    );
  });
});

describe('source contract checks', () => {
  it('reports a source that returns rows of the wrong width, naming the table', async () => {
    const catalog = new Catalog();
    catalog.register('bad', {
      schema: [
        { name: 'a', type: 'integer', nullable: true },
        { name: 'b', type: 'integer', nullable: true },
      ],
      supportsFilters: (f) => f.map(() => 'unsupported' as const),
      describeScan: () => [],
      async *scan() {
        yield [[1, 2, 3]];
      },
    });
    const engine = createEngine({ catalog });
    await expect(engine.query('select a from bad')).rejects.toMatchObject({
      code: 'XX000',
      message: expect.stringContaining('table bad: scan returned rows of 3 values for 1 requested columns'),
    });
  });
});
