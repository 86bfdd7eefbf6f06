/**
 * Text rewrites that let the engine run the catalog SQL clients send. Each rule replaces one
 * PostgreSQL construct our engine does not read with an equivalent it does, using the catalog
 * functions of functions.ts:
 *
 * - `x::regclass` → `pg_regclass(x)` (an OID, where it is compared) or `pg_regclass_name(x)` (where
 *   it is shown); a literal `'pg_class'::regclass` becomes its OID at rewrite time; likewise
 *   `regtype`, `regtype[]`, `regnamespace`, `regproc`.
 * - `arr[expr]` with a non-constant subscript → `pg_subscript(arr, expr)`; `a & b` → `pg_bitand(a, b)`.
 * - `(information_schema._pg_expandarray(a)).n` / `.x` → `generate_series(1, cardinality(a))` /
 *   `unnest(a)` (set-returning functions in one select list run in lockstep, as in PostgreSQL).
 * - `generate_subscripts(a, 1)` → `generate_series(1, cardinality(a))`.
 * - `pg_partition_ancestors(r)`: a table is its only ancestor (no partitions here).
 * - `UNION ALL VALUES (x)` → `UNION ALL SELECT x`; `current_user`, `session_user`, `user` → calls;
 *   a scalar function in FROM (`string_to_array(…) s`) → a one-row derived table.
 */

import { relationOid, typeOidByName } from './functions.js';
import type { CatalogData } from './model.js';

type Kind = 'ident' | 'qident' | 'string' | 'number' | 'param' | 'op' | 'punct';
interface Tok {
  kind: Kind;
  text: string;
  /** Whitespace and comments before the token. */
  pre: string;
  /** Lower-cased word (identifiers), decoded value (strings). */
  value: string;
}

const OP_CHARS = '+-*/<>=~!@#%^&|`?';

function tokenize(sql: string): { toks: Tok[]; tail: string } {
  const toks: Tok[] = [];
  let i = 0;
  let pre = '';
  const n = sql.length;
  const push = (kind: Kind, start: number, value?: string) => {
    const text = sql.slice(start, i);
    toks.push({ kind, text, pre, value: value ?? text });
    pre = '';
  };
  while (i < n) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      pre += c;
      i++;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      pre += sql.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      pre += sql.slice(i, stop);
      i = stop;
      continue;
    }
    const start = i;
    if (c === "'" || ((c === 'e' || c === 'E') && sql[i + 1] === "'")) {
      const escaped = c !== "'";
      i += escaped ? 2 : 1;
      let value = '';
      while (i < n) {
        if (escaped && sql[i] === '\\') {
          value += sql.slice(i, i + 2);
          i += 2;
          continue;
        }
        if (sql[i] === "'") {
          if (sql[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += sql[i++];
      }
      push('string', start, value);
      continue;
    }
    if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end < 0 ? n : end + tag[0].length;
        push('string', start, sql.slice(start + tag[0].length, Math.max(start, i - tag[0].length)));
        continue;
      }
      const m = /^\$[0-9]+/.exec(sql.slice(i));
      if (m) {
        i += m[0].length;
        push('param', start);
        continue;
      }
    }
    if (c === '"') {
      i++;
      while (i < n && !(sql[i] === '"' && sql[i + 1] !== '"')) i += sql[i] === '"' ? 2 : 1;
      i++;
      push('qident', start, sql.slice(start + 1, i - 1).replace(/""/g, '"'));
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?/.exec(sql.slice(i))!;
      i += m[0].length;
      push('number', start);
      continue;
    }
    if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      while (i < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[i]!)) i++;
      push('ident', start, sql.slice(start, i).toLowerCase());
      continue;
    }
    if (c === ':' && sql[i + 1] === ':') {
      i += 2;
      push('op', start);
      continue;
    }
    if (OP_CHARS.includes(c)) {
      while (i < n && OP_CHARS.includes(sql[i]!) && !(sql[i] === '-' && sql[i + 1] === '-')) i++;
      push('op', start);
      continue;
    }
    i++;
    push('punct', start);
  }
  return { toks, tail: pre };
}

const render = (toks: readonly Tok[]): string => toks.map((t) => t.pre + t.text).join('');

