import { describe, expect, it } from 'vitest';
import { isWrite } from './slt.js';
import { canonicalJson } from './targets.js';

describe('slt runner helpers', () => {
  it('isWrite: recognises data-modifying statements, also after WITH and comments', () => {
    expect(isWrite('INSERT INTO tasks (name) VALUES (1)')).toBe(true);
    expect(isWrite('  update tasks set name = 1')).toBe(true);
    expect(isWrite('-- note\nDELETE FROM tasks WHERE id = 1')).toBe(true);
    expect(isWrite('WITH x AS (SELECT 1) INSERT INTO tasks SELECT * FROM x')).toBe(true);
    expect(isWrite('SELECT * FROM tasks')).toBe(false);
    expect(isWrite("SELECT 'insert' FROM tasks")).toBe(false);
    expect(isWrite('WITH x AS (SELECT 1) SELECT * FROM x')).toBe(false);
  });

  it('canonicalJson: sorts keys at every level, keeps non-JSON text', () => {
    expect(canonicalJson('{"b":1,"a":{"d":[{"z":1,"y":2}],"c":null}}')).toBe(
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson('name=x')).toBe('name=x');
  });
});
