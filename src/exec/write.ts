import type { ScanStats, WriteContext } from '../catalog/table-source.js';
import { WriteError } from '../catalog/table-source.js';
import type { Zone } from '../catalog/timezone.js';
import type { Row, SqlType } from '../catalog/types.js';
import { castValue } from '../catalog/values.js';
import { queryCanceled, SqlError, toSqlError } from '../errors.js';
import {
  atColumn,
  notNullViolation,
  rowLabel,
  type TargetColumn,
  type ValueSlot,
  type WriteOp,
  type WritePlan,
  type WriteTarget,
} from '../plan/write.js';
import type { Executor } from './execute.js';

/** The names under which users change the write-safety settings (messages tell them what to SET). */
export interface WriteSettingNames {
  /** The setting behind QueryOptions.allowUnfilteredWrites (e.g. `paymo.allow_unfiltered_writes`). */
  readonly allowUnfilteredWrites: string;
  /** The setting behind QueryOptions.maxWriteRows (e.g. `paymo.max_write_rows`). */
  readonly maxWriteRows: string;
}

/** The safety limits one write statement runs under. */
export interface WriteLimits {
  readonly maxWriteRows: number;
  readonly allowUnfilteredWrites: boolean;
  /** Absent: messages name the query options instead of settings. */
  readonly settingNames?: WriteSettingNames;
}

/** What running a write needs. */
export interface WriteRunOptions extends WriteLimits {
  /** Runs the plan's read and RETURNING plans (its statistics serve EXPLAIN ANALYZE). */
  readonly executor: Executor;
  readonly zone: Zone;
  readonly signal?: AbortSignal;
  /** Where the source records its write requests (EXPLAIN ANALYZE prints them). */
  readonly stats: ScanStats;
}

/** The result of a write: rows written, and the RETURNING rows. */
export interface WriteOutcome {
  readonly rowCount: number;
  readonly rows: Row[];
}

/** A row about to be written, its values converted to the column types. */
interface PendingRow {
  readonly values: Map<string, unknown>;
  /** UPDATE / DELETE: the primary-key values. */
  readonly key?: Row;
  /** DELETE … RETURNING: the row as read before the delete. */
  readonly before?: Row;
  /** How messages name the row: `row 2 of 5`, `row id 7`, or nothing for a single-row INSERT. */
  readonly label: string;
}

/** How a statement names itself in messages: `INSERT into tasks`, `COPY tasks`. */
export type Heading = { readonly op: WriteOp; readonly text: string };

const PAST: Record<WriteOp, string> = { insert: 'inserted', update: 'updated', delete: 'deleted' };

/** An empty statistics record for a write. */
export function emptyWriteStats(): ScanStats {
  return { requests: 0, rowsFetched: 0, cacheHits: 0, retries: 0 };
}

/** The heading of a write statement's messages (`INSERT into tasks`). */
export function headingOf(op: WriteOp, t: WriteTarget): Heading {
  const text =
    op === 'insert'
      ? `INSERT into ${t.name}`
      : op === 'update'
        ? `UPDATE of ${t.name}`
        : `DELETE from ${t.name}`;
  return { op, text };
}

/** How to tell the user to change a setting: `SET x = v` through a session, the query option otherwise. */
function setTo(limits: WriteLimits, which: keyof WriteSettingNames, value: string): string {
  return limits.settingNames
    ? `SET ${limits.settingNames[which]} = ${value}`
    : `pass ${which}: ${value} in the query options`;
}

function settingName(limits: WriteLimits, which: keyof WriteSettingNames): string {
  return limits.settingNames ? limits.settingNames[which] : which;
}

/** 55000 unless the session allows UPDATE / DELETE without WHERE. */
export function checkFiltered(op: WriteOp, t: WriteTarget, filtered: boolean, limits: WriteLimits): void {
  if (filtered || limits.allowUnfilteredWrites || op === 'insert') return;
  const what = op === 'update' ? 'change' : 'delete';
  throw new SqlError('55000', `${op.toUpperCase()} without WHERE would ${what} every row of ${t.name}`, {
    hint: `Add a WHERE clause, or ${setTo(limits, 'allowUnfilteredWrites', 'on')} to allow it.`,
  });
}