/** Tokens from SQL text (leading whitespace dropped) to splice in. */
function toks(sql: string, pre = ' '): Tok[] {
  const t = tokenize(sql).toks;
  if (t[0]) t[0] = { ...t[0], pre };
  return t;
}

const NOT_FUNCTIONS = new Set([
  'in',
  'and',
  'or',
  'not',
  'when',
  'then',
  'else',
  'select',
  'from',
  'where',
  'on',
  'as',
  'by',
  'values',
  'over',
  'filter',
  'using',
  'join',
  'is',
  'like',
  'ilike',
  'between',
  'case',
  'exists',
  'any',
  'all',
  'some',
  'array',
]);

const isWord = (t: Tok | undefined, ...w: string[]) =>
  t !== undefined && t.kind === 'ident' && w.includes(t.value);
const isP = (t: Tok | undefined, p: string) =>
  t !== undefined && (t.kind === 'punct' || t.kind === 'op') && t.text === p;

function matchClose(ts: readonly Tok[], open: number): number {
  const o = ts[open]!.text;
  const c = o === '(' ? ')' : ']';
  let depth = 0;
  for (let i = open; i < ts.length; i++) {
    if (isP(ts[i], o)) depth++;
    else if (isP(ts[i], c) && --depth === 0) return i;
  }
  return ts.length - 1;
}

function matchOpen(ts: readonly Tok[], close: number): number {
  const c = ts[close]!.text;
  const o = c === ')' ? '(' : '[';
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    if (isP(ts[i], c)) depth++;
    else if (isP(ts[i], o) && --depth === 0) return i;
  }
  return 0;
}

/** Start index of the postfix operand that ends at `end` (a column chain, literal, call, group, subscript or cast). */
function operandStart(ts: readonly Tok[], end: number): number {
  let i = end;
  for (;;) {
    const t = ts[i]!;
    if (isP(t, ']')) {
      i = matchOpen(ts, i) - 1;
      continue;
    }
    if (isP(t, ')')) {
      i = matchOpen(ts, i);
      const f = ts[i - 1];
      if (f && (f.kind === 'ident' || f.kind === 'qident') && !NOT_FUNCTIONS.has(f.value)) {
        i--;
        while (isP(ts[i - 1], '.') && (ts[i - 2]?.kind === 'ident' || ts[i - 2]?.kind === 'qident')) i -= 2;
      }
    } else {
      while (isP(ts[i - 1], '.') && (ts[i - 2]?.kind === 'ident' || ts[i - 2]?.kind === 'qident')) i -= 2;
    }
    // `x::int::regclass`: the operand of the last cast includes the earlier ones.
    if (isP(ts[i - 1], '::') && i >= 2) {
      i -= 2;
      continue;
    }
    // Type names are words after `::`, already consumed above; an array suffix `[]` too.
    return i;
  }
}

/** End index (inclusive) of the operand that starts at `start`. */
function operandEnd(ts: readonly Tok[], start: number): number {
  let i = start;
  const t = ts[i]!;
  if (isP(t, '(')) i = matchClose(ts, i);
  else if (t.kind === 'ident' || t.kind === 'qident') {
    while (isP(ts[i + 1], '.') && ts[i + 2]) i += 2;
    if (isP(ts[i + 1], '(')) i = matchClose(ts, i + 1);
  } else if (isP(t, '-') || isP(t, '+')) i = operandEnd(ts, i + 1);
  for (;;) {
    if (isP(ts[i + 1], '[')) i = matchClose(ts, i + 1);
    else if (isP(ts[i + 1], '::') && ts[i + 2]) {
      i += 2;
      while (isP(ts[i + 1], '.') && ts[i + 2]) i += 2;
      if (isP(ts[i + 1], '[') && isP(ts[i + 2], ']')) i += 2;
    } else return i;
  }
}

const COMPARISON = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);
const REG_TYPES = new Set(['regclass', 'regtype', 'regnamespace', 'regproc', 'regprocedure', 'regrole']);
const TEXT_TYPES = new Set(['text', 'name', 'varchar', 'character', 'char', 'bpchar']);

