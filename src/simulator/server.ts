import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { ApiError } from './api-error.js';
import type { Behaviour, WriteContext } from './behaviour.js';
import type { FaultDecision, FaultInjector } from './faults.js';
import { parseInclude, Renderer } from './includes.js';
import type { FixedWindowRateLimiter } from './rate-limit.js';
import type { RequestLog } from './request-log.js';
import { compareIds, type Store } from './store.js';
import { isoSeconds } from './time.js';
import type { CallContext, Rec, ResourceDef } from './types.js';
import { checkRequired, parseBody } from './validate.js';
import {
  compileWhere,
  describeRequiredFilter,
  parseWhere,
  satisfiesRequiredFilter,
  splitByPrefix,
  type WhereCondition,
  WhereError,
} from './where.js';

const gzip = promisify(gzipCb);

/** Largest request body the simulator reads (bigger ones get 413). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Everything the HTTP layer needs; built by startSimulator. */
export interface ServerDeps {
  readonly store: Store;
  readonly resources: readonly ResourceDef[];
  readonly behaviours: Readonly<Record<string, Behaviour>>;
  /** API key → user id. */
  readonly apiKeys: Map<string, number>;
  readonly limiter: FixedWindowRateLimiter;
  readonly faults: FaultInjector;
  readonly log: RequestLog;
  readonly clock: () => number;
  /** Paths whose lists must carry their required filter (1.11); all by default. */
  readonly enforceRequiredFilters: (path: string) => boolean;
  /** Items per included type per response; Infinity = cap off. */
  readonly includeCap: number;
  readonly gzip: boolean;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** The simulator's HTTP server: routing, auth, rate limit, faults, CRUD over the store. */
export class SimulatorServer {
  readonly http: Server;
  private baseUrl = '';
  private readonly byPath = new Map<string, ResourceDef>();

