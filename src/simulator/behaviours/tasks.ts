/**
 * Task lists, tasks, subtasks, task assignments, bookings, milestones, workflows and workflow
 * statuses, task recurring profiles (paymo-api.md 2.1, 2.15, 2.20, 2.22–2.24, 2.27–2.29).
 */
import { ApiError } from '../api-error.js';
import type { Behaviour, WriteContext } from '../behaviour.js';
import { isoSeconds } from '../time.js';
import type { CallContext, Rec } from '../types.js';
import { workflowStatus } from './projects.js';
import {
  addToArray,
  asId,
  cascadeChildren,
  checkOrder,
  childrenOf,
  company,
  idList,
  insertRaw,
  mustAllExist,
  mustExist,
  next,
  refuse,
  removeFromArray,
  touch,
  unique,
} from './util.js';

/** The task list tasks land in when created with only `project_id` (1.12). */
export const DEFAULT_TASKLIST = 'Default Task List';

/** Sets or clears `completed_on`/`completed_by` when `complete` changes (2.20, 2.24 [SIM]). */
function completionFields(complete: boolean, ctx: CallContext): Record<string, unknown> {
  return complete
    ? { completed_on: isoSeconds(ctx.now), completed_by: ctx.userId }
    : { completed_on: null, completed_by: null };
}

/**
 * Mirrors `task.users` into `userstasks` (2.27 [SIM]): missing assignments are inserted, stale ones
 * deleted (with their bookings). Inserted rows bypass the userstasks behaviour, which would only
 * write `task.users` back.
 */
function syncAssignments(ctx: WriteContext, task: Rec): void {
  const want = idList(task.users);
  const existing = [...childrenOf(ctx, 'userstasks', 'task_id', task.id)];
  for (const ut of existing) if (!want.includes(ut.user_id as number)) ctx.deleteCascade('userstasks', ut.id);
  const have = existing.map((ut) => ut.user_id);
  for (const u of want) if (!have.includes(u)) insertRaw(ctx, 'userstasks', { user_id: u, task_id: task.id });
}

/** Resolves `status_id` against `complete` on a task write; returns the fields to set. */
function statusFields(
  ctx: CallContext,
  workflowId: unknown,
  statusId: unknown,
  complete: boolean | undefined,
): Record<string, unknown> {
  if (statusId !== undefined && statusId !== null) {
    const st = mustExist(ctx, 'workflowstatuses', statusId, 'status_id');
    if (asId(workflowId) !== undefined && st.workflow_id !== workflowId)
      refuse(`Invalid status_id: status ${String(statusId)} does not belong to the project's workflow`);
    // Choosing the Complete column completes the task; any other column reopens it (2.24 [SIM]).
    return { status_id: st.id, complete: st.action === 'complete' };
  }
  if (complete === undefined) return {};
  const st = workflowStatus(ctx, workflowId, complete ? 'complete' : 'backlog');
  return st ? { status_id: st.id } : {};
}

