/** Specs of collaboration content: discussions, comments, threads, files, webhooks (paymo-api.md 2.4, 2.6, 2.10, 2.30). */
import { col, EQ_IN, idCol, LIST, stamps, table } from './columns.js';
import type { ColumnSpec, ObjectSpec } from './types.js';

/** Discussions (2.6). */
export const discussions: ObjectSpec = table({
  name: 'discussions',
  aliases: ['Discussions'],
  comment: 'Project discussions (Paymo /api/discussions)',
  resource: 'discussions',
  key: 'discussions',
  read: LIST,
  writes: 'all',
  columns: [
    idCol('discussion'),
    col('name', 'text', 'Title', { req: true }),
    col('description', 'text', 'Body (HTML)', { null: true }),
    col('project_id', 'bigint', 'Project', { req: true, f: true, ref: 'projects' }),
    col('user_id', 'bigint', 'Who started it', { ro: true, f: true, ref: 'users' }),
    ...stamps(),
  ],
});

/**
 * Columns of a flattened comment whose thread belongs to a `parent` (task or discussion). An INSERT
 * sends `content` and `<parent>_id` to `POST /comments` (Paymo finds or starts the thread, 2.4).
 */
function commentColumns(parent: 'task' | 'discussion'): (ColumnSpec & { ref?: string })[] {
  return [
    idCol('comment', false),
    col('content', 'text', 'Comment body (HTML)', { req: true }),
    col('thread_id', 'bigint', 'Comment thread', { ro: true, ref: 'comment_threads' }),
    col(`${parent}_id`, 'bigint', `The ${parent} commented on`, { req: true, c: true, ref: `${parent}s` }),
    col('project_id', 'bigint', `Project of the ${parent}`, { ro: true, ref: 'projects' }),
    col('user_id', 'bigint', 'Author', { ro: true, ref: 'users' }),
    ...stamps(false),
  ];
}

/**
 * Comments on one kind of parent, flattened with the parent's ids: one request per batch of parents
 * through `threads?where=<parent>_id in (…)&include=comments` (threads of that parent kind only), or
 * all of them through `<parents>?include=thread.comments`, pages of 250 parents; a few comments by
 * id through `comments/<id>?include=thread`, one request each. Written through
 * `/api/comments` (2.4, Skyvia's DiscussionComments / TaskComments); the row a write returns takes
 * its thread's columns from `GET /threads/{thread_id}`.
 */
function commentTable(parent: 'task' | 'discussion', skyvia: string): ObjectSpec {
  const id = `${parent}_id`;
  const parents = `${parent}s`;
  return table({
    name: `${parent}_comments`,
    aliases: [skyvia],
    comment: `Comments on ${parents} (Paymo threads/comments, flattened)`,
    resource: 'comments',
    key: 'comments',
    read: {
      kind: 'nested',
      routes: [
        {
          resource: 'threads',
          key: 'threads',
          include: 'comments',
          descend: ['comments'],
          values: {
            [id]: { level: 0, field: id },
            project_id: { level: 0, field: 'project_id' },
          },
          filters: {
            [id]: { field: id, ops: EQ_IN },
            project_id: { field: 'project_id', ops: EQ_IN },
          },
          keepIfSet: id,
          required: { anyOf: [id, 'project_id'] },
          pageSize: 250,
          parentKey: 'thread_id',
        },
        {
          resource: parents,
          key: parents,
          include: 'thread.comments',
          descend: ['thread', 'comments'],
          values: {
            [id]: { level: 0, field: 'id' },
            project_id: { level: 0, field: 'project_id' },
          },
          filters: {
            [id]: { field: 'id', ops: EQ_IN },
            project_id: { field: 'project_id', ops: EQ_IN },
          },
          parentIdColumn: id,
          pageSize: 250,
        },
      ],
      // `GET /comments/<id>?include=thread`: the comment with its thread, as route 0 reads them;
      // with `thread.<parent>` as route 1 does (a scan carrying the parent's columns).
      byId: [
        { include: 'thread', route: 0 },
        { include: `thread.${parent}`, route: 1 },
      ],
    },
    writes: 'all',
    columns: commentColumns(parent),
  });
}

/** Comments on discussions (Skyvia DiscussionComments). */
export const discussionComments: ObjectSpec = commentTable('discussion', 'DiscussionComments');

