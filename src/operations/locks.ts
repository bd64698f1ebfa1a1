// `locks`: who waits for a lock and who blocks them, read once or watched. Read-only: the monitor's
// session has short lock and statement timeouts, so that looking at a lock queue never joins it.
import { sqlFile } from '../postgres/sqlFiles.js';
import { MonitorConnection, refreshFailure } from '../monitor/connection.js';
import { blockers, lockGraph, lockWaits, type LockGraph } from '../monitor/locks.js';
import { ANSI, PLAIN, renderLockTree } from '../monitor/text.js';
import {
  readReplicationHealth,
  replicationDocument,
  replicationLines,
  WalRate,
  type ReplicationHealth,
} from '../monitor/replication.js';
import { readReplicationStatus } from './replicationStatus.js';
import type { Prepared } from './confirm.js';
import type { Workspace } from './workspace.js';

/** The tree's words and the sentence for a failed refresh: the same on the CLI and the console. */
export { ANSI, PLAIN, blockers, lockWaits, refreshFailure, renderLockTree, type LockGraph };
export { replicationDocument, replicationLines, type ReplicationHealth };

export interface LocksPlan {
  /** How often a watch reads the queue: a read may take at most half of it (0.5 to 5 s). */
  refreshMs: number;
}

/** An open monitor session on the target: each read is one look at the lock queue. */
export interface LockWatch {
  read(): Promise<LockGraph>;
  /**
   * The standbys, slots and WAL. 'once': the WAL rate sampled over a quarter second; 'watch': the
   * rate between this reading and the previous one.
   */
  replication(how: 'once' | 'watch'): Promise<ReplicationHealth>;
  close(): Promise<void>;
}

export function prepareLocks(_ws: Workspace, input: { refreshMs: number }): Prepared<LocksPlan> {
  return { plan: { refreshMs: input.refreshMs }, question: null };
}

/** Opens the session (lazily, on the first read): a wrong URL or password is said by that read. */
export function executeLocks(ws: Workspace, plan: LocksPlan): LockWatch {
  const conn = new MonitorConnection(ws.target(), {
    applicationName: 'citadel-migrate locks',
    lockTimeoutMs: 200,
    statementTimeoutMs: Math.min(5000, Math.max(500, plan.refreshMs / 2)),
    connectTimeoutMs: 10_000,
  });
  const walRate = new WalRate();
  return {
    read: async () => lockGraph((await conn.query(sqlFile('lock_waits'))).rows),
    replication: async (how) =>
      how === 'once' ? (await readReplicationStatus(conn)).health : readReplicationHealth(conn, walRate),
    close: () => conn.close(),
  };
}
