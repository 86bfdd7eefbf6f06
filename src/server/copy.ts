/**
 * COPY for the wire server: parsing the statement (node-sql-parser cannot), checking its options as
 * PostgreSQL's ProcessCopyOptions does, and encoding rows in COPY's text, CSV and binary formats
 * byte for byte as PostgreSQL writes them. The connection drives the protocol (copy.ts never
 * touches a socket).
 */
import { UTC, type Zone } from '../catalog/timezone.js';
import type { SqlType } from '../catalog/types.js';
import type { Field } from '../engine.js';
import { SqlError } from '../errors.js';
import { writeValue } from './pg-types.js';
import { type CellText, type CopyLineFormat, cellTextFn, type RowBuffer, textOutput } from './row-buffer.js';
import type { MessageBuilder } from './wire.js';

/** COPY's data formats. */
export type CopyFormat = 'text' | 'csv' | 'binary';

/** The options of one COPY statement, with PostgreSQL's defaults filled in. */
export interface CopyOptions {
  readonly format: CopyFormat;
  readonly header: boolean;
  /** `HEADER MATCH` (COPY FROM only): the header line must name the columns. */
  readonly headerMatch: boolean;
  readonly delimiter: string;
  readonly null: string;
  readonly quote: string;
  readonly escape: string;
  /** Columns always quoted in CSV output (`*` = all); names as the result fields spell them. */
  readonly forceQuote: '*' | readonly string[];
  readonly forceNotNull: readonly string[];
  readonly forceNull: readonly string[];
}

/** What a COPY statement reads or writes on the server side. */
export type CopySource =
  | {
      readonly kind: 'query';
      readonly sql: string;
      /** Where the query starts in the statement (0-based UTF-16 offset), for error positions. */
      readonly offset: number;
    }
  | {
      readonly kind: 'table';
      /** The table name as written (quoted parts kept), for a SELECT over it. */
      readonly table: string;
      /** Column names as written (quoted where they were), or null for all columns. */
      readonly columns: readonly string[] | null;
    };

/** A parsed COPY statement. */
export interface CopyStatement {
  readonly direction: 'to' | 'from';
  readonly source: CopySource;
  /** STDOUT/STDIN, or a server-side file or program (always refused). */
  readonly endpoint: 'stdio' | 'file' | 'program';
  readonly options: CopyOptions;
  /** The WHERE condition of COPY … FROM (raw SQL), if any. */
  readonly where?: string;
}

interface Token {
  readonly kind: 'word' | 'ident' | 'string' | 'number' | 'punct';
  /** Words lower-cased, identifiers and strings unquoted. */
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

const syntax = (sql: string, t: Token | undefined): SqlError =>
  new SqlError(
    '42601',
    t ? `syntax error at or near "${sql.slice(t.start, t.end)}"` : 'syntax error at end of input',
    t ? { position: t.start + 1 } : {},
  );

/** Tokens of a statement: comments skipped, string literals (standard, E'', $$) and quoted identifiers read. */
function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const e = sql.indexOf('\n', i);
      i = e < 0 ? n : e;
    } else if (c === '/' && sql[i + 1] === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (sql.startsWith('/*', j)) {
          depth++;
          j += 2;
        } else if (sql.startsWith('*/', j)) {
          depth--;
          j += 2;
        } else j++;
      }
      i = j;
    } else if (c === "'" || ((c === 'e' || c === 'E') && sql[i + 1] === "'")) {
      const escapes = c !== "'";
      let j = escapes ? i + 2 : i + 1;
      let v = '';
      for (;;) {
        if (j >= n) throw new SqlError('42601', 'unterminated quoted string', { position: i + 1 });
        const ch = sql[j]!;
        if (ch === "'") {
          if (sql[j + 1] === "'") {
            v += "'";
            j += 2;
            continue;
          }
          j++;
          break;
        }
        if (escapes && ch === '\\') {
          const e = sql[j + 1] ?? '';
          const map: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
          v += map[e] ?? e;
          j += 2;
          continue;
        }
        v += ch;
        j++;
      }
      out.push({ kind: 'string', value: v, start: i, end: j });
      i = j;
    } else if (c === '"') {
      let j = i + 1;
      let v = '';
      for (;;) {
        if (j >= n) throw new SqlError('42601', 'unterminated quoted identifier', { position: i + 1 });
        if (sql[j] === '"') {
          if (sql[j + 1] === '"') {
            v += '"';
            j += 2;
            continue;
          }
          j++;
          break;
        }
        v += sql[j];
        j++;
      }
      out.push({ kind: 'ident', value: v, start: i, end: j });
      i = j;
    } else if (c === '$' && /^\$([A-Za-z_]\w*)?\$/.test(sql.slice(i, i + 66))) {
      const tag = /^\$([A-Za-z_]\w*)?\$/.exec(sql.slice(i, i + 66))![0];
      const close = sql.indexOf(tag, i + tag.length);
      const end = close < 0 ? n : close + tag.length;
      out.push({ kind: 'string', value: sql.slice(i + tag.length, close < 0 ? n : close), start: i, end });
      i = end;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const m = /^[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*/.exec(sql.slice(i))!;
      out.push({ kind: 'word', value: m[0].toLowerCase(), start: i, end: i + m[0].length });
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(sql.slice(i))!;
      out.push({ kind: 'number', value: m[0], start: i, end: i + m[0].length });
      i += m[0].length;
    } else {
      out.push({ kind: 'punct', value: c, start: i, end: i + 1 });
      i++;
    }
  }
  return out;
}

