import { describe, expect, it } from 'vitest';
import { leadingWords, maxParamIndex, paramCasts, splitStatements } from '../../src/server/sql-text.js';
import { decodeBind, Framer, MessageBuilder, ProtocolError } from '../../src/server/wire.js';
import { fe } from './raw-client.js';

describe('Framer', () => {
  it('reassembles frames split across chunks at every byte boundary', () => {
    const bytes = Buffer.concat([fe.query('select 1'), fe.sync(), fe.query('héllo')]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const f = new Framer(1024);
      f.startup = false;
      f.push(bytes.subarray(0, cut));
      const got: string[] = [];
      for (let m = f.next(); m; m = f.next()) got.push(String.fromCharCode(m.type) + m.body.toString());
      f.push(bytes.subarray(cut));
      for (let m = f.next(); m; m = f.next()) got.push(String.fromCharCode(m.type) + m.body.toString());
      expect(got).toEqual(['Qselect 1\0', 'S', 'Qhéllo\0']);
      expect(f.buffered).toBe(0);
    }
  });

  it('refuses oversized and impossible lengths from the header alone', () => {
    const f = new Framer(100);
    f.startup = false;
    f.push(Buffer.from([0x51, 0, 0, 1, 0]));
    expect(() => f.next()).toThrow(ProtocolError);
    const g = new Framer(100);
    g.push(Buffer.from([0, 0, 0, 4]));
    expect(() => g.next()).toThrow(/startup packet/);
  });
});

describe('decodeBind', () => {
  it('expands one format code to every parameter and reads NULLs', () => {
    const m = decodeBind(fe.bind('p', 's', [Buffer.from([0, 0, 0, 1]), null], [1], [1]).subarray(5));
    expect(m).toMatchObject({ portal: 'p', statement: 's', paramFormats: [1, 1], resultFormats: [1] });
    expect(m.values[1]).toBeNull();
  });

  it('rejects a body that ends early', () => {
    const full = fe.bind('', '', ['abc']).subarray(5);
    expect(() => decodeBind(full.subarray(0, full.length - 3))).toThrow(ProtocolError);
  });
});

describe('MessageBuilder', () => {
  it('measures text in UTF-8 bytes', () => {
    const b = new MessageBuilder(8);
    b.begin('D').int16(1).lengthPrefixedText('Ωmega 😀').end();
    const out = b.take();
    expect(out.readInt32BE(1)).toBe(out.length - 1);
    expect(out.readInt32BE(7)).toBe(Buffer.byteLength('Ωmega 😀'));
  });
});

describe('SQL text helpers', () => {
  it('splits at top-level semicolons only', () => {
    const sql =
      "select ';' as a; select $$;$$ -- ;\n; select \"x;y\" /* ; /* ; */ */ from t;; select E'\\';'";
    expect(splitStatements(sql).map((s) => s.text)).toEqual([
      "select ';' as a",
      'select $$;$$ -- ;',
      'select "x;y" /* ; /* ; */ */ from t',
      "select E'\\';'",
    ]);
    expect(splitStatements(' ; -- only a comment\n')).toEqual([]);
    expect(splitStatements('select 1; select 2')[1]!.offset).toBe(10);
  });

  it('counts parameters outside literals and reads casts on them', () => {
    expect(maxParamIndex("select $2, '$9', $$ $8 $$, $1 -- $7")).toBe(2);
    expect([...paramCasts('select $1::int, $2 :: text[], CAST($3 AS double precision), $4')]).toEqual([
      [1, 'int'],
      [2, 'text[]'],
      [3, 'double precision'],
    ]);
  });

  it('names leading keywords past comments', () => {
    expect(leadingWords('/* hi */ -- x\n  SET  application_name = 1')).toEqual(['set', 'application_name']);
  });
});

describe('MessageBuilder memory', () => {
  it('hands over an oversized buffer instead of keeping it', () => {
    const b = new MessageBuilder(16);
    b.begin('D')
      .int16(1)
      .lengthPrefixedText('x'.repeat(2 * 1024 * 1024))
      .end();
    const big = b.take();
    expect(big.length).toBe(5 + 2 + 4 + 2 * 1024 * 1024);
    b.begin('Z').byte(73).end();
    expect([...b.take()]).toEqual([90, 0, 0, 0, 5, 73]);
    expect(big[0]).toBe(68);
  });
});
