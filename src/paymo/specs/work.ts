/** Specs of project work: projects, statuses, templates, task lists, tasks, subtasks, assignments, milestones, workflows, recurring tasks, bookings (paymo-api.md 2.1, 2.15–2.18, 2.20, 2.22–2.24, 2.27–2.29). */
import { col, idCol, LIST, stamps, table } from './columns.js';
import type { ObjectSpec } from './types.js';

/** Projects (2.18). */
export const projects: ObjectSpec = table({
  name: 'projects',
  aliases: ['Projects'],
  comment: 'Projects (Paymo /api/projects)',
  resource: 'projects',
  key: 'projects',
  parents: [{ include: 'client', column: 'client_id', table: 'clients' }],
  read: LIST,
  writes: 'all',
  columns: [
    idCol('project'),
    col('name', 'text', 'Project name', { req: true, f: true }),
    col('code', 'text', 'Project code, prefix of task codes', { null: true }),
    col('task_code_increment', 'integer', 'Number of the last task code issued', { ro: true }),
    col('description', 'text', 'Description', { null: true }),
    col('client_id', 'bigint', 'Client of the project', { f: true, ref: 'clients' }),
    col('status_id', 'bigint', 'Project status', { f: true, ref: 'project_statuses' }),
    col('active', 'boolean', 'false = archived', { f: true }),
    col('color', 'text', 'Chart colour, e.g. #68BE5E', { null: true }),
    col('users', 'bigint[]', 'Ids of the assigned users (managers included)', { f: true }),
    col('managers', 'bigint[]', 'Ids of the managers', { f: true }),
    col('billable', 'boolean', 'Billable project', { f: true }),
    col('flat_billing', 'boolean', 'Flat rate (true) or time & materials', { null: true }),
    col('price_per_hour', 'numeric', 'Hourly rate (time & materials)', { null: true }),
    col('price', 'numeric', 'Flat-rate price', { null: true }),
    col('estimated_price', 'numeric', 'Estimated price from billable tasks', { null: true, ro: true }),
    col('hourly_billing_mode', 'text', 'Rate lookup order: task, project, company or NULL', { null: true }),
    col('budget_hours', 'numeric', 'Hour budget; NULL = unlimited', { null: true }),
    col('adjustable_hours', 'boolean', 'Budget follows the sum of task budgets', { null: true }),
    col('invoiced', 'boolean', 'Flat-rate project already invoiced', { null: true }),
    col('invoice_item_id', 'bigint', 'Invoice line of a flat-rate project', { null: true }),
    col('workflow_id', 'bigint', 'Task workflow', { null: true, f: true, ref: 'workflows' }),
    col('billing_type', 'text', 'Billing kind as Paymo reports it (non, pph, …)', { null: true, ro: true }),
    ...stamps(),
  ],
});

/** Project statuses (2.17): UPDATE and DELETE only (issue 5). */
export const projectStatuses: ObjectSpec = table({
  name: 'project_statuses',
  aliases: ['ProjectStatuses', 'projectstatuses'],
  comment: 'Project statuses (Paymo /api/projectstatuses)',
  resource: 'projectstatuses',
  key: 'projectstatuses',
  read: LIST,
  writes: { insert: false, update: true, delete: true },
  columns: [
    idCol('project status'),
    col('name', 'text', 'Status name', { req: true }),
    col('active', 'boolean', 'Projects in an inactive status are archived', { f: true }),
    col('seq', 'integer', 'Position in the list'),
    col('readonly', 'boolean', 'Built-in status that can be neither edited nor deleted', { ro: true }),
    ...stamps(),
  ],
});

/** Project templates (2.16). */
export const projectTemplates: ObjectSpec = table({
  name: 'project_templates',
  aliases: ['ProjectTemplates', 'projecttemplates'],
  comment: 'Project templates (Paymo /api/projecttemplates)',
  resource: 'projecttemplates',
  key: 'project_templates',
  read: LIST,
  writes: 'all',
  columns: [idCol('template'), col('name', 'text', 'Template name', { req: true }), ...stamps()],
});

