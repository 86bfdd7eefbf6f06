import { featureNotSupported, invalidTextRepresentation, syntaxError } from '../errors.js';

/** The SQL text handed to node-sql-parser, plus what was lifted out of it and how to map positions back. */
export interface Rewritten {
  /** Text with identifiers folded, literals replaced by `'§n'` placeholders and quirks rewritten. */
  readonly text: string;
  /** Decoded string literal values, indexed by placeholder number. */
  readonly strings: readonly string[];
  /** Maps an offset in `text` to a 0-based offset in the original SQL. */
  readonly originalOffset: (offset: number) => number;
  /** The statement said WITH RECURSIVE (the grammar drops the word, so it is lifted out here). */
  readonly recursive: boolean;
  /** `INSERT INTO t AS alias`: the alias, lifted out because the grammar cannot read it. */
  readonly targetAlias?: string;
  /**
   * `INSERT INTO t (cols) VALUES …`: the column list, lifted out because the grammar refuses a
   * VALUES row of another length with its own message (the binder gives PostgreSQL's).
   */
  readonly insertColumns?: readonly string[];
}

type TokKind = 'ident' | 'qident' | 'string' | 'number' | 'param' | 'op' | 'punct';
interface Tok {
  kind: TokKind;
  text: string;
  pos: number;
  /** Decoded value for strings; lower-cased word for identifiers. */
  value: string;
  /** For tokens the rewriter makes up: whether a space precedes it (others keep the original spacing). */
  space?: boolean;
}

/** Marker column inserted after `EXCEPT ALL` / `INTERSECT ALL`, which the parser cannot read. */
export const SET_ALL_MARK = '§setall';

/** Prefix of the marker argument that carries a window function the parser cannot read (see rewriteSql). */
export const WINDOW_FN_MARK = '§wf_';

/**
 * Array types whose `T[]` the parser cannot read after `::` / `AS`: the rewriter writes them as
 * `varchar(ARRAY_TYPE_MARK + i)[]` (a form it reads), the normaliser maps the length back to `ARRAY_TYPES[i]`.
 */
export const ARRAY_TYPES: readonly string[] = [
  'boolean',
  'bool',
  'date',
  'timestamptz',
  'timestamp',
  'jsonb',
  'json',
  'interval',
];

/** See ARRAY_TYPES. */
export const ARRAY_TYPE_MARK = 900_000;

/** Stand-in column for `GROUP BY ()`, which the parser cannot read. */
export const GROUP_ALL_MARK = '§groupall';

/** Stand-in VALUES row for `INSERT … DEFAULT VALUES`, which the parser cannot read. */
export const DEFAULT_VALUES_MARK = '§defaultvalues';

/** Alias of the derived table an INSERT's query is wrapped in when RETURNING follows it. */
export const INSERT_QUERY_MARK = '§insertquery';

/** Function name standing for the parentheses of a SELECT list's first item (see parenthesisedSelects). */
export const PAREN_MARK = '§paren';

/** Placeholder prefix for string literals; the normaliser maps `'§n'` back to `strings[n]`. */
export const STRING_MARK = '§';

const OP_CHARS = '+-*/<>=~!@#%^&|`?';

function isIdentStart(c: string): boolean {
  return /[A-Za-z_\u0080-\uffff]/.test(c);
}

function isIdentPart(c: string): boolean {
  return /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
}

function decodeEscapeString(body: string, pos: number): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "'" && body[i + 1] === "'") {
      out += "'";
      i++;
    } else if (c === '\\' && i + 1 < body.length) {
      const n = body[++i]!;
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };
      if (simple[n] !== undefined) out += simple[n];
      else if (n === 'x') {
        const m = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1));
        if (!m) throw syntaxError('invalid hexadecimal escape in string', pos + 1);
        out += String.fromCharCode(Number.parseInt(m[0], 16));
        i += m[0].length;
      } else if (n === 'u' || n === 'U') {
        const len = n === 'u' ? 4 : 8;
        const hex = body.slice(i + 1, i + 1 + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len)
          throw syntaxError('invalid Unicode escape', pos + 1);
        out += String.fromCodePoint(Number.parseInt(hex, 16));
        i += len;
      } else if (/[0-7]/.test(n)) {
        const m = /^[0-7]{1,3}/.exec(body.slice(i))!;
        out += String.fromCharCode(Number.parseInt(m[0], 8));
        i += m[0].length - 1;
      } else out += n;
    } else out += c;
  }
  return out;
}

