import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startReplicated, type Replicated } from '../helpers/standby.js';
import { query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, json } from '../helpers/cli.js';
import { waitUntil } from '../helpers/wait.js';

// A primary with a streaming standby (pg_basebackup -R), archiving into a folder, with a small
// max_wal_size (the inactive-slot threshold) and a quick autovacuum.
describe('status and locks show the standbys, the slots, the WAL and the archive', () => {
  let r: Replicated;
  let url: string;
  let archive: string;
  let dir: string;
  beforeAll(async () => {
    archive = mkdtempSync(path.join(os.tmpdir(), 'cm-archive-'));
    chmodSync(archive, 0o777);
    r = await startReplicated({
      primarySettings: {
        archive_mode: 'on',
        // archiving fails while the folder holds a file named stop
        archive_command: `test ! -f ${archive}/stop && cp %p ${archive}/%f`,
        min_wal_size: '2MB',
        max_wal_size: '4MB',
        autovacuum_naptime: '1s',
      },
    });
    await r.primary.createDatabase('app');
    url = r.primary.url('app');
    await query(url, 'CREATE TABLE items (id int PRIMARY KEY, note text)');
    dir = makeMigrations({ m1_touch_items: 'UPDATE items SET note = note;\n' });
  });
  afterAll(async () => {
    await r?.stop();
    rmSync(archive, { recursive: true, force: true });
  });
  const status = (...more: string[]) => cli(['status', '--database-url', url, '--migrations', dir, ...more]);

  it('a caught-up idle standby is 0 s and 0 bytes behind, not unknown', async () => {
    await r.waitCaughtUp();
    // the lag times read NULL on the server once the standby has nothing left to report
    const doc = await waitUntil('the lag times to clear', async () => {
      const d = json(await status('--json'));
      const s = d.replication.standbys[0];
      return s.writeLagSeconds === 0 && s.replayLagSeconds === 0 && s.replayLagBytes === 0 ? d : undefined;
    });
    expect(doc.replication.standbys).toEqual([
      expect.objectContaining({
        name: 'replica-1',
        clientAddress: '127.0.0.1',
        state: 'streaming',
        writeLagSeconds: 0,
        flushLagSeconds: 0,
        replayLagSeconds: 0,
        writeLagBytes: 0,
        flushLagBytes: 0,
        replayLagBytes: 0,
      }),
    ]);
    const text = await status();
    expect(text.stdout).toContain('Standbys: 1');
    expect(text.stdout).toContain('replica-1 (127.0.0.1) streaming, caught up');
  });

  it('locks shows the standbys and the WAL too, in text and JSON', async () => {
    const text = await cli(['locks', '--database-url', url]);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain('No session is waiting for a lock');
    expect(text.stdout).toMatch(/replica-1 \(127\.0\.0\.1\) streaming/);
    expect(text.stdout).toMatch(/WAL [\d.]+ (bytes|kB|MB)\/s, archive backlog \d+ segments?/);
    const doc = json(await cli(['locks', '--database-url', url, '--json']));
    expect(doc.replication.standbys[0]).toMatchObject({ name: 'replica-1', state: 'streaming' });
    expect(doc.wal).toEqual({ bytesPerSecond: expect.any(Number), archiveBacklogSegments: expect.any(Number) });
  });

  it('a standby whose replay is paused shows its replay lag in seconds and bytes', async () => {
    await r.pauseReplay();
    try {
      await query(url, 'INSERT INTO items SELECT g, repeat($$x$$, 100) FROM generate_series(1, 5000) g');
      const s = await waitUntil('the standby to report replay lag', async () => {
        const st = json(await status('--json')).replication.standbys[0];
        return st.replayLagBytes > 100_000 && st.replayLagSeconds > 0.5 ? st : undefined;
      });
      // written and flushed on the standby: only the replay is behind
      expect(s.flushLagBytes).toBeLessThan(s.replayLagBytes);
      const text = await status();
      expect(text.stdout).toMatch(/replica-1 \(127\.0\.0\.1\) streaming, replay \d+(\.\d)? s \/ [\d.]+ (kB|MB) behind/);
    } finally {
      await r.resumeReplay();
    }
  });

  it('an inactive slot retaining more than max_wal_size is a warning that names it', async () => {
    await query(url, `SELECT pg_create_physical_replication_slot('gone_consumer', true)`);
    try {
      // 6 MB of WAL, over the 4 MB max_wal_size
      for (let i = 0; i < 6; i++) {
        await query(url, 'INSERT INTO items SELECT g, repeat($$y$$, 500) FROM generate_series(100001, 102000) g');
        await query(url, 'DELETE FROM items WHERE id > 100000');
        await query(url, 'SELECT pg_switch_wal()');
      }
      const doc = json(await status('--json'));
      const slot = doc.replication.slots.find((s: { name: string }) => s.name === 'gone_consumer');
      expect(slot).toMatchObject({ type: 'physical', active: false });
      expect(slot.retainedBytes).toBeGreaterThan(4 * 1024 * 1024);
      expect(doc.replication.warnings).toEqual([expect.stringMatching(/^replication slot gone_consumer is inactive/)]);
      const text = await status();
      expect(text.stdout).toContain('gone_consumer (physical) inactive, retains');
      expect(text.stdout).toMatch(/! replication slot gone_consumer is inactive and retains [\d.]+ MB of WAL/);
    } finally {
      await query(url, `SELECT pg_drop_replication_slot('gone_consumer')`);
    }
  });

  it('WAL bytes per second while a writer writes, and the archive backlog when archiving fails', async () => {
    await query(url, 'SELECT pg_switch_wal()');
    await waitUntil('a segment to be archived', async () => readdirSync(archive).length > 0);
    await waitUntil(
      'the archiver to catch up',
      async () => json(await status('--json')).wal.archiveBacklogSegments === 0,
    );
    await query(url, 'CREATE TABLE IF NOT EXISTS wal_writer (note text)');
    // a writer that writes until status has answered
    let writing = true;
    const writer = (async () => {
      while (writing)
        await query(url, 'INSERT INTO wal_writer SELECT md5(random()::text) FROM generate_series(1, 500)');
    })();
    const doc = json(await status('--json'));
    writing = false;
    await writer;
    expect(doc.wal.bytesPerSecond).toBeGreaterThan(10_000);
    expect(doc.wal.archiveBacklogSegments).toBe(0);

    // archiving now fails: the segments pile up
    writeFileSync(path.join(archive, 'stop'), '');
    try {
      for (let i = 0; i < 3; i++) {
        await query(url, 'UPDATE items SET note = note WHERE id <= 10');
        await query(url, 'SELECT pg_switch_wal()');
      }
      const backlog = json(await status('--json')).wal.archiveBacklogSegments;
      expect(backlog).toBeGreaterThanOrEqual(3);
      expect((await status()).stdout).toMatch(
        new RegExp(`WAL [\\d.]+ (bytes|kB|MB)/s, archive backlog ${backlog} segments`),
      );
    } finally {
      rmSync(path.join(archive, 'stop'));
    }
  });

  it('autovacuum running on a table the next migration touches is named', async () => {
    // an autovacuum slowed to a crawl, so that it is still running when status looks
    await query(
      url,
      'ALTER TABLE items SET (autovacuum_vacuum_cost_delay = 100, autovacuum_vacuum_cost_limit = 1, autovacuum_vacuum_threshold = 0, autovacuum_vacuum_scale_factor = 0)',
    );
    await query(url, 'DELETE FROM items WHERE id % 2 = 0');
    try {
      const doc = await waitUntil(
        'autovacuum on items',
        async () => {
          const d = json(await status('--json'));
          return d.autovacuum?.length ? d : undefined;
        },
        30_000,
        200,
      );
      expect(doc.autovacuum).toEqual([expect.objectContaining({ table: 'items', schema: 'public', work: 'vacuum' })]);
      expect((await status()).stdout).toMatch(
        /! autovacuum \(vacuum, pid \d+\) is running on public\.items, which the next migration touches/,
      );
    } finally {
      await query(url, 'ALTER TABLE items SET (autovacuum_enabled = false)');
      await query(
        url,
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'`,
      );
    }
  });
});
