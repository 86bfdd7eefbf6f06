/**
 * Discussions, comments and their threads, files (paymo-api.md 2.4, 2.6, 2.10): a comment finds or
 * creates the thread of its task/discussion/file; deleting a parent deletes its thread and comments.
 */
import { randomBytes } from 'node:crypto';
import type { Behaviour } from '../behaviour.js';
import type { CallContext, Rec } from '../types.js';
import { cascadeChildren, childrenOf, insertRaw, mustExist, refuse } from './util.js';

/** The parents a thread (and a comment) can hang on, with the resource they live in. */
const THREAD_PARENTS = [
  ['task_id', 'tasks'],
  ['discussion_id', 'discussions'],
  ['file_id', 'files'],
] as const;

/** Threads: not writable over HTTP; deleted with their parent, taking their comments along. */
export const threads: Behaviour = {
  afterDelete(rec, ctx) {
    cascadeChildren(ctx, 'comments', 'thread_id', rec.id);
  },
};

/** Comments: `content` + one of thread/task/discussion/file; the author is the caller (2.4). */
export const comments: Behaviour = {
  beforeCreate(rec, virtual, ctx) {
    rec.user_id = ctx.userId;
    if (rec.thread_id !== undefined && rec.thread_id !== null) {
      mustExist(ctx, 'threads', rec.thread_id, 'thread_id');
      return;
    }
    for (const [field, path] of THREAD_PARENTS) {
      const raw = virtual[field];
      if (raw === undefined || raw === null) continue;
      const parent = mustExist(ctx, path, raw, field);
      // Last, once nothing can refuse: find the parent's thread or start it (threads come with the first comment).
      const thread =
        childrenOf(ctx, 'threads', field, parent.id)[0] ??
        insertRaw(ctx, 'threads', { project_id: parent.project_id ?? null, [field]: parent.id });
      rec.thread_id = thread.id;
      return;
    }
    refuse("Field 'thread_id', 'task_id', 'discussion_id' or 'file_id' is required");
  },
};

/** Discussions: belong to a project; delete removes their thread, comments and files (2.6). */
export const discussions: Behaviour = {
  beforeCreate(rec, _virtual, ctx) {
    mustExist(ctx, 'projects', rec.project_id, 'project_id');
  },
  beforeUpdate(_current, patch, _virtual, ctx) {
    if (patch.project_id !== undefined) mustExist(ctx, 'projects', patch.project_id, 'project_id');
  },
  afterDelete(rec, ctx) {
    cascadeChildren(ctx, 'threads', 'discussion_id', rec.id);
    cascadeChildren(ctx, 'files', 'discussion_id', rec.id);
  },
};

/** MIME types by file extension, for the metadata of uploads. */
const MIME: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  zip: 'application/zip',
};

/** The project a file's parent belongs to (a comment's through its thread). */
function projectOfParent(ctx: CallContext, field: string, parent: Rec): unknown {
  if (field !== 'comment_id') return parent.project_id;
  return ctx.store.get('threads', parent.thread_id as number)?.project_id ?? null;
}

/** Files: metadata only; at most one parent; updates touch only name and description (2.10). */
export const files: Behaviour = {
  beforeCreate(rec, _virtual, ctx) {
    const given = (['discussion_id', 'task_id', 'comment_id'] as const).filter(
      (f) => rec[f] !== undefined && rec[f] !== null,
    );
    if (given.length > 1) refuse('A file belongs to at most one of discussion_id, task_id, comment_id');
    const field = given[0];
    if (field) {
      const path = field === 'discussion_id' ? 'discussions' : field === 'task_id' ? 'tasks' : 'comments';
      const parent = mustExist(ctx, path, rec[field], field);
      const project = projectOfParent(ctx, field, parent);
      if (rec.project_id !== undefined && rec.project_id !== null && rec.project_id !== project)
        refuse(`${path} ${String(parent.id)} is not in project ${String(rec.project_id)}`);
      rec.project_id = project ?? null;
    } else if (rec.project_id !== undefined && rec.project_id !== null) {
      mustExist(ctx, 'projects', rec.project_id, 'project_id');
    } else {
      // An unattached upload waits in a temporary place with a token (2.10).
      rec.project_id = null;
      rec.token = randomBytes(16).toString('hex');
    }
    const name =
      typeof rec.original_filename === 'string' && rec.original_filename !== ''
        ? rec.original_filename
        : 'file';
    rec.original_filename = name;
    const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
    rec.mime = MIME[ext] ?? 'application/octet-stream';
    rec.size = typeof rec.size === 'number' ? rec.size : 0;
    rec.file = '';
  },
  afterCreate(rec, _virtual, ctx) {
    // The download link names the id, known only now (same shape as the generated dataset).
    ctx.store.update('files', rec.id, {
      file: `https://app.paymo.test/files/${rec.id}/${encodeURIComponent(String(rec.original_filename))}`,
    });
  },
  beforeUpdate(_current, patch) {
    // Only the name and the description may change; anything else is ignored (1.5 [SIM]).
    for (const k of Object.keys(patch)) if (k !== 'original_filename' && k !== 'description') delete patch[k];
    if (
      patch.original_filename !== undefined &&
      (typeof patch.original_filename !== 'string' || patch.original_filename === '')
    )
      refuse("Field 'original_filename' cannot be empty");
  },
  afterDelete(rec, ctx) {
    cascadeChildren(ctx, 'threads', 'file_id', rec.id);
  },
};
