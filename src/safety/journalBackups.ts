// The backups `check` and the console may count on: the ones the target's journal recorded when
// `backup` made them, wherever they were written, found at their path with the recorded sha256. A
// dump in the backup folder and the .json beside it are files like any other: whoever could write
// one could write the other, so they prove nothing on their own.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { JournalLine } from '../journal/journal.js';
import { journalled } from './journalFacts.js';
import { latestBackup, sha256File } from './backupFiles.js';
import type { RestoreCheck } from './rowCounts.js';
import type { HistoryRow } from '../runbook/history.js';

/** The applied migrations at the dump's snapshot, as `backup` recorded them. */
export interface MigrationState {
  applied: number;
  last: string | null;
  /** sha256 of the applied migrations' names, sorted, one per line. */
  digest: string;
}

export interface RecordedBackup {
  file: string;
  bytes: number;
  sha256: string;
  verified: boolean;
  /** When the backup started (its snapshot is taken then), and who made it. */
  at: string;
  who: string;
  restoreCheck?: RestoreCheck & { error?: string; scratchDatabase?: string };
  migrations?: MigrationState;
}

export interface BackupsFound {
  /** The newest recorded backup still at its path with its recorded sha256. */
  latest?: RecordedBackup;
  /** Newer recorded backups that are gone or were changed since. */
  lost: { file: string; at: string; problem: 'missing' | 'changed' }[];
  /** The newest dump in the backup folder that the journal does not know. */
  unrecorded?: string;
}

interface BackupResultLine {
  ok?: boolean;
  path?: string;
  bytes?: number;
  sha256?: string;
  verified?: boolean;
  database?: string;
  restoreCheck?: RecordedBackup['restoreCheck'];
  migrations?: MigrationState;
}

/** The journal's finished backups of DATABASE, newest last. */
export function recordedBackups(lines: JournalLine[], database: string): RecordedBackup[] {
  return journalled<Record<string, unknown>, BackupResultLine>(lines, 'backup')
    .filter((b) => b.result?.ok !== false && b.result?.path && b.result.sha256)
    .filter((b) => b.result!.database === undefined || b.result!.database === database)
    .map((b) => {
      const r = b.result!;
      return {
        file: r.path!,
        bytes: Number(r.bytes ?? 0),
        sha256: r.sha256!,
        verified: r.verified === true,
        at: b.at,
        who: b.who,
        ...(r.restoreCheck ? { restoreCheck: r.restoreCheck } : {}),
        ...(r.migrations ? { migrations: r.migrations } : {}),
      };
    });
}

// Hashing a dump of gigabytes on every console refresh would be slow: a file whose size, inode and
// modification time are unchanged keeps the hash it had.
const hashes = new Map<string, { key: string; sha256: string }>();

async function currentSha(file: string): Promise<string | undefined> {
  const st = await fs.stat(file).catch(() => undefined);
  if (!st?.isFile()) return undefined;
  const key = `${st.ino}:${st.size}:${st.mtimeMs}`;
  const known = hashes.get(file);
  if (known?.key === key) return known.sha256;
  const sha256 = await sha256File(file).catch(() => undefined);
  if (sha256) hashes.set(file, { key, sha256 });
  return sha256;
}

export async function findBackups(lines: JournalLine[], database: string, backupDir: string): Promise<BackupsFound> {
  const lost: BackupsFound['lost'] = [];
  let latest: RecordedBackup | undefined;
  for (const b of recordedBackups(lines, database).reverse()) {
    const sha = await currentSha(b.file);
    if (sha === b.sha256) {
      latest = b;
      break;
    }
    lost.push({ file: b.file, at: b.at, problem: sha ? 'changed' : 'missing' });
  }
  const inFolder = await latestBackup(path.resolve(backupDir), database).catch(() => undefined);
  const unrecorded =
    inFolder && inFolder.file !== latest?.file && !(await isRecorded(inFolder.file, lines, database))
      ? inFolder.file
      : undefined;
  return { ...(latest ? { latest } : {}), lost, ...(unrecorded ? { unrecorded } : {}) };
}

async function isRecorded(file: string, lines: JournalLine[], database: string): Promise<boolean> {
  const sha = await currentSha(file);
  return recordedBackups(lines, database).some((b) => b.sha256 === sha);
}

/** The applied migrations of _prisma_migrations (finished, not rolled back), as a comparable state. */
export function migrationState(
  rows: Pick<HistoryRow, 'migration_name' | 'finished_at' | 'rolled_back_at'>[],
): MigrationState {
  const applied = rows.filter((r) => r.finished_at && !r.rolled_back_at);
  const names = [...new Set(applied.map((r) => r.migration_name))].sort();
  const last = applied
    .slice()
    .sort((a, b) => new Date(a.finished_at!).getTime() - new Date(b.finished_at!).getTime())
    .at(-1);
  return {
    applied: names.length,
    last: last?.migration_name ?? null,
    digest: createHash('sha256').update(names.join('\n')).digest('hex'),
  };
}
