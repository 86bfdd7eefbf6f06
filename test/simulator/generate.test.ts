import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Dataset, GENERATED_PATHS, generateDataset } from '../../src/simulator/generate.js';
import { RESOURCES, resourceByPath } from '../../src/simulator/resources.js';
import { computeDocumentTotals } from '../../src/simulator/totals.js';
import type { FieldDef, Rec } from '../../src/simulator/types.js';

const NOW = new Date('2026-03-18T15:42:07Z');
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function fingerprint(ds: Dataset): string {
  const h = createHash('sha256');
  for (const [path, recs] of ds.records) h.update(`${path}\n${JSON.stringify(recs)}\n`);
  h.update(JSON.stringify(ds.apiKeys));
  h.update(String(ds.companyId));
  return h.digest('hex');
}

function recs(ds: Dataset, path: string): Rec[] {
  const r = ds.records.get(path);
  if (!r) throw new Error(`no records for ${path}`);
  return r;
}

function byId(ds: Dataset, path: string): Map<number, Rec> {
  return new Map(recs(ds, path).map((r) => [r.id as number, r]));
}

const num = (v: unknown): number => v as number;
const ms = (v: unknown): number => Date.parse(v as string);
const near = (a: number, b: number): boolean => Math.abs(a - b) < 0.005;

/** Foreign keys: [path, field, target path]. Array fields reference every element. */
const FOREIGN_KEYS: readonly (readonly [string, string, string])[] = [
  ['clientcontacts', 'client_id', 'clients'],
  ['workflowstatuses', 'workflow_id', 'workflows'],
  ['projecttemplatestasklists', 'template_id', 'projecttemplates'],
  ['projecttemplatestasks', 'template_id', 'projecttemplates'],
  ['projecttemplatestasks', 'tasklist_id', 'projecttemplatestasklists'],
  ['projects', 'client_id', 'clients'],
  ['projects', 'status_id', 'projectstatuses'],
  ['projects', 'workflow_id', 'workflows'],
  ['projects', 'users', 'users'],
  ['projects', 'managers', 'users'],
  ['projects', 'invoice_item_id', 'invoiceitems'],
  ['users', 'assigned_projects', 'projects'],
  ['users', 'managed_projects', 'projects'],
  ['milestones', 'project_id', 'projects'],
  ['milestones', 'user_id', 'users'],
  ['milestones', 'linked_tasklists', 'tasklists'],
  ['tasklists', 'project_id', 'projects'],
  ['tasklists', 'milestone_id', 'milestones'],
  ['tasks', 'project_id', 'projects'],
  ['tasks', 'tasklist_id', 'tasklists'],
  ['tasks', 'user_id', 'users'],
  ['tasks', 'users', 'users'],
  ['tasks', 'completed_by', 'users'],
  ['tasks', 'status_id', 'workflowstatuses'],
  ['tasks', 'invoice_item_id', 'invoiceitems'],
  ['subtasks', 'task_id', 'tasks'],
  ['subtasks', 'project_id', 'projects'],
  ['subtasks', 'user_id', 'users'],
  ['subtasks', 'completed_by', 'users'],
  ['userstasks', 'user_id', 'users'],
  ['userstasks', 'task_id', 'tasks'],
  ['bookings', 'user_task_id', 'userstasks'],
  ['entries', 'task_id', 'tasks'],
  ['entries', 'project_id', 'projects'],
  ['entries', 'user_id', 'users'],
  ['entries', 'invoice_item_id', 'invoiceitems'],
  ['expenses', 'client_id', 'clients'],
  ['expenses', 'project_id', 'projects'],
  ['expenses', 'user_id', 'users'],
  ['expenses', 'invoice_item_id', 'invoiceitems'],
  ['invoices', 'client_id', 'clients'],
  ['invoices', 'template_id', 'invoicetemplates'],
  ['invoiceitems', 'invoice_id', 'invoices'],
  ['invoiceitems', 'expense_id', 'expenses'],
  ['invoicepayments', 'invoice_id', 'invoices'],
  ['estimates', 'client_id', 'clients'],
  ['estimates', 'template_id', 'estimatetemplates'],
  ['estimates', 'invoice_id', 'invoices'],
  ['estimateitems', 'estimate_id', 'estimates'],
  ['recurringprofiles', 'client_id', 'clients'],
  ['recurringprofiles', 'template_id', 'invoicetemplates'],
  ['recurringprofileitems', 'recurring_profile_id', 'recurringprofiles'],
  ['taskrecurringprofiles', 'project_id', 'projects'],
  ['taskrecurringprofiles', 'tasklist_id', 'tasklists'],
  ['taskrecurringprofiles', 'user_id', 'users'],
  ['taskrecurringprofiles', 'users', 'users'],
  ['discussions', 'project_id', 'projects'],
  ['discussions', 'user_id', 'users'],
  ['threads', 'project_id', 'projects'],
  ['threads', 'discussion_id', 'discussions'],
  ['threads', 'task_id', 'tasks'],
  ['threads', 'file_id', 'files'],
  ['comments', 'thread_id', 'threads'],
  ['comments', 'user_id', 'users'],
  ['files', 'project_id', 'projects'],
  ['files', 'user_id', 'users'],
  ['files', 'discussion_id', 'discussions'],
  ['files', 'task_id', 'tasks'],
  ['files', 'comment_id', 'comments'],
  ['reports', 'user_id', 'users'],
  ['reports', 'share_client_id', 'clients'],
];

