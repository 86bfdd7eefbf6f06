import { describe, expect, it } from 'vitest';
import { likeRun } from '../../src/paymo/filters.js';
import {
  isSafeText,
  renderCondition,
  renderValue,
  renderWhere,
  UnsafeWhereValueError,
} from '../../src/paymo/where-render.js';

const INJECTIONS = [
  'x" and id>0',
  'x" && id>0',
  '\\" and id>0',
  'a\\',
  'a" or "1"="1',
  'line\nbreak',
  'tab\there',
  'nul\u0000',
  'del\u007f',
  'sep\u2028x',
  'x and id>0',
  'x AND id>0',
  'x\tand\tid>0',
  'x&&id>0',
  'and id>0',
  'null',
  'NULL',
  ' anyone ',
  'true',
  '',
];

describe('where rendering', () => {
  it('renders each documented form', () => {
    expect(
      renderWhere([
        { field: 'project_id', op: '=', values: [{ kind: 'number', value: 5 }] },
        { field: 'total', op: '>=', values: [{ kind: 'number', value: 10.5 }] },
        {
          field: 'client_id',
          op: 'in',
          values: [
            { kind: 'number', value: 1 },
            { kind: 'number', value: 2 },
          ],
        },
        { field: 'name', op: 'like', values: [{ kind: 'text', value: '%x%' }] },
        { field: 'end_time', op: '=', values: [{ kind: 'null' }] },
        { field: 'complete', op: '=', values: [{ kind: 'bool', value: false }] },
        { field: 'due_date', op: '<', values: [{ kind: 'date', value: '2024-02-29' }] },
        { field: 'created_on', op: '>=', values: [{ kind: 'unix', value: 1583954441 }] },
        {
          field: 'time_interval',
          op: 'in',
          values: [
            { kind: 'text', value: '2024-01-01T00:00:00Z' },
            { kind: 'text', value: '2025-01-01T00:00:00Z' },
          ],
        },
        { field: 'status', op: 'not in', values: [{ kind: 'text', value: 'void' }] },
        { field: 'id', op: '!=', values: [{ kind: 'number', value: 3 }] },
      ]),
    ).toBe(
      'project_id=5 and total>=10.5 and client_id in (1,2) and name like "%x%" and end_time=null and ' +
        'complete=false and due_date<2024-02-29 and created_on>=1583954441 and ' +
        'time_interval in ("2024-01-01T00:00:00Z","2025-01-01T00:00:00Z") and status not in ("void") and id!=3',
    );
    expect(renderWhere([])).toBe('');
  });

  it('refuses every injection attempt as unsafe text', () => {
    for (const v of INJECTIONS) {
      expect(isSafeText(v), JSON.stringify(v)).toBe(false);
      expect(() => renderValue({ kind: 'text', value: v }), JSON.stringify(v)).toThrow(UnsafeWhereValueError);
    }
  });

  it('accepts ordinary text, quoted, including characters that are harmless inside quotes', () => {
    for (const v of ['Acme Inc.', "O'Brien", 'a) or (1', '50%', 'Ærø Design', 'band', 'Anderson', 'x, y']) {
      expect(isSafeText(v), v).toBe(true);
      expect(renderValue({ kind: 'text', value: v })).toBe(`"${v}"`);
    }
  });

  it('refuses unsafe numbers, dates, field names and shapes', () => {
    expect(() => renderValue({ kind: 'number', value: Number.NaN })).toThrow(UnsafeWhereValueError);
    expect(() => renderValue({ kind: 'number', value: 1e21 })).toThrow(UnsafeWhereValueError);
    expect(() => renderValue({ kind: 'unix', value: 1.5 })).toThrow(UnsafeWhereValueError);
    expect(() => renderValue({ kind: 'date', value: '2024-01-01 or 1' })).toThrow(UnsafeWhereValueError);
    expect(() =>
      renderCondition({ field: 'a and b', op: '=', values: [{ kind: 'number', value: 1 }] }),
    ).toThrow(UnsafeWhereValueError);
    expect(() => renderCondition({ field: 'a', op: 'in', values: [] })).toThrow(UnsafeWhereValueError);
    expect(() =>
      renderCondition({
        field: 'a',
        op: '=',
        values: [
          { kind: 'number', value: 1 },
          { kind: 'number', value: 2 },
        ],
      }),
    ).toThrow(UnsafeWhereValueError);
  });

  it('takes the longest literal run of a LIKE pattern', () => {
    expect(likeRun('%acme%')).toBe('acme');
    expect(likeRun('ab_cdef%')).toBe('cdef');
    expect(likeRun('100\\%%')).toBe('100%');
    expect(likeRun('%_%')).toBeUndefined();
  });
});
