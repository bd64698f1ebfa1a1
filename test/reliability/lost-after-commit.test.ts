import { describe, it, expect } from 'vitest';
import net from 'node:net';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, json } from '../helpers/cli.js';
import { expectPrismaAgrees } from '../helpers/oracle.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A TCP relay to the server that can cut one connection on the client's side only, as a network
 * cut does: the server keeps its end, goes on with what it was sent, and may commit.
 */
async function relay(port: number) {
  const pairs = new Map<number, net.Socket>(); // the relay's local port towards the server -> the client's socket
  const server = net.createServer((down) => {
    const up = net.connect(port, '127.0.0.1');
    up.on('connect', () => pairs.set(up.localPort!, down));
    down.on('data', (d) => up.write(d));
    up.on('data', (d) => (down.destroyed ? undefined : down.write(d)));
    down.on('error', () => undefined);
    up.on('error', () => undefined);
    up.on('close', () => down.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    /** Cuts the client's side of the connection whose server end has this port. */
    cut: (serverSidePort: number) => pairs.get(serverSidePort)?.destroy(),
    close: () => server.close(),
  };
}

describe('a connection lost once COMMIT was sent', () => {
  it('reads the history again before recording anything: the migration the server committed is reported applied, never failed', async () => {
    const db = await freshDatabase('cut');
    const dir = makeMigrations({
      '1_cut': 'CREATE TABLE z (id int);\nSELECT pg_sleep(1.5);',
      '2_next': 'CREATE TABLE z2 (id int);',
    });
    const u = new URL(db.url);
    const r = await relay(Number(u.port));
    const via = new URL(db.url);
    via.port = String(r.port);
    try {
      const running = cli(['run', '--yes', '--json', '--database-url', via.toString(), '--migrations', dir], {
        timeout: 60_000,
      });
      let port: number | undefined;
      for (let i = 0; i < 200 && !port; i++) {
        const rows = await query<{ client_port: number }>(
          db.url,
          `SELECT client_port FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'citadel-migrate run%' AND query ILIKE '%pg_sleep%' AND state = 'active'`,
        );
        port = rows[0]?.client_port;
        if (!port) await sleep(50);
      }
      expect(port).toBeDefined();
      r.cut(port!); // the whole pipeline (through COMMIT) is already with the server
      const res = await running;
      const doc = json(res);
      expect(doc.migrations[0]).toMatchObject({ name: '1_cut', outcome: 'applied' });
      const rows = await query<{ migration_name: string; finished: boolean }>(
        db.url,
        `SELECT migration_name, finished_at IS NOT NULL AS finished FROM _prisma_migrations ORDER BY started_at`,
      );
      // Never a failed row beside a finished one.
      expect(rows.filter((x) => x.migration_name === '1_cut')).toEqual([{ migration_name: '1_cut', finished: true }]);
      expect((await expectPrismaAgrees(db.url, dir)).map((s) => s.state)[0]).toBe('applied');
    } finally {
      r.close();
      await db.drop();
    }
  });
});