/** Collects integrity problems instead of failing on the first, so one run shows them all. */
class Problems {
  readonly list: string[] = [];
  check(ok: boolean, message: () => string): void {
    if (!ok && this.list.length < 50) this.list.push(message());
  }
}

function checkIds(ds: Dataset, p: Problems): void {
  for (const [path, rs] of ds.records) {
    let prev = 0;
    for (const r of rs) {
      p.check(
        Number.isInteger(r.id) && num(r.id) > prev,
        () => `${path}: id ${r.id} not ascending after ${prev}`,
      );
      prev = num(r.id);
    }
  }
}

function checkStamps(ds: Dataset, nowMs: number, p: Problems): void {
  for (const [path, rs] of ds.records) {
    for (const r of rs) {
      p.check(DATETIME_RE.test(r.created_on as string), () => `${path} ${r.id}: created_on ${r.created_on}`);
      p.check(DATETIME_RE.test(r.updated_on as string), () => `${path} ${r.id}: updated_on ${r.updated_on}`);
      p.check(ms(r.updated_on) >= ms(r.created_on), () => `${path} ${r.id}: updated_on < created_on`);
      p.check(ms(r.created_on) <= nowMs, () => `${path} ${r.id}: created_on ${r.created_on} in the future`);
      p.check(ms(r.updated_on) <= nowMs, () => `${path} ${r.id}: updated_on ${r.updated_on} in the future`);
    }
  }
}

function checkForeignKeys(ds: Dataset, p: Problems): void {
  const ids = new Map<string, Set<number>>();
  const idsOf = (path: string): Set<number> => {
    let s = ids.get(path);
    if (!s) {
      s = new Set(recs(ds, path).map((r) => num(r.id)));
      ids.set(path, s);
    }
    return s;
  };
  for (const [path, field, target] of FOREIGN_KEYS) {
    const targets = idsOf(target);
    for (const r of recs(ds, path)) {
      const v = r[field];
      if (v === null || v === undefined) continue;
      for (const x of Array.isArray(v) ? v : [v]) {
        p.check(targets.has(num(x)), () => `${path} ${r.id}: ${field}=${x} not in ${target}`);
      }
    }
  }
}

function checkProjectsAndUsers(ds: Dataset, p: Problems): void {
  const statuses = byId(ds, 'projectstatuses');
  const assigned = new Map<number, Set<number>>();
  const managed = new Map<number, Set<number>>();
  for (const proj of recs(ds, 'projects')) {
    const users = proj.users as number[];
    p.check(new Set(users).size === users.length, () => `project ${proj.id}: duplicate users`);
    for (const m of proj.managers as number[])
      p.check(users.includes(m), () => `project ${proj.id}: manager ${m} not a user`);
    for (const u of users) (assigned.get(u) ?? assigned.set(u, new Set()).get(u)!).add(num(proj.id));
    for (const u of proj.managers as number[])
      (managed.get(u) ?? managed.set(u, new Set()).get(u)!).add(num(proj.id));
    p.check(
      statuses.get(num(proj.status_id))?.active === proj.active,
      () => `project ${proj.id}: active ≠ status.active`,
    );
    p.check(
      proj.code === null || /^[A-Z0-9]+$/.test(proj.code as string),
      () => `project ${proj.id}: bad code ${proj.code}`,
    );
    if (proj.billable === false)
      p.check(proj.billing_type === 'non', () => `project ${proj.id}: billing_type`);
    if (proj.billable === true && proj.flat_billing === false)
      p.check(proj.price_per_hour !== null, () => `project ${proj.id}: T&M without rate`);
    if (proj.flat_billing === true)
      p.check(proj.price !== null, () => `project ${proj.id}: flat without price`);
  }
  for (const u of recs(ds, 'users')) {
    const a = new Set(u.assigned_projects as number[]);
    const m = new Set(u.managed_projects as number[]);
    const wantA = assigned.get(num(u.id)) ?? new Set();
    const wantM = managed.get(num(u.id)) ?? new Set();
    p.check(
      a.size === wantA.size && [...a].every((x) => wantA.has(x)),
      () => `user ${u.id}: assigned_projects`,
    );
    p.check(
      m.size === wantM.size && [...m].every((x) => wantM.has(x)),
      () => `user ${u.id}: managed_projects`,
    );
    p.check(
      [...m].every((x) => a.has(x)),
      () => `user ${u.id}: managed ⊄ assigned`,
    );
  }
}