/** Task lists (2.22). */
export const taskLists: ObjectSpec = table({
  name: 'task_lists',
  aliases: ['TaskLists', 'tasklists'],
  comment: 'Task lists of projects (Paymo /api/tasklists)',
  resource: 'tasklists',
  key: 'tasklists',
  read: LIST,
  writes: 'all',
  columns: [
    idCol('task list'),
    col('name', 'text', 'Task list name', { req: true }),
    col('seq', 'integer', 'Position in the project'),
    col('project_id', 'bigint', 'Project', { req: true, c: true, f: true, ref: 'projects' }),
    col('milestone_id', 'bigint', 'Linked milestone', { null: true, f: true, ref: 'milestones' }),
    ...stamps(),
  ],
});

/** Tasks (2.24). */
export const tasks: ObjectSpec = table({
  name: 'tasks',
  aliases: ['Tasks'],
  comment: 'Tasks (Paymo /api/tasks)',
  resource: 'tasks',
  key: 'tasks',
  parents: [
    { include: 'project', column: 'project_id', table: 'projects' },
    { include: 'user', column: 'user_id', table: 'users' },
  ],
  read: LIST,
  writes: 'all',
  writeRules: [
    {
      kind: 'one-of-groups',
      groups: [['project_id'], ['tasklist_id']],
      message: 'a task needs project_id or tasklist_id',
    },
  ],
  columns: [
    idCol('task'),
    col('name', 'text', 'Task name', { req: true, f: true }),
    col('code', 'text', 'Task code, <project code>-<number>', { ro: true }),
    col('project_id', 'bigint', 'Project', { c: true, f: true, ref: 'projects' }),
    col('tasklist_id', 'bigint', 'Task list', { f: true, ref: 'task_lists' }),
    col('seq', 'integer', 'Position in the task list'),
    col('description', 'text', 'Description (may hold HTML)', { null: true }),
    col('complete', 'boolean', 'Task is done', { f: true }),
    col('completed_on', 'timestamptz', 'When it was completed', { null: true, ro: true }),
    col('completed_by', 'bigint', 'User who completed it', { null: true, ro: true, ref: 'users' }),
    col('due_date', 'date', 'Due date', { null: true, f: true }),
    col('start_date', 'date', 'Start date', { null: true }),
    col('user_id', 'bigint', 'Creator', { null: true, f: true, ref: 'users' }),
    col('users', 'bigint[]', 'Ids of the assignees (empty = everyone on the project)', { f: true }),
    col('billable', 'boolean', 'Billable task', { f: true }),
    col('flat_billing', 'boolean', 'Flat-rate task', { null: true }),
    col('price_per_hour', 'numeric', 'Hourly rate', { null: true }),
    col('budget_hours', 'numeric', 'Hour budget', { null: true }),
    col('estimated_price', 'numeric', 'Flat price, or estimate from tracked time', { null: true }),
    col('price', 'numeric', 'Price', { null: true, ro: true }),
    col('invoiced', 'boolean', 'Flat-rate task already invoiced', { null: true }),
    col('invoice_item_id', 'bigint', 'Invoice line of a flat-rate task', { null: true }),
    col('priority', 'integer', '100 critical, 75 high, 50 normal, 25 low', { f: true }),
    col('status_id', 'bigint', 'Workflow status', { null: true, f: true, ref: 'workflow_statuses' }),
    col('files_count', 'integer', 'Attached files', { null: true, ro: true }),
    col('comments_count', 'integer', 'Comments', { null: true, ro: true }),
    ...stamps(),
  ],
});

/** Subtasks (2.20). */
export const subtasks: ObjectSpec = table({
  name: 'subtasks',
  aliases: ['Subtasks'],
  comment: 'Checklist items of tasks (Paymo /api/subtasks)',
  resource: 'subtasks',
  key: 'subtasks',
  read: LIST,
  writes: 'all',
  columns: [
    idCol('subtask'),
    col('name', 'text', 'Subtask name', { req: true }),
    col('complete', 'boolean', 'Done', { f: true }),
    col('project_id', 'bigint', 'Project of the task', { ro: true, ref: 'projects' }),
    col('user_id', 'bigint', 'Creator', { null: true, ro: true, ref: 'users' }),
    col('task_id', 'bigint', 'Task', { req: true, f: true, ref: 'tasks' }),
    col('seq', 'integer', 'Position inside the task'),
    col('completed_on', 'timestamptz', 'When it was completed', { null: true, ro: true }),
    col('completed_by', 'bigint', 'User who completed it', { null: true, ro: true, ref: 'users' }),
    ...stamps(),
  ],
});