/** Tasks: 2.24 and 1.12 (Default Task List, completion ↔ workflow, assignments, cascades). */
export const tasks: Behaviour = {
  beforeCreate(rec, _virtual, ctx) {
    let project: Rec;
    let needDefaultList = false;
    if (rec.tasklist_id !== undefined && rec.tasklist_id !== null) {
      const list = mustExist(ctx, 'tasklists', rec.tasklist_id, 'tasklist_id');
      if (rec.project_id !== undefined && rec.project_id !== list.project_id)
        refuse(`Task list ${String(list.id)} does not belong to project ${String(rec.project_id)}`);
      rec.project_id = list.project_id;
      project = mustExist(ctx, 'projects', list.project_id, 'project_id');
    } else if (rec.project_id !== undefined && rec.project_id !== null) {
      project = mustExist(ctx, 'projects', rec.project_id, 'project_id');
      needDefaultList = true;
    } else {
      refuse("Field 'tasklist_id' or 'project_id' is required");
    }
    mustAllExist(ctx, 'users', rec.users, 'users');
    rec.users = unique(idList(rec.users));
    const st = statusFields(ctx, project.workflow_id, rec.status_id, rec.complete === true);
    Object.assign(rec, st);
    if (rec.complete === true) Object.assign(rec, completionFields(true, ctx));
    const n = Number(project.task_code_increment ?? 0) + 1;
    rec.code = typeof project.code === 'string' && project.code !== '' ? `${project.code}-${n}` : String(n);
    // Last, once nothing can refuse: the documented fallback list (1.12).
    if (needDefaultList) {
      const list =
        childrenOf(ctx, 'tasklists', 'project_id', project.id).find((l) => l.name === DEFAULT_TASKLIST) ??
        ctx.createRecord('tasklists', { name: DEFAULT_TASKLIST, project_id: project.id });
      rec.tasklist_id = list.id;
    }
  },
  afterCreate(rec, _virtual, ctx) {
    const project = ctx.store.get('projects', rec.project_id as number);
    if (project)
      touch(ctx, 'projects', project.id, {
        task_code_increment: Number(project.task_code_increment ?? 0) + 1,
      });
    syncAssignments(ctx, rec);
  },
  beforeUpdate(current, patch, virtual, ctx) {
    if (patch.tasklist_id !== undefined) {
      const list = mustExist(ctx, 'tasklists', patch.tasklist_id, 'tasklist_id');
      if (list.project_id !== current.project_id)
        refuse(`Task list ${String(list.id)} belongs to another project; a task cannot change project`);
    }
    if (patch.users !== undefined) {
      mustAllExist(ctx, 'users', patch.users, 'users');
      patch.users = unique(idList(patch.users));
    }
    const project = ctx.store.get('projects', current.project_id as number);
    const complete =
      patch.complete !== undefined && patch.complete !== current.complete
        ? patch.complete === true
        : undefined;
    Object.assign(patch, statusFields(ctx, project?.workflow_id, patch.status_id, complete));
    if (patch.complete !== undefined && patch.complete !== current.complete)
      Object.assign(patch, completionFields(patch.complete === true, ctx));
    checkOrder(ctx, 'subtasks', 'task_id', current.id, virtual.subtasks_order, 'subtasks_order');
  },
  afterUpdate(rec, before, virtual, ctx) {
    if (JSON.stringify(rec.users) !== JSON.stringify(before.users)) syncAssignments(ctx, rec);
    checkOrder(ctx, 'subtasks', 'task_id', rec.id, virtual.subtasks_order, 'subtasks_order').forEach(
      (id, i) => {
        touch(ctx, 'subtasks', id, { seq: i });
      },
    );
  },
  afterDelete(rec, ctx) {
    cascadeChildren(ctx, 'entries', 'task_id', rec.id);
    cascadeChildren(ctx, 'subtasks', 'task_id', rec.id);
    cascadeChildren(ctx, 'userstasks', 'task_id', rec.id);
    cascadeChildren(ctx, 'threads', 'task_id', rec.id);
  },
};

/** Task lists: milestone link kept in sync, task reordering, delete cascades tasks (2.22). */
export const tasklists: Behaviour = {
  beforeCreate(rec, _virtual, ctx) {
    mustExist(ctx, 'projects', rec.project_id, 'project_id');
    checkMilestone(ctx, rec.project_id, rec.milestone_id);
  },
  afterCreate(rec, _virtual, ctx) {
    const m = asId(rec.milestone_id);
    if (m !== undefined) addToArray(ctx, 'milestones', m, 'linked_tasklists', rec.id as number);
  },
  beforeUpdate(current, patch, virtual, ctx) {
    if (patch.milestone_id !== undefined) checkMilestone(ctx, current.project_id, patch.milestone_id);
    checkOrder(ctx, 'tasks', 'tasklist_id', current.id, virtual.tasks_order, 'tasks_order');
  },
  afterUpdate(rec, before, virtual, ctx) {
    if (rec.milestone_id !== before.milestone_id) {
      const old = asId(before.milestone_id);
      if (old !== undefined) removeFromArray(ctx, 'milestones', old, 'linked_tasklists', rec.id as number);
      const m = asId(rec.milestone_id);
      if (m !== undefined) addToArray(ctx, 'milestones', m, 'linked_tasklists', rec.id as number);
    }
    checkOrder(ctx, 'tasks', 'tasklist_id', rec.id, virtual.tasks_order, 'tasks_order').forEach((id, i) => {
      touch(ctx, 'tasks', id, { seq: i });
    });
  },
  afterDelete(rec, ctx) {
    cascadeChildren(ctx, 'tasks', 'tasklist_id', rec.id);
    const m = asId(rec.milestone_id);
    if (m !== undefined) removeFromArray(ctx, 'milestones', m, 'linked_tasklists', rec.id as number);
  },
};

