/**
 * Invoices, estimates, recurring profiles and their lines; invoice payments; invoice and estimate
 * templates; expenses (paymo-api.md 2.7–2.9, 2.11–2.14, 1.12).
 */
import { randomBytes } from 'node:crypto';
import type { Behaviour, WriteContext } from '../behaviour.js';
import { isoDate } from '../time.js';
import { computeDocumentTotals, type DocumentLine, type DocumentRates, roundMoney } from '../totals.js';
import type { CallContext, Rec } from '../types.js';
import { checkRequired, parseBody } from '../validate.js';
import { moveDefault } from './tasks.js';
import { asId, childrenOf, company, idList, insertRaw, mustExist, refuse, touch } from './util.js';

/** How one kind of document differs from the others. */
interface DocKind {
  readonly path: 'invoices' | 'estimates' | 'recurringprofiles';
  readonly label: string;
  readonly itemPath: string;
  readonly ownerField: string;
  readonly templatePath: string;
  /** Company settings of automatic numbers (2.5); absent for recurring profiles. */
  readonly numbering?: { readonly format: string; readonly counter: string; readonly fallback: string };
  /** Lines may bill expenses and time entries (invoices only). */
  readonly billing: boolean;
  /** Refuses `discount=0` (Skyvia's documented message, 2.8). */
  readonly discountRule: boolean;
  /** Public links and tokens (not on recurring profiles). */
  readonly links: boolean;
}

const INVOICE: DocKind = {
  path: 'invoices',
  label: 'Invoice',
  itemPath: 'invoiceitems',
  ownerField: 'invoice_id',
  templatePath: 'invoicetemplates',
  numbering: {
    format: 'invoice_format',
    counter: 'next_invoice_number',
    fallback: '#INV-[yyyy][mm][dd]-[i]',
  },
  billing: true,
  discountRule: true,
  links: true,
};

const ESTIMATE: DocKind = {
  path: 'estimates',
  label: 'Estimate',
  itemPath: 'estimateitems',
  ownerField: 'estimate_id',
  templatePath: 'estimatetemplates',
  numbering: {
    format: 'estimate_format',
    counter: 'next_estimate_number',
    fallback: '#EST-[yyyy][mm][dd]-[i]',
  },
  billing: false,
  discountRule: true,
  links: true,
};

const PROFILE: DocKind = {
  path: 'recurringprofiles',
  label: 'Recurring profile',
  itemPath: 'recurringprofileitems',
  ownerField: 'recurring_profile_id',
  templatePath: 'invoicetemplates',
  billing: false,
  discountRule: false,
  links: false,
};

/** One line of an `items` array, validated: an existing line's id (kept or modified) or a new line. */
interface LinePlan {
  readonly id?: number;
  readonly fields: Record<string, unknown>;
  readonly entries: number[];
}

/** Validates and coerces an `items` array; `existing` (update only) are the document's current lines. */
function parseItems(ctx: WriteContext, kind: DocKind, raw: unknown, existing?: readonly Rec[]): LinePlan[] {
  if (!Array.isArray(raw)) refuse("Field 'items' must be an array of lines");
  const def = ctx.resourceOf(kind.itemPath);
  const plans: LinePlan[] = [];
  const seen = new Set<number>();
  raw.forEach((el: unknown, i: number) => {
    if (typeof el !== 'object' || el === null || Array.isArray(el)) refuse(`items[${i}] must be an object`);
    const body = el as Record<string, unknown>;
    const id = existing ? asId(body.id) : undefined;
    if (body.id !== undefined && existing && id === undefined) refuse(`items[${i}].id is not a line id`);
    if (id !== undefined) {
      if (!existing?.some((l) => l.id === id))
        refuse(`items[${i}]: line ${id} is not a line of this ${kind.label.toLowerCase()}`);
      if (seen.has(id)) refuse(`items[${i}]: line ${id} is listed twice`);
      seen.add(id);
    }
    const parsed = parseBody(def, body, id !== undefined ? 'update' : 'create');
    if (id === undefined) checkRequired(def, parsed);
    const entries = parsed.virtual.entries === undefined ? [] : parseEntries(ctx, parsed.virtual.entries, i);
    if (!kind.billing) delete parsed.fields.expense_id;
    if (parsed.fields.expense_id !== undefined && parsed.fields.expense_id !== null)
      mustExist(ctx, 'expenses', parsed.fields.expense_id, `items[${i}].expense_id`);
    plans.push({
      ...(id !== undefined ? { id } : {}),
      fields: parsed.fields,
      entries: kind.billing ? entries : [],
    });
  });
  return plans;
}