function checkTasks(ds: Dataset, p: Problems): void {
  const projects = byId(ds, 'projects');
  const tasklists = byId(ds, 'tasklists');
  const tasks = byId(ds, 'tasks');
  const wfStatuses = byId(ds, 'workflowstatuses');
  const codes = new Set<string>();
  for (const t of tasks.values()) {
    const proj = projects.get(num(t.project_id))!;
    p.check(
      tasklists.get(num(t.tasklist_id))?.project_id === t.project_id,
      () => `task ${t.id}: list in another project`,
    );
    const m = /^(.+)-(\d+)$/.exec(t.code as string);
    p.check(m !== null && m[1] === proj.code, () => `task ${t.id}: code ${t.code} vs project ${proj.code}`);
    if (m)
      p.check(Number(m[2]) <= num(proj.task_code_increment), () => `task ${t.id}: code beyond increment`);
    p.check(!codes.has(t.code as string), () => `task ${t.id}: duplicate code ${t.code}`);
    codes.add(t.code as string);
    for (const u of t.users as number[])
      p.check((proj.users as number[]).includes(u), () => `task ${t.id}: user ${u} not on project`);
    const status = wfStatuses.get(num(t.status_id));
    p.check(status?.workflow_id === proj.workflow_id, () => `task ${t.id}: status of another workflow`);
    p.check((status?.action === 'complete') === t.complete, () => `task ${t.id}: complete vs status action`);
    p.check((t.completed_on !== null) === t.complete, () => `task ${t.id}: completed_on vs complete`);
    p.check(ms(t.created_on) >= ms(proj.created_on), () => `task ${t.id}: created before its project`);
  }
  const pairs = new Set<string>();
  for (const ut of recs(ds, 'userstasks')) {
    const key = `${ut.user_id}/${ut.task_id}`;
    p.check(!pairs.has(key), () => `userstasks: duplicate ${key}`);
    pairs.add(key);
    p.check(
      ((tasks.get(num(ut.task_id))?.users as number[]) ?? []).includes(num(ut.user_id)),
      () => `userstask ${ut.id} not in task.users`,
    );
  }
  let assignments = 0;
  for (const t of tasks.values()) assignments += (t.users as number[]).length;
  p.check(assignments === pairs.size, () => `userstasks ${pairs.size} ≠ task assignments ${assignments}`);
  for (const s of recs(ds, 'subtasks')) {
    const t = tasks.get(num(s.task_id));
    p.check(t?.project_id === s.project_id, () => `subtask ${s.id}: project ≠ task project`);
    p.check((s.completed_on !== null) === s.complete, () => `subtask ${s.id}: completed_on vs complete`);
    if (t?.complete) p.check(s.complete === true, () => `subtask ${s.id}: open under a complete task`);
  }
  for (const b of recs(ds, 'bookings'))
    p.check(String(b.start_date) <= String(b.end_date), () => `booking ${b.id}: start > end`);
  const milestones = byId(ds, 'milestones');
  for (const tl of tasklists.values()) {
    if (tl.milestone_id === null) continue;
    const ms = milestones.get(num(tl.milestone_id));
    p.check(
      ((ms?.linked_tasklists as number[]) ?? []).includes(num(tl.id)),
      () => `tasklist ${tl.id}: not linked back`,
    );
    p.check(ms?.project_id === tl.project_id, () => `tasklist ${tl.id}: milestone of another project`);
  }
  for (const ms of milestones.values()) {
    for (const l of ms.linked_tasklists as number[])
      p.check(
        tasklists.get(l)?.milestone_id === ms.id,
        () => `milestone ${ms.id}: linked list ${l} points elsewhere`,
      );
  }
}