/** Task assignments `userstasks` (2.27): listing needs `user_id` or `task_id`. */
export const taskAssignments: ObjectSpec = table({
  name: 'task_assignments',
  aliases: ['TaskAssignments', 'userstasks'],
  comment: 'Which user is assigned to which task (Paymo /api/userstasks)',
  resource: 'userstasks',
  key: 'userstasks',
  read: {
    kind: 'list',
    byId: true,
    required: { anyOf: ['user_id', 'task_id'] },
    fallback: { kind: 'fan-out', resource: 'users', key: 'users', field: 'user_id' },
  },
  writes: 'all',
  columns: [
    idCol('assignment'),
    col('user_id', 'bigint', 'User', { req: true, f: true, ref: 'users' }),
    col('task_id', 'bigint', 'Task', { req: true, f: true, ref: 'tasks' }),
    ...stamps(),
  ],
});

/** Milestones (2.15). */
export const milestones: ObjectSpec = table({
  name: 'milestones',
  aliases: ['Milestones'],
  comment: 'Project milestones (Paymo /api/milestones)',
  resource: 'milestones',
  key: 'milestones',
  parents: [
    { include: 'project', column: 'project_id', table: 'projects' },
    { include: 'user', column: 'user_id', table: 'users' },
  ],
  read: LIST,
  writes: 'all',
  columns: [
    idCol('milestone'),
    col('name', 'text', 'Milestone name', { req: true }),
    col('project_id', 'bigint', 'Project', { req: true, f: true, ref: 'projects' }),
    col('user_id', 'bigint', 'Responsible user (gets reminders)', { null: true, f: true, ref: 'users' }),
    col('due_date', 'date', 'Due date', { req: true, f: true }),
    col('send_reminder', 'integer', 'Hours before the due date to remind; 0 = none', { f: true }),
    col('reminder_sent', 'boolean', 'Reminder already sent', { ro: true, f: true }),
    col('complete', 'boolean', 'Milestone reached', { f: true }),
    col('linked_tasklists', 'bigint[]', 'Ids of the linked task lists'),
    ...stamps(),
  ],
});

/** Workflows (2.28). */
export const workflows: ObjectSpec = table({
  name: 'workflows',
  aliases: ['Workflows'],
  comment: 'Task workflows (Paymo /api/workflows)',
  resource: 'workflows',
  key: 'workflows',
  read: LIST,
  writes: 'all',
  columns: [
    idCol('workflow'),
    col('name', 'text', 'Workflow name', { req: true }),
    col('is_default', 'boolean', 'Default workflow of new projects'),
    ...stamps(),
  ],
});

/** Workflow statuses (2.29). */
export const workflowStatuses: ObjectSpec = table({
  name: 'workflow_statuses',
  aliases: ['WorkflowStatuses', 'workflowstatuses'],
  comment: 'Statuses of task workflows (Paymo /api/workflowstatuses)',
  resource: 'workflowstatuses',
  key: 'workflowstatuses',
  read: LIST,
  writes: 'all',
  columns: [
    idCol('workflow status'),
    col('name', 'text', 'Status name', { req: true }),
    col('workflow_id', 'bigint', 'Workflow', { req: true, c: true, f: true, ref: 'workflows' }),
    col('color', 'text', 'RGB hex colour without #', { null: true, req: true }),
    col('seq', 'integer', 'Position in the workflow', { null: true, ro: true }),
    col('action', 'text', 'backlog, complete or empty', { ro: true }),
    ...stamps(),
  ],
});

