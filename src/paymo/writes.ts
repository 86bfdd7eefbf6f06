/**
 * The Paymo half of INSERT / UPDATE / DELETE (issue 5), driven by the ObjectSpec only: the DML
 * matrix row, per-column write flags, the write rules, request bodies, the requests themselves,
 * the row Paymo stored, and Paymo's errors as SQLSTATEs. PaymoTable delegates its write members here.
 *
 * Requests: INSERT `POST /<resource>`, UPDATE `PUT /<resource>/<id>` (a singleton: `PUT /<resource>`),
 * DELETE `DELETE /<resource>/<id>`, one per row, JSON bodies named by the columns (= Paymo
 * attributes). Two spec flags add one read per row: `updateReplaces` (reports) reads the object
 * before its update, because Paymo wants the full specification; a nested table (comments) reads the
 * listed parent of its route (the thread) after the write, because Paymo's answer lacks its columns.
 *
 * Every write attempt that reached the network calls `afterWrite` (the cache drops what it holds),
 * whether it succeeded, failed or ended with an unknown outcome.
 */
import type { ColumnWrite, WriteContext, WriteSupport } from '../catalog/table-source.js';
import { WriteError } from '../catalog/table-source.js';
import type { Row } from '../catalog/types.js';
import { SqlError } from '../errors.js';
import { PaymoBadResponseError, PaymoError } from './errors.js';
import type { PaymoClient, PaymoRow } from './http-client.js';
import type { ColumnSpec, NestedRoute, ObjectSpec, WriteRule } from './specs/types.js';
import { encodeValue } from './write-values.js';

/** A write statement kind. */
export type WriteOp = 'insert' | 'update' | 'delete';

/** What the writer needs from its table. */
export interface WriterDeps {
  readonly client: PaymoClient;
  /** Called after every write request that may have reached Paymo (success, failure, unknown). */
  readonly afterWrite: () => void;
  /** A row in schema order from a chain of Paymo objects (the listed object, then the leaf) of route `route`. */
  readonly toRow: (chain: readonly PaymoRow[], route: number) => Row;
  /**
   * Answers the read by id of row `id` before a write from what the same write statement already
   * read fresh (the table's own read by id), else runs `load`. Absent: `load` always runs.
   */
  readonly statementRead?: (id: number | string, load: () => Promise<PaymoRow>) => Promise<PaymoRow>;
}

/** The DML matrix row of a spec, or undefined for a read-only table. */
export function writeSupportOf(spec: ObjectSpec): WriteSupport | undefined {
  const w = spec.writes;
  return w.insert || w.update || w.delete
    ? { insert: w.insert, update: w.update, delete: w.delete }
    : undefined;
}

/** Per-column write flags of a spec (only columns with a flag): derived columns are read-only. */
export function columnWritesOf(spec: ObjectSpec): ReadonlyMap<string, ColumnWrite> {
  const out = new Map<string, ColumnWrite>();
  for (const c of spec.columns) {
    const w: ColumnWrite = {
      ...(c.readOnly || c.derived ? { readOnly: true } : {}),
      ...(c.createOnly ? { createOnly: true } : {}),
      ...(c.requiredOnInsert ? { requiredOnInsert: true } : {}),
    };
    if (Object.keys(w).length > 0) out.set(c.name, w);
  }
  return out;
}

/** True when a column may be assigned by `op` (not read-only; create-only columns only on INSERT). */
function assignable(c: ColumnSpec, op: 'insert' | 'update'): boolean {
  return !c.readOnly && !c.derived && !c.detailOnly && (op === 'insert' || !c.createOnly);
}

const given = (values: ReadonlyMap<string, unknown>, c: string): boolean =>
  values.get(c) !== undefined && values.get(c) !== null;

/** Groups of a one-of-groups rule the values use: INSERT counts non-NULL values, UPDATE any assignment. */
function groupsUsed(
  rule: Extract<WriteRule, { kind: 'one-of-groups' }>,
  op: 'insert' | 'update',
  values: ReadonlyMap<string, unknown>,
): (readonly string[])[] {
  return rule.groups.filter((g) => g.some((c) => (op === 'insert' ? given(values, c) : values.has(c))));
}

function groupText(groups: readonly (readonly string[])[]): string {
  return groups.map((g) => (g.length === 1 ? g[0] : `(${g.join(', ')})`)).join(' or ');
}

/**
 * Checks one row of a write against the spec before any request: every value must encode to
 * Paymo's form (22xxx), and every write rule must hold: `positive` (23514; NULL refused on UPDATE),
 * `one-of-groups` on INSERT (23502 when no group is complete), `exclusive` groups on INSERT and
 * UPDATE (23514 when two alternatives are given).
 */