function parseEntries(ctx: CallContext, raw: unknown, i: number): number[] {
  const list = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()) : raw;
  if (!Array.isArray(list)) refuse(`items[${i}].entries must be an array of time entry ids`);
  const ids = idList(list);
  if (ids.length !== list.length) refuse(`items[${i}].entries must be an array of time entry ids`);
  for (const id of ids) mustExist(ctx, 'entries', id, `items[${i}].entries`);
  return ids;
}

function rates(doc: Record<string, unknown>): DocumentRates {
  const n = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    tax: n(doc.tax),
    tax2: n(doc.tax2),
    discount: n(doc.discount),
    tax_on_tax: doc.tax_on_tax === true,
  };
}

function asLine(fields: Record<string, unknown>): DocumentLine {
  return {
    price_unit: Number(fields.price_unit ?? 0),
    quantity: Number(fields.quantity ?? 0),
    apply_tax: typeof fields.apply_tax === 'boolean' ? fields.apply_tax : null,
  };
}

/** The lines a document will have after applying `plans` (replace-with-ids, 2.14) to `existing`. */
function resultingLines(existing: readonly Rec[], plans: readonly LinePlan[] | undefined): DocumentLine[] {
  if (!plans) return existing.map(asLine);
  return plans.map((p) => {
    const old = p.id !== undefined ? existing.find((l) => l.id === p.id) : undefined;
    return asLine({ ...(old ?? {}), ...p.fields });
  });
}

/** Fills `{…}` number placeholders: `[yyyy]`, `[yy]`, `[mm]`, `[dd]` from the document date, `[i]` the counter. */
export function formatDocumentNumber(format: string, date: string, counter: number): string {
  const [y = '', m = '', d = ''] = date.split('-');
  return format
    .replace(/\[yyyy\]/g, y)
    .replace(/\[yy\]/g, y.slice(2))
    .replace(/\[mm\]/g, m)
    .replace(/\[dd\]/g, d)
    .replace(/\[i\]/g, String(counter));
}

function numberTaken(ctx: CallContext, path: string, number: string, selfId?: unknown): boolean {
  for (const r of ctx.store.all(path)) if (r.number === number && r.id !== selfId) return true;
  return false;
}

function linesOf(ctx: CallContext, kind: DocKind, id: unknown): Rec[] {
  return [...childrenOf(ctx, kind.itemPath, kind.ownerField, id)];
}

/** Marks what a line bills (an expense, time entries) as invoiced by that line (1.12). */
function billLine(ctx: WriteContext, line: Rec, entryIds: readonly number[]): void {
  const exp = asId(line.expense_id);
  if (exp !== undefined && ctx.store.get('expenses', exp))
    touch(ctx, 'expenses', exp, { invoiced: true, invoice_item_id: line.id });
  for (const e of entryIds)
    if (ctx.store.get('entries', e)) touch(ctx, 'entries', e, { billed: true, invoice_item_id: line.id });
}