function checkEntries(ds: Dataset, nowMs: number, p: Problems): void {
  const tasks = byId(ds, 'tasks');
  const projects = byId(ds, 'projects');
  const items = byId(ds, 'invoiceitems');
  const invoices = byId(ds, 'invoices');
  const users = byId(ds, 'users');
  const running = new Set<number>();
  const today = new Date(nowMs).toISOString().slice(0, 10);
  for (const e of recs(ds, 'entries')) {
    const t = tasks.get(num(e.task_id));
    p.check(t?.project_id === e.project_id, () => `entry ${e.id}: project_id ≠ task.project_id`);
    const proj = projects.get(num(e.project_id));
    p.check(
      ((proj?.users as number[]) ?? []).includes(num(e.user_id)),
      () => `entry ${e.id}: user not on project`,
    );
    // Time is logged while the user, project and task exist: after their creation, before a user
    // retires (their last update) and before a closed project was closed (its last update).
    const from = e.is_bulk ? `${e.date}T23:59:59Z` : (e.start_time as string);
    const to = e.is_bulk ? `${e.date}T00:00:00Z` : ((e.end_time ?? e.start_time) as string);
    const user = users.get(num(e.user_id));
    p.check(user?.type !== 'Guest', () => `entry ${e.id}: logged by a guest`);
    p.check(ms(from) >= ms(user?.created_on), () => `entry ${e.id}: before its user joined`);
    if (user?.active === false)
      p.check(ms(to) <= ms(user.updated_on), () => `entry ${e.id}: after its user retired`);
    p.check(ms(from) >= ms(proj?.created_on), () => `entry ${e.id}: before its project`);
    p.check(ms(from) >= ms(t?.created_on), () => `entry ${e.id}: before its task`);
    if (proj?.active === false)
      p.check(ms(to) <= ms(proj.updated_on), () => `entry ${e.id}: after its project closed`);
    if (e.is_bulk) {
      p.check(
        DATE_RE.test(e.date as string) && (e.date as string) <= today,
        () => `entry ${e.id}: bulk date ${e.date}`,
      );
      p.check(!('start_time' in e) && !('end_time' in e), () => `entry ${e.id}: bulk with start/end`);
      p.check(Number.isInteger(e.duration) && num(e.duration) > 0, () => `entry ${e.id}: bulk duration`);
    } else {
      p.check(!('date' in e) && 'start_time' in e && 'end_time' in e, () => `entry ${e.id}: interval keys`);
      p.check(ms(e.start_time) <= nowMs, () => `entry ${e.id}: starts in the future`);
      if (e.end_time === null) {
        p.check(e.duration === null, () => `entry ${e.id}: running timer with a duration`);
        p.check(!running.has(num(e.user_id)), () => `user ${e.user_id}: two running timers`);
        running.add(num(e.user_id));
      } else {
        const d = (ms(e.end_time) - ms(e.start_time)) / 1000;
        p.check(d >= 60 && d === e.duration, () => `entry ${e.id}: duration ${e.duration} vs interval ${d}`);
        p.check(ms(e.end_time) <= nowMs, () => `entry ${e.id}: ends in the future`);
      }
    }
    p.check((e.invoice_item_id !== null) === e.billed, () => `entry ${e.id}: billed vs invoice_item_id`);
    if (e.invoice_item_id !== null) {
      const inv = invoices.get(num(items.get(num(e.invoice_item_id))?.invoice_id));
      p.check(inv?.client_id === proj?.client_id, () => `entry ${e.id}: billed to another client`);
    }
  }
}

function checkDocuments(ds: Dataset, p: Problems): void {
  const expenses = byId(ds, 'expenses');
  const docs: readonly (readonly [string, string, string])[] = [
    ['invoices', 'invoiceitems', 'invoice_id'],
    ['estimates', 'estimateitems', 'estimate_id'],
    ['recurringprofiles', 'recurringprofileitems', 'recurring_profile_id'],
  ];
  for (const [path, itemPath, key] of docs) {
    const lines = new Map<number, Rec[]>();
    for (const it of recs(ds, itemPath))
      (lines.get(num(it[key])) ?? lines.set(num(it[key]), []).get(num(it[key]))!).push(it);
    for (const d of recs(ds, path)) {
      const want = computeDocumentTotals(
        d as never,
        (lines.get(num(d.id)) ?? []).map((l) => ({
          price_unit: num(l.price_unit),
          quantity: num(l.quantity),
          apply_tax: l.apply_tax as boolean | null,
        })),
      );
      for (const [k, v] of Object.entries(want))
        p.check(d[k] === v, () => `${path} ${d.id}: ${k}=${d[k]}, want ${v}`);
    }
  }
  const paid = new Map<number, number>();
  for (const pay of recs(ds, 'invoicepayments')) {
    p.check(num(pay.amount) > 0, () => `payment ${pay.id}: amount ${pay.amount}`);
    paid.set(num(pay.invoice_id), (paid.get(num(pay.invoice_id)) ?? 0) + num(pay.amount));
  }
  const invoices = byId(ds, 'invoices');
  for (const inv of invoices.values()) {
    const sum = paid.get(num(inv.id)) ?? 0;
    p.check(sum <= num(inv.total) + 0.005, () => `invoice ${inv.id}: payments ${sum} > total ${inv.total}`);
    const full = sum > 0 && near(sum, num(inv.total));
    p.check(
      full === (inv.status === 'paid'),
      () => `invoice ${inv.id}: status ${inv.status} with ${sum}/${inv.total} paid`,
    );
    if (inv.status === 'draft' || inv.status === 'void')
      p.check(sum === 0, () => `invoice ${inv.id}: ${inv.status} with payments`);
  }
  for (const it of recs(ds, 'invoiceitems')) {
    if (it.expense_id === null) continue;
    const ex = expenses.get(num(it.expense_id));
    p.check(
      ex?.invoiced === true && ex.invoice_item_id === it.id,
      () => `invoiceitem ${it.id}: expense not marked`,
    );
  }
  const items = byId(ds, 'invoiceitems');
  for (const ex of expenses.values()) {
    p.check(
      ex.invoiced === (ex.invoice_item_id !== null),
      () => `expense ${ex.id}: invoiced vs invoice_item_id`,
    );
    if (ex.invoice_item_id !== null)
      p.check(items.get(num(ex.invoice_item_id))?.expense_id === ex.id, () => `expense ${ex.id}: item`);
  }
  for (const est of recs(ds, 'estimates')) {
    if (est.status === 'invoiced') {
      const inv = invoices.get(num(est.invoice_id));
      p.check(
        inv?.client_id === est.client_id,
        () => `estimate ${est.id}: invoiced without an invoice of its client`,
      );
    }
  }
  const numbers = new Set(recs(ds, 'invoices').map((x) => x.number));
  p.check(numbers.size === invoices.size, () => 'duplicate invoice numbers');
}