function checkMilestone(ctx: CallContext, projectId: unknown, milestoneId: unknown): void {
  if (milestoneId === undefined || milestoneId === null) return;
  const m = mustExist(ctx, 'milestones', milestoneId, 'milestone_id');
  if (m.project_id !== projectId) refuse(`Milestone ${String(m.id)} belongs to another project`);
}

/** Milestones: `linked_tasklists` and task list `milestone_id` are two views of one link (2.15 [SIM]). */
export const milestones: Behaviour = {
  beforeCreate(rec, _virtual, ctx) {
    mustExist(ctx, 'projects', rec.project_id, 'project_id');
    if (rec.user_id !== undefined && rec.user_id !== null) mustExist(ctx, 'users', rec.user_id, 'user_id');
    rec.linked_tasklists = checkLinkedLists(ctx, rec.project_id, rec.linked_tasklists);
  },
  afterCreate(rec, _virtual, ctx) {
    linkLists(ctx, rec, []);
  },
  beforeUpdate(current, patch, _virtual, ctx) {
    if (patch.project_id !== undefined) mustExist(ctx, 'projects', patch.project_id, 'project_id');
    if (patch.user_id !== undefined && patch.user_id !== null)
      mustExist(ctx, 'users', patch.user_id, 'user_id');
    if (patch.linked_tasklists !== undefined || patch.project_id !== undefined)
      patch.linked_tasklists = checkLinkedLists(
        ctx,
        next(current, patch, 'project_id'),
        next(current, patch, 'linked_tasklists'),
      );
  },
  afterUpdate(rec, before, _virtual, ctx) {
    linkLists(ctx, rec, idList(before.linked_tasklists));
  },
  afterDelete(rec, ctx) {
    for (const tl of [...childrenOf(ctx, 'tasklists', 'milestone_id', rec.id)])
      touch(ctx, 'tasklists', tl.id, { milestone_id: null });
  },
};

function checkLinkedLists(ctx: CallContext, projectId: unknown, lists: unknown): number[] {
  const ids = unique(idList(lists));
  for (const id of ids) {
    const tl = mustExist(ctx, 'tasklists', id, 'linked_tasklists');
    if (tl.project_id !== projectId)
      refuse(`Invalid linked_tasklists: task list ${id} is in another project`);
  }
  return ids;
}

/** Points listed task lists at the milestone (taking them from any other milestone) and unlinks dropped ones. */
function linkLists(ctx: WriteContext, milestone: Rec, before: number[]): void {
  const mid = milestone.id as number;
  const now = idList(milestone.linked_tasklists);
  for (const id of before) {
    const tl = ctx.store.get('tasklists', id);
    if (!now.includes(id) && tl && tl.milestone_id === mid)
      touch(ctx, 'tasklists', id, { milestone_id: null });
  }
  for (const id of now) {
    const tl = ctx.store.get('tasklists', id);
    if (!tl || tl.milestone_id === mid) continue;
    const old = asId(tl.milestone_id);
    if (old !== undefined) removeFromArray(ctx, 'milestones', old, 'linked_tasklists', id);
    touch(ctx, 'tasklists', id, { milestone_id: mid });
  }
}

/** Subtasks: project from the task, completion fields (2.20). */
export const subtasks: Behaviour = {
  beforeCreate(rec, _virtual, ctx) {
    const task = mustExist(ctx, 'tasks', rec.task_id, 'task_id');
    rec.project_id = task.project_id;
    if (rec.complete === true) Object.assign(rec, completionFields(true, ctx));
  },
  beforeUpdate(current, patch, _virtual, ctx) {
    if (patch.task_id !== undefined)
      patch.project_id = mustExist(ctx, 'tasks', patch.task_id, 'task_id').project_id;
    if (patch.complete !== undefined && patch.complete !== current.complete)
      Object.assign(patch, completionFields(patch.complete === true, ctx));
  },
};

function checkAssignment(ctx: CallContext, userId: unknown, taskId: unknown, selfId?: unknown): void {
  mustExist(ctx, 'users', userId, 'user_id');
  mustExist(ctx, 'tasks', taskId, 'task_id');
  if (
    childrenOf(ctx, 'userstasks', 'task_id', taskId).some((ut) => ut.user_id === userId && ut.id !== selfId)
  )
    refuse(`User ${String(userId)} is already assigned to task ${String(taskId)}`);
}

