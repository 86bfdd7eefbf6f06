import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUnavailable, startTempPostgres, type TempPostgres } from './postgres.js';

const unavailable = postgresUnavailable();

describe.skipIf(unavailable !== null)(
  `temporary PostgreSQL${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let pgsrv: TempPostgres;
    beforeAll(async () => {
      pgsrv = await startTempPostgres();
    }, 120_000);
    afterAll(() => pgsrv?.close());

    it('answers on loopback with UTF-8 and UTC', async () => {
      const r = await pgsrv.client.query(
        "select version() v, current_setting('server_encoding') e, current_setting('TimeZone') tz",
      );
      expect(r.rows[0].v).toMatch(/^PostgreSQL \d+/);
      expect(r.rows[0].e).toBe('UTF8');
      expect(r.rows[0].tz).toBe('UTC');
      expect(pgsrv.url).toContain('127.0.0.1');
    });
  },
);
