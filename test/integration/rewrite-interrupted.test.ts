import { describe, it, expect, afterAll } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import type pg from 'pg';
import { client, freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { BIN, CLI_ENV, cli, json } from '../helpers/cli.js';
import { expectPrismaAgrees, ourStatus } from '../helpers/oracle.js';
import { waitUntil } from '../helpers/wait.js';
import { FOUR, schemaOf, USERS_AND_POSTS } from '../helpers/rewrite.js';

// A safe form killed with -9 at the two places a run can die without a batch to resume: exactly
// between two steps, and in the middle of a CREATE INDEX CONCURRENTLY. `status` says where it
// stopped; the next `run --rewrite` ends in the schema of the file as written, and Prisma agrees.

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function database(prefix: string) {
  const db = await freshDatabase(prefix);
  cleanups.push(db.drop);
  await query(db.url, USERS_AND_POSTS);
  return db;
}

/** A session of "the application" holding a lock in an open transaction until the test lets it go. */
async function holding(url: string, sql: string): Promise<pg.Client> {
  const c = await client(url);
  cleanups.push(() => c.end());
  await c.query('BEGIN');
  await c.query(sql);
  return c;
}

const progress = async (url: string) =>
  (
    await query<{ logs: string | null }>(url, 'SELECT logs FROM _prisma_migrations').catch(() => [] as { logs: null }[])
  )[0]?.logs ?? '';

function start(url: string, dir: string): ResultPromise {
  const args = ['run', '--rewrite', '--yes', '--database-url', url, '--migrations', dir];
  const child = execa('node', [BIN, ...args], { reject: false, stdin: 'ignore', env: CLI_ENV, extendEnv: true });
  cleanups.push(async () => child.kill('SIGKILL'));
  return child;
}

async function killed(child: ResultPromise, url: string): Promise<void> {
  child.kill('SIGKILL');
  await child;
  await waitUntil('the killed run to leave the server', async () => {
    const rows = await query(
      url,
      `SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'citadel-migrate run --rewrite%'`,
    );
    return rows.length === 0;
  });
}

describe('run --rewrite alive', () => {
  it('while it waits between two steps for a lock, status says running, not failed', async () => {
    const sql =
      'ALTER TABLE "User" ALTER COLUMN "email" SET NOT NULL;\n' +
      'ALTER TABLE "Post" ADD CONSTRAINT "Post_title_check" CHECK (title <> \'\');\n';
    const safe = await database('rwi_live');
    const dir = makeMigrations({ '20250103000000_checks': sql });
    const reader = await holding(safe.url, 'SELECT count(*) FROM "Post"');
    const child = start(safe.url, dir);
    await waitUntil('steps 1 to 4 to be done', async () => /: 4\/6 steps done/.test(await progress(safe.url)), 30_000);
    const states = await ourStatus(safe.url, dir);
    expect(states[0]).toMatchObject({ name: '20250103000000_checks', state: 'running' });
    const text = await cli(['status', '--database-url', safe.url, '--migrations', dir]);
    expect(text.stdout).not.toContain('failed');
    expect(text.stdout).toContain('running');
    await reader.query('COMMIT');
    const done = await child;
    expect(done.exitCode, String(done.stderr)).toBe(0);
  });
});

describe('run --rewrite killed with -9', () => {
  it('exactly between two steps: status says the step it resumes at, the next run completes it, Prisma agrees', async () => {
    const sql =
      'ALTER TABLE "User" ALTER COLUMN "email" SET NOT NULL;\n' +
      'ALTER TABLE "Post" ADD CONSTRAINT "Post_title_check" CHECK (title <> \'\');\n';
    const written = await database('rwi_bw');
    const safe = await database('rwi_bs');
    const dir = makeMigrations({ '20250103000000_checks': sql });
    expect((await cli(['run', '--yes', '--database-url', written.url, '--migrations', dir])).exitCode).toBe(0);

    // A reader of Post: steps 1-4 (on User) go through, step 5 (NOT VALID, ACCESS EXCLUSIVE on Post)
    // is refused its lock and retried, so the run sits between step 4 and step 5 until it is killed.
    const reader = await holding(safe.url, 'SELECT count(*) FROM "Post"');
    const child = start(safe.url, dir);
    await waitUntil('steps 1 to 4 to be done', async () => /: 4\/6 steps done/.test(await progress(safe.url)), 30_000);
    await killed(child, safe.url);
    expect(await progress(safe.url)).toMatch(/^citadel-migrate run --rewrite: 4\/6 steps done; form [0-9a-f]+$/);
    // step 4 (the check dropped) is done, step 5 (Post's check) is not
    expect(
      await query(
        safe.url,
        `SELECT conname FROM pg_constraint WHERE conrelid IN ('"User"'::regclass, '"Post"'::regclass) AND contype = 'c'`,
      ),
    ).toEqual([]);

    const states = await ourStatus(safe.url, dir);
    expect(states[0]).toMatchObject({
      state: 'failed',
      note: 'its safe form stopped after step 4 of 6: `citadel-migrate run --rewrite` resumes it at step 5',
    });
    await expectPrismaAgrees(safe.url, dir, states);
    const text = await cli(['status', '--database-url', safe.url, '--migrations', dir]);
    expect(text.stdout).toContain('its safe form stopped after step 4 of 6');

    await reader.query('COMMIT');
    const resumed = await cli(['run', '--rewrite', '--yes', '--json', '--database-url', safe.url, '--migrations', dir]);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(json(resumed).migrations).toEqual([
      expect.objectContaining({ name: '20250103000000_checks', outcome: 'applied', steps: 6, resumedAt: 5 }),
    ]);
    expect(resumed.stderr).toContain('resuming the safe form at step 5 of 6');
    expect(await schemaOf(safe.url)).toEqual(await schemaOf(written.url));
    expect((await expectPrismaAgrees(safe.url, dir)).map((s) => s.state)).toEqual(['applied']);
  });

  it('in the middle of CREATE INDEX CONCURRENTLY: the server stops the build, status names the INVALID index, the next run rebuilds it', async () => {
    const written = await database('rwi_cw');
    const safe = await database('rwi_cs');
    const dir = makeMigrations({ '20250101000000_four': FOUR });
    expect((await cli(['run', '--yes', '--database-url', written.url, '--migrations', dir])).exitCode).toBe(0);

    // A writer of Post in an open transaction: the concurrent build of Post's index (step 6) creates
    // the index, INVALID, then waits for every transaction that may write the table to end.
    const writer = await holding(safe.url, `UPDATE "Post" SET title = title WHERE id = 1`);
    const child = start(safe.url, dir);
    await waitUntil(
      'the build of Post_userId_idx to wait, its index INVALID',
      async () =>
        (
          await query(
            safe.url,
            `SELECT 1 FROM pg_index i JOIN pg_stat_activity a ON a.query ILIKE '%CONCURRENTLY%Post_userId_idx%'
             WHERE i.indexrelid = to_regclass('"Post_userId_idx"') AND NOT i.indisvalid AND a.wait_event_type = 'Lock'`,
          )
        ).length > 0,
      30_000,
    );
    await killed(child, safe.url);
    // The server ended the build with its client: the index is left INVALID, nothing builds it.
    expect(
      await query(safe.url, `SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('"Post_userId_idx"')`),
    ).toEqual([{ indisvalid: false }]);
    expect(await progress(safe.url)).toMatch(/^citadel-migrate run --rewrite: 5\/8 steps done/);

    const states = await ourStatus(safe.url, dir);
    expect(states[0]).toMatchObject({ state: 'failed' });
    expect(states[0]!.note).toBe(
      'its safe form stopped after step 5 of 8: `citadel-migrate run --rewrite` resumes it at step 6',
    );
    await expectPrismaAgrees(safe.url, dir, states);
    const text = await cli(['status', '--database-url', safe.url, '--migrations', dir]);
    expect(text.stdout).toContain('its safe form stopped after step 5 of 8');
    expect(text.stdout + text.stderr).toMatch(
      /index "?Post_userId_idx"? is INVALID \(left by the interrupted safe form of 20250101000000_four\): `citadel-migrate run --rewrite` drops it and builds it again/,
    );

    await writer.query('ROLLBACK');
    const resumed = await cli(['run', '--rewrite', '--yes', '--json', '--database-url', safe.url, '--migrations', dir]);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(json(resumed).migrations).toEqual([
      expect.objectContaining({ name: '20250101000000_four', outcome: 'applied', steps: 8, resumedAt: 6 }),
    ]);
    expect(await schemaOf(safe.url)).toEqual(await schemaOf(written.url));
    expect((await expectPrismaAgrees(safe.url, dir)).map((s) => s.state)).toEqual(['applied']);
  });
});
