/**
 * A sqllogictest-style runner for grammar-tests/ (design.md §5).
 *
 * Records are separated by blank lines; `#` starts a comment line. Forms:
 *
 *   statement ok                      statement error <SQLSTATE> [message substring]
 *   <sql>                             <sql>
 *
 *   query <types> [rowsort|nosort]    explain                         requests [<count>]
 *   <sql>                             <sql>                           GET /api/tasks?where=…   (one per line)
 *   ----                              ----
 *   <rows: values split by tabs,      <golden EXPLAIN text>
 *    NULL, (empty) for '', one a line>
 *
 * A `statement error` text is a substring of the error's message, or of `<message> DETAIL: <detail>`
 * (so a partial-failure report's DETAIL can be checked too).
 *
 * `requests` asserts the API requests of the previous statement: with lines, the exact multiset of
 * `METHOD path?query` (query decoded; a write adds its JSON body with keys sorted, e.g.
 * `POST /api/tasks {"name":"A","project_id":1}`); with only a count, the number. Every `query` runs
 * with pushdown on and off and both must give the expected rows (Trino's pushdown oracle), except a
 * write (INSERT/UPDATE/DELETE … RETURNING, or EXPLAIN ANALYZE of one), which runs once, pushdown on;
 * EXPLAIN ANALYZE output has its timings replaced by `…`. SLT_REWRITE=1 rewrites
 * the expected parts of `query`, `explain` and `requests` records in place.
 */

/** One parsed record with its position, for messages and rewriting. */
export type SltRecord =
  | { kind: 'statement'; line: number; sql: string; expectError?: { code: string; message: string } }
  | {
      kind: 'query';
      line: number;
      sql: string;
      types: string;
      sort: 'rowsort' | 'nosort';
      expected: string[];
    }
  | { kind: 'explain'; line: number; sql: string; expected: string[] }
  | { kind: 'requests'; line: number; count?: number; expected: string[] };

/** What a test file runs against. */
export interface SltTarget {
  /** Runs a statement; `pushdown: false` is the oracle run. Throws errors with `code` (SQLSTATE). */
  run(
    sql: string,
    pushdown: boolean,
  ): Promise<{ fields: { name: string; type: string }[]; rows: (string | null)[][] }>;
  /** EXPLAIN text of a statement (pushdown on). */
  explain(sql: string): Promise<string>;
  /** Requests made since the last call to `takeRequests`, as `METHOD path?query` (query decoded). */
  takeRequests(): string[];
}

/** Splits a file into records; throws with a line number on malformed records. */
export function parseSlt(text: string): SltRecord[] {
  const lines = text.split('\n');
  const records: SltRecord[] = [];
  let i = 0;
  const block = (): string[] => {
    const out: string[] = [];
    while (i < lines.length && lines[i].trim() !== '') out.push(lines[i++]);
    return out;
  };
  while (i < lines.length) {
    const raw = lines[i];
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) {
      i++;
      continue;
    }
    const line = i + 1;
    const head = raw.trim().split(/\s+/);
    i++;
    const body = block();
    const sep = body.indexOf('----');
    const sqlLines = sep >= 0 ? body.slice(0, sep) : body;
    const after = sep >= 0 ? body.slice(sep + 1) : [];
    const sql = sqlLines.join('\n');
    switch (head[0]) {
      case 'statement':
        if (head[1] === 'ok') records.push({ kind: 'statement', line, sql });
        else if (head[1] === 'error' && head[2]) {
          records.push({
            kind: 'statement',
            line,
            sql,
            expectError: { code: head[2], message: head.slice(3).join(' ') },
          });
        } else
          throw new Error(`line ${line}: expected 'statement ok' or 'statement error <SQLSTATE> [text]'`);
        break;
      case 'query': {
        if (!head[1]) throw new Error(`line ${line}: query needs a type string (e.g. ITR)`);
        const sort = head[2] === 'rowsort' ? 'rowsort' : 'nosort';
        records.push({ kind: 'query', line, sql, types: head[1], sort, expected: after });
        break;
      }
      case 'explain':
        records.push({ kind: 'explain', line, sql, expected: after });
        break;
      case 'requests':
        records.push({
          kind: 'requests',
          line,
          ...(head[1] !== undefined ? { count: Number(head[1]) } : {}),
          expected: body,
        });
        break;
      default:
        throw new Error(`line ${line}: unknown record '${head[0]}'`);
    }
  }
  return records;
}

/** A row in the file's text form: values split by tabs, NULL for null, (empty) for ''. */
export function rowText(row: (string | null)[]): string {
  return row
    .map((v) => (v === null ? 'NULL' : v === '' ? '(empty)' : v.replace(/\t/g, '\\t').replace(/\n/g, '\\n')))
    .join('\t');
}

/** The result of running one record: null when it passed, else what went wrong; `actual` for rewriting. */
export interface RecordOutcome {
  readonly failure: string | null;
  readonly actual?: string[];
}

const EXPLAIN_ANALYZE = /^explain\s+(analyze\b|\([^)]*\banalyze\b[^)]*\))\s*/i;

/** True for a data-modifying statement (optionally after a WITH clause, leading comments or EXPLAIN ANALYZE). */
export function isWrite(sql: string): boolean {
  let text = sql.replace(/--[^\n]*\n/g, ' ').trim();
  if (EXPLAIN_ANALYZE.test(text)) text = text.replace(EXPLAIN_ANALYZE, '');
  if (/^(insert|update|delete|copy)\b/i.test(text)) return true;
  return /^with\b/i.test(text) && /\)\s*(insert|update|delete)\b/i.test(text);
}

