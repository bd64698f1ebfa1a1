import { describe, it, expect } from 'vitest';
import { parseJournal } from '../../src/journal/read.js';
import { parseSince, renderReport } from '../../src/journal/report.js';

const line = (o: Record<string, unknown>) =>
  JSON.stringify({
    who: 'dba1',
    host: 'bastion',
    pid: 1,
    target: 't',
    id: Math.random().toString(36),
    phase: 'event',
    ...o,
  });

describe('journal reading and --since', () => {
  it('keeps every complete line and reports a damaged one', () => {
    const text = [
      line({ time: '2025-12-04T01:00:00Z', action: 'check' }),
      '{"time":"2025-12-04T0',
      line({ time: '2025-12-04T02:00:00Z', action: 'run', phase: 'begin' }),
      '',
    ].join('\n');
    const j = parseJournal(text);
    expect(j.lines.map((l) => l.action)).toEqual(['check', 'run']);
    expect(j.unreadable).toEqual([{ lineNo: 2, text: '{"time":"2025-12-04T0' }]);
  });
  it('today, last-run and ISO times', () => {
    const j = parseJournal(
      [
        line({ time: '2025-12-04T02:00:00Z', action: 'run', phase: 'begin' }),
        line({ time: '2025-12-04T03:00:00Z', action: 'run', phase: 'begin' }),
      ].join('\n'),
    );
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
    const line = (i: number) =>
      JSON.stringify({
        time: '2026-11-24T00:00:00Z',
        id: String(i),
        phase: 'event',
        who: 'dba',
        host: 'h',
        pid: 1,
        action: 'migration.statement',
        target: 't',
        details: { i },
      });
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
    const w = (t: string, ms: number, pids = [11128]) =>
      line({
        time: t,
        action: 'migration.lock-wait',
        details: { at: t, name: 'm1', index: 2, waitedMs: ms, blockingPids: pids },
      });
    const text = [
      line({
        time: '2025-12-04T02:00:00.000Z',
        action: 'migration',
        phase: 'begin',
        id: 'm',
        details: { name: 'm1', statements: 3 },
      }),
      w('2025-12-04T02:00:01.000Z', 250),
      w('2025-12-04T02:00:02.000Z', 1250),
      w('2025-12-04T02:00:04.000Z', 3250, [11128, 11130]),
      line({
        time: '2025-12-04T02:00:06.000Z',
        action: 'migration.retry',
        details: { name: 'm1', index: 2, attempt: 1, of: 3, reason: 'lock-timeout' },
      }),
      w('2025-12-04T02:00:07.000Z', 300),
      line({
        time: '2025-12-04T02:00:09.000Z',
        action: 'migration.statement-end',
        details: { at: '2025-12-04T02:00:09.000Z', name: 'm1', index: 2 },
      }),
      line({
        time: '2025-12-04T02:00:10.000Z',
        action: 'migration',
        phase: 'end',
        id: 'm',
        result: { name: 'm1', outcome: 'applied', durationMs: 10_000 },
      }),
    ].join('\n');
    const md = renderReport(parseJournal(text), { target: 'db@h', journalFile: '/j' });
    const waits = md.split('\n').filter((l) => l.includes('| lock wait |'));
    expect(waits).toEqual([
      '| 2025-12-04 02:00:01 | dba1 | lock wait | m1 statement 2 waited 8 s over 2 attempts for a lock held by pids 11128, 11130: got the lock, the statement finished |',
    ]);
    expect(md).not.toContain('waitedMs');
  });

  it('sessions queued behind a statement: one line for the run of samples; a retry is part of its lock wait', () => {
    const v = (t: string, n: number, ms: number, pids: number[]) =>
      line({
        time: t,
        action: 'migration.victims',
        details: { at: t, name: 'm1', index: 1, victims: n, longestWaitMs: ms, pids },
      });
    const text = [
      v('2025-12-04T02:00:01.000Z', 1, 500, [7]),
      v('2025-12-04T02:00:02.000Z', 3, 1500, [7, 8, 9]),
      v('2025-12-04T02:00:03.000Z', 2, 2500, [8, 9]),
      line({
        time: '2025-12-04T02:00:04.000Z',
        action: 'migration.retry',
        details: { name: 'm1', index: 1, attempt: 1, of: 3, reason: 'victims', blockingPids: [42] },
      }),
    ].join('\n');
    const md = renderReport(parseJournal(text), { target: 'db@h', journalFile: '/j' });
    expect(md).toContain(
      '| 2025-12-04 02:00:01 | dba1 | sessions queued | 3 session(s) queued behind m1 statement 1 (longest wait 3 s; pids 7, 8, 9) |',
    );
    expect(md).toContain(
      '| 2025-12-04 02:00:04 | dba1 | lock wait | m1 statement 1: 2 attempts for a lock held by pid 42, giving way to the sessions queued behind it: no end recorded (the process was killed or lost while waiting) |',
    );
    expect(md).not.toContain('migration.retry');
    expect(md).not.toContain('longestWaitMs');
  });

  it('a retry bounded by --lock-wait-limit (not counted) counts its attempts, never "of null"', () => {
    const text = line({
      time: '2025-12-04T02:00:04.000Z',
      action: 'migration.retry',
      details: { name: 'm1', index: 1, attempt: 7, of: null, reason: 'lock-timeout', blockingPids: [] },
    });
    const md = renderReport(parseJournal(text), { target: 'db@h', journalFile: '/j' });
    expect(md).toContain(
      '| lock wait | m1 statement 1: 8 attempts for a lock held by another session: no end recorded',
    );
    expect(md).not.toContain('null');
  });
});

