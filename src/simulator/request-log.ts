/** One request the simulator answered. Never holds credentials: the caller is a user id. */
export interface RequestLogEntry {
  readonly seq: number;
  /** Epoch ms when the request arrived. */
  readonly at: number;
  readonly method: string;
  /** Path without the query string, e.g. `/api/entries`. */
  readonly path: string;
  /** Decoded query parameters. */
  readonly query: Readonly<Record<string, string>>;
  readonly status: number;
  /** The authenticated user, when authentication succeeded. */
  readonly userId?: number;
  readonly durationMs: number;
  /** The injected fault, when one was applied to this request. */
  readonly fault?: string;
  /**
   * The request body as sent (writes), once the simulator read it; absent for bodiless requests and
   * for those refused before reading (429, injected 5xx). Tests assert exactly what a write sent.
   */
  readonly body?: string;
}

/** Filter for counting: every given property must match. */
export interface RequestMatch {
  readonly method?: string;
  /** Exact path, or a RegExp. */
  readonly path?: string | RegExp;
  readonly status?: number;
}

/** The simulator's request log with counters, readable and resettable from code. */
export class RequestLog {
  private list: RequestLogEntry[] = [];
  private seq = 0;
  /** Keeps memory bounded on long benchmark runs; counters stay exact. */
  private readonly maxEntries: number;
  private total = 0;

  constructor(maxEntries = 100_000) {
    this.maxEntries = maxEntries;
  }

  /** Appends an entry (called by the server). */
  record(e: Omit<RequestLogEntry, 'seq'>): void {
    this.total++;
    this.list.push({ ...e, seq: ++this.seq });
    if (this.list.length > this.maxEntries) this.list.splice(0, this.list.length - this.maxEntries);
  }

  /** The retained entries, oldest first. */
  entries(): readonly RequestLogEntry[] {
    return this.list;
  }

  /** Number of requests since the last reset (all, or those matching). */
  count(match?: RequestMatch): number {
    if (!match) return this.total;
    return this.list.filter((e) => matches(e, match)).length;
  }

  /** Counts by method, path and status. */
  counters(): {
    total: number;
    byMethod: Record<string, number>;
    byPath: Record<string, number>;
    byStatus: Record<string, number>;
  } {
    const byMethod: Record<string, number> = {};
    const byPath: Record<string, number> = {};
    const byStatus: Record<string, number> = {};
    for (const e of this.list) {
      byMethod[e.method] = (byMethod[e.method] ?? 0) + 1;
      byPath[e.path] = (byPath[e.path] ?? 0) + 1;
      byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
    }
    return { total: this.total, byMethod, byPath, byStatus };
  }

  /** Clears entries and counters. */
  reset(): void {
    this.list = [];
    this.total = 0;
  }
}

function matches(e: RequestLogEntry, m: RequestMatch): boolean {
  if (m.method && e.method !== m.method.toUpperCase()) return false;
  if (m.status !== undefined && e.status !== m.status) return false;
  if (m.path !== undefined) {
    if (typeof m.path === 'string' ? e.path !== m.path : !m.path.test(e.path)) return false;
  }
  return true;
}
