import type { SimulatorHandle } from '../../src/simulator/index.js';
import type { Rec } from '../../src/simulator/types.js';

/** A JSON object as the simulator sends it. */
export type Row = Record<string, unknown>;

/** One answer of the simulator: status, headers, parsed body (text when not JSON), first object. */
export interface SimReply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Row;
  readonly text: string;
  /** The first object of the envelope (`{"clients":[obj]}` or `{"company":obj}`). */
  readonly obj: Row;
  readonly message: string | undefined;
}

/**
 * One HTTP call to the simulator with basic auth: `key` defaults to the simulator's API key, `null`
 * sends no credentials. A body that is not JSON (malformed-body faults) is kept in `text`.
 */
export async function simCall(
  sim: SimulatorHandle,
  method: string,
  path: string,
  opts: { body?: unknown; key?: string | null; headers?: Record<string, string> } = {},
): Promise<SimReply> {
  const headers: Record<string, string> = {};
  const key = opts.key === undefined ? sim.apiKey : opts.key;
  if (key !== null) headers.authorization = `Basic ${Buffer.from(`${key}:x`).toString('base64')}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  Object.assign(headers, opts.headers);
  const res = await fetch(new URL(path, sim.baseUrl), {
    method,
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  let body: Row = {};
  try {
    body = JSON.parse(text) as Row;
  } catch {
    // left empty: the caller asserts on `text`
  }
  const first = Object.values(body)[0];
  const obj = (Array.isArray(first) ? first[0] : first) as Row;
  return {
    status: res.status,
    headers: res.headers,
    body,
    text,
    obj,
    message: body.message as string | undefined,
  };
}

/** Read helpers over a simulator's store, for assertions on state after writes. */
export function storeHelpers(sim: () => SimulatorHandle) {
  const all = (path: string): Rec[] => [...sim().store.all(path)];
  const get = (path: string, id: unknown): Rec | undefined => sim().store.get(path, id as number);
  const where = (path: string, test: (r: Rec) => boolean): Rec[] => all(path).filter(test);
  const one = (path: string, test: (r: Rec) => boolean = () => true): Rec => {
    const r = all(path).find(test);
    if (!r) throw new Error(`no ${path} record`);
    return r;
  };
  return { all, get, where, one };
}