/** 53400 when a statement would write more rows than the session allows, naming how many. */
export function checkRowCap(h: Heading, n: number, limits: WriteLimits): void {
  if (n <= limits.maxWriteRows) return;
  const verb = h.op === 'insert' ? 'write' : h.op === 'update' ? 'change' : 'delete';
  throw new SqlError(
    '53400',
    `${h.text} would ${verb} ${n} rows, more than the limit of ${limits.maxWriteRows} (${settingName(limits, 'maxWriteRows')})`,
    {
      hint:
        h.op === 'insert'
          ? `Write the rows in smaller batches, or ${setTo(limits, 'maxWriteRows', String(n))} to allow it.`
          : `Check the WHERE clause; to allow it, ${setTo(limits, 'maxWriteRows', String(n))}.`,
    },
  );
}

/** Converts one value to its column type with assignment-cast rules, naming the column and row on failure. */
function convert(v: unknown, from: SqlType, col: TargetColumn, label: string, zone: Zone): unknown {
  if (v === null) return null;
  try {
    return castValue(v, from, col.type, zone);
  } catch (e) {
    throw atColumn(e, col.name, label);
  }
}

function valuesOf(slots: readonly ValueSlot[], row: Row, label: string, zone: Zone): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const s of slots) out.set(s.column.name, convert(row[s.index] ?? null, s.type, s.column, label, zone));
  return out;
}

/** Appends ` (row …)` to a row-level error's message. */
function atRow(err: unknown, label: string): SqlError {
  const e = toSqlError(err);
  if (!label) return e;
  return new SqlError(e.code, `${e.message} (${label})`, {
    ...(e.detail !== undefined ? { detail: e.detail } : {}),
    ...(e.hint !== undefined ? { hint: e.hint } : {}),
  });
}

/**
 * The checks every row passes before the first write request: NULL into a non-nullable column (and,
 * on INSERT, into a required one) is 23502; then the source's own rules (checkWrite).
 */
function checkRows(op: WriteOp, t: WriteTarget, rows: readonly PendingRow[]): void {
  const schema = new Map(t.source.schema.map((c) => [c.name, c] as const));
  for (const r of rows) {
    for (const [name, v] of r.values) {
      if (v !== null) continue;
      const required = op === 'insert' && t.source.columnWrites?.get(name)?.requiredOnInsert === true;
      if (required || schema.get(name)?.nullable === false)
        throw notNullViolation(name, t.name, r.label ? ` (${r.label})` : '');
    }
    if (op === 'delete' || !t.source.checkWrite) continue;
    try {
      t.source.checkWrite(op, r.values);
    } catch (e) {
      throw atRow(e, r.label);
    }
  }
}

/**
 * An UPDATE's constant assignments (`SET discount = 0`, `SET name = NULL`) checked like a row before
 * the read that finds the rows: a value refused for every row is refused before any request.
 * Assignments that depend on the row are left to the per-row check; the source's rules must hold for
 * a partial set of values (they refuse nothing that a complete row would allow).
 */
export function checkConstantAssignments(t: WriteTarget, slots: readonly ValueSlot[], zone: Zone): void {
  const values = new Map<string, unknown>();
  for (const s of slots)
    if (s.expr.kind === 'literal')
      values.set(s.column.name, convert(s.expr.value, s.type, s.column, '', zone));
  if (values.size > 0) checkRows('update', t, [{ values, label: '' }]);
}

function keyText(names: readonly string[], keys: readonly Row[]): string {
  if (names.length === 1) return `${names[0]} ${keys.map((k) => String(k[0])).join(', ')}`;
  return `(${names.join(', ')}) = ${keys.map((k) => `(${k.map(String).join(', ')})`).join(', ')}`;
}

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);

/**
 * The error for a statement that stopped at row `i` (0-based) of `n`: the cause's code (08007 when
 * the row's outcome is unknown, 57014 when cancelled), which row, what was written before it (with
 * keys) and what was never sent.
 */
