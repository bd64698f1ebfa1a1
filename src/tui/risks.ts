// The sessions that could block a migration: from the monitor's table-lock holders, the ones that
// hold a lock on a table the migration locks, in a mode its lock would wait for. Shown in the Locks
// pane before a run (nothing waits yet) and between a run's lock_timeout retries (the blocker stays
// on screen, so C or K always has its target), and in the run dialog.
import type { LocalMigration } from '../runbook/folder.js';
import type { TableLockHolder } from '../monitor/holders.js';
import { conflicts, tableKey } from '../monitor/holders.js';
import type { LockRow } from './state.js';

/** The tables a migration locks, with the strongest mode it takes on each (from the statements' analysis). */
export type MigrationTables = Map<string, string>;

const cache = new Map<string, MigrationTables>();

export async function tablesOf(m: LocalMigration): Promise<MigrationTables> {
  const hit = cache.get(`${m.name}:${m.checksum}`);
  if (hit) return hit;
  const { splitStatements } = await import('../engine/split.js');
  const { lockOf, strongest } = await import('../analysis/locks.js');
  const out: MigrationTables = new Map();
  try {
    for (const s of await splitStatements(m.sql, `${m.name}/migration.sql`)) {
      const l = lockOf(s);
      const all = [...(l.relation && l.lock && !l.creates ? [{ relation: l.relation, lock: l.lock }] : []), ...l.others];
      for (const { relation, lock } of all) {
        const k = tableKey(relation);
        out.set(k, strongest((out.get(k) ?? null) as never, lock) ?? lock);
      }
    }
  } catch {
    // a migration PostgreSQL's parser rejects locks nothing we can name; plan reports it
  }
  cache.set(`${m.name}:${m.checksum}`, out);
  return out;
}

export interface Blocker {
  holder: TableLockHolder;
  relation: string;
  held: string;
  wanted: string;
}

/** The holders whose locks the migration's locks would wait for, oldest transaction first. */
export function blockersOf(holders: TableLockHolder[], tables: MigrationTables, ownPids: Set<number>): Blocker[] {
  const out: Blocker[] = [];
  for (const h of holders) {
    if (ownPids.has(h.pid) || h.application.startsWith('citadel-migrate')) continue;
    const hit = h.locks.find((l) => {
      const wanted = tables.get(tableKey(l.relation));
      return wanted !== undefined && conflicts(l.mode, wanted);
    });
    if (hit) out.push({ holder: h, relation: hit.relation, held: hit.mode, wanted: tables.get(tableKey(hit.relation))! });
  }
  return out.sort((a, b) => (b.holder.xactAgeMs ?? 0) - (a.holder.xactAgeMs ?? 0));
}

/** Locks pane rows for the blockers of a migration. */
export function riskRows(blockers: Blocker[], migration: string): LockRow[] {
  return blockers.map(({ holder: h, relation, held }) => ({
    kind: 'risk' as const,
    pid: h.pid,
    depth: 0,
    user: h.user,
    application: h.application,
    state: h.state,
    mode: held,
    relation,
    xactAgeMs: h.xactAgeMs ?? undefined,
    query: h.query,
    blockingPids: [],
    holds: `${held.replace(/Lock$/, '')} on ${relation}`,
    blocks: migration,
  }));
}
