import { SqlError } from '../errors.js';

/**
 * A session time zone. timestamptz values are absolute instants (epoch ms); the zone decides how
 * they read as wall-clock time (casts to date/text, date_trunc, extract, to_char, adding days and
 * months) and how wall-clock text without an offset becomes an instant.
 */
export interface Zone {
  readonly name: string;
  /** Milliseconds to add to a UTC instant to get the zone's wall-clock time at that instant. */
  offset(utcMs: number): number;
}

/** The UTC zone (the default session time zone). */
export const UTC: Zone = { name: 'UTC', offset: () => 0 };

const zones = new Map<string, Zone>();

/**
 * Resolves a zone name: UTC aliases, ISO offsets (`+02:00`, `-0530`) and IANA names through Intl.
 * Throws 22023 for names the runtime does not know, as PostgreSQL does.
 */
export function zoneByName(name: string): Zone {
  const n = name.trim();
  if (/^(utc|gmt|z|zulu|universal|etc\/utc|etc\/gmt|utc0|gmt0)$/i.test(n)) return UTC;
  const cached = zones.get(n);
  if (cached) return cached;
  const iso = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(n);
  let zone: Zone;
  if (iso) {
    const off = (iso[1] === '-' ? -1 : 1) * (Number(iso[2]) * 60 + Number(iso[3] ?? 0)) * 60_000;
    zone = { name: n, offset: () => off };
  } else {
    let fmt: Intl.DateTimeFormat;
    try {
      fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: n,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new SqlError('22023', `time zone "${name}" not recognized`);
    }
    // Offsets change at most every few months; caching per minute keeps Intl off the hot path.
    const memo = new Map<number, number>();
    zone = {
      name: fmt.resolvedOptions().timeZone,
      offset(utcMs) {
        const minute = Math.floor(utcMs / 60_000);
        const hit = memo.get(minute);
        if (hit !== undefined) return hit;
        const parts: Record<string, number> = {};
        for (const p of fmt.formatToParts(minute * 60_000))
          if (p.type !== 'literal') parts[p.type] = Number(p.value);
        const wall = Date.UTC(
          parts.year!,
          parts.month! - 1,
          parts.day!,
          parts.hour!,
          parts.minute!,
          parts.second!,
        );
        const off = wall - minute * 60_000;
        if (memo.size > 50_000) memo.clear();
        memo.set(minute, off);
        return off;
      },
    };
  }
  zones.set(n, zone);
  return zone;
}

/** The wall-clock time (as epoch ms read in UTC) of an instant in a zone. */
export function toWall(zone: Zone, utcMs: number): number {
  return utcMs + zone.offset(utcMs);
}

/**
 * The instant at which a zone's clocks show a wall-clock time. In a DST gap the later offset is
 * used, in an overlap the earlier instant, which matches PostgreSQL for the common cases.
 */
export function fromWall(zone: Zone, wallMs: number): number {
  if (zone === UTC) return wallMs;
  const first = wallMs - zone.offset(wallMs);
  return wallMs - zone.offset(first);
}

/** PostgreSQL's zone suffix for text output: `+00`, `+01`, `-03:30`. */
export function offsetSuffix(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const mins = Math.round(Math.abs(offsetMs) / 60_000);
  const h = String(Math.floor(mins / 60)).padStart(2, '0');
  const m = mins % 60;
  return `${sign}${h}${m ? `:${String(m).padStart(2, '0')}` : ''}`;
}
