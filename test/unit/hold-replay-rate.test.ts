import { describe, it, expect } from 'vitest';
import { ReplayRates } from '../../src/monitor/replayRate.js';
import { batchWalBudget, overLimit } from '../../src/operations/hold.js';
import { holdWords } from '../../src/journal/reportWords.js';

const MB = 1024 * 1024;

/** A row of sql/replication_standbys.sql: a standby `behind` bytes behind, having replayed `replayed`. */
function row(o: { atMs: number; replayed: number; received: number; behind: number; lagSeconds: number }) {
  return {
    name: 'replica-1',
    client_address: '127.0.0.1',
    state: 'streaming',
    sync_state: 'async',
    write_lag_seconds: 0,
    flush_lag_seconds: 0,
    replay_lag_seconds: o.lagSeconds,
    write_lag_bytes: 0,
    flush_lag_bytes: 0,
    replay_lag_bytes: o.behind,
    replay_lsn_bytes: o.replayed,
    flush_lsn_bytes: o.received,
    reply_at_ms: o.atMs,
  };
}

// A duration limit reads ahead of the lag in seconds, which is the age of the WAL a standby replayed
// last: known late. The bytes it has to replay at the rate it replays them say how far behind it is.
describe('the hold reads the WAL a standby has to replay at its rate', () => {
  it('measures the rate only while the standby had WAL waiting, and holds on the bytes before the seconds say so', () => {
    const rates = new ReplayRates();
    // caught up (nothing received waits), then 2 s replaying a backlog at 4 MB/s
    rates.update([row({ atMs: 0, replayed: 100 * MB, received: 100 * MB, behind: 0, lagSeconds: 0 })]);
    rates.update([row({ atMs: 1000, replayed: 140 * MB, received: 180 * MB, behind: 80 * MB, lagSeconds: 0.4 })]);
    expect(rates.rate('replica-1')).toBeNull();
    rates.update([row({ atMs: 2000, replayed: 144 * MB, received: 180 * MB, behind: 36 * MB, lagSeconds: 0.6 })]);
    rates.update([row({ atMs: 3000, replayed: 148 * MB, received: 180 * MB, behind: 32 * MB, lagSeconds: 0.8 })]);
    expect(rates.rate('replica-1')).toBe(4 * MB);
    const now = [row({ atMs: 3000, replayed: 148 * MB, received: 180 * MB, behind: 32 * MB, lagSeconds: 0.8 })];
    // under the limit in seconds (0.8 s), 8 s of replay in bytes
    const limits = { maxLagMs: 1000 };
    expect(overLimit(limits, now, null)).toBeNull();
    const over = overLimit(limits, now, null, undefined, rates);
    expect(over).toMatchObject({
      signal: 'replay-lag',
      standby: 'replica-1',
      unit: 'bytes',
      value: 32 * MB,
      limit: 4 * MB,
      bytesPerSecond: 4 * MB,
      limitMs: 1000,
    });
    expect(over!.text).toBe('standby replica-1 has 32 MB to replay, about 8.0 s at its 4.0 MB/s (max 1 s)');
    expect(holdWords({ name: 'm1', ...over, reason: over!.text }, { heldMs: 9000, outcome: 'under the limit' })).toBe(
      'held m1 for 9 s because standby replica-1 had 32 MB to replay, about 8.0 s at its 4.0 MB/s (max 1 s); went on once it was under the limit',
    );
    // one batch may write what it replays within the limit; a size limit is its own budget
    expect(batchWalBudget(limits, now, rates)).toBe(4 * MB);
    expect(batchWalBudget({ maxLagBytes: 16 * MB }, now, rates)).toBe(16 * MB);
    // under a second of replay left: goes on
    const near = [row({ atMs: 3000, replayed: 148 * MB, received: 180 * MB, behind: 3 * MB, lagSeconds: 0.8 })];
    expect(overLimit(limits, near, null, undefined, rates)).toBeNull();
  });

  it('a lag in seconds over the limit is said as before, and a standby never measured behind has no rate', () => {
    const rates = new ReplayRates();
    const now = [row({ atMs: 0, replayed: 10 * MB, received: 10 * MB, behind: 5 * MB, lagSeconds: 3 })];
    rates.update(now);
    expect(overLimit({ maxLagMs: 1000 }, now, null, undefined, rates)!.text).toBe(
      'standby replica-1 is 3 s behind (max 1 s)',
    );
    expect(batchWalBudget({ maxLagMs: 1000 }, now, rates)).toBeUndefined();
  });
});
