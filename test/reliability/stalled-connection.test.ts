import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execa } from 'execa';
import { freshDatabase, query } from '../helpers/db.js';
import { BIN, CLI_ENV } from '../helpers/cli.js';
import { makeMigrations } from '../helpers/folders.js';
import { journalFolder, journalLines } from '../helpers/journal.js';
import { stallProxy, type StallProxy } from '../helpers/stallProxy.js';
import { waitUntil } from '../helpers/wait.js';

/**
 * A run behind a path that stops delivering the server's replies (the server still gets ours and
 * commits): it used to stay after "▶ ..." for good, SIGTERM included. A stop now ends it within
 * 5 s, with what the server committed, read back on a new session; without a stop, the run ends by
 * itself once the server has finished and its answer is overdue.
 */
let db: Awaited<ReturnType<typeof freshDatabase>>;
let proxy: StallProxy;
beforeAll(async () => {
  db = await freshDatabase('stall');
  const u = new URL(db.url);
  proxy = await stallProxy(u.hostname, Number(u.port));
});
afterAll(async () => {
  await proxy?.close();
  await db?.drop();
});

describe('a stalled connection', () => {
  it('SIGTERM ends the run within 5 s, saying what the server committed (all three)', async () => {
    const viaProxy = new URL(db.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const j = journalFolder('cm-stall-');
    const migrations = makeMigrations({
      '1_a': 'CREATE TABLE stall_a (id int);\nSELECT pg_sleep(1);',
      '2_b': 'CREATE TABLE stall_b (id int);',
      '3_c': 'CREATE TABLE stall_c (id int);',
    });
    const child = execa(
      'node',
      [BIN, 'run', '--yes', '--migrations', migrations, '--database-url', viaProxy.toString()],
      { env: { ...CLI_ENV, ...j.env }, reject: false, stdin: 'ignore', timeout: 60_000 },
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitUntil('the first migration to start', async () => stderr.includes('▶ 1_a'));
    proxy.stallOpen();
    // the server goes on without us: all three are committed, and the run cannot hear it
    await waitUntil(
      'the server to commit all three',
      async () => {
        const rows = await query(
          db.url,
          `SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL`,
        );
        return rows[0]!.n === 3;
      },
      20_000,
    );
    expect(stderr).not.toMatch(/applied/);

    const t0 = Date.now();
    child.kill('SIGTERM');
    const r = await child;
    const ms = Date.now() - t0;
    expect(r.exitCode, stderr).toBe(130);
    expect(ms).toBeLessThan(5000);
    expect(stderr.trim().split('\n').pop()).toBe(
      'Stopped without an answer from the server within 4 s; read back from a new session: applied 1_a, 2_b, 3_c.',
    );
    const abandoned = journalLines(j.dir)
      .filter((l) => l.action === 'run.abandoned')
      .map((l) => l.details);
    expect(abandoned).toEqual([{ pending: ['1_a', '2_b', '3_c'], applied: ['1_a', '2_b', '3_c'], notApplied: [] }]);
    // its stalled sessions are ended on the server too (the proxy keeps them open there)
    await waitUntil('no session of the run left on the server', async () => !(await sessionsOn(db.url)).length, 3000);
  });
});

/** The run's CLI behind its own proxy, on its own database; stderr as it comes. */
async function behindProxy(migrations: Record<string, string>, env: Record<string, string>) {
  const own = await freshDatabase('lost');
  const u = new URL(own.url);
  const p = await stallProxy(u.hostname, Number(u.port));
  u.hostname = '127.0.0.1';
  u.port = String(p.port);
  const j = journalFolder('cm-lost-');
  const child = execa(
    'node',
    [BIN, 'run', '--yes', '--migrations', makeMigrations(migrations), '--database-url', u.toString()],
    {
      env: { ...CLI_ENV, ...j.env, ...env },
      reject: false,
      stdin: 'ignore',
      timeout: 40_000,
    },
  );
  const out = { stderr: '' };
  child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const cleanup = async () => {
    child.kill('SIGKILL');
    await p.close();
    await own.drop();
  };
  return { db: own, proxy: p, journal: j, child, out, cleanup };
}

/** The sessions on the database other than the one asking (the CLI's, once it has exited). */
const sessionsOn = async (url: string) =>
  (
    await query<{ pid: number; state: string; application_name: string }>(
      url,
      `SELECT pid, state, application_name FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    )
  ).map((r) => `${r.pid} ${r.state} ${r.application_name}`);

describe('an answer lost on a stalled connection, without any signal', () => {
  it('the run ends by itself once the server finished and the answer is 2 s overdue, and leaves no session', async () => {
    const run = await behindProxy(
      {
        '1_a': 'CREATE TABLE lost_a (id int);\nSELECT pg_sleep(1);',
        '2_b': 'CREATE TABLE lost_b (id int);',
        '3_c': 'CREATE TABLE lost_c (id int);',
      },
      { CITADEL_ANSWER_DEADLINE_MS: '2000' },
    );
    try {
      await waitUntil('the first migration to start', async () => run.out.stderr.includes('▶ 1_a'));
      run.proxy.stallOpen();
      await waitUntil(
        'the server to commit all three',
        async () => {
          const rows = await query(
            run.db.url,
            `SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL`,
          );
          return rows[0]!.n === 3;
        },
        20_000,
      );
      const t0 = Date.now();
      const r = await run.child;
      const ms = Date.now() - t0;
      const stderr = run.out.stderr;
      expect(r.exitCode, stderr).toBe(130);
      // the deadline (2 s after the server finished), a probe's interval and the read-back
      expect(ms, stderr).toBeLessThan(6000);
      expect(stderr).not.toMatch(/applied, /);
      expect(stderr.trim().split('\n').pop()).toBe(
        'The server finished what the run sent, but its answer did not arrive within 2 s (a stalled connection): the run ended its session on the server; read back from a new session: applied 1_a, 2_b, 3_c.',
      );
      const abandoned = journalLines(run.journal.dir)
        .filter((l) => l.action === 'run.abandoned')
        .map((l) => l.details);
      expect(abandoned).toEqual([
        {
          pending: ['1_a', '2_b', '3_c'],
          applied: ['1_a', '2_b', '3_c'],
          notApplied: [],
          answerLostAfterMs: 2000,
        },
      ]);
      // the proxy keeps the stalled connections open towards the server, as a NAT that forgot them:
      // only the run itself can end its backends there
      await waitUntil(
        'no session of the run left on the server',
        async () => (await sessionsOn(run.db.url)).length === 0,
        3000,
      ).catch(async (err) => {
        throw new Error(`${err.message}: ${(await sessionsOn(run.db.url)).join('; ')}`);
      });
    } finally {
      await run.cleanup();
    }
  });

  it('a long statement still running on the server is never abandoned (the server is asked, and says active)', async () => {
    const run = await behindProxy({ '1_slow': 'SELECT pg_sleep(5);' }, { CITADEL_ANSWER_DEADLINE_MS: '1000' });
    try {
      // the run asks from a session of its own while the statement runs past the deadline
      await waitUntil(
        'the run to ask the server about its statement',
        async () =>
          (
            await query(
              run.db.url,
              `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'citadel-migrate answer probe%'`,
            )
          ).length > 0,
        15_000,
      );
      const r = await run.child;
      expect(r.exitCode, run.out.stderr).toBe(0);
      expect(r.stdout).toMatch(/^1 applied, 0 failed, 0 not run/m);
      expect(journalLines(run.journal.dir).filter((l) => l.action === 'run.abandoned')).toEqual([]);
    } finally {
      await run.cleanup();
    }
  });
});