/** Literal SQL for a string. */
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** One rewrite pass: returns the new token list, or undefined when the rule found nothing. */
type Rule = (ts: Tok[], data: CatalogData) => Tok[] | undefined;

const splice = (ts: Tok[], from: number, to: number, repl: Tok[]): Tok[] => {
  if (repl[0]) repl[0] = { ...repl[0], pre: ts[from]!.pre };
  return [...ts.slice(0, from), ...repl, ...ts.slice(to + 1)];
};

const regCast: Rule = (ts, data) => {
  for (let k = 0; k < ts.length; k++) {
    if (!isP(ts[k], '::')) continue;
    let j = k + 1;
    if (isWord(ts[j], 'pg_catalog') && isP(ts[j + 1], '.')) j += 2;
    const ty = ts[j];
    if (ty?.kind !== 'ident' || !REG_TYPES.has(ty.value)) continue;
    const array = isP(ts[j + 1], '[') && isP(ts[j + 2], ']');
    const last = array ? j + 2 : j;
    const s = operandStart(ts, k - 1);
    const operand = ts.slice(s, k);
    // Look through parentheses that hold only this cast: `((x)::regclass)::oid`.
    let o = s - 1;
    let c = last + 1;
    while (
      isP(ts[o], '(') &&
      isP(ts[c], ')') &&
      !(ts[o - 1]?.kind === 'ident' && !NOT_FUNCTIONS.has(ts[o - 1]!.value))
    ) {
      o--;
      c++;
    }
    const after = ts[c];
    let afterType: string | undefined;
    if (isP(after, '::')) {
      let m = c + 1;
      if (isWord(ts[m], 'pg_catalog') && isP(ts[m + 1], '.')) m += 2;
      afterType = ts[m]?.value;
    }
    const wantsText = afterType !== undefined && TEXT_TYPES.has(afterType);
    const before = ts[o];
    const compared =
      (before !== undefined && (COMPARISON.has(before.text) || isWord(before, 'in'))) ||
      (after !== undefined && COMPARISON.has(after.text)) ||
      (afterType !== undefined && !wantsText);
    const kind = ty.value === 'regprocedure' ? 'regproc' : ty.value;
    let repl: string;
    if (operand.length === 1 && operand[0]!.kind === 'string' && !array) {
      const v = operand[0]!.value;
      const numeric = /^\d+$/.test(v);
      if (wantsText) {
        repl = lit(v);
      } else if (numeric) {
        repl = v;
      } else if (kind === 'regclass') {
        const oid = relationOid(data, v);
        repl = oid === undefined ? `pg_regclass(${lit(v)})` : String(oid);
      } else if (kind === 'regtype') {
        const oid = typeOidByName(data, v);
        repl = oid === undefined ? `pg_regtype(${lit(v)})` : String(oid);
      } else if (kind === 'regnamespace') {
        repl = String(data.namespaces.find((n) => n.name === v)?.oid ?? `pg_regclass(${lit(v)})`);
      } else if (kind === 'regproc') {
        const p = data.procByName.get(v.replace(/^pg_catalog\./, ''));
        repl = p ? String(p.oid) : `pg_regproc(${lit(v)})`;
      } else repl = `CAST(${lit(v)} AS bigint)`;
      return splice(ts, s, last, toks(repl));
    }
    const inner = render(operand.map((t, i) => (i === 0 ? { ...t, pre: '' } : t)));
    if (array) repl = `pg_regtype_names(${inner})`;
    else if (kind === 'regclass') repl = compared ? `pg_regclass(${inner})` : `pg_regclass_name(${inner})`;
    else if (kind === 'regtype') repl = compared ? `pg_regtype(${inner})` : `pg_regtype_name(${inner})`;
    else if (kind === 'regnamespace') repl = compared ? `(${inner})` : `pg_regnamespace_name(${inner})`;
    else if (kind === 'regproc') repl = compared ? `pg_regproc(${inner})` : `(${inner})`;
    else repl = compared ? `(${inner})` : `pg_get_userbyid(${inner})`;
    // An unaliased select-list item keeps the column name PostgreSQL gives it (`conrelid`, not the function's).
    const lastTok = operand[operand.length - 1]!;
    const endsItem = after === undefined || isP(after, ',') || isWord(after, 'from');
    if (
      !compared &&
      endsItem &&
      afterType === undefined &&
      lastTok.kind !== 'punct' &&
      clauseOf(ts, s) === 'select'
    ) {
      if (lastTok.kind === 'ident' || lastTok.kind === 'qident') repl += ` AS ${lastTok.text}`;
    }
    return splice(ts, s, last, toks(repl));
  }
  return undefined;
};

