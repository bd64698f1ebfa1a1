// The demo's simulated CitadelBuy application. Once the first migration has created the tables it
// loads enough rows (users, products, orders) that step 5's index builds take visible time, keeps a
// trickle of orders coming, and runs a "worker" that sits idle in a transaction holding a lock on
// users: the blocker a DBA meets in a real maintenance window (the guide's "Lock Contention").
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

export interface TrafficOptions {
  url: string;
  /** Orders to load (default 200 000); users and products scale with it. */
  orders?: number;
  /** How long the worker holds its lock, and how long it then lets go, ms. */
  workerHoldMs?: number;
  workerPauseMs?: number;
  /** Told about milestones (tables found, rows loaded, worker holding). */
  onNote?: (text: string) => void;
  /**
   * Where the demo's runbook actions (scripts/demo-app.mjs) leave their switches: "maintenance"
   * takes the web tier's session away, "workers-stopped" the workers'; removing them brings them back.
   */
  controlDir?: string;
  /** Idle job pollers besides the lock-holding worker (each one more worker session). */
  pollers?: number;
  /** Told how far the initial load is (orders loaded of orders), and once more when it is done. */
  onLoad?: (loaded: number, total: number, done: boolean) => void;
}

export interface Traffic {
  stop(): Promise<void>;
  /** Orders inserted so far. */
  readonly inserted: number;
}

const BATCH = 10_000;

/**
 * Naps that stop() cuts short. Every timer is cleared when its nap ends: a timer left behind kept
 * the demo's process alive for up to a minute after q (the worker's 60 s hold).
 */
class Naps {
  private wake = new Set<() => void>();
  stopped = false;

  /** Resolves after ms, or as soon as stop() is called or `until` turns true (polled every 100 ms). */
  sleep(ms: number, until?: () => boolean): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.wake.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      const poll = until ? setInterval(() => until() && done(), 100) : undefined;
      this.wake.add(done);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const done of [...this.wake]) done();
  }
}

async function session(url: string, application: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, application_name: application });
  c.on('error', () => undefined); // a terminated session is expected: the DBA may kill it
  await c.connect();
  return c;
}

