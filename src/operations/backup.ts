import path from 'node:path';
import { createBackup, type BackupProgress, type BackupResult } from '../safety/backup.js';
import { contextManifest } from '../safety/runbook.js';
import { BACKUP_COPY } from '../safety/journalFacts.js';
import { notifierFor } from '../notify/forWorkspace.js';
import { DEFAULTS } from '../defaults.js';
import { parseTarget, type Target } from '../postgres/target.js';
import { withDb } from '../postgres/connect.js';
import { cleanScratchDatabases, type ScratchCleanup } from '../safety/scratchCleanup.js';
import { journalled } from './journalled.js';
import type { Workspace } from './workspace.js';
import { requireProject } from './project.js';
import { withStopDeadline, STOP_DEADLINE_MS } from './stopDeadline.js';
import { UserError } from '../errors.js';
import type { Prepared } from './confirm.js';

export type { BackupProgress, ScratchCleanup };

export interface BackupIo {
  onProgress?: (p: BackupProgress) => void;
  onPhase?: (phase: string) => void;
  onCopyProgress?: (p: { loaded: number; total: number }) => void;
}

export type CopyOutcome = { ok: true; location: string; durationMs: number } | { ok: false; error: string; to: string };

export interface BackupOutcome {
  backup: BackupResult;
  /** Scratch databases an earlier run left on the server, removed (or left, with why) first. */
  scratch?: ScratchCleanup;
  /** The off-host copy, when --copy-to or the runbook's copyTo: asks for one and the backup is verified. */
  copy?: CopyOutcome;
  /** Where a copy was asked for, even when it was not made (an unverified backup is never copied). */
  copyTo?: string;
}

export type BackupInput = {
  backupDir?: string;
  allowUnsafeDir?: boolean;
  copyTo?: string;
  signal?: AbortSignal;
  verifyOn?: string;
};

/** What `backup` will do: dump into this folder, verify there, copy there (when asked). */
export interface BackupPlan {
  backupDir: string;
  allowUnsafeDir: boolean;
  verifyOn?: Target;
  /** --copy-to, else the runbook's copyTo:, else none. */
  copyTo?: string;
}

/**
 * Checks what can be checked before anything is dumped: a project, a reachable verification
 * server, where the copy goes. A backup changes nothing on the database: nothing to confirm.
 */
export async function prepareBackup(ws: Workspace, input: BackupInput): Promise<Prepared<BackupPlan>> {
  requireProject(ws, 'take a backup');
  const verifyOn = input.verifyOn === undefined ? undefined : parseTarget(input.verifyOn);
  // A verification server that cannot be reached is known before anything is dumped.
  if (verifyOn) await withDb(verifyOn, async () => undefined, { applicationName: 'citadel-migrate backup-verify' });
  const copyTo = input.copyTo ?? (await contextManifest(ws).catch(() => undefined))?.copyTo;
  return {
    plan: {
      backupDir: input.backupDir ?? DEFAULTS.backupDir,
      allowUnsafeDir: Boolean(input.allowUnsafeDir),
      ...(verifyOn ? { verifyOn } : {}),
      ...(copyTo ? { copyTo } : {}),
    },
    question: null,
  };
}

/**
 * pg_dump, sha256 and the verifying restore into a scratch database, journalled with its checksum;
 * then the copy off the host when one is asked for, and the team told.
 */
export function backupOperation(ws: Workspace, input: BackupInput, io: BackupIo = {}): Promise<BackupOutcome> {
  return withStopDeadline(
    input.signal,
    prepareBackup(ws, input).then(({ plan }) => backupWork(ws, plan, { ...io, signal: input.signal })),
    stalled,
  );
}

/** Runs the plan; a stop (io.signal) ends pg_dump or pg_restore and removes what they left. */
export function executeBackup(
  ws: Workspace,
  plan: BackupPlan,
  io: BackupIo & { signal?: AbortSignal } = {},
): Promise<BackupOutcome> {
  return withStopDeadline(io.signal, backupWork(ws, plan, io), stalled);
}

