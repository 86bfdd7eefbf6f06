/**
 * Time reports (paymo-api.md 2.19): selectors normalised to ids or presets, `content` computed from
 * the time entries (frozen at create for `static`, on every read for `live`, never stored for
 * `temp`), grouped by the report's `include` keys in the `extra.order` order.
 */
import { randomBytes } from 'node:crypto';
import type { Behaviour } from '../behaviour.js';
import { isoSeconds, parseDate, parseDateTime } from '../time.js';
import type { CallContext, Rec } from '../types.js';
import { asId, childrenOf, company, idList, refuse } from './util.js';

type Selector = 'projects' | 'clients' | 'users';

/** Preset values each selector accepts besides ids (2.19). */
const PRESETS: Readonly<Record<Selector, readonly string[]>> = {
  projects: ['all', 'all_active', 'all_archived'],
  clients: ['all', 'all_active'],
  users: ['all', 'all_active', 'all_archived'],
};

const SELECTOR_PATH: Readonly<Record<Selector, string>> = {
  projects: 'projects',
  clients: 'clients',
  users: 'users',
};

/**
 * Normalises a selector as Skyvia and the docs write it: a preset string, an int array, a string
 * array or a comma-separated string (2.19 [SIM]); stores ints, or the preset.
 */
export function normaliseSelector(ctx: CallContext, field: Selector, v: unknown): unknown {
  if (v === undefined || v === null) return v;
  let raw: unknown[];
  if (typeof v === 'string') {
    const t = v.trim();
    if (PRESETS[field].includes(t)) return t;
    if (field === 'projects' && /^status_id=\d+$/.test(t)) return t;
    raw = t === '' ? [] : t.split(',').map((s) => s.trim());
  } else if (Array.isArray(v)) raw = v;
  else if (typeof v === 'number') raw = [v];
  else return refuse(`Invalid value ${JSON.stringify(v)} for field '${field}': expected ids or a preset`);
  const ids = idList(raw);
  if (ids.length !== raw.length)
    refuse(
      `Invalid value ${JSON.stringify(v)} for field '${field}': expected ids or one of ${PRESETS[field].join(', ')}`,
    );
  for (const id of ids)
    if (!ctx.store.get(SELECTOR_PATH[field], id))
      refuse(`Invalid ${field}: no ${SELECTOR_PATH[field]} record with id ${id}`);
  return [...new Set(ids)];
}

const DAY = 86_400_000;

/** Epoch ms of a report date bound: Unix seconds (number or digits), an ISO date-time or a date. */
function boundMs(v: unknown): number {
  if (typeof v === 'number') return v * 1000;
  return parseDateTime(v);
}

/** The reported interval `[from, to)` in epoch ms (presets in UTC; weeks start on the company's day). */
export function reportRange(ctx: CallContext, rec: Record<string, unknown>): { from: number; to: number } {
  const di = rec.date_interval;
  if (typeof di === 'string') {
    const d = new Date(ctx.now);
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth();
    const today = Date.UTC(y, m, d.getUTCDate());
    const weekStart = Number(company(ctx)?.week_start ?? 1) || 0;
    const thisWeek = today - ((d.getUTCDay() - weekStart + 7) % 7) * DAY;
    switch (di) {
      case 'today':
        return { from: today, to: today + DAY };
      case 'yesterday':
        return { from: today - DAY, to: today };
      case 'this_week':
        return { from: thisWeek, to: thisWeek + 7 * DAY };
      case 'last_week':
        return { from: thisWeek - 7 * DAY, to: thisWeek };
      case 'this_month':
        return { from: Date.UTC(y, m, 1), to: Date.UTC(y, m + 1, 1) };
      case 'last_month':
        return { from: Date.UTC(y, m - 1, 1), to: Date.UTC(y, m, 1) };
      case 'this_year':
        return { from: Date.UTC(y, 0, 1), to: Date.UTC(y + 1, 0, 1) };
      case 'last_year':
        return { from: Date.UTC(y - 1, 0, 1), to: Date.UTC(y, 0, 1) };
      default:
        return { from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY };
    }
  }
  const s = rec.start_date;
  const e = rec.end_date;
  if (s === undefined || s === null || e === undefined || e === null)
    refuse("Fields 'start_date' and 'end_date', or 'date_interval', are required");
  const from = boundMs(s);
  const end = boundMs(e);
  if (Number.isNaN(from) || Number.isNaN(end))
    refuse("Fields 'start_date' and 'end_date' must be Unix timestamps or ISO 8601 dates");
  // A bare end date means the whole day; a timestamp is the last second included.
  const to = typeof e === 'string' && !Number.isNaN(parseDate(e)) ? end + DAY : end + 1000;
  if (to <= from) refuse("Field 'end_date' must not be before 'start_date'");
  return { from, to };
}