function stopped(
  h: Heading,
  t: WriteTarget,
  i: number,
  n: number,
  written: readonly Row[],
  pending: PendingRow,
  cause: unknown,
  cancelled: boolean,
): SqlError {
  const unknown = cause instanceof WriteError && cause.outcomeUnknown;
  const err = cause instanceof WriteError ? new SqlError(cause.code, cause.message) : toSqlError(cause);
  const pk = t.source.primaryKey ?? [];
  const parts: string[] = [];
  const known = written.filter((k) => k.length > 0 && k.every((v) => v !== undefined));
  parts.push(
    written.length === 0
      ? `no rows were ${PAST[h.op]}`
      : `${written.length} ${plural(written.length, 'row was', 'rows were')} ${PAST[h.op]}${
          known.length === written.length && pk.length > 0 ? ` (${keyText(pk, known)})` : ''
        }`,
  );
  const rowName = `row ${i + 1}${pending.key && pk.length > 0 ? ` (${keyText(pk, [pending.key])})` : ''}`;
  if (unknown) parts.push(`${rowName} was sent but not confirmed, and was not retried`);
  const rest = cancelled ? i : i + 1;
  if (rest < n) parts.push(rest + 1 === n ? `row ${n} was not sent` : `rows ${rest + 1}–${n} were not sent`);
  const detail = `${parts.join('; ').replace(/^./, (c) => c.toUpperCase())}.${err.detail ? `\n${err.detail}` : ''}`;
  if (cancelled) return new SqlError('57014', err.message, { detail });
  if (unknown) {
    const check =
      h.op === 'insert'
        ? `Check whether ${rowName} was created in ${t.name} before running the statement again without the rows already written, or it may be written twice.`
        : h.op === 'update'
          ? `Read ${rowName} of ${t.name} to see whether the change was applied before running the statement again.`
          : `Check whether ${rowName} still exists in ${t.name} before running the statement again.`;
    return new SqlError(
      '08007',
      `${h.text} stopped at row ${i + 1} of ${n}: its outcome is unknown (the request was sent but no answer came): ${err.message}`,
      { detail, hint: check },
    );
  }
  return new SqlError(err.code, `${h.text} stopped at row ${i + 1} of ${n}: ${err.message}`, {
    detail,
    ...(err.hint !== undefined ? { hint: err.hint } : {}),
  });
}

/**
 * Writes rows one at a time, in order (the upstream budget is shared, so never in parallel), and
 * stops at the first failure with a report of what was written. Returns the rows as the source
 * returned them (for DELETE: as read before deleting), in schema order.
 */
async function writeRows(
  h: Heading,
  t: WriteTarget,
  rows: readonly PendingRow[],
  opts: { readonly signal?: AbortSignal; readonly stats: ScanStats },
): Promise<Row[]> {
  const src = t.source;
  const ctx: WriteContext = { stats: opts.stats, ...(opts.signal ? { signal: opts.signal } : {}) };
  const pkPos = (src.primaryKey ?? []).map((k) => src.schema.findIndex((c) => c.name === k));
  const written: Row[] = [];
  const out: Row[] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (opts.signal?.aborted) throw stopped(h, t, i, rows.length, written, r, queryCanceled(), true);
    try {
      if (h.op === 'insert') {
        const row = await src.insert!(r.values, ctx);
        out.push(row);
        written.push(pkPos.map((p) => row[p]));
      } else if (h.op === 'update') {
        out.push(await src.update!(r.key!, r.values, ctx));
        written.push(r.key!);
      } else {
        await src.delete!(r.key!, ctx);
        out.push(r.before ?? []);
        written.push(r.key!);
      }
    } catch (e) {
      const unknown = e instanceof WriteError && e.outcomeUnknown;
      // One row that failed cleanly needs no report around the source's own error.
      if (rows.length === 1 && !unknown)
        throw e instanceof WriteError ? new SqlError(e.code, e.message) : toSqlError(e);
      throw stopped(h, t, i, rows.length, written, r, e, false);
    }
  }
  return out;
}

