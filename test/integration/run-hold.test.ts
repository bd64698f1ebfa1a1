import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execa } from 'execa';
import { startReplicated, type Replicated } from '../helpers/standby.js';
import { freshDatabase, query } from '../helpers/db.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeMigrations } from '../helpers/folders.js';
import { BIN, CLI_ENV, cli } from '../helpers/cli.js';
import { waitUntil } from '../helpers/wait.js';
import { journalFolder, journalLines } from '../helpers/journal.js';

// Hold, don't abort: a run waits before each migration while a standby is behind (replay paused on
// purpose), says so, and goes on when it has caught up; --max-hold bounds the wait.
describe('run --max-lag holds while a standby is behind', () => {
  let r: Replicated;
  beforeAll(async () => {
    r = await startReplicated();
  });
  afterAll(() => r?.stop());

  /** A fresh database whose standby copy is over a second behind (replay paused, then WAL written). */
  async function behind(name: string): Promise<string> {
    await r.primary.createDatabase(name);
    const url = r.primary.url(name);
    await r.waitCaughtUp();
    await r.pauseReplay();
    await query(url, 'CREATE TABLE filler AS SELECT g AS id FROM generate_series(1, 20000) g');
    await waitUntil(
      'the standby to be over 1 s behind',
      async () =>
        (
          await query<{ s: number }>(
            url,
            `SELECT extract(epoch FROM replay_lag)::float8 AS s FROM pg_stat_replication WHERE application_name = 'replica-1'`,
          )
        )[0]?.s > 1.2,
      20_000,
      100,
    );
    return url;
  }

  const applied = async (url: string) =>
    (
      await query<{ n: number }>(
        url,
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = '_prisma_migrations'",
      )
    )[0]!.n
      ? (
          await query<{ migration_name: string }>(
            url,
            'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL',
          )
        ).map((x) => x.migration_name)
      : [];

  it('holds before the migration, says why, and goes on once replay resumes', async () => {
    const url = await behind('held');
    const dir = makeMigrations({ m1_a: 'CREATE TABLE a (id int);\n', m2_b: 'CREATE TABLE b (id int);\n' });
    const journal = journalFolder();
    const child = execa('node', [BIN, 'run', '--yes', '--max-lag', '1s', '--database-url', url, '--migrations', dir], {
      reject: false,
      env: { ...CLI_ENV, ...journal.env },
      extendEnv: true,
    });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    try {
      await waitUntil('the run to hold', async () =>
        /holding: standby replica-1 is \d+ s behind \(max 1 s\)/.test(stderr),
      );
      // held: nothing applied while the standby is behind
      expect(await applied(url)).toEqual([]);
      await r.resumeReplay();
      const res = await child;
      expect(res.exitCode).toBe(0);
      expect(stderr).toMatch(/held \d+\.\ds; going on with m1_a/);
      expect(stderr).toMatch(/✓ m1_a/);
      expect(stderr).toMatch(/✓ m2_b/);
      expect(await applied(url)).toEqual(['m1_a', 'm2_b']);
      // the journal keeps the hold's start and end, not each second's check
      const holds = journalLines(journal.dir).filter((l) => l.action === 'run.hold');
      expect(holds.map((l) => l.phase)).toEqual(['begin', 'end']);
      expect(holds[0]!.details).toMatchObject({
        name: 'm1_a',
        signal: 'replay-lag',
        standby: 'replica-1',
        limit: 1000,
      });
      expect((holds[0]!.details as { value: number }).value).toBeGreaterThan(1000);
      expect(holds[1]!.result).toMatchObject({ outcome: 'under the limit' });
      expect((holds[1]!.result as { heldMs: number }).heldMs).toBeGreaterThan(0);
      const report = await cli(['report', '--database-url', url], { env: journal.env });
      expect(report.exitCode).toBe(0);
      expect(report.stdout).toMatch(
        /\| run\.hold \| held m1_a for \d+ (s|ms) because standby replica-1 was \d+ s behind \(max 1 s\); went on once it was under the limit \|/,
      );
    } finally {
      await r.resumeReplay();
      child.kill('SIGKILL');
    }
  });

  it('--max-hold bounds the wait: the run fails cleanly, in one sentence, with nothing started', async () => {
    const url = await behind('bounded');
    const dir = makeMigrations({ m1_a: 'CREATE TABLE a (id int);\n' });
    const journal = journalFolder();
    try {
      const res = await cli(
        ['run', '--yes', '--max-lag', '1s', '--max-hold', '2s', '--database-url', url, '--migrations', dir],
        { env: journal.env },
      );
      expect(res.exitCode).toBe(1);
      const report = await cli(['report', '--database-url', url], { env: journal.env });
      expect(report.stdout).toMatch(
        /\| run\.hold \| held m1_a for 2 s because standby replica-1 was \d+ s behind \(max 1 s\); gave up at --max-hold \(still \d+ s\): nothing more was started \|/,
      );
      expect(res.stderr).toMatch(
        /✗ held \d\.\ds \(--max-hold\) before m1_a because standby replica-1 is \d+ s behind \(max 1 s\): nothing more was started; run again once it has caught up, or raise --max-hold/,
      );
      expect(res.stdout).toContain('0 applied, 0 failed, 1 not run');
      expect(await applied(url)).toEqual([]);
      // --json carries each hold: where, how long, how it ended, and the same sentence
      const json = await cli(
        ['run', '--yes', '--json', '--max-lag', '1s', '--max-hold', '1s', '--database-url', url, '--migrations', dir],
        { env: journal.env },
      );
      expect(json.exitCode).toBe(1);
      const doc = JSON.parse(json.stdout);
      expect(doc.holds).toHaveLength(1);
      expect(doc.holds[0]).toMatchObject({
        name: 'm1_a',
        outcome: 'expired',
        over: { signal: 'replay-lag', standby: 'replica-1', unit: 'ms', limit: 1000 },
      });
      expect(doc.holds[0].reason).toMatch(/^standby replica-1 is \d+ s behind \(max 1 s\)$/);
      expect(doc.holds[0].heldMs).toBeGreaterThanOrEqual(1000);
      expect((await query(url, "SELECT to_regclass('a') AS t"))[0]!.t).toBeNull();
    } finally {
      await r.resumeReplay();
    }
  });

  it('a byte limit holds too, and an unreadable limit is a usage error', async () => {
    const dir = makeMigrations({ m1_a: 'CREATE TABLE a (id int);\n' });
    const bad = await cli([
      'run',
      '--yes',
      '--max-lag',
      'soon',
      '--database-url',
      r.primary.url('postgres'),
      '--migrations',
      dir,
    ]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.trim()).toBe(
      '--max-lag takes a duration such as 2s or 500ms, or a size of WAL such as 64MB (got "soon").',
    );
    const url = await behind('bytes');
    try {
      const res = await cli([
        'run',
        '--yes',
        '--max-lag',
        '1kB',
        '--max-hold',
        '1s',
        '--database-url',
        url,
        '--migrations',
        dir,
      ]);
      expect(res.exitCode).toBe(1);
      expect(res.stderr).toMatch(/because standby replica-1 is [\d.]+ (kB|MB) behind \(max 1\.0 kB\)/);
    } finally {
      await r.resumeReplay();
    }
  });

  it('a batched backfill holds between batches while the standby falls behind, then finishes', async () => {
    await r.primary.createDatabase('batches');
    const url = r.primary.url('batches');
    await query(url, 'CREATE TABLE items (id bigint PRIMARY KEY, n int NOT NULL DEFAULT 0)');
    await query(url, 'INSERT INTO items (id) SELECT g FROM generate_series(1, 6000) g');
    await query(
      url,
      `CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(0.0005); RETURN NEW; END$$;
       CREATE TRIGGER slow BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION slow();`,
    );
    await r.waitCaughtUp();
    const dir = makeMigrations({ m1_backfill: '-- citadel: batch 500\nUPDATE items SET n = n + 1;\n' });
    const child = execa('node', [BIN, 'run', '--yes', '--max-lag', '1s', '--database-url', url, '--migrations', dir], {
      reject: false,
      env: { ...CLI_ENV },
      extendEnv: true,
    });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const doneBelow = async () => {
      const [row] = await query<{ logs: string | null }>(
        url,
        "SELECT logs FROM _prisma_migrations WHERE migration_name = 'm1_backfill'",
      ).catch(() => []);
      return Number(/"doneBelow":"(\d+)"/.exec(row?.logs ?? '')?.[1] ?? 0);
    };
    try {
      await waitUntil('two batches', async () => (await doneBelow()) > 1000, 30_000);
      await r.pauseReplay();
      await waitUntil('the backfill to hold', async () => /holding: standby replica-1 is/.test(stderr), 30_000);
      const held = await doneBelow();
      expect(held).toBeLessThan(6001);
      await r.resumeReplay();
      const res = await child;
      expect(res.exitCode).toBe(0);
      expect(stderr).toMatch(/held \d+\.\ds; going on with m1_backfill/);
      const [c] = await query<{ once: number }>(url, 'SELECT count(*) FILTER (WHERE n = 1)::int AS once FROM items');
      expect(c).toEqual({ once: 6000 });
    } finally {
      await r.resumeReplay();
      child.kill('SIGKILL');
    }
  });

  it('after a hold the batches grow back no larger than the one before it, until that size had room', async () => {
    await r.primary.createDatabase('regrow');
    const url = r.primary.url('regrow');
    await query(url, 'CREATE TABLE items (id bigint PRIMARY KEY, n int NOT NULL DEFAULT 0)');
    await query(url, 'INSERT INTO items (id) SELECT g FROM generate_series(1, 12000) g');
    // Each batch is one UPDATE: a statement trigger writes down how many rows it took (keys, here).
    // 0.1 ms a row keeps the batches well under a second, so that only the hold limits their size.
    await query(
      url,
      `CREATE TABLE batch_log (seq serial, n int);
       CREATE FUNCTION log_batch() RETURNS trigger LANGUAGE plpgsql AS
         $$BEGIN INSERT INTO batch_log (n) SELECT count(*) FROM new_rows; RETURN NULL; END$$;
       CREATE TRIGGER log_batch AFTER UPDATE ON items REFERENCING NEW TABLE AS new_rows
         FOR EACH STATEMENT EXECUTE FUNCTION log_batch();
       CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(0.0001); RETURN NEW; END$$;
       CREATE TRIGGER slow BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION slow();`,
    );
    await r.waitCaughtUp();
    const batches = async () =>
      (await query<{ n: number }>(url, 'SELECT n FROM batch_log ORDER BY seq')).map((b) => Number(b.n));
    const dir = makeMigrations({ m1_backfill: '-- citadel: batch 200\nUPDATE items SET n = n + 1;\n' });
    const child = execa('node', [BIN, 'run', '--yes', '--max-lag', '1s', '--database-url', url, '--migrations', dir], {
      reject: false,
      env: { ...CLI_ENV },
      extendEnv: true,
    });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    try {
      await waitUntil('the first batch', async () => (await batches()).length >= 1, 30_000);
      await r.pauseReplay();
      await waitUntil('the backfill to hold', async () => /holding: standby replica-1 is/.test(stderr), 30_000);
      // held between two batches: the last one logged is the one before the hold
      const before = (await batches()).length;
      await r.resumeReplay();
      const res = await child;
      expect(res.exitCode, stderr).toBe(0);
      const sizes = await batches();
      const atHold = sizes[before - 1]!;
      const after = sizes.slice(before);
      const says = `sizes ${sizes.join(' ')}, ${atHold} at the hold`;
      // halved; then growing back, no larger than the one before the hold until one of its size went on
      // without a hold. (A later hold, or the WAL budget once the standby's rate is measured, makes
      // the batches smaller again: up to there.)
      expect(after[0]!, says).toBeLessThan(atHold);
      const drop = after.findIndex((n, i) => i > 0 && n < after[i - 1]!);
      const growing = after.slice(0, drop < 0 ? -1 : drop);
      const bigger = growing.findIndex((n) => n > atHold);
      if (bigger >= 0) expect(growing.slice(0, bigger), says).toContain(atHold);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(12000);
    } finally {
      await r.resumeReplay();
      child.kill('SIGKILL');
    }
  }, 60_000);

  it("--max-lag defaults to the runbook's thresholds.maxLag, and is off (said so) without standbys", async () => {
    const bundled = readFileSync(new URL('../../migrations/runbook.yaml', import.meta.url), 'utf8');
    const runbook = path.join(mkdtempSync(path.join(os.tmpdir(), 'cm-hold-rb-')), 'runbook.yaml');
    writeFileSync(
      runbook,
      bundled.replace('thresholds: { minFreeDiskPercent: 20 }', 'thresholds: { minFreeDiskPercent: 20, maxLag: 1s }'),
    );
    const url = await behind('from_runbook');
    const dir = makeMigrations({ m1_a: 'CREATE TABLE a (id int);\n' });
    try {
      const res = await cli([
        'run',
        '--yes',
        '--max-hold',
        '2s',
        '--runbook',
        runbook,
        '--database-url',
        url,
        '--migrations',
        dir,
      ]);
      expect(res.stderr).toContain(
        "Holds while a standby is more than 1 s behind (the runbook's thresholds.maxLag), for at most 2 s (--max-hold).",
      );
      expect(res.stderr).toMatch(/because standby replica-1 is \d+ s behind \(max 1 s\)/);
      expect(res.exitCode).toBe(1);
      // the command's own flag wins over the runbook's
      const flag = await cli([
        'run',
        '--yes',
        '--max-lag',
        '1h',
        '--runbook',
        runbook,
        '--database-url',
        url,
        '--migrations',
        dir,
      ]);
      expect(flag.stderr).toContain('Holds while a standby is more than 1 h behind (--max-lag)');
      expect(flag.exitCode).toBe(0);
    } finally {
      await r.resumeReplay();
    }
    // a server no standby streams from: nothing to be behind
    const lone = await freshDatabase('hold_lone');
    try {
      const res = await cli(['run', '--yes', '--runbook', runbook, '--database-url', lone.url, '--migrations', dir]);
      expect(res.exitCode).toBe(0);
      expect(res.stderr).toContain(
        "Max lag 1 s (the runbook's thresholds.maxLag) is off: no standby streams from this server.",
      );
      expect(res.stderr).not.toContain('holding');
    } finally {
      await lone.drop();
    }
  });
});