function checkConversations(ds: Dataset, p: Problems): void {
  const parents: Record<string, Map<number, Rec>> = {
    discussion_id: byId(ds, 'discussions'),
    task_id: byId(ds, 'tasks'),
    file_id: byId(ds, 'files'),
  };
  const threads = byId(ds, 'threads');
  for (const th of threads.values()) {
    const keys = Object.keys(parents).filter((k) => k in th);
    p.check(keys.length === 1, () => `thread ${th.id}: parent keys ${keys.join(',')}`);
    for (const k of keys) {
      p.check(
        parents[k].get(num(th[k]))?.project_id === th.project_id,
        () => `thread ${th.id}: project ≠ parent's`,
      );
    }
  }
  const comments = byId(ds, 'comments');
  for (const f of recs(ds, 'files')) {
    const keys = ['discussion_id', 'task_id', 'comment_id'].filter((k) => k in f);
    p.check(keys.length <= 1, () => `file ${f.id}: several parents`);
    for (const k of keys) {
      const parent =
        k === 'comment_id' ? threads.get(num(comments.get(num(f[k]))?.thread_id)) : parents[k].get(num(f[k]));
      p.check(parent?.project_id === f.project_id, () => `file ${f.id}: ${k} in another project`);
    }
  }
}

function checkFixedSets(ds: Dataset, p: Problems): void {
  const statuses = recs(ds, 'projectstatuses').map((s) => [s.name, s.active, s.seq, s.readonly]);
  p.check(
    JSON.stringify(statuses) ===
      JSON.stringify([
        ['Active', true, 0, true],
        ['Proposal', true, 1, false],
        ['On-hold', false, 2, false],
        ['Cancelled', false, 3, false],
        ['Completed', false, 4, false],
        ['Archived', false, 5, true],
      ]),
    () => `project statuses ${JSON.stringify(statuses)}`,
  );
  const wfs = recs(ds, 'workflows');
  p.check(wfs.filter((w) => w.is_default).length === 1, () => 'not exactly one default workflow');
  const def = wfs.find((w) => w.is_default)!;
  const steps = recs(ds, 'workflowstatuses')
    .filter((s) => s.workflow_id === def.id)
    .map((s) => `${s.name}:${s.action}`);
  p.check(
    steps.join('|') === 'Backlog:backlog|To Do:|In progress:|Complete:complete',
    () => `default workflow ${steps.join('|')}`,
  );
  for (const kind of ['invoicetemplates', 'estimatetemplates']) {
    const t = recs(ds, kind);
    p.check(t.length === 2 && t.filter((x) => x.is_default).length === 1, () => `${kind}: two, one default`);
  }
  const company = recs(ds, 'company');
  p.check(company.length === 1 && company[0].id === ds.companyId, () => 'company singleton');
  const users = byId(ds, 'users');
  const active = recs(ds, 'users').filter((u) => u.active);
  p.check(ds.apiKeys.length === active.length, () => 'one API key per active user');
  p.check(users.get(ds.apiKeys[0]?.userId)?.type === 'Admin', () => 'first API key is not an Admin');
  p.check(new Set(ds.apiKeys.map((k) => k.key)).size === ds.apiKeys.length, () => 'duplicate API keys');
  for (const k of ds.apiKeys)
    p.check(/^[0-9a-f]{40}$/.test(k.key) && users.get(k.userId)?.active === true, () => `key ${k.key}`);
}

function integrityProblems(ds: Dataset, now: Date): string[] {
  const p = new Problems();
  const nowMs = now.getTime();
  checkIds(ds, p);
  checkStamps(ds, nowMs, p);
  checkForeignKeys(ds, p);
  checkProjectsAndUsers(ds, p);
  checkTasks(ds, p);
  checkEntries(ds, nowMs, p);
  checkDocuments(ds, p);
  checkConversations(ds, p);
  checkFixedSets(ds, p);
  return p.list;
}

/** Whether a stored value has the declared type of its field (null handled by the caller). */
function fits(field: FieldDef, v: unknown): boolean {
  switch (field.type) {
    case 'int':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'bool':
      return typeof v === 'boolean';
    case 'string':
    case 'html':
      return typeof v === 'string';
    case 'date':
      return typeof v === 'string' && DATE_RE.test(v);
    case 'datetime':
      return typeof v === 'string' && DATETIME_RE.test(v);
    case 'int[]':
      return Array.isArray(v) && v.every((x) => Number.isInteger(x));
    case 'string[]':
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'any':
      return true;
  }
}