/** Task recurring profiles (2.23). */
export const taskRecurringProfiles: ObjectSpec = table({
  name: 'task_recurring_profiles',
  aliases: ['TaskRecurringProfiles', 'taskrecurringprofiles'],
  comment: 'Schedules that create tasks (Paymo /api/taskrecurringprofiles)',
  resource: 'taskrecurringprofiles',
  key: 'taskrecurringprofiles',
  read: LIST,
  writes: 'all',
  columns: [
    idCol('recurring task profile'),
    // Paymo also creates a profile from a source `task_id` (a request parameter, not an attribute);
    // SQL has no such column, so name and project_id are required.
    col('name', 'text', 'Name of the generated tasks', { req: true }),
    col('code', 'text', 'Task code format', { null: true, ro: true }),
    col('project_id', 'bigint', 'Project', { req: true, f: true, ref: 'projects' }),
    col('tasklist_id', 'bigint', 'Task list', { null: true, ref: 'task_lists' }),
    col('user_id', 'bigint', 'Creator', { ro: true, ref: 'users' }),
    col('task_user_id', 'bigint', 'Creator of the source task', { null: true, ro: true }),
    col('company_id', 'bigint', 'Company', { null: true, ro: true }),
    col('billable', 'boolean', 'Billable tasks', { null: true }),
    col('flat_billing', 'boolean', 'Flat-rate tasks', { null: true }),
    col('description', 'text', 'Description', { null: true }),
    col('price_per_hour', 'numeric', 'Hourly rate', { null: true }),
    col('estimated_price', 'numeric', 'Estimated price', { null: true }),
    col('budget_hours', 'numeric', 'Hour budget', { null: true }),
    col('users', 'bigint[]', 'Ids of the assignees of generated tasks'),
    col('priority', 'integer', '100/75/50/25 as for tasks'),
    col('notifications', 'text', 'Alert settings as Paymo stores them (a JSON string)', { null: true }),
    col('frequency', 'text', 'daily, weekly or monthly', { req: true }),
    col('interval', 'integer', 'Every N periods', { req: true }),
    col('on_day', 'bigint[]', 'Days of weekly/monthly recurrence'),
    col('occurrences', 'integer', 'Stop after N tasks', { null: true }),
    col('until', 'date', 'Stop after this date', { null: true }),
    col('active', 'boolean', 'Running (true) or halted'),
    col('due_date_offset', 'integer', 'Days from generation to due date'),
    col('recurring_start_date', 'date', 'Reference date of the schedule', { req: true }),
    col('generated_count', 'integer', 'Tasks generated so far', { null: true, ro: true }),
    col('last_generated_on', 'date', 'Last generation day', { null: true, ro: true }),
    col('next_processing_date', 'date', 'Next generation day', { null: true, ro: true }),
    col('processing_timezone', 'text', 'Time zone of the schedule', { null: true }),
    col('processing_hour', 'text', 'Hour of generation, HH:MM:SS', { null: true }),
    ...stamps(),
  ],
});

/** Bookings (2.1): listing needs an assignment/task/project/user filter or a date interval. */
export const bookings: ObjectSpec = table({
  name: 'bookings',
  aliases: ['Bookings'],
  comment: 'Resource-scheduling bookings (Paymo /api/bookings)',
  resource: 'bookings',
  key: 'bookings',
  read: {
    kind: 'list',
    byId: true,
    required: {
      anyOf: ['user_task_id', 'task_id', 'project_id', 'user_id'],
      intervals: ['date_interval'],
      allOf: [['start_date', 'end_date']],
    },
    fallback: { kind: 'fan-out', resource: 'users', key: 'users', field: 'user_id' },
  },
  writes: 'all',
  columns: [
    idCol('booking'),
    col('user_task_id', 'bigint', 'Task assignment booked', { req: true, f: true, ref: 'task_assignments' }),
    col('start_date', 'date', 'First booked day', {
      req: true,
      interval: {
        param: 'date_interval',
        format: 'date',
        endExclusive: false,
        openFrom: '1970-01-01',
        openTo: '2999-12-31',
      },
    }),
    col('end_date', 'date', 'Last booked day', {
      req: true,
      interval: {
        param: 'date_interval',
        format: 'date',
        endExclusive: false,
        openFrom: '1970-01-01',
        openTo: '2999-12-31',
      },
    }),
    col('hours_per_day', 'numeric', 'Hours booked per day', { req: true }),
    col('description', 'text', 'Description', { null: true }),
    ...stamps(false),
  ],
});
