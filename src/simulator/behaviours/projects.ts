/**
 * Projects, project statuses, project templates and their template lists/tasks (paymo-api.md
 * 2.16–2.18 and 1.12): defaults that depend on other objects, membership kept in sync with users,
 * template copies, workflow resets and the delete cascades.
 */
import { ApiError } from '../api-error.js';
import type { Behaviour, WriteContext } from '../behaviour.js';
import type { CallContext, Rec } from '../types.js';
import {
  addToArray,
  asId,
  cascadeChildren,
  checkOrder,
  childrenOf,
  company,
  findFirst,
  idList,
  insertRaw,
  mustAllExist,
  mustExist,
  reconcileMembership,
  refuse,
  removeFromArray,
  touch,
  unique,
} from './util.js';

/** Project codes: letters and digits only (2.18). */
const CODE_RE = /^[A-Za-z0-9]*$/;

function checkCode(code: unknown): void {
  if (typeof code === 'string' && !CODE_RE.test(code))
    refuse(`Invalid value "${code}" for field 'code': only letters and digits are allowed`);
}

/** The seeded `Active` status (2.17), or the first active one. */
function activeStatus(ctx: CallContext): Rec | undefined {
  return (
    findFirst(ctx, 'projectstatuses', (s) => s.name === 'Active' && s.active === true) ??
    findFirst(ctx, 'projectstatuses', (s) => s.active === true)
  );
}

/** The seeded `Archived` status (2.17), or the first inactive one. */
function archivedStatus(ctx: CallContext): Rec | undefined {
  return (
    findFirst(ctx, 'projectstatuses', (s) => s.name === 'Archived' && s.active === false) ??
    findFirst(ctx, 'projectstatuses', (s) => s.active === false)
  );
}

/** The workflow new projects get: the default one, else the first. */
export function defaultWorkflow(ctx: CallContext): Rec | undefined {
  return findFirst(ctx, 'workflows', (w) => w.is_default === true) ?? findFirst(ctx, 'workflows', () => true);
}

/** The status of a workflow with the given action (`backlog` / `complete`). */
export function workflowStatus(ctx: CallContext, workflowId: unknown, action: string): Rec | undefined {
  if (asId(workflowId) === undefined) return undefined;
  return childrenOf(ctx, 'workflowstatuses', 'workflow_id', workflowId).find((s) => s.action === action);
}

/**
 * Keeps users' `assigned_projects`/`managed_projects` equal to what projects say (2.26 [SIM]):
 * called after a project's `users`/`managers` changed from the `before` lists.
 */
function syncMembers(ctx: WriteContext, project: Rec, beforeUsers: number[], beforeManagers: number[]): void {
  const pid = project.id as number;
  const users = idList(project.users);
  const managers = idList(project.managers);
  for (const u of users) if (!beforeUsers.includes(u)) addToArray(ctx, 'users', u, 'assigned_projects', pid);
  for (const u of beforeUsers)
    if (!users.includes(u)) removeFromArray(ctx, 'users', u, 'assigned_projects', pid);
  for (const m of managers)
    if (!beforeManagers.includes(m)) addToArray(ctx, 'users', m, 'managed_projects', pid);
  for (const m of beforeManagers)
    if (!managers.includes(m)) removeFromArray(ctx, 'users', m, 'managed_projects', pid);
}

/** Makes `managers` a subset of `users` by adding missing managers to the users (2.18). */

/**
 * Copies a project template's task lists and tasks into a project (2.18 `template_id`); users
 * assigned to template tasks join the project.
 */
function applyTemplate(ctx: WriteContext, projectId: number, templateId: number): void {
  const lists = [...childrenOf(ctx, 'projecttemplatestasklists', 'template_id', templateId)].sort(
    (a, b) => Number(a.seq ?? 0) - Number(b.seq ?? 0),
  );
  const tasks = lists.flatMap((l) => [...childrenOf(ctx, 'projecttemplatestasks', 'tasklist_id', l.id)]);
  const newUsers = unique(tasks.flatMap((t) => idList(t.users))).filter((u) => ctx.store.get('users', u));
  const project = ctx.store.get('projects', projectId)!;
  const beforeUsers = idList(project.users);
  const merged = unique([...beforeUsers, ...newUsers]);
  if (merged.length !== beforeUsers.length) {
    touch(ctx, 'projects', projectId, { users: merged });
    syncMembers(ctx, project, beforeUsers, idList(project.managers));
  }
  for (const list of lists) {
    const tl = ctx.createRecord('tasklists', {
      name: list.name,
      seq: list.seq ?? 0,
      project_id: projectId,
    });
    for (const t of childrenOf(ctx, 'projecttemplatestasks', 'tasklist_id', list.id)) {
      ctx.createRecord('tasks', {
        name: t.name,
        tasklist_id: tl.id,
        seq: t.seq ?? 0,
        description: t.description ?? null,
        billable: t.billable ?? false,
        budget_hours: t.budget_hours ?? null,
        price_per_hour: t.price_per_hour ?? null,
        users: idList(t.users).filter((u) => ctx.store.get('users', u)),
      });
    }
  }
}

