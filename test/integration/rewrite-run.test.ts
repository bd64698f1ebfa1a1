import { describe, it, expect, afterAll } from 'vitest';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { BIN, CLI_ENV, cli, json } from '../helpers/cli.js';
import { expectPrismaAgrees, ourStatus } from '../helpers/oracle.js';
import { waitUntil } from '../helpers/wait.js';
import { FOUR, schemaOf, USERS_AND_POSTS } from '../helpers/rewrite.js';

const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const d of drops) await d();
});

async function database(prefix: string) {
  const db = await freshDatabase(prefix);
  drops.push(db.drop);
  await query(db.url, USERS_AND_POSTS);
  return db;
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('run --rewrite', () => {
  it('runs the safe form and records the file as written: same name and checksum, the schema of the file as written, Prisma agrees', async () => {
    const written = await database('rw_w');
    const safe = await database('rw_s');
    const dir = makeMigrations({
      '20250101000000_four': FOUR,
      '20250102000000_stamp': 'ALTER TABLE "Post" ADD COLUMN "at" TIMESTAMP(3) NOT NULL DEFAULT clock_timestamp();\n',
    });
    const asWritten = await cli(['run', '--yes', '--database-url', written.url, '--migrations', dir]);
    expect(asWritten.exitCode, asWritten.stderr).toBe(0);

    const r = await cli(['run', '--rewrite', '--yes', '--database-url', safe.url, '--migrations', dir]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^2 applied, 0 failed, 0 not run/);
    expect(r.stderr).toContain('▶ 20250101000000_four: safe form, 8 steps');
    expect(r.stderr).toContain('5/8 build the index concurrently');
    expect(r.stderr).toContain('✓ 20250101000000_four');
    expect(r.stderr).toContain('▶ 20250102000000_stamp: safe form, 2 steps');

    const [row] = await query(
      safe.url,
      'SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, applied_steps_count, logs, rolled_back_at FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(row).toEqual({
      migration_name: '20250101000000_four',
      checksum: sha(path.join(dir, '20250101000000_four', 'migration.sql')),
      finished: true,
      applied_steps_count: 1,
      logs: null,
      rolled_back_at: null,
    });
    expect(await schemaOf(safe.url)).toEqual(await schemaOf(written.url));
    const states = await expectPrismaAgrees(safe.url, dir);
    expect(states.map((s) => s.state)).toEqual(['applied', 'applied']);

    // --json: the run's document, with the steps
    const again = json(
      await cli(['run', '--rewrite', '--yes', '--json', '--database-url', safe.url, '--migrations', dir]),
    );
    expect(again).toMatchObject({ mode: 'live', rewrite: true, outcome: 'nothing-to-do', migrations: [] });
  });

  it('without a terminal and without --yes it refuses, and writes nothing', async () => {
    const db = await database('rw_no');
    const dir = makeMigrations({ '20250101000000_four': FOUR });
    const r = await cli(['run', '--rewrite', '--database-url', db.url, '--migrations', dir]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('pass --yes to confirm');
    expect(await query(db.url, `SELECT to_regclass('_prisma_migrations') AS h`)).toEqual([{ h: null }]);
  });

  it('killed (kill -9) in the middle of a backfill: status says where it stopped, the next run --rewrite resumes there and ends in the as-written schema', async () => {
    const sql =
      'ALTER TABLE "User" ADD COLUMN "token" UUID NOT NULL DEFAULT gen_random_uuid();\n' +
      'CREATE INDEX "User_token_idx" ON "User"("token");\n';
    const written = await database('rw_kw');
    const safe = await database('rw_ks');
    // Each row the backfill updates costs 2 ms here (about 6 s in all): batches grow while they are
    // fast, and without it a loaded machine could see the whole backfill done before the kill lands.
    await query(
      safe.url,
      `CREATE FUNCTION slow_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.002); RETURN NEW; END $$;
       CREATE TRIGGER slow_row BEFORE UPDATE ON "User" FOR EACH ROW EXECUTE FUNCTION slow_row();`,
    );
    const dir = makeMigrations({ '20250102000000_created': sql });
    expect((await cli(['run', '--yes', '--database-url', written.url, '--migrations', dir])).exitCode).toBe(0);

    const args = ['run', '--rewrite', '--yes', '--batch-rows', '5', '--database-url', safe.url, '--migrations', dir];
    const child = execa('node', [BIN, ...args], { reject: false, stdin: 'ignore', env: CLI_ENV, extendEnv: true });
    const logs = () =>
      query<{ logs: string | null }>(safe.url, 'SELECT logs FROM _prisma_migrations').catch(
        () => [] as { logs: null }[],
      );
    await waitUntil('the backfill to commit a few batches', async () =>
      /backfill after "\d\d+"/.test((await logs())[0]?.logs ?? ''),
    );
    child.kill('SIGKILL');
    await child;
    await waitUntil('the killed run to leave the server', async () => {
      const rows = await query(
        safe.url,
        `SELECT 1 FROM pg_stat_activity WHERE application_name = 'citadel-migrate run --rewrite'`,
      );
      return rows.length === 0;
    });
    const [{ logs: left }] = (await logs()) as { logs: string }[];
    const doneKey = Number(/backfill after "(\d+)"/.exec(left)![1]);
    expect(doneKey).toBeLessThan(3000);
    // the rows the committed batches filled, and not one more
    expect(
      await query(safe.url, `SELECT count(*)::int AS n FROM "User" WHERE "token" IS NOT NULL AND id <= 3000`),
    ).toEqual([{ n: doneKey }]);

    const states = await ourStatus(safe.url, dir);
    expect(states[0]).toMatchObject({ state: 'failed' });
    expect(states[0]!.note).toBe(
      'its safe form stopped after step 2 of 8, its backfill part-way: `citadel-migrate run --rewrite` resumes it at step 3',
    );
    await expectPrismaAgrees(safe.url, dir, states);
    const text = await cli(['status', '--database-url', safe.url, '--migrations', dir]);
    expect(text.stdout).toContain('`citadel-migrate run --rewrite` resumes it at step 3');

    const resumed = await cli(['run', '--rewrite', '--yes', '--json', '--database-url', safe.url, '--migrations', dir]);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(json(resumed).migrations).toEqual([
      expect.objectContaining({ name: '20250102000000_created', outcome: 'applied', steps: 8, resumedAt: 3 }),
    ]);
    expect(resumed.stderr).toContain('resuming the safe form at step 3 of 8');
    // the fill's progress, as run's own backfills show it: its first batch, then every 5 s, and its end
    expect(resumed.stderr).toMatch(
      /\n {2}… step 3: \d+ rows, 100% of the keys, \d+ rows\/s, batches of \d+ keys, ETA 0\.0s\n/,
    );
    expect(await query(safe.url, `SELECT count(*)::int AS n FROM "User" WHERE "token" IS NULL`)).toEqual([{ n: 0 }]);
    expect(await schemaOf(safe.url)).toEqual(await schemaOf(written.url));
    const after = await expectPrismaAgrees(safe.url, dir);
    expect(after.map((s) => s.state)).toEqual(['applied']);
  });
});