describe('every timeline row is a sentence', () => {
  const timeline = (md: string) =>
    md
      .slice(md.indexOf('## Timeline'), md.indexOf('## Migrations'))
      .split('\n')
      .filter((l) => /^\| \d{4}-/.test(l));

  it('the 112 retries of one lock wait are one row: attempts, total wait, how it ended', () => {
    const t = (s: number) => new Date(Date.parse('2025-12-04T02:00:00.000Z') + s * 1000).toISOString();
    const lines = [
      line({ time: t(0), action: 'migration', phase: 'begin', id: 'm', details: { name: 'm1', statements: 3 } }),
      line({
        time: t(0),
        action: 'migration.statement',
        details: { at: t(0), name: 'm1', index: 3, count: 3, sql: 'ALTER TABLE users ADD COLUMN x int' },
      }),
      ...Array.from({ length: 112 }, (_, i) =>
        line({
          time: t(0.4 * (i + 1)),
          action: 'migration.retry',
          details: {
            at: t(0.4 * (i + 1)),
            name: 'm1',
            index: 3,
            attempt: i + 1,
            of: null,
            reason: 'lock-timeout',
            blockingPids: [4242],
          },
        }),
      ),
      line({
        time: t(45),
        action: 'migration.statement-end',
        details: { at: t(45), name: 'm1', index: 3, durationMs: 45_000 },
      }),
      line({
        time: t(45),
        action: 'migration',
        phase: 'end',
        id: 'm',
        result: { name: 'm1', outcome: 'applied', durationMs: 45_000 },
      }),
    ];
    const rows = timeline(renderReport(parseJournal(lines.join('\n')), { target: 'db@h', journalFile: '/j' }));
    expect(rows).toEqual([
      '| 2025-12-04 02:00:00 | dba1 | migration | m1: applied in 45 s |',
      '| 2025-12-04 02:00:00 | dba1 | lock wait | m1 statement 3 waited 45 s over 113 attempts for a lock held by pid 4242: got the lock, the statement finished |',
    ]);
  });

  it("rehearse, Prisma's lock held by another run, a performance snapshot: in words, never raw JSON", () => {
    const lines = [
      line({
        time: '2025-12-04T01:00:00.000Z',
        action: 'rehearse',
        phase: 'begin',
        id: 'r',
        details: { scratch: 'sandbox', withData: false, keepGoing: false },
      }),
      line({
        time: '2025-12-04T01:00:09.000Z',
        action: 'rehearse',
        phase: 'end',
        id: 'r',
        result: {
          outcome: 'failed',
          migrations: [
            { name: '1_a', outcome: 'applied', durationMs: 1200 },
            {
              name: '2_b',
              outcome: 'failed',
              durationMs: 30,
              error: { code: '42P07', message: 'relation "users" already exists' },
            },
            { name: '3_c', outcome: 'not-run', durationMs: 0 },
          ],
        },
      }),
      line({
        time: '2025-12-04T02:00:00.000Z',
        action: 'run.lock-busy',
        details: {
          at: '2025-12-04T02:00:00.000Z',
          waiting: true,
          holder: {
            pid: 4242,
            application: 'prisma-migrate',
            clientAddr: '10.0.0.5',
            user: 'deploy',
            since: '2025-12-04T01:59:00.000Z',
            query: 'SELECT pg_advisory_lock(72707369)',
          },
        },
      }),
      line({
        time: '2025-12-04T03:00:00.000Z',
        action: 'verify.performance',
        details: {
          tables: [
            { schema: 'public', table: 'orders', totalBytes: 1073741824 },
            { schema: 'public', table: 'users', totalBytes: 1024 },
          ],
          indexes: [
            {
              index: 'orders_user_idx',
              table: 'orders',
              present: true,
              valid: true,
              scans: 0,
              tuplesRead: 0,
              bytes: 8192,
            },
          ],
          invalid: [],
          unused: ['orders_user_idx'],
          statements: 'pg_stat_statements is not installed',
        },
      }),
      line({
        time: '2025-12-04T04:00:00.000Z',
        action: 'notify.failed',
        details: { url: 'https://hooks.example.com/…', event: 'run', attempts: 3, error: 'HTTP 500' },
      }),
    ];
    const rows = timeline(renderReport(parseJournal(lines.join('\n')), { target: 'db@h', journalFile: '/j' }));
    expect(rows).toEqual([
      '| 2025-12-04 01:00:00 | dba1 | rehearse | rehearsal on a scratch copy (the embedded sandbox, schema only): failed, 1 applied, 1 failed, 1 not run of 3 migrations in 1 s; 2_b failed with 42P07: relation "users" already exists |',
      "| 2025-12-04 02:00:00 | dba1 | run.lock-busy | Prisma's migration lock was held by pid 4242 (prisma-migrate, user deploy from 10.0.0.5, since 2025-12-04 01:59:00 UTC): the run waited for it |",
      '| 2025-12-04 03:00:00 | dba1 | verify.performance | performance snapshot: 2 tables measured (largest orders, 1.0 GB), 1 index of the run checked (unused so far: orders_user_idx), slow statements not read (pg_stat_statements is not installed) |',
      '| 2025-12-04 04:00:00 | dba1 | notify.failed | url https://hooks.example.com/…, event run, attempts 3, error HTTP 500 |',
    ]);
  });
});
