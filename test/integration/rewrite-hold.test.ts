import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execa } from 'execa';
import { startReplicated, type Replicated } from '../helpers/standby.js';
import { query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { BIN, CLI_ENV } from '../helpers/cli.js';
import { expectPrismaAgrees } from '../helpers/oracle.js';
import { waitUntil } from '../helpers/wait.js';

/** `run --rewrite --max-lag 1s` in batches of 500, its stderr so far, and the progress its history row records. */
function heldRun(url: string, name: string, dir: string) {
  const args = ['run', '--rewrite', '--yes', '--batch-rows', '500', '--max-lag', '1s'];
  const child = execa('node', [BIN, ...args, '--database-url', url, '--migrations', dir], {
    reject: false,
    stdin: 'ignore',
    env: { ...CLI_ENV },
    extendEnv: true,
  });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const progress = async () => {
    const [row] = await query<{ logs: string | null }>(
      url,
      `SELECT logs FROM _prisma_migrations WHERE migration_name = '${name}'`,
    ).catch(() => []);
    return row?.logs ?? '';
  };
  const lastKey = async () => Number(/backfill after "(\d+)"/.exec(await progress())?.[1] ?? 0);
  return { child, stderr: () => err, progress, lastKey };
}

/**
 * Database NAME on the primary with a table of 6000 rows whose updates each cost 1.5 ms (about 9 s of
 * backfill in all): the batches grow while they are fast, and a pause of replay must still land in the
 * middle of the backfill on a loaded machine. Returns its URL once the standby has caught up.
 */
async function slowTable(r: Replicated, name: string, insert: string): Promise<string> {
  await r.primary.createDatabase(name);
  const url = r.primary.url(name);
  await query(url, 'CREATE TABLE items (id bigint PRIMARY KEY, n int NOT NULL DEFAULT 0)');
  await query(url, insert);
  await query(
    url,
    `CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(0.0015); RETURN NEW; END$$;
     CREATE TRIGGER slow BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION slow();`,
  );
  await r.waitCaughtUp();
  return url;
}

// Hold, don't abort, in a safe form too: run --rewrite's backfill goes through run's batch executor,
// so --max-lag holds it between batches while a standby is behind, and it goes on once replay resumes.
describe('run --rewrite --max-lag', () => {
  let r: Replicated;
  beforeAll(async () => {
    r = await startReplicated();
  });
  afterAll(() => r?.stop());

  it("the backfill holds between batches while a standby's replay is paused, then goes on and finishes", async () => {
    const url = await slowTable(r, 'rewrite_held', 'INSERT INTO items (id) SELECT g FROM generate_series(1, 6000) g');
    const name = '20250101000000_stamp';
    const dir = makeMigrations({
      [name]: 'ALTER TABLE "items" ADD COLUMN "stamp" UUID DEFAULT gen_random_uuid();\n',
    });
    const { child, stderr, progress, lastKey } = heldRun(url, name, dir);
    try {
      await waitUntil('two batches of the backfill', async () => (await lastKey()) >= 1000, 30_000);
      await r.pauseReplay();
      await waitUntil('the backfill to hold', async () => /holding: standby replica-1 is/.test(stderr()), 30_000);
      // Held in the middle of the backfill (step 3 of 3), with the batches before the hold committed.
      const held = await lastKey();
      expect(held).toBeGreaterThanOrEqual(1000);
      expect(held).toBeLessThan(6000);
      expect(await progress()).toMatch(/^citadel-migrate run --rewrite: 2\/3 steps done/);
      const filled = async () => (await query<{ n: number }>(url, 'SELECT count(stamp)::int AS n FROM items'))[0]!.n;
      expect(await filled()).toBe(held);
      // Still held 5 s later (the hold is said again every 5 s): no batch has run since.
      await waitUntil(
        'the hold to be said again',
        async () => (stderr().match(/holding: /g) ?? []).length >= 2,
        30_000,
      );
      expect(await lastKey()).toBe(held);
      await r.resumeReplay();
      const res = await child;
      expect(res.exitCode, stderr()).toBe(0);
      expect(stderr()).toMatch(new RegExp(`held \\d+\\.\\ds; going on with ${name}`));
      expect(stderr()).toContain(`✓ ${name}`);
      expect(await filled()).toBe(6000);
      await expectPrismaAgrees(url, dir);
    } finally {
      await r.resumeReplay();
      child.kill('SIGKILL');
    }
  });
  it("a type change's copy (expand and contract) holds between batches too, then goes on to the swap", async () => {
    const url = await slowTable(
      r,
      'rewrite_type_held',
      'INSERT INTO items (id, n) SELECT g, g FROM generate_series(1, 6000) g',
    );
    const name = '20250101000000_bigint';
    const dir = makeMigrations({ [name]: 'ALTER TABLE "items" ALTER COLUMN "n" SET DATA TYPE BIGINT;\n' });
    const { child, stderr, progress, lastKey } = heldRun(url, name, dir);
    try {
      await waitUntil('two batches of the copy', async () => (await lastKey()) >= 1000, 30_000);
      await r.pauseReplay();
      await waitUntil('the copy to hold', async () => /holding: standby replica-1 is/.test(stderr()), 30_000);
      const held = await lastKey();
      expect(held).toBeLessThan(6000);
      expect(await progress()).toMatch(/^citadel-migrate run --rewrite: 1\/5 steps done/);
      const copied = async () =>
        (await query<{ n: number }>(url, 'SELECT count(n__citadel_new)::int AS n FROM items'))[0]!.n;
      expect(await copied()).toBe(held);
      await waitUntil(
        'the hold to be said again',
        async () => (stderr().match(/holding: /g) ?? []).length >= 2,
        30_000,
      );
      expect(await lastKey()).toBe(held);
      await r.resumeReplay();
      const res = await child;
      expect(res.exitCode, stderr()).toBe(0);
      expect(stderr()).toContain(`✓ ${name}`);
      expect(
        await query(
          url,
          `SELECT format_type(atttypid, atttypmod) AS type, attnotnull FROM pg_attribute
           WHERE attrelid = 'items'::regclass AND attname = 'n'`,
        ),
      ).toEqual([{ type: 'bigint', attnotnull: true }]);
      expect(await query(url, 'SELECT count(*)::int AS n FROM items WHERE n <> id')).toEqual([{ n: 0 }]);
      await expectPrismaAgrees(url, dir);
    } finally {
      await r.resumeReplay();
      child.kill('SIGKILL');
    }
  });
});
