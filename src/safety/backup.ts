// The guide's "Create full database backup" and "Verify backup integrity" in one step: pg_dump -Fc
// into a private folder, sha256, then a real restore compared with the source.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Target } from '../postgres/target.js';
import { connect } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { requireToolFor, startPgDump, firstLines, missingTool } from '../tools/pgTools.js';
import { UserError } from '../errors.js';
import { whoAmI } from '../who.js';
import { exactRowCounts, type RestoreCheck, type RowCounts } from './rowCounts.js';
import { backupFileName, sha256File, writeSidecar, sidecarPath, type BackupSidecar } from './backupFiles.js';
import { verifyByRestore } from './restoreCheck.js';
import { formatBytes } from './format.js';
import { prepareBackupFolder, backupFolderError } from './backupFolder.js';
import { readHistory } from '../runbook/history.js';
import { migrationState, type MigrationState } from './journalBackups.js';

export interface BackupProgress {
  bytesWritten: number;
  databaseBytes: number;
  elapsedMs: number;
  /** The dump is complete (the last report). */
  done?: boolean;
}

export interface BackupOptions {
  backupDir: string;
  onProgress?: (p: BackupProgress) => void;
  /** Phases after the dump (hashing, restoring), for the human output. */
  onPhase?: (phase: string) => void;
  progressIntervalMs?: number;
  /** Accept a backup folder others can write to, or a symlink (--allow-unsafe-backup-dir). */
  allowUnsafeDir?: boolean;
  /** Ctrl-C: pg_dump or the verifying pg_restore is ended, the partial file and the scratch copy removed. */
  signal?: AbortSignal;
  /** --verify-on: restore the check copy on this server instead of the target's own. */
  verifyOn?: Target;
}

export interface BackupResult {
  path: string;
  bytes: number;
  sha256: string;
  verified: boolean;
  durationMs: number;
  /** verifiedOn: host:port of the --verify-on server, or "the target". */
  restoreCheck: RestoreCheck & {
    scratchDatabase: string;
    verifiedOn: string;
    snapshotConsistent: boolean;
    error?: string;
  };
  /** Warnings for the DBA (a folder readable by others). */
  warnings: string[];
  database: string;
  /** The applied migrations at the dump's snapshot. */
  migrations: MigrationState;
}

interface ServerFacts {
  version_num: number;
  server_version: string;
  database_bytes: number;
}

