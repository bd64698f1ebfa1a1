import { describe, it, expect, vi, afterEach } from 'vitest';
import { progressPrinter } from '../../src/cli/runOutput.js';
import { cutAtWord, liveLine, wrapWords } from '../../src/cli/fitLine.js';
import type { EngineEvent } from '../../src/engine/events.js';

const at = '2026-12-01T00:00:00.000Z';

function capture(tty: boolean, columns = 80) {
  const lines: string[] = [];
  const spy = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((s: string | Uint8Array) => (lines.push(String(s)), true));
  return { print: progressPrinter(tty, () => columns), text: () => lines.join(''), spy };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('run output', () => {
  it('without a terminal: "1 statement", and a waiting statement gets a line at most every 5 s, not every sample', () => {
    vi.useFakeTimers();
    const c = capture(false);
    c.print({
      type: 'run-start',
      at,
      mode: 'live',
      target: 'x',
      pending: ['1_a'],
      lockHolderPid: 1,
      lockPolicy: 'Locks: gives way after 200 ms if an application query waits behind it; tries for up to 10 min.',
    });
    c.print({ type: 'migration-start', at, name: '1_a', index: 1, count: 1, statements: 1, atomic: true });
    c.print({
      type: 'statement-start',
      at,
      name: '1_a',
      index: 1,
      count: 1,
      line: 1,
      sql: 'ALTER TABLE t ADD c int',
      pid: 7,
    });
    for (let i = 0; i < 20; i++) {
      c.print({ type: 'lock-wait', at, name: '1_a', index: 1, waitedMs: i * 500, blockingPids: [42] });
      vi.advanceTimersByTime(500);
    }
    const text = c.text();
    expect(text).toMatch(
      /^1 migration to apply\nLocks: gives way after 200 ms if an application query waits behind it; tries for up to 10 min\.\n/,
    );
    expect(text).toMatch(/▶ 1_a \(1 statement\)\n/);
    // 10 s of samples every 0.5 s: two lines, not twenty.
    expect(text.match(/waits for a lock held by pid 42/g)).toHaveLength(2);
  });

  it('on a terminal: the elapsed time ticks and the index build shows its phase and percent', () => {
    vi.useFakeTimers();
    const c = capture(true);
    c.print({ type: 'migration-start', at, name: '2_idx', index: 1, count: 1, statements: 1, atomic: false });
    c.print({
      type: 'statement-start',
      at,
      name: '2_idx',
      index: 1,
      count: 1,
      line: 1,
      sql: 'CREATE INDEX CONCURRENTLY i ON t (c)',
      pid: 7,
    });
    vi.advanceTimersByTime(2000);
    expect(c.text()).toMatch(/2\.0s/);
    c.print({
      type: 'index-progress',
      at,
      name: '2_idx',
      index: 1,
      phase: 'building index: scanning table',
      percent: 31.5,
    });
    vi.advanceTimersByTime(300);
    expect(c.text()).toMatch(/building index: scanning table 31%/);
    c.print({ type: 'migration-end', at, name: '2_idx', outcome: 'applied', durationMs: 2300 });
    expect(c.text()).toMatch(/✓ 2_idx {2}2\.3s\n$/);
  });

  it('on a terminal of 80 columns: each frame fits one row, retries and queued sessions stay on it, one summary line per migration', () => {
    vi.useFakeTimers();
    const c = capture(true, 80);
    const policy =
      'Locks: gives way after 200 ms if an application query waits behind it; lock_timeout 200 ms growing to 3 s per attempt; tries for up to 10 min.';
    c.print({
      type: 'run-start',
      at,
      mode: 'live',
      target: 'x',
      pending: ['20240115093000_add_customer_lifetime_value_index'],
      lockHolderPid: 1,
      lockPolicy: policy,
    });
    const start = c.text().length;
    const name = '20240115093000_add_customer_lifetime_value_index';
    c.print({ type: 'migration-start', at, name, index: 1, count: 1, statements: 1, atomic: true });
    c.print({
      type: 'statement-start',
      at,
      name,
      index: 1,
      count: 1,
      line: 1,
      sql: 'ALTER TABLE "customers" ADD COLUMN "lifetime_value" numeric DEFAULT 0 NOT NULL',
      pid: 7,
    });
    c.print({ type: 'victims', at, name, index: 1, victims: 3, longestWaitMs: 1200, pids: [8, 9, 10] });
    c.print({ type: 'retry', at, name, index: 1, attempt: 1, of: null, reason: 'victims', blockingPids: [] });
    c.print({ type: 'index-progress', at, name, index: 1, phase: 'building index: scanning table', percent: 40 });
    vi.advanceTimersByTime(3000);
    c.print({ type: 'migration-end', at, name, outcome: 'applied', durationMs: 3100 });
    const head = c.text().slice(0, start);
    // The policy wraps at words, each row within 80 columns.
    expect(head).toBe(
      `1 migration to apply\nLocks: gives way after 200 ms if an application query waits behind it;\nlock_timeout 200 ms growing to 3 s per attempt; tries for up to 10 min.\n`,
    );
    const body = c.text().slice(start);
    const frames = body.split('\r\x1b[2K').filter(Boolean);
    for (const f of frames.slice(0, -1)) expect(f.length, f).toBeLessThan(80);
    expect(frames.some((f) => /3 sessions queued, longest 1\.2s/.test(f) || /retry 1 after giving way/.test(f))).toBe(
      true,
    );
    // One line left behind: the summary.
    expect(body.match(/\n/g)).toHaveLength(1);
    expect(frames[frames.length - 1]).toBe(`✓ ${name}  3.1s  (1 retry)\n`);
  });

  it('cuts at a word with an ellipsis, elides a long name in its middle, wraps at words', () => {
    expect(cutAtWord('CREATE INDEX CONCURRENTLY t_gate_idx ON t (id)', 30)).toBe('CREATE INDEX CONCURRENTLY…');
    expect(cutAtWord('short', 30)).toBe('short');
    const line = liveLine(
      '20240115093000_add_customer_lifetime_value_index',
      '1/3 33%  12.0s',
      'building index: scanning table 40%',
      'CREATE INDEX CONCURRENTLY x ON y (z)',
      80,
    );
    expect(line.length).toBeLessThan(80);
    expect(line).toMatch(
      /^▶ 20240115093000_\w*…\w*_index {2}1\/3 33% {2}12\.0s {2}building index: scanning table 40%$/,
    );
    expect(wrapWords('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
  });

  it('an interrupted migration says "interrupted" once (not "interrupted: interrupted;")', () => {
    const c = capture(false);
    c.print({
      type: 'migration-end',
      at,
      name: '1_a',
      outcome: 'interrupted',
      durationMs: 5,
      error: { code: 'INTERRUPTED', message: 'interrupted; the migration was rolled back and is pending again' },
    } as EngineEvent);
    expect(c.text()).toBe('■ 1_a  interrupted; the migration was rolled back and is pending again\n');
  });
});
