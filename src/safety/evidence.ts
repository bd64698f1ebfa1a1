// What the machine can find out for the checklist, gathered once: the server, the migrations'
// states, the disk under the data directory, the latest backup and the applications still connected.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import type { Target } from '../postgres/target.js';
import { withDb } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { readHistory } from '../runbook/history.js';
import { migrationStates, type MigrationStatus } from '../runbook/status.js';
import { readMigrationsFolder } from '../runbook/folder.js';
import { describeFailure } from '../errors.js';
import { redactError } from '../postgres/secrets.js';
import { findBackups, type BackupsFound } from './journalBackups.js';
import type { JournalLine } from '../journal/journal.js';
import type { HistoryRow } from '../runbook/history.js';
import { freeSpace } from '../monitor/disk.js';
import { readLiveWork, markRunning } from '../monitor/liveRun.js';

export interface ServerFacts {
  version: string;
  version_num: number;
  server_version: string;
  database_bytes: number;
  data_directory: string | null;
  is_superuser: boolean;
}

export interface AppConnection {
  application: string;
  connections: number;
  active: number;
}

export type DiskFree =
  | { known: true; dataDirectory: string; freeBytes: number; totalBytes: number; freePercent: number }
  | { known: false; reason: string; command: string };

export interface Evidence {
  connectError?: string;
  facts?: ServerFacts;
  applications: AppConnection[];
  states?: MigrationStatus[];
  statesError?: string;
  disk?: DiskFree;
  /** The backups the journal recorded, found at their paths with their sha256. */
  backups: BackupsFound;
  /** The target's _prisma_migrations rows (empty without the table). */
  history?: HistoryRow[];
}

/** Loopback, a Unix socket, or an address of one of this machine's interfaces. */
export function isLocalHost(host: string): boolean {
  if (host.startsWith('/') || host === 'localhost' || host === '::1' || /^127\./.test(host)) return true;
  const mine = Object.values(os.networkInterfaces())
    .flat()
    .map((i) => i?.address);
  return mine.includes(host) || host === os.hostname();
}

/**
 * Free space where the server keeps its data. Known only when the server runs on this host and its
 * data directory is visible here; otherwise unknown, with the command to run on the database host.
 */
export async function diskFree(target: Target, dataDirectory: string | null): Promise<DiskFree> {
  const remoteCommand = `df -h "$(psql -Atc 'SHOW data_directory')"`;
  if (!dataDirectory) {
    return {
      known: false,
      reason: `the role ${target.user} may not read data_directory (needs superuser or pg_read_all_settings)`,
      command: `${remoteCommand} (on the database host)`,
    };
  }
  const command = `df -h ${dataDirectory} (on the database host)`;
  if (!isLocalHost(target.host)) return { known: false, reason: `the server ${target.host} is not this host`, command };
  try {
    return { known: true, dataDirectory, ...freeSpace(await fs.statfs(dataDirectory)) };
  } catch {
    return { known: false, reason: `the data directory ${dataDirectory} is not visible from this machine`, command };
  }
}

export async function gatherEvidence(
  target: Target,
  opts: { migrationsDir?: string; backupDir: string; journal: JournalLine[] },
): Promise<Evidence> {
  const ev: Evidence = { applications: [], backups: await findBackups(opts.journal, target.database, opts.backupDir) };
  try {
    await withDb(
      target,
      async (db) => {
        ev.facts = (await db.query<ServerFacts>(sqlFile('server_facts'))).rows[0];
        ev.applications = (await db.query<AppConnection>(sqlFile('application_connections'))).rows;
        ev.history = await readHistory(db).catch(() => undefined);
        if (opts.migrationsDir) {
          try {
            const folder = await readMigrationsFolder(opts.migrationsDir);
            // A migration another terminal runs now is running, not failed.
            ev.states = markRunning(
              migrationStates(folder.migrations, ev.history ?? (await readHistory(db))),
              await readLiveWork(db),
            );
          } catch (err) {
            ev.statesError = redactError(describeFailure(err).message);
          }
        }
      },
      { applicationName: 'citadel-migrate check' },
    );
  } catch (err) {
    ev.connectError = redactError(describeFailure(err).message);
    return ev;
  }
  ev.disk = await diskFree(target, ev.facts?.data_directory ?? null);
  return ev;
}
