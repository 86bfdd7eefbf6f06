/** Every Paymo table spec, and the start-up check of the whole set (steampipe's plugin_validate). */
import type { SqlType } from '../../catalog/types.js';
import {
  estimateLineItems,
  estimates,
  estimateTemplates,
  expenses,
  invoiceLineItems,
  invoicePayments,
  invoiceRecurringProfiles,
  invoices,
  invoiceTemplates,
} from './billing.js';
import { commentThreads, discussionComments, discussions, files, taskComments, webhooks } from './content.js';
import { clientContacts, clients, company, me, users } from './people.js';
import { reports, timeEntries } from './time.js';
import type { ColumnSpec, FilterOp, ObjectSpec } from './types.js';
import {
  bookings,
  milestones,
  projectStatuses,
  projects,
  projectTemplates,
  subtasks,
  taskAssignments,
  taskLists,
  taskRecurringProfiles,
  tasks,
  workflowStatuses,
  workflows,
} from './work.js';

export type * from './types.js';

/** All table specs: the 25 Skyvia tables, then the extra objects (issue 3). */
export const ALL_SPECS: readonly ObjectSpec[] = [
  clients,
  clientContacts,
  company,
  discussions,
  discussionComments,
  estimates,
  estimateLineItems,
  estimateTemplates,
  expenses,
  invoicePayments,
  invoices,
  invoiceLineItems,
  invoiceTemplates,
  milestones,
  projects,
  projectStatuses,
  projectTemplates,
  reports,
  taskComments,
  taskLists,
  tasks,
  timeEntries,
  users,
  workflows,
  workflowStatuses,
  bookings,
  taskAssignments,
  subtasks,
  files,
  commentThreads,
  invoiceRecurringProfiles,
  taskRecurringProfiles,
  webhooks,
  me,
];

const SCALARS = [
  'bigint',
  'integer',
  'numeric',
  'double precision',
  'text',
  'boolean',
  'date',
  'timestamptz',
  'timestamp',
  'interval',
  'jsonb',
];
const TYPES: ReadonlySet<string> = new Set([...SCALARS, ...SCALARS.map((s) => `${s}[]`)]);
const NAME = /^[a-z][a-z0-9_]*$/;
const ALIAS = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Which operator families make sense on which types. */
function opFits(op: FilterOp, type: SqlType): boolean {
  const array = type.endsWith('[]');
  switch (op) {
    case 'contains':
      return array && type !== 'jsonb[]';
    case 'like':
      return type === 'text';
    case 'range':
      return !array && type !== 'boolean' && type !== 'jsonb';
    case 'eq':
    case 'ne':
    case 'in':
    case 'not_in':
      return !array && type !== 'jsonb' && type !== 'timestamptz';
    case 'is_null':
      return true;
    default: {
      const never: never = op;
      return never;
    }
  }
}

function checkColumns(spec: ObjectSpec, problems: string[]): void {
  const seen = new Set<string>();
  for (const c of spec.columns) {
    const at = `${spec.name}.${c.name}`;
    if (!NAME.test(c.name)) problems.push(`${at}: column name is not snake_case`);
    if (seen.has(c.name)) problems.push(`${at}: duplicate column`);
    seen.add(c.name);
    if (!TYPES.has(c.type)) problems.push(`${at}: unknown type ${c.type}`);
    if (c.comment.trim() === '') problems.push(`${at}: no comment`);
    for (const f of c.filters ?? []) {
      if (!opFits(f.op, c.type)) problems.push(`${at}: operator ${f.op} does not fit type ${c.type}`);
      if (f.op === 'like' && f.exactness === 'exact') problems.push(`${at}: like can only be inexact`);
    }
    if (new Set((c.filters ?? []).map((f) => f.op)).size !== (c.filters ?? []).length)
      problems.push(`${at}: an operator is listed twice`);
    if (c.interval) {
      if (c.type !== 'date' && c.type !== 'timestamptz')
        problems.push(`${at}: an interval push needs a date or timestamptz column`);
      if ((c.filters ?? []).some((f) => f.op === 'range'))
        problems.push(`${at}: both a range filter and an interval push`);
    }
    if (c.filters && spec.read.kind !== 'list') problems.push(`${at}: filters on a ${spec.read.kind} table`);
    if (c.derived) {
      if (c.type !== 'date' || !c.readOnly) problems.push(`${at}: a derived day must be a read-only date`);
      if (c.filters) problems.push(`${at}: a derived column pushes only through an interval`);
      for (const f of c.derived.fields) {
        const src = spec.columns.find((x) => x.name === f);
        if (!src || src.derived || (src.type !== 'date' && src.type !== 'timestamptz'))
          problems.push(`${at}: derived from ${f}, which is not a date or timestamptz column`);
      }
    }
    if (c.detailOnly && (spec.read.kind !== 'list' || !spec.read.byId))
      problems.push(`${at}: detailOnly needs a list table readable by id`);
  }
  for (const k of spec.primaryKey)
    if (!seen.has(k)) problems.push(`${spec.name}: primary key ${k} is not a column`);
}

