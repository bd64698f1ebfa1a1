// The guide's "Full Database Restore" (Option 2): with the applications stopped, drop and recreate
// the database, restore the backup, and check the restored row counts against the ones recorded
// when the backup was made. The caller has already had the DBA confirm by typing the database name.
import { withDatabase, type Target } from '../postgres/target.js';
import { connect, withDb, type Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { assertSameServer, type ServerIdentity } from '../postgres/identity.js';
import { requireToolFor, runPgRestore, firstLines } from '../tools/pgTools.js';
import { UserError } from '../errors.js';
import { compareCounts, exactRowCounts, type RestoreCheck } from './rowCounts.js';
import type { CheckedDump } from './restoreTrust.js';

export interface RestoreResult {
  file: string;
  sha256: string;
  method: 'drop-and-create' | 'clean';
  /** journal: a backup the journal recorded; foreign: a dump from elsewhere the DBA confirmed. */
  provenance: CheckedDump['provenance'];
  verified: boolean;
  /** Null when there were no recorded counts to compare with (a dump from elsewhere). */
  comparison: RestoreCheck | null;
  durationMs: number;
  warnings: string[];
}

export { checkBackupFile, type CheckedDump } from './restoreTrust.js';

/** A connection to the server that is not the database being restored. */
async function maintenanceConnection(target: Target, expected?: ServerIdentity): Promise<Db> {
  for (const db of ['postgres', 'template1']) {
    if (db === target.database) continue;
    let admin: Db;
    try {
      admin = await connect(withDatabase(target, db), { applicationName: 'citadel-migrate restore' });
    } catch {
      continue; // try the next one
    }
    try {
      // The drop happens on this session: it must be the server the command resolved, or nothing is dropped.
      if (expected) await assertSameServer(admin, expected, `drop and recreate ${target.database}`, { database: db });
      return admin;
    } catch (err) {
      await admin.end().catch(() => undefined);
      throw err;
    }
  }
  throw new UserError(
    `Cannot connect to the maintenance database (postgres or template1) on ${target.display} to drop and recreate ${target.database}: grant CONNECT on postgres to ${target.user}.`,
    'connection',
  );
}

export async function restoreBackup(
  target: Target,
  file: string,
  checked: CheckedDump,
  expected?: ServerIdentity,
): Promise<RestoreResult> {
  const t0 = Date.now();
  const warnings: string[] = [];
  const admin = await maintenanceConnection(target, expected);
  let method: RestoreResult['method'] = 'drop-and-create';
  try {
    const facts = (await admin.query<{ version_num: number }>(sqlFile('server_facts'))).rows[0]!;
    await requireToolFor('pg_restore', facts.version_num);
    const others = (
      await admin.query<{ pid: number; application: string; user: string; backend_type: string }>(
        sqlFile('database_sessions'),
        [target.database],
      )
    ).rows;
    if (others.length) {
      const name = (o: (typeof others)[number]) =>
        o.application ||
        (o.backend_type === 'client backend' ? '(no application name)' : `(a ${o.backend_type} process)`);
      const apps = [...new Set(others.map(name))].join(', ');
      throw new UserError(
        `${others.length} session(s) are still connected to ${target.database} (${apps}; pids ${others.map((o) => o.pid).join(', ')}): stop the application first (the guide's step 1), then restore.`,
        'failed',
      );
    }
    const priv = (
      await admin.query<{ can_create: boolean; can_drop: boolean; owner: string | null }>(
        sqlFile('restore_privileges'),
        [target.database],
      )
    ).rows[0];
    const q = admin.escapeIdentifier(target.database);
    if (priv?.can_create && priv.can_drop) {
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${q}`);
      } catch (err) {
        // 55006: someone connected between the check above and the drop; nothing was dropped.
        if ((err as { code?: string }).code === '55006')
          throw new UserError(
            `A session connected to ${target.database} just before the drop, so nothing was restored: stop the application (the guide's step 1) and run the restore again.`,
            'failed',
          );
        throw err;
      }
      await admin.query(`CREATE DATABASE ${q} TEMPLATE template0`);
    } else {
      // Without the right to drop and recreate, pg_restore --clean drops what the backup contains; objects
      // created after the backup (tables of a later migration) are left and must be dropped by hand.
      method = 'clean';
      warnings.push(
        `${target.user} may not drop and recreate ${target.database}: restored with pg_restore --clean, which leaves objects created after the backup in place`,
      );
    }
  } finally {
    await admin.end().catch(() => undefined);
  }

  const restore = await runPgRestore(target, { file, clean: method === 'clean', noOwner: true });
  if (!restore.ok)
    warnings.push(`pg_restore reported errors (exit ${restore.exitCode}): ${firstLines(restore.stderr, 5)}`);
  const restored = await withDb(target, (db) => exactRowCounts(db), { applicationName: 'citadel-migrate restore' });
  if (!checked.counts) {
    warnings.push('no row counts were recorded for this dump, so the restored rows were not compared with anything');
    return {
      file,
      sha256: checked.sha256,
      method,
      provenance: checked.provenance,
      verified: restore.ok,
      comparison: null,
      durationMs: Date.now() - t0,
      warnings,
    };
  }
  const comparison = compareCounts(checked.counts, restored);
  return {
    file,
    sha256: checked.sha256,
    method,
    provenance: checked.provenance,
    verified: comparison.mismatches.length === 0,
    comparison,
    durationMs: Date.now() - t0,
    warnings,
  };
}
