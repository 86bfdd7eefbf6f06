/**
 * Every Paymo endpoint the simulator serves, transcribed from ../shared/paymo-api.md section 2 (field
 * tables, includes) and 1.11 (required list filters), with the [SIM] choices of section 6.
 *
 * Conventions of the transcription: `Null?` Y or ? → nullable, N or — → not nullable (a — key is
 * absent rather than null, or is a request parameter); `string (url)` and `string (numeric)` are
 * `string`; `object[]` request parameters are `any`.
 */

import type {
  Access,
  CallContext,
  FieldDef,
  FieldType,
  IncludeDef,
  Rec,
  RequiredFilter,
  ResourceDef,
  VirtualFilter,
} from './types.js';

/**
 * A computed create default (the simulator's "today", the calling user): called with the request's
 * context when the body does not give the field.
 */
export type DefaultFn = (ctx: CallContext) => unknown;

type Nullity = 'N' | 'Y' | '?' | '-';
type FieldOpts = Pick<FieldDef, 'required' | 'enum' | 'default' | 'emit' | 'aliases'>;

function f(name: string, type: FieldType, nul: Nullity, access: Access, opts: FieldOpts = {}): FieldDef {
  return { name, type, nullable: nul === 'Y' || nul === '?', access, ...opts };
}

const REQ: FieldOpts = { required: true };
const WHEN_SET: FieldOpts = { emit: 'when-set' };
const FALSE: FieldOpts = { default: false };
const TRUE: FieldOpts = { default: true };
const EMPTY: FieldOpts = { default: [] };
const ZERO: FieldOpts = { default: 0 };

const today: DefaultFn = (ctx) => new Date(ctx.now).toISOString().slice(0, 10);
const caller: DefaultFn = (ctx) => ctx.userId;
const CALLER: FieldOpts = { default: caller };

const ID = f('id', 'int', 'N', 'RO');
const STAMPS: readonly FieldDef[] = [
  f('created_on', 'datetime', 'N', 'RO'),
  f('updated_on', 'datetime', 'N', 'RO'),
];

/** Logo / photo attributes: absent when no image exists (2.3 "choose absent"). */
const IMAGES: readonly FieldDef[] = [
  f('image', 'string', '?', 'RW', WHEN_SET),
  f('image_thumb_large', 'string', '?', 'RO', WHEN_SET),
  f('image_thumb_medium', 'string', '?', 'RO', WHEN_SET),
  f('image_thumb_small', 'string', '?', 'RO', WHEN_SET),
];

/** Receipt / file thumbnails: present as null for non-images. */
const THUMBS: readonly FieldDef[] = [
  f('image_thumb_large', 'string', '?', 'RO'),
  f('image_thumb_medium', 'string', '?', 'RO'),
  f('image_thumb_small', 'string', '?', 'RO'),
];

const TOTALS: readonly FieldDef[] = [
  f('subtotal', 'number', 'N', 'RO', ZERO),
  f('total', 'number', 'N', 'RO', ZERO),
  f('tax_amount', 'number', 'N', 'RO', ZERO),
  f('tax2_amount', 'number', 'N', 'RO', ZERO),
];

const parent = (key: string, resource: string, localField: string, aliases?: string[]): IncludeDef => ({
  key,
  resource,
  kind: 'parent',
  localField,
  ...(aliases ? { aliases } : {}),
});
/** A parent that points at us: the one `resource` row whose `foreignField` is our id (a task's thread). */
const owner = (key: string, resource: string, foreignField: string): IncludeDef => ({
  key,
  resource,
  kind: 'parent',
  foreignField,
});
const child = (key: string, resource: string, foreignField: string, aliases?: string[]): IncludeDef => ({
  key,
  resource,
  kind: 'child',
  foreignField,
  ...(aliases ? { aliases } : {}),
});

const CRUD = ['list', 'read', 'create', 'update', 'delete'] as const;
const READ_ONLY = ['list', 'read'] as const;

function lookup(ctx: CallContext, path: string, id: unknown): Rec | undefined {
  return typeof id === 'number' || typeof id === 'string' ? ctx.store.get(path, id) : undefined;
}

