// The backup stored off the host, against a real S3-compatible server (s3rver): upload, read back and
// hash, bad bucket, refused credentials, a network cut mid-upload, a tampered copy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { S3Client, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { copyBackupOffsite, downloadBackup } from '../../src/safety/offsite.js';
import { cuttableRelay, startS3, S3_ENV, type S3Server } from '../helpers/s3.js';
import { teamChannel } from '../helpers/teamChannel.js';

let s3: S3Server;
let dir: string;
const client = (endpoint: string, key = S3_ENV.AWS_ACCESS_KEY_ID) =>
  new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: key, secretAccessKey: S3_ENV.AWS_SECRET_ACCESS_KEY },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });

function backupFile(bytes: number): { file: string; sha256: string } {
  const file = path.join(dir, `db_20251204_120000_${randomBytes(3).toString('hex')}.dump`);
  const data = randomBytes(bytes);
  writeFileSync(file, data);
  const sha256 = createHash('sha256').update(data).digest('hex');
  writeFileSync(
    `${file}.json`,
    JSON.stringify({ file: path.basename(file), sha256, bytes, verified: true, counts: {} }),
  );
  return { file, sha256 };
}

const keys = async (c: S3Client) =>
  ((await c.send(new ListObjectsV2Command({ Bucket: 'backups' }))).Contents ?? []).map((o) => o.Key);