// A stalled session cannot hold a stop past the deadline.
const stalled = async (): Promise<BackupOutcome> => {
  throw new UserError(
    `Stopped without an answer from the server within ${STOP_DEADLINE_MS / 1000} s; no backup was recorded in the journal, and a scratch copy left on the server is removed by the next backup (or \`backup --clean-scratch\`).`,
    'interrupted',
  );
};

async function backupWork(
  ws: Workspace,
  plan: BackupPlan,
  io: BackupIo & { signal?: AbortSignal },
): Promise<BackupOutcome> {
  const { backupDir, verifyOn, copyTo } = plan;
  // A copy left by a crash holds data nobody looks after: the next backup is where it is noticed.
  const scratch = await cleanScratchOperation(ws, verifyOn).catch(() => undefined);
  const backup = await journalled(
    ws,
    'backup',
    { backupDir: path.resolve(backupDir), ...(verifyOn ? { verifyOn: `${verifyOn.host}:${verifyOn.port}` } : {}) },
    () =>
      createBackup(ws.target(), {
        backupDir,
        allowUnsafeDir: plan.allowUnsafeDir,
        onProgress: io.onProgress,
        onPhase: io.onPhase,
        signal: io.signal,
        verifyOn,
      }),
    (r) => ({
      ok: true,
      path: r.path,
      database: r.database,
      bytes: r.bytes,
      sha256: r.sha256,
      verified: r.verified,
      durationMs: r.durationMs,
      restoreCheck: r.restoreCheck,
      migrations: r.migrations,
    }),
  );
  const copy = backup.verified && copyTo ? await copyOffHost(ws, backup, copyTo, io) : undefined;
  const notifier = await notifierFor(ws);
  notifier.send({
    event: 'backup.finished',
    migration: null,
    outcome: backup.verified && (!copyTo || copy?.ok) ? 'ok' : 'failed',
    durationMs: backup.durationMs,
    file: backup.path,
    sha256: backup.sha256,
    ...(copy?.ok ? { copiedTo: copy.location } : {}),
    ...(copy && !copy.ok ? { error: { code: 'COPY_FAILED', message: copy.error } } : {}),
  });
  await notifier.settle();
  const found = scratch && scratch.removed.length + scratch.kept.length + scratch.inUse.length > 0;
  return { backup, ...(found ? { scratch } : {}), ...(copy ? { copy } : {}), ...(copyTo ? { copyTo } : {}) };
}

/** Removes the scratch databases that no running citadel-migrate owns; the journal keeps what was found. */
export async function cleanScratchOperation(
  ws: Pick<Workspace, 'target' | 'journal'>,
  verifyOn?: Target,
): Promise<ScratchCleanup> {
  const r = await cleanScratchDatabases(ws.target());
  if (verifyOn) {
    const there = await cleanScratchDatabases(verifyOn);
    r.removed.push(...there.removed);
    r.inUse.push(...there.inUse);
    r.kept.push(...there.kept);
  }
  if (r.removed.length || r.kept.length) (await ws.journal()).event('backup.clean-scratch', r);
  return r;
}

/** Copies a verified backup off the host, read back and checked; the journal keeps where it went and its sha256. */
async function copyOffHost(ws: Workspace, r: BackupResult, to: string, io: BackupIo): Promise<CopyOutcome> {
  const { copyBackupOffsite } = await import('../safety/offsite.js');
  const end = (await ws.journal()).begin(BACKUP_COPY, { file: r.path, to });
  try {
    const c = await copyBackupOffsite({ file: r.path, sha256: r.sha256, to, onProgress: io.onCopyProgress });
    end({
      ok: true,
      location: c.location,
      sha256: c.sha256,
      bytes: c.bytes,
      durationMs: c.durationMs,
      verifiedBy: c.verifiedBy,
    });
    return { ok: true, location: c.location, durationMs: c.durationMs };
  } catch (err) {
    end({ ok: false, error: (err as Error).message });
    return { ok: false, error: (err as Error).message, to };
  }
}
