/**
 * Small helpers shared by the behaviours: lookups that refuse with Paymo-style errors, and the
 * low-level writes that side effects use when the full create/update path must not run again.
 */
import { ApiError } from '../api-error.js';
import type { WriteContext } from '../behaviour.js';
import { isoSeconds } from '../time.js';
import type { CallContext, Rec } from '../types.js';

/** An id as a number, or undefined when the value is not one. */
export function asId(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

/** The ids of an int-array field (empty for anything else). */
export function idList(v: unknown): number[] {
  if (!Array.isArray(v)) return [];
  const out: number[] = [];
  for (const x of v) {
    const n = asId(x);
    if (n !== undefined) out.push(n);
  }
  return out;
}

/** The distinct values of a list, first occurrence order kept. */
export function unique<T>(xs: Iterable<T>): T[] {
  return [...new Set(xs)];
}

/** Throws 400 with Paymo's kind of message. */
export function refuse(message: string): never {
  throw new ApiError(400, message);
}

/** The record `path`/`id` named by body field `field`, or 400 naming the field when it does not exist. */
export function mustExist(ctx: CallContext, path: string, id: unknown, field: string): Rec {
  const n = asId(id);
  const rec = n === undefined ? undefined : ctx.store.get(path, n);
  if (!rec) refuse(`Invalid ${field}: no ${path} record with id ${String(id)}`);
  return rec;
}

/** Checks that every id of an int-array field names an existing record. */
export function mustAllExist(ctx: CallContext, path: string, ids: unknown, field: string): void {
  for (const id of idList(ids)) mustExist(ctx, path, id, field);
}

/** The first record of `path` matching `test`, in id order. */
export function findFirst(ctx: CallContext, path: string, test: (r: Rec) => boolean): Rec | undefined {
  for (const r of ctx.store.all(path)) if (test(r)) return r;
  return undefined;
}

/** Records of `path` whose `field` equals (or, for arrays, contains) `value`, via the store's index. */
export function childrenOf(ctx: CallContext, path: string, field: string, value: unknown): readonly Rec[] {
  return ctx.store.findBy(path, field, value);
}

/** Whether the resource stores `updated_on`. */
function hasUpdatedOn(ctx: WriteContext, path: string): boolean {
  return ctx.resourceOf(path).fields.some((f) => f.name === 'updated_on');
}

/**
 * Writes a side-effect change straight into the store (no behaviour runs again) and moves
 * `updated_on`, so incremental readers that watch it see the change.
 */
export function touch(
  ctx: WriteContext,
  path: string,
  id: number | string,
  patch: Record<string, unknown>,
): Rec {
  const full = hasUpdatedOn(ctx, path) ? { ...patch, updated_on: isoSeconds(ctx.now) } : patch;
  return ctx.store.update(path, id, full);
}

/**
 * Inserts a record created as a side effect (task assignments mirrored from `task.users`, document
 * lines): field defaults and stamps are applied as on the create path, but no behaviour runs, so
 * two mirrored views cannot ping-pong.
 */
export function insertRaw(ctx: WriteContext, path: string, values: Record<string, unknown>): Rec {
  const def = ctx.resourceOf(path);
  const rec: Rec = { id: ctx.store.allocateId(path) };
  const now = isoSeconds(ctx.now);
  for (const f of def.fields) {
    if (f.access === 'V' || f.name === 'id') continue;
    if (values[f.name] !== undefined) rec[f.name] = values[f.name];
    else if (f.default !== undefined) {
      const d = typeof f.default === 'function' ? (f.default as (c: CallContext) => unknown)(ctx) : f.default;
      rec[f.name] = Array.isArray(d) ? [...d] : d;
    }
  }
  if (def.fields.some((f) => f.name === 'created_on')) rec.created_on = now;
  if (def.fields.some((f) => f.name === 'updated_on')) rec.updated_on = now;
  return ctx.store.insert(path, rec);
}

/** Removes every record of `path` whose `field` is `value`, each through its behaviour's cascade. */
export function cascadeChildren(ctx: WriteContext, path: string, field: string, value: unknown): void {
  for (const r of [...ctx.store.findBy(path, field, value)]) ctx.deleteCascade(path, r.id);
}

/** Adds `id` to an int-array field of a record if missing (side effect, `updated_on` moves). */
export function addToArray(ctx: WriteContext, path: string, recId: number, field: string, id: number): void {
  const rec = ctx.store.get(path, recId);
  if (!rec) return;
  const cur = idList(rec[field]);
  if (!cur.includes(id)) touch(ctx, path, recId, { [field]: [...cur, id] });
}

/** Removes `id` from an int-array field of a record if present (side effect, `updated_on` moves). */
export function removeFromArray(
  ctx: WriteContext,
  path: string,
  recId: number,
  field: string,
  id: number,
): void {
  const rec = ctx.store.get(path, recId);
  if (!rec) return;
  const cur = idList(rec[field]);
  if (cur.includes(id)) touch(ctx, path, recId, { [field]: cur.filter((x) => x !== id) });
}

/** The changed value of a field: the patch's when it carries the field, else the current one. */
export function next(current: Rec, patch: Record<string, unknown>, field: string): unknown {
  return Object.hasOwn(patch, field) ? patch[field] : current[field];
}

/** The single company record (the singleton `company` resource). */
export function company(ctx: CallContext): Rec | undefined {
  for (const r of ctx.store.all('company')) return r;
  return undefined;
}

/**
 * Checks a reorder parameter (`tasklists_order`, `tasks_order`, `subtasks_order`): an id array (or
 * comma string) of `path` records whose `parentField` is `parentId`; a subset is allowed. Returns
 * the ids in their new order (seq = position).
 */
export function checkOrder(
  ctx: CallContext,
  path: string,
  parentField: string,
  parentId: unknown,
  order: unknown,
  param: string,
): number[] {
  if (order === undefined || order === null) return [];
  if (!Array.isArray(order) && typeof order !== 'string')
    refuse(`Invalid ${param}: expected an array of ids`);
  const raw = typeof order === 'string' ? order.split(',').map((s) => s.trim()) : order;
  const ids = idList(raw);
  if (ids.length !== raw.length) refuse(`Invalid ${param}: expected an array of ids`);
  for (const id of ids) {
    const r = ctx.store.get(path, id);
    if (!r || r[parentField] !== parentId) refuse(`Invalid ${param}: ${path} ${id} does not belong here`);
  }
  return ids;
}

/**
 * Keeps a membership pair consistent: `all` (project `users`, user `assigned_projects`) always holds
 * every id of `subset` (`managers`, `managed_projects`). On create pass `current` = the new record and
 * `patch` = the same record. On update, replacing `all` alone drops subset members who left it.
 * Ids must exist in `targetPath` (400 otherwise).
 */
export function reconcileMembership(
  ctx: CallContext,
  current: Rec,
  patch: Record<string, unknown>,
  all: string,
  subset: string,
  targetPath: string,
  extra: readonly number[] = [],
): void {
  if (current !== patch && patch[all] === undefined && patch[subset] === undefined) return;
  mustAllExist(ctx, targetPath, patch[all], all);
  mustAllExist(ctx, targetPath, patch[subset], subset);
  const members = idList(next(current, patch, all));
  const sub =
    patch[subset] !== undefined || current === patch
      ? idList(patch[subset])
      : idList(current[subset]).filter((m) => members.includes(m));
  const s = unique([...sub, ...extra]);
  patch[all] = unique([...members, ...extra, ...s]);
  patch[subset] = s;
}