/** Names (columns with `=`/`in`, interval pseudo-attributes) a list spec can send in `where`. */
function sendable(spec: ObjectSpec): Set<string> {
  const out = new Set<string>();
  for (const c of spec.columns) {
    if ((c.filters ?? []).some((f) => f.op === 'eq' || f.op === 'in')) out.add(c.name);
    if (c.interval) out.add(c.interval.param);
  }
  return out;
}

function checkRead(
  spec: ObjectSpec,
  bySpecResource: ReadonlyMap<string, ObjectSpec>,
  problems: string[],
): void {
  const read = spec.read;
  const cols = new Set(spec.columns.map((c) => c.name));
  if (read.kind === 'list') {
    const rf = read.required;
    if (rf) {
      const can = sendable(spec);
      const intervals = new Set(spec.columns.flatMap((c) => (c.interval ? [c.interval.param] : [])));
      for (const name of rf.intervals ?? [])
        if (!intervals.has(name))
          problems.push(`${spec.name}: required interval ${name} is pushed by no column`);
      const reachable =
        rf.anyOf.some((n) => can.has(n)) ||
        (rf.intervals ?? []).some((n) => can.has(n)) ||
        read.fallback?.kind === 'fan-out';
      if (!reachable)
        problems.push(`${spec.name}: no predicate and no fallback can meet the required filter`);
      if (!read.fallback) problems.push(`${spec.name}: a required filter needs a fallback (fan-out or fail)`);
    } else if (read.fallback) problems.push(`${spec.name}: a fallback without a required filter`);
    if (read.fallback?.kind === 'fan-out') {
      const fb = read.fallback;
      if (!rf?.anyOf.includes(fb.field))
        problems.push(`${spec.name}: fan-out field ${fb.field} does not meet the required filter`);
      const src = bySpecResource.get(fb.resource);
      if (src?.read.kind !== 'list' || src.read.required)
        problems.push(`${spec.name}: fan-out source ${fb.resource} is not an unfiltered list table`);
      else if (src.key !== fb.key) problems.push(`${spec.name}: fan-out key ${fb.key} is not ${src.key}`);
    }
    if (read.pageSize !== undefined && (!Number.isInteger(read.pageSize) || read.pageSize <= 0))
      problems.push(`${spec.name}: bad page size`);
  } else if (read.kind === 'nested') {
    if (read.routes.length === 0) problems.push(`${spec.name}: no routes`);
    read.routes.forEach((r, i) => {
      const at = `${spec.name} route ${i} (${r.resource})`;
      if (r.descend.length === 0) problems.push(`${at}: nothing to descend into`);
      for (const [c, v] of Object.entries(r.values)) {
        if (!cols.has(c)) problems.push(`${at}: value of unknown column ${c}`);
        if (!Number.isInteger(v.level) || v.level < 0 || v.level > r.descend.length)
          problems.push(`${at}: column ${c} reads level ${v.level} of ${r.descend.length}`);
      }
      for (const [c, f] of Object.entries(r.filters)) {
        if (!cols.has(c)) problems.push(`${at}: filter on unknown column ${c}`);
        const type = spec.columns.find((x) => x.name === c)?.type;
        for (const op of f.ops)
          if (type && !opFits(op.op, type)) problems.push(`${at}: ${op.op} on ${c} (${type})`);
      }
      if (r.parentIdColumn !== undefined && r.filters[r.parentIdColumn]?.field !== 'id')
        problems.push(`${at}: parentIdColumn ${r.parentIdColumn} must filter the parent's id`);
      const fields = new Set(Object.values(r.filters).map((f) => f.field));
      for (const n of r.required?.anyOf ?? [])
        if (!fields.has(n)) problems.push(`${at}: required ${n} is reachable from no column`);
    });
    if (read.routes.length > 0 && read.routes.at(-1)?.required)
      problems.push(`${spec.name}: the last route must work without a filter`);
    for (const b of read.byId ?? [])
      if (read.routes[b.route]?.descend.length !== b.include.split('.').length)
        problems.push(`${spec.name}: byId ${b.include} does not climb the levels route ${b.route} descends`);
  }
}

