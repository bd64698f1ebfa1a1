// What C and K may target (issue 25): never a session of citadel-migrate itself, never a pid that
// left the Locks pane; the refusal is one sentence the message line shows.
import { describe, expect, test } from 'vitest';
import { consoleKillRefusal, goneRefusal } from '../../src/operations/killTargets.js';
import { applies, bindingOf, refusal, type KeyContext } from '../../src/tui/keys.js';
import { goneLockPid, initialUi, moveSelection, selectedIndex } from '../../src/tui/navigation.js';
import { emptyState, type LockRow } from '../../src/tui/state.js';

const row = (pid: number, application: string): LockRow => ({
  pid,
  depth: 0,
  user: 'u',
  application,
  state: 'active',
  query: 'SELECT 1',
  blockingPids: [],
});
const ctx = (lock: LockRow | undefined, extra: Partial<KeyContext> = {}): KeyContext => ({
  pane: 'locks',
  mode: 'demo',
  running: false,
  runnable: 0,
  lockedByOther: false,
  lock,
  ...extra,
});

describe('the sessions C and K may signal', () => {
  test("citadel-migrate's own sessions, by application name or by pid, are refused in one sentence", () => {
    expect(consoleKillRefusal(row(7, 'citadel-migrate monitor (ann)'))).toBe(
      "pid 7 is citadel-migrate's own session; the console does not signal it.",
    );
    expect(consoleKillRefusal(row(8, 'citadel-migrate run (ann)'))).toMatch(/^pid 8 is citadel-migrate's own session/);
    expect(consoleKillRefusal(row(9, 'psql'), [9])).toMatch(/^pid 9 is citadel-migrate's own session/);
    expect(consoleKillRefusal(row(10, 'psql'), [9])).toBeUndefined();
    expect(consoleKillRefusal(row(11, ''))).toBeUndefined();
  });

  test('the key table does not offer C or K on an own session, and says why', () => {
    for (const action of ['cancel-query', 'terminate'] as const) {
      const b = bindingOf(action);
      expect(applies(b, ctx(row(5, 'report-job')))).toBe(true);
      const own = ctx(row(6, 'citadel-migrate console (ann)'));
      expect(applies(b, own)).toBe(false);
      expect(refusal(b, own)).toBe(
        `${b.label} (${b.hint}): pid 6 is citadel-migrate's own session; the console does not signal it.`,
      );
    }
  });

  test('a selected pid that left the pane selects nothing, C and K refuse until the cursor moves', () => {
    const s = emptyState({ target: 't', server: null, mode: 'demo', user: 'u' });
    const before = { ...s, locks: { available: true, rows: [row(1, 'a'), row(2, 'b'), row(3, 'c')] } };
    const ui = { ...initialUi(), pane: 'locks' as const, sel: { ...initialUi().sel, locks: 1 }, lockPid: 2 };
    expect(selectedIndex(ui, before, 'locks')).toBe(1);
    const after = { ...s, locks: { available: true, rows: [row(1, 'a'), row(3, 'c')] } };
    expect(selectedIndex(ui, after, 'locks')).toBe(-1); // not row 1, which is now pid 3
    expect(goneLockPid(ui, after)).toBe(2);
    const c = bindingOf('cancel-query');
    const kc = ctx(undefined, { goneLockPid: 2 });
    expect(applies(c, kc)).toBe(false);
    expect(refusal(c, kc)).toBe(`C (cancel query): ${goneRefusal(2)}`);
    expect(goneRefusal(2)).toBe('pid 2 is gone; select again.');
    const moved = moveSelection(ui, after, 'down', 5);
    expect(moved.lockPid).toBe(3);
    expect(goneLockPid(moved, after)).toBeUndefined();
  });
});
