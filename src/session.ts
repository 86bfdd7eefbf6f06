import { zoneByName } from './catalog/timezone.js';
import type { QueryOptions, QueryResult } from './engine.js';
import { SqlError } from './errors.js';

/** A configuration parameter a session knows: its default and how a new value is checked. */
export interface SettingDef {
  readonly name: string;
  readonly default: string;
  readonly description: string;
  /** Returns the normalised value, or throws SqlError 22023 saying what is accepted. */
  readonly validate?: (value: string) => string;
}

/** Something that runs the statements a session does not handle itself (the SQL engine). */
export interface StatementRunner {
  query(
    sql: string,
    params: readonly unknown[],
    opts: QueryOptions & { settings: SessionSettings },
  ): Promise<QueryResult>;
}

/** Read access to a session's settings for the layers below it. */
export interface SessionSettings {
  get(name: string): string;
}

/** A notice for the client (PostgreSQL NoticeResponse): statements still succeed. */
export interface Notice {
  readonly severity: 'NOTICE' | 'WARNING';
  readonly code: string;
  readonly message: string;
}

/** The result of one statement run through a session, with any notices it raised. */
export interface SessionResult extends QueryResult {
  readonly notices: readonly Notice[];
}

function invalid(name: string, value: string, expected: string): SqlError {
  return new SqlError('22023', `invalid value for parameter "${name}": "${value}"`, {
    hint: `Expected ${expected}.`,
  });
}

/** Validator for on/off parameters (PostgreSQL's boolean spellings). */
export function booleanSetting(name: string): (v: string) => string {
  return (v) => {
    const s = v.toLowerCase();
    if (['on', 'true', 'yes', '1', 't', 'y'].includes(s)) return 'on';
    if (['off', 'false', 'no', '0', 'f', 'n'].includes(s)) return 'off';
    throw invalid(name, v, 'on or off');
  };
}

/** Validator for non-negative integers. */
export function integerSetting(name: string, min = 0): (v: string) => string {
  return (v) => {
    if (!/^\d+$/.test(v.trim()) || Number(v) < min) throw invalid(name, v, `an integer ≥ ${min}`);
    return String(Number(v));
  };
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a PostgreSQL-style duration (`30s`, `500ms`, `5min`, `1h`; a bare number is `unit`) to ms. */
export function parseDuration(v: string, unit: 'ms' | 's' = 'ms'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h|d)?\s*$/.exec(v);
  if (!m) return Number.NaN;
  return Number(m[1]) * DURATION_UNITS[m[2] ?? unit];
}

/** Validator for durations; `unit` is the unit of a bare number, as PostgreSQL's GUCs have. */
export function durationSetting(name: string, unit: 'ms' | 's'): (v: string) => string {
  return (v) => {
    const ms = parseDuration(v, unit);
    if (Number.isNaN(ms)) throw invalid(name, v, 'a duration such as 30s, 500ms or 5min');
    return ms % 1000 === 0 && ms > 0 ? `${ms / 1000}s` : `${ms}ms`;
  };
}

/**
 * The standard parameters clients set or show (psql, JDBC, SQLAlchemy, BI tools). The engine
 * computes in UTC with ISO dates; other values of these are refused rather than silently ignored.
 */
