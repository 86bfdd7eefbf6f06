import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  PaymoAbortedError,
  PaymoAuthError,
  PaymoBadResponseError,
  PaymoError,
  PaymoNetworkError,
  PaymoNotFoundError,
  PaymoOutcomeUnknownError,
  PaymoRateLimitError,
  PaymoServerError,
  PaymoTimeoutError,
  PaymoValidationError,
} from '../../src/paymo/errors.js';
import {
  DEFAULT_BASE_URL,
  encodeQuery,
  PaymoClient,
  type PaymoClientOptions,
  type PaymoRequestEvent,
} from '../../src/paymo/http-client.js';
import { RateLimiter } from '../../src/paymo/rate-limiter.js';
import { type FakePaymo, type FakeReply, json, startFakePaymo, virtualClock } from './fake-paymo.js';

const opened: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  // Each test's own servers and clients; closed even when an assertion failed midway.
  for (const item of opened.splice(0).reverse()) await item.close();
});

async function fake(handler: Parameters<typeof startFakePaymo>[0]): Promise<FakePaymo> {
  const server = await startFakePaymo(handler);
  opened.push(server);
  return server;
}

function client(server: FakePaymo | string, options: Partial<PaymoClientOptions> = {}): PaymoClient {
  const c = new PaymoClient({
    apiKey: `key-${randomUUID()}`,
    baseUrl: typeof server === 'string' ? server : server.baseUrl,
    rateLimit: false,
    clock: virtualClock(),
    ...options,
  });
  opened.push(c);
  return c;
}

async function caught(promise: Promise<unknown>): Promise<PaymoError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PaymoError);
    return error as PaymoError;
  }
  throw new Error('expected the call to fail');
}