/** An identifier token as SQL text (quoted when it was quoted). */
function identText(sql: string, t: Token): string {
  return sql.slice(t.start, t.end);
}

/** The name a column has in a result: unquoted identifiers fold to lower case. */
function fieldName(t: Token): string {
  return t.value;
}

/** True when a statement is a COPY (by its first word). */
export function isCopy(sql: string): boolean {
  const t = tokenize(sql)[0];
  return t?.kind === 'word' && t.value === 'copy';
}

/**
 * Parses `COPY { table [(cols)] | (query) } { TO | FROM } { STDOUT | STDIN | 'file' | PROGRAM 'cmd' }`
 * with options in the parenthesised form (`WITH (FORMAT csv, HEADER, …)`) or the old keyword form
 * (`WITH CSV HEADER DELIMITER AS ';' …`, which psql's `\copy` sends). Throws SqlError 42601 on bad
 * syntax and the errors PostgreSQL gives for inconsistent options.
 */
export function parseCopy(sql: string): CopyStatement {
  const toks = tokenize(sql.replace(/;\s*$/, ''));
  let i = 0;
  const peek = (k = 0): Token | undefined => toks[i + k];
  const isWord = (w: string, k = 0): boolean => peek(k)?.kind === 'word' && peek(k)!.value === w;
  const isPunct = (p: string, k = 0): boolean => peek(k)?.kind === 'punct' && peek(k)!.value === p;
  const expectWord = (w: string): void => {
    if (!isWord(w)) throw syntax(sql, peek());
    i++;
  };
  const expectPunct = (p: string): void => {
    if (!isPunct(p)) throw syntax(sql, peek());
    i++;
  };
  const name = (): Token => {
    const t = peek();
    if (!t || (t.kind !== 'word' && t.kind !== 'ident')) throw syntax(sql, t);
    i++;
    return t;
  };
  const nameList = (): Token[] => {
    const names = [name()];
    while (isPunct(',')) {
      i++;
      names.push(name());
    }
    return names;
  };

  expectWord('copy');
  let source: CopySource;
  let binaryPrefix = false;
  if (isWord('binary')) {
    // Pre-7.3 syntax `COPY BINARY table …`, which PostgreSQL still accepts.
    binaryPrefix = true;
    i++;
  }
  if (isPunct('(')) {
    const open = peek()!;
    let depth = 0;
    let close: Token | undefined;
    for (let j = i; j < toks.length; j++) {
      const t = toks[j]!;
      if (t.kind !== 'punct') continue;
      if (t.value === '(') depth++;
      else if (t.value === ')' && --depth === 0) {
        close = t;
        i = j + 1;
        break;
      }
    }
    if (!close) throw syntax(sql, undefined);
    const raw = sql.slice(open.end, close.start);
    const inner = raw.trim();
    if (inner === '') throw syntax(sql, close);
    source = { kind: 'query', sql: inner, offset: open.end + (raw.length - raw.trimStart().length) };
  } else {
    const parts = [name()];
    while (isPunct('.')) {
      i++;
      parts.push(name());
    }
    let columns: string[] | null = null;
    if (isPunct('(')) {
      i++;
      columns = nameList().map((t) => identText(sql, t));
      expectPunct(')');
    }
    source = { kind: 'table', table: parts.map((t) => identText(sql, t)).join('.'), columns };
  }

  let direction: 'to' | 'from';
  if (isWord('to')) direction = 'to';
  else if (isWord('from')) direction = 'from';
  else throw syntax(sql, peek());
  i++;
  if (source.kind === 'query' && direction === 'from') throw syntax(sql, toks[i - 1]);

  let endpoint: CopyStatement['endpoint'];
  if (isWord('stdout') || isWord('stdin')) {
    if (peek()!.value !== (direction === 'to' ? 'stdout' : 'stdin')) throw syntax(sql, peek());
    endpoint = 'stdio';
    i++;
  } else if (peek()?.kind === 'string') {
    endpoint = 'file';
    i++;
  } else if (isWord('program') && peek(1)?.kind === 'string') {
    endpoint = 'program';
    i += 2;
  } else throw syntax(sql, peek());

  const raw: RawOptions = new Map();
  const set = (key: string, value: RawValue, at: Token): void => {
    if (raw.has(key))
      throw new SqlError('42601', 'conflicting or redundant options', { position: at.start + 1 });
    raw.set(key, value);
  };
  if (binaryPrefix) set('format', 'binary', toks[1]!);
  if (isWord('with') && isPunct('(', 1)) i++;
  if (isPunct('(')) {
    // The generic option list: name [value], …
    i++;
    for (;;) {
      const opt = name();
      const key = opt.value;
      let value: RawValue = true;
      const t = peek();
      if (isPunct('(')) {
        i++;
        value = nameList().map(fieldName);
        expectPunct(')');
      } else if (isPunct('*')) {
        i++;
        value = '*';
      } else if (
        t &&
        (t.kind === 'string' || t.kind === 'number' || t.kind === 'word' || t.kind === 'ident')
      ) {
        i++;
        value = t.value;
      }
      set(key, value, opt);
      if (isPunct(',')) {
        i++;
        continue;
      }
      expectPunct(')');
      break;
    }
  } else {
    // The old keyword form, in any order.
    if (isWord('with')) i++;
    const str = (): string => {
      if (isWord('as')) i++;
      const t = peek();
      if (t?.kind !== 'string') throw syntax(sql, t);
      i++;
      return t.value;
    };
    while (peek() && !isWord('where')) {
      const t = peek()!;
      if (t.kind !== 'word') throw syntax(sql, t);
      i++;
      switch (t.value) {
        case 'binary':
          set('format', 'binary', t);
          break;
        case 'csv':
          set('format', 'csv', t);
          break;
        case 'header':
          set('header', true, t);
          break;
        case 'delimiter':
          set('delimiter', str(), t);
          break;
        case 'null':
          set('null', str(), t);
          break;
        case 'quote':
          set('quote', str(), t);
          break;
        case 'escape':
          set('escape', str(), t);
          break;
        case 'encoding':
          set('encoding', str(), t);
          break;
        case 'force': {
          if (isWord('quote')) {
            i++;
            if (isPunct('*')) {
              i++;
              set('force_quote', '*', t);
            } else set('force_quote', nameList().map(fieldName), t);
          } else if (isWord('not') && isWord('null', 1)) {
            i += 2;
            set('force_not_null', nameList().map(fieldName), t);
          } else if (isWord('null')) {
            i++;
            set('force_null', nameList().map(fieldName), t);
          } else throw syntax(sql, peek());
          break;
        }
        default:
          throw syntax(sql, t);
      }
    }
  }
  let where: string | undefined;
  if (isWord('where')) {
    if (direction === 'to') {
      throw new SqlError('0A000', 'WHERE clause not allowed with COPY TO', { position: peek()!.start + 1 });
    }
    where = sql.slice(peek()!.end).replace(/;\s*$/, '').trim();
    i = toks.length;
  }
  if (peek()) throw syntax(sql, peek());
  const options = copyOptions(raw, direction);
  const stmt: CopyStatement = { direction, source, endpoint, options, ...(where ? { where } : {}) };
  return stmt;
}

