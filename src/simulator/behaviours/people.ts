/**
 * Users, clients, client contacts, the company, sessions and webhooks (paymo-api.md 1.2, 2.2, 2.3,
 * 2.5, 2.21, 2.26, 2.30).
 */
import { randomBytes } from 'node:crypto';
import { ApiError } from '../api-error.js';
import type { Behaviour, WriteContext } from '../behaviour.js';
import { isoSeconds } from '../time.js';
import type { CallContext, Rec } from '../types.js';
import { compileWhere, parseWhere } from '../where.js';
import { activeProjectCount } from './projects.js';
import {
  addToArray,
  asId,
  cascadeChildren,
  childrenOf,
  company,
  idList,
  mustExist,
  next,
  reconcileMembership,
  refuse,
  removeFromArray,
  touch,
} from './util.js';

/** Active users that count toward the subscription's limit (Guests do not, 2.26). */
function countedUsers(ctx: CallContext): number {
  let n = 0;
  for (const u of ctx.store.all('users')) if (u.active !== false && u.type !== 'Guest') n++;
  return n;
}

function checkUserLimit(ctx: CallContext, type: unknown): void {
  const max = asId(company(ctx)?.max_users);
  if (type !== 'Guest' && max !== undefined && countedUsers(ctx) >= max)
    throw new ApiError(403, 'Could not add user. Maximum number of users reached.');
}

/** Checks an e-mail's form and, for a user who is (or becomes) active, that no other active user has it. */
function checkEmail(ctx: CallContext, email: unknown, active: boolean, selfId?: unknown): void {
  if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email))
    refuse(`Invalid value ${JSON.stringify(email)} for field 'email': expected an e-mail address`);
  if (!active) return;
  const lower = email.toLowerCase();
  for (const u of ctx.store.all('users'))
    if (u.id !== selfId && u.active !== false && String(u.email ?? '').toLowerCase() === lower)
      refuse(`E-mail address '${email}' is already used by another active user`);
}

/** Makes `managed` a subset of `assigned` (2.26). */

/** Keeps projects' `users`/`managers` equal to what users say (2.26 [SIM]). */
function syncProjects(ctx: WriteContext, user: Rec, beforeAssigned: number[], beforeManaged: number[]): void {
  const uid = user.id as number;
  const assigned = idList(user.assigned_projects);
  const managed = idList(user.managed_projects);
  for (const p of assigned) if (!beforeAssigned.includes(p)) addToArray(ctx, 'projects', p, 'users', uid);
  for (const p of beforeAssigned)
    if (!assigned.includes(p)) {
      removeFromArray(ctx, 'projects', p, 'users', uid);
      removeFromArray(ctx, 'projects', p, 'managers', uid);
    }
  for (const p of managed) if (!beforeManaged.includes(p)) addToArray(ctx, 'projects', p, 'managers', uid);
  for (const p of beforeManaged)
    if (!managed.includes(p)) removeFromArray(ctx, 'projects', p, 'managers', uid);
}

/** Users: unique active e-mail, user limit, project membership in sync; delete removes their time (2.26). */
export const users: Behaviour = {
  beforeCreate(rec, _virtual, ctx) {
    if (rec.active !== false) checkUserLimit(ctx, rec.type);
    checkEmail(ctx, rec.email, rec.active !== false);
    reconcileMembership(ctx, rec, rec, 'assigned_projects', 'managed_projects', 'projects');
  },
  afterCreate(rec, _virtual, ctx) {
    syncProjects(ctx, rec, [], []);
  },
  beforeUpdate(current, patch, _virtual, ctx) {
    const activating = current.active === false && patch.active === true;
    if (activating) checkUserLimit(ctx, next(current, patch, 'type'));
    if ((patch.email !== undefined && patch.email !== current.email) || activating) {
      checkEmail(ctx, next(current, patch, 'email'), next(current, patch, 'active') !== false, current.id);
    }
    reconcileMembership(ctx, current, patch, 'assigned_projects', 'managed_projects', 'projects');
  },
  afterUpdate(rec, before, _virtual, ctx) {
    syncProjects(ctx, rec, idList(before.assigned_projects), idList(before.managed_projects));
  },
  afterDelete(rec, ctx) {
    cascadeChildren(ctx, 'entries', 'user_id', rec.id);
    cascadeChildren(ctx, 'userstasks', 'user_id', rec.id);
    syncProjects(
      ctx,
      { id: rec.id, assigned_projects: [], managed_projects: [] },
      idList(rec.assigned_projects),
      idList(rec.managed_projects),
    );
  },
};

/** Clients: delete cascades projects (and through them lists, tasks, time) and contacts (1.12). */
export const clients: Behaviour = {
  afterDelete(rec, ctx) {
    cascadeChildren(ctx, 'projects', 'client_id', rec.id);
    cascadeChildren(ctx, 'clientcontacts', 'client_id', rec.id);
  },
};

function clearOtherMain(ctx: WriteContext, contact: Rec): void {
  for (const c of [...childrenOf(ctx, 'clientcontacts', 'client_id', contact.client_id)])
    if (c.id !== contact.id && c.is_main === true) touch(ctx, 'clientcontacts', c.id, { is_main: false });
}