function checkWriteRules(
  spec: ObjectSpec,
  op: 'insert' | 'update',
  values: ReadonlyMap<string, unknown>,
): void {
  for (const [name, v] of values) {
    const c = spec.columns.find((x) => x.name === name);
    if (c) encodeValue(c, v);
  }
  for (const rule of spec.writeRules ?? []) {
    if (rule.kind === 'positive') {
      if (!values.has(rule.column)) continue;
      const v = values.get(rule.column);
      if ((v === null || v === undefined) && op === 'insert') continue;
      if (typeof v === 'number' && v > 0) continue;
      throw new SqlError(
        '23514',
        `${spec.name}.${rule.column} = ${v === null || v === undefined ? 'NULL' : String(v)} refused before any request: ${rule.message}`,
      );
    }
    const used = groupsUsed(rule, op, values);
    if (rule.exclusive && used.length > 1) throw bothGroups(spec, rule, used, op);
    if (op === 'insert' && !rule.groups.some((g) => g.every((c) => given(values, c))))
      throw noGroup(spec, rule);
  }
}

function bothGroups(
  spec: ObjectSpec,
  rule: Extract<WriteRule, { kind: 'one-of-groups' }>,
  used: readonly (readonly string[])[],
  op: 'insert' | 'update',
): SqlError {
  return new SqlError(
    '23514',
    `${spec.name}: ${groupText(used)} cannot be given together (${op === 'insert' ? 'INSERT' : 'UPDATE'} refused before any request): ${rule.message}`,
    { hint: `Give only one of ${groupText(rule.groups)}.` },
  );
}

function noGroup(spec: ObjectSpec, rule: Extract<WriteRule, { kind: 'one-of-groups' }>): SqlError {
  return new SqlError('23502', `${spec.name}: ${rule.message}`, {
    detail: `INSERT needs non-NULL values in ${groupText(rule.groups)}.`,
  });
}

/**
 * The rules that depend only on which columns a statement assigns, checked while planning: an
 * INSERT whose columns complete no group of a `one-of-groups` rule (23502), an UPDATE assigning
 * columns of two `exclusive` groups (23514). Whatever the values, no row could pass them.
 */
export function checkWriteColumns(
  spec: ObjectSpec,
  op: 'insert' | 'update',
  columns: readonly string[],
): void {
  const assigned = new Set(columns);
  for (const rule of spec.writeRules ?? []) {
    if (rule.kind !== 'one-of-groups') continue;
    const used = rule.groups.filter((g) => g.some((c) => assigned.has(c)));
    if (op === 'update' && rule.exclusive && used.length > 1) throw bothGroups(spec, rule, used, op);
    if (op === 'insert' && !rule.groups.some((g) => g.every((c) => assigned.has(c))))
      throw noGroup(spec, rule);
  }
}

/** The route a nested table's written rows are rebuilt from (one level, a parentKey). */
export function writeRoute(spec: ObjectSpec): { route: NestedRoute; index: number } | undefined {
  if (spec.read.kind !== 'nested') return undefined;
  const index = spec.read.routes.findIndex((r) => r.parentKey !== undefined && r.descend.length === 1);
  return index < 0 ? undefined : { route: spec.read.routes[index]!, index };
}

/** The SQLSTATE of a Paymo refusal (400/409/422…), from its status and message. */
function refusalCode(status: number | undefined, message: string, op: WriteOp): string {
  if (status === 409) return '23505';
  if (status === 405) return '0A000';
  if (status === 413) return '54000';
  if (/cannot be empty|is required|are required/i.test(message)) return '23502';
  if (/already (used|assigned|has|exists)|duplicate|unique/i.test(message)) return '23505';
  if (op === 'delete' && /\bused by\b|\bin use\b/i.test(message)) return '23503';
  if (/no [a-z_]+ record with id|does not exist|not found/i.test(message)) return '23503';
  if (/invalid value|expected /i.test(message)) return '22023';
  return '23514';
}

const VERB: Record<WriteOp, string> = { insert: 'INSERT into', update: 'UPDATE of', delete: 'DELETE from' };

/**
 * Paymo's failure of one write as the error the engine reports (see the SQLSTATE table in the
 * report / README): refusals 23xxx/22023 with Paymo's message quoted, a vanished row 40001, auth
 * 28000/42501, rate limit 53400, nothing sent 08006, an unknown outcome 08007 (`outcomeUnknown`).
 */