const tablesExist = async (c: pg.Client) =>
  (
    await c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = current_schema() AND tablename IN ('users', 'products', 'orders', 'categories')`,
    )
  ).rows[0]!.n === 4;

export function startTraffic(opts: TrafficOptions): Traffic {
  let stopped = false;
  let inserted = 0;
  const clients = new Set<pg.Client>();
  const naps = new Naps();
  const sleep = (ms: number, until?: () => boolean) => naps.sleep(ms, until);
  const note = opts.onNote ?? (() => undefined);
  const orders = Math.max(0, opts.orders ?? 200_000);
  const users = Math.max(100, Math.round(orders / 10));
  const products = Math.max(50, Math.round(orders / 40));

  const switched = (name: string) => () => Boolean(opts.controlDir) && existsSync(path.join(opts.controlDir!, name));
  const maintenance = switched('maintenance');
  const workersOff = switched('workers-stopped');
  const waitWhile = async (off: () => boolean) => {
    while (!stopped && off()) await sleep(250);
  };

  const open = async (app: string) => {
    if (stopped) throw new Error('the simulated application is stopping');
    const c = await session(opts.url, app);
    clients.add(c);
    // stop() may have come while this session connected: it would be left open.
    if (stopped) await close(c);
    return c;
  };
  // Once per session: ending a client twice waits for an 'end' that never comes again.
  const close = async (c: pg.Client | undefined) => {
    if (!c || !clients.delete(c)) return;
    await c.end().catch(() => undefined);
  };

  let loadDone = false;
  const finishLoad = () => {
    if (loadDone) return;
    loadDone = true;
    opts.onLoad?.(inserted, orders, true);
  };

  // The web tier: waits for the schema, loads the catalogue and the order history in batches, then a trickle.
  const web = (async () => {
    let c!: pg.Client;
    // maintenance mode: the web tier is scaled to zero until it is lifted
    const honourMaintenance = async () => {
      if (!maintenance()) return;
      await close(c);
      note('simulated application: maintenance mode, web tier disconnected');
      await waitWhile(maintenance);
      if (stopped) return;
      c = await open('citadelbuy-web');
      note('simulated application: maintenance mode lifted, web tier back');
    };
    try {
      c = await open('citadelbuy-web');
      while (!stopped) {
        await honourMaintenance();
        if (stopped || (await tablesExist(c))) break;
        await sleep(1000, maintenance);
      }
      if (stopped) return;
      note(`simulated application: loading ${users} users, ${products} products, ${orders} orders`);
      await c.query(
        `INSERT INTO categories (id, name, slug, "updatedAt") SELECT 'cat' || g, 'Category ' || g, 'category-' || g, now() FROM generate_series(1, 20) g ON CONFLICT DO NOTHING`,
      );
      for (let from = 1; from <= users && !stopped; from += BATCH) {
        await c.query(
          `INSERT INTO users (id, email, password, name, "updatedAt") SELECT 'u' || g, 'user' || g || '@citadelbuy.test', 'x', 'User ' || g, now() FROM generate_series($1::int, $2::int) g ON CONFLICT DO NOTHING`,
          [from, Math.min(users, from + BATCH - 1)],
        );
      }
      for (let from = 1; from <= products && !stopped; from += BATCH) {
        await c.query(
          `INSERT INTO products (id, name, slug, price, stock, "categoryId", "isActive", "updatedAt") SELECT 'p' || g, 'Product ' || g, 'product-' || g, (g % 500) + 0.99, g % 40, 'cat' || (g % 20 + 1), g % 7 <> 0, now() FROM generate_series($1::int, $2::int) g ON CONFLICT DO NOTHING`,
          [from, Math.min(products, from + BATCH - 1)],
        );
      }
      for (let from = 1; from <= orders && !stopped; from += BATCH) {
        const r = await c.query(
          `INSERT INTO orders (id, "orderNumber", "userId", subtotal, total, "createdAt", "updatedAt")
           SELECT 'o' || g, 'CB-' || g, 'u' || (g % $3::int + 1), (g % 300) + 9.99, (g % 300) + 12.99, now() - (g || ' minutes')::interval, now()
           FROM generate_series($1::int, $2::int) g ON CONFLICT DO NOTHING`,
          [from, Math.min(orders, from + BATCH - 1), users],
        );
        inserted += r.rowCount ?? 0;
        opts.onLoad?.(inserted, orders, false);
        await sleep(50); // traffic, not a bulk load: migrations get their turn between batches
      }
      if (!stopped) note(`simulated application: ${inserted} orders loaded; a trickle of new orders continues`);
      if (!stopped) finishLoad();
      let n = orders;
      while (!stopped) {
        await honourMaintenance();
        if (stopped) break;
        n++;
        await c
          .query(
            `INSERT INTO orders (id, "orderNumber", "userId", subtotal, total, "updatedAt") VALUES ($1, $2, 'u1', 19.99, 22.99, now()) ON CONFLICT DO NOTHING`,
            [`o${n}`, `CB-${n}`],
          )
          .then(() => inserted++)
          .catch(() => undefined); // a migration holding a lock, a missing column: the app retries later
        await sleep(1000, maintenance);
      }
    } catch {
      // the sandbox stopped under us, or the DBA terminated the session: the demo goes on without it
    } finally {
      finishLoad(); // whatever happened, runs must not wait for a load that will not finish
      await close(c);
    }
  })();

  // The worker: a background job that updates a user and then forgets to commit for a while.
  const worker = (async () => {
    const stopOrOff = () => stopped || workersOff();
    while (!stopped) {
      let c: pg.Client | undefined;
      await waitWhile(workersOff);
      if (stopped) break;
      try {
        c = await open('citadelbuy-worker');
        while (!stopOrOff() && !(await tablesExist(c))) await sleep(1000, stopOrOff);
        while (!stopOrOff()) {
          await c.query('BEGIN');
          const r = await c.query(
            `UPDATE users SET "lastLoginAt" = now() WHERE id = (SELECT id FROM users ORDER BY id LIMIT 1)`,
          );
          if (!r.rowCount) {
            await c.query('ROLLBACK');
            await sleep(1000);
            continue;
          }
          note('simulated worker: idle in transaction, holding a lock on users');
          await sleep(opts.workerHoldMs ?? 60_000, stopOrOff);
          await c.query('COMMIT');
          await sleep(opts.workerPauseMs ?? 30_000, stopOrOff);
        }
      } catch {
        // terminated by the DBA (K): a real worker reconnects after a while
        if (c) await close(c);
        c = undefined;
        await sleep(opts.workerPauseMs ?? 30_000);
      } finally {
        if (c) await close(c);
      }
    }
  })();

  // Job pollers: idle worker sessions, gone while the workers are stopped.
  const pollers = Array.from({ length: opts.pollers ?? 3 }, (_, i) =>
    (async () => {
      while (!stopped) {
        await waitWhile(workersOff);
        if (stopped) break;
        let c: pg.Client | undefined;
        try {
          c = await open(`citadelbuy-worker-poller-${i + 1}`);
          while (!stopped && !workersOff()) {
            await c.query('SELECT 1');
            await sleep(2000, workersOff);
          }
        } catch {
          await sleep(5000);
        } finally {
          if (c) await close(c);
        }
      }
    })(),
  );

  return {
    get inserted() {
      return inserted;
    },
    async stop() {
      stopped = true;
      naps.stop();
      for (const c of [...clients]) await close(c);
      await Promise.allSettled([web, worker, ...pollers]);
    },
  };
}
