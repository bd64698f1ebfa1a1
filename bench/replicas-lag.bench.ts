// The standby's replay lag while a batched backfill runs, with `run --max-lag 1s` and without it
// (issue 29: the lag should stay under the limit plus one batch's WAL). A primary and a streaming
// standby (test/helpers/standby.ts) on this machine; the backfill is `-- citadel: batch 10000` over
// BENCH_BACKFILL_ROWS rows (300,000 by default; the 3M takes ten times as long), each row
// widened so that the UPDATE writes WAL the standby must replay. On one machine a standby replays as
// fast as the primary writes, so it is made slow on purpose: its replay is paused 800 ms in every
// second (pg_wal_replay_pause/resume), as a replica whose replay waits on its own queries.
// pg_stat_replication, the WAL insert position and the backfill's progress (its history row) are
// sampled every 50 ms from another session, from the run's start until the standby has replayed
// all it wrote (caughtUpSeconds): the most the standby was behind, the WAL each batch
// wrote (between two progress changes) and the rate the standby replays while it has WAL waiting;
// the load average is read before and after each run. Each case prints the target as a line:
// max lag ≤ limit + one batch's WAL, in bytes (the limit at the measured replay rate) and in seconds.
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

interface Sample {
  atMs: number;
  wal: number;
  doneBelow: string | null;
  lagS: number;
  lagBytes: number;
  replayed: number | null;
  received: number | null;
  replyMs: number | null;
}

/**
 * The figures of one run from its samples: the most the standby was behind (bytes, seconds), the
 * WAL of the largest batch (the WAL written between two committed batches seen in the history row's
 * progress) and the standby's replay rate while it had WAL waiting (as operations/hold.ts reads it).
 */
function figures(samples: Sample[]) {
  let largestBatchWal = 0;
  let at: Sample | undefined;
  for (const s of samples) {
    if (s.doneBelow === null) continue;
    if (at && s.doneBelow !== at.doneBelow) largestBatchWal = Math.max(largestBatchWal, s.wal - at.wal);
    if (!at || s.doneBelow !== at.doneBelow) at = s;
  }
  let bytes = 0;
  let ms = 0;
  const replies = samples.filter((s, i) => s.replyMs !== null && s.replyMs !== samples[i - 1]?.replyMs);
  for (let i = 1; i < replies.length; i++) {
    const a = replies[i - 1]!;
    const b = replies[i]!;
    if (a.received! > a.replayed! && b.received! > b.replayed!) {
      bytes += b.replayed! - a.replayed!;
      ms += b.replyMs! - a.replyMs!;
    }
  }
  return {
    maxLagBytes: Math.max(0, ...samples.map((s) => s.lagBytes)),
    maxLagSeconds: Math.max(0, ...samples.map((s) => s.lagS)),
    largestBatchWal,
    replayBytesPerSecond: ms > 0 ? (bytes * 1000) / ms : null,
  };
}

const mb = (b: number | null) => (b === null ? null : Math.round(b / 1e4) / 100);
const round = (x: number, places = 1) => Math.round(x * 10 ** places) / 10 ** places;

