/**
 * Document totals of invoices, estimates and recurring profiles (paymo-api.md 2.14).
 *
 * The docs give no formula, only examples; this is the simulator's formula, which reproduces every
 * numeric example quoted there. The generator and the write path must both use it so that stored
 * totals never disagree with the lines.
 */

/** The percent fields of a document that the totals depend on (null/absent = none). */
export interface DocumentRates {
  readonly tax?: number | null;
  readonly tax2?: number | null;
  readonly discount?: number | null;
  readonly tax_on_tax?: boolean | null;
}

/** The fields of one line that the totals depend on. */
export interface DocumentLine {
  readonly price_unit: number;
  readonly quantity: number;
  /** `false` excludes the line from the taxable base; null/absent counts as taxable. */
  readonly apply_tax?: boolean | null;
}

/** The read-only amounts of a document, each rounded to 2 decimals. */
export interface DocumentTotals {
  subtotal: number;
  discount_amount: number;
  tax_amount: number;
  tax2_amount: number;
  total: number;
}

/**
 * Rounds half away from zero to 2 decimals. The epsilon nudge makes binary near-halves such as
 * 1.005 (stored as 1.00499999…) round the way a person reading the decimal would expect.
 */
export function roundMoney(x: number): number {
  const r = Math.round(Math.abs(x) * 100 * (1 + Number.EPSILON)) / 100;
  return x < 0 ? -r : r;
}

/**
 * Computes subtotal, discount, the two taxes and the total of a document from its lines:
 * line = price_unit × quantity; subtotal = Σ line; discount_amount = subtotal × discount / 100;
 * base = Σ taxable lines × (1 − discount / 100); tax_amount = base × tax / 100;
 * tax2_amount = (base + (tax_on_tax ? tax_amount : 0)) × tax2 / 100;
 * total = subtotal − discount_amount + tax_amount + tax2_amount.
 *
 * Every amount is rounded to 2 decimals. tax2 on tax uses the rounded tax amount and the total is
 * the sum of the rounded parts, so the figures printed on a document always add up.
 */
export function computeDocumentTotals(doc: DocumentRates, items: readonly DocumentLine[]): DocumentTotals {
  let sum = 0;
  let taxable = 0;
  for (const item of items) {
    const line = item.price_unit * item.quantity;
    sum += line;
    if (item.apply_tax !== false) taxable += line;
  }
  const discount = doc.discount ?? 0;
  const tax = doc.tax ?? 0;
  const tax2 = doc.tax2 ?? 0;
  const subtotal = roundMoney(sum);
  const discountAmount = roundMoney((sum * discount) / 100);
  const base = taxable * (1 - discount / 100);
  const taxAmount = roundMoney((base * tax) / 100);
  const tax2Amount = roundMoney(((base + (doc.tax_on_tax === true ? taxAmount : 0)) * tax2) / 100);
  return {
    subtotal,
    discount_amount: discountAmount,
    tax_amount: taxAmount,
    tax2_amount: tax2Amount,
    total: roundMoney(subtotal - discountAmount + taxAmount + tax2Amount),
  };
}