/** Records must look exactly like the field tables of resources.ts (paymo-api.md section 2). */
function shapeProblems(ds: Dataset): string[] {
  const p = new Problems();
  for (const [path, rs] of ds.records) {
    const def = resourceByPath(path);
    p.check(def !== undefined, () => `${path}: no resource definition`);
    if (!def) continue;
    const stored = new Map(
      def.fields.filter((f) => f.access !== 'W' && f.access !== 'V').map((f) => [f.name, f]),
    );
    // Required fields must be present (null only where nullable, e.g. the Backlog status colour);
    // non-nullable ones present and non-null. A report's `content` is computed by the server on
    // read (paymo-api.md 2.19), never stored; `when-set` keys exist only where they apply.
    const applies = (f: FieldDef): boolean =>
      f.emit !== 'when-set' && !(path === 'reports' && f.name === 'content');
    const required = [...stored.values()].filter((f) => f.required && applies(f));
    const nonNull = [...stored.values()].filter((f) => !f.nullable && applies(f));
    for (const r of rs) {
      for (const [k, v] of Object.entries(r)) {
        const f = stored.get(k);
        p.check(f !== undefined, () => `${path} ${r.id}: unknown attribute '${k}'`);
        if (f && v !== null)
          p.check(fits(f, v), () => `${path} ${r.id}: ${k}=${JSON.stringify(v)} is not a ${f.type}`);
        if (f && v === null) p.check(f.nullable, () => `${path} ${r.id}: ${k} is null but not nullable`);
        if (f?.enum && typeof v === 'string')
          p.check(f.enum.includes(v), () => `${path} ${r.id}: ${k}='${v}' not in enum`);
      }
      for (const f of required) p.check(f.name in r, () => `${path} ${r.id}: missing required ${f.name}`);
      for (const f of nonNull) {
        p.check(r[f.name] !== undefined && r[f.name] !== null, () => `${path} ${r.id}: missing ${f.name}`);
      }
    }
  }
  return p.list;
}

describe('generateDataset: determinism', () => {
  it('same seed, scale and now give an identical dataset; another seed or now does not', () => {
    for (const scale of ['tiny', 'demo'] as const) {
      const a = fingerprint(generateDataset({ scale, seed: 7, now: NOW }));
      const b = fingerprint(generateDataset({ scale, seed: 7, now: NOW }));
      expect(a).toBe(b);
      expect(fingerprint(generateDataset({ scale, seed: 8, now: NOW }))).not.toBe(a);
      expect(
        fingerprint(generateDataset({ scale, seed: 7, now: new Date('2026-03-19T15:42:07Z') })),
      ).not.toBe(a);
    }
  });

  it('the default seed is fixed (two runs without a seed agree)', () => {
    expect(fingerprint(generateDataset({ scale: 'tiny', now: NOW }))).toBe(
      fingerprint(generateDataset({ scale: 'tiny', now: NOW })),
    );
  });
});

describe('generateDataset: shape and coverage', () => {
  it('fills every resource except sessions (optional) and the /me alias', () => {
    const ds = generateDataset({ scale: 'tiny', now: NOW });
    expect([...ds.records.keys()]).toEqual([...GENERATED_PATHS]);
    for (const def of RESOURCES) {
      if (def.path === 'me' || def.path === 'sessions') continue;
      expect(recs(ds, def.path).length, def.path).toBeGreaterThan(0);
    }
    expect(recs(ds, 'company')).toHaveLength(1);
  });

  it('uses exactly the attribute names, types and nullability of the resource definitions', () => {
    for (const scale of ['tiny', 'demo'] as const) {
      expect(shapeProblems(generateDataset({ scale, now: NOW }))).toEqual([]);
    }
  });
});