export const STANDARD_SETTINGS: readonly SettingDef[] = [
  { name: 'application_name', default: '', description: 'Name the client gave itself.' },
  {
    name: 'client_encoding',
    default: 'UTF8',
    description: 'Character encoding of the client (UTF8 only).',
    validate: (v) => {
      if (!/^(utf-?8|unicode)$/i.test(v)) throw invalid('client_encoding', v, 'UTF8');
      return 'UTF8';
    },
  },
  {
    name: 'DateStyle',
    default: 'ISO, MDY',
    description: 'Display format of dates (ISO only).',
    validate: (v) => {
      if (!/^\s*iso\b/i.test(v)) throw invalid('DateStyle', v, "'ISO' (optionally with MDY/DMY/YMD)");
      return `ISO, ${/dmy/i.test(v) ? 'DMY' : /ymd/i.test(v) ? 'YMD' : 'MDY'}`;
    },
  },
  {
    name: 'TimeZone',
    default: 'UTC',
    description: 'Session time zone: timestamptz values are shown and truncated in it (Paymo stores UTC).',
    validate: (v) => zoneByName(v).name,
  },
  {
    name: 'extra_float_digits',
    default: '1',
    description: 'Digits of floating-point output.',
    validate: (v) => v,
  },
  { name: 'search_path', default: '"$user", public', description: 'Schema search path.' },
  {
    name: 'standard_conforming_strings',
    default: 'on',
    description: 'Backslashes in ordinary string literals are literal (always on).',
    validate: (v) => {
      if (booleanSetting('standard_conforming_strings')(v) !== 'on')
        throw invalid('standard_conforming_strings', v, 'on');
      return 'on';
    },
  },
  { name: 'IntervalStyle', default: 'postgres', description: 'Display format of intervals (postgres only).' },
  {
    name: 'statement_timeout',
    default: '0',
    description: 'Abort statements running longer than this (0 = off).',
    validate: durationSetting('statement_timeout', 'ms'),
  },
  { name: 'integer_datetimes', default: 'on', description: 'Datetimes are integer-based (read-only).' },
  {
    name: 'server_version',
    default: '15.0',
    description: 'PostgreSQL version this server emulates (read-only).',
  },
  { name: 'server_encoding', default: 'UTF8', description: 'Server character encoding (read-only).' },
  {
    name: 'transaction_isolation',
    default: 'read committed',
    description: 'Isolation level (Paymo has no transactions).',
  },
  {
    name: 'default_transaction_read_only',
    default: 'off',
    description: 'Default read-only state of transactions.',
    validate: booleanSetting('default_transaction_read_only'),
  },
];

const READ_ONLY = new Set(['integer_datetimes', 'server_version', 'server_encoding']);

const NO_TRANSACTIONS: Notice = {
  severity: 'NOTICE',
  code: '00000',
  message:
    'Paymo has no transactions: every write is applied when its statement runs, and ROLLBACK undoes nothing',
};

/** Strips comments and a trailing semicolon, for recognising session statements. */
function normalise(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .trim()
    .replace(/;\s*$/, '')
    .trim();
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.startsWith("'") && t.endsWith("'") && t.length >= 2) return t.slice(1, -1).replace(/''/g, "'");
  if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) return t.slice(1, -1);
  return t;
}

/**
 * One client's session: its settings (SET/SHOW/RESET), transaction statements (accepted with a
 * NOTICE), and everything else passed to the engine with the session's settings.
 */
export class Session implements SessionSettings {
  private readonly defs = new Map<string, SettingDef>();
  private readonly values = new Map<string, string>();
  private inTransaction = false;

  constructor(
    private readonly runner: StatementRunner,
    settings: readonly SettingDef[] = [],
  ) {
    for (const d of [...STANDARD_SETTINGS, ...settings]) this.defs.set(d.name.toLowerCase(), d);
  }

  /** True between BEGIN and COMMIT/ROLLBACK (the wire protocol's transaction status byte). */
  get transactionOpen(): boolean {
    return this.inTransaction;
  }

  /** The current value of a parameter (its default when never set); throws 42704 for unknown ones. */
  get(name: string): string {
    const key = name.toLowerCase();
    const def = this.defs.get(key);
    if (this.values.has(key)) return this.values.get(key)!;
    if (def) return def.default;
    throw new SqlError('42704', `unrecognized configuration parameter "${name}"`);
  }

  /** Sets a parameter for this session (validated); `null` resets it. */
  set(name: string, value: string | null): void {
    const key = name.toLowerCase();
    const def = this.defs.get(key);
    if (!def) {
      // PostgreSQL accepts any two-part name as a placeholder; ours are validated, so unknown
      // paymo.* names are errors (a typo must not silently do nothing).
      if (!key.includes('.') || key.startsWith('paymo.')) {
        const known = [...this.defs.keys()].filter((k) => k.startsWith('paymo.'));
        throw new SqlError(
          '42704',
          `unrecognized configuration parameter "${name}"`,
          key.startsWith('paymo.') ? { hint: `Known paymo settings: ${known.join(', ') || 'none'}.` } : {},
        );
      }
      if (value === null) this.values.delete(key);
      else this.values.set(key, value);
      return;
    }
    if (READ_ONLY.has(key)) throw new SqlError('55P02', `parameter "${def.name}" cannot be changed`);
    if (value === null) this.values.delete(key);
    else this.values.set(key, def.validate ? def.validate(value) : value);
  }