/** Task assignments: the other view of `task.users`; delete cascades bookings (2.27 [SIM]). */
export const userstasks: Behaviour = {
  beforeCreate(rec, _virtual, ctx) {
    checkAssignment(ctx, rec.user_id, rec.task_id);
  },
  afterCreate(rec, _virtual, ctx) {
    addToArray(ctx, 'tasks', rec.task_id as number, 'users', rec.user_id as number);
  },
  beforeUpdate(current, patch, _virtual, ctx) {
    checkAssignment(ctx, next(current, patch, 'user_id'), next(current, patch, 'task_id'), current.id);
  },
  afterUpdate(rec, before, _virtual, ctx) {
    if (rec.user_id === before.user_id && rec.task_id === before.task_id) return;
    removeFromArray(ctx, 'tasks', before.task_id as number, 'users', before.user_id as number);
    addToArray(ctx, 'tasks', rec.task_id as number, 'users', rec.user_id as number);
  },
  afterDelete(rec, ctx) {
    removeFromArray(ctx, 'tasks', rec.task_id as number, 'users', rec.user_id as number);
    cascadeChildren(ctx, 'bookings', 'user_task_id', rec.id);
  },
};

function checkBooking(
  ctx: CallContext,
  userTaskId: unknown,
  start: unknown,
  end: unknown,
  hours: unknown,
): void {
  // The docs insist the assignment exists first (2.1).
  mustExist(ctx, 'userstasks', userTaskId, 'user_task_id');
  if (typeof start === 'string' && typeof end === 'string' && end < start)
    refuse("Field 'end_date' must not be before 'start_date'");
  if (typeof hours === 'number' && hours <= 0) refuse("Field 'hours_per_day' must be positive");
}

/** Bookings: need an existing task assignment and a sane date range (2.1). */
export const bookings: Behaviour = {
  beforeCreate(rec, _virtual, ctx) {
    checkBooking(ctx, rec.user_task_id, rec.start_date, rec.end_date, rec.hours_per_day);
  },
  beforeUpdate(current, patch, _virtual, ctx) {
    checkBooking(
      ctx,
      next(current, patch, 'user_task_id'),
      next(current, patch, 'start_date'),
      next(current, patch, 'end_date'),
      next(current, patch, 'hours_per_day'),
    );
  },
};

/** Clears `is_default` on every other record of `path` (one default workflow / template). */
export function moveDefault(ctx: WriteContext, path: string, id: number | string): void {
  for (const r of [...childrenOf(ctx, path, 'is_default', true)])
    if (r.id !== id) touch(ctx, path, r.id, { is_default: false });
}

/** Workflows: born with Backlog and Complete; exclusive default; not deletable while used (2.28). */
export const workflows: Behaviour = {
  beforeCreate(_rec, _virtual, ctx) {
    if (company(ctx)?.account_type === 'free')
      throw new ApiError(403, 'Workflows are not available on free accounts');
  },
  afterCreate(rec, _virtual, ctx) {
    insertRaw(ctx, 'workflowstatuses', {
      name: 'Backlog',
      workflow_id: rec.id,
      color: null,
      seq: 0,
      action: 'backlog',
    });
    insertRaw(ctx, 'workflowstatuses', {
      name: 'Complete',
      workflow_id: rec.id,
      color: '68BE5E',
      seq: 1,
      action: 'complete',
    });
    if (rec.is_default === true) moveDefault(ctx, 'workflows', rec.id);
  },
  afterUpdate(rec, before, _virtual, ctx) {
    if (rec.is_default === true && before.is_default !== true) moveDefault(ctx, 'workflows', rec.id);
  },
  beforeDelete(rec, ctx) {
    if (childrenOf(ctx, 'projects', 'workflow_id', rec.id).length > 0)
      refuse(`Workflow '${String(rec.name)}' is used by projects and cannot be deleted`);
  },
  afterDelete(rec, ctx) {
    for (const s of [...childrenOf(ctx, 'workflowstatuses', 'workflow_id', rec.id)])
      ctx.store.remove('workflowstatuses', s.id);
  },
};

