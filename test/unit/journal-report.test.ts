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
