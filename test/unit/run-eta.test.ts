// The run's ETA for a long statement: from what `rehearse --with-data` measured for that statement
// when the journal has it, else from the rate observed now; the progress text says which.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { progressPrinter } from '../../src/cli/runOutput.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { rehearsedDurations } from '../../src/journal/rehearsed.js';
import type { JournalLine } from '../../src/journal/journal.js';

const at = () => new Date().toISOString();
let written = '';
beforeEach(() => {
  written = '';
  vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    written += String(s);
    return true;
  });
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function drive(printer: (e: EngineEvent) => void) {
  printer({
    type: 'migration-start',
    at: at(),
    name: 'm1',
    index: 1,
    count: 1,
    statements: 1,
    atomic: true,
  } as EngineEvent);
  printer({
    type: 'statement-start',
    at: at(),
    name: 'm1',
    index: 1,
    count: 1,
    line: 1,
    sql: 'CREATE INDEX i ON t (a)',
    pid: 1,
  } as EngineEvent);
  vi.advanceTimersByTime(2000);
  printer({
    type: 'index-progress',
    at: at(),
    name: 'm1',
    index: 1,
    phase: 'building index: scanning table',
    percent: 40,
    etaMs: 3000,
  } as EngineEvent);
  return written.split('\r').pop()!;
}

describe('the ETA of a long statement in the run', () => {
  it('says it comes from the observed rate when no rehearsal with data measured it', () => {
    expect(drive(progressPrinter(true, () => 200))).toContain('ETA 3.0s from the observed rate');
  });

  it("uses the rehearsal's measure of the statement when the journal has one", () => {
    const rehearsed = new Map([['m1', { durationMs: 12_500, statementMs: [12_000] }]]);
    const line = drive(progressPrinter(true, () => 200, rehearsed));
    expect(line).toContain('ETA 10.0s from the rehearsal');
    expect(line).not.toContain('observed rate');
  });

  it('reads the latest rehearsal with data from the journal, not one on a schema-only copy', () => {
    const line = (phase: 'begin' | 'end', id: string, x: unknown): JournalLine => ({
      time: at(),
      id,
      phase,
      who: 'u',
      host: 'h',
      pid: 1,
      action: 'rehearse',
      target: 't',
      ...(phase === 'begin' ? { details: x } : { result: x }),
    });
    const m = (ms: number) => ({
      migrations: [
        { name: 'm1', outcome: 'applied', durationMs: ms, statementMs: [ms - 100] },
        { name: 'm2', outcome: 'failed', durationMs: 5 },
      ],
    });
    const map = rehearsedDurations({
      lines: [
        line('begin', 'a', { withData: true }),
        line('end', 'a', m(9000)),
        line('begin', 'b', { withData: false }),
        line('end', 'b', m(50)),
      ],
      unreadable: [],
    });
    expect([...map]).toEqual([['m1', { durationMs: 9000, statementMs: [8900] }]]);
  });
});