/** Splits SQL into tokens (comments and whitespace dropped); strings are decoded. Throws 42601 on bad lexemes. */
function tokenize(sql: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      let depth = 1;
      const start = i;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
      if (depth > 0) throw syntaxError('unterminated /* comment', start + 1);
      continue;
    }
    const start = i;
    const isEscape = (c === 'e' || c === 'E') && sql[i + 1] === "'";
    if (c === "'" || isEscape) {
      i += isEscape ? 2 : 1;
      let body = '';
      for (;;) {
        if (i >= n) throw syntaxError('unterminated quoted string', start + 1);
        const d = sql[i]!;
        if (isEscape && d === '\\' && i + 1 < n) {
          body += d + sql[i + 1];
          i += 2;
          continue;
        }
        if (d === "'") {
          if (sql[i + 1] === "'") {
            body += "''";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        body += d;
        i++;
      }
      const value = isEscape ? decodeEscapeString(body, start) : body.replace(/''/g, "'");
      toks.push({ kind: 'string', text: sql.slice(start, i), pos: start, value });
      continue;
    }
    if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        if (end < 0) throw syntaxError('unterminated dollar-quoted string', start + 1);
        const value = sql.slice(i + tag[0].length, end);
        i = end + tag[0].length;
        toks.push({ kind: 'string', text: sql.slice(start, i), pos: start, value });
        continue;
      }
      const m = /^\$[0-9]+/.exec(sql.slice(i));
      if (m) {
        i += m[0].length;
        toks.push({ kind: 'param', text: m[0], pos: start, value: m[0] });
        continue;
      }
      throw syntaxError('syntax error at or near "$"', start + 1);
    }
    if (c === '"') {
      i++;
      let body = '';
      for (;;) {
        if (i >= n) throw syntaxError('unterminated quoted identifier', start + 1);
        if (sql[i] === '"') {
          if (sql[i + 1] === '"') {
            body += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        body += sql[i];
        i++;
      }
      if (body === '') throw syntaxError('zero-length delimited identifier', start + 1);
      toks.push({ kind: 'qident', text: sql.slice(start, i), pos: start, value: body });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(sql.slice(i))!;
      i += m[0].length;
      toks.push({ kind: 'number', text: m[0], pos: start, value: m[0] });
      continue;
    }
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(sql[i]!)) i++;
      const text = sql.slice(start, i);
      // PostgreSQL folds only ASCII letters of unquoted identifiers.
      toks.push({ kind: 'ident', text, pos: start, value: text.replace(/[A-Z]+/g, (s) => s.toLowerCase()) });
      continue;
    }
    if (c === ':' && sql[i + 1] === ':') {
      i += 2;
      toks.push({ kind: 'op', text: '::', pos: start, value: '::' });
      continue;
    }
    if (OP_CHARS.includes(c)) {
      while (i < n && OP_CHARS.includes(sql[i]!) && !(sql[i] === '-' && sql[i + 1] === '-')) i++;
      const text = sql.slice(start, i);
      toks.push({ kind: 'op', text, pos: start, value: text });
      continue;
    }
    i++;
    toks.push({ kind: 'punct', text: c, pos: start, value: c });
  }
  return toks;
}

/** Type names that may prefix a string literal (`date '2024-01-01'`); rewritten to CAST. */
const TYPED_LITERAL_TYPES = new Set([
  'date',
  'timestamp',
  'timestamptz',
  'interval',
  'jsonb',
  'json',
  'text',
  'integer',
  'int',
  'bigint',
  'numeric',
  'boolean',
  'bool',
]);

/**
 * Splits a text into statements at top-level semicolons (not inside strings, quoted names, dollar
 * quotes or comments); statements that hold only comments or whitespace are dropped. Each piece keeps
 * its 0-based offset in the original text, for error positions.
 */
export function splitStatements(sql: string): { text: string; offset: number }[] {
  const toks = tokenize(sql);
  const out: { text: string; offset: number }[] = [];
  let start = 0;
  let sawToken = false;
  for (const t of toks) {
    if (t.kind === 'punct' && t.value === ';') {
      if (sawToken) out.push({ text: sql.slice(start, t.pos), offset: start });
      start = t.pos + 1;
      sawToken = false;
    } else sawToken = true;
  }
  if (sawToken) out.push({ text: sql.slice(start), offset: start });
  return out;
}

/** Offset of the first of `words` outside parentheses, strings and comments, or -1. */
export function findTopLevelWord(sql: string, words: readonly string[]): number {
  let depth = 0;
  for (const t of tokenize(sql)) {
    if (t.value === '(') depth++;
    else if (t.value === ')') depth--;
    else if (depth === 0 && t.kind === 'ident' && words.includes(t.value)) return t.pos;
  }
  return -1;
}

const isWord = (t: Tok | undefined, ...words: string[]): boolean =>
  t !== undefined && t.kind === 'ident' && words.includes(t.value);

