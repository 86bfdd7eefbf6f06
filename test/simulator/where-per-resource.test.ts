/**
 * The where grammar table by table: for every listable resource and every filterable scalar field,
 * a condition built from a stored value must return that record and only matching ones, over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/index.js';
import { RESOURCES } from '../../src/simulator/resources.js';
import type { FieldDef, Rec, ResourceDef } from '../../src/simulator/types.js';
import { type Row, simCall } from './sim-http.js';

const SCALAR = new Set(['int', 'number', 'bool', 'string', 'html', 'date', 'datetime']);

/** A where literal for a stored value: strings double-quoted with `\"` and `\\` escaped. */
function literal(fd: FieldDef, v: unknown): string {
  if (fd.type === 'datetime') return String(Math.floor(Date.parse(String(v)) / 1000));
  if (typeof v === 'string') return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return String(v);
}

/** The condition that meets a resource's required filter for this record, if any is needed. */
function requiredFor(def: ResourceDef, rec: Rec): string | null {
  const rf = def.requiredFilter;
  if (!rf) return '';
  for (const f of rf.anyOf) {
    const v = rec[f];
    if (typeof v === 'number') return `${f}=${v}`;
  }
  return null;
}

const listable = RESOURCES.filter((d) => d.ops.includes('list') && !d.singleton && d.path !== 'me');

describe('where on every filterable field of every listable resource', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => {
    sim = await startSimulator({ scale: 'tiny', rateLimit: null, includeCap: false });
    // The generated data has no sessions; make one so that table is covered too.
    expect((await simCall(sim, 'POST', 'sessions', { body: {} })).status).toBe(201);
  });
  afterAll(() => sim.close());

  it('covers most resources', () => {
    expect(listable.length).toBeGreaterThan(25);
  });

  for (const def of listable) {
    it(`${def.path}: field = stored value returns the record and only matches`, async () => {
      const records = [...sim.store.all(def.path)];
      let checked = 0;
      for (const fd of def.fields) {
        if (!SCALAR.has(fd.type) || fd.access === 'W' || fd.access === 'V' || fd.emit === 'read-one')
          continue;
        const rec = records.find(
          (r) => r[fd.name] !== null && r[fd.name] !== undefined && requiredFor(def, r) !== null,
        );
        if (!rec) continue;
        const value = rec[fd.name];
        const req = requiredFor(def, rec);
        const op = fd.type === 'datetime' ? '>=' : '=';
        const cond = `${fd.name}${op}${literal(fd, value)}`;
        const where = req ? `${req} and ${cond}` : cond;
        const r = await simCall(sim, 'GET', `${def.path}?where=${encodeURIComponent(where)}`);
        expect(r.status, `${def.path} where ${where}: ${r.message}`).toBe(200);
        const got = r.body[def.key] as Row[];
        expect(
          got.some((g) => g.id === rec.id),
          `${def.path} where ${where} misses record ${rec.id}`,
        ).toBe(true);
        for (const g of got) {
          if (op === '=') expect(g[fd.name], `${def.path} where ${where}`).toEqual(value);
          else
            expect(Date.parse(String(g[fd.name]))).toBeGreaterThanOrEqual(
              Math.floor(Date.parse(String(value)) / 1000) * 1000,
            );
        }
        checked++;
      }
      expect(checked, `${def.path}: no field could be checked`).toBeGreaterThan(0);
    });
  }

  it('escapes quotes and backslashes inside double-quoted values', async () => {
    const tricky = [...sim.store.all('clients')].find((c) => /["'\\]/.test(String(c.name)));
    expect(tricky, 'the tiny dataset has a client name with quote characters').toBeDefined();
    const r = await simCall(
      sim,
      'GET',
      `clients?where=${encodeURIComponent(`name=${literal({ name: 'name', type: 'string', nullable: false, access: 'RW' }, tricky!.name)}`)}`,
    );
    expect(r.status).toBe(200);
    expect((r.body.clients as Row[]).map((c) => c.id)).toEqual([tricky!.id]);
  });
});
