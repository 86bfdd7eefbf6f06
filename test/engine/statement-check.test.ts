import { describe, expect, it } from 'vitest';
import { Catalog, type PlannedScan } from '../../src/catalog/catalog.js';
import type { ScanContext, ScanRequest } from '../../src/catalog/table-source.js';
import type { Row } from '../../src/catalog/types.js';
import { createEngine } from '../../src/engine.js';
import { SqlError } from '../../src/errors.js';
import { TABLES } from './fixture.js';
import { MemorySource } from './memory-source.js';

/** A source that records, at each scan, the statement's running request total it was handed. */
class CountingSource extends MemorySource {
  readonly seen: (number | undefined)[] = [];
  override async *scan(request: ScanRequest, ctx: ScanContext): AsyncIterable<Row[]> {
    this.seen.push(ctx.statement?.requests);
    yield* super.scan(request, ctx);
  }
}

/** A catalog that records the scans it is asked about and refuses above `limit` estimated requests. */
class CheckingCatalog extends Catalog {
  calls: PlannedScan[][] = [];
  limit = Number.POSITIVE_INFINITY;
  override checkStatement(scans: readonly PlannedScan[], _statement: { readonly write: boolean }): void {
    this.calls.push([...scans]);
    const n = scans
      .filter((s) => !s.repeated)
      .reduce((sum, s) => sum + (s.source.estimateRequests?.(s.request) ?? 0), 0);
    if (n > this.limit) throw new SqlError('53400', `would need about ${n} requests, above ${this.limit}`);
  }
}

function setup() {
  const catalog = new CheckingCatalog();
  const sources: Record<string, CountingSource> = {};
  for (const name of ['clients', 'projects', 'tasks']) {
    const t = TABLES[name]!;
    sources[name] = new CountingSource({
      schema: t.schema,
      rows: t.rows,
      support: { client_id: { '=': 'exact', in: 'exact' }, id: { '=': 'exact', in: 'exact' } },
    });
    catalog.register(name, sources[name]);
  }
  return { catalog, sources, engine: createEngine({ catalog }) };
}

describe('Catalog.checkStatement and the statement running total', () => {
  it('sees every scan of a statement, subqueries included, and which may repeat', async () => {
    const { catalog, engine } = setup();
    await engine.query(
      `select c.name, (select count(*) from projects p where p.client_id = c.id and p.name <> c.name)
       from clients c where c.id in (select client_id from projects)
       union all select name, 0::bigint from tasks`,
    );
    const scans = catalog.calls.at(-1)!;
    expect(scans.map((s) => `${s.table}${s.repeated ? ' (repeated)' : ''}`).sort()).toEqual([
      'clients',
      'projects',
      'projects (repeated)',
      'tasks',
    ]);
    await engine.query(
      'select c.name, x.name from clients c cross join lateral (select name from projects p where p.client_id = c.id limit 1) x',
    );
    expect(catalog.calls.at(-1)!.map((s) => `${s.table}${s.repeated ? ' (repeated)' : ''}`)).toEqual([
      'clients',
      'projects (repeated)',
    ]);
  });

  it('refuses before any scan runs; plain EXPLAIN shows the refusal as a note', async () => {
    const { catalog, sources, engine } = setup();
    catalog.limit = 2;
    const sql =
      'select name from clients union all select name from projects union all select name from tasks';
    await expect(engine.query(sql)).rejects.toMatchObject({ code: '53400' });
    await expect(engine.stream(sql)).rejects.toMatchObject({ code: '53400' });
    await expect(engine.explain(sql, { analyze: true })).rejects.toMatchObject({ code: '53400' });
    expect(Object.values(sources).map((s) => s.requests.length)).toEqual([0, 0, 0]);
    const text = await engine.explain(sql);
    expect(text.split('\n').slice(-2)).toEqual([
      'Estimated requests: 3',
      'Note: refused when run: would need about 3 requests, above 2',
    ]);
    catalog.limit = 3;
    expect((await engine.query(sql)).rowCount).toBeGreaterThan(0);
  });

  it('hands every scan the running total of the whole statement', async () => {
    const { sources, engine } = setup();
    await engine.query(
      'select name from clients union all select name from projects union all select name from tasks',
    );
    // Each of the three scans makes one request; each sees the ones before it.
    expect([sources.clients!.seen, sources.projects!.seen, sources.tasks!.seen]).toEqual([[0], [1], [2]]);
    await engine.query('select 1 from clients');
    // A new statement starts from zero.
    expect(sources.clients!.seen.at(-1)).toBe(0);
  });
});
