/** Specs of billing: invoices, estimates, their line items, payments, templates, recurring profiles, expenses (paymo-api.md 2.7–2.9, 2.11–2.14). */
import { col, EQ_IN, idCol, LIST, stamps, table } from './columns.js';
import type { ColumnSpec, ObjectSpec, WriteRule } from './types.js';

const DISCOUNT_RULE: WriteRule = {
  kind: 'positive',
  column: 'discount',
  message:
    'discount must be greater than 0 when given: Paymo reads 0 as no value and refuses it with "Field \'discount\' cannot be empty"; leave the column out (NULL on INSERT does the same) or give a percent above 0',
};

/** Columns of invoice, estimate and recurring-profile lines (2.8, 2.13, 2.14). */
function lineColumns(owner: string, ownerTable: string): (ColumnSpec & { ref?: string })[] {
  return [
    idCol('line item', false),
    col(owner, 'bigint', 'Document the line belongs to', { ro: true, ref: ownerTable }),
    col('item', 'text', 'Line title'),
    col('description', 'text', 'Line description', { null: true }),
    col('price_unit', 'numeric', 'Unit price'),
    col('quantity', 'numeric', 'Quantity'),
    col('apply_tax', 'boolean', 'Taxes apply to this line', { null: true }),
    col('seq', 'integer', 'Position in the document', { null: true }),
    ...stamps(false),
  ];
}

/** Columns shared by invoices and estimates. */
function documentTotals(): ColumnSpec[] {
  return [
    col('subtotal', 'numeric', 'Sum of the lines', { ro: true, f: true }),
    col('total', 'numeric', 'Total after discount and taxes', { ro: true, f: true }),
    col('tax_amount', 'numeric', 'Amount of the first tax', { ro: true }),
    col('tax2_amount', 'numeric', 'Amount of the second tax', { ro: true }),
  ];
}

/** Invoices (2.14). */
export const invoices: ObjectSpec = table({
  name: 'invoices',
  aliases: ['Invoices'],
  comment: 'Invoices (Paymo /api/invoices)',
  resource: 'invoices',
  key: 'invoices',
  parents: [{ include: 'client', column: 'client_id', table: 'clients' }],
  read: LIST,
  writes: 'all',
  writeRules: [DISCOUNT_RULE],
  columns: [
    idCol('invoice'),
    col('number', 'text', 'Invoice number (unique)', { f: true }),
    col('client_id', 'bigint', 'Client billed', { req: true, f: true, ref: 'clients' }),
    col('template_id', 'bigint', 'Invoice template', { null: true, f: true, ref: 'invoice_templates' }),
    col('status', 'text', 'draft, sent, viewed, paid or void', { f: true }),
    col('currency', 'text', 'Currency code', { req: true }),
    col('date', 'date', 'Invoice date', { null: true, f: true }),
    col('due_date', 'date', 'Payment due date', { null: true, f: true }),
    col('delivery_date', 'date', 'Delivery date', { null: true, f: true }),
    ...documentTotals(),
    col('discount_amount', 'numeric', 'Discount amount', { ro: true }),
    col('tax', 'numeric', 'First tax percent', { null: true, f: true }),
    col('tax2', 'numeric', 'Second tax percent', { null: true, f: true }),
    col('discount', 'numeric', 'Discount percent (> 0 when given)', { null: true, f: true }),
    col('tax_on_tax', 'boolean', 'Second tax applies on top of the first', { f: true }),
    col('language', 'text', 'Document language', { null: true }),
    col('bill_to', 'text', 'Bill-to block', { null: true }),
    col('company_info', 'text', 'Company block', { null: true }),
    col('footer', 'text', 'Footer', { null: true }),
    col('notes', 'text', 'Notes', { null: true }),
    col('outstanding', 'numeric', 'Amount still unpaid', { null: true }),
    col('tax_text', 'text', 'Label of the first tax', { null: true }),
    col('tax2_text', 'text', 'Label of the second tax', { null: true }),
    col('discount_text', 'text', 'Label of the discount', { null: true }),
    col('title', 'text', 'Title', { null: true }),
    col('pay_online', 'boolean', 'Online payment enabled', { f: true }),
    col('reminder_1_sent', 'boolean', 'First reminder sent', { null: true, ro: true }),
    col('reminder_2_sent', 'boolean', 'Second reminder sent', { null: true, ro: true }),
    col('reminder_3_sent', 'boolean', 'Third reminder sent', { null: true, ro: true }),
    col('permalink', 'text', 'Link to the invoice', { ro: true }),
    col('pdf_link', 'text', 'Link to the PDF', { ro: true }),
    col('download_token', 'text', 'Download token', { null: true, ro: true }),
    col('token', 'text', 'Access token', { null: true, ro: true }),
    ...stamps(),
  ],
});