type RawValue = true | string | string[];
type RawOptions = Map<string, RawValue>;

function boolOption(name: string, v: RawValue): boolean {
  if (v === true) return true;
  if (typeof v === 'string') {
    const s = v.toLowerCase();
    if (['true', 'on', '1', 't', 'yes', 'y'].includes(s)) return true;
    if (['false', 'off', '0', 'f', 'no', 'n'].includes(s)) return false;
  }
  throw new SqlError('42601', `${name} requires a Boolean value`);
}

function stringOption(name: string, v: RawValue): string {
  if (typeof v !== 'string') throw new SqlError('22023', `${name} requires a string value`);
  return v;
}

function listOption(name: string, v: RawValue): '*' | string[] {
  if (v === '*' || Array.isArray(v)) return v;
  throw new SqlError('22023', `argument to option "${name}" must be a list of column names`);
}

/** Checks options as PostgreSQL 15's ProcessCopyOptions does and fills in the defaults. */
function copyOptions(raw: RawOptions, direction: 'to' | 'from'): CopyOptions {
  let format: CopyFormat = 'text';
  let header = false;
  let headerMatch = false;
  let delimiter: string | undefined;
  let nullStr: string | undefined;
  let quote: string | undefined;
  let escapeChar: string | undefined;
  let forceQuote: '*' | string[] = [];
  let forceNotNull: string[] = [];
  let forceNull: string[] = [];
  for (const [key, v] of raw) {
    switch (key) {
      case 'format': {
        const f = stringOption('format', v).toLowerCase();
        if (f !== 'text' && f !== 'csv' && f !== 'binary') {
          throw new SqlError('22023', `COPY format "${f}" not recognized`);
        }
        format = f;
        break;
      }
      case 'header':
        if (typeof v === 'string' && v.toLowerCase() === 'match') {
          if (direction === 'to') throw new SqlError('0A000', 'cannot use "match" with HEADER in COPY TO');
          header = true;
          headerMatch = true;
        } else header = boolOption('header', v);
        break;
      case 'delimiter':
        delimiter = stringOption('delimiter', v);
        break;
      case 'null':
        nullStr = stringOption('null', v);
        break;
      case 'quote':
        quote = stringOption('quote', v);
        break;
      case 'escape':
        escapeChar = stringOption('escape', v);
        break;
      case 'force_quote':
        forceQuote = listOption('force_quote', v);
        break;
      case 'force_not_null': {
        const l = listOption('force_not_null', v);
        if (l === '*')
          throw new SqlError('22023', 'argument to option "force_not_null" must be a list of column names');
        forceNotNull = l;
        break;
      }
      case 'force_null': {
        const l = listOption('force_null', v);
        if (l === '*')
          throw new SqlError('22023', 'argument to option "force_null" must be a list of column names');
        forceNull = l;
        break;
      }
      case 'encoding': {
        const e = stringOption('encoding', v);
        if (!/^(utf-?8|unicode)$/i.test(e)) {
          throw new SqlError('22023', `argument to option "encoding" must be a valid encoding name`, {
            hint: 'This server speaks UTF8 only.',
          });
        }
        break;
      }
      case 'freeze':
        boolOption('freeze', v);
        break;
      default:
        throw new SqlError('42601', `option "${key}" not recognized`);
    }
  }
  const csv = format === 'csv';
  const binary = format === 'binary';
  if (binary && delimiter !== undefined)
    throw new SqlError('42601', 'cannot specify DELIMITER in BINARY mode');
  if (binary && nullStr !== undefined) throw new SqlError('42601', 'cannot specify NULL in BINARY mode');
  if (binary && header) throw new SqlError('0A000', 'cannot specify HEADER in BINARY mode');
  const delim = delimiter ?? (csv ? ',' : '\t');
  const nul = nullStr ?? (csv ? '' : '\\N');
  if (Buffer.byteLength(delim) !== 1) {
    throw new SqlError('0A000', 'COPY delimiter must be a single one-byte character');
  }
  if (delim === '\n' || delim === '\r') {
    throw new SqlError('22023', 'COPY delimiter cannot be newline or carriage return');
  }
  if (/[\r\n]/.test(nul)) {
    throw new SqlError('22023', 'COPY null representation cannot use newline or carriage return');
  }
  if (!csv && '\\.abcdefghijklmnopqrstuvwxyz0123456789'.includes(delim)) {
    throw new SqlError('22023', `COPY delimiter cannot be "${delim}"`);
  }
  if (!csv && quote !== undefined) throw new SqlError('0A000', 'COPY quote available only in CSV mode');
  const q = quote ?? '"';
  if (csv && Buffer.byteLength(q) !== 1) {
    throw new SqlError('0A000', 'COPY quote must be a single one-byte character');
  }
  if (csv && delim === q) throw new SqlError('22023', 'COPY delimiter and quote must be different');
  if (!csv && escapeChar !== undefined) throw new SqlError('0A000', 'COPY escape available only in CSV mode');
  const esc = escapeChar ?? q;
  if (csv && Buffer.byteLength(esc) !== 1) {
    throw new SqlError('0A000', 'COPY escape must be a single one-byte character');
  }
  const hasForceQuote = forceQuote === '*' || forceQuote.length > 0;
  if (!csv && hasForceQuote) throw new SqlError('0A000', 'COPY force quote available only in CSV mode');
  if (hasForceQuote && direction === 'from') {
    throw new SqlError('0A000', 'COPY force quote only available using COPY TO');
  }
  if (!csv && forceNotNull.length > 0) {
    throw new SqlError('0A000', 'COPY force not null available only in CSV mode');
  }
  if (forceNotNull.length > 0 && direction === 'to') {
    throw new SqlError('0A000', 'COPY force not null only available using COPY FROM');
  }
  if (!csv && forceNull.length > 0) throw new SqlError('0A000', 'COPY force null available only in CSV mode');
  if (forceNull.length > 0 && direction === 'to') {
    throw new SqlError('0A000', 'COPY force null only available using COPY FROM');
  }
  if (nul.includes(delim)) {
    throw new SqlError('0A000', 'COPY delimiter must not appear in the NULL specification');
  }
  if (csv && nul.includes(q)) {
    throw new SqlError('0A000', 'CSV quote character must not appear in the NULL specification');
  }
  return {
    format,
    header,
    headerMatch,
    delimiter: delim,
    null: nul,
    quote: q,
    escape: esc,
    forceQuote,
    forceNotNull,
    forceNull,
  };
}

