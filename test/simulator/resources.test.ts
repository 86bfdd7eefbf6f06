import { describe, expect, it } from 'vitest';
import { RESOURCES, resourceByPath, validateResources } from '../../src/simulator/resources.js';
import type {
  CallContext,
  FieldDef,
  Rec,
  ResourceDef,
  StoreView,
  VirtualFilter,
} from '../../src/simulator/types.js';

function def(path: string): ResourceDef {
  const found = resourceByPath(path);
  if (!found) throw new Error(`no resource ${path}`);
  return found;
}

function field(path: string, name: string): FieldDef {
  const found = def(path).fields.find((x) => x.name === name);
  if (!found) throw new Error(`no field ${path}.${name}`);
  return found;
}

function filter(path: string, name: string): VirtualFilter {
  const found = def(path).virtualFilters?.find((v) => v.name === name);
  if (!found) throw new Error(`no virtual filter ${path}.${name}`);
  return found;
}

/** A store over literal rows, enough for the resolvers of virtual filters. */
function contextWith(data: Record<string, Rec[]>, userId = 1): CallContext {
  const store: StoreView = {
    get: (path, id) => data[path]?.find((r) => r.id === id),
    findBy: (path, name, value) =>
      (data[path] ?? []).filter((r) => {
        const v = r[name];
        return Array.isArray(v) ? v.includes(value) : v === value;
      }),
    all: (path) => data[path] ?? [],
  };
  return { userId, store, now: Date.UTC(2024, 4, 15, 12) };
}

function derive(vf: VirtualFilter, rec: Rec, ctx: CallContext): unknown {
  if (vf.kind !== 'derived') throw new Error(`${vf.name} is not derived`);
  return vf.value(rec, ctx);
}

function inInterval(vf: VirtualFilter, rec: Rec, from: string, to: string, ctx: CallContext): boolean {
  if (vf.kind !== 'interval') throw new Error(`${vf.name} is not an interval`);
  return vf.test(rec, Date.parse(from), Date.parse(to), ctx);
}

/** A minimal valid pair of resources to break one declaration at a time. */
function base(): ResourceDef[] {
  const id: FieldDef = { name: 'id', type: 'int', nullable: false, access: 'RO' };
  return [
    {
      path: 'parents',
      key: 'parents',
      ops: ['list', 'read'],
      fields: [id, { name: 'name', type: 'string', nullable: false, access: 'RW', required: true }],
      includes: [{ key: 'kids', resource: 'kids', kind: 'child', foreignField: 'parent_id' }],
    },
    {
      path: 'kids',
      key: 'kids',
      ops: ['list'],
      fields: [id, { name: 'parent_id', type: 'int', nullable: false, access: 'C' }],
      includes: [{ key: 'parent', resource: 'parents', kind: 'parent', localField: 'parent_id' }],
      requiredFilter: { anyOf: ['parent_id'] },
    },
  ];
}

/** `base()` with resource `i` replaced by `patch(resource)`. */
function broken(i: number, patch: (d: ResourceDef) => ResourceDef): ResourceDef[] {
  const defs = base();
  defs[i] = patch(defs[i]);
  return defs;
}

function problemsOf(defs: readonly ResourceDef[]): string {
  return validateResources(defs).join('\n');
}

