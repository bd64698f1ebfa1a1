// Backup files and their sidecars: <database>_<YYYYmmdd_HHMMSS>.dump beside <file>.json, which keeps
// what was checked when the backup was made (sha256, size, the restore comparison and the counts),
// so that `check` can report the latest backup and `backup --restore` can refuse a changed file.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { RestoreCheck, RowCounts } from './rowCounts.js';

export interface BackupSidecar {
  file: string;
  database: string;
  server: string;
  serverVersion: string;
  createdAt: string;
  createdBy: string;
  bytes: number;
  sha256: string;
  verified: boolean;
  durationMs: number;
  /** Why it is not verified, when it is not. */
  verifyError?: string;
  comparison: RestoreCheck | null;
  /** Exact row counts of the source at the dump's snapshot. */
  counts: RowCounts;
  snapshotConsistent: boolean;
}

export const sidecarPath = (file: string) => `${file}.json`;

const pad = (n: number) => String(n).padStart(2, '0');

/** 20251204_120000, local time: what the guide's `date +%Y%m%d_%H%M%S` gives. */
export function stamp(d = new Date()): string {
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}_${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

/** <database>_<stamp>.dump; a second backup within the same second gets _2, _3, ... */
export function backupFileName(database: string, d = new Date(), attempt = 1): string {
  return `${database.replace(/[^A-Za-z0-9._-]+/g, '_')}_${stamp(d)}${attempt > 1 ? `_${attempt}` : ''}.dump`;
}

/** Orders backup names by time, then by their same-second counter. */
function backupOrder(name: string): [string, number] {
  const m = /_(\d{8}_\d{6})(?:_(\d+))?\.dump$/.exec(name);
  return [m?.[1] ?? '', Number(m?.[2] ?? 1)];
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function writeSidecar(file: string, sidecar: BackupSidecar): Promise<void> {
  const p = sidecarPath(file);
  await fs.writeFile(p, JSON.stringify(sidecar, null, 2) + '\n', { mode: 0o600 });
  await fs.chmod(p, 0o600);
}

export async function readSidecar(file: string): Promise<BackupSidecar | undefined> {
  try {
    return JSON.parse(await fs.readFile(sidecarPath(file), 'utf8')) as BackupSidecar;
  } catch {
    return undefined;
  }
}

export interface LatestBackup {
  file: string;
  bytes: number;
  modifiedAt: Date;
  sidecar?: BackupSidecar;
}

/** The newest <database>_*.dump in dir, by the time in its name (then mtime). */
export async function latestBackup(dir: string, database: string): Promise<LatestBackup | undefined> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return undefined;
  }
  const prefix = `${database.replace(/[^A-Za-z0-9._-]+/g, '_')}_`;
  const dumps = names
    .filter((n) => n.startsWith(prefix) && /_\d{8}_\d{6}(_\d+)?\.dump$/.test(n))
    .sort((a, b) => {
      const [ta, na] = backupOrder(a);
      const [tb, nb] = backupOrder(b);
      return ta < tb ? -1 : ta > tb ? 1 : na - nb;
    });
  const name = dumps.pop();
  if (!name) return undefined;
  const file = path.join(dir, name);
  const st = await fs.stat(file);
  return { file, bytes: st.size, modifiedAt: st.mtime, sidecar: await readSidecar(file) };
}
