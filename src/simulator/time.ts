/** Formats epoch ms as Paymo's UTC date-time, `2014-12-12T14:42:49Z` (no milliseconds). */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Formats epoch ms as a UTC `YYYY-MM-DD` date. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses `YYYY-MM-DD` to epoch ms at UTC midnight, or NaN when it is not a real calendar date. */
export function parseDate(s: string): number {
  const m = DATE_RE.exec(s);
  if (!m) return Number.NaN;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return isoDate(ms) === s ? ms : Number.NaN;
}

/**
 * Parses a date-time the way Paymo accepts it in bodies and filters: ISO 8601 with `Z` or an offset
 * (no zone means UTC), a bare date (midnight UTC), or integer Unix seconds. NaN when invalid.
 */
export function parseDateTime(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v * 1000 : Number.NaN;
  if (typeof v !== 'string') return Number.NaN;
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  if (DATE_RE.test(s)) return parseDate(s);
  if (!DATETIME_RE.test(s)) return Number.NaN;
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/.test(s) ? s : `${s}Z`;
  return Date.parse(withZone.replace(' ', 'T'));
}
