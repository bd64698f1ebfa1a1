import { describe, it, expect, afterAll } from 'vitest';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { freshDatabase } from '../helpers/db.js';
import { cli } from '../helpers/cli.js';
import { makeMigrations } from '../helpers/folders.js';
import { journalFolder } from '../helpers/journal.js';

/**
 * A process killed mid-write (or a disk that filled) leaves a journal whose last line has no
 * newline: the next action's first line must start on a line of its own, not be glued to it.
 */
let db: Awaited<ReturnType<typeof freshDatabase>> | undefined;
afterAll(async () => db?.drop());

describe('a journal that does not end in a newline', () => {
  it('gets one before the next line: report reads both runs, the cut line alone is unreadable', async () => {
    db = await freshDatabase('jcut');
    const j = journalFolder('cm-jcut-');
    const migrations = makeMigrations({
      '20250101000000_a': 'CREATE TABLE cut_a (id int);',
      '20250102000000_b': 'CREATE TABLE cut_b (id int);',
    });
    const args = ['--migrations', migrations, '--journal-dir', j.dir, '--database-url', db.url];
    const first = await cli(['run', '--yes', '--to', '20250101000000_a', ...args]);
    expect(first.exitCode, first.stderr).toBe(0);
    const [file] = readdirSync(j.dir).filter((f) => f.endsWith('.jsonl'));
    appendFileSync(path.join(j.dir, file!), '{"time":"2026-12-05T10:00:00.000Z","id":"cut","phase":"beg');

    const second = await cli(['run', '--yes', ...args]);
    expect(second.exitCode, second.stderr).toBe(0);
    const text = readFileSync(path.join(j.dir, file!), 'utf8');
    expect(text).toContain('"phase":"beg\n{');

    const report = await cli(['report', ...args]);
    expect(report.exitCode, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/line\(s\), 1 unreadable\)/);
    const runs = report.stdout.split('\n').filter((l) => /\| run \| live run: ok, applied 1 \|$/.test(l));
    expect(runs).toHaveLength(2);
    expect(report.stdout).not.toMatch(/no end recorded/);
    expect(report.stdout).toMatch(/cut_b|20250102000000_b: applied/);
  });
});
