import { describe, expect, it } from 'vitest';
import type { FilterSupport, ParentEmbedding, TableSource } from '../../src/catalog/table-source.js';
import type { Column, Row } from '../../src/catalog/types.js';
import { createEngine } from '../../src/engine.js';
import { PAYMO_LIKE, TABLES, text } from './fixture.js';
import { type FilterOp, MemorySource, type MemorySourceOptions, memoryCatalog } from './memory-source.js';

type Support = Readonly<Record<string, Partial<Record<FilterOp, FilterSupport>>>>;

/** Which parent each child column references (`<child>.<column>` → parent table), as a source would declare it. */
const PARENTS: Record<string, Record<string, string>> = {
  projects: { client_id: 'clients' },
  tasks: { project_id: 'projects' },
  entries: { task_id: 'tasks' },
};

/**
 * A MemorySource that can carry the parents PARENTS declares, the generic way the contract says:
 * the combined source's rows are the child's rows left-joined with the parent's (`<parent>.<col>`
 * columns), its estimate is `combined` (default: the child's own), and `parentSupport` says how it
 * answers filters on the parent's columns.
 */
class ParentSource extends MemorySource {
  constructor(
    readonly table: string,
    readonly opts2: MemorySourceOptions & { combined?: number; parentSupport?: Support },
    /** Foreign-key columns usable with withParent, by column name → parent table. */
    readonly refs: Record<string, string>,
    readonly embedded: readonly string[] = [],
  ) {
    super(opts2);
  }

  override estimateRequests(): number {
    return this.embedded.length > 0 && this.opts2.combined !== undefined
      ? this.opts2.combined
      : (this.opts2.estimate ?? 1);
  }

  withParent(parent: TableSource, column: string): ParentEmbedding | undefined {
    if (!(parent instanceof ParentSource) || parent.embedded.length > 0) return undefined;
    if (this.refs[column] !== parent.table || this.embedded.includes(parent.table)) return undefined;
    const prefix = parent.table;
    const pRows = TABLES[parent.table]!.rows;
    const fk = this.schema.findIndex((c) => c.name === column);
    const rows: Row[] = (this.opts2.rows as Row[]).map((r) => {
      const p = pRows.find((x) => x[0] === r[fk] && r[fk] !== null);
      return [...r, ...(p ?? parent.schema.map(() => null))];
    });
    const schema: Column[] = [
      ...this.schema,
      ...parent.schema.map((c) => ({ ...c, name: `${prefix}.${c.name}`, nullable: true })),
    ];
    // A chain may follow through the new parent's own foreign keys.
    const refs = { ...this.refs };
    for (const [c, t] of Object.entries(PARENTS[parent.table] ?? {})) refs[`${prefix}.${c}`] = t;
    const source = new ParentSource(
      this.table,
      {
        ...this.opts2,
        schema,
        rows,
        support: { ...(this.opts2.support ?? {}), ...(this.opts2.parentSupport ?? {}) },
      },
      refs,
      [...this.embedded, parent.table],
    );
    last.set(this.table, source);
    return {
      source,
      parentKey: 'id',
      columns: new Map(parent.schema.map((c) => [c.name, `${prefix}.${c.name}`])),
      via: `embed ${prefix}`,
    };
  }
}

/** The most recent combined source built per child table (to inspect its requests). */
const last = new Map<string, ParentSource>();

function engines(
  extra: Record<string, { combined?: number; estimate?: number; parentSupport?: Support }> = {},
) {
  const make = () => {
    const sources: Record<string, ParentSource> = {};
    for (const [name, t] of Object.entries(TABLES)) {
      sources[name] = new ParentSource(
        name,
        { schema: t.schema, rows: t.rows, support: PAYMO_LIKE[name] ?? {}, ...(extra[name] ?? {}) },
        PARENTS[name] ?? {},
      );
    }
    return sources;
  };
  const on = make();
  return {
    on,
    engine: createEngine({ catalog: memoryCatalog(on), pushdown: true }),
    oracle: createEngine({ catalog: memoryCatalog(make()), pushdown: false }),
  };
}

/** Runs `sql` with pushdown on and off; both must agree. Returns the rows and the EXPLAIN text. */
async function check(sql: string, extra?: Parameters<typeof engines>[0]) {
  last.clear();
  const { engine, oracle, on } = engines(extra);
  const plan = await engine.explain(sql);
  const got = text(await engine.query(sql));
  const want = text(await oracle.query(sql));
  const sort = (rows: (string | null)[][]) => rows.map((r) => JSON.stringify(r)).sort();
  expect(sort(got)).toEqual(sort(want));
  const scans = Object.values(on).reduce((n, s) => n + s.requests.length, 0);
  const combined = [...last.values()].reduce((n, s) => n + s.requests.length, 0);
  return { plan, rows: got, scans: scans + combined };
}