describe('RESOURCES', () => {
  it('passes its own validation', () => {
    expect(validateResources(RESOURCES)).toEqual([]);
  });

  it('serves every path of the 1.1 directory', () => {
    const directory = [
      ['bookings', 'bookings'],
      ['clientcontacts', 'clientcontacts'],
      ['clients', 'clients'],
      ['comments', 'comments'],
      ['threads', 'threads'],
      ['company', 'company'],
      ['discussions', 'discussions'],
      ['estimatetemplates', 'estimatetemplates'],
      ['estimatetemplatesgallery', 'estimatetemplatesgallery'],
      ['estimates', 'estimates'],
      ['expenses', 'expenses'],
      ['files', 'files'],
      ['invoicetemplates', 'invoicetemplates'],
      ['invoicetemplatesgallery', 'invoicetemplatesgallery'],
      ['invoicepayments', 'invoicepayments'],
      ['recurringprofiles', 'recurringprofiles'],
      ['invoices', 'invoices'],
      ['milestones', 'milestones'],
      ['projecttemplates', 'project_templates'],
      ['projecttemplatestasklists', 'project_templates_tasklists'],
      ['projecttemplatestasks', 'project_templates_tasks'],
      ['projectstatuses', 'projectstatuses'],
      ['projects', 'projects'],
      ['reports', 'reports'],
      ['subtasks', 'subtasks'],
      ['sessions', 'sessions'],
      ['tasklists', 'tasklists'],
      ['taskrecurringprofiles', 'taskrecurringprofiles'],
      ['tasks', 'tasks'],
      ['entries', 'entries'],
      ['users', 'users'],
      ['userstasks', 'userstasks'],
      ['workflows', 'workflows'],
      ['workflowstatuses', 'workflowstatuses'],
      ['hooks', 'hooks'],
      ['me', 'users'],
    ];
    for (const [path, key] of directory) {
      const found = resourceByPath(path);
      expect(found?.path, path).toBe(path);
      expect(found?.key, path).toBe(key);
      expect(found?.ops.length, path).toBeGreaterThan(0);
    }
  });

  it('resolves path aliases and refuses unknown paths', () => {
    expect(resourceByPath('recurringprofile')?.path).toBe('recurringprofiles');
    expect(resourceByPath('currencies')).toBeUndefined();
    expect(resourceByPath('leavetypes')).toBeUndefined();
    expect(resourceByPath('')).toBeUndefined();
  });

  it('declares each path once, with a non-null id', () => {
    const paths = RESOURCES.map((r) => r.path);
    expect(new Set(paths).size).toBe(paths.length);
    for (const r of RESOURCES) expect(r.fields.find((x) => x.name === 'id')?.nullable).toBe(false);
    expect(field('sessions', 'id').type).toBe('string');
    expect(field('tasks', 'id').type).toBe('int');
  });

  it('models company as a read/update singleton', () => {
    const company = def('company');
    expect(company.singleton).toBe(true);
    expect([...company.ops].sort()).toEqual(['read', 'update']);
    expect(company.key).toBe('company');
    expect(field('company', 'max_projects').nullable).toBe(true);
    expect(field('company', 'next_invoice_number').type).toBe('string');
    expect(RESOURCES.filter((r) => r.singleton).map((r) => r.path)).toEqual(['company']);
  });

  it('serves /me as the users object, read only', () => {
    const me = def('me');
    expect(me.ops).toEqual(['read']);
    expect(me.key).toBe('users');
    expect(me.fields).toEqual(def('users').fields);
    expect(me.includes).toEqual(def('users').includes);
  });

  it('keeps line items reachable only through their parents', () => {
    for (const [items, owner, key] of [
      ['invoiceitems', 'invoices', 'invoice_id'],
      ['estimateitems', 'estimates', 'estimate_id'],
      ['recurringprofileitems', 'recurringprofiles', 'recurring_profile_id'],
    ]) {
      expect(def(items).ops, items).toEqual([]);
      expect(field(items, key).access).toBe('RO');
      expect(def(owner).includes).toContainEqual({
        key: items,
        resource: items,
        kind: 'child',
        foreignField: key,
      });
    }
    expect(field('invoiceitems', 'entries')).toMatchObject({ type: 'int[]', access: 'V' });
    expect(field('invoiceitems', 'expense_id')).toMatchObject({ type: 'int', nullable: true, access: 'RW' });
    expect(field('invoices', 'items').access).toBe('V');
    expect(field('invoices', 'estimate_id').access).toBe('V');
  });

  it('records the access of server-set and create-only fields', () => {
    expect(field('tasks', 'code').access).toBe('RO');
    expect(field('tasks', 'project_id').access).toBe('C');
    expect(field('tasklists', 'project_id').access).toBe('C');
    expect(field('invoicepayments', 'invoice_id')).toMatchObject({ access: 'C', required: true });
    expect(field('entries', 'project_id').access).toBe('RO');
    expect(field('entries', 'is_bulk').access).toBe('RO');
    expect(field('projects', 'estimated_price').access).toBe('RO');
    expect(field('users', 'password').access).toBe('W');
    expect(field('hooks', 'secret').access).toBe('W');
    expect(field('projects', 'template_id').access).toBe('V');
    expect(field('clients', 'active')).toMatchObject({ access: 'RW', default: true });
    expect(field('clientcontacts', 'client_id')).toMatchObject({ access: 'RW', required: true });
    expect(field('workflowstatuses', 'workflow_id').access).toBe('C');
  });

  it('marks required create fields', () => {
    const required = (path: string) =>
      def(path)
        .fields.filter((x) => x.required)
        .map((x) => x.name)
        .sort();
    expect(required('bookings')).toEqual(['end_date', 'hours_per_day', 'start_date', 'user_task_id']);
    expect(required('invoices')).toEqual(['client_id', 'currency']);
    expect(required('users')).toEqual(['email']);
    expect(required('entries')).toEqual(['task_id']);
    expect(required('workflowstatuses')).toEqual(['color', 'name', 'workflow_id']);
    expect(required('taskrecurringprofiles')).toEqual(['frequency', 'interval', 'recurring_start_date']);
  });

  it('lists the documented enums', () => {
    expect(field('invoices', 'status').enum).toEqual(['draft', 'sent', 'viewed', 'paid', 'void']);
    expect(field('estimates', 'status').enum).toEqual([
      'draft',
      'sent',
      'viewed',
      'accepted',
      'invoiced',
      'void',
    ]);
    expect(field('reports', 'type').enum).toEqual(['static', 'live', 'temp']);
    expect(field('reports', 'date_interval').enum).toContain('all_time');
    expect(field('recurringprofiles', 'frequency').enum).toEqual([
      'w',
      '2w',
      '3w',
      '4w',
      'm',
      '2m',
      '3m',
      '6m',
      'y',
    ]);
    expect(field('taskrecurringprofiles', 'frequency').enum).toEqual(['daily', 'weekly', 'monthly']);
    expect(field('users', 'type').enum).toEqual(['Admin', 'Employee', 'Guest']);
    expect(field('projects', 'hourly_billing_mode')).toMatchObject({
      nullable: true,
      enum: ['task', 'project', 'company'],
    });
    expect(field('workflowstatuses', 'action').enum).toEqual(['backlog', 'complete', '']);
  });

  it('gives the create defaults', () => {
    expect(field('invoices', 'status').default).toBe('draft');
    expect(field('estimates', 'status').default).toBe('draft');
    expect(field('tasks', 'priority').default).toBe(50);
    expect(field('tasks', 'complete').default).toBe(false);
    expect(field('tasks', 'users').default).toEqual([]);
    expect(field('projects', 'managers').default).toEqual([]);
    const ctx = contextWith({}, 7);
    const paymentDate = field('invoicepayments', 'date').default;
    expect(typeof paymentDate).toBe('function');
    expect((paymentDate as (c: CallContext) => unknown)(ctx)).toBe('2024-05-15');
    expect((field('entries', 'user_id').default as (c: CallContext) => unknown)(ctx)).toBe(7);
  });

  it('omits absent keys instead of emitting null where the docs do', () => {
    const whenSet = (path: string) =>
      def(path)
        .fields.filter((x) => x.emit === 'when-set')
        .map((x) => x.name);
    expect(whenSet('threads')).toEqual(['discussion_id', 'task_id', 'file_id']);
    expect(whenSet('files')).toEqual(['discussion_id', 'task_id', 'comment_id']);
    expect(whenSet('entries')).toEqual(['start_time', 'end_time', 'date']);
    for (const path of ['clients', 'clientcontacts', 'company', 'users']) {
      expect(whenSet(path), path).toEqual([
        'image',
        'image_thumb_large',
        'image_thumb_medium',
        'image_thumb_small',
      ]);
    }
    expect(field('entries', 'duration').emit).toBeUndefined();
    expect(field('entries', 'end_time').nullable).toBe(true);
  });

  it('declares the required list filters of 1.11', () => {
    expect(def('entries').requiredFilter).toEqual({
      anyOf: ['task_id', 'project_id', 'user_id', 'client_id'],
      intervals: ['time_interval'],
    });
    expect(def('bookings').requiredFilter).toEqual({
      anyOf: ['user_task_id', 'task_id', 'project_id', 'user_id'],
      intervals: ['date_interval'],
      allOf: [['start_date', 'end_date']],
    });
    expect(def('userstasks').requiredFilter?.anyOf).toEqual(['user_id', 'task_id']);
    expect(def('files').requiredFilter?.anyOf).toEqual([
      'project_id',
      'discussion_id',
      'task_id',
      'comment_id',
    ]);
    expect(def('threads').requiredFilter?.anyOf).toEqual([
      'project_id',
      'task_id',
      'discussion_id',
      'file_id',
    ]);
    expect(def('comments').requiredFilter?.anyOf).toEqual([
      'thread_id',
      'task_id',
      'discussion_id',
      'file_id',
    ]);
    const withFilter = RESOURCES.filter((r) => r.requiredFilter).map((r) => r.path);
    expect(withFilter.sort()).toEqual(['bookings', 'comments', 'entries', 'files', 'threads', 'userstasks']);
  });

  it('wires the documented includes', () => {
    const tasks = def('tasks').includes;
    expect(tasks).toContainEqual({
      key: 'thread',
      resource: 'threads',
      kind: 'parent',
      foreignField: 'task_id',
    });
    expect(tasks).toContainEqual({
      key: 'workflowstatus',
      resource: 'workflowstatuses',
      kind: 'parent',
      localField: 'status_id',
    });
    expect(def('projects').includes.map((i) => i.key)).toEqual([
      'client',
      'projectstatus',
      'invoiceitem',
      'workflow',
      'tasklists',
      'tasks',
      'milestones',
      'discussions',
      'files',
    ]);
    expect(def('projecttemplates').includes[0]).toMatchObject({
      key: 'projecttemplatestasklists',
      aliases: ['projecttemplatetasklists'],
      foreignField: 'template_id',
    });
    expect(def('bookings').includes).toEqual([
      { key: 'usertask', resource: 'userstasks', kind: 'parent', localField: 'user_task_id' },
    ]);
    expect(def('projectstatuses').includes).toEqual([
      { key: 'projects', resource: 'projects', kind: 'child', foreignField: 'status_id' },
    ]);
    expect(
      def('users')
        .includes.map((i) => i.key)
        .sort(),
    ).toEqual(['comments', 'discussions', 'entries', 'expenses', 'files', 'milestones', 'reports']);
  });
});