function ids(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Epoch ms of a `YYYY-MM-DD` day at UTC midnight (NaN for anything else, which compares false). */
function dayMs(value: unknown): number {
  return typeof value === 'string' ? Date.parse(`${value.slice(0, 10)}T00:00:00Z`) : Number.NaN;
}

/** Filters a comment by the thread it lives in (1.11 accepts them as equivalents of `thread_id`). */
function viaThread(name: string): VirtualFilter {
  return {
    kind: 'derived',
    name,
    type: 'int',
    value: (rec, ctx) => lookup(ctx, 'threads', rec.thread_id)?.[name] ?? null,
  };
}

/** Bookings carry only `user_task_id`; the assignment gives the user and task, the task the project. */
function viaAssignment(name: 'user_id' | 'task_id' | 'project_id'): VirtualFilter {
  return {
    kind: 'derived',
    name,
    type: 'int',
    value: (rec, ctx) => {
      const assignment = lookup(ctx, 'userstasks', rec.user_task_id);
      if (name !== 'project_id') return assignment?.[name] ?? null;
      return lookup(ctx, 'tasks', assignment?.task_id)?.project_id ?? null;
    },
  };
}

const USER_FIELDS: readonly FieldDef[] = [
  ID,
  f('name', 'string', '?', 'RW'),
  f('email', 'string', 'N', 'RW', REQ),
  f('type', 'string', 'N', 'RW', { enum: ['Admin', 'Employee', 'Guest'], default: 'Employee' }),
  f('active', 'bool', 'N', 'RW', TRUE),
  f('timezone', 'string', '?', 'RW'),
  f('phone', 'string', '?', 'RW'),
  f('skype', 'string', 'Y', 'RW'),
  f('position', 'string', '?', 'RW'),
  f('workday_hours', 'number', '?', 'RW'),
  f('price_per_hour', 'number', 'Y', 'RW'),
  ...IMAGES,
  f('date_format', 'string', '?', 'RW'),
  f('time_format', 'string', '?', 'RW'),
  f('decimal_sep', 'string', '?', 'RW'),
  f('thousands_sep', 'string', '?', 'RW'),
  f('week_start', 'string', '?', 'RW'),
  f('language', 'string', '?', 'RW'),
  f('theme', 'string', '?', 'RW'),
  f('assigned_projects', 'int[]', 'N', 'RW', EMPTY),
  f('managed_projects', 'int[]', 'N', 'RW', EMPTY),
  f('is_online', 'bool', '?', 'RO', FALSE),
  f('password', 'string', '-', 'W'),
  ...STAMPS,
];

const USER_INCLUDES: readonly IncludeDef[] = [
  child('comments', 'comments', 'user_id'),
  child('discussions', 'discussions', 'user_id'),
  child('entries', 'entries', 'user_id'),
  child('expenses', 'expenses', 'user_id'),
  child('files', 'files', 'user_id'),
  child('milestones', 'milestones', 'user_id'),
  child('reports', 'reports', 'user_id'),
];

/** Invoice and estimate templates share one model (2.7, 2.11). */
function templateFields(): readonly FieldDef[] {
  return [
    ID,
    f('name', 'string', 'N', 'RW', REQ),
    f('title', 'string', '?', 'RW'),
    f('html', 'string', '?', 'RW'),
    f('css', 'string', '?', 'RW'),
    f('is_default', 'bool', 'N', 'RW', FALSE),
    ...STAMPS,
  ];
}

/** The gallery's library items: read-only copies of template fields plus a preview `image`. */
function galleryFields(): readonly FieldDef[] {
  return [
    ID,
    f('name', 'string', 'N', 'RO'),
    f('title', 'string', '?', 'RO'),
    f('html', 'string', '?', 'RO'),
    f('css', 'string', '?', 'RO'),
    f('image', 'string', '?', 'RO'),
    ...STAMPS,
  ];
}

/** Lines of invoices, estimates and recurring profiles (2.8, 2.13, 2.14); `owner` is the parent id. */
function lineFields(ownerField: string, extra: readonly FieldDef[] = []): readonly FieldDef[] {
  return [
    ID,
    f(ownerField, 'int', 'N', 'RO'),
    f('item', 'string', 'N', 'RW', REQ),
    f('description', 'string', '?', 'RW'),
    f('price_unit', 'number', 'N', 'RW', REQ),
    f('quantity', 'number', 'N', 'RW', REQ),
    ...extra,
    f('apply_tax', 'bool', '?', 'RW'),
    f('seq', 'int', 'Y', 'RW'),
    ...STAMPS,
  ];
}

const ENTRIES_REQUIRED: RequiredFilter = {
  anyOf: ['task_id', 'project_id', 'user_id', 'client_id'],
  intervals: ['time_interval'],
};

/** The Paymo endpoints the simulator serves, one per path (paymo-api.md 1.1 and section 2). */
export const RESOURCES: readonly ResourceDef[] = [
  {
    path: 'bookings',
    key: 'bookings',
    ops: CRUD,
    fields: [
      ID,
      f('user_task_id', 'int', 'N', 'RW', REQ),
      f('start_date', 'date', 'N', 'RW', REQ),
      f('end_date', 'date', 'N', 'RW', REQ),
      // Docs say integer; [SIM] accepts fractional hours.
      f('hours_per_day', 'number', 'N', 'RW', REQ),
      f('description', 'string', 'Y', 'RW'),
      ...STAMPS,
    ],
    virtualFilters: [
      viaAssignment('project_id'),
      viaAssignment('task_id'),
      viaAssignment('user_id'),
      {
        kind: 'interval',
        name: 'date_interval',
        type: 'date',
        test: (rec, from, to) => dayMs(rec.start_date) <= to && dayMs(rec.end_date) >= from,
      },
    ],
    includes: [parent('usertask', 'userstasks', 'user_task_id')],
    requiredFilter: {
      anyOf: ['user_task_id', 'task_id', 'project_id', 'user_id'],
      intervals: ['date_interval'],
      allOf: [['start_date', 'end_date']],
    },
  },
  {
    path: 'clientcontacts',
    key: 'clientcontacts',
    ops: CRUD,
    fields: [
      ID,
      // Table omits it; [SIM] #23 makes it a full RW attribute.
      f('client_id', 'int', 'N', 'RW', REQ),
      f('name', 'string', 'N', 'RW', REQ),
      f('email', 'string', '?', 'RW'),
      f('mobile', 'string', '?', 'RW'),
      f('phone', 'string', '?', 'RW'),
      f('fax', 'string', '?', 'RW'),
      f('skype', 'string', '?', 'RW'),
      f('notes', 'string', 'Y', 'RW'),
      f('position', 'string', '?', 'RW'),
      f('is_main', 'bool', 'N', 'RW', FALSE),
      f('access', 'bool', 'N', 'RW', FALSE),
      f('password', 'string', '-', 'W'),
      ...IMAGES,
      ...STAMPS,
    ],
    includes: [parent('client', 'clients', 'client_id')],
  },
  {
    path: 'clients',
    key: 'clients',
    ops: CRUD,
    fields: [
      ID,
      f('name', 'string', 'N', 'RW', REQ),
      f('address', 'string', '?', 'RW'),
      f('city', 'string', '?', 'RW'),
      f('state', 'string', '?', 'RW'),
      f('postal_code', 'string', '?', 'RW'),
      f('country', 'string', '?', 'RW'),
      f('phone', 'string', '?', 'RW'),
      f('fax', 'string', '?', 'RW'),
      f('email', 'string', '?', 'RW'),
      f('website', 'string', '?', 'RW'),
      // Table says RO, the archiving prose updates it: [SIM] #17 writable.
      f('active', 'bool', 'N', 'RW', TRUE),
      f('fiscal_information', 'string', '?', 'RW'),
      ...IMAGES,
      ...STAMPS,
    ],
    includes: [
      child('clientcontacts', 'clientcontacts', 'client_id'),
      child('projects', 'projects', 'client_id'),
      child('invoices', 'invoices', 'client_id'),
      child('recurringprofiles', 'recurringprofiles', 'client_id'),
    ],
  },
  {
    path: 'comments',
    key: 'comments',
    ops: CRUD,
    fields: [
      ID,
      f('content', 'html', 'N', 'RW', REQ),
      // Create needs one of thread_id / task_id / discussion_id / file_id: a behaviour, not `required`.
      f('thread_id', 'int', 'N', 'C'),
      f('task_id', 'int', '-', 'V'),
      f('discussion_id', 'int', '-', 'V'),
      f('file_id', 'int', '-', 'V'),
      f('user_id', 'int', 'N', 'RO', CALLER),
      ...STAMPS,
    ],
    // The create-only parameters double as list filters, answered through the thread.
    virtualFilters: [
      viaThread('task_id'),
      viaThread('discussion_id'),
      viaThread('file_id'),
      viaThread('project_id'),
    ],
    includes: [
      parent('thread', 'threads', 'thread_id'),
      parent('user', 'users', 'user_id'),
      // Comments store no project; the derived `project_id` filter gives the thread's project.
      parent('project', 'projects', 'project_id'),
      child('files', 'files', 'comment_id'),
    ],
    requiredFilter: { anyOf: ['thread_id', 'task_id', 'discussion_id', 'file_id'] },
  },
  {
    path: 'threads',
    key: 'threads',
    ops: READ_ONLY,
    fields: [
      ID,
      f('project_id', 'int', 'N', 'RO'),
      f('discussion_id', 'int', '-', 'RO', WHEN_SET),
      f('task_id', 'int', '-', 'RO', WHEN_SET),
      f('file_id', 'int', '-', 'RO', WHEN_SET),
      ...STAMPS,
    ],
    includes: [
      parent('project', 'projects', 'project_id'),
      parent('discussion', 'discussions', 'discussion_id'),
      parent('task', 'tasks', 'task_id'),
      parent('file', 'files', 'file_id'),
      child('comments', 'comments', 'thread_id'),
    ],
    requiredFilter: { anyOf: ['project_id', 'task_id', 'discussion_id', 'file_id'] },
  },
  {
    path: 'company',
    key: 'company',
    singleton: true,
    ops: ['read', 'update'],
    fields: [
      ID,
      f('name', 'string', 'N', 'RW'),
      f('address', 'string', '?', 'RW'),
      f('phone', 'string', '?', 'RW'),
      f('email', 'string', '?', 'RW'),
      f('url', 'string', '?', 'RW'),
      f('fiscal_information', 'string', '?', 'RW'),
      f('country', 'string', '?', 'RW'),
      ...IMAGES,
      f('active', 'bool', 'N', 'RO'),
      f('account_type', 'string', 'N', 'RO', { enum: ['free', 'commercial'] }),
      f('timezone', 'string', 'N', 'RW'),
      f('default_currency', 'string', 'N', 'RW'),
      f('default_price_per_hour', 'string', '?', 'RW'),
      f('apply_tax_to_expenses', 'string', '?', 'RW'),
      f('tax_on_tax', 'string', '?', 'RW'),
      f('currency_position', 'string', '?', 'RW'),
      f('next_invoice_number', 'string', 'N', 'RW'),
      f('next_estimate_number', 'string', 'N', 'RW'),
      f('invoice_format', 'string', 'N', 'RW'),
      f('estimate_format', 'string', 'N', 'RW'),
      // [SIM] #25: settings are strings except where the example shows otherwise.
      f('online_payments', 'bool', '?', 'RW'),
      f('date_format', 'string', 'N', 'RW'),
      f('time_format', 'string', 'N', 'RW'),
      f('decimal_sep', 'string', '?', 'RW'),
      f('thousands_sep', 'string', '?', 'RW'),
      f('week_start', 'string', 'N', 'RW'),
      f('workday_start', 'string', '?', 'RW'),
      f('workday_end', 'string', '?', 'RW'),
      f('working_days', 'string', '?', 'RW'),
      f('due_interval', 'string', '?', 'RW'),
      f('default_tax', 'string', '?', 'RW'),
      f('default_tax2', 'string', '?', 'RW'),
      f('default_tax_text', 'string', '?', 'RW'),
      f('default_tax2_text', 'string', '?', 'RW'),
      f('hide_tax_field', 'string', '?', 'RW'),
      f('language', 'string', '?', 'RW'),
      f('payment_reminder_1', 'string', '?', 'RW'),
      f('payment_reminder_2', 'string', '?', 'RW'),
      f('payment_reminder_3', 'string', '?', 'RW'),
      f('remove_paymo_branding', 'string', '?', 'RW'),
      f('max_users', 'int', 'N', 'RO'),
      f('current_users', 'int', 'N', 'RO'),
      f('max_projects', 'int', 'Y', 'RO'),
      f('current_projects', 'int', 'N', 'RO'),
      f('max_invoices', 'int', 'Y', 'RO'),
      f('current_invoices', 'int', 'N', 'RO'),
      ...STAMPS,
    ],
    includes: [],
  },
  {
    path: 'discussions',
    key: 'discussions',
    ops: CRUD,
    fields: [
      ID,
      f('name', 'string', 'N', 'RW', REQ),
      f('description', 'html', '?', 'RW'),
      f('project_id', 'int', 'N', 'RW', REQ),
      f('user_id', 'int', 'N', 'RO', CALLER),
      ...STAMPS,
    ],
    includes: [
      parent('project', 'projects', 'project_id'),
      parent('user', 'users', 'user_id'),
      owner('thread', 'threads', 'discussion_id'),
      child('files', 'files', 'discussion_id'),
    ],
  },
  {
    path: 'estimatetemplates',
    key: 'estimatetemplates',
    ops: CRUD,
    fields: templateFields(),
    includes: [child('estimates', 'estimates', 'template_id')],
  },
  {
    path: 'estimatetemplatesgallery',
    key: 'estimatetemplatesgallery',
    ops: READ_ONLY,
    fields: galleryFields(),
    includes: [],
  },
  {
    path: 'estimates',
    key: 'estimates',
    ops: CRUD,
    fields: [
      ID,
      f('number', 'string', 'N', 'RW'),
      f('client_id', 'int', 'N', 'RW', REQ),
      f('template_id', 'int', 'Y', 'RW'),
      f('status', 'string', 'N', 'RW', {
        enum: ['draft', 'sent', 'viewed', 'accepted', 'invoiced', 'void'],
        default: 'draft',
      }),
      f('currency', 'string', 'N', 'RW', REQ),
      f('date', 'date', '?', 'RW'),
      f('due_date', 'date', '?', 'RW'),
      ...TOTALS,
      f('tax', 'number', '?', 'RW'),
      f('tax2', 'number', '?', 'RW'),
      f('tax_on_tax', 'bool', 'N', 'RW', FALSE),
      f('discount', 'number', '?', 'RW'),
      f('discount_amount', 'number', '?', 'RO', ZERO),
      f('discount_text', 'string', '?', 'RW'),
      f('language', 'string', '?', 'RW'),
      f('bill_to', 'string', '?', 'RW'),
      f('company_info', 'string', '?', 'RW'),
      f('footer', 'string', '?', 'RW'),
      f('notes', 'string', '?', 'RW'),
      f('brief_description', 'string', '?', 'RW'),
      f('tax_text', 'string', '?', 'RW'),
      f('tax2_text', 'string', '?', 'RW'),
      f('title', 'string', '?', 'RW'),
      f('invoice_id', 'int', 'Y', 'RW'),
      f('permalink', 'string', 'N', 'RO'),
      f('pdf_link', 'string', '?', 'RO'),
      f('download_token', 'string', '?', 'RO'),
      ...STAMPS,
      f('items', 'any', '-', 'V'),
    ],
    includes: [
      parent('client', 'clients', 'client_id'),
      parent('invoice', 'invoices', 'invoice_id'),
      parent('estimatetemplate', 'estimatetemplates', 'template_id'),
      child('estimateitems', 'estimateitems', 'estimate_id'),
    ],
  },
  {
    path: 'estimateitems',
    key: 'estimateitems',
    ops: [],
    fields: lineFields('estimate_id'),
    includes: [parent('estimate', 'estimates', 'estimate_id')],
  },
  {
    path: 'expenses',
    key: 'expenses',
    ops: CRUD,
    fields: [
      ID,
      f('client_id', 'int', 'N', 'RW', REQ),
      f('project_id', 'int', 'Y', 'RW'),
      f('user_id', 'int', '?', 'RW', CALLER),
      f('amount', 'number', 'N', 'RW', REQ),
      f('currency', 'string', 'N', 'RW', REQ),
      f('date', 'date', '?', 'RW'),
      f('notes', 'string', '?', 'RW'),
      f('invoiced', 'bool', 'N', 'RW', FALSE),
      f('invoice_item_id', 'int', 'Y', 'RW'),
      f('tags', 'string[]', 'N', 'RW', EMPTY),
      f('file', 'string', '?', 'RW', { default: '' }),
      ...THUMBS,
      ...STAMPS,
    ],
    includes: [
      parent('client', 'clients', 'client_id'),
      parent('project', 'projects', 'project_id'),
      parent('user', 'users', 'user_id'),
      child('invoiceitems', 'invoiceitems', 'expense_id'),
    ],
  },
  {
    path: 'files',
    key: 'files',
    ops: CRUD,
    fields: [
      ID,
      f('original_filename', 'string', 'N', 'RW'),
      f('description', 'string', '?', 'RW'),
      f('user_id', 'int', 'N', 'RO', CALLER),
      f('project_id', 'int', '?', 'C'),
      f('discussion_id', 'int', '-', 'C', WHEN_SET),
      f('task_id', 'int', '-', 'C', WHEN_SET),
      f('comment_id', 'int', '-', 'C', WHEN_SET),
      f('token', 'string', '?', 'RO'),
      // [SIM] #19: an int although the example shows a string.
      f('size', 'int', 'N', 'RO'),
      f('mime', 'string', '?', 'RO'),
      // The download link; the multipart upload part of the same name is a behaviour.
      f('file', 'string', 'N', 'RO'),
      ...THUMBS,
      f('tags', 'string[]', '?', 'RW', EMPTY),
      ...STAMPS,
    ],
    includes: [
      parent('project', 'projects', 'project_id'),
      parent('user', 'users', 'user_id'),
      parent('discussion', 'discussions', 'discussion_id'),
      parent('task', 'tasks', 'task_id'),
      parent('comment', 'comments', 'comment_id'),
    ],
    requiredFilter: { anyOf: ['project_id', 'discussion_id', 'task_id', 'comment_id'] },
  },
  {
    path: 'invoicetemplates',
    key: 'invoicetemplates',
    ops: CRUD,
    fields: templateFields(),
    includes: [child('invoices', 'invoices', 'template_id')],
  },
  {
    path: 'invoicetemplatesgallery',
    key: 'invoicetemplatesgallery',
    ops: READ_ONLY,
    fields: galleryFields(),
    includes: [],
  },
  {
    path: 'invoicepayments',
    key: 'invoicepayments',
    ops: CRUD,
    fields: [
      ID,
      f('invoice_id', 'int', 'N', 'C', REQ),
      f('amount', 'number', 'N', 'RW', REQ),
      f('date', 'date', '?', 'RW', { default: today }),
      f('notes', 'string', '?', 'RW', { aliases: ['note'] }),
      ...STAMPS,
    ],
    includes: [parent('invoice', 'invoices', 'invoice_id')],
  },
  {
    path: 'recurringprofiles',
    pathAliases: ['recurringprofile'],
    key: 'recurringprofiles',
    ops: CRUD,
    fields: [
      ID,
      f('client_id', 'int', 'N', 'RW', REQ),
      f('template_id', 'int', 'Y', 'RW'),
      f('title', 'string', '?', 'RW'),
      f('currency', 'string', 'N', 'RW', REQ),
      f('start_date', 'date', 'N', 'RW', REQ),
      f('frequency', 'string', 'N', 'RW', {
        ...REQ,
        enum: ['w', '2w', '3w', '4w', 'm', '2m', '3m', '6m', 'y'],
      }),
      // [SIM] #16: the examples' spellings, not the table's `occurences` / `invoice_created`.
      f('occurrences', 'int', 'Y', 'RW'),
      f('last_created', 'date', 'Y', 'RO'),
      f('invoices_created', 'int', '?', 'RO', ZERO),
      f('autosend', 'bool', 'N', 'RW', FALSE),
      ...TOTALS,
      f('discount_amount', 'number', 'N', 'RO', ZERO),
      f('tax', 'number', '?', 'RW'),
      f('tax2', 'number', '?', 'RW'),
      f('discount', 'number', '?', 'RW'),
      f('discount_text', 'string', '?', 'RW'),
      f('tax_on_tax', 'bool', 'N', 'RW', FALSE),
      f('language', 'string', 'Y', 'RW'),
      f('bill_to', 'string', '?', 'RW'),
      f('company_info', 'string', '?', 'RW'),
      f('footer', 'string', '?', 'RW'),
      f('notes', 'string', '?', 'RW'),
      f('tax_text', 'string', '?', 'RW'),
      f('tax2_text', 'string', '?', 'RW'),
      f('pay_online', 'bool', 'N', 'RW', FALSE),
      f('send_attachment', 'bool', '?', 'RW'),
      // Example only (`null`); no documented way to write it.
      f('options', 'object', 'Y', 'RO'),
      ...STAMPS,
      f('items', 'any', '-', 'V'),
    ],
    includes: [
      parent('client', 'clients', 'client_id'),
      child('recurringprofileitems', 'recurringprofileitems', 'recurring_profile_id'),
    ],
  },
  {
    path: 'recurringprofileitems',
    key: 'recurringprofileitems',
    ops: [],
    fields: lineFields('recurring_profile_id'),
    includes: [parent('recurringprofile', 'recurringprofiles', 'recurring_profile_id')],
  },
  {
    path: 'invoices',
    key: 'invoices',
    ops: CRUD,
    fields: [
      ID,
      f('number', 'string', 'N', 'RW'),
      f('client_id', 'int', 'N', 'RW', REQ),
      f('template_id', 'int', 'Y', 'RW'),
      f('status', 'string', 'N', 'RW', {
        enum: ['draft', 'sent', 'viewed', 'paid', 'void'],
        default: 'draft',
      }),
      f('currency', 'string', 'N', 'RW', REQ),
      f('date', 'date', '?', 'RW'),
      f('due_date', 'date', '?', 'RW'),
      f('delivery_date', 'date', '?', 'RW'),
      ...TOTALS,
      f('discount_amount', 'number', 'N', 'RO', ZERO),
      f('tax', 'number', '?', 'RW'),
      f('tax2', 'number', '?', 'RW'),
      f('discount', 'number', '?', 'RW'),
      f('tax_on_tax', 'bool', 'N', 'RW', FALSE),
      f('language', 'string', '?', 'RW'),
      f('bill_to', 'string', '?', 'RW'),
      f('company_info', 'string', '?', 'RW'),
      f('footer', 'string', '?', 'RW'),
      f('notes', 'string', '?', 'RW'),
      f('outstanding', 'number', 'Y', 'RW'),
      f('tax_text', 'string', '?', 'RW'),
      f('tax2_text', 'string', '?', 'RW'),
      f('discount_text', 'string', '?', 'RW'),
      f('title', 'string', '?', 'RW'),
      f('pay_online', 'bool', 'N', 'RW', FALSE),
      f('reminder_1_sent', 'bool', 'Y', 'RO'),
      f('reminder_2_sent', 'bool', 'Y', 'RO'),
      f('reminder_3_sent', 'bool', 'Y', 'RO'),
      f('permalink', 'string', 'N', 'RO'),
      f('pdf_link', 'string', 'N', 'RO'),
      f('download_token', 'string', '?', 'RO'),
      f('token', 'string', '?', 'RO'),
      ...STAMPS,
      f('items', 'any', '-', 'V'),
      f('estimate_id', 'int', '-', 'V'),
    ],
    includes: [
      parent('client', 'clients', 'client_id'),
      parent('invoicetemplate', 'invoicetemplates', 'template_id'),
      child('invoiceitems', 'invoiceitems', 'invoice_id'),
      child('invoicepayments', 'invoicepayments', 'invoice_id'),
    ],
  },
  {
    path: 'invoiceitems',
    key: 'invoiceitems',
    ops: [],
    fields: lineFields('invoice_id', [f('expense_id', 'int', 'Y', 'RW'), f('entries', 'int[]', '-', 'V')]),
    includes: [
      parent('invoice', 'invoices', 'invoice_id'),
      parent('expense', 'expenses', 'expense_id'),
      child('entries', 'entries', 'invoice_item_id'),
      child('projects', 'projects', 'invoice_item_id'),
      child('tasks', 'tasks', 'invoice_item_id'),
    ],
  },
  {
    path: 'milestones',
    key: 'milestones',
    ops: CRUD,
    fields: [
      ID,
      f('name', 'string', 'N', 'RW', REQ),
      f('project_id', 'int', 'N', 'RW', REQ),
      f('user_id', 'int', '?', 'RW'),
      f('due_date', 'date', 'N', 'RW', REQ),
      f('send_reminder', 'int', 'N', 'RW', ZERO),
      f('reminder_sent', 'bool', 'N', 'RO', FALSE),
      f('complete', 'bool', 'N', 'RW', FALSE),
      f('linked_tasklists', 'int[]', 'N', 'RW', EMPTY),
      ...STAMPS,
    ],
    includes: [
      parent('project', 'projects', 'project_id'),
      parent('user', 'users', 'user_id'),
      child('tasklists', 'tasklists', 'milestone_id'),
    ],
  },
  {
    path: 'projecttemplates',
    key: 'project_templates',
    ops: CRUD,
    fields: [ID, f('name', 'string', 'N', 'RW', REQ), f('project_id', 'int', '-', 'V'), ...STAMPS],
    includes: [
      child('projecttemplatestasklists', 'projecttemplatestasklists', 'template_id', [
        'projecttemplatetasklists',
      ]),
    ],
  },
  {
    path: 'projecttemplatestasklists',
    key: 'project_templates_tasklists',
    ops: CRUD,
    fields: [
      ID,
      f('name', 'string', 'N', 'RW', REQ),
      f('seq', 'int', '?', 'RW'),
      f('template_id', 'int', 'N', 'C', REQ),
      ...STAMPS,
    ],
    includes: [
      parent('projecttemplate', 'projecttemplates', 'template_id'),
      child('projecttemplatestasks', 'projecttemplatestasks', 'tasklist_id', ['projecttemplatetasks']),
    ],
  },
  {
    path: 'projecttemplatestasks',
    key: 'project_templates_tasks',
    ops: CRUD,
    fields: [
      ID,
      f('name', 'string', 'N', 'RW', REQ),
      f('template_id', 'int', 'N', 'RO'),
      f('tasklist_id', 'int', 'N', 'RW', REQ),
      f('seq', 'int', '?', 'RW'),
      f('description', 'string', '?', 'RW'),
      f('billable', 'bool', '?', 'RW', FALSE),
      f('budget_hours', 'number', '?', 'RW'),
      f('price_per_hour', 'number', 'Y', 'RW'),
      f('users', 'int[]', 'N', 'RW', EMPTY),
      ...STAMPS,
    ],
    includes: [
      parent('projecttemplate', 'projecttemplates', 'template_id'),
      parent('projecttemplatestasklist', 'projecttemplatestasklists', 'tasklist_id', [
        'projecttemplatetasklist',
      ]),
    ],
  },
  {
    path: 'projectstatuses',
    key: 'projectstatuses',
    ops: CRUD,
    fields: [
      ID,
      f('name', 'string', 'N', 'RW', REQ),
      f('active', 'bool', 'N', 'RW', TRUE),
      f('seq', 'int', 'N', 'RW', ZERO),
      f('readonly', 'bool', 'N', 'RO', FALSE),
      ...STAMPS,
    ],
    // [SIM] #15: the examples' `projects` child, not the table's `project` parent.
    includes: [child('projects', 'projects', 'status_id')],
  },
  {
    path: 'projects',
    key: 'projects',
    ops: CRUD,
    fields: [
      ID,
      f('name', 'string', 'N', 'RW', REQ),
      f('code', 'string', '?', 'RW'),
      f('task_code_increment', 'int', 'N', 'RO', ZERO),
      f('description', 'string', '?', 'RW'),
      f('client_id', 'int', 'N', 'RW'),
      f('status_id', 'int', 'N', 'RW'),
      f('active', 'bool', 'N', 'RW', TRUE),
      f('color', 'string', 'Y', 'RW'),
      f('users', 'int[]', 'N', 'RW', EMPTY),
      f('managers', 'int[]', 'N', 'RW', EMPTY),
      f('billable', 'bool', 'N', 'RW', FALSE),
      f('flat_billing', 'bool', '?', 'RW', FALSE),
      f('price_per_hour', 'number', 'Y', 'RW'),
      f('price', 'number', 'Y', 'RW'),
      // Not marked read-only in the docs; [SIM] computed from billable tasks.
      f('estimated_price', 'number', 'Y', 'RO'),
      f('hourly_billing_mode', 'string', 'Y', 'RW', { enum: ['task', 'project', 'company'] }),
      f('budget_hours', 'number', 'Y', 'RW'),
      f('adjustable_hours', 'bool', 'Y', 'RW'),
      f('invoiced', 'bool', '?', 'RW', FALSE),
      f('invoice_item_id', 'int', 'Y', 'RW'),
      f('workflow_id', 'int', '?', 'RW'),
      f('billing_type', 'string', '?', 'RO'),
      ...STAMPS,
      f('template_id', 'int', '-', 'V'),
      f('tasklists_order', 'int[]', '-', 'V'),
    ],
    includes: [
      parent('client', 'clients', 'client_id'),
      parent('projectstatus', 'projectstatuses', 'status_id'),
      parent('invoiceitem', 'invoiceitems', 'invoice_item_id'),
      parent('workflow', 'workflows', 'workflow_id'),
      child('tasklists', 'tasklists', 'project_id'),
      child('tasks', 'tasks', 'project_id'),
      child('milestones', 'milestones', 'project_id'),
      child('discussions', 'discussions', 'project_id'),
      child('files', 'files', 'project_id'),
    ],
  },
  {
    path: 'reports',
    key: 'reports',
    ops: CRUD,
    fields: [
      ID,
      f('name', 'string', '?', 'RW'),
      f('user_id', 'int', 'N', 'RO', CALLER),
      f('type', 'string', 'N', 'RW', { ...REQ, enum: ['static', 'live', 'temp'] }),
      // [SIM] #26: Unix seconds or ISO strings, echoed as given.
      f('start_date', 'any', 'Y', 'RW'),
      f('end_date', 'any', 'Y', 'RW'),
      f('date_interval', 'string', 'Y', 'RW', {
        enum: [
          'today',
          'yesterday',
          'this_month',
          'last_month',
          'this_week',
          'last_week',
          'this_year',
          'last_year',
          'all_time',
        ],
      }),
      // Id arrays or preset strings (`all`, `all_active`, …).
      f('projects', 'any', '?', 'RW'),
      f('clients', 'any', '?', 'RW'),
      f('users', 'any', '?', 'RW'),
      f('include', 'object', '?', 'RW'),
      f('extra', 'object', '?', 'RW'),
      f('info', 'object', 'N', 'RO'),
      f('content', 'object', 'N', 'RO', { emit: 'read-one' }),
      f('permalink', 'string', 'N', 'RO'),
      f('shared', 'bool', 'N', 'RW', FALSE),
      f('share_client_id', 'int', 'Y', 'RW'),
      f('download_token', 'string', '?', 'RO'),
      ...STAMPS,
    ],
    includes: [
      parent('user', 'users', 'user_id'),
      // The only client a report names as a single id.
      parent('client', 'clients', 'share_client_id'),
    ],
  },
  {
    path: 'subtasks',
    key: 'subtasks',
    ops: CRUD,
    fields: [
      ID,
      f('name', 'string', 'N', 'RW', REQ),
      f('complete', 'bool', 'N', 'RW', FALSE),
      f('project_id', 'int', 'N', 'RO'),
      // Not marked read-only; [SIM] the creator = caller.
      f('user_id', 'int', '?', 'RO', CALLER),
      f('task_id', 'int', 'N', 'RW', REQ),
      f('seq', 'int', 'N', 'RW', ZERO),
      f('completed_on', 'datetime', 'Y', 'RO'),
      f('completed_by', 'int', 'Y', 'RO'),
      ...STAMPS,
    ],
    includes: [
      parent('project', 'projects', 'project_id'),
      parent('task', 'tasks', 'task_id'),
      parent('user', 'users', 'user_id'),
    ],
  },
  {
    path: 'sessions',
    key: 'sessions',
    ops: ['list', 'read', 'create', 'delete'],
    fields: [
      f('id', 'string', 'N', 'RO'),
      f('ip', 'string', 'N', 'RO'),
      f('expires_on', 'datetime', 'N', 'RO'),
      ...STAMPS,
      f('user_id', 'int', 'N', 'RO', CALLER),
    ],
    includes: [],
  },
  {
    path: 'tasklists',
    key: 'tasklists',
    ops: CRUD,
    fields: [
      ID,
      f('name', 'string', 'N', 'RW', REQ),
      f('seq', 'int', 'N', 'RW', ZERO),
      f('project_id', 'int', 'N', 'C', REQ),
      f('milestone_id', 'int', 'Y', 'RW'),
      ...STAMPS,
      f('tasks_order', 'int[]', '-', 'V'),
    ],
    includes: [
      parent('project', 'projects', 'project_id'),
      parent('milestone', 'milestones', 'milestone_id'),
      child('tasks', 'tasks', 'tasklist_id'),
    ],
  },
  {
    path: 'taskrecurringprofiles',
    key: 'taskrecurringprofiles',
    ops: CRUD,
    fields: [
      ID,
      // Required unless `task_id` is given: a behaviour.
      f('name', 'string', 'N', 'RW'),
      f('code', 'string', '?', 'RO'),
      f('project_id', 'int', 'N', 'RW'),
      f('task_id', 'int', '-', 'V'),
      f('tasklist_id', 'int', '?', 'RW'),
      f('user_id', 'int', 'N', 'RO', CALLER),
      f('task_user_id', 'int', 'Y', 'RO'),
      f('company_id', 'int', '?', 'RO'),
      f('billable', 'bool', '?', 'RW', FALSE),
      f('flat_billing', 'bool', '?', 'RW', FALSE),
      f('description', 'string', '?', 'RW'),
      f('price_per_hour', 'number', 'Y', 'RW'),
      f('estimated_price', 'number', 'Y', 'RW'),
      f('budget_hours', 'number', 'Y', 'RW'),
      f('users', 'int[]', 'N', 'RW', EMPTY),
      f('priority', 'int', 'N', 'RW', { default: 50 }),
      f('notifications', 'string', '?', 'RW'),
      f('frequency', 'string', 'N', 'RW', { ...REQ, enum: ['daily', 'weekly', 'monthly'] }),
      f('interval', 'int', 'N', 'RW', REQ),
      // [SIM] #29: an int array although the table says text.
      f('on_day', 'int[]', 'N', 'RW', EMPTY),
      f('occurrences', 'int', 'Y', 'RW'),
      f('until', 'date', 'Y', 'RW'),
      f('active', 'bool', 'N', 'RW', TRUE),
      f('due_date_offset', 'int', 'N', 'RW', ZERO),
      f('recurring_start_date', 'date', 'N', 'RW', REQ),
      f('generated_count', 'int', 'Y', 'RO', ZERO),
      f('last_generated_on', 'date', 'Y', 'RO'),
      f('next_processing_date', 'date', '?', 'RO'),
      f('processing_timezone', 'string', '?', 'RW'),
      f('processing_hour', 'string', '?', 'RW'),
      ...STAMPS,
    ],
    includes: [parent('project', 'projects', 'project_id')],
  },
  {
    path: 'tasks',
    key: 'tasks',
    ops: CRUD,
    fields: [
      ID,
      f('name', 'string', 'N', 'RW', REQ),
      f('code', 'string', 'N', 'RO'),
      // One of project_id / tasklist_id is required: a behaviour.
      f('project_id', 'int', 'N', 'C'),
      f('tasklist_id', 'int', 'N', 'RW'),
      f('seq', 'int', 'N', 'RW', ZERO),
      f('description', 'string', '?', 'RW'),
      f('complete', 'bool', 'N', 'RW', FALSE),
      // [SIM] #20: a date-time although the table says integer.
      f('completed_on', 'datetime', 'Y', 'RO'),
      f('completed_by', 'int', 'Y', 'RO'),
      f('due_date', 'date', 'Y', 'RW'),
      f('start_date', 'date', 'Y', 'RW'),
      f('user_id', 'int', '?', 'RW', CALLER),
      f('users', 'int[]', 'N', 'RW', EMPTY),
      f('billable', 'bool', 'N', 'RW', FALSE),
      f('flat_billing', 'bool', '?', 'RW', FALSE),
      f('price_per_hour', 'number', 'Y', 'RW'),
      f('budget_hours', 'number', 'Y', 'RW'),
      f('estimated_price', 'number', 'Y', 'RW'),
      // Webhook example only; nothing documents writing it.
      f('price', 'number', 'Y', 'RO'),
      f('invoiced', 'bool', '?', 'RW', FALSE),
      f('invoice_item_id', 'int', 'Y', 'RW'),
      f('priority', 'int', 'N', 'RW', { default: 50 }),
      f('status_id', 'int', '?', 'RW'),
      f('files_count', 'int', '?', 'RO'),
      f('comments_count', 'int', '?', 'RO'),
      ...STAMPS,
      f('subtasks_order', 'int[]', '-', 'V'),
    ],
    virtualFilters: [
      {
        kind: 'predicate',
        name: 'mytasks',
        type: 'bool',
        test: (rec, value, ctx) => {
          const assignees = ids(rec.users);
          const member = ids(lookup(ctx, 'projects', rec.project_id)?.users).includes(ctx.userId);
          const mine = member && (assignees.length === 0 || assignees.includes(ctx.userId));
          return mine === (value === true || value === 'true');
        },
      },
    ],
    includes: [
      parent('project', 'projects', 'project_id'),
      parent('tasklist', 'tasklists', 'tasklist_id'),
      parent('user', 'users', 'user_id'),
      owner('thread', 'threads', 'task_id'),
      parent('invoiceitem', 'invoiceitems', 'invoice_item_id'),
      parent('workflowstatus', 'workflowstatuses', 'status_id'),
      child('entries', 'entries', 'task_id'),
      child('subtasks', 'subtasks', 'task_id'),
    ],
  },
  {
    path: 'entries',
    key: 'entries',
    ops: CRUD,
    fields: [
      ID,
      f('project_id', 'int', 'N', 'RO'),
      f('task_id', 'int', 'N', 'RW', REQ),
      f('user_id', 'int', 'N', 'RW', CALLER),
      f('is_bulk', 'bool', 'N', 'RO'),
      // The date+duration / start+end alternatives are a behaviour; each kind omits the other's keys.
      f('start_time', 'datetime', '-', 'RW', WHEN_SET),
      f('end_time', 'datetime', 'Y', 'RW', WHEN_SET),
      f('date', 'date', '-', 'RW', WHEN_SET),
      f('duration', 'int', 'Y', 'RW'),
      f('description', 'string', '?', 'RW'),
      f('added_manually', 'bool', 'N', 'RO'),
      f('billed', 'bool', 'N', 'RW', FALSE),
      f('invoice_item_id', 'int', 'Y', 'RW'),
      ...STAMPS,
    ],
    virtualFilters: [
      {
        kind: 'derived',
        name: 'client_id',
        type: 'int',
        value: (rec, ctx) => lookup(ctx, 'projects', rec.project_id)?.client_id ?? null,
      },
      {
        kind: 'interval',
        name: 'time_interval',
        type: 'datetime',
        test: (rec, from, to) => {
          const at = typeof rec.start_time === 'string' ? Date.parse(rec.start_time) : dayMs(rec.date);
          return at >= from && at < to;
        },
      },
    ],
    includes: [
      parent('task', 'tasks', 'task_id'),
      parent('invoiceitem', 'invoiceitems', 'invoice_item_id'),
      parent('user', 'users', 'user_id'),
    ],
    requiredFilter: ENTRIES_REQUIRED,
  },
  {
    path: 'users',
    key: 'users',
    ops: CRUD,
    fields: USER_FIELDS,
    includes: USER_INCLUDES,
  },
  {
    // The server answers it as `GET /api/users/<caller>`.
    path: 'me',
    key: 'users',
    ops: ['read'],
    fields: USER_FIELDS,
    includes: USER_INCLUDES,
  },
  {
    path: 'userstasks',
    key: 'userstasks',
    ops: CRUD,
    fields: [ID, f('user_id', 'int', 'N', 'RW', REQ), f('task_id', 'int', 'N', 'RW', REQ), ...STAMPS],
    includes: [parent('user', 'users', 'user_id'), parent('task', 'tasks', 'task_id')],
    requiredFilter: { anyOf: ['user_id', 'task_id'] },
  },
  {
    path: 'workflows',
    key: 'workflows',
    ops: CRUD,
    fields: [ID, f('name', 'string', 'N', 'RW', REQ), f('is_default', 'bool', 'N', 'RW', FALSE), ...STAMPS],
    includes: [child('workflowstatuses', 'workflowstatuses', 'workflow_id')],
  },
  {
    path: 'workflowstatuses',
    key: 'workflowstatuses',
    ops: CRUD,
    fields: [
      ID,
      f('name', 'string', 'N', 'RW', REQ),
      f('workflow_id', 'int', 'N', 'C', REQ),
      f('color', 'string', 'Y', 'RW', REQ),
      f('seq', 'int', '?', 'RO'),
      f('action', 'string', 'N', 'RO', { enum: ['backlog', 'complete', ''], default: '' }),
      ...STAMPS,
    ],
    includes: [parent('workflow', 'workflows', 'workflow_id')],
  },
  {
    path: 'hooks',
    key: 'hooks',
    ops: CRUD,
    fields: [
      ID,
      f('target_url', 'string', 'N', 'RW', REQ),
      f('event', 'string', 'N', 'RW', REQ),
      f('where', 'string', 'Y', 'RW'),
      f('secret', 'string', '-', 'W'),
      f('last_status_code', 'int', 'Y', 'RO'),
      ...STAMPS,
    ],
    includes: [],
  },
];

const BY_PATH: ReadonlyMap<string, ResourceDef> = new Map(
  RESOURCES.flatMap((def) => [def.path, ...(def.pathAliases ?? [])].map((p) => [p, def] as const)),
);

/** The resource served under `path` (a path segment such as `entries`, or an alias such as `recurringprofile`). */
export function resourceByPath(path: string): ResourceDef | undefined {
  return BY_PATH.get(path);
}

const NAME = /^[a-z_][a-z0-9_]*$/;
const KEY_TYPES: ReadonlySet<FieldType> = new Set(['int', 'int[]', 'string']);
const ALL_OPS: ReadonlySet<string> = new Set(['list', 'read', 'create', 'update', 'delete']);

/** Whether `value` is a legal constant of `type` (functions are computed defaults and pass). */
function fitsType(type: FieldType, value: unknown): boolean {
  switch (type) {
    case 'int':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'bool':
      return typeof value === 'boolean';
    case 'string':
    case 'html':
    case 'date':
    case 'datetime':
      return typeof value === 'string';
    case 'int[]':
      return Array.isArray(value) && value.every((v) => Number.isInteger(v));
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'any':
      return true;
    default: {
      const never: never = type;
      return never;
    }
  }
}

function duplicates(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const n of names) (seen.has(n) ? dup : seen).add(n);
  return [...dup];
}

