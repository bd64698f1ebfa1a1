// The standby's replay lag while a batched backfill runs, with `run --max-lag 1s` and without it
// (issue 29: the lag should stay under the limit plus one batch's WAL). A primary and a streaming
// standby (test/helpers/standby.ts) on this machine; the backfill is `-- citadel: batch 10000` over
// BENCH_BACKFILL_ROWS rows (300,000 by default; the 3M takes ten times as long), each row
// widened so that the UPDATE writes WAL the standby must replay. On one machine a standby replays as
// fast as the primary writes, so it is made slow on purpose: its replay is paused 800 ms in every
// second (pg_wal_replay_pause/resume), as a replica whose replay waits on its own queries.
// pg_stat_replication is sampled every 100 ms from another session; the load average is read before
// and after each run.
import os from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { execa } from 'execa';
import { startReplicated } from '../test/helpers/standby.js';
import { makeMigrations } from '../test/helpers/folders.js';

const ROWS = Number(process.env.BENCH_BACKFILL_ROWS ?? 300_000);
const BIN = new URL('../bin/citadel-migrate', import.meta.url).pathname;
const r = await startReplicated();
const journal = mkdtempSync(path.join(os.tmpdir(), 'cm-bench-lag-'));
const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100);

async function backfill(database: string, flags: string[]) {
  await r.primary.createDatabase(database);
  const url = r.primary.url(database);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`CREATE TABLE items (id bigint PRIMARY KEY, n int NOT NULL DEFAULT 0, pad text)`);
  await c.query(`INSERT INTO items SELECT g, 0, repeat('x', 200) FROM generate_series(1, ${ROWS}) g`);
  await c.query('CHECKPOINT');
  await r.waitCaughtUp(120_000);
  const dir = makeMigrations({
    m1_backfill: "-- citadel: batch 10000\nUPDATE items SET n = n + 1, pad = repeat('y', 200);\n",
  });
  let maxLagS = 0;
  let maxLagBytes = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const row = (
        await c.query(
          `SELECT coalesce(extract(epoch FROM replay_lag), 0)::float8 AS s,
                  (pg_current_wal_lsn() - replay_lsn)::float8 AS b FROM pg_stat_replication`,
        )
      ).rows[0];
      maxLagS = Math.max(maxLagS, row?.s ?? 0);
      maxLagBytes = Math.max(maxLagBytes, row?.b ?? 0);
      await new Promise((res) => setTimeout(res, 100));
    }
  })();
  const standby = new pg.Client({ connectionString: r.standbyUrl('postgres') });
  await standby.connect();
  let slowing = true;
  const slow = (async () => {
    while (slowing) {
      await standby.query('SELECT pg_wal_replay_pause()');
      await new Promise((res) => setTimeout(res, 800));
      await standby.query('SELECT pg_wal_replay_resume()');
      await new Promise((res) => setTimeout(res, 200));
    }
  })();
  const loadBefore = load();
  const t0 = performance.now();
  const res = await execa('node', [BIN, 'run', '--yes', ...flags, '--database-url', url, '--migrations', dir], {
    reject: false,
    env: { CITADEL_JOURNAL_DIR: journal, NO_COLOR: '1' },
  });
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  sampling = false;
  slowing = false;
  await sampler;
  await slow;
  await standby.end();
  await c.end();
  rmSync(dir, { recursive: true, force: true });
  const held = [...res.stderr.matchAll(/held (\d+\.\d)s/g)].reduce((a, m) => a + Number(m[1]), 0);
  return {
    flags: flags.join(' ') || '(none)',
    exitCode: res.exitCode,
    seconds,
    maxReplayLagSeconds: Math.round(maxLagS * 1000) / 1000,
    maxReplayLagMB: Math.round(maxLagBytes / 1e4) / 100,
    heldSeconds: Math.round(held * 10) / 10,
    lastProgress: res.stderr.match(/backfill m1_backfill[^\n]*100%[^\n]*/)?.[0],
    loadBefore,
    loadAfter: load(),
  };
}

try {
  const without = await backfill('without_limit', []);
  const withLimit = await backfill('with_limit', ['--max-lag', '1s']);
  console.log(
    JSON.stringify(
      { bench: 'replicas: standby replay lag during a batched backfill', rows: ROWS, without, withLimit },
      null,
      2,
    ),
  );
} finally {
  await r.stop();
  rmSync(journal, { recursive: true, force: true });
}