/** Active projects now (the company's `current_projects`). */
export function activeProjectCount(ctx: CallContext): number {
  let n = 0;
  for (const p of ctx.store.all('projects')) if (p.active !== false) n++;
  return n;
}

/** Projects: 2.18 and 2.17 [SIM] (status ↔ active), 1.12 (Sample Client, template, cascades). */
export const projects: Behaviour = {
  beforeCreate(rec, virtual, ctx) {
    const c = company(ctx);
    const max = asId(c?.max_projects);
    if (max !== undefined && rec.active !== false && activeProjectCount(ctx) >= max)
      throw new ApiError(403, 'Adding projects denied. Projects limit reached.');
    checkCode(rec.code);
    if (rec.client_id !== undefined) mustExist(ctx, 'clients', rec.client_id, 'client_id');
    if (rec.status_id !== undefined) {
      const st = mustExist(ctx, 'projectstatuses', rec.status_id, 'status_id');
      rec.active = st.active !== false;
    } else {
      const st = rec.active === false ? archivedStatus(ctx) : activeStatus(ctx);
      if (st) rec.status_id = st.id;
    }
    if (rec.workflow_id !== undefined && rec.workflow_id !== null)
      mustExist(ctx, 'workflows', rec.workflow_id, 'workflow_id');
    else {
      const wf = defaultWorkflow(ctx);
      if (wf) rec.workflow_id = wf.id;
    }
    // The creator joins and manages the project they create (2.18 [SIM]).
    reconcileMembership(ctx, rec, rec, 'users', 'managers', 'users', [ctx.userId]);
    if (virtual.template_id !== undefined && virtual.template_id !== null)
      mustExist(ctx, 'projecttemplates', virtual.template_id, 'template_id');
    rec.task_code_increment = 0;
    // Last, once nothing can refuse any more: the documented "Sample Client" fallback (1.12).
    if (rec.client_id === undefined) {
      const sample =
        findFirst(ctx, 'clients', (cl) => cl.name === 'Sample Client') ??
        ctx.createRecord('clients', { name: 'Sample Client' });
      rec.client_id = sample.id;
    }
  },
  afterCreate(rec, virtual, ctx) {
    syncMembers(ctx, rec, [], []);
    const tpl = asId(virtual.template_id);
    if (tpl !== undefined) applyTemplate(ctx, rec.id as number, tpl);
  },
  beforeUpdate(current, patch, virtual, ctx) {
    checkCode(patch.code);
    if (patch.client_id !== undefined) mustExist(ctx, 'clients', patch.client_id, 'client_id');
    if (patch.status_id !== undefined) {
      const st = mustExist(ctx, 'projectstatuses', patch.status_id, 'status_id');
      patch.active = st.active !== false;
    } else if (patch.active !== undefined) {
      const cur = ctx.store.get('projectstatuses', current.status_id as number);
      if (!cur || (cur.active !== false) !== patch.active) {
        const st = patch.active ? activeStatus(ctx) : archivedStatus(ctx);
        if (st) patch.status_id = st.id;
      }
    }
    if (patch.workflow_id !== undefined && patch.workflow_id !== null)
      mustExist(ctx, 'workflows', patch.workflow_id, 'workflow_id');
    reconcileMembership(ctx, current, patch, 'users', 'managers', 'users');
    if (virtual.template_id !== undefined && virtual.template_id !== null)
      mustExist(ctx, 'projecttemplates', virtual.template_id, 'template_id');
    checkOrder(ctx, 'tasklists', 'project_id', current.id, virtual.tasklists_order, 'tasklists_order');
  },
  afterUpdate(rec, before, virtual, ctx) {
    syncMembers(ctx, rec, idList(before.users), idList(before.managers));
    if (rec.workflow_id !== before.workflow_id) {
      // Every task's status is reset to the new workflow's Backlog or Complete (1.12).
      const backlog = workflowStatus(ctx, rec.workflow_id, 'backlog');
      const complete = workflowStatus(ctx, rec.workflow_id, 'complete');
      for (const t of [...childrenOf(ctx, 'tasks', 'project_id', rec.id)]) {
        const st = t.complete === true ? complete : backlog;
        touch(ctx, 'tasks', t.id, { status_id: st ? st.id : null });
      }
    }
    const tpl = asId(virtual.template_id);
    if (tpl !== undefined) applyTemplate(ctx, rec.id as number, tpl);
    checkOrder(ctx, 'tasklists', 'project_id', rec.id, virtual.tasklists_order, 'tasklists_order').forEach(
      (id, i) => {
        touch(ctx, 'tasklists', id, { seq: i });
      },
    );
  },
  afterDelete(rec, ctx) {
    const id = rec.id;
    cascadeChildren(ctx, 'tasklists', 'project_id', id);
    cascadeChildren(ctx, 'tasks', 'project_id', id);
    cascadeChildren(ctx, 'entries', 'project_id', id);
    cascadeChildren(ctx, 'discussions', 'project_id', id);
    cascadeChildren(ctx, 'files', 'project_id', id);
    cascadeChildren(ctx, 'milestones', 'project_id', id);
    cascadeChildren(ctx, 'threads', 'project_id', id);
    cascadeChildren(ctx, 'taskrecurringprofiles', 'project_id', id);
    // Expenses are the client's; they only lose the project they were filed under.
    for (const e of [...childrenOf(ctx, 'expenses', 'project_id', id)])
      touch(ctx, 'expenses', e.id, { project_id: null });
    syncMembers(ctx, { id, users: [], managers: [] }, idList(rec.users), idList(rec.managers));
  },
};