describe('PaymoClient success paths', () => {
  it('lists rows with Basic auth, JSON and gzip headers', async () => {
    const server = await fake(() => json({ tasks: [{ id: 1 }, { id: 2 }] }));
    const c = client(server, { apiKey: 'my-key' });
    const rows = await c.list('tasks');
    expect(rows).toEqual([{ id: 1 }, { id: 2 }]);
    const req = server.requests[0];
    expect(req.method).toBe('GET');
    expect(req.path).toBe('/api/tasks');
    expect(req.rawQuery).toBe('');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('my-key:X').toString('base64')}`);
    expect(req.headers.accept).toBe('application/json');
    expect(req.headers['accept-encoding']).toBe('gzip');
  });

  it('encodes where and include exactly (spaces, quotes, %, &, non-ASCII)', async () => {
    const server = await fake(() => json({ tasks: [] }));
    const c = client(server);
    const where = `name like "50% & more" and client_id in (1,2) and title='Ünïcødé ✓' and x>=3`;
    await c.list('tasks', { where, include: ['project', 'tasklist.name'] });
    const req = server.requests[0];
    expect(req.rawQuery).toBe(
      'where=name%20like%20%2250%25%20%26%20more%22%20and%20client_id%20in%20%281%2C2%29' +
        '%20and%20title%3D%27%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20%E2%9C%93%27%20and%20x%3E%3D3' +
        '&include=project%2Ctasklist.name',
    );
    expect(req.query.get('where')).toBe(where);
    expect(req.query.get('include')).toBe('project,tasklist.name');
    expect(encodeQuery([['a b', "it's (x)*!"]])).toBe('a%20b=it%27s%20%28x%29%2A%21');
  });

  it('takes the single top-level envelope key (project_templates) or the key asked for', async () => {
    const server = await fake((req) =>
      req.path === '/api/projecttemplates'
        ? json({ project_templates: [{ id: 7, name: 'T' }] })
        : json({ extra: 1, wanted: [{ id: 9 }] }),
    );
    const c = client(server);
    expect(await c.list('projecttemplates')).toEqual([{ id: 7, name: 'T' }]);
    expect(await c.list('odd', { key: 'wanted' })).toEqual([{ id: 9 }]);
    const error = await caught(c.list('odd'));
    expect(error).toBeInstanceOf(PaymoBadResponseError);
    expect(error.message).toContain('several keys');
  });

  it('gets one object by id with include, and raises not-found on an empty envelope', async () => {
    const server = await fake((req) =>
      req.path === '/api/projects/28917'
        ? json({ projects: [{ id: 28917, tasks: [] }] })
        : json({ projects: [] }),
    );
    const c = client(server);
    expect(await c.get('projects', 28917, { include: 'tasks' })).toEqual({ id: 28917, tasks: [] });
    expect(server.requests[0].rawQuery).toBe('include=tasks');
    const error = await caught(c.get('projects', 5));
    expect(error).toBeInstanceOf(PaymoNotFoundError);
    expect(error.path).toBe('/api/projects/5');
  });

  it('reads the company singleton object envelope', async () => {
    const server = await fake(() => json({ company: { id: 1, name: 'Acme' } }));
    const c = client(server);
    expect(await c.getSingleton('company')).toEqual({ id: 1, name: 'Acme' });
    expect(server.requests[0].path).toBe('/api/company');
  });

  it('creates with a JSON body and returns the object and Location', async () => {
    const server = await fake((req) =>
      json({ clients: [{ id: 42, ...JSON.parse(req.body) }] }, 201, {
        location: 'https://app.paymoapp.com/api/clients/42',
      }),
    );
    const c = client(server);
    const created = await c.create('clients', { name: 'Zoë "Z" & Co' });
    expect(created).toEqual({
      row: { id: 42, name: 'Zoë "Z" & Co' },
      location: 'https://app.paymoapp.com/api/clients/42',
    });
    const req = server.requests[0];
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/api/clients');
    expect(req.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(req.body)).toEqual({ name: 'Zoë "Z" & Co' });
  });

  it('updates with PUT (and the company singleton) and deletes', async () => {
    const server = await fake((req) => {
      if (req.method === 'DELETE') return json({});
      if (req.path === '/api/company') return json({ company: { id: 1, ...JSON.parse(req.body) } });
      return json({ tasks: [{ id: 3, ...JSON.parse(req.body) }] });
    });
    const c = client(server);
    expect(await c.update('tasks', 3, { name: 'New' })).toEqual({ id: 3, name: 'New' });
    expect(await c.updateSingleton('company', { name: 'Acme' })).toEqual({ id: 1, name: 'Acme' });
    await expect(c.delete('tasks', 3)).resolves.toBeUndefined();
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /api/tasks/3',
      'PUT /api/company',
      'DELETE /api/tasks/3',
    ]);
    expect(JSON.parse(server.requests[0].body)).toEqual({ name: 'New' });
  });

  it('decompresses gzip bodies and reports wire and decoded bytes', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ id: i + 1, name: `task number ${i + 1}` }));
    const server = await fake(() => ({ json: { tasks: rows }, gzip: true }));
    const events: PaymoRequestEvent[] = [];
    const c = client(server, { onRequest: (e) => events.push(e) });
    expect(await c.list('tasks')).toEqual(rows);
    expect(events).toHaveLength(1);
    expect(events[0].decodedBytes).toBe(JSON.stringify({ tasks: rows }).length);
    expect(events[0].bytes).toBeLessThan(events[0].decodedBytes / 3);
  });

  it('pages through 3 pages and stops on the short last page', async () => {
    const all = Array.from({ length: 5 }, (_, i) => ({ id: i + 1 }));
    const server = await fake((req) => {
      const page = Number(req.query.get('page'));
      const size = Number(req.query.get('page_size'));
      return json({ entries: all.slice(page * size, page * size + size) });
    });
    const c = client(server);
    const pages: unknown[][] = [];
    for await (const page of c.listAll('entries', { where: 'project_id=5', pageSize: 2 })) pages.push(page);
    expect(pages).toEqual([[{ id: 1 }, { id: 2 }], [{ id: 3 }, { id: 4 }], [{ id: 5 }]]);
    expect(server.requests.map((r) => r.rawQuery)).toEqual([
      'where=project_id%3D5&page=0&page_size=2',
      'where=project_id%3D5&page=1&page_size=2',
      'where=project_id%3D5&page=2&page_size=2',
    ]);
  });

  it('ends paging with an empty page after an exact multiple, and refuses a server that ignores page', async () => {
    const all = [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }];
    const server = await fake((req) => {
      const size = Number(req.query.get('page_size'));
      const page = req.path === '/api/broken' ? 0 : Number(req.query.get('page'));
      return json({ x: all.slice(page * size, page * size + size) });
    });
    const c = client(server);
    const pages: unknown[][] = [];
    for await (const page of c.listAll('tasks', { pageSize: 2 })) pages.push(page);
    expect(pages).toHaveLength(2);
    expect(server.requests).toHaveLength(3);
    const broken = async (): Promise<void> => {
      for await (const _ of c.listAll('broken', { pageSize: 2 })) {
        // consume
      }
    };
    const error = await caught(broken());
    expect(error).toBeInstanceOf(PaymoBadResponseError);
    expect(error.message).toContain('ignored the page parameter');
  });

  it('emits one event per exchange without credentials', async () => {
    const server = await fake(() => json({ tasks: [{ id: 1 }] }));
    const events: PaymoRequestEvent[] = [];
    const c = client(server, { onRequest: (e) => events.push(e) });
    await c.list('tasks', { where: 'id=1', page: 0 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      method: 'GET',
      path: '/api/tasks',
      query: 'where=id%3D1&page=0&page_size=2500',
      status: 200,
      attempt: 1,
      outcome: 'ok',
    });
    expect(events[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(c.describeList('tasks', { where: 'id=1' })).toBe('/api/tasks?where=id%3D1');
    expect(c.stats()).toMatchObject({ requests: 1, retries: 0 });
  });

  it('uses the documented base URL by default', () => {
    const c = new PaymoClient({ apiKey: 'k', rateLimit: false });
    opened.push(c);
    expect(c.baseUrl).toBe(DEFAULT_BASE_URL);
    expect(() => new PaymoClient({ apiKey: '' })).toThrow(TypeError);
    expect(() => c.describeList('../etc')).toThrow(TypeError);
  });
});

describe('PaymoClient error mapping', () => {
  it('maps 401, 403, 404, 400 and 409 with Paymo’s message', async () => {
    const replies: Record<string, FakeReply> = {
      '/api/a': json({ message: 'Invalid credentials' }, 401),
      '/api/b': json({ message: 'Adding projects denied. Projects limit reached.' }, 403),
      '/api/c/9': json({ message: 'Task not found' }, 404),
      '/api/invoices': json({ message: "Field 'discount' cannot be empty" }, 400),
      '/api/entries': json({ message: 'Timer already running' }, 409),
    };
    const server = await fake((req) => replies[req.path]);
    const c = client(server);
    const auth = await caught(c.list('a'));
    expect(auth).toBeInstanceOf(PaymoAuthError);
    expect(auth).toMatchObject({
      status: 401,
      paymoMessage: 'Invalid credentials',
      attempts: 1,
      retryable: false,
    });
    expect(auth.message).toContain('API key');
    const forbidden = await caught(c.list('b'));
    expect(forbidden).toBeInstanceOf(PaymoAuthError);
    expect(forbidden.message).toContain('(403): Adding projects denied. Projects limit reached.');
    const missing = await caught(c.get('c', 9));
    expect(missing).toBeInstanceOf(PaymoNotFoundError);
    expect(missing).toMatchObject({ status: 404, path: '/api/c/9', method: 'GET' });
    const invalid = await caught(c.create('invoices', { discount: '' }));
    expect(invalid).toBeInstanceOf(PaymoValidationError);
    expect(invalid.message).toBe("Paymo rejected POST /api/invoices (400): Field 'discount' cannot be empty");
    const conflict = await caught(c.create('entries', {}));
    expect(conflict).toBeInstanceOf(PaymoValidationError);
    expect(conflict.status).toBe(409);
    expect(server.requests).toHaveLength(5);
  });

  it('retries a GET after 5xx with backoff and counts attempts', async () => {
    let n = 0;
    const server = await fake(() =>
      ++n <= 2 ? json({ message: 'oops' }, 503) : json({ tasks: [{ id: 1 }] }),
    );
    const clock = virtualClock();
    const events: PaymoRequestEvent[] = [];
    const c = client(server, { clock, onRequest: (e) => events.push(e), retryBaseMs: 100, random: () => 1 });
    expect(await c.list('tasks')).toEqual([{ id: 1 }]);
    expect(events.map((e) => [e.attempt, e.status, e.outcome])).toEqual([
      [1, 503, 'retry'],
      [2, 503, 'retry'],
      [3, 200, 'ok'],
    ]);
    expect(clock.sleeps).toEqual([100, 200]);
    expect(c.stats()).toMatchObject({ requests: 3, retries: 2 });
  });

  it('gives up on a GET after maxRetries 5xx with a server error', async () => {
    const server = await fake(() => json({ message: 'down' }, 500));
    const c = client(server, { maxRetries: 3 });
    const error = await caught(c.list('tasks'));
    expect(error).toBeInstanceOf(PaymoServerError);
    expect(error).toMatchObject({ attempts: 4, status: 500, paymoMessage: 'down', retryable: true });
    expect(server.requests).toHaveLength(4);
  });

  it('never retries a POST create after 5xx: outcome unknown, exactly one request', async () => {
    const server = await fake(() => json({ message: 'internal' }, 500));
    const c = client(server);
    const error = await caught(c.create('invoices', { client_id: 1 }));
    expect(error).toBeInstanceOf(PaymoOutcomeUnknownError);
    expect(error.message).toContain('may or may not have been applied');
    expect(error.message).toContain('check');
    expect(error).toMatchObject({ status: 500, attempts: 1, retryable: false, reason: 'server' });
    expect(server.requests).toHaveLength(1);
  });

  it('never retries PUT or DELETE after 5xx; 4xx stays a plain API error', async () => {
    const server = await fake((req) =>
      req.path === '/api/tasks/2' ? json({ message: 'bad name' }, 400) : json({ message: 'x' }, 502),
    );
    const c = client(server);
    const put = await caught(c.update('tasks', 1, { name: 'a' }));
    expect(put).toBeInstanceOf(PaymoOutcomeUnknownError);
    expect(put.message).toContain('the update may or may not have been applied');
    const del = await caught(c.delete('tasks', 1));
    expect(del).toBeInstanceOf(PaymoOutcomeUnknownError);
    expect(del.message).toContain('the delete may or may not have been applied');
    const bad = await caught(c.update('tasks', 2, { name: '' }));
    expect(bad).toBeInstanceOf(PaymoValidationError);
    expect(server.requests).toHaveLength(3);
  });

  it('retries a POST answered 429 and succeeds', async () => {
    let n = 0;
    const server = await fake(() =>
      ++n === 1
        ? json({ message: 'Too many requests' }, 429, { 'retry-after': '1' })
        : json({ clients: [{ id: 5 }] }, 201),
    );
    const c = client(server);
    expect((await c.create('clients', { name: 'A' })).row).toEqual({ id: 5 });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].body).toBe('{"name":"A"}');
  });

  it('honours Retry-After on 429 through the injected clock', async () => {
    const clock = virtualClock();
    let n = 0;
    const server = await startFakePaymo(
      () => (++n === 1 ? json({ message: 'slow down' }, 429, { 'retry-after': '3' }) : json({ tasks: [] })),
      { now: clock.now },
    );
    opened.push(server);
    const limiter = new RateLimiter({ clock, unlimited: true, jitterMs: 200, random: () => 0.5 });
    const c = client(server, { clock, rateLimiter: limiter });
    await c.list('tasks');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].at - server.requests[0].at).toBe(3100);
    expect(limiter.stats().rateLimited).toBe(1);
  });

  it('raises a rate-limit error with retryAfter when 429 persists', async () => {
    const server = await fake(() => json({ message: 'no' }, 429, { 'retry-after': '2' }));
    const c = client(server, { maxRetries: 2 });
    const error = await caught(c.list('tasks'));
    expect(error).toBeInstanceOf(PaymoRateLimitError);
    expect(error).toMatchObject({ attempts: 3, status: 429, retryAfterSeconds: 2 });
    expect(error.message).toContain('retry after 2 s');
    const far = await fake(() => json({ message: 'no' }, 429, { 'retry-after': '3600' }));
    const c2 = client(far, { maxRetryAfterMs: 60_000 });
    expect(await caught(c2.list('tasks'))).toMatchObject({ attempts: 1, retryAfterSeconds: 3600 });
  });

  it('times out a GET on a server that never answers, retrying first', async () => {
    const server = await fake(() => ({ hang: true }));
    const c = client(server, { timeoutMs: 150, maxRetries: 1 });
    const error = await caught(c.list('tasks'));
    expect(error).toBeInstanceOf(PaymoTimeoutError);
    expect(error).toMatchObject({ attempts: 2, timeoutMs: 150 });
    expect(error.message).toContain('within 150 ms');
    expect(server.requests).toHaveLength(2);
  });

  it('turns a POST timeout into outcome unknown after one request', async () => {
    const server = await fake(() => ({ hang: true }));
    const c = client(server, { timeoutMs: 150 });
    const error = await caught(c.create('tasks', { name: 'x' }));
    expect(error).toBeInstanceOf(PaymoOutcomeUnknownError);
    expect(error).toMatchObject({ reason: 'timeout', attempts: 1 });
    expect(error.message).toContain('the create may or may not have been applied');
    expect(server.requests).toHaveLength(1);
  });

  it('retries a GET whose connection drops mid-response', async () => {
    let n = 0;
    const body = JSON.stringify({ tasks: [{ id: 1, name: 'x'.repeat(200) }] });
    const server = await fake(() => (++n === 1 ? { dropMidBody: body } : { body }));
    const events: PaymoRequestEvent[] = [];
    const c = client(server, { onRequest: (e) => events.push(e) });
    expect(await c.list('tasks')).toHaveLength(1);
    expect(events.map((e) => e.outcome)).toEqual(['retry', 'ok']);
    expect(events[0].errorKind).toBe('network');
  });

  it('does not retry a POST whose connection dropped after sending', async () => {
    const server = await fake(() => ({ dropMidBody: '{"clients":[{"id":1}]}' }));
    const c = client(server);
    const error = await caught(c.create('clients', { name: 'x' }));
    // Headers said 200, so Paymo applied the create even though the body was cut.
    expect(error).toBeInstanceOf(PaymoBadResponseError);
    expect((error as PaymoBadResponseError).applied).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('retries writes refused before anything was sent, then reports a network error', async () => {
    const port = await freePort();
    const c = client(`http://127.0.0.1:${port}/api/`, { maxRetries: 2 });
    const error = await caught(c.create('clients', { name: 'x' }));
    expect(error).toBeInstanceOf(PaymoNetworkError);
    expect(error).toMatchObject({ attempts: 3, retryable: true });
    expect(error.cause).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('retries malformed JSON on GET, then surfaces a bad response', async () => {
    const server = await fake(() => ({ body: '{"tasks":[{"id":1},' }));
    const c = client(server, { maxRetries: 2 });
    const error = await caught(c.list('tasks'));
    expect(error).toBeInstanceOf(PaymoBadResponseError);
    expect(error).toMatchObject({ attempts: 3, status: 200 });
    expect(error.message).toContain('not valid JSON');
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry a POST whose 201 body is malformed: the create was applied', async () => {
    const server = await fake(() => ({ status: 201, body: 'not json' }));
    const c = client(server);
    const error = await caught(c.create('clients', { name: 'x' }));
    expect(error).toBeInstanceOf(PaymoBadResponseError);
    expect(error.message).toContain('it was applied');
    expect(server.requests).toHaveLength(1);
  });

  it('reports an unexpected redirect as a bad response', async () => {
    const server = await fake(() => ({ status: 302, headers: { location: '/login' }, body: '' }));
    const error = await caught(client(server).list('tasks'));
    expect(error).toBeInstanceOf(PaymoBadResponseError);
    expect(error.message).toContain('redirect');
  });
});

describe('PaymoClient cancellation', () => {
  it('aborts a request waiting for the rate limiter without sending it', async () => {
    const server = await fake(() => json({ tasks: [] }));
    const limiter = new RateLimiter({ limit: 1, windowMs: 60_000 });
    const c = client(server, { rateLimiter: limiter, clock: undefined });
    await c.list('tasks');
    const controller = new AbortController();
    const pending = c.list('tasks', { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const started = Date.now();
    const error = await caught(pending);
    expect(error).toBeInstanceOf(PaymoAbortedError);
    expect(error.sqlState).toBe('57014');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.requests).toHaveLength(1);
    expect(limiter.stats()).toMatchObject({ queued: 0, inFlight: 0 });
  });

  it('aborts an in-flight request; an in-flight write is flagged outcome unknown', async () => {
    const server = await fake(() => ({ hang: true }));
    const c = client(server);
    const controller = new AbortController();
    const read = c.list('tasks', { signal: controller.signal });
    const write = c.create('tasks', { name: 'x' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const readError = await caught(read);
    const writeError = await caught(write);
    expect(readError).toBeInstanceOf(PaymoAbortedError);
    expect((readError as PaymoAbortedError).outcomeUnknown).toBe(false);
    expect(writeError).toBeInstanceOf(PaymoAbortedError);
    expect((writeError as PaymoAbortedError).outcomeUnknown).toBe(true);
    expect(writeError.message).toContain('may or may not have been applied');
  });

  it('aborts a retry backoff sleep', async () => {
    const server = await fake(() => json({}, 500));
    const c = client(server, { clock: undefined, retryBaseMs: 60_000, random: () => 1 });
    const controller = new AbortController();
    const pending = c.list('tasks', { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    expect(await caught(pending)).toBeInstanceOf(PaymoAbortedError);
    expect(server.requests).toHaveLength(1);
  });
});

describe('PaymoClient never leaks the API key', () => {
  it('keeps the key out of every error, event and inspection', async () => {
    const apiKey = 'SeCrEt-Key-3f9a7c1d-LEAKCHECK';
    const forms = [
      apiKey,
      Buffer.from(`${apiKey}:X`).toString('base64'),
      Buffer.from(apiKey).toString('base64'),
      apiKey.toLowerCase(),
    ];
    const byPath: Record<string, FakeReply> = {
      '/api/auth': json({ message: `bad key ${apiKey}` }, 401),
      '/api/forbidden': json({ message: 'no' }, 403),
      '/api/missing': json({ message: 'gone' }, 404),
      '/api/invalid': json({ message: 'invalid' }, 400),
      '/api/limited': json({ message: 'slow' }, 429, { 'retry-after': '1' }),
      '/api/server': json({ message: 'boom' }, 500),
      '/api/hang': { hang: true },
      '/api/malformed': { body: '{' },
      '/api/drop': { dropMidBody: '{"x":[1,2,3,4,5,6,7,8]}' },
    };
    const server = await fake((req) => byPath[req.path] ?? json({ x: [] }));
    const events: PaymoRequestEvent[] = [];
    const c = client(server, { apiKey, maxRetries: 1, timeoutMs: 100, onRequest: (e) => events.push(e) });
    const refusedPort = await freePort();
    const refused = client(`http://127.0.0.1:${refusedPort}/api/`, { apiKey, maxRetries: 0 });
    const controller = new AbortController();
    controller.abort();
    const errors = [
      await caught(c.list('auth')),
      await caught(c.list('forbidden')),
      await caught(c.get('missing', 1)),
      await caught(c.create('invalid', { a: 1 })),
      await caught(c.list('limited')),
      await caught(c.list('server')),
      await caught(c.list('hang')),
      await caught(c.create('hang', {})),
      await caught(c.list('malformed')),
      await caught(c.list('drop')),
      await caught(refused.list('x')),
      await caught(c.list('x', { signal: controller.signal })),
    ];
    expect(new Set(errors.map((e) => e.constructor.name))).toEqual(
      new Set([
        'PaymoAuthError',
        'PaymoNotFoundError',
        'PaymoValidationError',
        'PaymoRateLimitError',
        'PaymoServerError',
        'PaymoTimeoutError',
        'PaymoOutcomeUnknownError',
        'PaymoBadResponseError',
        'PaymoNetworkError',
        'PaymoAbortedError',
      ]),
    );
    const texts = [
      ...errors.flatMap((e) => [
        String(e),
        e.stack ?? '',
        JSON.stringify(e),
        inspect(e, { depth: Infinity, showHidden: true }),
      ]),
      JSON.stringify(events),
      String(c),
      JSON.stringify(c),
      inspect(c, { depth: Infinity, showHidden: true }),
      inspect(c, { depth: 6, showHidden: true, customInspect: false }),
      inspect(c.rateLimiter, { depth: Infinity, showHidden: true }),
      inspect(refused, { depth: 6, showHidden: true, customInspect: false }),
    ];
    for (const text of texts) {
      for (const form of forms) expect(text).not.toContain(form);
    }
    expect(errors[0].paymoMessage).toBe('bad key [redacted]');
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