/** Workflow status colours: six hex digits without `#` (2.29); a leading `#` is dropped. */
function normaliseColor(color: unknown): unknown {
  if (typeof color !== 'string') return color;
  const c = color.startsWith('#') ? color.slice(1) : color;
  if (!/^[0-9A-Fa-f]{6}$/.test(c))
    refuse(`Invalid value "${color}" for field 'color': expected RGB hex like 5BDBF6`);
  return c.toUpperCase();
}

/** Workflow statuses: placed last in their workflow; undeletable when used or structural (2.29). */
export const workflowstatuses: Behaviour = {
  beforeCreate(rec, _virtual, ctx) {
    mustExist(ctx, 'workflows', rec.workflow_id, 'workflow_id');
    rec.color = normaliseColor(rec.color);
    const seqs = childrenOf(ctx, 'workflowstatuses', 'workflow_id', rec.workflow_id).map((s) =>
      Number(s.seq ?? 0),
    );
    rec.seq = seqs.length === 0 ? 0 : Math.max(...seqs) + 1;
    rec.action = '';
  },
  beforeUpdate(_current, patch) {
    if (patch.color !== undefined) patch.color = normaliseColor(patch.color);
  },
  beforeDelete(rec, ctx) {
    if (rec.action === 'backlog' || rec.action === 'complete')
      refuse(
        `Workflow status '${String(rec.name)}' is the workflow's ${String(rec.action)} status and cannot be deleted`,
      );
    if (childrenOf(ctx, 'tasks', 'status_id', rec.id).length > 0)
      refuse(`Workflow status '${String(rec.name)}' is used by tasks and cannot be deleted`);
  },
};

/** Task fields a recurring profile copies from its source task (2.23 `task_id`). */
const COPIED_TASK_FIELDS = [
  'name',
  'project_id',
  'tasklist_id',
  'billable',
  'flat_billing',
  'description',
  'price_per_hour',
  'estimated_price',
  'budget_hours',
  'users',
  'priority',
] as const;

function checkProfileList(ctx: CallContext, projectId: unknown, listId: unknown): void {
  if (listId === undefined || listId === null) return;
  const tl = mustExist(ctx, 'tasklists', listId, 'tasklist_id');
  if (tl.project_id !== projectId)
    refuse(`Task list ${String(tl.id)} does not belong to project ${String(projectId)}`);
}

/** Task recurring profiles: `name` + (`project_id` or a source `task_id`) (2.23). */
export const taskrecurringprofiles: Behaviour = {
  beforeCreate(rec, virtual, ctx) {
    if (virtual.task_id !== undefined && virtual.task_id !== null) {
      const task = mustExist(ctx, 'tasks', virtual.task_id, 'task_id');
      // Task data comes from the task; request fields about the task are ignored (2.23).
      for (const f of COPIED_TASK_FIELDS) if (task[f] !== undefined) rec[f] = structuredClone(task[f]);
      rec.task_user_id = task.user_id ?? null;
    } else {
      if (typeof rec.name !== 'string' || rec.name === '') refuse("Field 'name' is required");
      if (rec.project_id === undefined || rec.project_id === null)
        refuse("Field 'project_id' or 'task_id' is required");
    }
    const project = mustExist(ctx, 'projects', rec.project_id, 'project_id');
    checkProfileList(ctx, project.id, rec.tasklist_id);
    mustAllExist(ctx, 'users', rec.users, 'users');
    if (Number(rec.interval) < 1) refuse("Field 'interval' must be at least 1");
    rec.code = typeof project.code === 'string' && project.code !== '' ? `${project.code}-` : null;
    rec.company_id = company(ctx)?.id ?? null;
    if (rec.next_processing_date === undefined) rec.next_processing_date = rec.recurring_start_date;
  },
  beforeUpdate(current, patch, _virtual, ctx) {
    if (patch.project_id !== undefined) mustExist(ctx, 'projects', patch.project_id, 'project_id');
    if (patch.project_id !== undefined || patch.tasklist_id !== undefined)
      checkProfileList(ctx, next(current, patch, 'project_id'), next(current, patch, 'tasklist_id'));
    if (patch.users !== undefined) mustAllExist(ctx, 'users', patch.users, 'users');
    if (patch.interval !== undefined && Number(patch.interval) < 1)
      refuse("Field 'interval' must be at least 1");
  },
};
