import type { Rec, StoreView } from './types.js';

type Id = number | string;

/**
 * The simulator's in-memory database: one id-ordered table per resource path, with lazily built
 * equality indexes so filtered lists over a million time entries do not scan everything.
 *
 * Records are plain objects owned by the store; callers must go through insert/update/remove so the
 * indexes stay true.
 */
export class Store implements StoreView {
  private readonly tables = new Map<string, Map<Id, Rec>>();
  private readonly nextIds = new Map<string, number>();
  /** path → field → value → records holding it (array fields index each element). */
  private readonly indexes = new Map<string, Map<string, Map<unknown, Set<Rec>>>>();

  /** The table of a path, created empty on first use. */
  private table(path: string): Map<Id, Rec> {
    let t = this.tables.get(path);
    if (!t) {
      t = new Map();
      this.tables.set(path, t);
    }
    return t;
  }

  get(path: string, id: Id): Rec | undefined {
    const t = this.tables.get(path);
    if (!t) return undefined;
    const hit = t.get(id);
    if (hit !== undefined || typeof id !== 'string') return hit;
    // Ids arrive from URLs as strings; numeric resources key by number.
    const n = Number(id);
    return Number.isInteger(n) ? t.get(n) : undefined;
  }

  all(path: string): Iterable<Rec> {
    return this.tables.get(path)?.values() ?? [];
  }

  /** Number of records of a path. */
  count(path: string): number {
    return this.tables.get(path)?.size ?? 0;
  }

  findBy(path: string, field: string, value: unknown): readonly Rec[] {
    const set = this.index(path, field).get(normaliseKey(value));
    if (!set) return [];
    const out = [...set];
    // Index sets lose id order after updates; callers expect ascending ids like the lists.
    out.sort(compareIds);
    return out;
  }

  /** The next id a new record of `path` gets (ids are positive and ascending per path). */
  allocateId(path: string): number {
    const next = this.nextIds.get(path) ?? 1;
    this.nextIds.set(path, next + 1);
    return next;
  }

  /** Stores a record that already has its id (loading a dataset, or after allocateId). */
  insert(path: string, rec: Rec): Rec {
    const t = this.table(path);
    if (t.has(rec.id)) throw new Error(`duplicate id ${rec.id} in ${path}`);
    t.set(rec.id, rec);
    if (typeof rec.id === 'number' && rec.id >= (this.nextIds.get(path) ?? 1)) {
      this.nextIds.set(path, rec.id + 1);
    }
    const idx = this.indexes.get(path);
    if (idx) for (const [field, byValue] of idx) addToIndex(byValue, rec, rec[field]);
    return rec;
  }

  /** Applies `patch` to a stored record in place and returns it. */
  update(path: string, id: Id, patch: Record<string, unknown>): Rec {
    const rec = this.get(path, id);
    if (!rec) throw new Error(`no ${path} ${id}`);
    const idx = this.indexes.get(path);
    for (const [k, v] of Object.entries(patch)) {
      if (k === 'id') continue;
      const byValue = idx?.get(k);
      if (byValue) removeFromIndex(byValue, rec, rec[k]);
      if (v === undefined) delete rec[k];
      else rec[k] = v;
      if (byValue) addToIndex(byValue, rec, v);
    }
    return rec;
  }

  /** Removes a record; returns it, or undefined when it did not exist. */
  remove(path: string, id: Id): Rec | undefined {
    const rec = this.get(path, id);
    if (!rec) return undefined;
    this.tables.get(path)!.delete(rec.id);
    const idx = this.indexes.get(path);
    if (idx) for (const [field, byValue] of idx) removeFromIndex(byValue, rec, rec[field]);
    return rec;
  }

  /** The equality index of one field, built on first use and maintained by every write after. */
  private index(path: string, field: string): Map<unknown, Set<Rec>> {
    let byField = this.indexes.get(path);
    if (!byField) {
      byField = new Map();
      this.indexes.set(path, byField);
    }
    let byValue = byField.get(field);
    if (!byValue) {
      byValue = new Map();
      for (const rec of this.all(path)) addToIndex(byValue, rec, rec[field]);
      byField.set(field, byValue);
    }
    return byValue;
  }
}

/** Index keys: numbers and numeric strings meet (ids come from URLs and bodies in both forms). */
function normaliseKey(v: unknown): unknown {
  if (typeof v === 'string' && v !== '' && /^-?\d+$/.test(v)) return Number(v);
  return v;
}

function addToIndex(byValue: Map<unknown, Set<Rec>>, rec: Rec, value: unknown): void {
  if (Array.isArray(value)) {
    for (const v of value) addOne(byValue, rec, v);
  } else {
    addOne(byValue, rec, value);
  }
}

function addOne(byValue: Map<unknown, Set<Rec>>, rec: Rec, value: unknown): void {
  if (value === undefined) return;
  const key = normaliseKey(value);
  let set = byValue.get(key);
  if (!set) {
    set = new Set();
    byValue.set(key, set);
  }
  set.add(rec);
}

function removeFromIndex(byValue: Map<unknown, Set<Rec>>, rec: Rec, value: unknown): void {
  const values = Array.isArray(value) ? value : [value];
  for (const v of values) byValue.get(normaliseKey(v))?.delete(rec);
}

/** Orders records by id: numbers numerically, strings (session tokens) lexically. */
export function compareIds(a: Rec, b: Rec): number {
  if (typeof a.id === 'number' && typeof b.id === 'number') return a.id - b.id;
  return String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0;
}