describe('generateDataset: counts per scale', () => {
  it('tiny has a few of each object', () => {
    const ds = generateDataset({ scale: 'tiny', now: NOW });
    expect(recs(ds, 'users').length).toBeGreaterThanOrEqual(3);
    expect(recs(ds, 'users').length).toBeLessThanOrEqual(5);
    expect(recs(ds, 'clients').length).toBeGreaterThanOrEqual(3);
    expect(recs(ds, 'clients').length).toBeLessThanOrEqual(5);
    expect(recs(ds, 'projects')).toHaveLength(5);
    expect(recs(ds, 'tasks')).toHaveLength(30);
    expect(recs(ds, 'entries').length).toBeGreaterThanOrEqual(80);
    expect(recs(ds, 'entries').length).toBeLessThanOrEqual(130);
    expect(recs(ds, 'invoices').length).toBeGreaterThanOrEqual(4);
  });

  it('demo is a believable agency over the last year', () => {
    const ds = generateDataset({ scale: 'demo', now: NOW });
    expect(recs(ds, 'users')).toHaveLength(10);
    expect(recs(ds, 'clients')).toHaveLength(15);
    expect(recs(ds, 'projects')).toHaveLength(40);
    expect(recs(ds, 'tasks')).toHaveLength(800);
    const entries = recs(ds, 'entries');
    expect(entries.length).toBeGreaterThanOrEqual(19_000);
    expect(entries.length).toBeLessThanOrEqual(21_000);
    expect(recs(ds, 'invoices')).toHaveLength(150);
    expect(recs(ds, 'workflows')).toHaveLength(2);
    expect(recs(ds, 'comments').length).toBeGreaterThan(100);
    expect(recs(ds, 'expenses').length).toBeGreaterThan(100);
    expect(recs(ds, 'estimates').length).toBeGreaterThan(10);
    const statuses = new Set(recs(ds, 'invoices').map((i) => i.status));
    for (const s of ['draft', 'sent', 'viewed', 'paid', 'void']) expect(statuses.has(s), s).toBe(true);
    const today = NOW.toISOString().slice(0, 10);
    const overdue = recs(ds, 'invoices').filter(
      (i) => (i.status === 'sent' || i.status === 'viewed') && (i.due_date as string) < today,
    );
    expect(overdue.length).toBeGreaterThan(0);

    // Time is spread over ~12 months up to now, on weekdays and in working hours, denser lately.
    const startOf = (e: Rec): number => (e.is_bulk ? Date.parse(`${e.date}T12:00:00Z`) : ms(e.start_time));
    const nowMs = NOW.getTime();
    const day = 86_400_000;
    let first90 = 0;
    let last90 = 0;
    let thisMonth = 0;
    for (const e of entries) {
      const t = startOf(e);
      expect(t).toBeGreaterThanOrEqual(nowMs - 366 * day);
      const wd = new Date(t).getUTCDay();
      expect(wd === 0 || wd === 6, `entry ${e.id} on a weekend`).toBe(false);
      if (!e.is_bulk) {
        const h = new Date(t).getUTCHours();
        expect(h >= 7 && h < 21, `entry ${e.id} at ${e.start_time}`).toBe(true);
      }
      if (t < nowMs - 275 * day) first90++;
      if (t >= nowMs - 90 * day) last90++;
      if (new Date(t).toISOString().slice(0, 7) === today.slice(0, 7)) thisMonth++;
    }
    expect(last90).toBeGreaterThan(first90 * 1.3);
    expect(thisMonth).toBeGreaterThan(500);
    const durations = entries.filter((e) => e.duration !== null).map((e) => num(e.duration));
    const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
    expect(mean).toBeGreaterThan(20 * 60);
    expect(mean).toBeLessThan(120 * 60);
    expect(entries.some((e) => e.is_bulk)).toBe(true);
    expect(entries.filter((e) => e.end_time === null).length).toBeGreaterThanOrEqual(1);
  });
});

describe('generateDataset: referential integrity', () => {
  it('demo has no integrity problems', () => {
    for (const now of [NOW, new Date('2027-01-01T00:30:00Z')]) {
      expect(integrityProblems(generateDataset({ scale: 'demo', now }), now), now.toISOString()).toEqual([]);
    }
  });

  it('tiny has no integrity problems on awkward anchor instants', () => {
    const anchors = [
      NOW,
      new Date('2026-03-01T00:05:00Z'), // just after a month boundary
      new Date('2026-03-22T10:00:00Z'), // a Sunday
      new Date('2028-02-29T23:59:59Z'), // leap day, end of day
      new Date('2027-01-01T08:00:00Z'), // new year, before working hours
    ];
    for (const now of anchors) {
      for (const seed of [1, 2, 3]) {
        const ds = generateDataset({ scale: 'tiny', seed, now });
        expect(integrityProblems(ds, now), `${now.toISOString()} seed ${seed}`).toEqual([]);
        expect(shapeProblems(ds), `${now.toISOString()} seed ${seed}`).toEqual([]);
      }
    }
  });

  it('the checker itself catches broken references', () => {
    const ds = generateDataset({ scale: 'tiny', now: NOW });
    recs(ds, 'entries')[0].task_id = 1;
    recs(ds, 'userstasks').pop();
    const problems = integrityProblems(ds, NOW);
    expect(problems.some((x) => x.includes('task_id=1 not in tasks'))).toBe(true);
    expect(problems.some((x) => x.startsWith('userstasks'))).toBe(true);
  });
});