/** Invoice lines, flattened out of `invoices?include=invoiceitems`. */
export const invoiceLineItems: ObjectSpec = table({
  name: 'invoice_line_items',
  aliases: ['InvoiceLineItems', 'invoiceitems'],
  comment: 'Lines of invoices (Paymo invoices?include=invoiceitems, flattened)',
  resource: 'invoiceitems',
  key: 'invoiceitems',
  read: {
    kind: 'nested',
    routes: [
      {
        resource: 'invoices',
        key: 'invoices',
        include: 'invoiceitems',
        descend: ['invoiceitems'],
        values: {},
        filters: { invoice_id: { field: 'id', ops: EQ_IN } },
        parentIdColumn: 'invoice_id',
        pageSize: 250,
      },
    ],
  },
  writes: 'none',
  columns: [
    ...lineColumns('invoice_id', 'invoices'),
    col('expense_id', 'bigint', 'Expense billed by this line', { null: true, ref: 'expenses' }),
  ],
});

/** Estimates (2.8). */
export const estimates: ObjectSpec = table({
  name: 'estimates',
  aliases: ['Estimates'],
  comment: 'Estimates (Paymo /api/estimates)',
  resource: 'estimates',
  key: 'estimates',
  read: LIST,
  writes: 'all',
  writeRules: [DISCOUNT_RULE],
  columns: [
    idCol('estimate'),
    col('number', 'text', 'Estimate number (unique)', { f: true }),
    col('client_id', 'bigint', 'Client', { req: true, f: true, ref: 'clients' }),
    col('template_id', 'bigint', 'Estimate template', { null: true, f: true, ref: 'estimate_templates' }),
    col('status', 'text', 'draft, sent, viewed, accepted, invoiced or void', { f: true }),
    col('currency', 'text', 'Currency code', { req: true }),
    col('date', 'date', 'Estimate date', { null: true, f: true }),
    col('due_date', 'date', 'Valid until', { null: true, f: true }),
    ...documentTotals(),
    col('tax', 'numeric', 'First tax percent', { null: true, f: true }),
    col('tax2', 'numeric', 'Second tax percent', { null: true, f: true }),
    col('tax_on_tax', 'boolean', 'Second tax applies on top of the first', { f: true }),
    col('discount', 'numeric', 'Discount percent (> 0 when given)', { null: true, f: true }),
    col('discount_amount', 'numeric', 'Discount amount', { null: true, ro: true }),
    col('discount_text', 'text', 'Label of the discount', { null: true }),
    col('language', 'text', 'Document language', { null: true }),
    col('bill_to', 'text', 'Bill-to block', { null: true }),
    col('company_info', 'text', 'Company block', { null: true }),
    col('footer', 'text', 'Footer', { null: true }),
    col('notes', 'text', 'Notes', { null: true }),
    col('brief_description', 'text', 'Short description', { null: true }),
    col('tax_text', 'text', 'Label of the first tax', { null: true }),
    col('tax2_text', 'text', 'Label of the second tax', { null: true }),
    col('title', 'text', 'Title', { null: true }),
    col('invoice_id', 'bigint', 'Invoice made from it', { null: true, ref: 'invoices' }),
    col('permalink', 'text', 'Link to the estimate', { ro: true }),
    col('pdf_link', 'text', 'Link to the PDF', { null: true, ro: true }),
    col('download_token', 'text', 'Download token', { null: true, ro: true }),
    ...stamps(),
  ],
});