/** `CAST(x AS regclass)` → `(x)::regclass` (and the CAST around it), so regCast sees one spelling. */
const castKeyword: Rule = (ts) => {
  for (let k = 0; k < ts.length; k++) {
    if (!isWord(ts[k], 'cast') || !isP(ts[k + 1], '(')) continue;
    const close = matchClose(ts, k + 1);
    const inner = ts.slice(k + 2, close);
    if (!inner.some((t) => t.kind === 'ident' && REG_TYPES.has(t.value))) continue;
    let depth = 0;
    let asAt = -1;
    for (let i = k + 2; i < close; i++) {
      if (isP(ts[i], '(')) depth++;
      else if (isP(ts[i], ')')) depth--;
      else if (depth === 0 && isWord(ts[i], 'as')) asAt = i;
    }
    if (asAt < 0) continue;
    const expr = render(ts.slice(k + 2, asAt).map((t, i) => (i === 0 ? { ...t, pre: '' } : t)));
    const type = render(ts.slice(asAt + 1, close).map((t, i) => (i === 0 ? { ...t, pre: '' } : t)));
    return splice(ts, k, close, toks(`((${expr})::${type})`));
  }
  return undefined;
};

/** `CASE WHEN c THEN a AND b ELSE … END`: the grammar wants a parenthesised boolean branch. */
const caseBranches: Rule = (ts) => {
  for (let k = 0; k < ts.length; k++) {
    if (!isWord(ts[k], 'then', 'else')) continue;
    let depth = 0;
    let end = -1;
    let logical = false;
    for (let i = k + 1; i < ts.length; i++) {
      if (isP(ts[i], '(') || isWord(ts[i], 'case')) depth++;
      else if (isP(ts[i], ')') || (isWord(ts[i], 'end') && depth > 0)) depth--;
      else if (depth === 0 && isWord(ts[i], 'when', 'else', 'end')) {
        end = i;
        break;
      } else if (depth === 0 && isWord(ts[i], 'and', 'or')) logical = true;
      if (depth < 0) break;
    }
    if (end < 0 || !logical) continue;
    const body = render(ts.slice(k + 1, end).map((t, i) => (i === 0 ? { ...t, pre: '' } : t)));
    return splice(ts, k + 1, end - 1, toks(`(${body})`));
  }
  return undefined;
};

const KEYWORD_ALIASES = new Set([
  'table',
  'update',
  'select',
  'insert',
  'delete',
  'role',
  'schema',
  'user',
  'order',
  'group',
  'from',
  'where',
  'limit',
  'default',
  'check',
  'column',
  'references',
]);
/** `expr AS table`: PostgreSQL accepts a keyword as a column alias after AS; the grammar wants it quoted. */
const keywordAlias: Rule = (ts) => {
  for (let k = 1; k < ts.length; k++) {
    const t = ts[k]!;
    if (t.kind !== 'ident' || !KEYWORD_ALIASES.has(t.value) || !isWord(ts[k - 1], 'as')) continue;
    if (!(ts[k + 1] === undefined || isP(ts[k + 1], ',') || isWord(ts[k + 1], 'from') || isP(ts[k + 1], ')')))
      continue;
    return splice(ts, k, k, toks(`"${t.value}"`));
  }
  return undefined;
};