/** Reverts what a removed line billed (2.14 [SIM]): expenses, time entries, flat-rate projects/tasks. */
function unbillLine(ctx: WriteContext, lineId: unknown, onlyExpense?: unknown): void {
  for (const e of [...childrenOf(ctx, 'expenses', 'invoice_item_id', lineId)])
    if (onlyExpense === undefined || e.id === onlyExpense)
      touch(ctx, 'expenses', e.id, { invoiced: false, invoice_item_id: null });
  if (onlyExpense !== undefined) return;
  for (const e of [...childrenOf(ctx, 'entries', 'invoice_item_id', lineId)])
    touch(ctx, 'entries', e.id, { billed: false, invoice_item_id: null });
  for (const path of ['projects', 'tasks'])
    for (const r of [...childrenOf(ctx, path, 'invoice_item_id', lineId)])
      touch(ctx, path, r.id, { invoiced: false, invoice_item_id: null });
}

/** Counters chosen in beforeCreate, advanced in afterCreate (the company is another record). */
const usedCounter = new WeakMap<Rec, number>();

function documentBehaviour(kind: DocKind): Behaviour {
  const checkRefs = (ctx: CallContext, doc: Record<string, unknown>) => {
    if (doc.client_id !== undefined) mustExist(ctx, 'clients', doc.client_id, 'client_id');
    if (doc.template_id !== undefined && doc.template_id !== null)
      mustExist(ctx, kind.templatePath, doc.template_id, 'template_id');
    if (kind.discountRule && doc.discount === 0) refuse("Field 'discount' cannot be empty");
  };
  return {
    beforeCreate(rec, virtual, ctx) {
      checkRefs(ctx, rec);
      const plans =
        virtual.items === undefined || virtual.items === null ? [] : parseItems(ctx, kind, virtual.items);
      if (kind.path === 'invoices' && virtual.estimate_id !== undefined && virtual.estimate_id !== null)
        mustExist(ctx, 'estimates', virtual.estimate_id, 'estimate_id');
      const n = kind.numbering;
      if (n) {
        const c = company(ctx);
        let counter = Math.max(1, Number.parseInt(String(c?.[n.counter] ?? '1'), 10) || 1);
        if (typeof rec.number === 'string' && rec.number !== '') {
          if (numberTaken(ctx, kind.path, rec.number))
            refuse(
              `${kind.label} number '${rec.number}' is already used by another ${kind.label.toLowerCase()}`,
            );
        } else {
          const format = typeof c?.[n.format] === 'string' ? String(c[n.format]) : n.fallback;
          const date = typeof rec.date === 'string' ? rec.date : isoDate(ctx.now);
          // A custom number may already hold the counter's value: skip to the next free one.
          while (numberTaken(ctx, kind.path, formatDocumentNumber(format, date, counter))) counter++;
          rec.number = formatDocumentNumber(format, date, counter);
          usedCounter.set(rec, counter);
        }
      }
      Object.assign(
        rec,
        computeDocumentTotals(
          rates(rec),
          plans.map((p) => asLine(p.fields)),
        ),
      );
      if (kind.links) {
        const token = randomBytes(16).toString('hex');
        // Same link shapes as the generated dataset.
        rec.permalink = `https://app.paymo.test/${kind.path}/${token}`;
        rec.pdf_link = `https://app.paymo.test/${kind.path}/${token}.pdf`;
        rec.download_token = token;
        if (kind.path === 'invoices') rec.token = randomBytes(8).toString('hex');
      }
      // The lines are inserted after the document exists; keep the validated plan for afterCreate.
      virtual.items = plans;
    },
    afterCreate(rec, virtual, ctx) {
      for (const p of (virtual.items as LinePlan[] | undefined) ?? []) {
        const line = insertRaw(ctx, kind.itemPath, { ...p.fields, [kind.ownerField]: rec.id });
        if (kind.billing) billLine(ctx, line, p.entries);
      }
      const n = kind.numbering;
      const c = company(ctx);
      if (n && c) {
        const current = Number.parseInt(String(c[n.counter] ?? '1'), 10) || 1;
        const used = usedCounter.get(rec);
        touch(ctx, 'company', c.id, { [n.counter]: String(Math.max(current, used ?? current) + 1) });
      }
      const est = asId(virtual.estimate_id);
      if (kind.path === 'invoices' && est !== undefined)
        touch(ctx, 'estimates', est, { status: 'invoiced', invoice_id: rec.id });
    },
    beforeUpdate(current, patch, virtual, ctx) {
      checkRefs(ctx, patch);
      if (kind.numbering && typeof patch.number === 'string' && patch.number !== current.number) {
        if (numberTaken(ctx, kind.path, patch.number, current.id))
          refuse(
            `${kind.label} number '${patch.number}' is already used by another ${kind.label.toLowerCase()}`,
          );
      }
      const existing = linesOf(ctx, kind, current.id);
      const plans =
        virtual.items === undefined || virtual.items === null
          ? undefined
          : parseItems(ctx, kind, virtual.items, existing);
      const doc = { ...current, ...patch };
      Object.assign(patch, computeDocumentTotals(rates(doc), resultingLines(existing, plans)));
      virtual.items = plans;
    },
    afterUpdate(rec, _before, virtual, ctx) {
      const plans = virtual.items as LinePlan[] | undefined;
      if (!plans) return;
      const existing = linesOf(ctx, kind, rec.id);
      const kept = new Set(plans.flatMap((p) => (p.id !== undefined ? [p.id] : [])));
      for (const line of existing) {
        if (kept.has(line.id as number)) continue;
        unbillLine(ctx, line.id);
        ctx.store.remove(kind.itemPath, line.id);
      }
      for (const p of plans) {
        if (p.id === undefined) {
          const line = insertRaw(ctx, kind.itemPath, { ...p.fields, [kind.ownerField]: rec.id });
          if (kind.billing) billLine(ctx, line, p.entries);
          continue;
        }
        const old = ctx.store.get(kind.itemPath, p.id)!;
        const oldExpense = old.expense_id;
        const line = Object.keys(p.fields).length > 0 ? touch(ctx, kind.itemPath, p.id, p.fields) : old;
        if (kind.billing) {
          if (oldExpense !== line.expense_id && asId(oldExpense) !== undefined)
            unbillLine(ctx, line.id, oldExpense);
          billLine(ctx, line, p.entries);
        }
      }
    },
    afterDelete(rec, ctx) {
      for (const line of linesOf(ctx, kind, rec.id)) {
        if (kind.billing) unbillLine(ctx, line.id);
        ctx.store.remove(kind.itemPath, line.id);
      }
      if (kind.path === 'invoices') {
        for (const p of [...childrenOf(ctx, 'invoicepayments', 'invoice_id', rec.id)])
          ctx.store.remove('invoicepayments', p.id);
        for (const e of [...childrenOf(ctx, 'estimates', 'invoice_id', rec.id)])
          touch(ctx, 'estimates', e.id, { invoice_id: null });
      }
    },
  };
}