/** Estimate lines, flattened out of `estimates?include=estimateitems`. */
export const estimateLineItems: ObjectSpec = table({
  name: 'estimate_line_items',
  aliases: ['EstimateLineItems', 'estimateitems'],
  comment: 'Lines of estimates (Paymo estimates?include=estimateitems, flattened)',
  resource: 'estimateitems',
  key: 'estimateitems',
  read: {
    kind: 'nested',
    routes: [
      {
        resource: 'estimates',
        key: 'estimates',
        include: 'estimateitems',
        descend: ['estimateitems'],
        values: {},
        filters: { estimate_id: { field: 'id', ops: EQ_IN } },
        parentIdColumn: 'estimate_id',
        pageSize: 250,
      },
    ],
  },
  writes: 'none',
  columns: lineColumns('estimate_id', 'estimates'),
});

/** Columns of invoice and estimate templates (2.7, 2.11). */
function templateColumns(): ColumnSpec[] {
  return [
    idCol('template'),
    col('name', 'text', 'Template name', { req: true }),
    col('title', 'text', 'Default document title', { null: true }),
    col('html', 'text', 'Template markup', { null: true }),
    col('css', 'text', 'Extra CSS', { null: true }),
    col('is_default', 'boolean', 'Default template', { f: true }),
    ...stamps(),
  ];
}

/** Invoice templates (2.11). */
export const invoiceTemplates: ObjectSpec = table({
  name: 'invoice_templates',
  aliases: ['InvoiceTemplates', 'invoicetemplates'],
  comment: 'Invoice templates (Paymo /api/invoicetemplates)',
  resource: 'invoicetemplates',
  key: 'invoicetemplates',
  read: LIST,
  writes: 'all',
  columns: templateColumns(),
});

/** Estimate templates (2.7). */
export const estimateTemplates: ObjectSpec = table({
  name: 'estimate_templates',
  aliases: ['EstimateTemplates', 'estimatetemplates'],
  comment: 'Estimate templates (Paymo /api/estimatetemplates)',
  resource: 'estimatetemplates',
  key: 'estimatetemplates',
  read: LIST,
  writes: 'all',
  columns: templateColumns(),
});

/** Invoice payments (2.12). */
export const invoicePayments: ObjectSpec = table({
  name: 'invoice_payments',
  aliases: ['InvoicePayments', 'invoicepayments'],
  comment: 'Payments received on invoices (Paymo /api/invoicepayments)',
  resource: 'invoicepayments',
  key: 'invoicepayments',
  read: LIST,
  writes: 'all',
  columns: [
    idCol('payment'),
    col('invoice_id', 'bigint', 'Invoice paid', { req: true, c: true, f: true, ref: 'invoices' }),
    col('amount', 'numeric', 'Amount paid', { req: true, f: true }),
    col('date', 'date', 'Payment date', { null: true, f: true }),
    col('notes', 'text', 'Notes', { null: true }),
    ...stamps(),
  ],
});