const subscript: Rule = (ts) => {
  for (let k = 1; k < ts.length; k++) {
    if (!isP(ts[k], '[')) continue;
    const prev = ts[k - 1]!;
    if (isWord(prev, 'array') || isP(prev, '::')) continue;
    if (!(prev.kind === 'ident' || prev.kind === 'qident' || isP(prev, ')') || isP(prev, ']'))) continue;
    // A type name after `::` (`::int2[]`) is no subscript.
    const close = matchClose(ts, k);
    if (close === k + 1) continue;
    const inner = ts.slice(k + 1, close);
    // The engine reads `a[1]` but not `(expr)[1]` nor `a[expr]`.
    if (inner.length === 1 && inner[0]!.kind === 'number' && !isP(prev, ')')) continue;
    if (inner.some((t) => isP(t, ':'))) continue;
    const s = operandStart(ts, k - 1);
    if (isP(ts[s - 1], '::')) continue;
    const arr = render(ts.slice(s, k).map((t, i) => (i === 0 ? { ...t, pre: '' } : t)));
    const idx = render(inner.map((t, i) => (i === 0 ? { ...t, pre: '' } : t)));
    return splice(ts, s, close, toks(`pg_subscript(${arr}, ${idx})`));
  }
  return undefined;
};

const bitAnd: Rule = (ts) => {
  for (let k = 1; k < ts.length - 1; k++) {
    if (!(ts[k]!.kind === 'op' && ts[k]!.text === '&')) continue;
    const s = operandStart(ts, k - 1);
    const e = operandEnd(ts, k + 1);
    const a = render(ts.slice(s, k).map((t, i) => (i === 0 ? { ...t, pre: '' } : t)));
    const b = render(ts.slice(k + 1, e + 1).map((t, i) => (i === 0 ? { ...t, pre: '' } : t)));
    return splice(ts, s, e, toks(`pg_bitand(${a}, ${b})`));
  }
  return undefined;
};

/** `[schema .] name (` at k: the index of `(`, or -1. */
function callAt(ts: readonly Tok[], k: number, name: string, schema?: string): number {
  let j = k;
  if (schema !== undefined && isWord(ts[j], schema) && isP(ts[j + 1], '.')) j += 2;
  else if (isWord(ts[j], 'pg_catalog') && isP(ts[j + 1], '.')) j += 2;
  return isWord(ts[j], name) && isP(ts[j + 1], '(') ? j + 1 : -1;
}

const argText = (ts: readonly Tok[], open: number, close: number) =>
  render(ts.slice(open + 1, close).map((t, i) => (i === 0 ? { ...t, pre: '' } : t)));

const expandArray: Rule = (ts) => {
  for (let k = 0; k < ts.length; k++) {
    // ( information_schema._pg_expandarray(a) ) . n|x
    if (isP(ts[k], '(')) {
      const open = callAt(ts, k + 1, '_pg_expandarray', 'information_schema');
      if (open > 0) {
        const close = matchClose(ts, open);
        if (isP(ts[close + 1], ')') && isP(ts[close + 2], '.') && isWord(ts[close + 3], 'n', 'x')) {
          const a = argText(ts, open, close);
          const repl =
            ts[close + 3]!.value === 'n' ? `generate_series(1, cardinality(${a}))` : `unnest(${a})`;
          return splice(ts, k, close + 3, toks(repl));
        }
      }
    }
    const open = callAt(ts, k, '_pg_expandarray', 'information_schema');
    if (open > 0 && isWord(ts[k], 'information_schema')) {
      const close = matchClose(ts, open);
      return splice(ts, k, close, toks(`unnest(${argText(ts, open, close)})`));
    }
  }
  return undefined;
};

/** `(alias.keys).x` where `keys` was an `_pg_expandarray(…)` column (now unnested): the element itself. */
const expandedElement: Rule = (ts) => {
  for (let k = 0; k + 6 < ts.length; k++) {
    if (
      isP(ts[k], '(') &&
      (ts[k + 1]!.kind === 'ident' || ts[k + 1]!.kind === 'qident') &&
      isP(ts[k + 2], '.') &&
      isP(ts[k + 4], ')') &&
      isP(ts[k + 5], '.') &&
      isWord(ts[k + 6], 'x')
    ) {
      return splice(
        ts,
        k,
        k + 6,
        [ts[k + 1]!, ts[k + 2]!, ts[k + 3]!].map((t) => ({ ...t, pre: '' })),
      );
    }
  }
  return undefined;
};