/**
 * The type of `name` as a join key of `def`: a stored field (V fields are not stored) or, when
 * `derivedToo`, a derived virtual filter. Foreign fields are looked up by the store's `findBy`, which
 * only sees stored values, so only local fields may be derived.
 */
function keyType(def: ResourceDef, name: string, derivedToo: boolean): FieldType | undefined {
  const field = def.fields.find((x) => x.name === name && x.access !== 'V');
  if (field) return field.type;
  const vf = derivedToo ? def.virtualFilters?.find((v) => v.name === name) : undefined;
  return vf?.kind === 'derived' ? vf.type : undefined;
}

function validateFields(def: ResourceDef, problems: string[]): void {
  const at = `${def.path}`;
  for (const name of duplicates(def.fields.map((x) => x.name)))
    problems.push(`${at}: duplicate field '${name}'`);
  const id = def.fields.find((x) => x.name === 'id');
  if (!id) problems.push(`${at}: no 'id' field`);
  else if ((id.type !== 'int' && id.type !== 'string') || id.access !== 'RO' || id.nullable)
    problems.push(`${at}: 'id' must be a non-null RO int or string`);
  for (const field of def.fields) {
    const where = `${at}.${field.name}`;
    if (!NAME.test(field.name)) problems.push(`${where}: bad field name`);
    if (field.enum !== undefined) {
      if (field.type !== 'string') problems.push(`${where}: enum on a ${field.type} field`);
      if (field.enum.length === 0) problems.push(`${where}: empty enum`);
      for (const v of duplicates(field.enum)) problems.push(`${where}: duplicate enum value '${v}'`);
    }
    if (field.required && (field.access === 'RO' || field.access === 'V'))
      problems.push(`${where}: required but ${field.access} (never accepted as a stored value)`);
    if (field.default !== undefined && typeof field.default !== 'function') {
      const value = field.default;
      if (value === null ? !field.nullable : !fitsType(field.type, value))
        problems.push(`${where}: default ${JSON.stringify(value)} is not a ${field.type}`);
      else if (field.enum && typeof value === 'string' && !field.enum.includes(value))
        problems.push(`${where}: default '${value}' is not in its enum`);
    }
    if (field.default !== undefined && field.access === 'V') problems.push(`${where}: default on a V field`);
  }
}