describe('parent-include rule (generic TableSource.withParent)', () => {
  it('replaces an inner join with one scan of the combined source, either order', async () => {
    for (const sql of [
      'select t.name, p.name from tasks t join projects p on p.id = t.project_id where t.complete = false',
      'select t.name, p.name from projects p join tasks t on t.project_id = p.id where t.complete = false',
    ]) {
      const r = await check(sql);
      expect(r.plan).toContain('parent projects AS p via embed projects');
      expect(r.plan).toContain('(projects.id IS NOT NULL)');
      expect(r.plan).not.toContain('Join');
      expect(r.scans).toBe(1);
      expect(r.rows).toHaveLength(6);
    }
  });

  it('drops children without a parent in an inner join, keeps them with NULLs in a LEFT join', async () => {
    const inner = await check('select e.id, t.name from entries e join tasks t on t.id = e.task_id');
    expect(inner.rows.map((r) => r[0])).not.toContain('1009');
    const left = await check('select e.id, t.name from entries e left join tasks t on t.id = e.task_id');
    expect(left.rows).toContainEqual(['1009', null]);
    expect(left.plan).toContain('parent tasks AS t');
    // Projects without a client (NULL key) stay in a LEFT join, leave an inner one.
    const p = await check('select p.name, c.name from projects p left join clients c on c.id = p.client_id');
    expect(p.rows).toContainEqual(['Internal', null]);
  });

  it('a LEFT/RIGHT join with conditions on the parent blanks its columns and keeps every child row', async () => {
    for (const sql of [
      'select t.id, p.name, p.budget from tasks t left join projects p on p.id = t.project_id and p.billable',
      'select t.id, p.name, p.budget from projects p right join tasks t on t.project_id = p.id and p.billable',
    ]) {
      const r = await check(sql);
      expect(r.plan).toContain('CASE WHEN (projects.billable = true) THEN projects.name END');
      expect(r.rows).toHaveLength(9);
      expect(r.rows).toContainEqual(['105', null, null]);
      expect(r.scans).toBe(1);
    }
  });

  it('offers the parent filters to the combined source: exact ones leave the local Filter', async () => {
    const sql = "select t.name from tasks t join projects p on p.id = t.project_id where p.name = 'App'";
    const r = await check(sql, { tasks: { parentSupport: { 'projects.name': { '=': 'exact' } } } });
    expect(r.plan).toContain("pushed filters: (projects.name = 'App')");
    expect(r.plan).toMatch(/Filter \(projects\.id IS NOT NULL\)\n/);
    expect(last.get('tasks')!.requests[0]!.filters).toHaveLength(1);
    expect(r.rows).toEqual([['iOS build'], ['Android build']]);
    // Without support the filter stays local, under the same scan.
    const local = await check(sql);
    expect(local.plan).toContain("(projects.name = 'App')");
    expect(local.plan).not.toContain('pushed filters');
  });

  it('embeds along a chain and keeps residual conditions and subquery filters above the scan', async () => {
    const chain = await check(
      'select e.id, t.name, p.name from entries e join tasks t on t.id = e.task_id join projects p on p.id = t.project_id',
    );
    expect(chain.plan).toContain('parent tasks AS t via embed tasks');
    expect(chain.plan).toContain('parent projects AS p via embed projects');
    expect(chain.scans).toBe(1);
    const residual = await check(
      'select p.name, c.name from projects p join clients c on c.id = p.client_id and c.created_on < p.created_at::date',
    );
    expect(residual.plan).toContain('parent clients AS c');
    const sub = await check(
      'select t.name from tasks t join projects p on p.id = t.project_id where p.budget > (select avg(budget) from projects)',
    );
    expect(sub.plan).toContain('parent projects AS p');
    expect(sub.rows).toEqual([['iOS build'], ['Android build']]);
  });

  it('leaves the join alone when it saves nothing, for FULL joins, and with pushdown off', async () => {
    const costly = await check('select t.name, p.name from tasks t join projects p on p.id = t.project_id', {
      tasks: { combined: 2 },
    });
    expect(costly.plan).toContain('Hash Join');
    expect(costly.plan).not.toContain('parent projects');
    const full = await check(
      'select t.name, p.name from tasks t full join projects p on p.id = t.project_id',
    );
    expect(full.plan).toContain('Hash Join full');
    const parentKept = await check(
      'select p.name, t.name from projects p left join tasks t on t.project_id = p.id',
    );
    expect(parentKept.plan).toContain('Hash Join left');
    const { oracle } = engines();
    expect(
      await oracle.explain('select t.name from tasks t join projects p on p.id = t.project_id'),
    ).toContain('Hash Join');
  });
});