/** The row-locking clause starting at `toks[k]` (after FOR), as PostgreSQL names it, or undefined. */
function lockingClause(toks: readonly Tok[], k: number): string | undefined {
  if (isWord(toks[k], 'update')) return 'FOR UPDATE';
  if (isWord(toks[k], 'share')) return 'FOR SHARE';
  if (isWord(toks[k], 'no') && isWord(toks[k + 1], 'key') && isWord(toks[k + 2], 'update'))
    return 'FOR NO KEY UPDATE';
  if (isWord(toks[k], 'key') && isWord(toks[k + 1], 'share')) return 'FOR KEY SHARE';
  return undefined;
}

/** Aggregates the grammar knows only as plain functions, so it cannot read a FILTER clause after them. */
const FILTERLESS_AGGREGATES = new Set([
  'bool_and',
  'bool_or',
  'every',
  'stddev',
  'stddev_samp',
  'stddev_pop',
  'variance',
  'var_samp',
  'var_pop',
]);

/** Index of the `)` matching the `(` at `open`, or -1. */
function matchParen(toks: readonly Tok[], open: number): number {
  let depth = 0;
  for (let i = open; i < toks.length; i++) {
    if (toks[i]!.value === '(' && toks[i]!.kind === 'punct') depth++;
    else if (toks[i]!.value === ')' && toks[i]!.kind === 'punct' && --depth === 0) return i;
  }
  return -1;
}

/**
 * `agg([DISTINCT] x) FILTER (WHERE c)` → `agg([DISTINCT] CASE WHEN (c) THEN (x) END)` for the
 * FILTERLESS_AGGREGATES: the same answer, as each takes one argument and skips NULL inputs.
 */
/** Type names of several words that may follow `::`: the words after the first. */
const TYPE_TAILS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  double: [['precision']],
  character: [['varying']],
  timestamp: [
    ['with', 'time', 'zone'],
    ['without', 'time', 'zone'],
  ],
  time: [
    ['with', 'time', 'zone'],
    ['without', 'time', 'zone'],
  ],
};

/** Index just past a type name at `k` (`text`, `numeric(10, 2)`, `timestamp with time zone`, `int[]`), or -1. */
function typeEnd(toks: readonly Tok[], k: number): number {
  const t = toks[k];
  if (t?.kind !== 'ident' && t?.kind !== 'qident') return -1;
  let e = k + 1;
  const tail = (TYPE_TAILS[t.value] ?? []).find((w) => w.every((x, i) => isWord(toks[e + i], x)));
  if (tail) e += tail.length;
  if (toks[e]?.value === '(') {
    const c = matchParen(toks, e);
    if (c < 0) return -1;
    e = c + 1;
  }
  while (toks[e]?.value === '[' && toks[e + 1]?.value === ']') e += 2;
  return e;
}

/**
 * `(SELECT …)::type` in INSERT / UPDATE / DELETE becomes `CAST((SELECT …) AS type)`: the grammar
 * reads a cast after a subquery only in a SELECT.
 */
function subqueryCasts(input: Tok[]): Tok[] {
  let toks = input;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.kind !== 'punct' || t.value !== '(' || !isWord(toks[k + 1], 'select', 'with')) continue;
    const close = matchParen(toks, k);
    if (close < 0 || toks[close + 1]?.value !== '::') continue;
    // `::pg_catalog.text` is `AS text`: the type names are the same without the schema.
    const from =
      isWord(toks[close + 2], 'pg_catalog') && toks[close + 3]?.value === '.' ? close + 4 : close + 2;
    const end = typeEnd(toks, from);
    if (end < 0) continue;
    const made = (kind: TokKind, text: string, at: Tok): Tok => ({
      kind,
      text,
      value: text,
      pos: at.pos,
      space: true,
    });
    toks = [
      ...toks.slice(0, k),
      made('ident', 'cast', t),
      made('punct', '(', t),
      ...toks.slice(k, close + 1),
      made('ident', 'as', toks[close + 1]!),
      { ...toks[from]!, space: true },
      ...toks.slice(from + 1, end),
      made('punct', ')', toks[end - 1]!),
      ...toks.slice(end),
    ];
  }
  return toks;
}

/**
 * `WITH x AS MATERIALIZED (…)` / `AS NOT MATERIALIZED (…)` lose the hint, which the grammar cannot
 * read. Ignoring it changes no answer: like PostgreSQL's planner, this one never inlines a CTE
 * whose evaluation could differ (it inlines only CTEs referenced once), so the hint only ever
 * steers where work happens. `FROM t AS materialized (a, b)` (an alias with column names) stays.
 */