describe('virtual filters', () => {
  const data: Record<string, Rec[]> = {
    projects: [
      { id: 10, client_id: 100, users: [1, 2] },
      { id: 11, client_id: 101, users: [2] },
    ],
    tasks: [
      { id: 20, project_id: 10, users: [] },
      { id: 21, project_id: 10, users: [2] },
      { id: 22, project_id: 10, users: [1] },
      { id: 23, project_id: 11, users: [] },
    ],
    userstasks: [{ id: 30, user_id: 2, task_id: 21 }],
    threads: [{ id: 40, project_id: 10, task_id: 22 }],
  };
  const ctx = contextWith(data, 1);

  it('derives an entry client from its project', () => {
    expect(derive(filter('entries', 'client_id'), { id: 1, project_id: 11 }, ctx)).toBe(101);
    expect(derive(filter('entries', 'client_id'), { id: 1, project_id: 99 }, ctx)).toBeNull();
  });

  it('places interval and bulk entries in a half-open time interval', () => {
    const vf = filter('entries', 'time_interval');
    const from = '2024-05-01T00:00:00Z';
    const to = '2024-06-01T00:00:00Z';
    expect(inInterval(vf, { id: 1, start_time: '2024-05-01T00:00:00Z' }, from, to, ctx)).toBe(true);
    expect(inInterval(vf, { id: 1, start_time: '2024-06-01T00:00:00Z' }, from, to, ctx)).toBe(false);
    expect(inInterval(vf, { id: 1, start_time: '2024-04-30T23:59:59Z' }, from, to, ctx)).toBe(false);
    expect(inInterval(vf, { id: 1, date: '2024-05-31' }, from, to, ctx)).toBe(true);
    expect(inInterval(vf, { id: 1, date: '2024-06-01' }, from, to, ctx)).toBe(false);
    expect(inInterval(vf, { id: 1 }, from, to, ctx)).toBe(false);
  });

  it('resolves booking filters through the assignment', () => {
    const booking: Rec = { id: 1, user_task_id: 30, start_date: '2024-05-10', end_date: '2024-05-12' };
    expect(derive(filter('bookings', 'user_id'), booking, ctx)).toBe(2);
    expect(derive(filter('bookings', 'task_id'), booking, ctx)).toBe(21);
    expect(derive(filter('bookings', 'project_id'), booking, ctx)).toBe(10);
    expect(derive(filter('bookings', 'project_id'), { id: 2, user_task_id: 99 }, ctx)).toBeNull();
  });

  it('keeps bookings that overlap a closed date interval', () => {
    const vf = filter('bookings', 'date_interval');
    const booking: Rec = { id: 1, user_task_id: 30, start_date: '2024-05-10', end_date: '2024-05-12' };
    expect(inInterval(vf, booking, '2024-05-12', '2024-05-20', ctx)).toBe(true);
    expect(inInterval(vf, booking, '2024-05-01', '2024-05-10', ctx)).toBe(true);
    expect(inInterval(vf, booking, '2024-05-11', '2024-05-11', ctx)).toBe(true);
    expect(inInterval(vf, booking, '2024-05-13', '2024-05-20', ctx)).toBe(false);
    expect(inInterval(vf, booking, '2024-05-01', '2024-05-09', ctx)).toBe(false);
  });

  it('selects my tasks: mine or unassigned, in projects I belong to', () => {
    const vf = filter('tasks', 'mytasks');
    if (vf.kind !== 'predicate') throw new Error('mytasks is not a predicate');
    const mine = data.tasks.filter((t) => vf.test(t, true, ctx)).map((t) => t.id);
    expect(mine).toEqual([20, 22]);
    expect(data.tasks.filter((t) => vf.test(t, false, ctx)).map((t) => t.id)).toEqual([21, 23]);
    expect(data.tasks.filter((t) => vf.test(t, 'true', ctx)).map((t) => t.id)).toEqual([20, 22]);
  });

  it('filters comments by the thread they live in', () => {
    const comment: Rec = { id: 1, thread_id: 40 };
    expect(derive(filter('comments', 'task_id'), comment, ctx)).toBe(22);
    expect(derive(filter('comments', 'project_id'), comment, ctx)).toBe(10);
    expect(derive(filter('comments', 'discussion_id'), comment, ctx)).toBeNull();
    expect(def('comments').includes).toContainEqual({
      key: 'project',
      resource: 'projects',
      kind: 'parent',
      localField: 'project_id',
    });
  });
});

