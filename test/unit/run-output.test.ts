import { describe, it, expect, vi, afterEach } from 'vitest';
import { progressPrinter } from '../../src/cli/runOutput.js';
import type { EngineEvent } from '../../src/engine/events.js';

const at = '2026-12-01T00:00:00.000Z';

function capture(tty: boolean) {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (lines.push(String(s)), true));
  return { print: progressPrinter(tty), text: () => lines.join(''), spy };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('run output', () => {
  it('without a terminal: "1 statement", and a waiting statement gets a line at most every 5 s, not every sample', () => {
    vi.useFakeTimers();
    const c = capture(false);
    c.print({ type: 'run-start', at, mode: 'live', target: 'x', pending: ['1_a'], lockHolderPid: 1, lockPolicy: 'Locks: gives way after 200 ms if an application query waits behind it; tries for up to 10 min.' });
    c.print({ type: 'migration-start', at, name: '1_a', index: 1, count: 1, statements: 1, atomic: true });
    c.print({ type: 'statement-start', at, name: '1_a', index: 1, count: 1, line: 1, sql: 'ALTER TABLE t ADD c int', pid: 7 });
    for (let i = 0; i < 20; i++) {
      c.print({ type: 'lock-wait', at, name: '1_a', index: 1, waitedMs: i * 500, blockingPids: [42] });
      vi.advanceTimersByTime(500);
    }
    const text = c.text();
    expect(text).toMatch(/^1 migration to apply\nLocks: gives way after 200 ms if an application query waits behind it; tries for up to 10 min\.\n/);
    expect(text).toMatch(/▶ 1_a \(1 statement\)\n/);
    // 10 s of samples every 0.5 s: two lines, not twenty.
    expect(text.match(/waits for a lock held by pid 42/g)).toHaveLength(2);
  });

  it('on a terminal: the elapsed time ticks and the index build shows its phase and percent', () => {
    vi.useFakeTimers();
    const c = capture(true);
    c.print({ type: 'migration-start', at, name: '2_idx', index: 1, count: 1, statements: 1, atomic: false });
    c.print({ type: 'statement-start', at, name: '2_idx', index: 1, count: 1, line: 1, sql: 'CREATE INDEX CONCURRENTLY i ON t (c)', pid: 7 });
    vi.advanceTimersByTime(2000);
    expect(c.text()).toMatch(/2\.0s/);
    c.print({ type: 'index-progress', at, name: '2_idx', index: 1, phase: 'building index: scanning table', percent: 31.5 });
    vi.advanceTimersByTime(300);
    expect(c.text()).toMatch(/building index: scanning table 31%/);
    c.print({ type: 'migration-end', at, name: '2_idx', outcome: 'applied', durationMs: 2300 });
    expect(c.text()).toMatch(/✓ 2_idx {2}2\.3s\n$/);
  });

  it('an interrupted migration says "interrupted" once (not "interrupted: interrupted;")', () => {
    const c = capture(false);
    c.print({ type: 'migration-end', at, name: '1_a', outcome: 'interrupted', durationMs: 5, error: { code: 'INTERRUPTED', message: 'interrupted; the migration was rolled back and is pending again' } } as EngineEvent);
    expect(c.text()).toBe('■ 1_a  interrupted; the migration was rolled back and is pending again\n');
  });
});