/** Invoice recurring profiles (2.13). */
export const invoiceRecurringProfiles: ObjectSpec = table({
  name: 'invoice_recurring_profiles',
  aliases: ['InvoiceRecurringProfiles', 'recurringprofiles'],
  comment: 'Schedules that create invoices (Paymo /api/recurringprofiles)',
  resource: 'recurringprofiles',
  key: 'recurringprofiles',
  read: LIST,
  writes: 'all',
  columns: [
    idCol('recurring profile'),
    col('client_id', 'bigint', 'Client billed', { req: true, f: true, ref: 'clients' }),
    col('template_id', 'bigint', 'Invoice template', { null: true, ref: 'invoice_templates' }),
    col('title', 'text', 'Invoice title', { null: true }),
    col('currency', 'text', 'Currency code', { req: true }),
    col('start_date', 'date', 'First invoice date', { req: true }),
    col('frequency', 'text', 'w, 2w, 3w, 4w, m, 2m, 3m, 6m or y', { req: true }),
    col('occurrences', 'integer', 'Stop after N invoices', { null: true }),
    col('last_created', 'date', 'Day of the last invoice', { null: true, ro: true }),
    col('invoices_created', 'integer', 'Invoices created so far', { null: true, ro: true }),
    col('autosend', 'boolean', 'Send invoices automatically'),
    ...documentTotals(),
    col('discount_amount', 'numeric', 'Discount amount', { ro: true }),
    col('tax', 'numeric', 'First tax percent', { null: true }),
    col('tax2', 'numeric', 'Second tax percent', { null: true }),
    col('discount', 'numeric', 'Discount percent (> 0 when given)', { null: true }),
    col('discount_text', 'text', 'Label of the discount', { null: true }),
    col('tax_on_tax', 'boolean', 'Second tax applies on top of the first'),
    col('language', 'text', 'Document language', { null: true }),
    col('bill_to', 'text', 'Bill-to block', { null: true }),
    col('company_info', 'text', 'Company block', { null: true }),
    col('footer', 'text', 'Footer', { null: true }),
    col('notes', 'text', 'Notes', { null: true }),
    col('tax_text', 'text', 'Label of the first tax', { null: true }),
    col('tax2_text', 'text', 'Label of the second tax', { null: true }),
    col('pay_online', 'boolean', 'Online payment enabled'),
    col('send_attachment', 'boolean', 'Attach the PDF to e-mails', { null: true }),
    col('options', 'jsonb', 'Options object as Paymo sends it', { null: true, ro: true }),
    ...stamps(),
  ],
});

/** Expenses (2.9). */
export const expenses: ObjectSpec = table({
  name: 'expenses',
  aliases: ['Expenses'],
  comment: 'Expenses (Paymo /api/expenses)',
  resource: 'expenses',
  key: 'expenses',
  parents: [
    { include: 'client', column: 'client_id', table: 'clients' },
    { include: 'project', column: 'project_id', table: 'projects' },
    { include: 'user', column: 'user_id', table: 'users' },
  ],
  read: LIST,
  writes: 'all',
  columns: [
    idCol('expense'),
    col('client_id', 'bigint', 'Client', { req: true, f: true, ref: 'clients' }),
    col('project_id', 'bigint', 'Project', { null: true, f: true, ref: 'projects' }),
    col('user_id', 'bigint', 'User who spent it', { null: true, f: true, ref: 'users' }),
    col('amount', 'numeric', 'Amount', { req: true, f: true }),
    col('currency', 'text', 'Currency code', { req: true }),
    col('date', 'date', 'Expense date', { null: true, f: true }),
    col('notes', 'text', 'Notes', { null: true }),
    col('invoiced', 'boolean', 'Already invoiced', { f: true }),
    col('invoice_item_id', 'bigint', 'Invoice line that billed it', {
      null: true,
      ref: 'invoice_line_items',
    }),
    col('tags', 'text[]', 'Tags'),
    col('file', 'text', 'Receipt file URL', { null: true }),
    col('image_thumb_large', 'text', 'Large receipt thumbnail URL', { null: true, ro: true }),
    col('image_thumb_medium', 'text', 'Medium receipt thumbnail URL', { null: true, ro: true }),
    col('image_thumb_small', 'text', 'Small receipt thumbnail URL', { null: true, ro: true }),
    ...stamps(),
  ],
});