const generateSubscripts: Rule = (ts) => {
  for (let k = 0; k < ts.length; k++) {
    const open = callAt(ts, k, 'generate_subscripts');
    if (open < 0) continue;
    const close = matchClose(ts, open);
    const args = splitArgs(ts, open, close);
    if (args.length < 1) continue;
    return splice(ts, k, close, toks(`generate_series(1, cardinality(${args[0]}))`));
  }
  return undefined;
};

function splitArgs(ts: readonly Tok[], open: number, close: number): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < close; i++) {
    if (isP(ts[i], '(') || isP(ts[i], '[')) depth++;
    else if (isP(ts[i], ')') || isP(ts[i], ']')) depth--;
    else if (depth === 0 && isP(ts[i], ',')) {
      out.push(argText(ts, start - 1, i));
      start = i + 1;
    }
  }
  if (close > open + 1) out.push(argText(ts, start - 1, close));
  return out;
}

const partitionAncestors: Rule = (ts) => {
  for (let k = 0; k < ts.length; k++) {
    const open = callAt(ts, k, 'pg_partition_ancestors');
    if (open < 0) continue;
    const close = matchClose(ts, open);
    const a = argText(ts, open, close);
    // `… WITH ORDINALITY AS a(relid, depth)` in FROM: one row, the relation itself at depth 1.
    if (isWord(ts[close + 1], 'with') && isWord(ts[close + 2], 'ordinality')) {
      let j = close + 3;
      if (isWord(ts[j], 'as')) j++;
      const alias = ts[j]!.text;
      const colsOpen = j + 1;
      const colsClose = matchClose(ts, colsOpen);
      const names = splitArgs(ts, colsOpen, colsClose);
      const repl = `(SELECT CAST(${a} AS bigint) AS ${names[0] ?? 'relid'}, 1 AS ${names[1] ?? 'ordinality'}) AS ${alias}`;
      return splice(ts, k, colsClose, toks(repl));
    }
    return splice(ts, k, close, toks(`CAST(${a} AS bigint)`));
  }
  return undefined;
};

const unionValues: Rule = (ts) => {
  for (let k = 0; k < ts.length; k++) {
    if (!isWord(ts[k], 'union', 'intersect', 'except')) continue;
    let j = k + 1;
    if (isWord(ts[j], 'all', 'distinct')) j++;
    if (!isWord(ts[j], 'values') || !isP(ts[j + 1], '(')) continue;
    const close = matchClose(ts, j + 1);
    if (isP(ts[close + 1], ',')) continue;
    return splice(ts, j, close, toks(`SELECT ${argText(ts, j + 1, close)}`));
  }
  return undefined;
};

const USER_WORDS = new Set(['current_user', 'session_user', 'user', 'current_role', 'current_catalog']);
const bareUser: Rule = (ts) => {
  for (let k = 0; k < ts.length; k++) {
    const t = ts[k]!;
    if (t.kind !== 'ident' || !USER_WORDS.has(t.value)) continue;
    if (isP(ts[k + 1], '(') || isP(ts[k - 1], '.') || isP(ts[k + 1], '.') || isWord(ts[k - 1], 'as'))
      continue;
    return splice(ts, k, k, toks(`${t.value}()`));
  }
  return undefined;
};

const SCALAR_IN_FROM = new Set(['string_to_array', 'current_schemas', 'parse_ident', 'current_setting']);
const scalarInFrom: Rule = (ts) => {
  for (let k = 1; k < ts.length; k++) {
    const t = ts[k]!;
    if (t.kind !== 'ident' || !SCALAR_IN_FROM.has(t.value) || !isP(ts[k + 1], '(')) continue;
    if (!(isWord(ts[k - 1], 'from', 'join') || isP(ts[k - 1], ','))) continue;
    if (isP(ts[k - 1], ',') && !inFromClause(ts, k)) continue;
    const close = matchClose(ts, k + 1);
    let j = close + 1;
    if (isWord(ts[j], 'as')) j++;
    const alias = ts[j];
    if (alias?.kind !== 'ident' || NOT_FUNCTIONS.has(alias.value) || isWord(alias, 'where', 'order', 'group'))
      continue;
    const call = render(ts.slice(k, close + 1).map((x, i) => (i === 0 ? { ...x, pre: '' } : x)));
    return splice(ts, k, j, toks(`(SELECT ${call} AS ${alias.text}) AS ${alias.text}`));
  }
  return undefined;
};

