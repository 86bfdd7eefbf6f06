import { describe, expect, it } from 'vitest';
import { computeDocumentTotals, roundMoney } from '../../src/simulator/totals.js';

describe('computeDocumentTotals: the numeric examples of paymo-api.md 2.14', () => {
  it('estimate 8540 with 10 % tax → 854 → 9394', () => {
    const t = computeDocumentTotals({ tax: 10 }, [
      { price_unit: 4500, quantity: 1 },
      { price_unit: 80, quantity: 50 },
      { price_unit: 40, quantity: 1 },
    ]);
    expect(t).toEqual({ subtotal: 8540, discount_amount: 0, tax_amount: 854, tax2_amount: 0, total: 9394 });
  });

  it('estimate 9150 with 3 % tax → 274.5 → 9424.5', () => {
    const t = computeDocumentTotals({ tax: 3, tax2: null, discount: null }, [
      { price_unit: 9150, quantity: 1 },
    ]);
    expect(t).toEqual({
      subtotal: 9150,
      discount_amount: 0,
      tax_amount: 274.5,
      tax2_amount: 0,
      total: 9424.5,
    });
  });

  it('invoice 375 with 3 % tax → 11.25 → 386.25', () => {
    const t = computeDocumentTotals({ tax: 3 }, [
      { price_unit: 75, quantity: 3, apply_tax: true },
      { price_unit: 150, quantity: 1 },
    ]);
    expect(t).toEqual({
      subtotal: 375,
      discount_amount: 0,
      tax_amount: 11.25,
      tax2_amount: 0,
      total: 386.25,
    });
  });

  it('invoice 1593 with 20 % tax → 318.6 → 1911.6', () => {
    const t = computeDocumentTotals({ tax: 20, tax_on_tax: false }, [
      { price_unit: 59, quantity: 27, apply_tax: null },
    ]);
    expect(t).toEqual({
      subtotal: 1593,
      discount_amount: 0,
      tax_amount: 318.6,
      tax2_amount: 0,
      total: 1911.6,
    });
  });

  it('recurring profile 20 × 3 = 60', () => {
    const t = computeDocumentTotals({}, [{ price_unit: 20, quantity: 3 }]);
    expect(t).toEqual({ subtotal: 60, discount_amount: 0, tax_amount: 0, tax2_amount: 0, total: 60 });
  });
});

describe('computeDocumentTotals: discount, second tax, untaxed lines', () => {
  it('no lines gives all zeros', () => {
    expect(computeDocumentTotals({ tax: 20, tax2: 5, discount: 10 }, [])).toEqual({
      subtotal: 0,
      discount_amount: 0,
      tax_amount: 0,
      tax2_amount: 0,
      total: 0,
    });
  });

  it('a discount scales the taxable base', () => {
    // subtotal 1000, discount 10 % = 100, base 900, tax 20 % = 180, total 1080.
    const t = computeDocumentTotals({ tax: 20, discount: 10 }, [{ price_unit: 100, quantity: 10 }]);
    expect(t).toEqual({ subtotal: 1000, discount_amount: 100, tax_amount: 180, tax2_amount: 0, total: 1080 });
  });

  it('tax2 applies to the base only when tax_on_tax is false', () => {
    // base 1000; tax 10 % = 100; tax2 5 % of 1000 = 50.
    const t = computeDocumentTotals({ tax: 10, tax2: 5, tax_on_tax: false }, [
      { price_unit: 1000, quantity: 1 },
    ]);
    expect(t).toEqual({ subtotal: 1000, discount_amount: 0, tax_amount: 100, tax2_amount: 50, total: 1150 });
  });

  it('tax2 applies to base + tax when tax_on_tax is true', () => {
    // base 1000; tax 10 % = 100; tax2 5 % of 1100 = 55.
    const t = computeDocumentTotals({ tax: 10, tax2: 5, tax_on_tax: true }, [
      { price_unit: 1000, quantity: 1 },
    ]);
    expect(t).toEqual({ subtotal: 1000, discount_amount: 0, tax_amount: 100, tax2_amount: 55, total: 1155 });
  });

  it('discount, tax_on_tax and an untaxed line together', () => {
    // lines 200 (taxed) + 50 (untaxed) = 250; discount 10 % = 25; base 200 × 0.9 = 180;
    // tax 20 % = 36; tax2 10 % of (180 + 36) = 21.6; total 250 − 25 + 36 + 21.6 = 282.6.
    const t = computeDocumentTotals({ tax: 20, tax2: 10, discount: 10, tax_on_tax: true }, [
      { price_unit: 100, quantity: 2, apply_tax: true },
      { price_unit: 50, quantity: 1, apply_tax: false },
    ]);
    expect(t).toEqual({
      subtotal: 250,
      discount_amount: 25,
      tax_amount: 36,
      tax2_amount: 21.6,
      total: 282.6,
    });
  });

  it('lines excluded from tax do not count toward the base', () => {
    const t = computeDocumentTotals({ tax: 10 }, [
      { price_unit: 100, quantity: 1, apply_tax: false },
      { price_unit: 0, quantity: 5 },
    ]);
    expect(t).toEqual({ subtotal: 100, discount_amount: 0, tax_amount: 0, tax2_amount: 0, total: 100 });
  });

  it('rounds each amount to 2 decimals and keeps the total equal to the sum of the parts', () => {
    // 1.5 h × 33.33 = 49.995 → 50; tax 7 % of 49.995 = 3.49965 → 3.5; total 53.5.
    const t = computeDocumentTotals({ tax: 7 }, [{ price_unit: 33.33, quantity: 1.5 }]);
    expect(t).toEqual({ subtotal: 50, discount_amount: 0, tax_amount: 3.5, tax2_amount: 0, total: 53.5 });
    const u = computeDocumentTotals({ tax: 19, discount: 3 }, [
      { price_unit: 0.1, quantity: 3 },
      { price_unit: 19.99, quantity: 7 },
    ]);
    expect(u.total).toBe(roundMoney(u.subtotal - u.discount_amount + u.tax_amount + u.tax2_amount));
    for (const v of Object.values(u)) expect(Math.round(v * 100) / 100).toBe(v);
  });
});

describe('roundMoney', () => {
  it('rounds half away from zero, also for binary near-halves', () => {
    expect(roundMoney(1.005)).toBe(1.01);
    expect(roundMoney(2.675)).toBe(2.68);
    expect(roundMoney(-1.005)).toBe(-1.01);
    expect(roundMoney(0.1 + 0.2)).toBe(0.3);
    expect(roundMoney(386.25000000000006)).toBe(386.25);
    expect(roundMoney(0)).toBe(0);
  });
});
