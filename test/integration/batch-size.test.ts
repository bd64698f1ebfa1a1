import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type pg from 'pg';
import { client, freshDatabase, query } from '../helpers/db.js';
import { splitStatements } from '../../src/engine/split.js';
import { EventStream, type EngineEvent } from '../../src/engine/events.js';
import { runBatched } from '../../src/engine/batch.js';
import type { HoldPolicy } from '../../src/engine/hold.js';

type Progress = Extract<EngineEvent, { type: 'batch-progress' }>;

// The batch size adapts as GitLab's optimizer does: fast batches grow it (at most 1.2x a batch),
// a hold halves it. A real table and the engine's own batch executor; the hold check is the engine's
// HoldCheck interface answering "over" once (the standby case is run-hold.test.ts's).
describe('adaptive batch size', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let c: pg.Client;
  beforeEach(async () => {
    db = await freshDatabase('batch_size');
    await query(db.url, 'CREATE TABLE items (id bigint PRIMARY KEY, n int NOT NULL DEFAULT 0)');
    await query(db.url, 'INSERT INTO items (id) SELECT g FROM generate_series(1, 20000) g');
    await query(db.url, 'CREATE TABLE "_prisma_migrations" (id text PRIMARY KEY, logs text)');
    await query(db.url, `INSERT INTO "_prisma_migrations" VALUES ('row-1', NULL)`);
    c = await client(db.url);
  });
  afterEach(async () => {
    await c.end();
    await db.drop();
  });

  async function backfill(o: { targetMs?: number; hold?: HoldPolicy }) {
    const [s] = await splitStatements('UPDATE items SET n = n + 1;\n');
    const events = new EventStream();
    const seen: Progress[] = [];
    const holds: string[] = [];
    events.on((e) => {
      if (e.type === 'batch-progress') seen.push(e);
      if (e.type === 'hold') holds.push(e.reason);
    });
    const rows = await runBatched(c, {
      name: 'm1',
      s: s!,
      size: 100,
      rowId: 'row-1',
      events,
      interrupted: () => new Error('interrupted'),
      ...o,
    });
    return { rows, sizes: seen.map((e) => e.batchSize!), wal: seen.map((e) => e.walBytes!), holds };
  }

  it('grows the batch while batches are fast, by at most 1.2x a batch, and updates every row once', async () => {
    const { rows, sizes } = await backfill({ targetMs: 60_000 });
    expect(rows).toBe(20000);
    expect(sizes[0]).toBe(100);
    for (let i = 1; i < sizes.length; i++) {
      expect(sizes[i]!).toBeGreaterThan(sizes[i - 1]!);
      expect(sizes[i]! / sizes[i - 1]!).toBeLessThanOrEqual(1.2 + 1 / sizes[i - 1]!);
    }
    // 20,000 keys at a fixed 100 would be 200 batches
    expect(sizes.length).toBeLessThan(30);
    const [counts] = await query<{ once: number }>(
      db.url,
      'SELECT count(*) FILTER (WHERE n = 1)::int AS once FROM items',
    );
    expect(counts).toEqual({ once: 20000 });
  });

  it('shrinks the batch that follows a hold to half', async () => {
    let checks = 0;
    const hold: HoldPolicy = {
      // over its limit at the 6th check (before the 6th batch), for one check
      check: async () => (++checks === 6 ? 'the archive is 50 WAL segments behind (max 42)' : null),
      maxHoldMs: 60_000,
      everyMs: 10,
    };
    const { sizes, holds } = await backfill({ targetMs: 60_000, hold });
    expect(holds).toEqual(['the archive is 50 WAL segments behind (max 42)']);
    // batches 1-5 grew; the 6th, after the hold, is half the size the 6th would have had
    expect(sizes[4]!).toBeGreaterThan(sizes[0]!);
    expect(sizes[5]!).toBe(Math.floor(Math.round(sizes[4]! * 1.2) / 2));
    expect(sizes[6]!).toBeGreaterThan(sizes[5]!);
  });

  it('grows back after a hold no larger than the batch before it, until a batch of that size had room', async () => {
    let checks = 0;
    const hold: HoldPolicy = {
      check: async () => (++checks === 6 ? 'standby replica-1 is 3 s behind (max 1 s)' : null),
      maxHoldMs: 60_000,
      everyMs: 10,
    };
    const { rows, sizes } = await backfill({ targetMs: 60_000, hold });
    expect(rows).toBe(20000);
    // halved after the hold, then growing again up to the 5th batch's size; past it only once a batch
    // of that size went without a hold
    const back = sizes.indexOf(sizes[4]!, 5);
    expect(back).toBeGreaterThan(5);
    expect(Math.max(...sizes.slice(5, back + 1))).toBe(sizes[4]);
    expect(Math.max(...sizes.slice(back + 1))).toBeGreaterThan(sizes[4]!);
  });

  it("keeps each batch to the WAL the hold's budget allows (what the standbys replay within the limit)", async () => {
    const budget = 64 * 1024;
    const hold: HoldPolicy = { check: async () => null, maxHoldMs: 60_000, walBudget: () => budget };
    const wal = async () => Number((await c.query(`SELECT pg_current_wal_insert_lsn() - '0/0' AS b`)).rows[0].b);
    const before = await wal();
    const { rows, sizes, wal: reported } = await backfill({ targetMs: 60_000, hold });
    const after = await wal();
    expect(rows).toBe(20000);
    // WAL positions are the whole server's, and other test files write on it meanwhile: a key's WAL is
    // the least any reading gives (the whole backfill's, or one batch's), the readings' median the typical one.
    const perKey = Math.min((after - before) / rows, ...sizes.slice(1).map((n, i) => reported[i + 1]! / n));
    // the first batch is the directive's size (no WAL measured yet); each one after it fits the budget
    // (twice it at most: a checkpoint during the run makes the next pages cost a full-page image each)
    for (const size of sizes.slice(1)) expect(size * perKey).toBeLessThan(budget * 2);
    const typical = [...reported.slice(1)].sort((a, b) => a - b)[Math.floor((reported.length - 1) / 2)]!;
    expect(typical).toBeLessThan(budget * 2);
    // and it did grow up to the budget: not stuck at the first size
    expect(Math.max(...sizes)).toBeGreaterThan(sizes[0]!);
  });

  it('shrinks batches that take longer than the target', async () => {
    // each row takes 0.2 ms: a batch of 100 takes about 20 ms, against a target of 5 ms
    await query(
      db.url,
      `CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(0.0002); RETURN NEW; END$$;
       CREATE TRIGGER slow BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION slow();`,
    );
    await query(db.url, 'DELETE FROM items WHERE id > 600');
    const { sizes } = await backfill({ targetMs: 5 });
    expect(Math.min(...sizes.slice(1))).toBeLessThan(100);
  });
});