function selectedProjects(ctx: CallContext, rec: Record<string, unknown>): Rec[] {
  const clientSel = rec.clients;
  let clientIds: Set<unknown> | null = null;
  if (clientSel === 'all_active') {
    clientIds = new Set();
    for (const c of ctx.store.all('clients')) if (c.active !== false) clientIds.add(c.id);
  } else if (Array.isArray(clientSel) && clientSel.length > 0) clientIds = new Set(clientSel);
  const sel = rec.projects;
  let out: Rec[];
  if (Array.isArray(sel) && sel.length > 0)
    out = sel.flatMap((id) => ctx.store.get('projects', id as number) ?? []);
  else {
    out = [...ctx.store.all('projects')];
    if (sel === 'all_active') out = out.filter((p) => p.active !== false);
    else if (sel === 'all_archived') out = out.filter((p) => p.active === false);
    else if (typeof sel === 'string' && sel.startsWith('status_id=')) {
      const sid = Number(sel.slice('status_id='.length));
      out = out.filter((p) => p.status_id === sid);
    }
  }
  return clientIds ? out.filter((p) => clientIds.has(p.client_id)) : out;
}

function selectedUsers(ctx: CallContext, sel: unknown): (id: unknown) => boolean {
  if (Array.isArray(sel) && sel.length > 0) {
    const set = new Set(sel);
    return (id) => set.has(id);
  }
  if (sel === 'all_active' || sel === 'all_archived') {
    const want = sel === 'all_active';
    return (id) => (ctx.store.get('users', id as number)?.active !== false) === want;
  }
  return () => true;
}

/** Default grouping order of `extra.order` (2.19). */
const ORDER = ['days', 'clients', 'users', 'projects', 'tasklists', 'tasks', 'billed', 'entries'] as const;

interface Row {
  readonly entry: Rec;
  readonly task: Rec | undefined;
  readonly project: Rec;
  readonly at: number;
  readonly time: number;
}

/** A group level: its key for an entry, and the item fields that describe a group. */
interface Level {
  key(r: Row): string | number | boolean;
  item(r: Row, ctx: CallContext): Record<string, unknown>;
}

const LEVELS: Readonly<Record<string, Level>> = {
  days: {
    key: (r) => isoSeconds(r.at).slice(0, 10),
    item: (r) => ({ type: 'day', date: isoSeconds(r.at).slice(0, 10) }),
  },
  clients: {
    key: (r) => Number(r.project.client_id ?? 0),
    item: (r, ctx) => ({
      type: 'client',
      id: r.project.client_id ?? null,
      title: ctx.store.get('clients', r.project.client_id as number)?.name ?? null,
    }),
  },
  users: {
    key: (r) => Number(r.entry.user_id ?? 0),
    item: (r, ctx) => ({
      type: 'user',
      id: r.entry.user_id,
      title: ctx.store.get('users', r.entry.user_id as number)?.name ?? null,
    }),
  },
  projects: {
    key: (r) => r.project.id as number,
    item: (r) => ({
      type: 'project',
      id: r.project.id,
      title: r.project.name,
      color: r.project.color ?? null,
    }),
  },
  tasklists: {
    key: (r) => Number(r.task?.tasklist_id ?? 0),
    item: (r, ctx) => ({
      type: 'tasklist',
      id: r.task?.tasklist_id ?? null,
      title: ctx.store.get('tasklists', r.task?.tasklist_id as number)?.name ?? null,
      project_id: r.project.id,
    }),
  },
  tasks: {
    key: (r) => r.entry.task_id as number,
    item: (r) => ({
      type: 'task',
      id: r.entry.task_id,
      title: r.task?.name ?? null,
      project_id: r.project.id,
    }),
  },
  billed: {
    key: (r) => r.entry.billed === true,
    item: (r) => ({ type: 'billed', billed: r.entry.billed === true }),
  },
};