function cteMaterializedHints(input: Tok[]): Tok[] {
  const out: Tok[] = [];
  for (let k = 0; k < input.length; k++) {
    out.push(input[k]!);
    if (!isWord(input[k], 'as')) continue;
    const hint = isWord(input[k + 1], 'materialized') ? 1 : isWord(input[k + 1], 'not') ? 2 : 0;
    if (hint === 2 && !isWord(input[k + 2], 'materialized')) continue;
    const open = input[k + hint + 1];
    if (hint > 0 && open?.kind === 'punct' && open.value === '(' && isQueryStart(input[k + hint + 2]))
      k += hint;
  }
  return out;
}

/** The first word of a query a CTE or a subquery may hold, or an opening parenthesis. */
function isQueryStart(t: Tok | undefined): boolean {
  return (
    isWord(t, 'select', 'values', 'with', 'table', 'insert', 'update', 'delete') ||
    (t?.kind === 'punct' && t.value === '(')
  );
}

/**
 * `(SELECT (1)::int)`, `x IN (SELECT (a) FROM t)`: after an opening parenthesis, the grammar reads
 * `SELECT (…)` as a call of a function named "select" (or fails), so a parenthesised first item is
 * marked as a call of PAREN_MARK, which the normaliser unwraps: `SELECT "§paren"(1)::int`.
 */
function parenthesisedSelects(input: Tok[]): Tok[] {
  let toks = input;
  for (let k = 1; k < toks.length; k++) {
    const open = toks[k + 1];
    if (!isWord(toks[k], 'select') || toks[k - 1]?.value !== '(' || open?.value !== '(') continue;
    if (open.kind !== 'punct') continue;
    const mark: Tok = {
      kind: 'qident',
      text: `"${PAREN_MARK}"`,
      value: PAREN_MARK,
      pos: open.pos,
      space: true,
    };
    toks = [...toks.slice(0, k + 1), mark, { ...open, space: false }, ...toks.slice(k + 2)];
  }
  return toks;
}

/**
 * `WITH v(n) AS (VALUES …)` becomes `WITH v(n) AS (SELECT * FROM (VALUES …) AS "§values")`: the
 * grammar reads VALUES as a derived table but not as a WITH query.
 */
function valuesCtes(input: Tok[]): Tok[] {
  let toks = input;
  for (let k = 1; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.kind !== 'punct' || t.value !== '(' || !isWord(toks[k + 1], 'values')) continue;
    if (!isWord(toks[k - 1], 'as', 'materialized')) continue;
    const close = matchParen(toks, k);
    if (close < 0) continue;
    const made = (kind: TokKind, text: string, value = text): Tok => ({
      kind,
      text,
      value,
      pos: t.pos,
      space: true,
    });
    toks = [
      ...toks.slice(0, k + 1),
      made('ident', 'select'),
      made('op', '*'),
      made('ident', 'from'),
      made('punct', '('),
      ...toks.slice(k + 1, close),
      made('punct', ')'),
      made('ident', 'as'),
      made('qident', '"§values"', '§values'),
      ...toks.slice(close),
    ];
  }
  return toks;
}

function filterToCase(input: Tok[]): Tok[] {
  let toks = input;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.kind !== 'ident' || !FILTERLESS_AGGREGATES.has(t.value) || toks[k + 1]?.value !== '(') continue;
    const close = matchParen(toks, k + 1);
    if (close < 0 || !isWord(toks[close + 1], 'filter') || toks[close + 2]?.value !== '(') continue;
    if (!isWord(toks[close + 3], 'where')) continue;
    const end = matchParen(toks, close + 2);
    if (end < 0) continue;
    const from = isWord(toks[k + 2], 'distinct', 'all') ? k + 3 : k + 2;
    const made = (kind: TokKind, text: string): Tok => ({ kind, text, value: text, pos: t.pos, space: true });
    toks = [
      ...toks.slice(0, from),
      made('ident', 'case'),
      made('ident', 'when'),
      made('punct', '('),
      ...toks.slice(close + 4, end),
      made('punct', ')'),
      made('ident', 'then'),
      made('punct', '('),
      ...toks.slice(from, close),
      made('punct', ')'),
      made('ident', 'end'),
      toks[close]!,
      ...toks.slice(end + 1),
    ];
  }
  return toks;
}

/** Parenthesis depth just before token `k`. */
function depthAt(toks: readonly Tok[], k: number): number {
  let depth = 0;
  for (let i = 0; i < k; i++) {
    if (toks[i]!.kind !== 'punct') continue;
    if (toks[i]!.value === '(') depth++;
    else if (toks[i]!.value === ')') depth--;
  }
  return depth;
}