function checkWrites(spec: ObjectSpec, problems: string[]): void {
  const cols = new Map(spec.columns.map((c) => [c.name, c]));
  for (const r of spec.writeRules ?? []) {
    const named = r.kind === 'positive' ? [r.column] : r.groups.flat();
    for (const c of named) {
      const col = cols.get(c);
      if (!col) problems.push(`${spec.name}: write rule names unknown column ${c}`);
      else if (col.readOnly) problems.push(`${spec.name}: write rule names read-only column ${c}`);
    }
    if (r.kind === 'one-of-groups' && r.groups.some((g) => g.length === 0))
      problems.push(`${spec.name}: a one-of-groups rule with an empty group`);
  }
  for (const c of spec.columns) {
    const at = `${spec.name}.${c.name}`;
    if (c.readOnly && (c.createOnly || c.requiredOnInsert))
      problems.push(`${at}: read-only and also create-only or required`);
    if (c.selector && c.type !== 'text') problems.push(`${at}: a selector must be a text column`);
  }
  const w = spec.writes;
  const any = w.insert || w.update || w.delete;
  if (spec.read.kind === 'singleton' && (w.insert || w.delete))
    problems.push(`${spec.name}: a singleton can only be updated`);
  if (spec.read.kind === 'list' && any && !spec.read.byId)
    problems.push(`${spec.name}: a writable list table must be readable by id`);
  if (
    spec.read.kind === 'nested' &&
    any &&
    !spec.read.routes.some((r) => r.parentKey && r.descend.length === 1)
  )
    problems.push(`${spec.name}: a writable nested table needs a route with one level and a parentKey`);
  if (spec.updateReplaces && (spec.read.kind !== 'list' || !w.update))
    problems.push(`${spec.name}: updateReplaces needs an updatable list table`);
  for (const r of spec.read.kind === 'nested' ? spec.read.routes : [])
    if (r.parentKey && r.descend.length !== 1)
      problems.push(`${spec.name}: parentKey on route ${r.resource} needs exactly one level`);
}

/**
 * Problems in a set of specs (empty = fine), checked at start-up: names and aliases unique across
 * tables (case-insensitively), snake_case columns with known types and comments, operators that fit
 * their column types, keys that exist, required filters that some predicate or fallback can meet,
 * nested routes whose columns, levels and filters exist, write rules naming real columns.
 */
export function validateSpecs(specs: readonly ObjectSpec[] = ALL_SPECS): string[] {
  const problems: string[] = [];
  const names = new Map<string, string>();
  const byResource = new Map<string, ObjectSpec>();
  for (const s of specs) {
    if (!NAME.test(s.name)) problems.push(`${s.name}: table name is not snake_case`);
    for (const n of [s.name, ...s.aliases]) {
      if (!ALIAS.test(n)) problems.push(`${s.name}: bad alias ${n}`);
      const k = n.toLowerCase();
      const other = names.get(k);
      if (other !== undefined && other !== s.name) problems.push(`${n}: names both ${other} and ${s.name}`);
      names.set(k, s.name);
    }
    if (s.read.kind === 'list' && !byResource.has(s.resource)) byResource.set(s.resource, s);
  }
  const tables = new Map(specs.map((s) => [s.name, s]));
  for (const s of specs) {
    checkColumns(s, problems);
    checkRead(s, byResource, problems);
    checkWrites(s, problems);
    for (const pi of s.parents ?? []) {
      if (s.read.kind !== 'list')
        problems.push(`${s.name}: parent include ${pi.include} on a ${s.read.kind} table`);
      if (!s.columns.some((c) => c.name === pi.column))
        problems.push(`${s.name}: parent include ${pi.include} on unknown column ${pi.column}`);
      if (tables.get(pi.table)?.read.kind !== 'list')
        problems.push(`${s.name}: parent include ${pi.include} names ${pi.table}, not a list table`);
      // A dotted path: each segment a parent include of the table before, ending at `table`.
      let at: ObjectSpec | undefined = s;
      for (const seg of pi.include.split('.').slice(0, -1))
        at = tables.get(at?.parents?.find((q) => q.include === seg)?.table ?? '');
      const last = pi.include.split('.').at(-1);
      if (at !== s && at?.parents?.find((q) => q.include === last)?.table !== pi.table)
        problems.push(
          `${s.name}: parent include ${pi.include} is not a chain of parent includes to ${pi.table}`,
        );
    }
    for (const fk of s.foreignKeys) {
      const target = tables.get(fk.table);
      if (!s.columns.some((c) => c.name === fk.column))
        problems.push(`${s.name}: foreign key on unknown ${fk.column}`);
      if (!target) problems.push(`${s.name}.${fk.column}: references unknown table ${fk.table}`);
      else if (!target.columns.some((c) => c.name === fk.references))
        problems.push(`${s.name}.${fk.column}: references unknown column ${fk.table}.${fk.references}`);
    }
  }
  return problems;
}

/** The spec of a table by name or alias (case-insensitive), or undefined. */
export function specByName(name: string, specs: readonly ObjectSpec[] = ALL_SPECS): ObjectSpec | undefined {
  const k = name.toLowerCase();
  return specs.find((s) => s.name === k || s.aliases.some((a) => a.toLowerCase() === k));
}

/** The column spec of `spec` named `name`, or undefined. */
export function columnOf(spec: ObjectSpec, name: string): ColumnSpec | undefined {
  return spec.columns.find((c) => c.name === name);
}