/** The clause keyword (select, from, where, …) token k belongs to at its own parenthesis depth. */
function clauseOf(ts: readonly Tok[], k: number): string | undefined {
  let depth = 0;
  for (let i = k - 1; i >= 0; i--) {
    if (isP(ts[i], ')')) depth++;
    else if (isP(ts[i], '(')) {
      if (depth === 0) return undefined;
      depth--;
    } else if (
      depth === 0 &&
      isWord(ts[i], 'select', 'from', 'where', 'on', 'group', 'order', 'having', 'returning')
    )
      return ts[i]!.value;
  }
  return undefined;
}

/** True when token k sits in a FROM list (the nearest clause keyword at its depth is FROM). */
function inFromClause(ts: readonly Tok[], k: number): boolean {
  let depth = 0;
  for (let i = k - 1; i >= 0; i--) {
    if (isP(ts[i], ')')) depth++;
    else if (isP(ts[i], '(')) {
      if (depth === 0) return false;
      depth--;
    } else if (depth === 0 && isWord(ts[i], 'from')) return true;
    else if (depth === 0 && isWord(ts[i], 'select', 'where', 'on', 'group', 'order', 'having')) return false;
  }
  return false;
}

const RULES: readonly Rule[] = [
  keywordAlias,
  caseBranches,
  castKeyword,
  unionValues,
  partitionAncestors,
  expandArray,
  generateSubscripts,
  regCast,
  subscript,
  bitAnd,
  bareUser,
  scalarInFrom,
];

/** True when a statement reads the catalog (pg_* relations, information_schema, catalog functions or reg* casts). */
export function isCatalogStatement(sql: string): boolean {
  return /\bpg_[a-z_]+|information_schema|\breg(class|type|proc|namespace)\b|\bcurrent_(user|schema|database|setting)\b|\bsession_user\b|\bversion\s*\(|\bformat_type\b|\bhas_\w+_privilege\b|\bobj_description\b|\bcol_description\b/i.test(
    sql,
  );
}

/**
 * pgcli's key-column lists: `(select array_agg(attname ORDER BY i) from (select unnest(k) as attnum,
 * generate_subscripts(k, 1) as i) x JOIN pg_attribute c USING(attnum) WHERE c.attrelid = r)` reads
 * the outer `k` inside a derived table, which the engine does not correlate; the same list without
 * the derived table.
 */
const KEY_COLUMN_LIST =
  /\(\s*select\s+array_agg\((\w+)\s+ORDER\s+BY\s+i\)\s+from\s+\(\s*select\s+unnest\((\w+)\)\s+as\s+attnum,\s*generate_subscripts\(\2,\s*1\)\s+as\s+i\s*\)\s+x\s+JOIN\s+(?:pg_catalog\.)?pg_attribute\s+c\s+USING\s*\(\s*attnum\s*\)\s+WHERE\s+c\.attrelid\s*=\s*([\w.]+)\s*\)/gi;

/** Rewrites one catalog statement so the engine can run it (see the module comment for the rules). */
export function rewriteCatalogSql(sql: string, data: CatalogData): string {
  const text = sql.replace(
    KEY_COLUMN_LIST,
    (_m, col: string, key: string, rel: string) =>
      `(select array_agg(c.${col} ORDER BY array_position(${key}, c.attnum)) from pg_catalog.pg_attribute c WHERE c.attrelid = ${rel} AND c.attnum = ANY(${key}))`,
  );
  const { toks: initial, tail } = tokenize(text);
  let ts = initial;
  const rules = /_pg_expandarray/i.test(text) ? [expandedElement, ...RULES] : RULES;
  for (const rule of rules) {
    // Each rule rewrites one occurrence per call; loop until it finds no more (bounded for safety).
    for (let guard = 0; guard < 500; guard++) {
      const next = rule(ts, data);
      if (!next) break;
      ts = next;
    }
  }
  return render(ts) + tail;
}
