import { describe, it, expect } from 'vitest';
import { parseJournal } from '../../src/journal/read.js';
import { parseSince, renderReport } from '../../src/journal/report.js';

const line = (o: Record<string, unknown>) => JSON.stringify({ who: 'dba1', host: 'bastion', pid: 1, target: 't', id: Math.random().toString(36), phase: 'event', ...o });

describe('journal reading and --since', () => {
  it('keeps every complete line and reports a damaged one', () => {
    const text = [line({ time: '2025-12-04T01:00:00Z', action: 'check' }), '{"time":"2025-12-04T0', line({ time: '2025-12-04T02:00:00Z', action: 'run', phase: 'begin' }), ''].join('\n');
    const j = parseJournal(text);
    expect(j.lines.map((l) => l.action)).toEqual(['check', 'run']);
    expect(j.unreadable).toEqual([{ lineNo: 2, text: '{"time":"2025-12-04T0' }]);
  });
  it('today, last-run and ISO times', () => {
    const j = parseJournal([line({ time: '2025-12-04T02:00:00Z', action: 'run', phase: 'begin' }), line({ time: '2025-12-04T03:00:00Z', action: 'run', phase: 'begin' })].join('\n'));
    expect(parseSince('last-run', j.lines).toISOString()).toBe('2025-12-04T03:00:00.000Z');
    expect(parseSince('2025-12-04T02:30:00Z', j.lines).toISOString()).toBe('2025-12-04T02:30:00.000Z');
    const now = new Date(2025, 11, 4, 15, 0, 0);
    expect(parseSince('today', j.lines, now).getTime()).toBe(new Date(2025, 11, 4).getTime());
    expect(() => parseSince('last-run', [])).toThrow(/no run/);
    expect(() => parseSince('soon', [])).toThrow(/not a time/);
  });
  it('an empty journal still renders', () => {
    const md = renderReport({ lines: [], unreadable: [] }, { target: 'db@h', journalFile: '/j' });
    expect(md).toMatch(/Period: nothing recorded/);
    expect(md).toMatch(/No migration was run in this period/);
  });
});

describe('reading the tail of a long journal', () => {
  it('keeps whole lines only and finds the last attempt', async () => {
    const { readJournalTail } = await import('../../src/journal/read.js');
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync((await import('node:os')).tmpdir() + '/cm-tail-');
    const line = (i: number) => JSON.stringify({ time: '2026-11-24T00:00:00Z', id: String(i), phase: 'event', who: 'dba', host: 'h', pid: 1, action: 'migration.statement', target: 't', details: { i } });
    writeFileSync(`${dir}/j.jsonl`, Array.from({ length: 2000 }, (_, i) => line(i)).join('\n') + '\n');
    const tail = readJournalTail(`${dir}/j.jsonl`, 20_000);
    expect(tail.unreadable).toEqual([]);
    expect(tail.lines.length).toBeGreaterThan(50);
    expect(tail.lines.length).toBeLessThan(2000);
    expect(tail.lines.at(-1)!.id).toBe('1999');
  });
});

describe('lock waits in the report', () => {
  it('one line per wait: the retries after short lock_timeouts stay one wait, timed from its start to how it ended', () => {
    const w = (t: string, ms: number, pids = [11128]) => line({ time: t, action: 'migration.lock-wait', details: { at: t, name: 'm1', index: 2, waitedMs: ms, blockingPids: pids } });
    const text = [
      line({ time: '2025-12-04T02:00:00.000Z', action: 'migration', phase: 'begin', id: 'm', details: { name: 'm1', statements: 3 } }),
      w('2025-12-04T02:00:01.000Z', 250), w('2025-12-04T02:00:02.000Z', 1250), w('2025-12-04T02:00:04.000Z', 3250, [11128, 11130]),
      line({ time: '2025-12-04T02:00:06.000Z', action: 'migration.retry', details: { name: 'm1', index: 2, attempt: 1, of: 3, reason: 'lock-timeout' } }),
      w('2025-12-04T02:00:07.000Z', 300),
      line({ time: '2025-12-04T02:00:09.000Z', action: 'migration.statement-end', details: { at: '2025-12-04T02:00:09.000Z', name: 'm1', index: 2 } }),
      line({ time: '2025-12-04T02:00:10.000Z', action: 'migration', phase: 'end', id: 'm', result: { name: 'm1', outcome: 'applied', durationMs: 10_000 } }),
    ].join('\n');
    const md = renderReport(parseJournal(text), { target: 'db@h', journalFile: '/j' });
    const waits = md.split('\n').filter((l) => l.includes('| lock wait |'));
    expect(waits).toEqual(['| 2025-12-04 02:00:01 | dba1 | lock wait | m1 statement 2 waited 8 s over 2 attempts for a lock held by pids 11128, 11130: got the lock, the statement finished |']);
    expect(md).not.toContain('waitedMs');
  });

  it('sessions queued behind a statement: one line for the run of samples; a retry reads as a sentence', () => {
    const v = (t: string, n: number, ms: number, pids: number[]) => line({ time: t, action: 'migration.victims', details: { at: t, name: 'm1', index: 1, victims: n, longestWaitMs: ms, pids } });
    const text = [
      v('2025-12-04T02:00:01.000Z', 1, 500, [7]), v('2025-12-04T02:00:02.000Z', 3, 1500, [7, 8, 9]), v('2025-12-04T02:00:03.000Z', 2, 2500, [8, 9]),
      line({ time: '2025-12-04T02:00:04.000Z', action: 'migration.retry', details: { name: 'm1', index: 1, attempt: 1, of: 3, reason: 'victims', blockingPids: [42] } }),
    ].join('\n');
    const md = renderReport(parseJournal(text), { target: 'db@h', journalFile: '/j' });
    expect(md).toContain('| 2025-12-04 02:00:01 | dba1 | sessions queued | 3 session(s) queued behind m1 statement 1 (longest wait 3 s; pids 7, 8, 9) |');
    expect(md).toContain('| 2025-12-04 02:00:04 | dba1 | migration.retry | m1 statement 1: retry 1 of 3 after cancelling it for the sessions queued behind it (blocked by pid 42) |');
    expect(md).not.toContain('longestWaitMs');
  });

  it('a retry bounded by --lock-wait-limit (not counted) says its attempt alone, never "of null"', () => {
    const text = line({ time: '2025-12-04T02:00:04.000Z', action: 'migration.retry', details: { name: 'm1', index: 1, attempt: 7, of: null, reason: 'lock-timeout', blockingPids: [] } });
    const md = renderReport(parseJournal(text), { target: 'db@h', journalFile: '/j' });
    expect(md).toContain('m1 statement 1: retry 7 after lock_timeout |');
    expect(md).not.toContain('null');
  });
});
