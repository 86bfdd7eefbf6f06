import type { Store } from './store.js';
import type { CallContext, Rec, ResourceDef } from './types.js';

/** What a behaviour hook can see and do during a write. */
export interface WriteContext extends CallContext {
  readonly store: Store;
  /** The calling user's record. */
  readonly user: Rec;
  /** Resource definitions by path. */
  readonly resourceOf: (path: string) => ResourceDef;
  /** Deletes a record through its resource's behaviour (cascades run), as Paymo's own deletes do. */
  readonly deleteCascade: (path: string, id: number | string) => void;
  /** Creates a record through the full create path (defaults, validation, hooks); returns it. */
  readonly createRecord: (path: string, body: Record<string, unknown>) => Rec;
  /** Updates a record through the full update path; returns it. */
  readonly updateRecord: (path: string, id: number | string, body: Record<string, unknown>) => Rec;
}

/**
 * Per-resource side effects and rules that the field table cannot say (paymo-api.md 1.12 and the
 * bullets of section 2). `before*` hooks validate and complete the record and must not change any
 * other record (a refusal must leave nothing half-done); `after*` hooks apply cross-object effects.
 */
export interface Behaviour {
  /** Completes a new record (computed fields, defaults that depend on others) or refuses it. */
  beforeCreate?(rec: Rec, virtual: Record<string, unknown>, ctx: WriteContext): void;
  /** Cross-object effects of a create (the record is stored, with its id). */
  afterCreate?(rec: Rec, virtual: Record<string, unknown>, ctx: WriteContext): void;
  /** Validates a partial update; may add computed fields to `patch` or refuse. */
  beforeUpdate?(
    current: Rec,
    patch: Record<string, unknown>,
    virtual: Record<string, unknown>,
    ctx: WriteContext,
  ): void;
  /** Cross-object effects of an update; `before` is a copy of the record before the patch. */
  afterUpdate?(rec: Rec, before: Rec, virtual: Record<string, unknown>, ctx: WriteContext): void;
  /** Refuses a delete (templates in use, readonly statuses…). */
  beforeDelete?(rec: Rec, ctx: WriteContext): void;
  /** Cascades of a delete (the record is already removed). */
  afterDelete?(rec: Rec, ctx: WriteContext): void;
  /** Fields computed on every read (live report content); returns the record to render. */
  onRead?(rec: Rec, ctx: CallContext): Rec;
  /** Lists show only what the caller may see (hooks and sessions: the caller's own). */
  visible?(rec: Rec, ctx: CallContext): boolean;
  /** False when a created record is answered but not kept (temp reports). */
  persist?(rec: Rec): boolean;
}