/** Client contacts: one main contact per client (2.2 [SIM]). */
export const clientcontacts: Behaviour = {
  beforeCreate(rec, _virtual, ctx) {
    mustExist(ctx, 'clients', rec.client_id, 'client_id');
  },
  afterCreate(rec, _virtual, ctx) {
    if (rec.is_main === true) clearOtherMain(ctx, rec);
  },
  beforeUpdate(_current, patch, _virtual, ctx) {
    if (patch.client_id !== undefined) mustExist(ctx, 'clients', patch.client_id, 'client_id');
  },
  afterUpdate(rec, _before, _virtual, ctx) {
    if (rec.is_main === true) clearOtherMain(ctx, rec);
  },
};

/** Invoices created in the calendar month (UTC) of `now`. */
function invoicesThisMonth(ctx: CallContext): number {
  const month = isoSeconds(ctx.now).slice(0, 7);
  let n = 0;
  for (const inv of ctx.store.all('invoices')) if (String(inv.created_on ?? '').startsWith(month)) n++;
  return n;
}

/** The company: `current_*` counters computed on read; number counters stay numeric (2.5). */
export const company_: Behaviour = {
  onRead(rec, ctx) {
    return {
      ...rec,
      current_users: countedUsers(ctx),
      current_projects: activeProjectCount(ctx),
      current_invoices: invoicesThisMonth(ctx),
    };
  },
  beforeUpdate(_current, patch) {
    for (const f of ['next_invoice_number', 'next_estimate_number'])
      if (patch[f] !== undefined && !/^\d+$/.test(String(patch[f])))
        refuse(`Invalid value ${JSON.stringify(patch[f])} for field '${f}': expected a positive number`);
  },
};

/** Session lifetime (the example shows 30 days, 2.21). */
const SESSION_MS = 30 * 24 * 3600 * 1000;

/** Sessions: a 32-hex token of the caller, valid 30 days; each user sees only their own (1.2, 2.21). */
export const sessions: Behaviour = {
  beforeCreate(rec, _virtual, ctx) {
    rec.id = randomBytes(16).toString('hex');
    rec.user_id = ctx.userId;
    rec.expires_on = isoSeconds(ctx.now + SESSION_MS);
    // The write context carries no socket; the simulator only listens on loopback by default.
    rec.ip = '127.0.0.1';
  },
  visible: (rec, ctx) => rec.user_id === ctx.userId,
};

/** Webhook models and the resource whose objects their `where` filters (section 3). */
const HOOK_MODELS: Readonly<Record<string, string>> = {
  Client: 'clients',
  ClientContact: 'clientcontacts',
  Project: 'projects',
  Tasklist: 'tasklists',
  Task: 'tasks',
  Invoice: 'invoices',
  InvoicePayment: 'invoicepayments',
  Entry: 'entries',
  Milestone: 'milestones',
  Report: 'reports',
  Expense: 'expenses',
  Estimate: 'estimates',
  Comment: 'comments',
  User: 'users',
  Booking: 'bookings',
};

/**
 * Validates a hook's event (a concrete name or a wildcard: `*`, `model.insert.*`, `*.Task`) and,
 * for a concrete model, its `where` against that model's fields; wildcard hooks are validated only
 * when an event happens (2.30).
 */
function checkHook(ctx: WriteContext, event: unknown, where: unknown, targetUrl: unknown): void {
  if (targetUrl !== undefined) {
    let ok = false;
    try {
      ok = /^https?:$/.test(new URL(String(targetUrl)).protocol);
    } catch {
      ok = false;
    }
    if (!ok)
      refuse(`Invalid value ${JSON.stringify(targetUrl)} for field 'target_url': expected an http(s) URL`);
  }
  const e = String(event);
  const parts = e.split('.');
  let model: string | undefined;
  if (e === '*') model = undefined;
  else if (parts.length === 2 && parts[0] === '*' && HOOK_MODELS[parts[1]]) model = parts[1];
  else if (
    parts.length === 3 &&
    parts[0] === 'model' &&
    ['insert', 'update', 'delete', 'start', 'stop', '*'].includes(parts[1]) &&
    (parts[2] === '*' || HOOK_MODELS[parts[2]]) &&
    (parts[1] !== 'start' && parts[1] !== 'stop' ? true : parts[2] === 'Entry' || parts[2] === '*')
  )
    model = parts[2] === '*' ? undefined : parts[2];
  else refuse(`Invalid value ${JSON.stringify(event)} for field 'event': not a webhook event`);
  if (model && typeof where === 'string' && where.trim() !== '') {
    const def = ctx.resourceOf(HOOK_MODELS[model]);
    compileWhere(parseWhere(where), def);
  }
}

/** Webhooks: valid event and filter; each user sees only their own; update resets the status (2.30). */
export const hooks: Behaviour = {
  beforeCreate(rec, _virtual, ctx) {
    checkHook(ctx, rec.event, rec.where, rec.target_url);
    // Not an attribute of the hook: remembered so only the creator sees it.
    rec.user_id = ctx.userId;
  },
  beforeUpdate(current, patch, _virtual, ctx) {
    checkHook(ctx, next(current, patch, 'event'), next(current, patch, 'where'), patch.target_url);
    patch.last_status_code = null;
  },
  visible: (rec, ctx) => rec.user_id === undefined || rec.user_id === ctx.userId,
};