function writeError(error: unknown, spec: ObjectSpec, op: WriteOp, id?: unknown): Error {
  if (error instanceof SqlError || error instanceof WriteError) return error;
  const row = id !== undefined ? ` row id=${String(id)}` : '';
  const what = `${VERB[op]} ${spec.name}${row}`;
  if (!(error instanceof PaymoError))
    return new WriteError(
      'XX000',
      `${what} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  const at = `${error.method} ${error.path}`;
  const said = error.paymoMessage ? `: "${error.paymoMessage}"` : '';
  switch (error.kind) {
    case 'validation':
      return new WriteError(
        refusalCode(error.status, error.paymoMessage ?? '', op),
        `Paymo refused the ${what} (${at}, HTTP ${error.status})${said}; nothing was changed for this row`,
      );
    case 'not-found':
      return op === 'insert'
        ? new WriteError(
            '23503',
            `Paymo refused the ${what} (${at}, HTTP 404)${said}: a referenced object does not exist`,
          )
        : new WriteError(
            '40001',
            `${spec.name}${row} no longer exists in Paymo (${at} answered 404): it was deleted after this statement read it; nothing was changed for it, re-run the statement to skip it`,
          );
    case 'auth':
      return new WriteError(error.sqlState, `${what} refused by Paymo: ${error.message}`);
    case 'rate-limited':
      return new WriteError('53400', `${what} not sent, nothing was changed for this row: ${error.message}`);
    case 'network':
    case 'timeout':
    case 'server':
      return new WriteError('08006', `${what} not applied: ${error.message}`);
    case 'outcome-unknown':
      return new WriteError('08007', `${what}: ${error.message}`, true);
    case 'aborted':
      return new WriteError(
        '57014',
        `${what}: ${error.message}`,
        (error as { outcomeUnknown?: boolean }).outcomeUnknown === true,
      );
    case 'bad-response': {
      const applied = error instanceof PaymoBadResponseError && error.applied;
      return applied
        ? new WriteError('08007', `${what}: ${error.message}`, true)
        : new WriteError('08P01', `${what} not applied: ${error.message}`);
    }
    default: {
      const never: never = error.kind;
      return new WriteError('XX000', `${what} failed: ${String(never)}`);
    }
  }
}

/** Writes one spec's rows to Paymo; see the module comment. */
export class PaymoWriter {
  readonly #spec: ObjectSpec;
  readonly #deps: WriterDeps;
  readonly #columns: ReadonlyMap<string, ColumnSpec>;
  readonly #nested: { route: NestedRoute; index: number } | undefined;

  constructor(spec: ObjectSpec, deps: WriterDeps) {
    this.#spec = spec;
    this.#deps = deps;
    this.#columns = new Map(spec.columns.map((c) => [c.name, c]));
    this.#nested = writeRoute(spec);
  }

  /** See {@link checkWriteRules}. */
  check(op: 'insert' | 'update', values: ReadonlyMap<string, unknown>): void {
    checkWriteRules(this.#spec, op, values);
  }

  /** See {@link checkWriteColumns}. */
  checkColumns(op: 'insert' | 'update', columns: readonly string[]): void {
    checkWriteColumns(this.#spec, op, columns);
  }

  /** `POST /<resource>`; resolves to the stored row in schema order. */
  async insert(values: ReadonlyMap<string, unknown>, ctx: WriteContext): Promise<Row> {
    this.#allowed('insert');
    this.check('insert', values);
    const body = this.#body('insert', values);
    const spec = this.#spec;
    const created = await this.#send(ctx, 'insert', undefined, () =>
      this.#deps.client.create(spec.resource, body, { key: spec.key, ...signal(ctx) }),
    );
    return this.#stored(created.row, ctx, 'insert');
  }

  /** `PUT /<resource>/<id>` (singleton: `PUT /<resource>`); resolves to the stored row. */
  async update(key: Row, values: ReadonlyMap<string, unknown>, ctx: WriteContext): Promise<Row> {
    this.#allowed('update');
    this.check('update', values);
    const spec = this.#spec;
    const id = key[0];
    let body = this.#body('update', values);
    if (spec.updateReplaces) body = { ...(await this.#current(id, values, ctx)), ...body };
    const client = this.#deps.client;
    const opts = { key: spec.key, ...signal(ctx) };
    const row = await this.#send(
      ctx,
      'update',
      id,
      () =>
        spec.read.kind === 'singleton'
          ? client.updateSingleton(spec.resource, body, opts)
          : client.update(spec.resource, idOf(id), body, opts),
      // Paymo answered 2xx but the answer is unreadable: the change is applied, so read it back.
      () =>
        spec.read.kind === 'singleton'
          ? client.getSingleton(spec.resource, opts)
          : client.get(spec.resource, idOf(id), opts),
    );
    return this.#stored(row, ctx, 'update');
  }

  /** `DELETE /<resource>/<id>`; resolves once Paymo confirmed. */
  async delete(key: Row, ctx: WriteContext): Promise<void> {
    this.#allowed('delete');
    const id = key[0];
    await this.#send(ctx, 'delete', id, () =>
      this.#deps.client.delete(this.#spec.resource, idOf(id), signal(ctx)),
    );
  }

  /** EXPLAIN lines: the requests per row, with the body's field names (never credentials). */
  describe(op: WriteOp, columns: readonly string[]): string[] {
    const spec = this.#spec;
    const base = new URL(this.#deps.client.baseUrl).pathname.replace(/\/$/, '');
    const path = `${base}/${spec.resource}`;
    const singleton = spec.read.kind === 'singleton';
    const fields = (names: readonly string[]) => (names.length > 0 ? names.join(', ') : '(none)');
    const lines: string[] = [];
    if (op === 'insert') {
      lines.push(`POST ${path} (one per row), body: ${fields(columns)}`);
    } else if (op === 'update') {
      let sent = columns;
      if (spec.updateReplaces) {
        lines.push(
          `GET ${path}/{id} (one per row unless just read by id: Paymo updates a ${spec.name} row only with its full specification)`,
        );
        sent = [
          ...new Set([...columns, ...spec.columns.filter((c) => assignable(c, 'update')).map((c) => c.name)]),
        ];
      }
      lines.push(
        singleton
          ? `PUT ${path} (one request), body: ${fields(sent)}`
          : `PUT ${path}/{id} (one per row), body: ${fields(sent)}`,
      );
    } else {
      lines.push(`DELETE ${path}/{id} (one per row)`);
    }
    const detail = spec.columns.filter((c) => c.detailOnly).map((c) => c.name);
    if (detail.length > 0 && op !== 'delete')
      lines.push(`GET ${path}/{id} (per row, only when Paymo's answer lacks ${detail.join(', ')})`);
    const nested = this.#nested;
    if (nested && op !== 'delete')
      lines.push(
        `GET ${base}/${nested.route.resource}/{${nested.route.parentKey}} (one per row: the ${nested.route.resource} columns of the row)`,
      );
    return lines;
  }

  #allowed(op: WriteOp): void {
    if (!this.#spec.writes[op]) {
      const ok = (['insert', 'update', 'delete'] as const).filter((o) => this.#spec.writes[o]);
      throw new SqlError(
        '0A000',
        `${op.toUpperCase()} is not allowed on "${this.#spec.name}"${ok.length > 0 ? `; it allows ${ok.map((o) => o.toUpperCase()).join(', ')}` : ': it is read-only'}`,
      );
    }
  }

  /** The JSON body of one row: assignable columns only, encoded; see {@link WriteRule} for NULLs. */
  #body(op: 'insert' | 'update', values: ReadonlyMap<string, unknown>): Record<string, unknown> {
    const omit = new Set<string>();
    for (const rule of this.#spec.writeRules ?? []) {
      if (op !== 'insert') continue;
      // NULL means "not given" for a positive column, and for the alternatives a row does not use.
      if (rule.kind === 'positive' && !given(values, rule.column)) omit.add(rule.column);
      if (rule.kind === 'one-of-groups' && rule.exclusive)
        for (const c of rule.groups.flat()) if (!given(values, c)) omit.add(c);
    }
    const body: Record<string, unknown> = {};
    for (const [name, v] of values) {
      const c = this.#columns.get(name);
      if (!c) throw new SqlError('42703', `column "${name}" of relation "${this.#spec.name}" does not exist`);
      if (!assignable(c, op)) {
        throw new SqlError(
          '428C9',
          `column "${name}" of "${this.#spec.name}" can ${c.createOnly ? 'only be set by INSERT' : 'not be assigned: Paymo sets it'}`,
        );
      }
      if (!omit.has(name)) body[name] = encodeValue(c, v);
    }
    return body;
  }

  /**
   * The full specification of an `updateReplaces` object: every assignable attribute as stored now
   * (read by id, one request), except the exclusive alternatives the assignment replaces, which are
   * sent as null so the one assigned wins.
   */
  async #current(
    id: unknown,
    values: ReadonlyMap<string, unknown>,
    ctx: WriteContext,
  ): Promise<Record<string, unknown>> {
    const spec = this.#spec;
    const now = await this.#read(ctx, spec.resource, spec.key, id, true).catch((error: unknown) => {
      throw writeError(error, spec, 'update', id);
    });
    const row = this.#deps.toRow([now], 0);
    const cleared = new Set<string>();
    for (const rule of spec.writeRules ?? []) {
      if (rule.kind !== 'one-of-groups' || !rule.exclusive) continue;
      const used = groupsUsed(rule, 'update', values);
      if (used.length > 0)
        for (const g of rule.groups) if (!used.includes(g)) for (const c of g) cleared.add(c);
    }
    const out: Record<string, unknown> = {};
    spec.columns.forEach((c, i) => {
      if (!assignable(c, 'update') || values.has(c.name)) return;
      out[c.name] = cleared.has(c.name) ? null : encodeValue(c, row[i]);
    });
    return out;
  }

  /**
   * Makes one write request: counted, errors mapped, the cache told afterwards whatever happened.
   * `reread` answers instead when Paymo applied the write (2xx) but its answer was unreadable.
   */
  async #send<T>(
    ctx: WriteContext,
    op: WriteOp,
    id: unknown,
    request: () => Promise<T>,
    reread?: () => Promise<T>,
  ): Promise<T> {
    const client = this.#deps.client;
    const before = client.stats().retries;
    ctx.stats.requests++;
    let failure: unknown;
    try {
      return await request();
    } catch (error) {
      failure = error;
    } finally {
      ctx.stats.retries += Math.max(0, client.stats().retries - before);
      this.#deps.afterWrite();
    }
    if (reread && failure instanceof PaymoBadResponseError && failure.applied) {
      try {
        ctx.stats.requests++;
        return await reread();
      } catch {
        // The unreadable answer stays the error: applied, but its row is unknown.
      }
    }
    throw writeError(failure, this.#spec, op, id);
  }

  /**
   * `GET /<resource>/<id>`, counted, bypassing the cache (it must see the write); before a write
   * (`beforeWrite`), the statement's own fresh read of the row answers when there is one.
   */
  async #read(
    ctx: WriteContext,
    resource: string,
    key: string,
    id: unknown,
    beforeWrite = false,
  ): Promise<PaymoRow> {
    const client = this.#deps.client;
    const load = async (): Promise<PaymoRow> => {
      const before = client.stats().retries;
      ctx.stats.requests++;
      try {
        return await client.get(resource, idOf(id), { key, ...signal(ctx) });
      } finally {
        ctx.stats.retries += Math.max(0, client.stats().retries - before);
      }
    };
    const shared = beforeWrite ? this.#deps.statementRead : undefined;
    return shared ? shared(idOf(id), load) : load();
  }

  /**
   * The row of a written object: from Paymo's answer, plus the route's parent for a nested table,
   * and read back by id when the answer lacks a detail-only attribute (report `content`, which only
   * read-one answers are sure to carry).
   */
  async #stored(obj: PaymoRow, ctx: WriteContext, op: WriteOp): Promise<Row> {
    const spec = this.#spec;
    const nested = this.#nested;
    if (!nested) {
      if (spec.read.kind !== 'list' || !spec.columns.some((c) => c.detailOnly && obj[c.name] === undefined))
        return this.#deps.toRow([obj], 0);
      try {
        const full = await this.#read(ctx, spec.resource, spec.key, obj.id);
        return this.#deps.toRow([{ ...obj, ...full }], 0);
      } catch (error) {
        throw this.#appliedButUnread(op, obj, `${spec.resource} ${String(obj.id)}`, error);
      }
    }
    const { route, index } = nested;
    const parentId = obj[route.parentKey!];
    try {
      const parent = await this.#read(ctx, route.resource, route.key, parentId);
      return this.#deps.toRow([parent, obj], index);
    } catch (error) {
      throw this.#appliedButUnread(op, obj, `${route.resource} ${String(parentId)}`, error);
    }
  }

  /** Paymo applied the write but the read its row needs failed: reported as unknown, never retried. */
  #appliedButUnread(op: WriteOp, obj: PaymoRow, what: string, error: unknown): WriteError {
    return new WriteError(
      '08007',
      `${VERB[op]} ${this.#spec.name} row id=${String(obj.id)} was applied by Paymo, but reading ${what} for the row failed (${error instanceof Error ? error.message : String(error)}); check the row before writing it again`,
      true,
    );
  }
}

function signal(ctx: WriteContext): { signal?: AbortSignal } {
  return ctx.signal ? { signal: ctx.signal } : {};
}

function idOf(id: unknown): number | string {
  if (typeof id === 'number' || (typeof id === 'string' && id !== '')) return id;
  throw new SqlError('22023', `invalid row id ${JSON.stringify(id)}`);
}