/** The SELECT a `COPY … TO` runs. */
export function copyQuery(stmt: CopyStatement): string {
  const s = stmt.source;
  if (s.kind === 'query') return s.sql;
  return `SELECT ${s.columns ? s.columns.join(', ') : '*'} FROM ${s.table}`;
}

/** The refusal for COPY to or from a file or program on the server. */
export function serverFileRefusal(stmt: CopyStatement): SqlError {
  const what = stmt.endpoint === 'program' ? 'a program' : 'a file';
  return new SqlError('42501', `COPY ${stmt.direction} ${what} on the server is not allowed`, {
    hint:
      stmt.direction === 'to'
        ? "Use COPY … TO STDOUT, or psql's \\copy … to 'file', which writes the file on the client."
        : "Use COPY … FROM STDIN, or psql's \\copy … from 'file', which reads the file on the client.",
  });
}

// Characters COPY text format writes as backslash escapes (CopyAttributeOutText).
const TEXT_ESCAPES: Record<string, string> = {
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
};

/** Escapes one value for COPY text format: control characters, backslash and the delimiter. */
export function copyTextField(s: string, delimiter: string): string {
  let special = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 8 && c <= 13) || c === 92 || s[i] === delimiter) {
      special = true;
      break;
    }
  }
  if (!special) return s;
  let out = '';
  for (const ch of s) {
    const e = TEXT_ESCAPES[ch];
    out += e ?? (ch === delimiter ? `\\${ch}` : ch);
  }
  return out;
}