function extraOf(rec: Record<string, unknown>): Record<string, unknown> {
  return typeof rec.extra === 'object' && rec.extra !== null ? (rec.extra as Record<string, unknown>) : {};
}

/** The entries a report covers, with their (possibly rounded) time. */
function reportRows(ctx: CallContext, rec: Record<string, unknown>): Row[] {
  const { from, to } = reportRange(ctx, rec);
  const userOk = selectedUsers(ctx, rec.users);
  const x = extraOf(rec);
  const step = x.enable_time_rounding === true ? Number(x.rounding_step ?? 0) * 60 : 0;
  const rows: Row[] = [];
  for (const project of selectedProjects(ctx, rec)) {
    if (x.exclude_nonbillable_projects === true && project.billable !== true) continue;
    if (x.exclude_flats === true && project.flat_billing === true) continue;
    for (const entry of childrenOf(ctx, 'entries', 'project_id', project.id)) {
      // Running timers have no time yet.
      if (typeof entry.duration !== 'number' || !userOk(entry.user_id)) continue;
      const at =
        typeof entry.start_time === 'string' ? Date.parse(entry.start_time) : parseDate(String(entry.date));
      if (!(at >= from && at < to)) continue;
      if (x.exclude_billed_entries === true && entry.billed === true) continue;
      if (x.exclude_unbilled_entries === true && entry.billed !== true) continue;
      const task = ctx.store.get('tasks', entry.task_id as number);
      if (x.exclude_billable_tasks === true && task?.billable === true) continue;
      if (x.exclude_nonbillable_tasks === true && task?.billable !== true) continue;
      if (x.exclude_flat_rate_tasks === true && task?.flat_billing === true) continue;
      // Rounding is always up to a multiple of the step (8 → 15, 32 → 45 with 15).
      const time = step > 0 ? Math.ceil(entry.duration / step) * step : entry.duration;
      rows.push({ entry, task, project, at, time });
    }
  }
  return rows;
}

/** The grouping keys of a report, in order; `entries` is the leaf listing, not a level. */
function levelsOf(rec: Record<string, unknown>): { levels: string[]; withEntries: boolean } {
  const inc =
    typeof rec.include === 'object' && rec.include !== null ? (rec.include as Record<string, unknown>) : {};
  const order = extraOf(rec).order;
  const given = Array.isArray(order) ? order.map(String) : typeof order === 'string' ? order.split(',') : [];
  const seq = [...given.map((s) => s.trim()).filter((s) => (ORDER as readonly string[]).includes(s))];
  for (const k of ORDER) if (!seq.includes(k)) seq.push(k);
  const on = (k: string) => inc[k] === true || inc[k] === 1 || inc[k] === '1' || inc[k] === 'true';
  return { levels: seq.filter((k) => k !== 'entries' && on(k)), withEntries: on('entries') };
}

/**
 * The report's `content`: a flat depth-first list of group items (`day`, `client`, `user`,
 * `project`, `tasklist`, `task`, `billed`), entries when `include.entries`, then the total, each
 * with `time` (seconds), `pct` (integer percent of the total) and `level` (0 = total).
 */