describe('generateDataset: tiny edge cases', () => {
  const ds = generateDataset({ scale: 'tiny', now: NOW });
  const names = (path: string, field = 'name'): string[] => recs(ds, path).map((r) => String(r[field] ?? ''));
  const allText = [
    ...names('users'),
    ...names('clients'),
    ...names('projects'),
    ...names('projects', 'description'),
    ...names('tasks'),
    ...names('comments', 'content'),
  ].join('\n');

  it('has NULLs in nullable fields', () => {
    expect(recs(ds, 'clients').some((c) => c.address === null && c.email === null)).toBe(true);
    expect(
      recs(ds, 'projects').some((p) => p.code === null && p.color === null && p.description === null),
    ).toBe(true);
    expect(recs(ds, 'tasks').some((t) => t.due_date === null && t.description === null)).toBe(true);
    expect(recs(ds, 'entries').some((e) => e.description === null)).toBe(true);
    expect(recs(ds, 'users').some((u) => u.timezone === null && u.price_per_hour === null)).toBe(true);
    expect(recs(ds, 'invoices').some((i) => i.due_date === null && i.tax === null)).toBe(true);
    expect(recs(ds, 'expenses').some((x) => x.date === null)).toBe(true);
    expect(
      recs(ds, 'milestones').some((m) => m.user_id === null) || recs(ds, 'milestones').length === 1,
    ).toBe(true);
  });

  it('has non-ASCII and quote characters in names and descriptions', () => {
    for (const s of ['é', 'ü', '日本語', "'", '"', '\\', "O'Brien"]) expect(allText, s).toContain(s);
    expect(/\p{Extended_Pictographic}/u.test(allText)).toBe(true);
    expect(names('clients')).toContain('"Quoted" Co');
  });

  it('has a running timer, an archived project and client, and a retired user', () => {
    const timers = recs(ds, 'entries').filter((e) => !e.is_bulk && e.end_time === null);
    expect(timers).toHaveLength(1);
    expect(timers[0].duration).toBeNull();
    const archivedStatus = recs(ds, 'projectstatuses').find((s) => s.name === 'Archived')!.id;
    expect(recs(ds, 'projects').some((p) => p.active === false && p.status_id === archivedStatus)).toBe(true);
    expect(recs(ds, 'clients').some((c) => c.active === false)).toBe(true);
    const retired = recs(ds, 'users').filter((u) => u.active === false);
    expect(retired).toHaveLength(1);
    expect(recs(ds, 'entries').some((e) => e.user_id === retired[0].id)).toBe(true);
    expect(ds.apiKeys.some((k) => k.userId === retired[0].id)).toBe(false);
  });

  it('has zero amounts, an invoice without items, a task without assignees and a project without tasks', () => {
    expect(recs(ds, 'expenses').some((x) => x.amount === 0)).toBe(true);
    expect(recs(ds, 'invoiceitems').some((i) => i.price_unit === 0)).toBe(true);
    const withItems = new Set(recs(ds, 'invoiceitems').map((i) => i.invoice_id));
    const empty = recs(ds, 'invoices').filter((i) => !withItems.has(i.id));
    expect(empty.length).toBeGreaterThan(0);
    expect(empty[0].total).toBe(0);
    expect(recs(ds, 'tasks').some((t) => (t.users as number[]).length === 0)).toBe(true);
    const withTasks = new Set(recs(ds, 'tasks').map((t) => t.project_id));
    const bare = recs(ds, 'projects').filter((p) => !withTasks.has(p.id));
    expect(bare).toHaveLength(1);
    expect(bare[0].task_code_increment).toBe(0);
  });

  it('has entries exactly on month boundaries', () => {
    const entries = recs(ds, 'entries');
    const midnight1st = /^\d{4}-\d{2}-01T00:00:00Z$/;
    expect(entries.some((e) => midnight1st.test(String(e.start_time)))).toBe(true);
    expect(entries.some((e) => midnight1st.test(String(e.end_time)))).toBe(true);
    const spans = entries.filter(
      (e) => typeof e.end_time === 'string' && String(e.start_time).slice(0, 7) !== e.end_time.slice(0, 7),
    );
    expect(spans.length).toBeGreaterThan(0);
    const bulkDays = entries.filter((e) => e.is_bulk).map((e) => String(e.date));
    expect(bulkDays.some((d) => d.endsWith('-01'))).toBe(true);
    const lastDay = (d: string): boolean => {
      const next = new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000);
      return next.getUTCDate() === 1;
    };
    expect(bulkDays.some(lastDay)).toBe(true);
  });

  it('keeps every reference consistent despite the edge cases', () => {
    expect(integrityProblems(ds, NOW)).toEqual([]);
  });
});

// BENCHMARK-STYLE TEST: generates the `large` dataset once (≈ 1 M time entries, a few seconds, ~0.5 GB)
// and prints generation time and memory. Keep it under ~60 s on the 2-core CI machine.
describe('generateDataset: large scale (benchmark, slow)', () => {
  it('generates ≥ 1 M entries and 100 k tasks fast and memory-lean, with intact references', {
    timeout: 120_000,
  }, () => {
    const rssBefore = process.memoryUsage().rss;
    const t0 = performance.now();
    const ds = generateDataset({ scale: 'large', now: NOW });
    const seconds = (performance.now() - t0) / 1000;
    const rss = process.memoryUsage().rss;
    const peak = process.resourceUsage().maxRSS * 1024;
    const mb = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MB`;
    console.log(
      `[large] ${recs(ds, 'entries').length} entries, ${recs(ds, 'tasks').length} tasks: ` +
        `${seconds.toFixed(2)} s, RSS ${mb(rss)} (+${mb(rss - rssBefore)}), peak RSS of this worker ${mb(peak)}`,
    );
    expect(recs(ds, 'entries').length).toBeGreaterThanOrEqual(1_000_000);
    expect(recs(ds, 'tasks').length).toBeGreaterThanOrEqual(100_000);
    expect(recs(ds, 'users')).toHaveLength(200);
    expect(recs(ds, 'clients')).toHaveLength(300);
    expect(recs(ds, 'projects')).toHaveLength(2000);
    expect(seconds).toBeLessThan(30);
    expect(integrityProblems(ds, NOW)).toEqual([]);
  });
});