/** Invoices: 2.14 and 1.12. */
export const invoices: Behaviour = documentBehaviour(INVOICE);
/** Estimates: 2.8. */
export const estimates: Behaviour = documentBehaviour(ESTIMATE);
/** Invoice recurring profiles: lines and totals (2.13). */
export const recurringprofiles: Behaviour = documentBehaviour(PROFILE);

/** Money compared at cent precision, so 0.1 + 0.2 pays a 0.3 invoice. */
const CENT = 0.005;

function paidSum(ctx: CallContext, invoiceId: unknown, exceptId?: unknown): number {
  let sum = 0;
  for (const p of childrenOf(ctx, 'invoicepayments', 'invoice_id', invoiceId))
    if (p.id !== exceptId) sum += Number(p.amount ?? 0);
  return roundMoney(sum);
}

function checkAmount(ctx: CallContext, invoice: Rec, amount: unknown, exceptId?: unknown): void {
  const a = Number(amount);
  if (!(a > 0)) refuse("Field 'amount' must be greater than 0");
  const remainder = roundMoney(Number(invoice.total ?? 0) - paidSum(ctx, invoice.id, exceptId));
  if (a > remainder + CENT)
    refuse(`Payment amount ${a} exceeds the unpaid remainder ${remainder} of invoice ${String(invoice.id)}`);
}

