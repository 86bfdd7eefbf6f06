import { describe, expect, it } from 'vitest';
import { ALL_SPECS, type ObjectSpec, specByName, validateSpecs } from '../../src/paymo/specs/index.js';
import { RESOURCES, resourceByPath } from '../../src/simulator/resources.js';
import type { FieldDef, FieldType, ResourceDef } from '../../src/simulator/types.js';

const SKYVIA = [
  'clients',
  'client_contacts',
  'company',
  'discussions',
  'discussion_comments',
  'estimates',
  'estimate_line_items',
  'estimate_templates',
  'expenses',
  'invoice_payments',
  'invoices',
  'invoice_line_items',
  'invoice_templates',
  'milestones',
  'projects',
  'project_statuses',
  'project_templates',
  'reports',
  'task_comments',
  'task_lists',
  'tasks',
  'time_entries',
  'users',
  'workflows',
  'workflow_statuses',
];
const EXTRA = [
  'bookings',
  'task_assignments',
  'subtasks',
  'files',
  'comment_threads',
  'invoice_recurring_profiles',
  'task_recurring_profiles',
  'webhooks',
  'me',
];

const SQL_OF: Record<FieldType, readonly string[]> = {
  int: ['bigint', 'integer'],
  number: ['numeric'],
  bool: ['boolean'],
  string: ['text'],
  html: ['text'],
  date: ['date'],
  datetime: ['timestamptz'],
  'int[]': ['bigint[]'],
  'string[]': ['text[]'],
  object: ['jsonb'],
  any: ['jsonb'],
};

function sim(path: string): ResourceDef {
  const def = resourceByPath(path);
  if (!def) throw new Error(`simulator has no resource ${path}`);
  return def;
}

function field(def: ResourceDef, name: string): FieldDef | undefined {
  return def.fields.find((f) => f.name === name && f.access !== 'W' && f.access !== 'V');
}

/** The simulator resources at each level of a nested route (level 0 = the listed resource). */
function levels(root: ResourceDef, descend: readonly string[]): ResourceDef[] {
  const out = [root];
  for (const key of descend) {
    const cur = out.at(-1)!;
    const inc = cur.includes.find((i) => i.key === key || i.aliases?.includes(key));
    if (!inc) throw new Error(`${cur.path} has no include ${key}`);
    out.push(sim(inc.resource));
  }
  return out;
}

/** Whether the simulator accepts `name` in a where clause of `def`. */
function filterable(def: ResourceDef, name: string): boolean {
  return field(def, name) !== undefined || (def.virtualFilters ?? []).some((v) => v.name === name);
}

function checkColumn(
  spec: ObjectSpec,
  def: ResourceDef,
  name: string,
  problems: string[],
  from = name,
  alwaysSet = false,
): void {
  const c = spec.columns.find((x) => x.name === name)!;
  const f = field(def, from);
  if (!f) {
    problems.push(`${spec.name}.${name}: no field ${from} in simulator ${def.path}`);
    return;
  }
  // A selector (preset or ids) is shown as text whatever JSON form Paymo sends.
  const fits = SQL_OF[f.type].includes(c.type) || (c.selector !== undefined && c.type === 'text');
  if (!fits) problems.push(`${spec.name}.${name}: ${c.type} for ${f.type}`);
  const mayBeNull = f.nullable || f.emit === 'when-set' || f.emit === 'read-one';
  if (mayBeNull && !c.nullable && !alwaysSet)
    problems.push(`${spec.name}.${name}: NOT NULL but the simulator may omit it`);
}

