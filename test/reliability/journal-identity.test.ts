import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { adminUrl, query } from '../helpers/db.js';
import { cli, json } from '../helpers/cli.js';
import { copyBundled } from '../helpers/folders.js';
import { journalLines } from '../helpers/journal.js';
import { startPgBouncer, type Bouncer } from '../helpers/pgbouncer.js';
import { Journal, legacyJournalFileFor } from '../../src/journal/journal.js';
import { startSandbox } from '../../src/sandbox/embedded.js';
import { parseTarget } from '../../src/postgres/target.js';
import { readJournalFile } from '../../src/journal/read.js';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));
const jsonl = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort();

/**
 * One journal per database: keyed by the server's identity and the exact database name, so "ht_x y"
 * and "ht_x_y" never share one (the old host_port_name key made both ht_x_y), and a pooler's URL
 * and the direct one, which reach the same database, always do.
 */
describe('one journal per database', () => {
  const tag = randomBytes(3).toString('hex');
  const spaced = `ht_${tag} y`;
  const underscored = `ht_${tag}_y`;
  const url = (db: string) => adminUrl().replace(/\/postgres$/, `/${encodeURIComponent(db)}`);
  let bouncer: Bouncer;

  beforeAll(async () => {
    bouncer = await startPgBouncer('session');
    for (const db of [spaced, underscored]) {
      await query(adminUrl(), `CREATE DATABASE "${db}"`);
      await query(
        url(db),
        `CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, ${db === spaced ? 7 : 3})`,
      );
    }
  });
  afterAll(async () => {
    for (const db of [spaced, underscored])
      await query(adminUrl(), `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`).catch(() => undefined);
    await bouncer?.stop();
  });

  it('"ht_x y" and "ht_x_y" keep separate journals, and a backup of one is not restored over the other as ours', async () => {
    const journalDir = tmp('cm-jid-');
    const backups = tmp('cm-jid-bk-');
    const a = await cli([
      'backup',
      '--bundled',
      '--json',
      '--backup-dir',
      backups,
      '--journal-dir',
      journalDir,
      '--database-url',
      url(spaced),
    ]);
    expect(a.exitCode, a.stderr).toBe(0);
    const b = await cli([
      'backup',
      '--bundled',
      '--json',
      '--backup-dir',
      backups,
      '--journal-dir',
      journalDir,
      '--database-url',
      url(underscored),
    ]);
    expect(b.exitCode, b.stderr).toBe(0);
    const files = jsonl(journalDir);
    expect(files).toHaveLength(2);
    // every line names its database and its server
    const named = files.map((f) => [
      ...new Set(readJournalFile(path.join(journalDir, f)).lines.map((l) => `${l.database} ${l.server}`)),
    ]);
    expect(named.flat().sort()).toEqual([
      expect.stringMatching(new RegExp(`^${spaced} system:\\d+$`)),
      expect.stringMatching(new RegExp(`^${underscored} system:\\d+$`)),
    ]);
    const r = await cli([
      'backup',
      '--bundled',
      '--restore',
      json(a).path,
      '--yes',
      '--database-url',
      url(underscored),
      '--journal-dir',
      journalDir,
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/This dump is NOT one recorded in the journal/);
    expect(r.stderr).toMatch(new RegExp(`Refusing to restore ${underscored} from a dump the journal does not know`));
    expect((await query<{ n: number }>(url(underscored), 'SELECT count(*)::int AS n FROM t'))[0]!.n).toBe(3);
  }, 90_000);

  it('a pooler URL and the direct URL of one database write one journal', async () => {
    const journalDir = tmp('cm-jid-pool-');
    const migrations = copyBundled();
    const confirm = (databaseUrl: string, id: string) =>
      cli([
        'check',
        '--confirm',
        id,
        '--migrations',
        migrations,
        '--journal-dir',
        journalDir,
        '--database-url',
        databaseUrl,
      ]);
    const direct = await confirm(url(underscored), 'team.dba-on-call');
    expect(direct.exitCode, direct.stderr).toBe(0);
    const pooled = await confirm(bouncer.url(encodeURIComponent(underscored)), 'team.channel');
    expect(pooled.exitCode, pooled.stderr).toBe(0);
    expect(jsonl(journalDir)).toHaveLength(1);
    const confirmed = journalLines(journalDir).filter((l) => l.action === 'checklist.confirm');
    expect(confirmed.map((l) => [(l.details as { id: string }).id, l.database])).toEqual([
      ['team.dba-on-call', underscored],
      ['team.channel', underscored],
    ]);
    expect(new Set(confirmed.map((l) => l.server)).size).toBe(1);
    expect(confirmed[0]!.server).toMatch(/^system:\d+$/);
  }, 90_000);

  it("a journal written under the old host_port_database name is still read by report, without the other database's lines", async () => {
    const journalDir = tmp('cm-jid-old-');
    // the older tool wrote both databases into one file named after ht_x_y
    for (const [db, id] of [
      [underscored, 'team.dba-on-call'],
      [spaced, 'team.channel'],
    ] as const) {
      const target = parseTarget(url(db));
      const j = new Journal(legacyJournalFileFor(target, journalDir), target.redacted);
      j.event('checklist.confirm', { id, title: `confirmed for ${db}` });
      j.close();
    }
    expect(jsonl(journalDir)).toEqual([`127.0.0.1_${new URL(adminUrl()).port}_${underscored}.jsonl`]);
    const r = await cli(['report', '--journal-dir', journalDir, '--database-url', url(underscored)]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/team\.dba-on-call \(confirmed for ht_\w+_y\)/);
    expect(r.stdout).not.toContain('team.channel');
  }, 60_000);

  it('report with the server down reads the journal this URL wrote, and says so', async () => {
    const journalDir = tmp('cm-jid-down-');
    const sandbox = await startSandbox();
    const downUrl = sandbox.url('postgres');
    try {
      const c = await cli([
        'check',
        '--confirm',
        'team.dba-on-call',
        '--migrations',
        copyBundled(),
        '--journal-dir',
        journalDir,
        '--database-url',
        downUrl,
      ]);
      expect(c.exitCode, c.stderr).toBe(0);
    } finally {
      await sandbox.stop();
    }
    const r = await cli(['report', '--journal-dir', journalDir, '--database-url', downUrl]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^The server cannot be reached to tell which journal is this database's, so this is the one last written through this URL: .*\/postgres\.[0-9a-f]{16}\.jsonl\n?$/,
    );
    expect(r.stdout).toMatch(/team\.dba-on-call/);
  }, 60_000);
});