beforeAll(async () => {
  s3 = await startS3();
  dir = mkdtempSync(path.join(os.tmpdir(), 'offsite-'));
});
afterAll(async () => {
  await s3?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('copy to S3', () => {
  it('uploads in parts with progress, reads the copy back and downloads it again, checked', async () => {
    const { file, sha256 } = backupFile(11 * 1024 * 1024);
    const progress: number[] = [];
    const r = await copyBackupOffsite({
      file,
      sha256,
      to: 's3://backups/nightly/',
      client: client(s3.endpoint),
      onProgress: (p) => progress.push(p.loaded),
    });
    expect(r.location).toBe(`s3://backups/nightly/${path.basename(file)}`);
    expect(r.sha256).toBe(sha256);
    expect(progress.length).toBeGreaterThanOrEqual(3); // three parts of 5 MiB
    expect(progress.at(-1)).toBe(11 * 1024 * 1024);
    expect(await keys(client(s3.endpoint))).toEqual(
      expect.arrayContaining([`nightly/${path.basename(file)}`, `nightly/${path.basename(file)}.json`]),
    );

    const back = await downloadBackup(r.location, path.join(dir, 'restored'), sha256, client(s3.endpoint));
    expect(back.checkedAgainst).toBe('journal');
    const kept = await back.accept();
    expect(kept).toBe(path.join(dir, 'restored', path.basename(file)));
    expect(createHash('sha256').update(readFileSync(kept)).digest('hex')).toBe(sha256);
    expect(readdirSync(path.join(dir, 'restored')).sort()).toEqual([
      path.basename(file),
      `${path.basename(file)}.json`,
    ]);
  });

  it('a bucket that does not exist is named', async () => {
    const { file, sha256 } = backupFile(1000);
    await expect(
      copyBackupOffsite({ file, sha256, to: 's3://no-such-bucket/x', client: client(s3.endpoint) }),
    ).rejects.toThrow(/bucket of s3:\/\/no-such-bucket\/x\/.* does not exist/);
  });

  it('refused credentials say which settings to fix, and store nothing', async () => {
    const { file, sha256 } = backupFile(1000);
    const before = await keys(client(s3.endpoint));
    await expect(
      copyBackupOffsite({ file, sha256, to: 's3://backups/refused', client: client(s3.endpoint, 'WRONGKEY') }),
    ).rejects.toThrow(/refused the credentials.*InvalidAccessKeyId.*AWS_PROFILE/);
    expect(await keys(client(s3.endpoint))).toEqual(before);
  });

  it('a network cut mid-upload fails clearly and leaves no object', async () => {
    const { file, sha256 } = backupFile(12 * 1024 * 1024);
    const relay = await cuttableRelay(s3.endpoint, 7 * 1024 * 1024);
    try {
      const err = await copyBackupOffsite({
        file,
        sha256,
        to: 's3://backups/cut',
        client: client(relay.endpoint),
      }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(
        /connection to the S3 store broke while uploading to s3:\/\/backups\/cut\/.*nothing was stored/,
      );
    } finally {
      relay.close();
    }
    expect((await keys(client(s3.endpoint))).filter((k) => k!.startsWith('cut/'))).toEqual([]);
  });

  it('a copy changed after it was stored is refused on download, and nothing is left behind', async () => {
    const { file, sha256 } = backupFile(2000);
    const r = await copyBackupOffsite({ file, sha256, to: 's3://backups/tamper', client: client(s3.endpoint) });
    await client(s3.endpoint).send(
      new PutObjectCommand({ Bucket: 'backups', Key: `tamper/${path.basename(file)}`, Body: randomBytes(2000) }),
    );
    const out = path.join(dir, 'tampered');
    await expect(downloadBackup(r.location, out, sha256, client(s3.endpoint))).rejects.toThrow(
      /corrupted or was changed since it was stored.*the journal says/,
    );
    expect(existsSync(path.join(out, path.basename(file)))).toBe(false);
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('backup --copy-to and --restore s3:// (the CLI)', () => {
  it('copies a verified backup, the checklist shows where with its sha256, and a restore from the copy brings the data back', async () => {
    const { freshDatabase, query } = await import('../helpers/db.js');
    const { cli, json } = await import('../helpers/cli.js');
    const { copyBundled } = await import('../helpers/folders.js');
    const db = await freshDatabase('offsite');
    const journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-oj-'));
    const backupDir = mkdtempSync(path.join(os.tmpdir(), 'cm-ob-'));
    const env = { ...s3.env, DATABASE_URL: db.url, USER: 'dba1', SUDO_USER: undefined };
    try {
      await query(
        db.url,
        `CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders SELECT generate_series(1, 500)`,
      );
      // The team hears of it: a real HTTP server takes the notification.
      const hook = await teamChannel();
      const posted = hook.bodies;
      const hookUrl = hook.url;
      const b = await cli(
        [
          'backup',
          '--bundled',
          '--json',
          '--backup-dir',
          backupDir,
          '--journal-dir',
          journalDir,
          '--copy-to',
          's3://backups/citadel',
          '--notify',
          hookUrl,
        ],
        { env },
      );
      await hook.close();
      expect(b.exitCode, b.stderr).toBe(0);
      const made = json(b);
      const location = `s3://backups/citadel/${path.basename(made.path)}`;
      expect(posted).toEqual([
        expect.objectContaining({
          event: 'backup.finished',
          outcome: 'ok',
          sha256: made.sha256,
          copiedTo: location,
          who: 'dba1',
        }),
      ]);

      const migrations = copyBundled();
      const c = await cli(
        ['check', '--json', '--migrations', migrations, '--backup-dir', backupDir, '--journal-dir', journalDir],
        { env },
      );
      const offsite = json(c).items.find((i: { id: string }) => i.id === 'backup.offsite');
      expect(offsite.status).toBe('pass');
      expect(offsite.evidence).toMatch(
        new RegExp(
          `^copied to ${location} at \\d{4}-.* by dba1; read back, sha256 ${made.sha256.slice(0, 12)}… matches$`,
        ),
      );

      await query(db.url, 'DELETE FROM orders WHERE id > 10');
      const restoreDir = mkdtempSync(path.join(os.tmpdir(), 'cm-or-'));
      const r = await cli(
        [
          'backup',
          '--bundled',
          '--restore',
          location,
          '--yes',
          '--database-url',
          db.url,
          '--backup-dir',
          restoreDir,
          '--journal-dir',
          journalDir,
        ],
        { env },
      );
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toContain(
        `Downloaded ${location}: sha256 matches the journal; held aside until the restore is confirmed`,
      );
      expect(r.stderr).toContain(`Kept the download as ${restoreDir}/${path.basename(made.path)}`);
      expect(r.stdout).toMatch(/✓ \d+ tables and 500 rows match the counts recorded with the backup/);
      expect((await query<{ n: number }>(db.url, 'SELECT count(*)::int AS n FROM orders'))[0]!.n).toBe(500);
    } finally {
      await db.drop();
    }
  });
});

describe('backup --restore s3:// of a dump the journal does not know (issue 24, finding 2)', () => {
  it('same file name under another prefix: refused, and the local dump and its .json are untouched', async () => {
    const { freshDatabase, query } = await import('../helpers/db.js');
    const { cli, json } = await import('../helpers/cli.js');
    const mine = await freshDatabase('s3same');
    const other = await freshDatabase('s3other');
    const journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-sj-'));
    const otherJournal = mkdtempSync(path.join(os.tmpdir(), 'cm-soj-'));
    const backupDir = mkdtempSync(path.join(os.tmpdir(), 'cm-sb-'));
    const env = { ...s3.env, USER: 'dba1', SUDO_USER: undefined };
    const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
    try {
      await query(
        mine.url,
        `CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders SELECT generate_series(1, 300)`,
      );
      await query(other.url, `CREATE TABLE planted (id int); INSERT INTO planted SELECT generate_series(1, 7)`);
      const b = await cli(
        [
          'backup',
          '--bundled',
          '--json',
          '--database-url',
          mine.url,
          '--backup-dir',
          backupDir,
          '--journal-dir',
          journalDir,
          '--copy-to',
          's3://backups/prod',
        ],
        { env },
      );
      expect(b.exitCode, b.stderr).toBe(0);
      const local: string = json(b).path;
      const o = await cli(
        [
          'backup',
          '--bundled',
          '--json',
          '--database-url',
          other.url,
          '--backup-dir',
          mkdtempSync(path.join(os.tmpdir(), 'cm-sob-')),
          '--journal-dir',
          otherJournal,
        ],
        { env },
      );
      expect(o.exitCode, o.stderr).toBe(0);
      const otherDump: string = json(o).path;
      // Another dump under the same name, with a record that agrees with it: normal for a staging copy.
      const name = path.basename(local);
      const otherRecord = JSON.parse(readFileSync(`${otherDump}.json`, 'utf8'));
      await client(s3.endpoint).send(
        new PutObjectCommand({ Bucket: 'backups', Key: `staging/${name}`, Body: readFileSync(otherDump) }),
      );
      await client(s3.endpoint).send(
        new PutObjectCommand({
          Bucket: 'backups',
          Key: `staging/${name}.json`,
          Body: JSON.stringify({ ...otherRecord, file: name }),
        }),
      );
      const before = { dump: sha(local), record: sha(`${local}.json`) };

      const r = await cli(
        [
          'backup',
          '--bundled',
          '--restore',
          `s3://backups/staging/${name}`,
          '--yes',
          '--database-url',
          mine.url,
          '--backup-dir',
          backupDir,
          '--journal-dir',
          journalDir,
        ],
        { env },
      );
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/This dump is NOT one recorded in the journal/);
      expect(r.stderr).toMatch(/Refusing to restore s3same_\w+ from a dump the journal does not know/);
      expect({ dump: sha(local), record: sha(`${local}.json`) }).toEqual(before);
      // nothing of the download is left beside the backups, and the database is untouched
      expect(readdirSync(backupDir).sort()).toEqual([name, `${name}.json`]);
      expect(await query(mine.url, "SELECT count(*)::int AS n, to_regclass('planted') AS p FROM orders")).toEqual([
        { n: 300, p: null },
      ]);

      // Accepted (--foreign-dump): restored, and kept beside the verified backup, which stays as it was.
      const f = await cli(
        [
          'backup',
          '--bundled',
          '--restore',
          `s3://backups/staging/${name}`,
          '--yes',
          '--foreign-dump',
          '--database-url',
          mine.url,
          '--backup-dir',
          backupDir,
          '--journal-dir',
          journalDir,
        ],
        { env },
      );
      expect(f.exitCode, f.stderr).toBe(0);
      const kept = name.replace(/\.dump$/, '.from-s3.dump');
      expect(f.stderr).toContain(`Kept the download as ${path.join(backupDir, kept)}`);
      expect({ dump: sha(local), record: sha(`${local}.json`) }).toEqual(before);
      expect(sha(path.join(backupDir, kept))).toBe(sha(otherDump));
      expect(readdirSync(backupDir).sort()).toEqual([name, `${name}.json`, kept, `${kept}.json`].sort());
      expect(await query(mine.url, 'SELECT count(*)::int AS n FROM planted')).toEqual([{ n: 7 }]);
    } finally {
      await mine.drop();
      await other.drop();
    }
  });
});

describe('backup --copy-to in text mode (the CLI)', () => {
  it('copies with progress on stderr, without a terminal and on one, and says where', async () => {
    const { freshDatabase, query } = await import('../helpers/db.js');
    const { cli, BIN, CLI_ENV } = await import('../helpers/cli.js');
    const { execa } = await import('execa');
    const db = await freshDatabase('offsite_text');
    const journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-otj-'));
    const env = { ...s3.env, DATABASE_URL: db.url, USER: 'dba1', SUDO_USER: undefined };
    try {
      await query(
        db.url,
        `CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders SELECT generate_series(1, 500)`,
      );
      const plain = await cli(
        [
          'backup',
          '--bundled',
          '--backup-dir',
          mkdtempSync(path.join(os.tmpdir(), 'cm-otb-')),
          '--journal-dir',
          journalDir,
          '--copy-to',
          's3://backups/text',
        ],
        { env },
      );
      expect(plain.exitCode, plain.stderr).toBe(0);
      expect(plain.stderr).not.toMatch(/before initialization/);
      expect(plain.stderr).toMatch(/copying to s3:\/\/backups\/text: .* of /);
      expect(plain.stdout).toMatch(/✓ copied to s3:\/\/backups\/text\/\S+: read back, sha256 matches/);

      // On a terminal (script(1) gives it a pty): the progress is redrawn in place.
      const args = [
        'node',
        BIN,
        'backup',
        '--bundled',
        '--backup-dir',
        mkdtempSync(path.join(os.tmpdir(), 'cm-otb-')),
        '--journal-dir',
        journalDir,
        '--copy-to',
        's3://backups/tty',
      ];
      const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
      const tty = await execa('script', ['-qec', quoted, '/dev/null'], {
        reject: false,
        stdin: 'ignore',
        env: { ...CLI_ENV, ...env },
        extendEnv: true,
        timeout: 60_000,
      });
      const out = String(tty.stdout);
      expect(tty.exitCode, out).toBe(0);
      expect(out).not.toMatch(/before initialization/);
      expect(out).toMatch(/\rcopying to s3:\/\/backups\/tty: .* of /);
      expect(out).toMatch(/✓ copied to s3:\/\/backups\/tty\/\S+: read back, sha256 matches/);
    } finally {
      await db.drop();
    }
  });
});
