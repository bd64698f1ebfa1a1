// Which sessions could block a migration: PostgreSQL's lock conflict table, table names as both
// sides write them, and the matching of the monitor's holders against a migration's locks.
import { describe, expect, test } from 'vitest';
import { conflicts, tableKey, type TableLockHolder } from '../../src/monitor/holders.js';
import { blockersOf } from '../../src/tui/risks.js';
import { lockPolicy, describeLockPolicy } from '../../src/engine/lockPolicy.js';

const holder = (
  pid: number,
  locks: { relation: string; mode: string }[],
  extra: Partial<TableLockHolder> = {},
): TableLockHolder => ({
  pid,
  user: 'app',
  application: 'web',
  clientAddr: null,
  state: 'idle in transaction',
  query: 'SELECT 1',
  xactAgeMs: 30_000,
  stateAgeMs: 29_000,
  locks,
  ...extra,
});

describe('what could block a migration', () => {
  test('lock conflicts follow PostgreSQL table 13.2, in either spelling', () => {
    expect(conflicts('AccessShareLock', 'ACCESS EXCLUSIVE')).toBe(true);
    expect(conflicts('AccessShareLock', 'SHARE')).toBe(false);
    expect(conflicts('RowExclusiveLock', 'SHARE')).toBe(true);
    expect(conflicts('RowExclusiveLock', 'SHARE UPDATE EXCLUSIVE')).toBe(false);
    expect(conflicts('ShareUpdateExclusiveLock', 'SHARE UPDATE EXCLUSIVE')).toBe(true);
  });

  test('table names compare without quotes and the public schema', () => {
    expect(tableKey('public.users')).toBe('users');
    expect(tableKey('"Users"')).toBe('Users');
    expect(tableKey('Users')).toBe('users');
    expect(tableKey('billing.invoices')).toBe('billing.invoices');
  });

  test('a holder blocks when it holds a conflicting lock on a table the migration locks; our own sessions never', () => {
    const tables = new Map([
      ['users', 'ACCESS EXCLUSIVE'],
      ['orders', 'SHARE'],
    ]);
    const hs = [
      holder(1, [{ relation: 'users', mode: 'AccessShareLock' }], { xactAgeMs: 5_000 }),
      holder(2, [{ relation: 'orders', mode: 'AccessShareLock' }]), // SHARE does not wait for ACCESS SHARE
      holder(3, [{ relation: 'public.orders', mode: 'RowExclusiveLock' }], { xactAgeMs: 90_000 }),
      holder(4, [{ relation: 'users', mode: 'RowExclusiveLock' }]),
      holder(5, [{ relation: 'users', mode: 'RowExclusiveLock' }], { application: 'citadel-migrate monitor' }),
    ];
    const found = blockersOf(hs, tables, new Set([4]));
    expect(found.map((b) => b.holder.pid)).toEqual([3, 1]); // oldest transaction first
    expect(found[0]).toMatchObject({ relation: 'public.orders', held: 'RowExclusiveLock', wanted: 'SHARE' });
  });

  test('the lock policy in words, as the run dialog shows it', () => {
    expect(describeLockPolicy(lockPolicy({}))).toMatch(
      /gives way after 200 ms if an application query waits behind it; lock_timeout 200 ms growing to 3 s per attempt; tries for up to 10 min/,
    );
    expect(describeLockPolicy(lockPolicy({ lockTimeoutMs: 5000, lockRetries: 3 }))).toMatch(
      /lock_timeout 5 s per attempt; at most 3 retries/,
    );
  });
});

describe('runs held while the demo application loads', () => {
  test('r and R do not apply and say why; other keys still do', async () => {
    const { applies, bindingOf, refusal } = await import('../../src/tui/keys.js');
    const c = {
      pane: 'migrations' as const,
      mode: 'demo' as const,
      running: false,
      runnable: 5,
      lockedByOther: false,
      hold: 'the simulated application is loading its data: 10 of 100 orders (10%)',
    };
    expect(applies(bindingOf('run-next'), c)).toBe(false);
    expect(applies(bindingOf('run-all'), c)).toBe(false);
    expect(refusal(bindingOf('run-next'), c)).toBe(
      'r (run next): the simulated application is loading its data: 10 of 100 orders (10%)',
    );
    expect(applies(bindingOf('verify'), c)).toBe(true);
    expect(applies(bindingOf('run-next'), { ...c, hold: null })).toBe(true);
  });
});