/** Paid when the payments reach the total; a paid invoice falls back to viewed below it (2.12). */
function settle(ctx: WriteContext, invoiceId: unknown): void {
  const inv = ctx.store.get('invoices', invoiceId as number);
  if (!inv) return;
  const total = Number(inv.total ?? 0);
  const sum = paidSum(ctx, inv.id);
  if (total > 0 && sum >= total - CENT) {
    if (inv.status !== 'paid') touch(ctx, 'invoices', inv.id, { status: 'paid' });
  } else if (inv.status === 'paid') touch(ctx, 'invoices', inv.id, { status: 'viewed' });
}

/** Invoice payments: bounded by the unpaid remainder; drive the invoice's paid status (2.12). */
export const invoicepayments: Behaviour = {
  beforeCreate(rec, _virtual, ctx) {
    checkAmount(ctx, mustExist(ctx, 'invoices', rec.invoice_id, 'invoice_id'), rec.amount);
  },
  afterCreate(rec, _virtual, ctx) {
    settle(ctx, rec.invoice_id);
  },
  beforeUpdate(current, patch, _virtual, ctx) {
    const inv = ctx.store.get('invoices', current.invoice_id as number);
    if (inv && patch.amount !== undefined) checkAmount(ctx, inv, patch.amount, current.id);
  },
  afterUpdate(rec, _before, _virtual, ctx) {
    settle(ctx, rec.invoice_id);
  },
  afterDelete(rec, ctx) {
    settle(ctx, rec.invoice_id);
  },
};

/** Invoice and estimate templates: one default; delete refused when default or in use (2.7, 2.11). */
function templateBehaviour(path: string, usedBy: readonly string[]): Behaviour {
  return {
    afterCreate(rec, _virtual, ctx) {
      if (rec.is_default === true) moveDefault(ctx, path, rec.id);
    },
    beforeUpdate(current, patch) {
      if (current.is_default === true && patch.is_default === false)
        refuse(
          `Template '${String(current.name)}' is the default; make another template the default instead`,
        );
    },
    afterUpdate(rec, before, _virtual, ctx) {
      if (rec.is_default === true && before.is_default !== true) moveDefault(ctx, path, rec.id);
    },
    beforeDelete(rec, ctx) {
      if (rec.is_default === true)
        refuse(`Template '${String(rec.name)}' is the default template and cannot be deleted`);
      for (const user of usedBy)
        if (childrenOf(ctx, user, 'template_id', rec.id).length > 0)
          refuse(`Template '${String(rec.name)}' is used by ${user} and cannot be deleted`);
    },
  };
}

/** Invoice templates: 2.11. */
export const invoicetemplates: Behaviour = templateBehaviour('invoicetemplates', [
  'invoices',
  'recurringprofiles',
]);
/** Estimate templates: 2.7. */
export const estimatetemplates: Behaviour = templateBehaviour('estimatetemplates', ['estimates']);

function checkExpenseRefs(ctx: CallContext, doc: Record<string, unknown>): void {
  if (doc.client_id !== undefined) mustExist(ctx, 'clients', doc.client_id, 'client_id');
  if (doc.project_id !== undefined && doc.project_id !== null)
    mustExist(ctx, 'projects', doc.project_id, 'project_id');
  if (doc.user_id !== undefined && doc.user_id !== null) mustExist(ctx, 'users', doc.user_id, 'user_id');
}

/** Expenses: references must exist (2.9); invoicing itself is done by invoice lines. */
export const expenses: Behaviour = {
  beforeCreate(rec, _virtual, ctx) {
    checkExpenseRefs(ctx, rec);
  },
  beforeUpdate(_current, patch, _virtual, ctx) {
    checkExpenseRefs(ctx, patch);
  },
  afterDelete(rec, ctx) {
    // The line that billed it stays (it is the invoice's), without its expense.
    for (const line of [...childrenOf(ctx, 'invoiceitems', 'expense_id', rec.id)])
      touch(ctx, 'invoiceitems', line.id, { expense_id: null });
  },
};
