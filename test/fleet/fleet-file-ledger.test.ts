import { describe, it, expect } from 'vitest';
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { FileLedger, fleetLedgerFile } from '../../src/fleet/fileLedger.js';
import { tmp } from './fleetHelpers.js';

// The file ledger of a big fleet: a change must not rewrite the whole fleet (it did: each claim,
// progress and end wrote every target again, so a fleet's ledger cost grew with the square of its
// size), and what a runner killed mid-write leaves must still read back.
const plan = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    name: `t${i}`,
    target: `postgresql://m@db-${i % 2}:5432/t${i}`,
    server: `db-${i % 2}:5432`,
    wave: 1,
    position: i,
  }));

describe('the file ledger', () => {
  it('writes a change as one line, not the whole fleet, and a reader sees every change', async () => {
    const file = fleetLedgerFile(tmp('cm-fleet-file-'), 'big');
    const runner = new FileLedger(file, 'big', 'runner-1');
    await runner.open(plan(2000));
    const whole = statSync(file).size;
    const c = await runner.claim(4, 1);
    if (!('claimed' in c)) throw new Error('nothing claimed');
    await runner.progress('t0', '20240101000000_init');
    await runner.finish('t0', { state: 'applied', durationMs: 5, applied: 1, lastApplied: '20240101000000_init' });
    const second = await runner.claim(4, 1);
    if (!('claimed' in second)) throw new Error('nothing claimed');
    await runner.release('t1');
    // Four changes: the ledger grew by about four short lines, not by four copies of 2,000 targets.
    const written = statSync(file).size + statSync(`${file}.log`).size - whole;
    expect(written).toBeLessThan(2000);
    const reader = await new FileLedger(file, 'big', 'status', true).read();
    expect(reader.rows[0]).toMatchObject({ state: 'applied', lastApplied: '20240101000000_init', attempts: 1 });
    expect(reader.rows[0]!.runner).toBeUndefined();
    expect(reader.rows[1]).toMatchObject({ state: 'pending', attempts: 1 });
    expect(reader.rows[1]!.runner).toBeUndefined();
    await runner.close();
  });

  it('reads back what a runner killed in the middle of a line left, and resumes from it', async () => {
    const file = fleetLedgerFile(tmp('cm-fleet-file-'), 'cut');
    const first = new FileLedger(file, 'cut', 'runner-1');
    await first.open(plan(10));
    const c = await first.claim(1, 1);
    if (!('claimed' in c)) throw new Error('nothing claimed');
    await first.finish('t0', { state: 'applied', durationMs: 5, applied: 1 });
    // killed while appending the next change
    appendFileSync(`${file}.log`, '{"row":"t1","set":{"state":"runn');
    await first.close();
    const next = new FileLedger(file, 'cut', 'runner-2');
    await next.open(plan(10));
    const rows = (await next.read()).rows;
    expect(rows[0]!.state).toBe('applied');
    expect(rows[1]!.state).toBe('pending');
    // reopening folded the log into the ledger file: it reads alone, whole
    expect(JSON.parse(readFileSync(file, 'utf8')).rows[0].state).toBe('applied');
    await next.close();
  });
});
