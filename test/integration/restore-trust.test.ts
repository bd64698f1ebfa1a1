import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { cli, json, BIN } from '../helpers/cli.js';
import { execa } from 'execa';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));

/**
 * The sidecar beside a dump is only a file: a dump swapped for another database's, with its
 * sidecar's sha256 and size rewritten to match, must not be restored as if it were our backup.
 */
describe('restore trusts the journal, not the sidecar', () => {
  let mine: Awaited<ReturnType<typeof freshDatabase>>;
  let other: Awaited<ReturnType<typeof freshDatabase>>;
  const journalDir = tmp('cm-trust-j-');
  const otherJournal = tmp('cm-trust-oj-');
  let myDump = '';
  let otherDump = '';

  beforeAll(async () => {
    mine = await freshDatabase('trust_mine');
    other = await freshDatabase('trust_other');
    await query(
      mine.url,
      `CREATE TABLE accounts (id int PRIMARY KEY, owner text); INSERT INTO accounts SELECT g, 'o' || g FROM generate_series(1, 50) g`,
    );
    await query(
      other.url,
      `CREATE TABLE planted (id int); INSERT INTO planted SELECT generate_series(1, 102);
      CREATE TABLE accounts (id int PRIMARY KEY, owner text);
      CREATE FUNCTION public.grant_me() RETURNS int LANGUAGE sql SECURITY DEFINER AS $$ SELECT 1 $$;
      CREATE FUNCTION public.harmless() RETURNS text LANGUAGE sql AS $$ SELECT 'SECURITY DEFINER in a body' $$;`,
    );
    const a = await cli([
      'backup',
      '--bundled',
      '--json',
      '--backup-dir',
      tmp('cm-trust-a-'),
      '--journal-dir',
      journalDir,
      '--database-url',
      mine.url,
    ]);
    expect(a.exitCode, a.stderr).toBe(0);
    myDump = json(a).path;
    const b = await cli([
      'backup',
      '--bundled',
      '--json',
      '--backup-dir',
      tmp('cm-trust-b-'),
      '--journal-dir',
      otherJournal,
      '--database-url',
      other.url,
    ]);
    expect(b.exitCode, b.stderr).toBe(0);
    otherDump = json(b).path;
  });
  afterAll(async () => {
    await mine.drop();
    await other.drop();
  });

  it('a swapped dump with a rewritten sidecar is refused without a terminal, even with --yes, and its summary is shown', async () => {
    const dir = tmp('cm-trust-swap-');
    const swapped = path.join(dir, path.basename(myDump));
    copyFileSync(otherDump, swapped);
    const sidecar = JSON.parse(readFileSync(`${myDump}.json`, 'utf8'));
    sidecar.sha256 = createHash('sha256').update(readFileSync(swapped)).digest('hex');
    sidecar.bytes = statSync(swapped).size;
    writeFileSync(`${swapped}.json`, JSON.stringify(sidecar));

    const r = await cli([
      'backup',
      '--bundled',
      '--restore',
      swapped,
      '--yes',
      '--database-url',
      mine.url,
      '--journal-dir',
      journalDir,
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/This dump is NOT one recorded in the journal/);
    expect(r.stderr).toContain(`taken from database ${other.name} at `);
    expect(r.stderr).toMatch(/  objects: 2 FUNCTION, 2 TABLE, 2 TABLE DATA, 1 CONSTRAINT\n/);
    expect(r.stderr).toMatch(
      /functions with SECURITY DEFINER \(run with their owner's rights\): public\.grant_me\(\)\n/,
    );
    expect(r.stderr).toMatch(
      /Refusing to restore trust_mine_\w+ from a dump the journal does not know .* pass --foreign-dump with --yes/,
    );
    // nothing was touched
    expect(await query(mine.url, `SELECT count(*)::int AS n, to_regclass('planted') AS p FROM accounts`)).toEqual([
      { n: 50, p: null },
    ]);
  });

  it('on a terminal, a dump from elsewhere is typed for even with --yes: a wrong name cancels, the right one restores', async () => {
    const onTerminal = (typed: string) =>
      execa(
        'script',
        [
          '-qec',
          `node ${BIN} backup --bundled --restore ${otherDump} --yes --database-url '${mine.url}' --journal-dir ${journalDir}`,
          '/dev/null',
        ],
        { input: `${typed}\n`, reject: false, env: { NO_COLOR: '1' }, timeout: 60_000 },
      );
    const wrong = await onTerminal('not_this_one');
    expect(wrong.exitCode).toBe(2);
    expect(String(wrong.stdout)).toMatch(
      /This dump is NOT one recorded in the journal[\s\S]*SECURITY DEFINER[^\n]*public\.grant_me\(\)[\s\S]*Type the database name \(trust_mine_\w+\) to confirm:[\s\S]*Restore cancelled: the database name was not typed\./,
    );
    expect(await query(mine.url, `SELECT count(*)::int AS n, to_regclass('planted') AS p FROM accounts`)).toEqual([
      { n: 50, p: null },
    ]);

    const right = await onTerminal(mine.name);
    expect(right.exitCode, String(right.stdout)).toBe(0);
    expect(String(right.stdout)).toMatch(/\(a dump from elsewhere; dropped and recreated\)/);
    expect(await query(mine.url, `SELECT count(*)::int AS n FROM planted`)).toEqual([{ n: 102 }]);
  });

  it('the genuine backup is restored as one the journal recorded', async () => {
    await query(mine.url, `DELETE FROM accounts WHERE id > 10`);
    const r = await cli([
      'backup',
      '--bundled',
      '--restore',
      myDump,
      '--yes',
      '--json',
      '--database-url',
      mine.url,
      '--journal-dir',
      journalDir,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/This is a backup made by citadel-migrate: the journal recorded its sha256/);
    expect(json(r)).toMatchObject({
      provenance: 'journal',
      verified: true,
      comparison: { tables: 1, rowsCompared: 50, mismatches: [] },
    });
    expect(await query(mine.url, `SELECT count(*)::int AS n FROM accounts`)).toEqual([{ n: 50 }]);
  });

  it('--foreign-dump with --yes restores a dump from elsewhere and says so', async () => {
    const r = await cli([
      'backup',
      '--bundled',
      '--restore',
      otherDump,
      '--yes',
      '--foreign-dump',
      '--database-url',
      mine.url,
      '--journal-dir',
      journalDir,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/from .* \(a dump from elsewhere; dropped and recreated\)/);
    expect(r.stdout).toMatch(/no row counts were recorded for this dump/);
    expect(await query(mine.url, `SELECT count(*)::int AS n FROM planted`)).toEqual([{ n: 102 }]);
  });
});
