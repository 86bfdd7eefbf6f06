/**
 * Lexical helpers the wire layer needs before any SQL is parsed: splitting a simple-query string
 * into statements, counting `$n` parameters and naming a statement's leading keywords. Literals
 * ('…', E'…' with backslash escapes, "…", $tag$…$tag$) and comments (--, nested /* *\/) are skipped.
 */

/** One statement of a query string and where it starts (0-based UTF-16 offset), for error positions. */
export interface StatementText {
  readonly text: string;
  readonly offset: number;
}

/** A run of the query text: plain code, a quoted literal or identifier, or a comment. */
interface Segment {
  readonly kind: 'code' | 'literal' | 'comment';
  readonly start: number;
  readonly end: number;
}

function lex(sql: string): Segment[] {
  const out: Segment[] = [];
  const n = sql.length;
  let code = 0;
  let i = 0;
  const emit = (kind: Segment['kind'], start: number, end: number): void => {
    if (code < start) out.push({ kind: 'code', start: code, end: start });
    out.push({ kind, start, end });
    code = end;
  };
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const e = sql.indexOf('\n', i);
      const end = e < 0 ? n : e;
      emit('comment', i, end);
      i = end;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (sql[j] === '/' && sql[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (sql[j] === '*' && sql[j + 1] === '/') {
          depth--;
          j += 2;
        } else j++;
      }
      emit('comment', i, j);
      i = j;
    } else if (c === "'" || c === '"') {
      // E'…' strings treat backslash as an escape; a preceding identifier character means it is not E.
      const backslash = c === "'" && /[eE]/.test(sql[i - 1] ?? '') && !/[\w$]/.test(sql[i - 2] ?? ' ');
      let j = i + 1;
      while (j < n) {
        if (backslash && sql[j] === '\\') j += 2;
        else if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      const end = Math.min(j + 1, n);
      emit('literal', i, end);
      i = end;
    } else if (c === '$' && !/[\w$]/.test(sql[i - 1] ?? ' ')) {
      const m = /^\$([A-Za-z_][A-Za-z_0-9]*)?\$/.exec(sql.slice(i, i + 66));
      if (m) {
        const close = sql.indexOf(m[0], i + m[0].length);
        const end = close < 0 ? n : close + m[0].length;
        emit('literal', i, end);
        i = end;
      } else i++;
    } else i++;
  }
  if (code < n) out.push({ kind: 'code', start: code, end: n });
  return out;
}

/**
 * Splits a simple-query string at top-level semicolons. Statements holding only whitespace and
 * comments are dropped (PostgreSQL answers an all-empty string with EmptyQueryResponse).
 */
export function splitStatements(sql: string): StatementText[] {
  const out: StatementText[] = [];
  let start = 0;
  let content = false;
  const finish = (end: number): void => {
    if (content) {
      const raw = sql.slice(start, end);
      const lead = raw.length - raw.trimStart().length;
      out.push({ text: raw.trim(), offset: start + lead });
    }
  };
  for (const s of lex(sql)) {
    if (s.kind === 'literal') content = true;
    if (s.kind !== 'code') continue;
    for (let i = s.start; i < s.end; i++) {
      const ch = sql[i]!;
      if (ch === ';') {
        finish(i);
        start = i + 1;
        content = false;
      } else if (ch !== ' ' && ch !== '\n' && ch !== '\t' && ch !== '\r' && ch !== '\f') content = true;
    }
  }
  finish(sql.length);
  return out;
}

/** The text with each comment replaced by one space (literals kept). */
export function stripComments(sql: string): string {
  return lex(sql)
    .map((s) => (s.kind === 'comment' ? ' ' : sql.slice(s.start, s.end)))
    .join('');
}

/** The highest `$n` referenced outside literals and comments (0 when there are none). */
export function maxParamIndex(sql: string): number {
  let max = 0;
  for (const s of lex(sql)) {
    if (s.kind !== 'code') continue;
    for (const m of sql.slice(s.start, s.end).matchAll(/\$(\d+)/g)) max = Math.max(max, Number(m[1]));
  }
  return max;
}

/** The leading words of a statement, lower-cased, comments skipped (`['set', 'application_name']`). */
export function leadingWords(sql: string, count = 3): string[] {
  return stripComments(sql)
    .trim()
    .split(/[^A-Za-z_]+/)
    .filter((w) => w !== '')
    .slice(0, count)
    .map((w) => w.toLowerCase());
}

/**
 * Parameter types written as casts on the parameter itself (`$1::int`, `CAST($2 AS bigint)`),
 * which is how PostgreSQL types an otherwise untyped parameter. Returns raw type names by index.
 */
export function paramCasts(sql: string): Map<number, string> {
  const out = new Map<number, string>();
  const code = lex(sql)
    .map((s) => (s.kind === 'code' ? sql.slice(s.start, s.end) : ' '))
    .join('');
  for (const m of code.matchAll(/\$(\d+)\s*::\s*(?:pg_catalog\.)?("?[A-Za-z_][\w]*"?(?:\s*\[\s*\])?)/g)) {
    if (!out.has(Number(m[1]))) out.set(Number(m[1]), m[2]!.replace(/"/g, '').replace(/\s+/g, ''));
  }
  for (const m of code.matchAll(
    /\bcast\s*\(\s*\$(\d+)\s+as\s+(?:pg_catalog\.)?([A-Za-z_][\w ]*?(?:\[\])?)\s*\)/gi,
  )) {
    if (!out.has(Number(m[1]))) out.set(Number(m[1]), m[2]!);
  }
  return out;
}