function validateVirtualFilters(def: ResourceDef, problems: string[]): void {
  const vfs = def.virtualFilters ?? [];
  for (const name of duplicates(vfs.map((v) => v.name)))
    problems.push(`${def.path}: duplicate virtual filter '${name}'`);
  for (const vf of vfs) {
    if (!NAME.test(vf.name)) problems.push(`${def.path}.${vf.name}: bad virtual filter name`);
    // A V field (create-only parameter) may share its name with a filter; a stored one may not.
    if (def.fields.some((x) => x.name === vf.name && x.access !== 'V'))
      problems.push(`${def.path}: virtual filter '${vf.name}' shadows a field`);
  }
}

function validateIncludes(
  def: ResourceDef,
  byPath: ReadonlyMap<string, ResourceDef>,
  problems: string[],
): void {
  const names = def.includes.flatMap((inc) => [inc.key, ...(inc.aliases ?? [])]);
  for (const name of duplicates(names)) problems.push(`${def.path}: duplicate include key '${name}'`);
  for (const inc of def.includes) {
    const at = `${def.path} include '${inc.key}'`;
    for (const name of [inc.key, ...(inc.aliases ?? [])]) {
      if (!NAME.test(name)) problems.push(`${at}: bad include key '${name}'`);
      if (def.fields.some((x) => x.name === name && x.access !== 'V'))
        problems.push(`${at}: include key '${name}' would overwrite a field`);
    }
    const target = byPath.get(inc.resource);
    if (!target) {
      problems.push(`${at}: unknown resource '${inc.resource}'`);
      continue;
    }
    if (inc.kind === 'child' && (inc.localField !== undefined || inc.foreignField === undefined))
      problems.push(`${at}: a child include needs foreignField and no localField`);
    if (inc.kind === 'parent' && (inc.localField === undefined) === (inc.foreignField === undefined))
      problems.push(`${at}: a parent include needs exactly one of localField and foreignField`);
    if (inc.localField !== undefined) {
      const type = keyType(def, inc.localField, true);
      if (type === undefined)
        problems.push(`${at}: localField '${inc.localField}' is not a field of ${def.path}`);
      else if (!KEY_TYPES.has(type)) problems.push(`${at}: localField '${inc.localField}' is a ${type}`);
    }
    if (inc.foreignField !== undefined) {
      const type = keyType(target, inc.foreignField, false);
      if (type === undefined)
        problems.push(`${at}: foreignField '${inc.foreignField}' is not a stored field of ${target.path}`);
      else if (!KEY_TYPES.has(type)) problems.push(`${at}: foreignField '${inc.foreignField}' is a ${type}`);
    }
  }
}