describe('Paymo specs', () => {
  it('validate without problems', () => {
    expect(validateSpecs()).toEqual([]);
  });

  it('cover the 25 Skyvia tables and the extras, with Skyvia names as aliases', () => {
    expect(ALL_SPECS.map((s) => s.name).sort()).toEqual([...SKYVIA, ...EXTRA].sort());
    expect(specByName('TimeEntries')?.name).toBe('time_entries');
    expect(specByName('timeentries')?.name).toBe('time_entries');
    expect(specByName('InvoiceLineItems')?.name).toBe('invoice_line_items');
    expect(specByName('ClientContacts')?.name).toBe('client_contacts');
    for (const name of SKYVIA) {
      const pascal = name.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
      expect(specByName(pascal)?.name, pascal).toBe(name);
    }
  });

  it('carry the DML matrix of issue 5', () => {
    const iud = [
      'client_contacts',
      'clients',
      'discussions',
      'estimates',
      'estimate_templates',
      'expenses',
      'invoice_payments',
      'invoices',
      'invoice_templates',
      'milestones',
      'projects',
      'project_templates',
      'reports',
      'task_lists',
      'tasks',
      'time_entries',
      'users',
      'workflows',
      'workflow_statuses',
      // Not in issue 5's list, but Paymo writes comments through /api/comments (2.4, and the ways
      // paymo-api.md section 4 gives for Skyvia's DiscussionComments / TaskComments).
      'discussion_comments',
      'task_comments',
    ];
    for (const name of SKYVIA) {
      const w = specByName(name)!.writes;
      const want = iud.includes(name)
        ? { insert: true, update: true, delete: true }
        : name === 'project_statuses'
          ? { insert: false, update: true, delete: true }
          : name === 'company'
            ? { insert: false, update: true, delete: false }
            : { insert: false, update: false, delete: false };
      expect(w, name).toEqual(want);
    }
    for (const name of ['invoices', 'estimates'])
      expect(specByName(name)!.writeRules, name).toContainEqual(
        expect.objectContaining({ kind: 'positive', column: 'discount' }),
      );
    expect(specByName('time_entries')!.writeRules).toEqual([
      expect.objectContaining({
        kind: 'one-of-groups',
        groups: [
          ['date', 'duration'],
          ['start_time', 'end_time'],
        ],
        exclusive: true,
      }),
    ]);
    expect(specByName('tasks')!.writeRules).toEqual([
      expect.objectContaining({ kind: 'one-of-groups', groups: [['project_id'], ['tasklist_id']] }),
    ]);
    // The extra tables get what Paymo supports (paymo-api.md 2.x, 5): files cannot be uploaded by SQL.
    const extra: Record<string, string> = {
      bookings: 'IUD',
      task_assignments: 'IUD',
      subtasks: 'IUD',
      files: 'UD',
      comment_threads: '',
      invoice_recurring_profiles: 'IUD',
      task_recurring_profiles: 'IUD',
      webhooks: 'IUD',
      me: '',
    };
    for (const [name, ops] of Object.entries(extra)) {
      const w = specByName(name)!.writes;
      expect(`${w.insert ? 'I' : ''}${w.update ? 'U' : ''}${w.delete ? 'D' : ''}`, name).toBe(ops);
    }
  });

  it('agree with the simulator on write access: read-only, create-only, required', () => {
    const problems: string[] = [];
    for (const spec of ALL_SPECS) {
      const w = spec.writes;
      if (spec.read.kind === 'nested' || !(w.insert || w.update)) continue;
      const def = sim(spec.resource);
      if (w.insert && !def.ops.includes('create')) problems.push(`${spec.name}: simulator cannot create`);
      if (w.update && !def.ops.includes('update')) problems.push(`${spec.name}: simulator cannot update`);
      if (w.delete && !def.ops.includes('delete')) problems.push(`${spec.name}: simulator cannot delete`);
      for (const c of spec.columns) {
        if (c.derived) continue;
        const f = def.fields.find((x) => x.name === c.name);
        if (!f) {
          problems.push(`${spec.name}.${c.name}: not a simulator field`);
          continue;
        }
        const access = c.readOnly ? 'RO' : c.createOnly ? 'C' : 'RW';
        // Files may change only their name and description (2.10): the simulator ignores the rest.
        const ignored = spec.name === 'files' && access === 'RO' && f.access !== 'RO';
        if (access !== f.access && !ignored)
          problems.push(`${spec.name}.${c.name}: ${access} here, ${f.access} in the simulator`);
        // SQL may require more than Paymo (a request parameter that is no column), never less.
        if (
          f.required &&
          !c.requiredOnInsert &&
          !(spec.writeRules ?? []).some((r) => r.kind === 'one-of-groups')
        )
          problems.push(`${spec.name}.${c.name}: required by the simulator, optional here`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('report broken declarations', () => {
    const tasks = specByName('tasks')!;
    const broken: ObjectSpec = {
      ...tasks,
      aliases: ['TimeEntries'],
      columns: [
        ...tasks.columns,
        { name: 'Bad', type: 'text', nullable: true, comment: '' },
        {
          name: 'x',
          type: 'boolean',
          nullable: true,
          comment: 'x',
          filters: [{ op: 'like', exactness: 'exact' }],
        },
      ],
      foreignKeys: [...tasks.foreignKeys, { column: 'project_id', table: 'nowhere', references: 'id' }],
      writeRules: [{ kind: 'positive', column: 'nope', message: 'm' }],
    };
    const problems = validateSpecs([...ALL_SPECS.filter((s) => s.name !== 'tasks'), broken]);
    expect(problems.join('\n')).toMatch(/TimeEntries: names both/);
    expect(problems.join('\n')).toMatch(/tasks.Bad: column name is not snake_case/);
    expect(problems.join('\n')).toMatch(/tasks.Bad: no comment/);
    expect(problems.join('\n')).toMatch(/tasks.x: operator like does not fit type boolean/);
    expect(problems.join('\n')).toMatch(/references unknown table nowhere/);
    expect(problems.join('\n')).toMatch(/write rule names unknown column nope/);
    const entries = specByName('time_entries')!;
    const noFallback: ObjectSpec = {
      ...entries,
      read: { kind: 'list', byId: true, required: { anyOf: ['nothing'] } },
    };
    expect(validateSpecs([noFallback]).join('\n')).toMatch(/no predicate and no fallback/);
  });

  it('agree with the simulator: columns, types, nullability, filters, required filters', () => {
    const problems: string[] = [];
    for (const spec of ALL_SPECS) {
      const read = spec.read;
      if (read.kind === 'nested') {
        for (const route of read.routes) {
          const lv = levels(sim(route.resource), route.descend);
          for (const c of spec.columns) {
            const v = route.values[c.name];
            // Parents without the keepIfSet attribute are skipped, so that column is never NULL.
            const kept = v?.level === 0 && v.field === route.keepIfSet;
            checkColumn(
              spec,
              lv[v?.level ?? route.descend.length]!,
              c.name,
              problems,
              v?.field ?? c.name,
              kept,
            );
          }
          for (const [c, f] of Object.entries(route.filters)) {
            if (!filterable(lv[0]!, f.field))
              problems.push(`${spec.name}.${c}: ${route.resource} cannot filter ${f.field}`);
          }
          const rf = lv[0]!.requiredFilter;
          if (rf && !route.required)
            problems.push(`${spec.name}: route ${route.resource} ignores a required filter`);
          for (const n of route.required?.anyOf ?? [])
            if (rf && !rf.anyOf.includes(n))
              problems.push(`${spec.name}: ${n} does not meet ${route.resource}'s filter`);
        }
        continue;
      }
      const def = sim(spec.resource);
      expect(def.key, spec.name).toBe(spec.key === 'users' && spec.resource === 'me' ? 'users' : spec.key);
      if (read.kind === 'singleton') expect(def.ops).not.toContain('list');
      for (const c of spec.columns) {
        // A derived column is computed from other columns (checked themselves), not sent by Paymo.
        if (c.derived) {
          if (c.interval && !(def.virtualFilters ?? []).some((v) => v.name === c.interval!.param))
            problems.push(`${spec.name}.${c.name}: simulator has no interval ${c.interval.param}`);
          continue;
        }
        checkColumn(spec, def, c.name, problems);
        if (c.filters && !filterable(def, c.name))
          problems.push(`${spec.name}.${c.name}: simulator cannot filter`);
        if (
          c.interval &&
          !(def.virtualFilters ?? []).some((v) => v.kind === 'interval' && v.name === c.interval!.param)
        )
          problems.push(`${spec.name}.${c.name}: simulator has no interval ${c.interval.param}`);
      }
      if (read.kind === 'list') {
        const rf = def.requiredFilter;
        expect(Boolean(read.required), `${spec.name} required filter`).toBe(Boolean(rf));
        if (rf && read.required) {
          expect([...read.required.anyOf].sort(), spec.name).toEqual([...rf.anyOf].sort());
          expect([...(read.required.intervals ?? [])].sort(), spec.name).toEqual(
            [...(rf.intervals ?? [])].sort(),
          );
        }
        if (read.fallback?.kind === 'fan-out') expect(filterable(def, read.fallback.field)).toBe(true);
      }
    }
    expect(problems).toEqual([]);
  });

  it('leave out no readable simulator field of a direct table', () => {
    const missing: string[] = [];
    for (const spec of ALL_SPECS) {
      if (spec.read.kind === 'nested') continue;
      const def = RESOURCES.find((r) => r.path === spec.resource)!;
      for (const f of def.fields) {
        if (f.access === 'W' || f.access === 'V') continue;
        if (!spec.columns.some((c) => c.name === f.name)) missing.push(`${spec.name}.${f.name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
