import { describe, it, expect } from 'vitest';
import { advisoryKey, lockGraph, lockRows, lockTree } from '../../src/monitor/locks.js';
import { indexBuildFromRow } from '../../src/monitor/progress.js';
import { renderLockTree, duration } from '../../src/monitor/text.js';

// Rows as sql/lock_waits.sql returns them; only what the tree needs.
const row = (pid: number, blocking: number[], extra: Record<string, unknown> = {}) => ({
  pid,
  blocking_pids: blocking,
  user: 'app',
  application: `app${pid}`,
  state: 'active',
  query: `q${pid}`,
  database: 'shop',
  backend_type: 'client backend',
  xact_age_ms: 1000,
  state_age_ms: 1000,
  ...(blocking.length
    ? { wanted_locktype: 'relation', wanted_mode: 'AccessExclusiveLock', wanted_relation: 'users', waiting_ms: 500 }
    : {}),
  ...extra,
});

describe('lock tree', () => {
  it('puts a waiter with two blockers under both, and shows it in full once', () => {
    const g = lockGraph([row(1, []), row(2, []), row(3, [1, 2])]);
    const tree = lockTree(g);
    expect(tree.map((r) => [r.session.pid, r.depth, r.repeated])).toEqual([
      [1, 0, false],
      [3, 1, false],
      [2, 0, false],
      [3, 1, true],
    ]);
    expect(lockRows(g).map((r) => r.pid)).toEqual([1, 3, 2]);
    expect(g.sessions.find((s) => s.pid === 1)!.blocksOn).toEqual(['users']);
  });

  it('still shows a wait cycle (a deadlock not yet broken) without looping', () => {
    const g = lockGraph([row(5, [6]), row(6, [5])]);
    const tree = lockTree(g);
    expect(tree.map((r) => r.session.pid)).toEqual([5, 6, 5]);
    expect(tree[2]!.repeated).toBe(true);
  });

  it('shows a blocker that ended between two reads instead of dropping its waiters', () => {
    const lines = renderLockTree(lockGraph([row(8, [7])]));
    expect(lines[0]).toMatch(/^7 .*ended/);
    expect(lines[1]).toMatch(/^└─ 8 +waits 500ms for AccessExclusiveLock on users/);
  });

  it('makes idle in transaction stand out without colour', () => {
    const lines = renderLockTree(
      lockGraph([
        row(1, [], { state: 'idle in transaction', state_age_ms: 252_000, held_modes: 'RowExclusiveLock' }),
        row(2, [1]),
      ]),
    );
    expect(lines[0]).toContain('! IDLE IN TRANSACTION 4m12s');
    expect(lines[0]).toContain('holds RowExclusiveLock on users');
  });
});

describe('advisory lock keys', () => {
  it('reads pg_locks the way pg_advisory_lock wrote it', () => {
    expect(advisoryKey(0, 72707369, 1)).toBe('72707369');
    expect(advisoryKey(4294967295, 4294967295, 1)).toBe('-1');
    expect(advisoryKey(1, 0, 1)).toBe('4294967296');
    expect(advisoryKey(7, 9, 2)).toBe('(7, 9)');
  });
});

describe('index build percent', () => {
  const phases = [
    ['initializing', {}],
    ['waiting for writers before build', { lockers_total: 2, lockers_done: 1 }],
    ['building index: scanning table', { blocks_total: 100, blocks_done: 10 }],
    ['building index: scanning table', { blocks_total: 100, blocks_done: 90 }],
    ['building index: sorting live tuples', {}],
    ['building index: loading tuples in tree', { tuples_total: 1000, tuples_done: 500 }],
    ['waiting for writers before validation', {}],
    ['index validation: scanning table', { blocks_total: 100, blocks_done: 50 }],
    ['waiting for old snapshots', { lockers_total: 1, current_locker_pid: 42 }],
    ['waiting for readers before marking dead', {}],
  ] as const;

  it('rises through the phases of a CONCURRENTLY build and names the locker it waits for', () => {
    const builds = phases.map(([phase, counters]) =>
      indexBuildFromRow({ pid: 1, command: 'CREATE INDEX CONCURRENTLY', phase, index_name: 'i', ...counters }),
    );
    const percents = builds.map((b) => b.percent!);
    for (let i = 1; i < percents.length; i++) expect(percents[i]).toBeGreaterThanOrEqual(percents[i - 1]!);
    expect(percents[0]).toBe(0);
    expect(percents.at(-1)).toBeLessThan(100);
    expect(builds[8]!.lockers.currentPid).toBe(42);
  });

  it('stretches a plain build over the whole gauge and names it by its statement while the index is invisible', () => {
    const b = indexBuildFromRow({
      pid: 1,
      command: 'CREATE INDEX',
      phase: 'building index: loading tuples in tree',
      tuples_total: 10,
      tuples_done: 10,
      index_name: null,
      query: 'CREATE INDEX big_h_idx\n  ON big (h)',
    });
    expect(b.percent).toBe(100);
    expect(b.index).toBe('CREATE INDEX big_h_idx ON big (h)');
  });
});

describe('durations', () => {
  it('reads as DBAs write them', () => {
    expect([duration(850), duration(12_000), duration(252_000), duration(7_500_000), duration(null)]).toEqual([
      '850ms',
      '12s',
      '4m12s',
      '2h05m',
      '?',
    ]);
  });
});
