/**
 * Time entries and timers (paymo-api.md 2.25): the two create forms, the one-minute minimum, one
 * running timer per user (409), `duration` writable only on bulk entries, no time on archived
 * projects.
 */
import { ApiError } from '../api-error.js';
import type { Behaviour } from '../behaviour.js';
import type { CallContext, Rec } from '../types.js';
import { childrenOf, mustExist, next, refuse } from './util.js';

/** Shortest interval entry Paymo accepts, in seconds (2.25). */
const MIN_SECONDS = 60;

/** The user's running timer (an interval entry without `end_time`), other than `exceptId`. */
export function runningTimer(ctx: CallContext, userId: unknown, exceptId?: unknown): Rec | undefined {
  return childrenOf(ctx, 'entries', 'user_id', userId).find(
    (e) =>
      e.id !== exceptId &&
      typeof e.start_time === 'string' &&
      (e.end_time === null || e.end_time === undefined),
  );
}

function noTimerRunning(ctx: CallContext, userId: unknown, exceptId?: unknown): void {
  const t = runningTimer(ctx, userId, exceptId);
  if (t)
    throw new ApiError(409, `User ${String(userId)} already has a running timer (entry ${String(t.id)})`);
}

/** The task an entry goes on, refusing tasks of archived projects (2.25, projects.md). */
function taskForTime(ctx: CallContext, taskId: unknown): Rec {
  const task = mustExist(ctx, 'tasks', taskId, 'task_id');
  const project = ctx.store.get('projects', task.project_id as number);
  if (project && project.active === false)
    refuse(`Time entries cannot be added to tasks of archived project ${String(project.id)}`);
  return task;
}

/** Seconds between two stored UTC date-times, refusing intervals shorter than a minute. */
function intervalSeconds(start: unknown, end: unknown): number {
  const s = Date.parse(String(start));
  const e = Date.parse(String(end));
  const seconds = Math.round((e - s) / 1000);
  if (!(seconds >= MIN_SECONDS))
    refuse('A time entry must last at least 1 minute (end_time - start_time >= 60 s)');
  return seconds;
}

/** Time entries: 2.25. */
export const entries: Behaviour = {
  beforeCreate(rec, _virtual, ctx) {
    const task = taskForTime(ctx, rec.task_id);
    rec.project_id = task.project_id;
    mustExist(ctx, 'users', rec.user_id, 'user_id');
    const hasStart = typeof rec.start_time === 'string';
    const hasEnd = typeof rec.end_time === 'string';
    if (hasStart && hasEnd) {
      rec.duration = intervalSeconds(rec.start_time, rec.end_time);
      rec.is_bulk = false;
      rec.added_manually = true;
      delete rec.date;
    } else if (hasStart) {
      noTimerRunning(ctx, rec.user_id);
      rec.end_time = null;
      rec.duration = null;
      rec.is_bulk = false;
      rec.added_manually = false;
      delete rec.date;
    } else if (rec.date !== undefined && rec.duration !== undefined && rec.duration !== null) {
      if (Number(rec.duration) <= 0) refuse("Field 'duration' must be a positive number of seconds");
      rec.is_bulk = true;
      rec.added_manually = true;
      delete rec.start_time;
      delete rec.end_time;
    } else {
      refuse("Fields 'date' and 'duration', or 'start_time' and 'end_time', are required");
    }
  },
  beforeUpdate(current, patch, _virtual, ctx) {
    if (patch.task_id !== undefined && patch.task_id !== current.task_id)
      patch.project_id = taskForTime(ctx, patch.task_id).project_id;
    if (patch.user_id !== undefined) mustExist(ctx, 'users', patch.user_id, 'user_id');
    if (current.is_bulk === true) {
      // A bulk entry has no interval to adjust.
      delete patch.start_time;
      delete patch.end_time;
      if (patch.duration !== undefined && !(Number(patch.duration) > 0))
        refuse("Field 'duration' must be a positive number of seconds");
      return;
    }
    if (patch.duration !== undefined && patch.duration !== current.duration)
      refuse("Field 'duration' can only be changed on bulk entries; change start_time or end_time instead");
    delete patch.duration;
    delete patch.date;
    const end = next(current, patch, 'end_time');
    const running = end === null || end === undefined;
    if (patch.start_time !== undefined || patch.end_time !== undefined) {
      if (running) patch.duration = null;
      else patch.duration = intervalSeconds(next(current, patch, 'start_time'), end);
    }
    const wasRunning = current.end_time === null || current.end_time === undefined;
    if (running && (!wasRunning || (patch.user_id !== undefined && patch.user_id !== current.user_id)))
      noTimerRunning(ctx, next(current, patch, 'user_id'), current.id);
  },
};