/** Index just past `name` or `schema.name` starting at `k` (identifiers only), or -1. */
function skipName(toks: readonly Tok[], k: number): number {
  const ident = (t: Tok | undefined): boolean => t?.kind === 'ident' || t?.kind === 'qident';
  if (!ident(toks[k])) return -1;
  return toks[k + 1]?.value === '.' && ident(toks[k + 2]) ? k + 3 : k + 1;
}

/**
 * Refuses, with 0A000 naming them, the write forms the engine cannot run (several of which the
 * parser cannot even read): ON CONFLICT, UPDATE … FROM, DELETE … USING, multi-column SET, WHERE
 * CURRENT OF. Looks only at the statement's own level (not inside parentheses).
 */
function refuseWriteForms(toks: readonly Tok[], kind: 'insert' | 'update' | 'delete'): void {
  let depth = 0;
  let inSet = false;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.kind === 'punct' && t.value === '(') {
      if (depth === 0 && inSet && (isWord(toks[k - 1], 'set') || toks[k - 1]?.value === ','))
        throw featureNotSupported(
          'UPDATE … SET (column, …) = (…)',
          'Assign each column on its own (SET a = …, b = …).',
        );
      depth++;
      continue;
    }
    if (t.kind === 'punct' && t.value === ')') {
      depth--;
      continue;
    }
    if (depth > 0 || t.kind !== 'ident') continue;
    if (kind === 'insert' && t.value === 'on' && isWord(toks[k + 1], 'conflict'))
      throw featureNotSupported(
        'INSERT … ON CONFLICT',
        'The table has no unique constraints to detect a conflict with: look the row up first, then INSERT or UPDATE.',
      );
    if (kind === 'delete' && t.value === 'using')
      throw featureNotSupported('DELETE … USING', 'Use a subquery: DELETE FROM t WHERE col IN (SELECT …).');
    if (kind === 'update' && t.value === 'set') inSet = true;
    if (kind === 'update' && (t.value === 'where' || t.value === 'returning')) inSet = false;
    if (kind === 'update' && t.value === 'from' && !isWord(toks[k - 1], 'distinct'))
      throw featureNotSupported('UPDATE … FROM', 'Use a subquery: UPDATE t SET … WHERE col IN (SELECT …).');
    if (t.value === 'where' && isWord(toks[k + 1], 'current') && isWord(toks[k + 2], 'of'))
      throw featureNotSupported('WHERE CURRENT OF', 'Name the row by its key (WHERE id = …).');
  }
}

/**
 * Rewrites SQL text into what node-sql-parser's postgresql grammar reads correctly:
 * folds unquoted identifiers to lower case; replaces every string literal (standard, `E'..'`,
 * dollar-quoted) by a `'§n'` placeholder so escapes are decoded once, here; `IS [NOT] DISTINCT FROM`
 * becomes `[NOT] SIMILAR TO` (same precedence level in that grammar; real SIMILAR TO is refused); `a ^ b`
 * becomes `a #> b` (read back as power);
 * `FETCH FIRST n ROWS ONLY` becomes `LIMIT n`; `TABLE t` becomes `SELECT * FROM t`; `$1::t` gets
 * parentheses; `substring(a FROM x FOR y)` and `position(a IN b)` become plain argument lists.
 * Writes: `INSERT INTO t AS a` loses its alias (returned in `targetAlias`), `DEFAULT VALUES` becomes a
 * marker row, `UPDATE ONLY` / `DELETE FROM ONLY` lose ONLY, and unsupported write forms (and MERGE)
 * are refused (refuseWriteForms).
 */
