import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { BIN, CLI_ENV } from '../helpers/cli.js';
import { makeMigrations } from '../helpers/folders.js';
import { journalFolder } from '../helpers/journal.js';
import { stallProxy, type StallProxy } from '../helpers/stallProxy.js';
import { waitUntil } from '../helpers/wait.js';

/**
 * Behind a path that stops delivering the server's replies, every command but `run` used to die
 * silently on SIGTERM (or hang, once it listened for it): a stop now ends it within 5 s with one
 * sentence saying what was done and what was not.
 */
let db: Awaited<ReturnType<typeof freshDatabase>>;
const migrations = makeMigrations({
  '1_a': { up: 'CREATE TABLE stop_a (id int);', down: 'DROP TABLE stop_a;\nSELECT pg_sleep(2);' },
});
beforeAll(async () => {
  db = await freshDatabase('stopcmd');
  const r = await execa('node', [BIN, 'run', '--yes', '--migrations', migrations, '--database-url', db.url], {
    env: CLI_ENV,
    reject: false,
  });
  expect(r.exitCode, String(r.stderr)).toBe(0);
});
afterAll(async () => {
  await db?.drop();
});

async function behindProxy(): Promise<{ proxy: StallProxy; url: string }> {
  const u = new URL(db.url);
  const proxy = await stallProxy(u.hostname, Number(u.port));
  u.hostname = '127.0.0.1';
  u.port = String(proxy.port);
  return { proxy, url: u.toString() };
}

function start(args: string[], url: string) {
  const j = journalFolder('cm-stopcmd-');
  const child = execa('node', [BIN, ...args, '--migrations', migrations, '--database-url', url], {
    env: { ...CLI_ENV, ...j.env },
    reject: false,
    stdin: 'ignore',
    timeout: 60_000,
  });
  const out = { stderr: '' };
  child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
  return { child, out };
}

async function stop(child: ReturnType<typeof execa>) {
  const t0 = Date.now();
  child.kill('SIGTERM');
  const r = await child;
  return { r, ms: Date.now() - t0 };
}

describe('a stop on a stalled connection', () => {
  it('ends a rollback within 6 s, reading back that the migration is still applied', async () => {
    const { proxy, url } = await behindProxy();
    try {
      const { child, out } = start(['rollback', '1_a', '--yes'], url);
      await waitUntil('down.sql to run', async () => {
        const rows = await query(
          db.url,
          `SELECT 1 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(2)%' AND pid <> pg_backend_pid()`,
        );
        return rows.length > 0;
      });
      proxy.stallOpen();
      const { r, ms } = await stop(child);
      expect(r.exitCode, out.stderr).toBe(130);
      expect(ms).toBeLessThan(6000);
      expect(out.stderr.trim().split('\n').pop()).toBe(
        'Stopped without an answer from the server within 4 s; read back from a new session: 1_a is not rolled back (its row is still in _prisma_migrations).',
      );
      // the proxy keeps the stalled connection open towards the server: the rollback ended its backend itself
      await waitUntil(
        'no session of the rollback left',
        async () =>
          !(
            await query(
              db.url,
              `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'citadel-migrate roll back%'`,
            )
          ).length,
        3000,
      );
    } finally {
      await proxy.close();
    }
    // the abandoned transaction is rolled back with its ended session
    await waitUntil(
      'the table to be back',
      async () => (await query(db.url, `SELECT to_regclass('stop_a') AS t`))[0]!.t !== null,
    );
  });

  it('on a live connection, cancels down.sql at once and says the migration is still applied', async () => {
    const { child, out } = start(['rollback', '1_a', '--yes'], db.url);
    await waitUntil('down.sql to run', async () => {
      const rows = await query(
        db.url,
        `SELECT 1 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(2)%' AND pid <> pg_backend_pid()`,
      );
      return rows.length > 0;
    });
    const { r, ms } = await stop(child);
    expect(r.exitCode, out.stderr).toBe(130);
    expect(ms).toBeLessThan(3000);
    expect(out.stderr.trim().split('\n').pop()).toBe(
      'Stopped: 1_a is not rolled back (its row is still in _prisma_migrations) (read back from a new session).',
    );
    expect((await query(db.url, `SELECT to_regclass('stop_a') AS t`))[0]!.t).not.toBeNull();
  });

  // Held already (the monitor's own query timeout ends a refresh that is never answered): a guard.
  it('ends locks --watch within 6 s although its refresh never answers', async () => {
    const { proxy, url } = await behindProxy();
    try {
      const child = execa('node', [BIN, 'locks', '--watch', '--refresh', '0.2', '--database-url', url], {
        env: CLI_ENV,
        reject: false,
        stdin: 'ignore',
        timeout: 60_000,
      });
      let stdout = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      await waitUntil('the first frame', async () => stdout.includes('No session is waiting for a lock'));
      proxy.stallOpen();
      const before = proxy.sent();
      await waitUntil('a refresh that will never be answered', async () => proxy.sent() > before);
      const { r, ms } = await stop(child);
      expect(r.exitCode, String(r.stderr)).toBe(0);
      expect(ms).toBeLessThan(6000);
    } finally {
      await proxy.close();
    }
  });

  it('ends a backup within 6 s, saying no backup was recorded', async () => {
    const { proxy, url } = await behindProxy();
    try {
      proxy.stallAll();
      const j = journalFolder('cm-stopcmd-');
      const cwd = mkdtempSync(path.join(os.tmpdir(), 'cm-stopcmd-project-'));
      const child = execa(
        'node',
        [BIN, 'backup', '--migrations', migrations, '--database-url', url, '--backup-dir', path.join(cwd, 'backups')],
        { cwd, env: { ...CLI_ENV, ...j.env }, reject: false, stdin: 'ignore', timeout: 60_000 },
      );
      await waitUntil('the backup to wait on the server', async () => proxy.accepted() > 0);
      const { r, ms } = await stop(child);
      expect(r.exitCode, String(r.stderr)).toBe(130);
      expect(ms).toBeLessThan(6000);
      expect(String(r.stderr).trim().split('\n').pop()).toBe(
        'Stopped without an answer from the server within 4 s; no backup was recorded in the journal, and a scratch copy left on the server is removed by the next backup (or `backup --clean-scratch`).',
      );
    } finally {
      await proxy.close();
    }
  });

  for (const command of ['status', 'check']) {
    it(`ends ${command} within 6 s, saying nothing was changed`, async () => {
      const { proxy, url } = await behindProxy();
      try {
        proxy.stallAll();
        const { child, out } = start([command], url);
        await waitUntil('the command to wait on the server', async () => proxy.accepted() > 0);
        const { r, ms } = await stop(child);
        expect(r.exitCode, out.stderr).toBe(130);
        expect(ms).toBeLessThan(6000);
        expect(out.stderr.trim().split('\n').pop()).toBe(
          `Stopped before ${command} had its answer from the server; nothing was changed (${command} only reads).`,
        );
      } finally {
        await proxy.close();
      }
    });
  }
});