/** Comments on tasks (Skyvia TaskComments). */
export const taskComments: ObjectSpec = commentTable('task', 'TaskComments');

/** Comment threads (2.4): listing needs a project, task, discussion or file filter. */
export const commentThreads: ObjectSpec = table({
  name: 'comment_threads',
  aliases: ['CommentThreads', 'threads'],
  comment: 'Comment threads of tasks, discussions and files (Paymo /api/threads)',
  resource: 'threads',
  key: 'threads',
  read: {
    kind: 'list',
    byId: true,
    required: { anyOf: ['project_id', 'task_id', 'discussion_id', 'file_id'] },
    fallback: { kind: 'fan-out', resource: 'projects', key: 'projects', field: 'project_id' },
  },
  writes: 'none',
  columns: [
    idCol('thread'),
    col('project_id', 'bigint', 'Project', { ro: true, f: true, ref: 'projects' }),
    col('discussion_id', 'bigint', 'Discussion (discussion threads only)', {
      null: true,
      ro: true,
      f: true,
      ref: 'discussions',
    }),
    col('task_id', 'bigint', 'Task (task threads only)', { null: true, ro: true, f: true, ref: 'tasks' }),
    col('file_id', 'bigint', 'File (file threads only)', { null: true, ro: true, f: true, ref: 'files' }),
    ...stamps(false),
  ],
});

/**
 * Files (2.10): listing needs a project, discussion, task or comment filter; INSERT needs an upload
 * (not SQL); an update may change only `original_filename` and `description`.
 */
export const files: ObjectSpec = table({
  name: 'files',
  aliases: ['Files'],
  comment: 'Uploaded files (Paymo /api/files)',
  resource: 'files',
  key: 'files',
  read: {
    kind: 'list',
    byId: true,
    required: { anyOf: ['project_id', 'discussion_id', 'task_id', 'comment_id'] },
    fallback: { kind: 'fan-out', resource: 'projects', key: 'projects', field: 'project_id' },
  },
  writes: { insert: false, update: true, delete: true },
  columns: [
    idCol('file'),
    col('original_filename', 'text', 'File name'),
    col('description', 'text', 'Description', { null: true }),
    col('user_id', 'bigint', 'Uploader', { ro: true, ref: 'users' }),
    col('project_id', 'bigint', 'Project', { null: true, c: true, f: true, ref: 'projects' }),
    col('discussion_id', 'bigint', 'Discussion it is attached to', {
      null: true,
      c: true,
      f: true,
      ref: 'discussions',
    }),
    col('task_id', 'bigint', 'Task it is attached to', { null: true, c: true, f: true, ref: 'tasks' }),
    col('comment_id', 'bigint', 'Comment it is attached to', { null: true, c: true, f: true }),
    col('token', 'text', 'Upload token', { null: true, ro: true }),
    col('size', 'bigint', 'Size in bytes', { ro: true }),
    col('mime', 'text', 'MIME type', { null: true, ro: true }),
    col('file', 'text', 'Download URL', { ro: true }),
    col('image_thumb_large', 'text', 'Large thumbnail URL (images)', { null: true, ro: true }),
    col('image_thumb_medium', 'text', 'Medium thumbnail URL (images)', { null: true, ro: true }),
    col('image_thumb_small', 'text', 'Small thumbnail URL (images)', { null: true, ro: true }),
    col('tags', 'text[]', 'Tags', { null: true, ro: true }),
    ...stamps(),
  ],
});

/** Webhooks `hooks` (2.30): the API key's own hooks. */
export const webhooks: ObjectSpec = table({
  name: 'webhooks',
  aliases: ['Webhooks', 'hooks'],
  comment: 'Webhooks of this API user (Paymo /api/hooks)',
  resource: 'hooks',
  key: 'hooks',
  read: LIST,
  writes: 'all',
  columns: [
    idCol('webhook'),
    col('target_url', 'text', 'URL that receives the events', { req: true }),
    col('event', 'text', 'Event name or wildcard (model.insert.Task, *.Task, *)', { req: true }),
    col('where', 'text', 'Filter in Paymo where syntax', { null: true }),
    col('last_status_code', 'integer', 'HTTP status of the last delivery', { null: true, ro: true }),
    ...stamps(false),
  ],
});
