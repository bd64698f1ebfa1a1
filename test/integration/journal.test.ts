import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, statSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { Journal, type JournalLine } from '../../src/journal/journal.js';
import { journalEngineEvents } from '../../src/journal/engineEvents.js';
import { EventStream } from '../../src/engine/events.js';
import { readJournalFile } from '../../src/journal/read.js';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));
const JOURNAL_JS = fileURLToPath(new URL('../../dist/journal/journal.js', import.meta.url));
const at = () => new Date().toISOString();

describe('journal: engine events as begin/end lines, and a killed process', () => {
  it('maps a run: migration start and end are one entry, statements and waits are events, skip and rollback recorded', () => {
    const file = path.join(tmp('cm-j-'), 'sub', 'j.jsonl');
    const journal = new Journal(file, 'postgresql://dba@db/citadelbuy');
    const stream = new EventStream();
    const stop = journalEngineEvents(stream, journal);
    stream.emit({ type: 'run-start', at: at(), mode: 'live', target: 'x', pending: ['m1', 'm2'], lockHolderPid: 42 });
    stream.emit({ type: 'migration-start', at: at(), name: 'm1', index: 0, count: 2, statements: 2, atomic: true });
    stream.emit({
      type: 'statement-start',
      at: at(),
      name: 'm1',
      index: 0,
      count: 2,
      line: 1,
      sql: 'CREATE TABLE a (id int)',
      pid: 99,
    });
    stream.emit({ type: 'statement-end', at: at(), name: 'm1', index: 0, count: 2, durationMs: 3 });
    stream.emit({ type: 'lock-wait', at: at(), name: 'm1', index: 1, waitedMs: 1200, blockingPids: [7] });
    stream.emit({
      type: 'migration-end',
      at: at(),
      name: 'm1',
      outcome: 'failed',
      durationMs: 1500,
      error: { code: '55P03', message: 'lock timeout', hint: 'pid 7 blocks it' },
    });
    stream.emit({ type: 'skip', at: at(), name: 'm2', reason: 'applied by hand' });
    stream.emit({ type: 'rollback', at: at(), name: 'm1', kind: 'mark-rolled-back', outcome: 'done' });
    stream.emit({ type: 'run-end', at: at(), outcome: 'failed', applied: [], failed: 'm1', durationMs: 1600 });
    stop();
    stream.emit({ type: 'skip', at: at(), name: 'after', reason: 'not recorded' });
    journal.close();

    const { lines, unreadable } = readJournalFile(file);
    expect(unreadable).toEqual([]);
    expect(lines.map((l) => `${l.phase} ${l.action}`)).toEqual([
      'begin run',
      'begin migration',
      'event migration.statement',
      'event migration.statement-end',
      'event migration.lock-wait',
      'end migration',
      'event skip',
      'event rollback',
      'end run',
    ]);
    const byAction = (a: string, p: JournalLine['phase']) => lines.find((l) => l.action === a && l.phase === p)!;
    expect(byAction('migration', 'begin').id).toBe(byAction('migration', 'end').id);
    expect(byAction('run', 'begin').id).toBe(byAction('run', 'end').id);
    expect(byAction('migration', 'end').result).toMatchObject({
      outcome: 'failed',
      error: { hint: 'pid 7 blocks it' },
    });
    expect(byAction('skip', 'event').details).toMatchObject({ name: 'm2', reason: 'applied by hand' });
    expect(lines[0]).toMatchObject({
      who: expect.any(String),
      host: os.hostname(),
      pid: process.pid,
      target: 'postgresql://dba@db/citadelbuy',
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  });

  it('a process killed with SIGKILL while writing leaves only complete lines that all parse', async () => {
    const file = path.join(tmp('cm-jk-'), 'j.jsonl');
    const script = `
      const { Journal } = await import(${JSON.stringify(JOURNAL_JS)});
      const j = new Journal(${JSON.stringify(file)}, 'postgresql://u@h/db');
      j.begin('run', { pending: ['m1'] });
      j.begin('migration', { name: 'm1', statements: 1000000 });
      for (let i = 0; ; i++) j.event('migration.statement', { name: 'm1', index: i, sql: 'INSERT INTO t VALUES (' + 'x'.repeat(i % 5000) + ')' });
    `;
    const child = execa('node', ['--input-type=module', '-e', script], { reject: false });
    for (let i = 0; i < 200 && !(existsSync(file) && statSync(file).size > 200_000); i++)
      await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    const r = await child;
    expect(r.signal).toBe('SIGKILL');
    const text = readFileSync(file, 'utf8');
    const complete = text
      .slice(0, text.lastIndexOf('\n') + 1)
      .split('\n')
      .filter(Boolean);
    expect(complete.length).toBeGreaterThan(20);
    for (const line of complete) expect(() => JSON.parse(line)).not.toThrow();
    const { lines } = readJournalFile(file);
    expect(lines.filter((l) => l.phase === 'begin').map((l) => l.action)).toEqual(['run', 'migration']);
    expect(lines.some((l) => l.phase === 'end')).toBe(false);
  });
});