export function rewriteSql(sql: string): Rewritten {
  const read = parenthesisedSelects(valuesCtes(cteMaterializedHints(filterToCase(tokenize(sql)))));
  const first = read[0]?.kind === 'ident' ? read[0].value : '';
  const toks = first === 'insert' || first === 'update' || first === 'delete' ? subqueryCasts(read) : read;
  let aliasAt = -1;
  let defaultValuesAt = -1;
  let wrapQuery: [number, number] | undefined;
  let columnsAt: [number, number] | undefined;
  let insertColumns: string[] | undefined;
  let targetAlias: string | undefined;
  // MERGE (PostgreSQL 15) is valid SQL the grammar cannot read: say so rather than "syntax error".
  if (first === 'merge')
    throw featureNotSupported('MERGE', 'Use INSERT for new rows and UPDATE … WHERE for existing ones.');
  // `UPDATE ONLY t` / `DELETE FROM ONLY t`: no table here has children, so ONLY changes nothing.
  const onlyAt =
    first === 'update' && isWord(toks[1], 'only')
      ? 1
      : first === 'delete' && isWord(toks[1], 'from') && isWord(toks[2], 'only')
        ? 2
        : -1;
  if (first === 'insert' || first === 'update' || first === 'delete') {
    refuseWriteForms(toks, first);
    const end = first === 'insert' && isWord(toks[1], 'into') ? skipName(toks, 2) : -1;
    if (
      end > 0 &&
      isWord(toks[end], 'as') &&
      (toks[end + 1]?.kind === 'ident' || toks[end + 1]?.kind === 'qident')
    ) {
      aliasAt = end;
      targetAlias = toks[end + 1]!.value;
    }
    const at = aliasAt >= 0 ? aliasAt + 2 : end;
    if (at > 0 && isWord(toks[at], 'default') && isWord(toks[at + 1], 'values')) defaultValuesAt = at;
    // `INSERT … SELECT … RETURNING x`: the grammar takes RETURNING for the last column's alias (and
    // reads no parenthesised set operation), so the query becomes a derived table the normaliser unwraps.
    const query =
      at > 0 && toks[at]?.value === '(' && !isWord(toks[at + 1], 'select', 'with')
        ? matchParen(toks, at) + 1
        : at;
    if (query > at && isWord(toks[query], 'values')) {
      const names = toks.slice(at + 1, query - 1);
      const ok = names.every((x, i) =>
        i % 2 === 0 ? x.kind === 'ident' || x.kind === 'qident' : x.value === ',',
      );
      if (ok && names.length % 2 === 1) {
        columnsAt = [at, query - 1];
        insertColumns = names.filter((_, i) => i % 2 === 0).map((x) => x.value);
      }
    }
    const returning = toks.findIndex((x, i) => i > query && isWord(x, 'returning') && depthAt(toks, i) === 0);
    if (query > 0 && isWord(toks[query], 'select', 'with') && returning > 0) wrapQuery = [query, returning];
  }
  const strings: string[] = [];
  const out: { text: string; pos: number; space: boolean }[] = [];
  // Keep the original spacing so `t.*`, `a::int` and `>-1` reach the parser as written.
  const gap = (k: number): boolean =>
    toks[k]!.space ?? (k > 0 && toks[k]!.pos > toks[k - 1]!.pos + toks[k - 1]!.text.length);
  // Stack of enclosing function names per open parenthesis, for FROM/FOR/IN inside substring/position.
  const parens: { fn: string; sawFrom: boolean }[] = [];
  let recursive = false;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    const prev = toks[k - 1];
    if (k === aliasAt) {
      k++;
      continue;
    }
    if (k === onlyAt) continue;
    if (columnsAt && k === columnsAt[0]) {
      k = columnsAt[1];
      continue;
    }
    if (wrapQuery && (k === wrapQuery[0] || k === wrapQuery[1]))
      out.push({
        text: k === wrapQuery[0] ? 'select * from (' : `) as "${INSERT_QUERY_MARK}"`,
        pos: t.pos,
        space: true,
      });
    if (k === defaultValuesAt) {
      out.push({ text: `values ("${DEFAULT_VALUES_MARK}")`, pos: t.pos, space: true });
      k++;
      continue;
    }
    if (t.kind === 'ident' && t.value === 'similar' && isWord(toks[k + 1], 'to'))
      throw featureNotSupported('SIMILAR TO');
    // OPERATOR(pg_catalog.~) as psql writes it: the bare operator.
    if (isWord(t, 'operator') && toks[k + 1]?.value === '(') {
      let j = k + 2;
      if (toks[j]?.kind === 'ident' && toks[j + 1]?.value === '.') j += 2;
      const op = toks[j];
      if (op?.kind === 'op' && toks[j + 1]?.value === ')') {
        out.push({ text: op.value, pos: t.pos, space: true });
        k = j + 1;
        continue;
      }
    }
    if (t.kind === 'op' && (t.value === '#>' || t.value === '#>>'))
      throw featureNotSupported(`operator ${t.value}`);
    if (t.kind === 'op' && t.value === '^') {
      // `#>` sits above `*` and associates left in the grammar, like PostgreSQL's `^`; `#>` itself is refused above.
      out.push({ text: '#>', pos: t.pos, space: true });
      continue;
    }
    if (t.kind === 'string') {
      strings.push(t.value);
      out.push({ text: `'${STRING_MARK}${strings.length - 1}'`, pos: t.pos, space: gap(k) });
      continue;
    }
    if (t.kind === 'qident') {
      out.push({ text: `"${t.value.replace(/"/g, '""')}"`, pos: t.pos, space: gap(k) });
      continue;
    }
    if (t.kind === 'param') {
      if (toks[k + 1]?.value === '::') out.push({ text: `(${t.text})`, pos: t.pos, space: gap(k) });
      else out.push({ text: t.text, pos: t.pos, space: gap(k) });
      continue;
    }
    if (t.kind === 'punct' && t.value === '(') {
      const next = toks[k + 1];
      if (
        isWord(next, 'insert', 'update', 'delete') &&
        (isWord(prev, 'as') || isWord(prev, 'materialized')) &&
        (toks[k + 2]?.kind === 'ident' || toks[k + 2]?.kind === 'qident')
      )
        throw featureNotSupported(
          `${next!.value.toUpperCase()} in WITH`,
          'Run the data-modifying statement on its own, with RETURNING.',
        );
      parens.push({ fn: prev?.kind === 'ident' ? prev.value : '', sawFrom: false });
      out.push({ text: '(', pos: t.pos, space: gap(k) });
      continue;
    }
    if (t.kind === 'punct' && t.value === ')') {
      parens.pop();
      out.push({ text: ')', pos: t.pos, space: gap(k) });
      continue;
    }
    if (t.kind === 'ident') {
      const w = t.value;
      const top = parens[parens.length - 1];
      const fn = top?.fn;
      if (w === 'is') {
        const neg = isWord(toks[k + 1], 'not');
        const d = toks[k + (neg ? 2 : 1)];
        if (isWord(d, 'distinct') && isWord(toks[k + (neg ? 3 : 2)], 'from')) {
          out.push({ text: neg ? 'NOT SIMILAR TO' : 'SIMILAR TO', pos: t.pos, space: true });
          k += neg ? 3 : 2;
          continue;
        }
      }
      if (
        toks[k + 1]?.value === '[' &&
        toks[k + 2]?.value === ']' &&
        (prev?.value === '::' || isWord(prev, 'as')) &&
        ARRAY_TYPES.includes(w)
      ) {
        out.push({ text: `varchar(${ARRAY_TYPE_MARK + ARRAY_TYPES.indexOf(w)})`, pos: t.pos, space: gap(k) });
        continue;
      }
      if (TYPED_LITERAL_TYPES.has(w) && toks[k + 1]?.kind === 'string' && !isWord(prev, 'as')) {
        const str = toks[k + 1]!;
        strings.push(str.value);
        out.push({ text: `CAST('${STRING_MARK}${strings.length - 1}' AS ${w})`, pos: t.pos, space: true });
        k++;
        continue;
      }
      if ((w === 'except' || w === 'intersect') && isWord(toks[k + 1], 'all')) {
        if (!isWord(toks[k + 2], 'select'))
          throw featureNotSupported(`${w.toUpperCase()} ALL with a parenthesised operand`);
        let text = `${w} select`;
        let skip = 2;
        if (isWord(toks[k + 3], 'distinct', 'all') && toks[k + 4]?.value !== 'on') {
          text += ` ${toks[k + 3]!.value}`;
          skip = 3;
        }
        out.push({ text: `${text} "${SET_ALL_MARK}",`, pos: t.pos, space: true });
        k += skip;
        continue;
      }
      if ((w === 'ntile' || w === 'percent_rank' || w === 'cume_dist') && toks[k + 1]?.value === '(') {
        // The grammar only knows a fixed list of window functions; smuggle these through lag().
        const noArgs = toks[k + 2]?.value === ')';
        out.push({ text: `lag("${WINDOW_FN_MARK}${w}"${noArgs ? '' : ','}`, pos: t.pos, space: gap(k) });
        parens.push({ fn: 'lag', sawFrom: false });
        k++;
        continue;
      }
      if ((w === 'range' || w === 'groups') && isWord(toks[k + 1], 'between', 'unbounded', 'current')) {
        throw featureNotSupported(`${w.toUpperCase()} window frames`, 'Use ROWS frames.');
      }
      // `::pg_catalog.text`: the type names are the same without the schema.
      if (w === 'pg_catalog' && prev?.value === '::' && toks[k + 1]?.value === '.') {
        k++;
        continue;
      }
      // COLLATE clauses: text already compares by code point (PostgreSQL's "C"), so they are dropped.
      if (w === 'collate' && (toks[k + 1]?.kind === 'ident' || toks[k + 1]?.kind === 'qident')) {
        k += toks[k + 2]?.value === '.' && toks[k + 3] !== undefined ? 3 : 1;
        continue;
      }
      // Row locks: Paymo has none, and silently dropping the clause would promise a lock we never take.
      if (w === 'for' && fn !== 'substring' && fn !== 'substr') {
        const lock = lockingClause(toks, k + 1);
        if (lock) throw featureNotSupported(lock, 'Paymo has no row locks: drop the locking clause.');
      }
      // TABLESAMPLE method (args): refused with 0A000, since sampling is unsupported (the parser would silently drop it).
      if (w === 'tablesample' && toks[k + 1]?.kind === 'ident' && toks[k + 2]?.value === '(') {
        throw featureNotSupported('TABLESAMPLE');
      }
      if (w === 'recursive' && isWord(prev, 'with')) {
        recursive = true;
        continue;
      }
      if (w === 'limit' && isWord(toks[k + 1], 'all')) {
        k++;
        continue;
      }
      if (
        (w === 'limit' || w === 'offset') &&
        toks[k + 1]?.kind === 'number' &&
        toks[k + 2]?.value === '::'
      ) {
        // `LIMIT 5::bigint` (postgres_fdw writes it): the grammar wants a bare number there.
        out.push({ text: `${w} ${toks[k + 1]!.text}`, pos: t.pos, space: gap(k) });
        k += toks[k + 3]?.kind === 'ident' ? 3 : 2;
        continue;
      }
      if ((w === 'limit' || w === 'offset') && toks[k + 1]?.kind === 'string') {
        // `LIMIT '5'`: PostgreSQL reads the literal as bigint (22P02 when it is not one); the grammar
        // wants a number.
        const v = toks[k + 1]!.value.trim();
        if (!/^[+-]?\d+$/.test(v)) throw invalidTextRepresentation('bigint', toks[k + 1]!.value);
        out.push({ text: `${w} ${v}`, pos: t.pos, space: gap(k) });
        k++;
        continue;
      }
      if (w === 'by' && isWord(prev, 'group') && toks[k + 1]?.value === '(' && toks[k + 2]?.value === ')') {
        out.push({ text: `by "${GROUP_ALL_MARK}"`, pos: t.pos, space: gap(k) });
        k += 2;
        continue;
      }
      // (after AS it is a column alias: `SELECT x IS NULL AS isnull`)
      if ((w === 'isnull' || w === 'notnull') && !isWord(prev, 'as') && prev?.value !== '.') {
        out.push({ text: w === 'isnull' ? 'IS NULL' : 'IS NOT NULL', pos: t.pos, space: true });
        continue;
      }
      if (w === 'fetch' && isWord(toks[k + 1], 'first', 'next')) {
        let j = k + 2;
        let count = '1';
        const num = toks[j];
        if (num !== undefined && (num.kind === 'number' || num.kind === 'param')) {
          count = num.text;
          j++;
        }
        if (!isWord(toks[j], 'row', 'rows') || !isWord(toks[j + 1], 'only')) {
          throw featureNotSupported('FETCH FIRST ... WITH TIES');
        }
        out.push({ text: `LIMIT ${count}`, pos: t.pos, space: true });
        k = j + 1;
        continue;
      }
      if (
        (w === 'row' || w === 'rows') &&
        prev !== undefined &&
        (prev.kind === 'number' || prev.kind === 'param')
      ) {
        const before = toks[k - 2];
        if (isWord(before, 'offset')) continue;
      }
      if (w === 'table' && (k === 0 || toks[k - 1]?.value === ';') && toks[k + 1] !== undefined) {
        out.push({ text: 'SELECT * FROM', pos: t.pos, space: true });
        continue;
      }
      if (w === 'only' && isWord(prev, 'from', 'join')) continue;
      if (w === 'cross' && isWord(toks[k + 1], 'join') && isWord(toks[k + 2], 'lateral')) {
        out.push({ text: ',', pos: t.pos, space: false });
        k++;
        continue;
      }
      if (w === 'natural' && isWord(toks[k + 1], 'join', 'left', 'right', 'full', 'inner')) {
        throw featureNotSupported('NATURAL JOIN', 'Use JOIN … USING (…).');
      }
      if (fn === 'substring' || fn === 'substr') {
        if (w === 'from') {
          top!.sawFrom = true;
          out.push({ text: ',', pos: t.pos, space: true });
          continue;
        }
        if (w === 'for') {
          // substring(a FOR n) has no FROM: start at 1.
          out.push({ text: top!.sawFrom ? ',' : ', 1,', pos: t.pos, space: true });
          continue;
        }
      }
      if (fn === 'position' && w === 'in') {
        out.push({ text: ',', pos: t.pos, space: true });
        continue;
      }
      out.push({ text: w, pos: t.pos, space: gap(k) });
      continue;
    }
    out.push({ text: t.text, pos: t.pos, space: gap(k) });
  }
  let text = '';
  const starts: number[] = [];
  const origins: number[] = [];
  for (const o of out) {
    if (text.length > 0 && o.space) text += ' ';
    starts.push(text.length);
    origins.push(o.pos);
    text += o.text;
  }
  const originalOffset = (offset: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    let best = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= offset) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return origins[best] ?? 0;
  };
  return {
    text,
    strings,
    originalOffset,
    recursive,
    ...(targetAlias !== undefined ? { targetAlias } : {}),
    ...(insertColumns !== undefined ? { insertColumns } : {}),
  };
}