describe('validateResources', () => {
  it('accepts the minimal pair', () => {
    expect(validateResources(base())).toEqual([]);
  });

  it('catches duplicate paths and aliases', () => {
    expect(problemsOf([...base(), base()[0]])).toContain("duplicate path 'parents'");
    expect(problemsOf(broken(1, (d) => ({ ...d, pathAliases: ['parents'] })))).toContain(
      "duplicate path 'parents'",
    );
  });

  it('catches duplicate fields and a missing or writable id', () => {
    expect(problemsOf(broken(0, (d) => ({ ...d, fields: [...d.fields, d.fields[1]] })))).toContain(
      "parents: duplicate field 'name'",
    );
    expect(problemsOf(broken(0, (d) => ({ ...d, fields: d.fields.slice(1) })))).toContain(
      "parents: no 'id' field",
    );
    expect(
      problemsOf(broken(0, (d) => ({ ...d, fields: [{ ...d.fields[0], access: 'RW' }, d.fields[1]] }))),
    ).toContain("'id' must be a non-null RO int or string");
  });

  it('catches include targets that do not exist', () => {
    const defs = broken(0, (d) => ({
      ...d,
      includes: [{ key: 'kids', resource: 'nowhere', kind: 'child', foreignField: 'parent_id' }],
    }));
    expect(problemsOf(defs)).toContain("parents include 'kids': unknown resource 'nowhere'");
  });

  it('catches include join fields that are not fields of the right resource', () => {
    const badForeign = broken(0, (d) => ({
      ...d,
      includes: [{ key: 'kids', resource: 'kids', kind: 'child', foreignField: 'mother_id' }],
    }));
    expect(problemsOf(badForeign)).toContain("foreignField 'mother_id' is not a stored field of kids");
    const badLocal = broken(1, (d) => ({
      ...d,
      includes: [{ key: 'parent', resource: 'parents', kind: 'parent', localField: 'mother_id' }],
    }));
    expect(problemsOf(badLocal)).toContain("localField 'mother_id' is not a field of kids");
    // The join field exists only on the other side.
    const wrongSide = broken(0, (d) => ({
      ...d,
      includes: [{ key: 'kids', resource: 'kids', kind: 'child', foreignField: 'name' }],
    }));
    expect(problemsOf(wrongSide)).toContain("foreignField 'name' is not a stored field of kids");
    const nonKey = broken(1, (d) => ({
      ...d,
      fields: [...d.fields, { name: 'born', type: 'date', nullable: false, access: 'RW' }],
      includes: [{ key: 'parent', resource: 'parents', kind: 'parent', localField: 'born' }],
    }));
    expect(problemsOf(nonKey)).toContain("localField 'born' is a date");
  });

  it('accepts a derived virtual filter as a join field, but not a V field', () => {
    const derived = broken(1, (d) => ({
      ...d,
      virtualFilters: [{ kind: 'derived', name: 'grand_id', type: 'int', value: () => null }],
      includes: [
        ...d.includes,
        { key: 'grand', resource: 'parents', kind: 'parent', localField: 'grand_id' },
      ],
    }));
    expect(validateResources(derived)).toEqual([]);
    const virtual = broken(1, (d) => ({
      ...d,
      fields: [...d.fields, { name: 'grand_id', type: 'int', nullable: false, access: 'V' }],
      includes: [
        ...d.includes,
        { key: 'grand', resource: 'parents', kind: 'parent', localField: 'grand_id' },
      ],
    }));
    expect(problemsOf(virtual)).toContain("localField 'grand_id' is not a field of kids");
    // The store finds children by stored values only.
    const derivedForeign = broken(1, (d) => ({
      ...d,
      virtualFilters: [{ kind: 'derived', name: 'grand_id', type: 'int', value: () => null }],
    }));
    derivedForeign[0] = {
      ...derivedForeign[0],
      includes: [{ key: 'grandkids', resource: 'kids', kind: 'child', foreignField: 'grand_id' }],
    };
    expect(problemsOf(derivedForeign)).toContain("foreignField 'grand_id' is not a stored field of kids");
  });

  it('catches malformed include shapes and key clashes', () => {
    const childWithLocal = broken(0, (d) => ({
      ...d,
      includes: [
        { key: 'kids', resource: 'kids', kind: 'child', localField: 'id', foreignField: 'parent_id' },
      ],
    }));
    expect(problemsOf(childWithLocal)).toContain('a child include needs foreignField and no localField');
    const parentWithBoth = broken(1, (d) => ({
      ...d,
      includes: [
        { key: 'parent', resource: 'parents', kind: 'parent', localField: 'parent_id', foreignField: 'id' },
      ],
    }));
    expect(problemsOf(parentWithBoth)).toContain('exactly one of localField and foreignField');
    const twice = broken(0, (d) => ({
      ...d,
      includes: [d.includes[0], { ...d.includes[0], key: 'children', aliases: ['kids'] }],
    }));
    expect(problemsOf(twice)).toContain("parents: duplicate include key 'kids'");
    const clash = broken(0, (d) => ({
      ...d,
      includes: [{ ...d.includes[0], key: 'name' }],
    }));
    expect(problemsOf(clash)).toContain("include key 'name' would overwrite a field");
  });

  it('catches required filters on unknown fields or of the wrong kind', () => {
    expect(problemsOf(broken(1, (d) => ({ ...d, requiredFilter: { anyOf: ['mother_id'] } })))).toContain(
      "'mother_id' is neither a field nor a derived virtual filter",
    );
    expect(
      problemsOf(broken(1, (d) => ({ ...d, requiredFilter: { anyOf: [], allOf: [['parent_id', 'born']] } }))),
    ).toContain("'born' is neither a field nor a derived virtual filter");
    expect(
      problemsOf(
        broken(1, (d) => ({ ...d, requiredFilter: { anyOf: ['parent_id'], intervals: ['parent_id'] } })),
      ),
    ).toContain("'parent_id' is not an interval virtual filter");
    expect(problemsOf(broken(1, (d) => ({ ...d, ops: ['read'] })))).toContain(
      'the resource has no list operation',
    );
    const withInterval = broken(1, (d) => ({
      ...d,
      virtualFilters: [{ kind: 'interval', name: 'span', type: 'date', test: () => true }],
      requiredFilter: { anyOf: ['span'], intervals: ['span'] },
    }));
    expect(problemsOf(withInterval)).toContain("'span' is neither a field nor a derived virtual filter");
    expect(problemsOf(withInterval)).not.toContain("'span' is not an interval");
  });

  it('catches enums on non-string fields and bad enum defaults', () => {
    const enumOnInt = broken(1, (d) => ({
      ...d,
      fields: [...d.fields, { name: 'rank', type: 'int', nullable: false, access: 'RW', enum: ['1', '2'] }],
    }));
    expect(problemsOf(enumOnInt)).toContain('kids.rank: enum on a int field');
    const defaultOutside = broken(1, (d) => ({
      ...d,
      fields: [
        ...d.fields,
        { name: 'mood', type: 'string', nullable: false, access: 'RW', enum: ['calm'], default: 'loud' },
      ],
    }));
    expect(problemsOf(defaultOutside)).toContain("kids.mood: default 'loud' is not in its enum");
  });

  it('catches defaults of the wrong type and null defaults on non-null fields', () => {
    const wrongType = broken(1, (d) => ({
      ...d,
      fields: [...d.fields, { name: 'done', type: 'bool', nullable: false, access: 'RW', default: 'no' }],
    }));
    expect(problemsOf(wrongType)).toContain('kids.done: default "no" is not a bool');
    const nullDefault = broken(1, (d) => ({
      ...d,
      fields: [...d.fields, { name: 'tags', type: 'string[]', nullable: false, access: 'RW', default: null }],
    }));
    expect(problemsOf(nullDefault)).toContain('kids.tags: default null is not a string[]');
    const computed = broken(1, (d) => ({
      ...d,
      fields: [
        ...d.fields,
        { name: 'day', type: 'date', nullable: false, access: 'RW', default: () => '2024-01-01' },
      ],
    }));
    expect(validateResources(computed)).toEqual([]);
  });

  it('catches required server-set fields', () => {
    const defs = broken(1, (d) => ({
      ...d,
      fields: [...d.fields, { name: 'code', type: 'string', nullable: false, access: 'RO', required: true }],
    }));
    expect(problemsOf(defs)).toContain('kids.code: required but RO');
  });

  it('catches virtual filters that shadow stored fields or repeat', () => {
    const shadow = broken(1, (d) => ({
      ...d,
      virtualFilters: [{ kind: 'derived', name: 'parent_id', type: 'int', value: () => 1 }],
    }));
    expect(problemsOf(shadow)).toContain("kids: virtual filter 'parent_id' shadows a field");
    const twice = broken(1, (d) => ({
      ...d,
      virtualFilters: [
        { kind: 'predicate', name: 'mine', type: 'bool', test: () => true },
        { kind: 'predicate', name: 'mine', type: 'bool', test: () => false },
      ],
    }));
    expect(problemsOf(twice)).toContain("kids: duplicate virtual filter 'mine'");
  });

  it('catches singletons with list/create/delete and unreachable stored-only resources', () => {
    expect(problemsOf(broken(0, (d) => ({ ...d, singleton: true })))).toContain(
      'parents: a singleton answers only read and update',
    );
    const orphan = broken(0, (d) => ({ ...d, ops: [], includes: [] }));
    orphan[1] = { ...orphan[1], includes: [] };
    expect(problemsOf(orphan)).toContain('parents: no operations and no include reaches it');
    expect(problemsOf(broken(1, (d) => ({ ...d, ops: [] })))).toBe(
      'kids required filter: the resource has no list operation',
    );
    expect(problemsOf(broken(0, (d) => ({ ...d, ops: ['list', 'list'] })))).toContain(
      "parents: duplicate operation 'list'",
    );
  });
});