/** Project statuses: readonly ones can be neither edited nor deleted (2.17). */
export const projectstatuses: Behaviour = {
  beforeUpdate(current) {
    if (current.readonly === true)
      refuse(`Project status '${String(current.name)}' is read-only and cannot be edited`);
  },
  afterUpdate(rec, before, _virtual, ctx) {
    // Projects in a status follow its active flag (2.17 [SIM]).
    if (rec.active !== before.active)
      for (const p of [...childrenOf(ctx, 'projects', 'status_id', rec.id)])
        touch(ctx, 'projects', p.id, { active: rec.active !== false });
  },
  beforeDelete(rec, ctx) {
    if (rec.readonly === true)
      refuse(`Project status '${String(rec.name)}' is read-only and cannot be deleted`);
    if (childrenOf(ctx, 'projects', 'status_id', rec.id).length > 0)
      refuse(`Project status '${String(rec.name)}' is used by projects and cannot be deleted`);
  },
};

/** Project templates: optional copy of a project at create; delete cascades lists and tasks (2.16). */
export const projecttemplates: Behaviour = {
  beforeCreate(_rec, virtual, ctx) {
    if (virtual.project_id !== undefined && virtual.project_id !== null)
      mustExist(ctx, 'projects', virtual.project_id, 'project_id');
  },
  afterCreate(rec, virtual, ctx) {
    const pid = asId(virtual.project_id);
    if (pid === undefined) return;
    const lists = [...childrenOf(ctx, 'tasklists', 'project_id', pid)].sort(
      (a, b) => Number(a.seq ?? 0) - Number(b.seq ?? 0),
    );
    for (const l of lists) {
      const tl = insertRaw(ctx, 'projecttemplatestasklists', {
        name: l.name,
        seq: l.seq ?? 0,
        template_id: rec.id,
      });
      for (const t of childrenOf(ctx, 'tasks', 'tasklist_id', l.id)) {
        insertRaw(ctx, 'projecttemplatestasks', {
          name: t.name,
          template_id: rec.id,
          tasklist_id: tl.id,
          seq: t.seq ?? 0,
          description: t.description ?? null,
          billable: t.billable ?? false,
          budget_hours: t.budget_hours ?? null,
          price_per_hour: t.price_per_hour ?? null,
          users: idList(t.users),
        });
      }
    }
  },
  afterDelete(rec, ctx) {
    cascadeChildren(ctx, 'projecttemplatestasklists', 'template_id', rec.id);
  },
};

/** Template task lists: belong to a template; delete cascades their template tasks (2.16). */
export const projecttemplatestasklists: Behaviour = {
  beforeCreate(rec, _virtual, ctx) {
    mustExist(ctx, 'projecttemplates', rec.template_id, 'template_id');
  },
  afterDelete(rec, ctx) {
    cascadeChildren(ctx, 'projecttemplatestasks', 'tasklist_id', rec.id);
  },
};

/** Template tasks: `template_id` follows the template task list (2.16). */
export const projecttemplatestasks: Behaviour = {
  beforeCreate(rec, _virtual, ctx) {
    const tl = mustExist(ctx, 'projecttemplatestasklists', rec.tasklist_id, 'tasklist_id');
    rec.template_id = tl.template_id;
    mustAllExist(ctx, 'users', rec.users, 'users');
    rec.users = unique(idList(rec.users));
  },
  beforeUpdate(_current, patch, _virtual, ctx) {
    if (patch.tasklist_id !== undefined) {
      const tl = mustExist(ctx, 'projecttemplatestasklists', patch.tasklist_id, 'tasklist_id');
      patch.template_id = tl.template_id;
    }
    if (patch.users !== undefined) {
      mustAllExist(ctx, 'users', patch.users, 'users');
      patch.users = unique(idList(patch.users));
    }
  },
};