function validateRequiredFilter(def: ResourceDef, problems: string[]): void {
  const rf = def.requiredFilter;
  if (!rf) return;
  const at = `${def.path} required filter`;
  if (!def.ops.includes('list')) problems.push(`${at}: the resource has no list operation`);
  if (rf.anyOf.length === 0 && !rf.intervals?.length && !rf.allOf?.length)
    problems.push(`${at}: no way to satisfy it`);
  const vf = (name: string) => def.virtualFilters?.find((v) => v.name === name);
  const filterable = (name: string) =>
    def.fields.some((x) => x.name === name && x.access !== 'V') || vf(name)?.kind === 'derived';
  for (const name of [...rf.anyOf, ...(rf.allOf ?? []).flat()])
    if (!filterable(name)) problems.push(`${at}: '${name}' is neither a field nor a derived virtual filter`);
  for (const name of rf.intervals ?? [])
    if (vf(name)?.kind !== 'interval') problems.push(`${at}: '${name}' is not an interval virtual filter`);
  for (const group of rf.allOf ?? []) if (group.length === 0) problems.push(`${at}: empty allOf group`);
}

/**
 * Problems in a set of resource declarations (empty = fine), checked once at start-up: duplicate
 * paths, fields, filters or include keys; include targets and join fields that do not exist; required
 * filters naming unknown fields; enums on non-string fields; defaults of the wrong type; bad ops.
 */
