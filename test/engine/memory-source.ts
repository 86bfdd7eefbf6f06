import { Catalog } from '../../src/catalog/catalog.js';
import { readFilter, type SimpleFilter } from '../../src/catalog/filters.js';
import type { FilterSupport, ScanContext, ScanRequest, TableSource } from '../../src/catalog/table-source.js';
import type { Column, Row } from '../../src/catalog/types.js';
import { SqlError } from '../../src/errors.js';
import type { Expr } from '../../src/plan/expr.js';

/** Filter operator names a MemorySource can be configured to accept. */
export type FilterOp =
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'in'
  | 'is_null'
  | 'like'
  | 'ilike'
  | 'between'
  | 'or'
  /** An OR across columns; configure it on `'*'`. */
  | 'or_columns'
  | 'contains';

/** Configuration of an in-memory TableSource. */
export interface MemorySourceOptions {
  readonly schema: readonly Column[];
  readonly rows: readonly Row[];
  /** Per column, per operator answer; anything not listed is `unsupported`. `'*'` matches every column. */
  readonly support?: Readonly<Record<string, Partial<Record<FilterOp, FilterSupport>>>>;
  /** Rows per returned batch (each batch counts as one "request"). */
  readonly pageSize?: number;
  readonly maxInListSize?: number;
  /** validateScan: at least one filter on one of these columns is required. */
  readonly requireOneOf?: readonly string[];
  /** What estimateRequests answers (default 1). */
  readonly estimate?: number;
  /** What estimateRequests answers as a function of the request (wins over `estimate`). */
  readonly estimateFn?: (request: ScanRequest) => number;
}

function opOf(f: Expr): { column: string; op: FilterOp } | undefined {
  const r = readFilter(f);
  if (!r) return undefined;
  if (r.kind === 'or') return { column: r.column, op: 'or' };
  if (r.kind === 'or-columns') return { column: '*', op: 'or_columns' };
  const op = r.op
    .replace(/^not /, '')
    .replace(/ not null$/, ' null')
    .replace('is null', 'is_null');
  return { column: r.column, op: op as FilterOp };
}

function test(f: SimpleFilter, v: unknown): boolean {
  const [a, b] = f.values as [number | string, number | string];
  const nullish = v === null;
  switch (f.op) {
    case 'is null':
      return nullish;
    case 'is not null':
      return !nullish;
    case '=':
      return !nullish && v === a;
    case '!=':
      return !nullish && v !== a;
    case '<':
      return !nullish && (v as typeof a) < a;
    case '<=':
      return !nullish && (v as typeof a) <= a;
    case '>':
      return !nullish && (v as typeof a) > a;
    case '>=':
      return !nullish && (v as typeof a) >= a;
    case 'contains':
      return !nullish && (v as unknown[]).includes(a);
    case 'in':
    case 'not in': {
      if (nullish) return false;
      return f.values.includes(v) !== (f.op === 'not in');
    }
    case 'between':
    case 'not between':
      return !nullish && ((v as typeof a) >= a && (v as typeof a) <= b) !== (f.op === 'not between');
    default: {
      if (nullish) return false;
      const pat = String(a)
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replace(/%/g, '.*')
        .replace(/_/g, '.');
      const ok = new RegExp(`^${pat}$`, f.op.includes('ilike') ? 'is' : 's').test(v as string);
      return ok !== f.op.startsWith('not');
    }
  }
}

/** Evaluates one source-form filter against a row the simple way a remote API would. */
function matches(f: Expr, get: (name: string) => unknown): boolean {
  const r = readFilter(f);
  if (!r) return true;
  if (r.kind === 'simple') return test(r, get(r.column));
  return r.alternatives.some((a) => test(a, get(a.column)));
}

/**
 * An in-memory TableSource for tests: answers exact / inexact / unsupported per column and operator
 * as configured, evaluates exact filters itself, ignores inexact ones (so it really returns extra
 * rows), records every scan request, and counts one request per returned page.
 */
export class MemorySource implements TableSource {
  readonly schema: readonly Column[];
  readonly requests: ScanRequest[] = [];
  readonly maxInListSize?: number;
  /** The filters `supportsFilters` was asked about, in order. */
  readonly asked: Expr[] = [];

  constructor(private readonly opts: MemorySourceOptions) {
    this.schema = opts.schema;
    if (opts.maxInListSize !== undefined) this.maxInListSize = opts.maxInListSize;
  }

  private answer(f: Expr): FilterSupport {
    const o = opOf(f);
    if (!o) return 'unsupported';
    const s = this.opts.support ?? {};
    return s[o.column]?.[o.op] ?? s['*']?.[o.op] ?? 'unsupported';
  }

  supportsFilters(filters: readonly Expr[]): FilterSupport[] {
    this.asked.push(...filters);
    return filters.map((f) => this.answer(f));
  }

  validateScan(request: ScanRequest): void {
    const req = this.opts.requireOneOf;
    if (!req) return;
    const has = request.filters.some((f) => {
      const o = opOf(f);
      return o !== undefined && req.includes(o.column);
    });
    if (!has) {
      throw new SqlError('0A000', `this table needs a filter on one of: ${req.join(', ')}`, {
        hint: `add WHERE ${req[0]} = ...`,
      });
    }
  }

  describeScan(request: ScanRequest): string[] {
    const parts = request.filters.map((f) => {
      const o = opOf(f);
      return o ? `${o.column} ${o.op}` : '?';
    });
    return [
      `GET /memory${parts.length > 0 ? `?where=${parts.join(' and ')}` : ''}${request.limit !== undefined ? ` limit=${request.limit}` : ''}`,
    ];
  }

  estimateRequests(request: ScanRequest): number {
    return this.opts.estimateFn?.(request) ?? this.opts.estimate ?? 1;
  }

  async *scan(request: ScanRequest, ctx: ScanContext): AsyncIterable<Row[]> {
    this.requests.push(request);
    const idx = new Map(this.schema.map((c, i) => [c.name, i] as const));
    const positions = request.columns.map((c) => {
      const i = idx.get(c);
      if (i === undefined) throw new Error(`unknown column ${c}`);
      return i;
    });
    const exact = [
      ...request.filters.filter((f) => this.answer(f) === 'exact'),
      ...(request.dynamicFilters ?? []),
    ];
    const out: Row[] = [];
    for (const r of this.opts.rows) {
      if (exact.every((f) => matches(f, (name) => r[idx.get(name)!]))) out.push(positions.map((p) => r[p]));
      if (request.limit !== undefined && out.length >= request.limit) break;
    }
    const page = this.opts.pageSize ?? 1000;
    if (out.length === 0) {
      ctx.stats.requests++;
      return;
    }
    for (let i = 0; i < out.length; i += page) {
      ctx.stats.requests++;
      ctx.stats.rowsFetched += Math.min(page, out.length - i);
      await Promise.resolve();
      yield out.slice(i, i + page);
    }
  }
}

/** Builds a catalog from named memory sources. */
export function memoryCatalog(sources: Record<string, MemorySource>): Catalog {
  const c = new Catalog();
  for (const [name, s] of Object.entries(sources)) c.register(name, s);
  return c;
}
