/**
 * Rules and side effects of invoices, estimates, recurring profiles, payments, templates and
 * expenses (paymo-api.md 2.7–2.14, 1.12), checked against the simulator's state.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/index.js';
import { computeDocumentTotals } from '../../src/simulator/totals.js';
import { simCall, storeHelpers } from './sim-http.js';

const NOW = Date.parse('2026-11-24T12:00:00Z');
let sim: SimulatorHandle;

beforeEach(async () => {
  sim = await startSimulator({ scale: 'tiny', rateLimit: null, now: new Date(NOW), clock: () => NOW });
});
afterEach(() => sim.close());

const call = (method: string, path: string, body?: unknown) => simCall(sim, method, path, { body });

const { all, get, where, one } = storeHelpers(() => sim);
const company = () => one('company');
const clientId = () => one('clients').id;
const linesOf = (invoiceId: unknown) => where('invoiceitems', (l) => l.invoice_id === invoiceId);

describe('invoices and estimates', () => {
  it("refuse discount 0 with Skyvia's message, on create and update, changing nothing", async () => {
    const counter = company().next_invoice_number;
    const count = all('invoices').length;
    const r = await call('POST', 'invoices', { client_id: clientId(), currency: 'USD', discount: 0 });
    expect(r.status).toBe(400);
    expect(r.message).toBe("Field 'discount' cannot be empty");
    expect(all('invoices')).toHaveLength(count);
    expect(company().next_invoice_number).toBe(counter);
    const inv = one('invoices');
    const u = await call('PUT', `invoices/${inv.id}`, { discount: 0, notes: 'changed' });
    expect(u.message).toBe("Field 'discount' cannot be empty");
    expect(get('invoices', inv.id)!.notes).toBe(inv.notes);
    const e = await call('POST', 'estimates', { client_id: clientId(), currency: 'USD', discount: '0' });
    expect(e.status).toBe(400);
    expect(e.message).toBe("Field 'discount' cannot be empty");
  });

  it('number automatically from the company format and counter; counter +1 per create; duplicates refused', async () => {
    const counter = Number(company().next_invoice_number);
    const a = await call('POST', 'invoices', { client_id: clientId(), currency: 'USD', date: '2026-11-20' });
    expect(a.obj.number).toBe(`#INV-20261120-${counter}`);
    expect(company().next_invoice_number).toBe(String(counter + 1));
    const b = await call('POST', 'invoices', { client_id: clientId(), currency: 'USD', number: 'CUSTOM-1' });
    expect(b.obj.number).toBe('CUSTOM-1');
    expect(company().next_invoice_number).toBe(String(counter + 2));
    const dup = await call('POST', 'invoices', {
      client_id: clientId(),
      currency: 'USD',
      number: 'CUSTOM-1',
    });
    expect(dup.status).toBe(400);
    expect(company().next_invoice_number).toBe(String(counter + 2));
    const rename = await call('PUT', `invoices/${a.obj.id}`, { number: 'CUSTOM-1' });
    expect(rename.status).toBe(400);
    const estCounter = Number(company().next_estimate_number);
    const est = await call('POST', 'estimates', {
      client_id: clientId(),
      currency: 'USD',
      date: '2026-11-21',
    });
    expect(est.obj.number).toBe(`#EST-20261121-${estCounter}`);
    expect(company().next_estimate_number).toBe(String(estCounter + 1));
  });

  it('items: lines stored with the parent id, totals by computeDocumentTotals; replace-with-ids on update', async () => {
    const items = [
      { item: 'A', price_unit: 100, quantity: 2 },
      { item: 'B', price_unit: 50, quantity: 1, apply_tax: false },
    ];
    const doc = { tax: 10, tax2: 5, tax_on_tax: true, discount: 10 };
    const inv = (await call('POST', 'invoices', { client_id: clientId(), currency: 'USD', ...doc, items }))
      .obj;
    expect(inv).toMatchObject(computeDocumentTotals(doc, items));
    const [a, b] = linesOf(inv.id);
    expect([a.item, b.item]).toEqual(['A', 'B']);
    const upd = await call('PUT', `invoices/${inv.id}`, {
      items: [{ id: a.id }, { item: 'C', price_unit: 10, quantity: 3 }],
    });
    expect(upd.status).toBe(200);
    const after = linesOf(inv.id);
    expect(after.map((l) => l.item)).toEqual(['A', 'C']);
    expect(get('invoiceitems', b.id)).toBeUndefined();
    expect(upd.obj).toMatchObject(
      computeDocumentTotals(doc, [items[0], { item: 'C', price_unit: 10, quantity: 3 }]),
    );
    const modified = await call('PUT', `invoices/${inv.id}`, { items: [{ id: a.id, quantity: 5 }] });
    expect(linesOf(inv.id)).toHaveLength(1);
    expect(get('invoiceitems', a.id)!.quantity).toBe(5);
    expect(modified.obj.subtotal).toBe(500);
    const retaxed = await call('PUT', `invoices/${inv.id}`, { tax: 20 });
    expect(retaxed.obj).toMatchObject(
      computeDocumentTotals({ ...doc, tax: 20 }, [{ price_unit: 100, quantity: 5 }]),
    );
    const foreign = one('invoiceitems', (l) => l.invoice_id !== inv.id);
    const bad = await call('PUT', `invoices/${inv.id}`, { items: [{ id: foreign.id }] });
    expect(bad.status).toBe(400);
    expect(linesOf(inv.id)).toHaveLength(1);
  });

  it('expense_id and entries lines bill them; removing the line or the invoice reverts', async () => {
    const exp = one('expenses', (e) => e.invoiced === false);
    const entries = where('entries', (e) => e.billed === false && e.duration !== null).slice(0, 2);
    const inv = (
      await call('POST', 'invoices', {
        client_id: exp.client_id,
        currency: 'USD',
        items: [
          { item: 'Expense', price_unit: exp.amount, quantity: 1, expense_id: exp.id },
          { item: 'Time', price_unit: 90, quantity: 2, entries: entries.map((e) => e.id) },
        ],
      })
    ).obj;
    const [expLine, timeLine] = linesOf(inv.id);
    expect(get('expenses', exp.id)).toMatchObject({ invoiced: true, invoice_item_id: expLine.id });
    for (const e of entries)
      expect(get('entries', e.id)).toMatchObject({ billed: true, invoice_item_id: timeLine.id });
    await call('PUT', `invoices/${inv.id}`, { items: [{ id: timeLine.id }] });
    expect(get('expenses', exp.id)).toMatchObject({ invoiced: false, invoice_item_id: null });
    const pay = await call('POST', 'invoicepayments', { invoice_id: inv.id, amount: 10 });
    expect((await call('DELETE', `invoices/${inv.id}`)).status).toBe(200);
    for (const e of entries)
      expect(get('entries', e.id)).toMatchObject({ billed: false, invoice_item_id: null });
    expect(linesOf(inv.id)).toHaveLength(0);
    expect(get('invoicepayments', pay.obj.id)).toBeUndefined();
  });

  it('estimate_id marks the estimate invoiced with the invoice id', async () => {
    const est = one('estimates', (e) => e.status !== 'invoiced');
    const inv = (
      await call('POST', 'invoices', {
        client_id: est.client_id,
        currency: est.currency,
        estimate_id: est.id,
        items: [{ item: 'From estimate', price_unit: 1, quantity: 1 }],
      })
    ).obj;
    expect(get('estimates', est.id)).toMatchObject({ status: 'invoiced', invoice_id: inv.id });
  });

  it('estimates keep lines and totals like invoices', async () => {
    const items = [{ item: 'Hosting', price_unit: 8540, quantity: 1 }];
    const est = (await call('POST', 'estimates', { client_id: clientId(), currency: 'USD', tax: 10, items }))
      .obj;
    expect(est).toMatchObject({ subtotal: 8540, tax_amount: 854, total: 9394, status: 'draft' });
    expect(where('estimateitems', (l) => l.estimate_id === est.id)).toHaveLength(1);
    await call('DELETE', `estimates/${est.id}`);
    expect(where('estimateitems', (l) => l.estimate_id === est.id)).toHaveLength(0);
  });

  it('recurring profiles keep lines and totals', async () => {
    const rp = (
      await call('POST', 'recurringprofiles', {
        client_id: clientId(),
        currency: 'EUR',
        start_date: '2026-12-01',
        frequency: 'm',
        items: [{ item: 'Hosting', price_unit: 20, quantity: 3 }],
      })
    ).obj;
    expect(rp.total).toBe(60);
    const [l] = where('recurringprofileitems', (x) => x.recurring_profile_id === rp.id);
    const upd = await call('PUT', `recurringprofiles/${rp.id}`, { items: [{ id: l.id, quantity: 5 }] });
    expect(upd.obj.total).toBe(100);
  });
});

describe('invoice payments', () => {
  it('are bounded by the unpaid remainder and drive paid ↔ viewed', async () => {
    const inv = (
      await call('POST', 'invoices', {
        client_id: clientId(),
        currency: 'USD',
        items: [{ item: 'X', price_unit: 100, quantity: 1 }],
      })
    ).obj;
    const over = await call('POST', 'invoicepayments', { invoice_id: inv.id, amount: 100.01 });
    expect(over.status).toBe(400);
    expect(where('invoicepayments', (p) => p.invoice_id === inv.id)).toHaveLength(0);
    const p1 = (await call('POST', 'invoicepayments', { invoice_id: inv.id, amount: 60 })).obj;
    expect(get('invoices', inv.id)!.status).toBe('draft');
    const p2 = (await call('POST', 'invoicepayments', { invoice_id: inv.id, amount: 40 })).obj;
    expect(get('invoices', inv.id)!.status).toBe('paid');
    expect((await call('PUT', `invoicepayments/${p2.id}`, { amount: 41 })).status).toBe(400);
    await call('PUT', `invoicepayments/${p2.id}`, { amount: 30 });
    expect(get('invoices', inv.id)!.status).toBe('viewed');
    await call('PUT', `invoicepayments/${p2.id}`, { amount: 40 });
    expect(get('invoices', inv.id)!.status).toBe('paid');
    await call('DELETE', `invoicepayments/${p1.id}`);
    expect(get('invoices', inv.id)!.status).toBe('viewed');
  });
});

describe('templates and expenses', () => {
  for (const [path, doc] of [
    ['invoicetemplates', 'invoices'],
    ['estimatetemplates', 'estimates'],
  ] as const) {
    it(`${path}: is_default moves; the default and used templates cannot be deleted`, async () => {
      const old = one(path, (t) => t.is_default === true);
      const t = (await call('POST', path, { name: 'Fresh', is_default: true })).obj;
      expect(get(path, old.id)!.is_default).toBe(false);
      expect((await call('DELETE', `${path}/${t.id}`)).status).toBe(400);
      expect((await call('PUT', `${path}/${t.id}`, { is_default: false })).status).toBe(400);
      await call('PUT', `${path}/${old.id}`, { is_default: true });
      expect(get(path, t.id)!.is_default).toBe(false);
      await call('POST', doc, { client_id: clientId(), currency: 'USD', template_id: t.id });
      const used = await call('DELETE', `${path}/${t.id}`);
      expect(used.status).toBe(400);
      expect(used.message).toMatch(/used/);
      expect(get(path, t.id)).toBeDefined();
    });
  }

  it('expenses refuse unknown clients', async () => {
    const r = await call('POST', 'expenses', { client_id: 424242, amount: 1, currency: 'USD' });
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/client_id/);
  });
});