export function validateResources(defs: readonly ResourceDef[]): string[] {
  const problems: string[] = [];
  const byPath = new Map<string, ResourceDef>();
  for (const def of defs) {
    for (const p of [def.path, ...(def.pathAliases ?? [])]) {
      if (!NAME.test(p)) problems.push(`${def.path}: bad path '${p}'`);
      if (byPath.has(p)) problems.push(`duplicate path '${p}'`);
      else byPath.set(p, def);
    }
  }
  const included = new Set(defs.flatMap((def) => def.includes.map((inc) => inc.resource)));
  for (const def of defs) {
    if (def.key.length === 0) problems.push(`${def.path}: empty collection key`);
    for (const op of def.ops) if (!ALL_OPS.has(op)) problems.push(`${def.path}: unknown operation '${op}'`);
    for (const op of duplicates(def.ops)) problems.push(`${def.path}: duplicate operation '${op}'`);
    if (def.singleton && def.ops.some((op) => op === 'list' || op === 'create' || op === 'delete'))
      problems.push(`${def.path}: a singleton answers only read and update`);
    if (def.ops.length === 0 && !included.has(def.path))
      problems.push(`${def.path}: no operations and no include reaches it`);
    validateFields(def, problems);
    validateVirtualFilters(def, problems);
    validateIncludes(def, byPath, problems);
    validateRequiredFilter(def, problems);
  }
  return problems;
}