  constructor(private readonly deps: ServerDeps) {
    for (const def of deps.resources) {
      this.byPath.set(def.path, def);
      for (const alias of def.pathAliases ?? []) this.byPath.set(alias, def);
    }
    this.http = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        // A bug in a handler must not take the simulator down; answer 500 like Paymo would.
        if (!res.headersSent) sendJson(res, 500, { message: `Internal simulator error: ${String(err)}` }, {});
      });
    });
    this.http.keepAliveTimeout = 30_000;
  }

  /** Starts listening; resolves to the base URL (ending in `/api/`). */
  async listen(host: string, port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => resolve());
    });
    const addr = this.http.address() as AddressInfo;
    const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.baseUrl = `http://${h}:${addr.port}/api/`;
    return this.baseUrl;
  }

  /** Stops accepting and closes idle keep-alive sockets. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  /** Resource definition by path; throws 404 for unknown resources. */
  resourceOf = (path: string): ResourceDef => {
    const def = this.byPath.get(path);
    if (!def) throw new ApiError(404, `Unknown resource '${path}'`);
    return def;
  };

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://simulator');
    const query = Object.fromEntries(url.searchParams);
    let body: string | undefined;
    const logEntry = (status: number, userId?: number, fault?: string) =>
      this.deps.log.record({
        at: started,
        method,
        path: url.pathname,
        query,
        status,
        durationMs: Date.now() - started,
        ...(userId !== undefined ? { userId } : {}),
        ...(fault ? { fault } : {}),
        ...(body !== undefined && body !== '' ? { body } : {}),
      });

    const fault = this.deps.faults.decide(method, url.pathname);
    if (fault?.kind === 'drop') {
      logEntry(0, undefined, 'drop');
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'latency') await sleep(fault.ms ?? 0);

    const credential = credentialOf(req);
    const rl = this.deps.limiter.check(credential ?? '');
    const headers: Record<string, string> = { ...rl.headers };
    if (!rl.allowed) {
      const wait = rl.headers['Retry-After'];
      sendJson(res, 429, { message: `Rate limit exceeded. Retry after ${wait} seconds.` }, headers);
      logEntry(429);
      return;
    }
    if (fault?.kind === '429') {
      const wait = String(Math.max(1, Math.ceil((fault.ms ?? 1000) / 1000)));
      sendJson(
        res,
        429,
        { message: `Rate limit exceeded. Retry after ${wait} seconds.` },
        {
          ...headers,
          'Retry-After': wait,
        },
      );
      logEntry(429, undefined, '429');
      return;
    }
    if (fault?.kind === '5xx') {
      const status = fault.status ?? 500;
      sendJson(
        res,
        status,
        { message: status === 503 ? 'Service Unavailable' : 'Internal Server Error' },
        headers,
      );
      logEntry(status, undefined, '5xx');
      return;
    }

    let userId: number | undefined;
    let reply: Reply;
    try {
      userId = this.authenticate(credential, req);
      const raw = method === 'GET' || method === 'DELETE' ? undefined : await readBody(req);
      body = raw?.toString('utf8');
      reply = this.dispatch(method, url, query, raw, userId, fault);
    } catch (err) {
      if (err instanceof ApiError)
        reply = { status: err.status, body: { message: err.message }, headers: err.headers };
      else if (err instanceof WhereError) reply = { status: 400, body: { message: err.message } };
      else throw err;
    }
    if (fault?.kind === 'drop-after-commit') {
      logEntry(0, userId, 'drop-after-commit');
      req.socket.destroy();
      return;
    }
    Object.assign(headers, reply.headers);
    if (fault?.kind === 'malformed') {
      const text = JSON.stringify(reply.body);
      const cut = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
      res.writeHead(200, {
        ...headers,
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(cut),
      });
      res.end(cut);
      logEntry(200, userId, 'malformed');
      return;
    }
    await this.send(req, res, reply.status, reply.body, headers);
    logEntry(reply.status, userId, fault?.kind);
  }

  /** Resolves the caller from an API key (basic-auth user name) or an `X-Session` token. */
  private authenticate(credential: string | undefined, req: IncomingMessage): number {
    const session = req.headers['x-session'];
    if (typeof session === 'string' && session) {
      const s = this.deps.store.get('sessions', session);
      if (!s || Date.parse(String(s.expires_on)) <= this.deps.clock()) {
        throw new ApiError(401, 'Invalid or expired session');
      }
      return Number(s.user_id);
    }
    if (credential === undefined) {
      throw new ApiError(401, 'Authentication required: use HTTP Basic with your API key as the user name', {
        'WWW-Authenticate': 'Basic realm="Paymo API"',
      });
    }
    const userId = this.deps.apiKeys.get(credential);
    if (userId === undefined) throw new ApiError(401, 'Invalid API key or credentials');
    const user = this.deps.store.get('users', userId);
    if (!user || user.active === false)
      throw new ApiError(401, 'This user cannot log in (retired or deleted)');
    return userId;
  }

  private dispatch(
    method: string,
    url: URL,
    query: Record<string, string>,
    raw: Buffer | undefined,
    userId: number,
    fault: FaultDecision | null,
  ): Reply {
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== 'api' || parts.length < 2 || parts.length > 3) throw new ApiError(404, 'Not found');
    const def = this.resourceOf(parts[1]);
    const id = parts[2] !== undefined ? decodeURIComponent(parts[2]) : undefined;
    const ctx = this.writeContext(userId);
    const includes = parseInclude([query.include, query.partial_include].filter(Boolean).join(','));
    const renderer = (whereConds: WhereCondition[] = [], mode: 'list' | 'read' = 'read') =>
      new Renderer({
        ctx,
        mode,
        resourceOf: this.resourceOf,
        childFilter: this.childFilters(whereConds, def),
        includeCap: this.deps.includeCap,
        ...(fault?.kind === 'truncate-includes' ? { truncateIncludesTo: 1 } : {}),
        onRead: (path, rec) => this.deps.behaviours[path]?.onRead?.(rec, ctx) ?? rec,
      });
    const envelope = (rec: Rec, r = renderer()) => ({ [def.key]: [r.renderMain(def, rec, includes)] });

    if (def.path === 'me') {
      if (method !== 'GET' || id !== undefined) throw methodNotAllowed(method, url.pathname);
      const users = this.resourceOf('users');
      const me = this.deps.store.get('users', userId)!;
      return { status: 200, body: { [users.key]: [renderer().renderMain(users, me, includes)] } };
    }
    if (def.singleton) {
      if (id !== undefined) throw new ApiError(404, 'Not found');
      const rec = this.deps.store.all(def.path)[Symbol.iterator]().next().value as Rec;
      if (method === 'GET')
        return { status: 200, body: { [def.key]: renderer().renderMain(def, rec, includes) } };
      if ((method === 'POST' || method === 'PUT') && def.ops.includes('update')) {
        const updated = this.updateRecord(def, rec.id, parseJsonBody(raw, url), ctx);
        return { status: 200, body: { [def.key]: renderer().renderMain(def, updated, includes) } };
      }
      throw methodNotAllowed(method, url.pathname);
    }
    if (id === undefined) {
      if (method === 'GET' && def.ops.includes('list')) return this.list(def, query, ctx, includes, renderer);
      if (method === 'POST' && def.ops.includes('create')) {
        const rec = this.createRecord(def, parseJsonBody(raw, url), ctx);
        return {
          status: 201,
          body: envelope(rec),
          headers: { Location: `${this.baseUrl}${def.path}/${rec.id}` },
        };
      }
      throw methodNotAllowed(method, url.pathname);
    }
    const current = this.deps.store.get(def.path, id);
    if (method === 'GET' && def.ops.includes('read')) {
      if (!current || !this.visible(def, current, ctx)) throw notFound(def, id);
      return { status: 200, body: envelope(current) };
    }
    if ((method === 'POST' || method === 'PUT') && def.ops.includes('update')) {
      if (!current) throw notFound(def, id);
      const updated = this.updateRecord(def, current.id, parseJsonBody(raw, url), ctx);
      return { status: 200, body: envelope(updated) };
    }
    if (method === 'DELETE' && def.ops.includes('delete')) {
      if (!current || !this.visible(def, current, ctx)) throw notFound(def, id);
      this.deleteRecord(def, current, ctx);
      return { status: 200, body: {} };
    }
    throw methodNotAllowed(method, url.pathname);
  }

  private list(
    def: ResourceDef,
    query: Record<string, string>,
    ctx: WriteContext,
    includes: ReturnType<typeof parseInclude>,
    renderer: (conds: WhereCondition[], mode: 'list') => Renderer,
  ): Reply {
    const conds = parseWhere(query.where ?? '');
    const { own } = splitByPrefix(conds);
    const rf = def.requiredFilter;
    if (rf && this.deps.enforceRequiredFilters(def.path) && !satisfiesRequiredFilter(own, rf)) {
      throw new ApiError(400, `Listing ${def.path} needs ${describeRequiredFilter(rf)}`);
    }
    const keep = compileWhere(own, def);
    const behaviour = this.deps.behaviours[def.path];
    const rows: Rec[] = [];
    for (const rec of this.candidates(def, own)) {
      if (keep(rec, ctx) && (!behaviour?.visible || behaviour.visible(rec, ctx))) rows.push(rec);
    }
    let page = rows;
    if (query.page_size !== undefined || query.page !== undefined) {
      const size = intParam(query.page_size ?? '100', 'page_size', 1);
      const p = intParam(query.page ?? '0', 'page', 0);
      page = rows.slice(p * size, p * size + size);
    }
    const r = renderer(conds, 'list');
    return { status: 200, body: { [def.key]: page.map((rec) => r.renderMain(def, rec, includes)) } };
  }

  /**
   * Records worth testing against the where clause: an `=`/`in` on a stored field narrows through
   * the store's index (time entries by project), otherwise every record. Always ascending ids.
   */
  private candidates(def: ResourceDef, conds: readonly WhereCondition[]): Iterable<Rec> {
    for (const c of conds) {
      if (c.op !== '=' && c.op !== 'in') continue;
      const fd = def.fields.find((f) => f.name === c.field);
      if (!fd || fd.type === 'int[]' || fd.type === 'string[]' || fd.type === 'bool') continue;
      if (c.values.some((v) => !v.quoted && v.text.toLowerCase() === 'null')) continue;
      if (fd.type !== 'int' && fd.type !== 'string') continue;
      const seen = new Set<Rec>();
      for (const v of c.values) {
        const key = fd.type === 'int' ? Number(v.text) : v.text;
        for (const rec of this.deps.store.findBy(def.path, c.field, key)) seen.add(rec);
      }
      return [...seen].sort(compareIds);
    }
    return this.deps.store.all(def.path);
  }

  /** Compiles `child.field` conditions per include path, against the included resource. */
  private childFilters(
    conds: WhereCondition[],
    root: ResourceDef,
  ): (path: string) => ((rec: Rec) => boolean) | undefined {
    const { byPrefix } = splitByPrefix(conds);
    if (byPrefix.size === 0) return () => undefined;
    const ctx = this.writeContext(0);
    const compiled = new Map<string, (rec: Rec) => boolean>();
    for (const [prefix, cs] of byPrefix) {
      // Walk the include keys to find which resource the prefix names; a parent prefix
      // (`project.active`) does not filter anything (paymo-api.md 1.9, [MAINT] #8).
      let def: ResourceDef | undefined = root;
      let isChild = true;
      for (const seg of prefix.split('.')) {
        const inc = def?.includes.find((i) => i.key === seg || i.aliases?.includes(seg));
        if (!inc) throw new ApiError(400, `Unknown include '${prefix}' in where condition`);
        isChild = inc.kind === 'child';
        def = this.resourceOf(inc.resource);
      }
      if (!isChild || !def) continue;
      const fn = compileWhere(cs, def);
      compiled.set(prefix, (rec) => fn(rec, ctx));
    }
    return (path) => compiled.get(path);
  }

  private visible(def: ResourceDef, rec: Rec, ctx: CallContext): boolean {
    const v = this.deps.behaviours[def.path]?.visible;
    return !v || v(rec, ctx);
  }

  private writeContext(userId: number): WriteContext {
    const store = this.deps.store;
    const ctx: WriteContext = {
      userId,
      store,
      now: this.deps.clock(),
      user: store.get('users', userId) ?? { id: userId },
      resourceOf: this.resourceOf,
      deleteCascade: (path, id) => {
        const rec = store.get(path, id);
        if (rec) this.deleteRecord(this.resourceOf(path), rec, ctx, true);
      },
      createRecord: (path, body) => this.createRecord(this.resourceOf(path), body, ctx),
      updateRecord: (path, id, body) => this.updateRecord(this.resourceOf(path), id, body, ctx),
    };
    return ctx;
  }

  /** The create path: coerce, default, require, behaviour, store. */
  createRecord(def: ResourceDef, body: Record<string, unknown>, ctx: WriteContext): Rec {
    const parsed = parseBody(def, body, 'create');
    checkRequired(def, parsed);
    const now = isoSeconds(ctx.now);
    const rec: Rec = { id: 0 };
    for (const f of def.fields) {
      if (f.access === 'V') continue;
      if (parsed.fields[f.name] !== undefined) rec[f.name] = parsed.fields[f.name];
      else if (f.default !== undefined) {
        const d =
          typeof f.default === 'function' ? (f.default as (c: CallContext) => unknown)(ctx) : f.default;
        rec[f.name] = Array.isArray(d) ? [...d] : d;
      }
    }
    if (def.fields.some((f) => f.name === 'created_on')) rec.created_on = now;
    if (def.fields.some((f) => f.name === 'updated_on')) rec.updated_on = now;
    const behaviour = this.deps.behaviours[def.path];
    behaviour?.beforeCreate?.(rec, parsed.virtual, ctx);
    if (rec.id === 0) rec.id = ctx.store.allocateId(def.path);
    if (behaviour?.persist?.(rec) !== false) ctx.store.insert(def.path, rec);
    behaviour?.afterCreate?.(rec, parsed.virtual, ctx);
    return rec;
  }

  /** The update path: partial, coerced, behaviour-checked; `updated_on` moves. */
  updateRecord(def: ResourceDef, id: number | string, body: Record<string, unknown>, ctx: WriteContext): Rec {
    const current = ctx.store.get(def.path, id);
    if (!current) throw notFound(def, String(id));
    const parsed = parseBody(def, body, 'update');
    const patch = { ...parsed.fields };
    const behaviour = this.deps.behaviours[def.path];
    behaviour?.beforeUpdate?.(current, patch, parsed.virtual, ctx);
    if (def.fields.some((f) => f.name === 'updated_on')) patch.updated_on = isoSeconds(ctx.now);
    const before = structuredClone(current);
    const rec = ctx.store.update(def.path, current.id, patch);
    behaviour?.afterUpdate?.(rec, before, parsed.virtual, ctx);
    return rec;
  }

  /** The delete path; `cascade` deletes skip refusal rules, as Paymo's own cascades do. */
  private deleteRecord(def: ResourceDef, rec: Rec, ctx: WriteContext, cascade = false): void {
    const behaviour = this.deps.behaviours[def.path];
    if (!cascade) behaviour?.beforeDelete?.(rec, ctx);
    ctx.store.remove(def.path, rec.id);
    behaviour?.afterDelete?.(rec, ctx);
  }

  private async send(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<void> {
    const text = JSON.stringify(body);
    const acceptsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    if (this.deps.gzip && acceptsGzip && text.length > 1024) {
      const buf = await gzip(text, { level: 1 });
      res.writeHead(status, {
        ...headers,
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Encoding': 'gzip',
        'Content-Length': buf.length,
      });
      res.end(buf);
      return;
    }
    sendJson(res, status, body, headers, text);
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string>,
  text = JSON.stringify(body),
): void {
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The basic-auth user name (the API key), or undefined when absent or malformed. */
function credentialOf(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(h.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon >= 0 ? decoded.slice(0, colon) : decoded;
  return user || undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON or form-encoded body into an object (400 when malformed). */
function parseJsonBody(raw: Buffer | undefined, url: URL): Record<string, unknown> {
  void url;
  if (!raw || raw.length === 0) return {};
  const text = raw.toString('utf8');
  if (/^\s*[{[]/.test(text)) {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new ApiError(400, 'Malformed JSON body');
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new ApiError(400, 'The request body must be a JSON object');
    return v as Record<string, unknown>;
  }
  // application/x-www-form-urlencoded: values arrive as strings and are coerced per field.
  return Object.fromEntries(new URLSearchParams(text));
}

function intParam(v: string, name: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new ApiError(400, `Invalid ${name} '${v}'`);
  return n;
}

function notFound(def: ResourceDef, id: string): ApiError {
  return new ApiError(404, `${def.path} ${id} not found`);
}

function methodNotAllowed(method: string, path: string): ApiError {
  return new ApiError(405, `Method ${method} is not allowed on ${path}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A new 32-hex-character session token. */
export function newSessionToken(): string {
  return randomBytes(16).toString('hex');
}