export function reportContent(
  ctx: CallContext,
  rec: Record<string, unknown>,
): { items: Record<string, unknown>[] } {
  const rows = reportRows(ctx, rec);
  const total = rows.reduce((s, r) => s + r.time, 0);
  const pct = (t: number) => (total > 0 ? Math.round((t * 100) / total) : 0);
  const { levels, withEntries } = levelsOf(rec);
  const items: Record<string, unknown>[] = [];
  const walk = (group: Row[], depth: number) => {
    if (depth === levels.length) {
      if (!withEntries) return;
      for (const r of [...group].sort((a, b) => a.at - b.at || Number(a.entry.id) - Number(b.entry.id))) {
        const e = r.entry;
        items.push({
          type: 'entry',
          id: e.id,
          description: e.description ?? null,
          is_bulk: e.is_bulk === true,
          user_id: e.user_id,
          project_id: r.project.id,
          task_id: e.task_id,
          start_time: e.start_time ?? null,
          end_time: e.end_time ?? null,
          ...(e.date !== undefined ? { date: e.date } : {}),
          time: r.time,
          pct: pct(r.time),
          level: depth + 1,
        });
      }
      return;
    }
    const level = LEVELS[levels[depth]];
    const groups = new Map<string | number | boolean, Row[]>();
    for (const r of group) {
      const k = level.key(r);
      const g = groups.get(k);
      if (g) g.push(r);
      else groups.set(k, [r]);
    }
    const keys = [...groups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const k of keys) {
      const g = groups.get(k)!;
      const t = g.reduce((s, r) => s + r.time, 0);
      items.push({ ...level.item(g[0], ctx), time: t, pct: pct(t), level: depth + 1 });
      walk(g, depth + 1);
    }
  };
  walk(rows, 0);
  items.push({ type: 'total', time: total, pct: 100, level: 0 });
  return { items };
}

/** The resolved parameters (`info`): interval as date-times, selected objects as `{id, name}` with string ids. */
function reportInfo(ctx: CallContext, rec: Record<string, unknown>): Record<string, unknown> {
  const { from, to } = reportRange(ctx, rec);
  const named = (rs: Iterable<Rec>) => [...rs].map((r) => ({ id: String(r.id), name: r.name ?? null }));
  const projects = selectedProjects(ctx, rec);
  const clientIds = new Set(projects.map((p) => p.client_id));
  const userOk = selectedUsers(ctx, rec.users);
  return {
    start_date: Number.isFinite(from) ? isoSeconds(from) : null,
    end_date: Number.isFinite(to) ? isoSeconds(to - 1000) : null,
    clients: named([...clientIds].flatMap((id) => ctx.store.get('clients', id as number) ?? [])),
    projects: named(projects),
    users: named([...ctx.store.all('users')].filter((u) => userOk(u.id))),
  };
}

function checkShare(ctx: CallContext, rec: Record<string, unknown>): void {
  const client = asId(rec.share_client_id);
  if (client === undefined) return;
  if (!ctx.store.get('clients', client))
    refuse(`Invalid share_client_id: no clients record with id ${client}`);
  // Sharing with a client is allowed only when all reported time is that client's (2.19).
  for (const r of reportRows(ctx, rec))
    if (r.project.client_id !== client)
      refuse(`Report cannot be shared with client ${client}: it covers time of other clients`);
}

/** Reports: 2.19. */
export const reports: Behaviour = {
  beforeCreate(rec, _virtual, ctx) {
    for (const f of ['projects', 'clients', 'users'] as const) rec[f] = normaliseSelector(ctx, f, rec[f]);
    rec.info = reportInfo(ctx, rec);
    checkShare(ctx, rec);
    if (rec.type !== 'live') rec.content = reportContent(ctx, rec);
    const token = randomBytes(16).toString('hex');
    rec.permalink = `https://app.paymo.test/reports/${token}`;
    rec.download_token = token;
  },
  beforeUpdate(current, patch, _virtual, ctx) {
    // Update is a full re-specification; `type` is mandatory (2.19).
    if (patch.type === undefined) refuse("Field 'type' is required when updating a report");
    for (const f of ['projects', 'clients', 'users'] as const)
      if (patch[f] !== undefined) patch[f] = normaliseSelector(ctx, f, patch[f]);
    const spec: Record<string, unknown> = { ...current, ...patch };
    // Switching between a preset and explicit dates: the one sent wins.
    if (
      patch.date_interval === undefined &&
      (patch.start_date !== undefined || patch.end_date !== undefined)
    ) {
      spec.date_interval = null;
      patch.date_interval = null;
    }
    patch.info = reportInfo(ctx, spec);
    checkShare(ctx, spec);
    patch.content = spec.type === 'live' ? undefined : reportContent(ctx, spec);
  },
  onRead(rec, ctx) {
    if (rec.type !== 'live') return rec;
    return { ...rec, info: reportInfo(ctx, rec), content: reportContent(ctx, rec) };
  },
  persist: (rec) => rec.type !== 'temp',
};
