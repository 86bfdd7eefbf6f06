/** Specs of tracked time and reports: time entries, reports (paymo-api.md 2.19, 2.25). */
import { col, idCol, LIST, stamps, table } from './columns.js';
import type { IntervalPush, ObjectSpec } from './types.js';

/** `time_interval in ("from","to")`: interval entries by `start_time`, bulk entries by `date`, `[from, to)`. */
const TIME_INTERVAL: IntervalPush = {
  param: 'time_interval',
  format: 'datetime',
  endExclusive: true,
  openFrom: '1970-01-01T00:00:00Z',
  openTo: '2999-12-31T00:00:00Z',
};

/** Time entries (2.25): listing needs a task/project/user/client filter or a time interval. */
export const timeEntries: ObjectSpec = table({
  name: 'time_entries',
  aliases: ['TimeEntries', 'timeentries', 'entries'],
  comment:
    'Tracked time: interval entries (start/end) and bulk entries (date + duration) (Paymo /api/entries)',
  resource: 'entries',
  key: 'entries',
  parents: [
    { include: 'task', column: 'task_id', table: 'tasks' },
    { include: 'user', column: 'user_id', table: 'users' },
    // An entry's project_id is its task's (2.25, read-only "from the task").
    { include: 'task.project', column: 'project_id', table: 'projects' },
  ],
  read: {
    kind: 'list',
    byId: true,
    required: { anyOf: ['task_id', 'project_id', 'user_id', 'client_id'], intervals: ['time_interval'] },
    fallback: { kind: 'fan-out', resource: 'projects', key: 'projects', field: 'project_id' },
  },
  writes: 'all',
  writeRules: [
    {
      kind: 'one-of-groups',
      groups: [
        ['date', 'duration'],
        ['start_time', 'end_time'],
      ],
      message: 'a time entry needs task_id plus either (date, duration) or (start_time, end_time)',
      // An entry is either bulk (date + duration) or interval (start/end): Paymo changes `duration`
      // only on bulk entries and the interval only on interval entries (2.25), so a row never takes
      // both forms, on INSERT or UPDATE.
      exclusive: true,
    },
  ],
  columns: [
    idCol('time entry'),
    col('project_id', 'bigint', 'Project of the task', { ro: true, f: true, ref: 'projects' }),
    col('task_id', 'bigint', 'Task the time was spent on', { req: true, f: true, ref: 'tasks' }),
    col('user_id', 'bigint', 'Whose time it is', { f: true, ref: 'users' }),
    col('is_bulk', 'boolean', 'true = date + duration entry, false = start/end entry', { ro: true }),
    col('start_time', 'timestamptz', 'Start (interval entries; NULL on bulk entries)', {
      null: true,
      interval: TIME_INTERVAL,
    }),
    col('end_time', 'timestamptz', 'End (NULL on bulk entries and running timers)', {
      null: true,
      f: [{ op: 'is_null', exactness: 'inexact' }],
    }),
    col('date', 'date', 'Day (bulk entries; NULL on interval entries)', {
      null: true,
      interval: TIME_INTERVAL,
    }),
    col('duration', 'integer', 'Length in seconds (NULL while a timer runs)', { null: true }),
    col('description', 'text', 'Description (may hold HTML)', { null: true }),
    col('added_manually', 'boolean', 'false = recorded with a timer', { ro: true }),
    col('billed', 'boolean', 'Included in an invoice', { f: true }),
    col('invoice_item_id', 'bigint', 'Invoice line that billed it', {
      null: true,
      ref: 'invoice_line_items',
    }),
    ...stamps(),
    // Not a Paymo attribute: the one day column a date window can be written on (`spent_on >= X`),
    // so "this month" reaches Paymo as one time_interval instead of `start_time >= X OR date >= X`.
    col(
      'spent_on',
      'date',
      'Day the time counts for (computed): date for bulk entries, the UTC date of start_time for interval entries; ranges are sent as time_interval',
      {
        ro: true,
        interval: TIME_INTERVAL,
        derived: { kind: 'day-of-first', fields: ['date', 'start_time'] },
      },
    ),
  ],
});

/** Reports (2.19); `content` is only in read-one answers, so selecting it costs one request per report. */
export const reports: ObjectSpec = table({
  name: 'reports',
  aliases: ['Reports'],
  comment: 'Saved time reports (Paymo /api/reports)',
  resource: 'reports',
  key: 'reports',
  read: LIST,
  writes: 'all',
  // Update is a full re-specification with `type` mandatory (2.19).
  updateReplaces: true,
  writeRules: [
    {
      kind: 'one-of-groups',
      groups: [['date_interval'], ['start_date', 'end_date']],
      message: 'a report needs date_interval (this_month, last_year, …) or both start_date and end_date',
      exclusive: true,
    },
  ],
  columns: [
    idCol('report'),
    col('name', 'text', 'Report name', { null: true }),
    col('user_id', 'bigint', 'Creator', { ro: true, f: true, ref: 'users' }),
    col('type', 'text', 'static, live or temp', { req: true, f: true }),
    col('start_date', 'jsonb', 'Start as given on creation (Unix seconds or ISO text)', { null: true }),
    col('end_date', 'jsonb', 'End as given on creation (Unix seconds or ISO text)', { null: true }),
    col('date_interval', 'text', 'Preset period (this_month, last_year, …)', { null: true }),
    col('projects', 'jsonb', 'Project ids, or a preset such as "all"', { null: true }),
    col('clients', 'text', 'Client ids comma-separated (12,15), or a preset: all, all_active', {
      null: true,
      selector: { presets: ['all', 'all_active'] },
    }),
    col('users', 'text', 'User ids comma-separated (12,15), or a preset: all, all_active, all_archived', {
      null: true,
      selector: { presets: ['all', 'all_active', 'all_archived'] },
    }),
    col('include', 'jsonb', 'Grouping keys (days, clients, users, …)', { null: true }),
    col('extra', 'jsonb', 'Report options', { null: true }),
    col('info', 'jsonb', 'Resolved parameters', { ro: true }),
    col('content', 'jsonb', 'Report data {items: […]} (one extra request per report)', {
      null: true,
      ro: true,
      detailOnly: true,
    }),
    col('permalink', 'text', 'Link to the report', { ro: true }),
    col('shared', 'boolean', 'Shared with a client'),
    col('share_client_id', 'bigint', 'Client it is shared with', { null: true, ref: 'clients' }),
    col('download_token', 'text', 'Download token', { null: true, ro: true }),
    ...stamps(),
  ],
});