/** The rows of an UPDATE / DELETE read, each key once (a row is never written twice). */
function distinctByKey(rows: readonly Row[], key: readonly number[]): Row[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const k = JSON.stringify(key.map((p) => r[p]));
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function keyLabel(t: WriteTarget, key: Row): string {
  return `row ${keyText(t.source.primaryKey ?? [], [key])}`;
}

/**
 * Runs a planned write: the unfiltered-write guard, then the read (UPDATE / DELETE, pushed down) or
 * the rows to insert, the row cap, value conversion and every row check for EVERY row, and only then
 * the writes, one row at a time; RETURNING over the rows the source returned.
 */
export async function runWrite(plan: WritePlan, opts: WriteRunOptions): Promise<WriteOutcome> {
  const t = plan.target;
  const h = headingOf(plan.op, t);
  if (plan.op !== 'insert') checkFiltered(plan.op, t, plan.filtered, opts);
  if (plan.op === 'update') checkConstantAssignments(t, plan.slots, opts.zone);
  t.source.beginWrite?.();
  const input = await opts.executor.collect(plan.input);
  let pending: PendingRow[];
  switch (plan.op) {
    case 'insert': {
      if (plan.cells) {
        const cells = plan.cells;
        checkRowCap(h, cells.length, opts);
        const row = input[0] ?? [];
        pending = cells.map((slots, i) => {
          const label = rowLabel(i, cells.length);
          return { values: valuesOf(slots, row, label, opts.zone), label };
        });
      } else {
        checkRowCap(h, input.length, opts);
        const slots = plan.slots ?? [];
        pending = input.map((row, i) => {
          const label = rowLabel(i, input.length);
          return { values: valuesOf(slots, row, label, opts.zone), label };
        });
      }
      break;
    }
    case 'update': {
      const rows = distinctByKey(input, plan.key);
      checkRowCap(h, rows.length, opts);
      pending = rows.map((row) => {
        const key = plan.key.map((p) => row[p]);
        const label = keyLabel(t, key);
        return { values: valuesOf(plan.slots, row, label, opts.zone), key, label };
      });
      break;
    }
    case 'delete': {
      const rows = distinctByKey(input, plan.key);
      checkRowCap(h, rows.length, opts);
      pending = rows.map((row) => {
        const key = plan.key.map((p) => row[p]);
        return {
          values: new Map(),
          key,
          ...(plan.returning ? { before: row } : {}),
          label: keyLabel(t, key),
        };
      });
      break;
    }
  }
  checkRows(plan.op, t, pending);
  const out = await writeRows(h, t, pending, opts);
  if (!plan.returning) return { rowCount: out.length, rows: [] };
  plan.returning.buffer.push(...out);
  return { rowCount: out.length, rows: await opts.executor.collect(plan.returning.plan) };
}

/**
 * Runs `COPY table FROM STDIN` once all data arrived: every row's text fields read with the column
 * types' input syntax (null = NULL), the row cap, the same row checks as INSERT, then the writes
 * with the same partial-failure report. Returns the number of rows written.
 */
export async function runCopy(
  t: WriteTarget,
  columns: readonly TargetColumn[],
  data: readonly (readonly (string | null)[])[],
  opts: WriteLimits & { readonly zone: Zone; readonly signal?: AbortSignal; readonly stats: ScanStats },
): Promise<number> {
  const h: Heading = { op: 'insert', text: `COPY ${t.name}` };
  checkRowCap(h, data.length, opts);
  const pending = data.map((fields, i): PendingRow => {
    const label = rowLabel(i, data.length);
    if (fields.length !== columns.length) {
      throw new SqlError(
        '22P04',
        `${fields.length < columns.length ? 'missing data for column' : 'extra data after last expected column'}${
          fields.length < columns.length ? ` "${columns[fields.length]!.name}"` : ''
        }${label ? ` (${label})` : ''}`,
      );
    }
    const values = new Map<string, unknown>();
    columns.forEach((c, j) => {
      values.set(c.name, convert(fields[j] ?? null, 'unknown', c, label, opts.zone));
    });
    return { values, label };
  });
  checkRows('insert', t, pending);
  return (await writeRows(h, t, pending, opts)).length;
}
