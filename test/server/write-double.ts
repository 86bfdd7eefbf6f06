import type { SqlType } from '../../src/catalog/types.js';
import { createEngine, type Field, type QueryStream } from '../../src/engine.js';
import { SqlError } from '../../src/errors.js';
import { engineBackend, type QueryBackend } from '../../src/server/index.js';
import { fixture } from '../engine/fixture.js';

/** One row of the double's `notes` table. */
export interface Note {
  id: number;
  body: string | null;
}

const NOTE_FIELDS: readonly Field[] = [
  { name: 'id', type: 'bigint' },
  { name: 'body', type: 'text' },
];

/** A write statement the double understands, with the rows it would return and its command word. */
interface WriteStatement {
  readonly command: 'INSERT' | 'UPDATE' | 'DELETE';
  readonly returning: boolean;
  readonly paramTypes: readonly SqlType[];
  run(params: readonly unknown[]): Note[];
}

/**
 * An engine double for the wire server's write path, until the engine's own writes land: a
 * backend over the engine fixture whose `notes` table takes a few INSERT / UPDATE / DELETE forms,
 * run eagerly when the statement starts (the worst case for Describe, which must not run them).
 * `log` records every write executed; a row whose body is 'reject' fails the statement after the
 * rows before it were written, with a partial-failure report like the engine's.
 */
export class WriteDouble {
  notes: Note[] = [];
  readonly log: { sql: string; params: readonly unknown[] }[] = [];
  private readonly inner = engineBackend(createEngine({ catalog: fixture().catalog }));

  readonly backend: QueryBackend = {
    stream: async (sql, params, opts) => {
      const w = this.parse(sql);
      if (!w) return this.inner.stream(sql, params, opts);
      this.log.push({ sql, params });
      const rows = w.run(params);
      return writeStream(w.command, w.returning ? NOTE_FIELDS : [], rows);
    },
    describe: async (sql, types, opts) => {
      const w = this.parse(sql);
      if (!w) return this.inner.describe!(sql, types, opts);
      return { command: w.command, fields: w.returning ? NOTE_FIELDS : [], paramTypes: w.paramTypes };
    },
  };

  private insert(rows: Note[]): Note[] {
    const done: Note[] = [];
    for (const r of rows) {
      if (r.body === 'reject') {
        throw new SqlError('22023', `row ${done.length + 1} was refused: body 'reject' is not allowed`, {
          detail: `${done.length} row(s) were written before it (ids ${done.map((d) => d.id).join(', ')}); nothing after it was sent.`,
          hint: 'Fix the row and insert it and the rows after it again.',
        });
      }
      this.notes.push(r);
      done.push(r);
    }
    return done;
  }

  private parse(sql: string): WriteStatement | null {
    const s = sql.replace(/\s+/g, ' ').trim().replace(/;$/, '');
    const returning = / returning id, body$/i.test(s);
    // A leading `WITH x AS (SELECT 1)` (a CTE the write does not use) changes nothing.
    const body = s.replace(/ returning id, body$/i, '').replace(/^with x as \(select 1\) /i, '');
    let m = /^insert into notes \(id, body\) values \(\$1, \$2\)$/i.exec(body);
    if (m) {
      return {
        command: 'INSERT',
        returning,
        paramTypes: ['bigint', 'text'],
        run: (p) => this.insert([{ id: Number(p[0]), body: p[1] === null ? null : String(p[1]) }]),
      };
    }
    m = /^insert into notes \(id, body\) values ((?:\(\d+, '[^']*'\)(?:, )?)+)$/i.exec(body);
    if (m) {
      const rows = [...m[1]!.matchAll(/\((\d+), '([^']*)'\)/g)].map((r) => ({
        id: Number(r[1]),
        body: r[2]!,
      }));
      return { command: 'INSERT', returning, paramTypes: [], run: () => this.insert(rows) };
    }
    m = /^update notes set body = (\$1|'[^']*') where id <= (\d+)$/i.exec(body);
    if (m) {
      const value = m[1]!;
      const max = Number(m[2]);
      return {
        command: 'UPDATE',
        returning,
        paramTypes: value === '$1' ? ['text'] : [],
        run: (p) => {
          const v = value === '$1' ? String(p[0]) : value.slice(1, -1);
          const hit = this.notes.filter((n) => n.id <= max);
          for (const n of hit) n.body = v;
          return hit.map((n) => ({ ...n }));
        },
      };
    }
    m = /^delete from notes where id = (\d+)$/i.exec(body);
    if (m) {
      const id = Number(m[1]);
      return {
        command: 'DELETE',
        returning,
        paramTypes: [],
        run: () => {
          const hit = this.notes.filter((n) => n.id === id);
          this.notes = this.notes.filter((n) => n.id !== id);
          return hit;
        },
      };
    }
    return null;
  }
}

/** A finished write as the engine streams it: RETURNING rows (if any) and the rows-written count. */
function writeStream(command: string, fields: readonly Field[], rows: Note[]): QueryStream {
  return {
    command,
    fields,
    rowCount: rows.length,
    async *[Symbol.asyncIterator]() {
      if (fields.length > 0) yield rows.map((r) => [r.id, r.body]);
    },
  };
}