  /** Every known parameter with its current value, sorted by name (SHOW ALL). */
  all(): { name: string; setting: string; description: string }[] {
    return [...this.defs.values()]
      .map((d) => ({ name: d.name, setting: this.get(d.name), description: d.description }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Runs one statement: session statements here, the rest through the engine. */
  async execute(
    sql: string,
    params: readonly unknown[] = [],
    opts: QueryOptions = {},
  ): Promise<SessionResult> {
    const s = normalise(sql);
    const local = this.sessionStatement(s);
    if (local) return local;
    const r = await this.runner.query(sql, params, { ...opts, settings: this });
    return { ...r, notices: [] };
  }

  private sessionStatement(s: string): SessionResult | null {
    const done = (command: string, notices: Notice[] = []): SessionResult => ({
      command,
      rowCount: 0,
      fields: [],
      rows: [],
      notices,
    });
    let m = /^set\s+(?:session\s+|local\s+)?time\s+zone\s+(.+)$/is.exec(s);
    if (m) {
      const zone = m[1].trim().replace(/^interval\s+/i, '');
      this.set('timezone', /^(default|local)$/i.test(zone) ? 'UTC' : unquote(zone));
      return done('SET');
    }
    m = /^set\s+(?:session\s+|local\s+)?([a-z_][\w.]*)\s*(?:=|\s+to\s+)\s*(.+)$/is.exec(s);
    if (m) {
      const value = m[2].trim();
      this.set(
        m[1],
        /^default$/i.test(value)
          ? null
          : value
              .split(/\s*,\s*/)
              .map(unquote)
              .join(', '),
      );
      return done('SET');
    }
    if (/^set\s+(session\s+characteristics|transaction)\b/i.test(s)) return done('SET');
    m = /^show\s+(.+)$/is.exec(s);
    if (m) {
      const name = m[1].trim().replace(/^"|"$/g, '');
      if (/^all$/i.test(name)) {
        const rows = this.all().map((r) => [r.name, r.setting, r.description]);
        return {
          command: 'SHOW',
          rowCount: rows.length,
          fields: [
            { name: 'name', type: 'text' },
            { name: 'setting', type: 'text' },
            { name: 'description', type: 'text' },
          ],
          rows,
          notices: [],
        };
      }
      const key = /^transaction\s+isolation\s+level$/i.test(name)
        ? 'transaction_isolation'
        : name.replace(/\s+/g, '_');
      const value = this.get(key);
      return {
        command: 'SHOW',
        rowCount: 1,
        // PostgreSQL names the column after the parameter's canonical spelling (`SHOW datestyle` → DateStyle).
        fields: [{ name: this.defs.get(key.toLowerCase())?.name ?? key.toLowerCase(), type: 'text' }],
        rows: [[value]],
        notices: [],
      };
    }
    m = /^reset\s+(.+)$/is.exec(s);
    if (m) {
      if (/^all$/i.test(m[1].trim())) this.values.clear();
      else this.set(m[1].trim(), null);
      return done('RESET');
    }
    if (/^(begin|start\s+transaction)\b/i.test(s)) {
      const notices = this.inTransaction
        ? [
            {
              severity: 'WARNING' as const,
              code: '25001',
              message: 'there is already a transaction in progress',
            },
          ]
        : [NO_TRANSACTIONS];
      this.inTransaction = true;
      return done('BEGIN', notices);
    }
    if (/^(commit|end)(\s+(work|transaction))?$/i.test(s)) {
      const notices = this.inTransaction
        ? []
        : [{ severity: 'WARNING' as const, code: '25P01', message: 'there is no transaction in progress' }];
      this.inTransaction = false;
      return done('COMMIT', notices);
    }
    if (/^(rollback|abort)(\s+(work|transaction))?$/i.test(s)) {
      const notices = this.inTransaction
        ? [NO_TRANSACTIONS]
        : [{ severity: 'WARNING' as const, code: '25P01', message: 'there is no transaction in progress' }];
      this.inTransaction = false;
      return done('ROLLBACK', notices);
    }
    if (/^discard\s+(all|plans|sequences|temp|temporary)$/i.test(s)) {
      if (/all$/i.test(s)) {
        this.values.clear();
        this.inTransaction = false;
      }
      return done(/all$/i.test(s) ? 'DISCARD ALL' : `DISCARD ${s.split(/\s+/)[1].toUpperCase()}`);
    }
    return null;
  }
}