/**
 * Quotes one value for COPY CSV output as CopyAttributeOutCSV does: when forced, when it equals the
 * NULL string, when it holds the delimiter, quote, CR or LF, or when it is `\.` alone in a one-column
 * row (the end-of-data marker). Quotes and escape characters inside are preceded by the escape.
 */
export function copyCsvField(s: string, o: CopyOptions, force: boolean, singleColumn: boolean): string {
  let quote = force || s === o.null;
  if (!quote) {
    if (singleColumn && s === '\\.') quote = true;
    else {
      for (let i = 0; i < s.length; i++) {
        const ch = s[i];
        if (ch === o.delimiter || ch === o.quote || ch === '\n' || ch === '\r') {
          quote = true;
          break;
        }
      }
    }
  }
  if (!quote) return s;
  let out = o.quote;
  for (const ch of s) {
    if (ch === o.quote || ch === o.escape) out += o.escape;
    out += ch;
  }
  return out + o.quote;
}

const BINARY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * Writes COPY output rows for one result: the header line (text/CSV), one line per row, and in
 * binary format the file header (with the first CopyData) and trailer. Each method appends exactly
 * the payload of one CopyData message to `b`; the caller frames it.
 */
export class CopyEncoder {
  private readonly forced: readonly boolean[];
  private readonly types: readonly SqlType[];
  private binaryHeaderPending: boolean;
  private readonly cells: readonly CellText[];
  private readonly lineFormat: CopyLineFormat;

