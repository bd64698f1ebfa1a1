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
