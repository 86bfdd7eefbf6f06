import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgServer } from '../../src/server/index.js';
import { eventually, type SlowSource, startServer } from './harness.js';
import { errorFields, fe, RawClient, textRow, types } from './raw-client.js';

let server: PgServer;
let port: number;
let slow: SlowSource;
let wide: SlowSource;

beforeAll(async () => {
  ({ server, port, slow, wide } = await startServer({ maxMessageSize: 1024 * 1024 }));
});
afterAll(async () => {
  await server.close();
});

/** The server still answers a normal client. */
async function stillServing(): Promise<void> {
  const c = await RawClient.connect(port);
  const msgs = await c.query('select 1');
  expect(types(msgs)).toBe('TDCZ');
  await c.end();
}

const fatal = async (c: RawClient) => {
  const msgs = await c.until('E');
  const e = msgs.at(-1)!;
  expect(e.type).toBe('E');
  expect(await c.next()).toBeNull();
  return errorFields(e.body);
};

describe('hostile and broken input', () => {
  it('answers garbage instead of a startup packet with FATAL and closes', async () => {
    const c = await RawClient.open(port);
    c.send(Buffer.from('GET / HTTP/1.1\r\nHost: example\r\n\r\n'));
    expect(await fatal(c)).toMatchObject({ S: 'FATAL', C: '08P01' });
    await stillServing();
  });

  it('closes on an unknown message type after startup', async () => {
    const c = await RawClient.connect(port);
    c.send(fe.raw('~', Buffer.from([1, 2, 3, 4, 5])));
    expect(await fatal(c)).toMatchObject({ S: 'FATAL', C: '08P01' });
    await stillServing();
  });

  it('closes on a frame with an impossible length', async () => {
    const c = await RawClient.connect(port);
    c.send(Buffer.from([0x51, 0, 0, 0, 2]));
    expect(await fatal(c)).toMatchObject({ C: '08P01' });
  });

  it('reports a malformed message body as an error and keeps the connection', async () => {
    const c = await RawClient.connect(port);
    // A Query whose string has no terminating NUL (pg-server loops forever on this).
    c.send(fe.raw('Q', Buffer.from('select 1')));
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('EZ');
    expect(errorFields(msgs[0]!.body).C).toBe('08P01');
    // A Bind that claims more parameters than it carries.
    c.send(fe.raw('B', Buffer.from([0, 0, 0, 0, 0, 5, 0, 0, 0, 9])), fe.sync());
    expect(types(await c.until('Z'))).toBe('EZ');
    expect(types(await c.query('select 1'))).toBe('TDCZ');
    await c.end();
  });

  it('refuses an oversized message from its header, before buffering the body', async () => {
    const c = await RawClient.connect(port);
    const head = Buffer.alloc(5);
    head[0] = 0x51;
    head.writeInt32BE(512 * 1024 * 1024, 1);
    c.send(head);
    const e = await fatal(c);
    expect(e.C).toBe('08P01');
    expect(e.M).toContain('exceeds');
    const d = await RawClient.connect(port);
    d.send(fe.query(`select '${'x'.repeat(2 * 1024 * 1024)}'`));
    expect((await fatal(d)).C).toBe('08P01');
    await stillServing();
  });

  it('forgets a client that sends half a message and leaves', async () => {
    const before = server.connections;
    const c = await RawClient.connect(port);
    const q = fe.query('select 1');
    c.send(q.subarray(0, 7));
    c.socket.destroy();
    expect(await eventually(() => server.connections === before)).toBe(true);
    await stillServing();
  });

  it('drops a client that never finishes startup', async () => {
    const { server: s, port: p } = await startServer({ startupTimeoutMs: 150 });
    try {
      const c = await RawClient.open(p);
      c.send(fe.startup({ user: 'u' }).subarray(0, 6));
      expect(await eventually(() => c.closed, 3000)).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('refuses connections beyond maxConnections with 53300', async () => {
    const { server: s, port: p } = await startServer({ maxConnections: 2 });
    try {
      const a = await RawClient.connect(p);
      const b = await RawClient.connect(p);
      const c = await RawClient.open(p);
      c.send(fe.startup({ user: 'u' }));
      expect((await fatal(c)).C).toBe('53300');
      await a.end();
      await b.end();
    } finally {
      await s.close();
    }
  });
});

describe('cancellation and vanishing clients', () => {
  it('cancels a running statement with CancelRequest; a wrong key is ignored', async () => {
    const c = await RawClient.connect(port);
    const before = slow.batches;
    c.send(fe.query('select count(*) from slow'));
    expect(await eventually(() => slow.batches > before + 3)).toBe(true);
    const wrong = await RawClient.open(port);
    wrong.send(fe.cancel(c.pid, c.secret ^ 1));
    await eventually(() => wrong.closed);
    const mark = slow.batches;
    expect(await eventually(() => slow.batches > mark + 3)).toBe(true);
    const right = await RawClient.open(port);
    right.send(fe.cancel(c.pid, c.secret));
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('TEZ');
    expect(errorFields(msgs[1]!.body)).toMatchObject({
      C: '57014',
      M: 'canceling statement due to user request',
    });
    expect(await eventually(() => slow.active === 0)).toBe(true);
    expect(types(await c.query('select 2'))).toBe('TDCZ');
    await c.end();
  });

  it('stops the statement of a client that disconnects mid-query', async () => {
    const c = await RawClient.connect(port);
    const before = slow.batches;
    c.send(fe.query('select n from slow'));
    expect(await eventually(() => slow.batches > before + 3)).toBe(true);
    c.socket.destroy();
    expect(await eventually(() => slow.active === 0)).toBe(true);
    const stopped = slow.batches;
    await new Promise((r) => setTimeout(r, 100));
    expect(slow.batches).toBe(stopped);
    await stillServing();
  });

  it('applies statement_timeout as a cancel with its own message', async () => {
    const c = await RawClient.connect(port);
    await c.query("set statement_timeout = '100ms'");
    const msgs = await c.query('select count(*) from slow');
    expect(errorFields(msgs.find((m) => m.type === 'E')!.body)).toMatchObject({
      C: '57014',
      M: 'canceling statement due to statement timeout',
    });
    await c.end();
  });

  it('stops producing rows while the client does not read (bounded memory)', async () => {
    const c = await RawClient.connect(port);
    c.socket.pause();
    c.send(fe.query('select n, label from wide'));
    // Socket buffers fill, then the engine is no longer asked for rows.
    let last = -1;
    const plateau = await eventually(() => {
      const now = wide.batches;
      const flat = now === last && now > 0;
      last = now;
      return flat;
    }, 10_000);
    expect(plateau).toBe(true);
    const held = wide.batches;
    await new Promise((r) => setTimeout(r, 200));
    expect(wide.batches).toBe(held);
    // ~100 kB per batch: far from the 10 GB the table would produce.
    expect(held).toBeLessThan(2000);
    c.socket.destroy();
    expect(await eventually(() => wide.active === 0)).toBe(true);
  });
});

describe('load', () => {
  it('serves 100 concurrent connections each running a query', async () => {
    const clients = Array.from({ length: 100 }, () => new pg.Client({ host: '127.0.0.1', port, user: 'u' }));
    await Promise.all(clients.map((c) => c.connect()));
    expect(server.connections).toBeGreaterThanOrEqual(100);
    const results = await Promise.all(
      clients.map((c, i) =>
        c.query('select count(*)::int as n, $1::int as i from tasks where project_id = $2', [
          i,
          10 + (i % 5),
        ]),
      ),
    );
    results.forEach((r, i) => {
      expect(r.rows[0]).toEqual({ n: [3, 2, 2, 1, 1][i % 5], i });
    });
    await Promise.all(clients.map((c) => c.end()));
    expect(await eventually(() => server.connections === 0)).toBe(true);
  });

  it('keeps a pipelined batch of 2,000 messages in order', async () => {
    const c = await RawClient.connect(port);
    const parts: Buffer[] = [];
    for (let i = 0; i < 500; i++)
      parts.push(fe.parse('', `select ${i}`), fe.bind('', ''), fe.execute(''), fe.sync());
    c.send(...parts);
    for (let i = 0; i < 500; i++) {
      const msgs = await c.until('Z');
      expect(textRow(msgs[2]!.body)).toEqual([String(i)]);
    }
    await c.end();
  });
});