  constructor(
    private readonly fields: readonly Field[],
    readonly options: CopyOptions,
    /** The session's TimeZone, for timestamptz values. */
    private readonly zone: Zone = UTC,
  ) {
    this.types = fields.map((f) => f.type);
    const fq = options.forceQuote;
    if (fq !== '*') {
      for (const name of fq) {
        if (!fields.some((f) => f.name === name)) {
          throw new SqlError('42703', `FORCE_QUOTE column "${name}" not referenced by COPY`);
        }
      }
    }
    this.forced = fields.map((f) => fq === '*' || fq.includes(f.name));
    this.binaryHeaderPending = options.format === 'binary';
    this.cells = this.types.map((t) => cellTextFn(t, zone));
    this.lineFormat = {
      csv: options.format === 'csv',
      delimiter: options.delimiter.charCodeAt(0),
      null: options.null,
      quote: options.quote.charCodeAt(0),
      escape: options.escape.charCodeAt(0),
      forced: this.forced,
    };
  }

  /** The format code of every column (0 text, 1 binary), for CopyOutResponse. */
  get formatCode(): 0 | 1 {
    return this.options.format === 'binary' ? 1 : 0;
  }

  /** The header line (text/CSV with HEADER), or null. */
  header(): string | null {
    const o = this.options;
    if (!o.header || o.format === 'binary') return null;
    const single = this.fields.length === 1;
    const names = this.fields.map((f) =>
      o.format === 'csv' ? copyCsvField(f.name, o, false, single) : copyTextField(f.name, o.delimiter),
    );
    return `${names.join(o.delimiter)}\n`;
  }

  /** Appends one row as a text/CSV CopyData message (the fast path of {@link line}). */
  lineInto(rb: RowBuffer, row: readonly unknown[]): void {
    rb.copyLine(row, this.cells, this.lineFormat);
  }

  /** One row as a text/CSV line, newline included. */
  line(row: readonly unknown[]): string {
    const o = this.options;
    const n = this.types.length;
    const csv = o.format === 'csv';
    let out = '';
    for (let c = 0; c < n; c++) {
      if (c > 0) out += o.delimiter;
      const v = row[c] ?? null;
      if (v === null) {
        out += o.null;
        continue;
      }
      const s = textOutput(v, this.types[c]!, this.zone);
      out += csv ? copyCsvField(s, o, this.forced[c]!, n === 1) : copyTextField(s, o.delimiter);
    }
    return `${out}\n`;
  }

  /** Appends one binary tuple (preceded by the file header the first time). */
  binaryRow(b: MessageBuilder, row: readonly unknown[]): void {
    this.binaryHeader(b);
    const n = this.types.length;
    b.int16(n);
    for (let c = 0; c < n; c++) {
      const v = row[c] ?? null;
      if (v === null) b.int32(-1);
      else writeValue(b, v, this.types[c]!, true);
    }
  }

  /** Appends the binary trailer (with the file header when no row was written). */
  binaryTrailer(b: MessageBuilder): void {
    this.binaryHeader(b);
    b.int16(-1);
  }

  private binaryHeader(b: MessageBuilder): void {
    if (!this.binaryHeaderPending) return;
    this.binaryHeaderPending = false;
    b.bytes(BINARY_SIGNATURE).int32(0).int32(0);
  }
}

/** The name an identifier as written stands for: quoted ones verbatim, others folded to lower case. */
export function identifierName(raw: string): string {
  return raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.toLowerCase();
}

