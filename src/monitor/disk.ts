import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Target } from '../postgres/target.js';

/** What the server told us about itself (sql/monitor_server_facts.sql). */
export interface ServerFacts {
  versionNum: number;
  version: string;
  maxConnections: number;
  port: number;
  dataDirectory: string | null;
  postmasterStartEpoch: number;
  mayListWal: boolean;
  pid: number;
}

export function serverFactsFromRow(r: Record<string, any>): ServerFacts {
  return {
    versionNum: Number(r.version_num),
    version: String(r.version),
    maxConnections: Number(r.max_connections),
    port: Number(r.port),
    dataDirectory: r.data_directory ?? null,
    postmasterStartEpoch: Number(r.postmaster_start_epoch),
    mayListWal: Boolean(r.may_list_wal),
    pid: Number(r.pid),
  };
}

export type DiskGauge =
  | {
      known: true;
      path: string;
      totalBytes: number;
      freeBytes: number;
      usedPercent: number;
      freePercent: number;
      evidence: string;
    }
  | { known: false; reason: string };

/** Where the data directory is, once we have proof that the server runs on this machine. */
export type Locality = { local: true; dataDirectory: string; evidence: string } | { local: false; reason: string };

/**
 * Is the server's data directory on this machine? Never guessed: a loopback address may be an SSH
 * tunnel to another host that happens to have the same path. Proof is the data directory's
 * postmaster.pid naming the same port and start time as the server we talk to, or, when that file
 * is not readable, a Unix socket connection (which cannot leave the machine) and the directory
 * existing here.
 */
export async function serverLocality(target: Target, facts: ServerFacts): Promise<Locality> {
  const dir = facts.dataDirectory;
  if (!dir)
    return { local: false, reason: 'the role may not see data_directory (needs superuser or pg_read_all_settings)' };
  let stat: Awaited<ReturnType<typeof fs.stat>>;
  try {
    stat = await fs.stat(dir);
  } catch {
    return { local: false, reason: `the server's data directory ${dir} is not on this machine` };
  }
  if (!stat.isDirectory()) return { local: false, reason: `${dir} on this machine is not the server's data directory` };
  try {
    const lines = (await fs.readFile(path.join(dir, 'postmaster.pid'), 'utf8')).split('\n');
    const started = Number(lines[2]);
    const port = Number(lines[3]);
    if (port === facts.port && Math.abs(started - facts.postmasterStartEpoch) <= 2) {
      return { local: true, dataDirectory: dir, evidence: 'postmaster.pid matches the server (port and start time)' };
    }
    return { local: false, reason: `${dir}/postmaster.pid here belongs to another server than the one connected to` };
  } catch {
    if (target.host.startsWith('/'))
      return {
        local: true,
        dataDirectory: dir,
        evidence: 'connected through a Unix socket, and the data directory exists here',
      };
    return { local: false, reason: `cannot read ${dir}/postmaster.pid to prove the server is this machine's` };
  }
}

/**
 * Free space as df reports it, which is what the guide's "df -h, 20% free" means: bavail is what an
 * unprivileged process (the server) can still allocate, root's reserve excluded, and the percentage
 * is over what is used plus what the server may still use. The checklist and the gauge share it.
 */
export function freeSpace(s: { blocks: number; bfree: number; bavail: number; bsize: number }): {
  totalBytes: number;
  freeBytes: number;
  freePercent: number;
} {
  const freeBytes = s.bavail * s.bsize;
  const usable = (s.blocks - s.bfree + s.bavail) * s.bsize;
  return { totalBytes: s.blocks * s.bsize, freeBytes, freePercent: usable > 0 ? (100 * freeBytes) / usable : 0 };
}

/** Free space of the filesystem holding the data directory (what the server itself can use). */
export async function diskGauge(locality: Locality | undefined): Promise<DiskGauge> {
  if (!locality) return { known: false, reason: 'not connected yet' };
  if (!locality.local) return { known: false, reason: locality.reason };
  try {
    const { totalBytes, freeBytes, freePercent } = freeSpace(await fs.statfs(locality.dataDirectory));
    return {
      known: true,
      path: locality.dataDirectory,
      totalBytes,
      freeBytes,
      freePercent: round1(freePercent),
      usedPercent: round1(100 - freePercent),
      evidence: locality.evidence,
    };
  } catch (err) {
    return {
      known: false,
      reason: `cannot read the free space of ${locality.dataDirectory}: ${(err as Error).message}`,
    };
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10;