/** EXPLAIN ANALYZE lines with their run-dependent timings replaced by `…`. */
export function maskTimings(rows: string[]): string[] {
  return rows.map((r) =>
    r
      .replace(/\btime=[0-9.]+ ms/g, 'time=… ms')
      .replace(/^(Execution Time|Planning Time): [0-9.]+ ms/, '$1: … ms'),
  );
}

function sortRows(rows: string[], sort: 'rowsort' | 'nosort'): string[] {
  return sort === 'rowsort' ? [...rows].sort() : rows;
}

/** Runs one record against a target. */
export async function runRecord(rec: SltRecord, target: SltTarget): Promise<RecordOutcome> {
  switch (rec.kind) {
    case 'statement': {
      target.takeRequests();
      try {
        await target.run(rec.sql, true);
      } catch (err) {
        const code = (err as { code?: string }).code;
        const detail = (err as { detail?: string }).detail;
        const message = (err as Error).message;
        const full = detail ? `${message} DETAIL: ${detail.replace(/\n/g, ' ')}` : message;
        if (!rec.expectError) return { failure: `unexpected error ${code}: ${message}` };
        if (code !== rec.expectError.code)
          return { failure: `expected SQLSTATE ${rec.expectError.code}, got ${code}: ${message}` };
        if (rec.expectError.message && !full.includes(rec.expectError.message)) {
          return { failure: `expected message containing '${rec.expectError.message}', got '${full}'` };
        }
        return { failure: null };
      }
      return {
        failure: rec.expectError ? `expected error ${rec.expectError.code}, statement succeeded` : null,
      };
    }
    case 'query': {
      // A write (INSERT/UPDATE/DELETE … RETURNING) runs once: a second run would write twice.
      if (isWrite(rec.sql)) {
        target.takeRequests();
        const once = await target.run(rec.sql, true);
        const text = once.rows.map(rowText);
        const rows = sortRows(EXPLAIN_ANALYZE.test(rec.sql.trim()) ? maskTimings(text) : text, rec.sort);
        if (rec.types.length !== once.fields.length) {
          return {
            failure: `query declares ${rec.types.length} columns, result has ${once.fields.length}`,
            actual: rows,
          };
        }
        if (rows.join('\n') !== rec.expected.join('\n')) {
          return {
            failure: `rows differ:\nexpected:\n${rec.expected.join('\n')}\nactual:\n${rows.join('\n')}`,
            actual: rows,
          };
        }
        return { failure: null, actual: rows };
      }
      // The oracle (no pushdown) runs first so the requests left for a following `requests` record
      // are those of the pushdown run. Targets keep separate caches for the two runs.
      const off = await target.run(rec.sql, false);
      const offRows = sortRows(off.rows.map(rowText), rec.sort);
      target.takeRequests();
      const on = await target.run(rec.sql, true);
      const onRows = sortRows(on.rows.map(rowText), rec.sort);
      if (rec.types.length !== on.fields.length) {
        return {
          failure: `query declares ${rec.types.length} columns, result has ${on.fields.length}`,
          actual: onRows,
        };
      }
      if (onRows.join('\n') !== offRows.join('\n')) {
        return {
          failure: `pushdown on/off differ:\n on: ${onRows.join('\n     ')}\noff: ${offRows.join('\n     ')}`,
          actual: onRows,
        };
      }
      if (onRows.join('\n') !== rec.expected.join('\n')) {
        return {
          failure: `rows differ:\nexpected:\n${rec.expected.join('\n')}\nactual:\n${onRows.join('\n')}`,
          actual: onRows,
        };
      }
      return { failure: null, actual: onRows };
    }
    case 'explain': {
      const text = (await target.explain(rec.sql)).trimEnd().split('\n');
      if (text.join('\n') !== rec.expected.join('\n')) {
        return {
          failure: `EXPLAIN differs:\nexpected:\n${rec.expected.join('\n')}\nactual:\n${text.join('\n')}`,
          actual: text,
        };
      }
      return { failure: null, actual: text };
    }
    case 'requests': {
      const made = target.takeRequests();
      if (rec.count !== undefined && made.length !== rec.count) {
        return {
          failure: `expected ${rec.count} requests, made ${made.length}:\n${made.join('\n')}`,
          actual: made,
        };
      }
      if (rec.expected.length > 0 || rec.count === undefined) {
        const a = [...made].sort().join('\n');
        const e = [...rec.expected].sort().join('\n');
        if (a !== e)
          return {
            failure: `requests differ:\nexpected:\n${rec.expected.join('\n')}\nactual:\n${made.join('\n')}`,
            actual: made,
          };
      }
      return { failure: null, actual: made };
    }
  }
}

/**
 * Rewrites a file's expected blocks with actual output (SLT_REWRITE=1), keeping everything else.
 * `actuals` maps a record's 1-based header line to its actual lines.
 */
export function rewriteSlt(text: string, actuals: ReadonlyMap<number, string[]>): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const actual = actuals.get(i + 1);
    if (!actual) {
      out.push(lines[i++]);
      continue;
    }
    const head = lines[i];
    // A rewritten `requests` record states its count, so a changed number of requests is plain to see.
    out.push(head.trim().startsWith('requests') ? `requests ${actual.length}` : head);
    i++;
    const body: string[] = [];
    while (i < lines.length && lines[i].trim() !== '') body.push(lines[i++]);
    if (head.trim().startsWith('requests')) {
      out.push(...actual);
    } else {
      const sep = body.indexOf('----');
      out.push(...(sep >= 0 ? body.slice(0, sep) : body), '----', ...actual);
    }
  }
  return out.join('\n');
}