const badCopyData = (message: string, line: number): SqlError =>
  new SqlError('22P04', message, { detail: `COPY line ${line}` });

const TEXT_UNESCAPE: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/**
 * Decodes the data of a `COPY … FROM STDIN` in text or CSV format into rows of text values (null
 * for NULL), as PostgreSQL's CopyReadAttributesText / CopyReadAttributesCSV read them: the NULL
 * string compared before unescaping, backslash escapes (text), quotes and escapes (CSV), a header
 * line skipped or matched, `\.` ending the data. Chunks may split lines and UTF-8 sequences anywhere.
 */
export class CopyInDecoder {
  private pending = '';
  private readonly utf8 = new TextDecoder('utf-8');
  private line = 0;
  private ended = false;
  /** Line ends as the first line has them (PostgreSQL refuses a mix): \n or \r\n. */
  private crlf: boolean | null = null;
  private readonly forceNotNull: readonly boolean[];
  private readonly forceNull: readonly boolean[];

  constructor(
    private readonly options: CopyOptions,
    private readonly columns: readonly string[],
  ) {
    for (const c of [...options.forceNotNull, ...options.forceNull]) {
      if (!columns.includes(c)) {
        throw new SqlError('42703', `FORCE_NOT_NULL/FORCE_NULL column "${c}" not referenced by COPY`);
      }
    }
    this.forceNotNull = columns.map((c) => options.forceNotNull.includes(c));
    this.forceNull = columns.map((c) => options.forceNull.includes(c));
  }

  /** True once the end-of-data marker `\.` was read (later data is ignored, as PostgreSQL does). */
  get done(): boolean {
    return this.ended;
  }

  /** The complete rows in the data so far. */
  push(chunk: Uint8Array): (string | null)[][] {
    if (this.ended) return [];
    this.pending += this.utf8.decode(chunk, { stream: true });
    return this.records(false);
  }

  /** The rows left when the data ends (a last line may lack its newline). */
  finish(): (string | null)[][] {
    if (this.ended) return [];
    this.pending += this.utf8.decode();
    return this.records(true);
  }

  private records(final: boolean): (string | null)[][] {
    const out: (string | null)[][] = [];
    const csv = this.options.format === 'csv';
    let pos = 0;
    while (pos < this.pending.length && !this.ended) {
      const r = csv ? this.csvRecord(pos, final) : this.textRecord(pos, final);
      if (!r) break;
      pos = r.next;
      this.line++;
      if (r.fields === null) {
        this.ended = true;
        break;
      }
      if (this.line === 1 && this.options.header) {
        if (this.options.headerMatch) this.matchHeader(r.fields);
        continue;
      }
      out.push(this.shape(r.fields));
    }
    this.pending = this.ended ? '' : this.pending.slice(pos);
    return out;
  }

  private shape(fields: (string | null)[]): (string | null)[] {
    const n = this.columns.length;
    if (fields.length > n) throw badCopyData('extra data after last expected column', this.line);
    if (fields.length < n) {
      throw badCopyData(`missing data for column "${this.columns[fields.length]}"`, this.line);
    }
    return fields;
  }

  private matchHeader(fields: (string | null)[]): void {
    if (fields.length !== this.columns.length) {
      throw badCopyData(
        `wrong number of fields in header line: got ${fields.length}, expected ${this.columns.length}`,
        this.line,
      );
    }
    fields.forEach((f, i) => {
      if (f !== this.columns[i]) {
        throw badCopyData(
          `column name mismatch in header line field ${i + 1}: got "${f ?? ''}", expected "${this.columns[i]}"`,
          this.line,
        );
      }
    });
  }

