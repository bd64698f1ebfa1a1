// A backup is only as good as its restore: restore it into a scratch database on the same server,
// compare the tables and their exact row counts with the source, and drop the scratch database
// whatever happens (a process killed outright leaves it to the next backup's cleanup).
import { scratchDatabaseName } from '../postgres/scratch.js';
import { withDatabase, type Target } from '../postgres/target.js';
import { connect, withDb } from '../postgres/connect.js';
import { runPgRestore, firstLines, requireToolFor } from '../tools/pgTools.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { diskFree } from './evidence.js';
import { formatBytes } from './format.js';
import { compareCounts, exactRowCounts, type RestoreCheck, type RowCounts } from './rowCounts.js';

export interface VerifyResult {
  verified: boolean;
  comparison: RestoreCheck | null;
  /** Why the restore could not be compared, when it could not. */
  error?: string;
  scratchDatabase: string;
}

export interface VerifyOptions {
  signal?: AbortSignal;
  /** The database the dump was taken from (names the scratch copy); target.database by default. */
  source?: string;
  /** The target's own server: a full copy must fit on its disk beside the database. */
  checkDisk?: { databaseBytes: number };
}

/** Restores FILE into a scratch database on the server of `target` (the target itself, or --verify-on). */
export async function verifyByRestore(
  target: Target,
  file: string,
  sourceCounts: RowCounts,
  opts: VerifyOptions = {},
): Promise<VerifyResult> {
  const { name: scratch, ownerApplication } = scratchDatabaseName(opts.source ?? target.database, 'verify');
  // The owner session is open before the scratch exists and until it is gone: a scratch without it is a leftover.
  const admin = await connect(target, { applicationName: ownerApplication });
  let created = false;
  try {
    const facts = (await admin.query<{ version_num: number; data_directory: string | null }>(sqlFile('server_facts')))
      .rows[0]!;
    await requireToolFor('pg_restore', facts.version_num);
    if (opts.checkDisk) {
      const disk = await diskFree(target, facts.data_directory);
      // The copy takes about the database's size on the server's disk; the database must keep room to work.
      const need = opts.checkDisk.databaseBytes * 1.2;
      if (disk.known && disk.freeBytes < need) {
        const error = `not enough free disk on the target's server for the check copy (${formatBytes(disk.freeBytes)} free under ${disk.dataDirectory}, the copy needs about ${formatBytes(need)}): verify on a scratch server with --verify-on URL`;
        return { verified: false, comparison: null, scratchDatabase: scratch, error };
      }
    }
    try {
      // template0: a clean database, without whatever was added to template1 on this server.
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(scratch)} TEMPLATE template0`);
      created = true;
    } catch (err) {
      const e = err as { code?: string; message?: string };
      const why =
        e.code === '42501'
          ? `the role "${target.user}" may not create databases (grant CREATEDB, or verify with a role that has it)`
          : String(e.message);
      return {
        verified: false,
        comparison: null,
        scratchDatabase: scratch,
        error: `cannot create the scratch database ${scratch}: ${why}`,
      };
    }
    const scratchTarget = withDatabase(target, scratch);
    const restore = await runPgRestore(scratchTarget, { file, noOwner: true, exitOnError: true, signal: opts.signal });
    if (opts.signal?.aborted)
      return { verified: false, comparison: null, scratchDatabase: scratch, error: 'interrupted' };
    if (!restore.ok) {
      return {
        verified: false,
        comparison: null,
        scratchDatabase: scratch,
        error: `pg_restore failed (exit ${restore.exitCode}): ${firstLines(restore.stderr) || 'no message'}`,
      };
    }
    const restored = await withDb(scratchTarget, (db) => exactRowCounts(db), {
      applicationName: 'citadel-migrate backup-verify',
    });
    const comparison = compareCounts(sourceCounts, restored);
    return { verified: comparison.mismatches.length === 0, comparison, scratchDatabase: scratch };
  } finally {
    if (created) {
      // FORCE: a pg_restore killed halfway may still hold a session on it.
      await admin
        .query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(scratch)} WITH (FORCE)`)
        .catch(() => undefined);
    }
    await admin.end().catch(() => undefined);
  }
}