export async function createBackup(target: Target, opts: BackupOptions): Promise<BackupResult> {
  const t0 = Date.now();
  const source = await connect(target, { applicationName: 'citadel-migrate backup' });
  let file: string | undefined;
  let dumped = false;
  try {
    const facts = (await source.query<ServerFacts>(sqlFile('server_facts'))).rows[0]!;
    // Both tools are checked before anything is written: a restore check that cannot run is no backup.
    await requireToolFor('pg_dump', facts.version_num);
    await requireToolFor('pg_restore', facts.version_num);

    const dir = path.resolve(opts.backupDir);
    const warnings = await prepareBackupFolder(dir, { allowUnsafe: opts.allowUnsafeDir });
    // Created by us with 0600 before pg_dump opens it, so the dump is never readable by others, whatever
    // the umask; exclusively, so that two backups in one second never write over (or clean up) each other.
    const started = new Date();
    for (let attempt = 1; !file; attempt++) {
      const candidate = path.join(dir, backupFileName(target.database, started, attempt));
      try {
        await (await fs.open(candidate, 'wx', 0o600)).close();
        file = candidate;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 100)
          throw isDiskFull(err) ? err : backupFolderError(dir, err);
      }
    }

    // The dump and the row counts see the same snapshot, so they agree even while applications write.
    let snapshot: string | undefined;
    let counts: RowCounts | undefined;
    let migrations: MigrationState | undefined;
    try {
      await source.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      snapshot = (await source.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;
    } catch {
      await source.query('ROLLBACK').catch(() => undefined);
      snapshot = undefined; // e.g. a standby that cannot export: counts are taken after the dump
    }

    const child = startPgDump(target, { file, snapshot, signal: opts.signal });
    let finished = false;
    const timer = setInterval(() => {
      fs.stat(file!).then(
        (st) =>
          !finished &&
          opts.onProgress?.({ bytesWritten: st.size, databaseBytes: facts.database_bytes, elapsedMs: Date.now() - t0 }),
        () => undefined,
      );
    }, opts.progressIntervalMs ?? 500);
    // _prisma_migrations as the dump holds it: `check` compares it with the state at migration time.
    if (snapshot) {
      counts = await exactRowCounts(source);
      migrations = migrationState(await readHistory(source));
    }
    const dump = await child.finally(() => {
      finished = true;
      clearInterval(timer);
    });
    if (snapshot) await source.query('COMMIT').catch(() => undefined);
    if (opts.signal?.aborted) throw interrupted();
    if ((dump as { code?: string }).code === 'ENOENT') throw missingTool('pg_dump');
    if (dump.exitCode !== 0) {
      if (DISK_FULL_TEXT.test(String(dump.stderr ?? ''))) throw await diskFull(file, facts.database_bytes);
      throw new UserError(
        `pg_dump failed (exit ${dump.exitCode}): ${firstLines(String(dump.stderr ?? '')) || 'no message'}; no backup was written.`,
        'failed',
      );
    }
    dumped = true;
    counts ??= await exactRowCounts(source);
    migrations ??= migrationState(await readHistory(source));
    await fs.chmod(file, 0o600);

    const st = await fs.stat(file);
    opts.onProgress?.({
      bytesWritten: st.size,
      databaseBytes: facts.database_bytes,
      elapsedMs: Date.now() - t0,
      done: true,
    });
    opts.onPhase?.('computing sha256');
    const sha256 = await sha256File(file);
    opts.onPhase?.('verifying: restoring into a scratch database');
    const check = await verifyByRestore(opts.verifyOn ?? target, file, counts, {
      signal: opts.signal,
      source: target.database,
      ...(opts.verifyOn ? {} : { checkDisk: { databaseBytes: facts.database_bytes } }),
    });
    const verifiedOn = opts.verifyOn ? `${opts.verifyOn.host}:${opts.verifyOn.port}` : 'the target';
    if (opts.signal?.aborted) {
      dumped = false; // an unverified dump of an interrupted backup is not kept
      throw interrupted(check.scratchDatabase);
    }
    const durationMs = Date.now() - t0;
    const comparison = check.comparison ?? { tables: Object.keys(counts).length, rowsCompared: 0, mismatches: [] };

    const sidecar: BackupSidecar = {
      file: path.basename(file),
      database: target.database,
      server: target.display,
      serverVersion: facts.server_version,
      createdAt: new Date(t0).toISOString(),
      createdBy: whoAmI(),
      bytes: st.size,
      sha256,
      verified: check.verified,
      durationMs,
      ...(check.error ? { verifyError: check.error } : {}),
      comparison: check.comparison,
      counts: counts,
      snapshotConsistent: snapshot !== undefined,
    };
    try {
      await writeSidecar(file, sidecar);
    } catch (err) {
      // a dump without its sidecar would pass for an unchecked backup: remove both
      await fs.rm(sidecarPath(file), { force: true }).catch(() => undefined);
      dumped = false;
      if (isDiskFull(err)) throw await diskFull(file, facts.database_bytes, 'sidecar');
      throw err;
    }
    return {
      path: file,
      bytes: st.size,
      sha256,
      verified: check.verified,
      durationMs,
      restoreCheck: {
        ...comparison,
        scratchDatabase: check.scratchDatabase,
        verifiedOn,
        snapshotConsistent: snapshot !== undefined,
        ...(check.error ? { error: check.error } : {}),
      },
      database: target.database,
      migrations,
      warnings,
    };
  } catch (err) {
    // ENOSPC from our own writes (the folder, the empty file) reads like a bug without this
    if (isDiskFull(err) && file) throw await diskFull(file, 0);
    if (isDiskFull(err))
      throw new UserError(
        `The disk holding ${path.resolve(opts.backupDir)} is full: free space there, or pass --backup-dir on a larger disk.`,
        'failed',
      );
    throw err;
  } finally {
    // A dump that did not finish is not a backup: leave no half file that `check` could mistake for one.
    if (file && !dumped) await fs.rm(file, { force: true }).catch(() => undefined);
    await source.end().catch(() => undefined);
  }
}

const interrupted = (scratch?: string) =>
  new UserError(
    `Backup interrupted: no backup was kept${scratch ? ` and the scratch copy ${scratch} was dropped` : ''}.`,
    'failed',
  );

const DISK_FULL_TEXT = /No space left on device|Disk quota exceeded/i;

function isDiskFull(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException;
  return e?.code === 'ENOSPC' || e?.code === 'EDQUOT' || DISK_FULL_TEXT.test(e?.message ?? '');
}

/** The sentence for a full disk: where, how far the dump got, and that nothing of it is left. */
async function diskFull(file: string, databaseBytes: number, stage: 'dump' | 'sidecar' = 'dump'): Promise<UserError> {
  const written = await fs.stat(file).then(
    (st) => st.size,
    () => 0,
  );
  const dir = path.dirname(file);
  const size = await fs.statfs(dir).then(
    (st) => st.blocks * st.bsize,
    () => undefined,
  );
  const progress =
    stage === 'sidecar'
      ? `the ${formatBytes(written)} dump was complete but its record (the .json beside it) could not be written`
      : written
        ? `pg_dump stopped after ${formatBytes(written)}${databaseBytes ? ` of a ${formatBytes(databaseBytes)} database` : ''}`
        : 'nothing could be written';
  return new UserError(
    `The disk holding ${dir}${size === undefined ? '' : ` (${formatBytes(size)})`} is full: ${progress}, and the partial backup was removed; free space there, or pass --backup-dir on a larger disk.`,
    'failed',
  );
}