  /** One text-format line from `pos`: its fields, null fields for `\.`, or undefined when incomplete. */
  private textRecord(
    pos: number,
    final: boolean,
  ): { fields: (string | null)[] | null; next: number } | undefined {
    const s = this.pending;
    let end = s.indexOf('\n', pos);
    let next = end + 1;
    if (end < 0) {
      if (!final) return undefined;
      end = next = s.length;
    }
    let lineEnd = end;
    if (end < s.length) {
      const cr = s[end - 1] === '\r';
      this.crlf ??= cr;
      if (cr !== this.crlf) {
        throw cr
          ? badCopyData('literal carriage return found in data', this.line + 1)
          : badCopyData('literal newline found in data', this.line + 1);
      }
      if (cr) lineEnd--;
    }
    const raw = s.slice(pos, lineEnd);
    if (raw.includes('\r')) throw badCopyData('literal carriage return found in data', this.line + 1);
    if (raw === '\\.') return { fields: null, next };
    const o = this.options;
    const fields: (string | null)[] = [];
    let i = 0;
    for (;;) {
      const start = i;
      let v = '';
      while (i < raw.length && raw[i] !== o.delimiter) {
        const ch = raw[i]!;
        if (ch !== '\\' || i + 1 >= raw.length) {
          v += ch;
          i++;
          continue;
        }
        const e = raw[i + 1]!;
        i += 2;
        if (e >= '0' && e <= '7') {
          let octal = e;
          while (octal.length < 3 && raw[i]! >= '0' && raw[i]! <= '7') octal += raw[i++];
          v += String.fromCharCode(Number.parseInt(octal, 8));
        } else if (e === 'x' && /[0-9a-fA-F]/.test(raw[i] ?? '')) {
          let hex = raw[i++]!;
          if (/[0-9a-fA-F]/.test(raw[i] ?? '')) hex += raw[i++];
          v += String.fromCharCode(Number.parseInt(hex, 16));
        } else v += TEXT_UNESCAPE[e] ?? e;
      }
      fields.push(raw.slice(start, i) === o.null ? null : v);
      if (i >= raw.length) break;
      i++; // the delimiter
    }
    return { fields, next };
  }

  /** One CSV record from `pos` (quoted fields may span lines), or undefined when incomplete. */
  private csvRecord(
    pos: number,
    final: boolean,
  ): { fields: (string | null)[] | null; next: number } | undefined {
    const s = this.pending;
    const o = this.options;
    const nl = s.indexOf('\n', pos);
    const firstLine = s.slice(pos, nl < 0 ? s.length : nl).replace(/\r$/, '');
    if (firstLine === '\\.' && (nl >= 0 || final)) return { fields: null, next: nl < 0 ? s.length : nl + 1 };
    const fields: (string | null)[] = [];
    let i = pos;
    for (;;) {
      let v = '';
      let quoted = false;
      let inQuote = false;
      let rawStart = i;
      for (;;) {
        if (i >= s.length) {
          if (!final) return undefined;
          if (inQuote) throw badCopyData('unterminated CSV quoted field', this.line + 1);
          break;
        }
        const ch = s[i]!;
        if (inQuote) {
          if (
            ch === o.escape &&
            i + 1 < s.length &&
            (s[i + 1] === o.quote || s[i + 1] === o.escape) &&
            (o.escape !== o.quote || s[i + 1] === o.quote)
          ) {
            v += s[i + 1];
            i += 2;
          } else if (ch === o.escape && i + 1 >= s.length && !final) {
            return undefined;
          } else if (ch === o.quote) {
            inQuote = false;
            i++;
          } else {
            v += ch;
            i++;
          }
          continue;
        }
        if (ch === o.delimiter) break;
        if (ch === '\n' || ch === '\r') {
          if (ch === '\r' && i + 1 >= s.length && !final) return undefined;
          const cr = ch === '\r';
          if (cr && s[i + 1] !== '\n')
            throw badCopyData('unquoted carriage return found in data', this.line + 1);
          this.crlf ??= cr;
          if (cr !== this.crlf) {
            throw cr
              ? badCopyData('unquoted carriage return found in data', this.line + 1)
              : badCopyData('unquoted newline found in data', this.line + 1);
          }
          break;
        }
        if (ch === o.quote) {
          quoted = true;
          inQuote = true;
          i++;
          continue;
        }
        v += ch;
        i++;
      }
      const c = fields.length;
      const raw = s.slice(rawStart, i);
      let value: string | null = v;
      if (!quoted && raw === o.null && !this.forceNotNull[c]) value = null;
      else if (quoted && this.forceNull[c] && v === o.null) value = null;
      fields.push(value);
      rawStart = i;
      if (i >= s.length) return { fields, next: i };
      const ch = s[i]!;
      if (ch === o.delimiter) {
        i++;
        continue;
      }
      return { fields, next: ch === '\r' ? i + 2 : i + 1 };
    }
  }
}
