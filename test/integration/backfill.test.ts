import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { execa } from 'execa';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { BIN, CLI_ENV, cli } from '../helpers/cli.js';
import { waitUntil } from '../helpers/wait.js';

// `-- citadel: batch N` before an UPDATE runs it in primary-key ranges, each its own transaction;
// killed with -9 part-way, the next run resumes after the last committed batch: every row is
// updated exactly once (n = n + 1 would show a second update as 2), and the migration is recorded once.
describe('batched backfills', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  beforeEach(async () => {
    db = await freshDatabase('backfill');
    await query(db.url, 'CREATE TABLE items (id bigint PRIMARY KEY, n int NOT NULL DEFAULT 0)');
    await query(db.url, 'INSERT INTO items (id) SELECT g FROM generate_series(1, 6000) g');
  });
  afterEach(() => db.drop());

  const backfill = 'ALTER TABLE items ADD COLUMN note text;\n\n-- citadel: batch 500\nUPDATE items SET n = n + 1;\n';
  const counts = async () =>
    (
      await query<{ once: number; other: number }>(
        db.url,
        'SELECT count(*) FILTER (WHERE n = 1)::int AS once, count(*) FILTER (WHERE n <> 1)::int AS other FROM items',
      )
    )[0];
  const historyRows = () =>
    query<{ finished: boolean; steps: number }>(
      db.url,
      `SELECT finished_at IS NOT NULL AS finished, applied_steps_count AS steps FROM _prisma_migrations WHERE migration_name = 'm1_backfill'`,
    );

  it('runs the UPDATE in batches with progress, and records the migration once', async () => {
    const dir = makeMigrations({ m1_backfill: backfill });
    const r = await cli(['run', '--yes', '--database-url', db.url, '--migrations', dir]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/backfill m1_backfill statement 2: 6000 rows, 100% of the keys, \d+ rows\/s/);
    // the batch size adapts (batch-size.test.ts): the last batch's size is on the line
    expect(r.stderr).toMatch(/rows\/s, batches of \d+ keys/);
    expect(await counts()).toEqual({ once: 6000, other: 0 });
    expect(await historyRows()).toEqual([{ finished: true, steps: 1 }]);
  });

  it('killed with -9 part-way, the next run resumes from the last committed batch', async () => {
    // each row takes a millisecond: batches of half a second at first (then growing toward 1 s)
    await query(
      db.url,
      `CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(0.001); RETURN NEW; END$$;
       CREATE TRIGGER slow BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION slow();`,
    );
    const dir = makeMigrations({ m1_backfill: backfill });
    const child = execa('node', [BIN, 'run', '--yes', '--database-url', db.url, '--migrations', dir], {
      reject: false,
      env: { ...CLI_ENV },
      extendEnv: true,
    });
    await waitUntil(
      'three batches to commit',
      async () => {
        const [row] = await query<{ logs: string | null }>(
          db.url,
          "SELECT logs FROM _prisma_migrations WHERE migration_name = 'm1_backfill'",
        ).catch(() => []);
        const m = /"doneBelow":"(\d+)"/.exec(row?.logs ?? '');
        return m && Number(m[1]) > 1500;
      },
      30_000,
    );
    child.kill('SIGKILL');
    await child;
    // the server rolls back the batch that was running once it sees the session gone
    await waitUntil(
      'the killed run to leave the server',
      async () =>
        !(
          await query<{ n: number }>(
            db.url,
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'citadel-migrate run%' AND datname = current_database()",
          )
        )[0]!.n,
      30_000,
    );
    const partway = await counts();
    expect(partway!.once).toBeGreaterThan(0);
    expect(partway!.once).toBeLessThan(6000);
    // exactly the committed batches (their sizes adapt): every key below the saved progress, none above
    const [saved] = await query<{ logs: string }>(
      db.url,
      "SELECT logs FROM _prisma_migrations WHERE migration_name = 'm1_backfill'",
    );
    expect(partway!.once).toBe(Number(/"doneBelow":"(\d+)"/.exec(saved!.logs)![1]) - 1);

    const again = await cli(['run', '--yes', '--database-url', db.url, '--migrations', dir]);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toMatch(/✓ m1_backfill/);
    expect(await counts()).toEqual({ once: 6000, other: 0 });
    expect(await historyRows()).toEqual([{ finished: true, steps: 1 }]);
    // the column added before the backfill was not added twice (the resumed run skipped it)
    expect(
      (
        await query(
          db.url,
          "SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'note'",
        )
      )[0],
    ).toEqual({ n: 1 });
  });

  it('plan flags a large-table UPDATE without the directive and proposes it; with it, no finding', async () => {
    await query(db.url, 'INSERT INTO items (id) SELECT g FROM generate_series(6001, 20000) g');
    await query(db.url, 'ANALYZE items');
    const plain = makeMigrations({ m1_backfill: 'UPDATE items SET n = n + 1;\n' });
    const r = await cli(['plan', '--json', '--database-url', db.url, '--migrations', plain]);
    const found = JSON.parse(r.stdout).findings.filter((f: { rule: string }) => f.rule === 'unbatched-backfill');
    expect(found).toEqual([
      expect.objectContaining({ migration: 'm1_backfill', statement: 1, severity: 'warning', relation: 'items' }),
    ]);
    expect(found[0].fix).toContain('-- citadel: batch 10000');
    const text = await cli(['plan', '--database-url', db.url, '--migrations', plain]);
    expect(text.stdout).toMatch(
      /! m1_backfill line 1 \[unbatched-backfill\] updates items \([\d.]+ MB, ~20k rows\) in one transaction/,
    );
    const batched = makeMigrations({ m1_backfill: backfill });
    const b = await cli(['plan', '--json', '--database-url', db.url, '--migrations', batched]);
    expect(JSON.parse(b.stdout).findings.filter((f: { rule: string }) => f.rule === 'unbatched-backfill')).toEqual([]);
  });
});