async function backfill(database: string, limitMs: number | null) {
  const flags = limitMs === null ? [] : ['--max-lag', `${limitMs}ms`];
  await r.primary.createDatabase(database);
  const url = r.primary.url(database);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`CREATE TABLE items (id bigint PRIMARY KEY, n int NOT NULL DEFAULT 0, pad text)`);
  await c.query(`INSERT INTO items SELECT g, 0, repeat('x', 200) FROM generate_series(1, ${ROWS}) g`);
  await c.query('CHECKPOINT');
  await r.waitCaughtUp(600_000);
  const dir = makeMigrations({
    m1_backfill: "-- citadel: batch 10000\nUPDATE items SET n = n + 1, pad = repeat('y', 200);\n",
  });
  const samples: Sample[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const row = (
        await c.query(
          `SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS at_ms,
                  (pg_current_wal_insert_lsn() - '0/0')::float8 AS wal,
                  coalesce(extract(epoch FROM replay_lag), 0)::float8 AS s,
                  (pg_current_wal_lsn() - replay_lsn)::float8 AS b,
                  (replay_lsn - '0/0')::float8 AS replayed, (flush_lsn - '0/0')::float8 AS received,
                  (extract(epoch FROM reply_time) * 1000)::float8 AS reply_ms
           FROM pg_stat_replication`,
        )
      ).rows[0];
      // read just after the WAL position: a batch committed in between is off by what 50 ms write
      const doneBelow = row
        ? await c
            .query(
              `SELECT substring(logs FROM '"doneBelow":"([0-9]+)"') AS d FROM _prisma_migrations WHERE migration_name = 'm1_backfill'`,
            )
            .then(
              (q) => (q.rows[0]?.d as string | undefined) ?? null,
              () => null,
            )
        : null;
      if (row)
        samples.push({
          atMs: row.at_ms,
          wal: row.wal,
          doneBelow,
          lagS: row.s ?? 0,
          lagBytes: Math.max(0, row.b ?? 0),
          replayed: row.replayed,
          received: row.received,
          replyMs: row.reply_ms,
        });
      await new Promise((res) => setTimeout(res, 50));
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
  const seconds = round((performance.now() - t0) / 1000);
  // The standby is furthest behind in seconds after the run, when it has yet to replay the last
  // batches: sampled, still slowed, until it has replayed everything the run wrote.
  const end = (await c.query(`SELECT (pg_current_wal_lsn() - '0/0')::float8 AS b`)).rows[0].b as number;
  while ((samples.at(-1)?.replayed ?? 0) < end) await new Promise((res) => setTimeout(res, 50));
  const caughtUpSeconds = round((performance.now() - t0) / 1000);
  sampling = false;
  slowing = false;
  await sampler;
  await slow;
  await standby.query('SELECT pg_wal_replay_resume()');
  await standby.end();
  await c.end();
  rmSync(dir, { recursive: true, force: true });
  const held = [...res.stderr.matchAll(/held (\d+\.\d)s/g)].reduce((a, m) => a + Number(m[1]), 0);
  const f = figures(samples);
  const rate = f.replayBytesPerSecond;
  // the target: the lag stays under the limit plus one batch's WAL, in bytes (the limit at
  // the standby's measured replay rate) and in seconds (one batch at that rate)
  let check: string | undefined;
  if (limitMs !== null && rate !== null) {
    const limitBytes = (rate * limitMs) / 1000;
    const bytes = limitBytes + f.largestBatchWal;
    const batchS = f.largestBatchWal / rate;
    const secs = limitMs / 1000 + batchS;
    const inBytes = `${mb(f.maxLagBytes)} MB ≤ ${mb(limitBytes)} + ${mb(f.largestBatchWal)} = ${mb(bytes)} MB`;
    const inSeconds = `${round(f.maxLagSeconds, 2)} s ≤ ${limitMs / 1000} + ${round(batchS, 2)} = ${round(secs, 2)} s`;
    const yes = (ok: boolean) => (ok ? 'yes' : 'NO');
    check = `max lag ≤ limit + one batch's WAL: ${inBytes} ${yes(f.maxLagBytes <= bytes)}; ${inSeconds} ${yes(f.maxLagSeconds <= secs)}`;
  }
  return {
    rows: ROWS,
    limit: flags.join(' ') || '(none)',
    exitCode: res.exitCode,
    seconds,
    caughtUpSeconds,
    heldSeconds: round(held),
    maxBehindMB: mb(f.maxLagBytes),
    maxBehindSeconds: round(f.maxLagSeconds, 3),
    largestBatchWalMB: mb(f.largestBatchWal),
    replayMBPerSecond: mb(rate),
    ...(check ? { check } : {}),
    lastProgress: res.stderr.match(/backfill m1_backfill[^\n]*100%[^\n]*/)?.[0],
    ...(res.exitCode === 0 && !process.env.BENCH_DEBUG ? {} : { stderr: res.stderr.slice(-6000) }),
    ...(process.env.BENCH_DEBUG
      ? {
          maxBehindAt: round(
            (samples.find((x) => x.lagBytes === f.maxLagBytes)?.atMs ?? 0) - (samples[0]?.atMs ?? 0),
            0,
          ),
        }
      : {}),
    loadBefore,
    loadAfter: load(),
  };
}

try {
  const without = await backfill('without_limit', null);
  const withLimit = await backfill('with_limit', 1000);
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
