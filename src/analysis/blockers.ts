// The sessions that could block a migration: from the table-lock holders (the monitor's, or read
// once for a question), the ones that hold a lock on a table the migration locks, in a mode its
// lock would wait for. The console's Locks pane and run dialog and the CLI's run question use them.
import type { LocalMigration } from '../runbook/folder.js';
import type { TableLockHolder } from '../monitor/holders.js';
import { conflicts, tableKey } from '../monitor/holders.js';

/** The tables a migration locks, with the strongest mode it takes on each (from the statements' analysis). */
export type MigrationTables = Map<string, string>;

const cache = new Map<string, MigrationTables>();

/** Read once per script; a large script is read on a worker thread (offThread.ts), off the console's loop. */
export async function tablesOf(m: LocalMigration): Promise<MigrationTables> {
  const hit = cache.get(`${m.name}:${m.checksum}`);
  if (hit) return hit;
  const { OFF_THREAD_CHARS, tablesOffThread } = await import('./offThread.js');
  // A worker that cannot start (or dies) leaves the read to the main loop: slower, never missing.
  const out =
    m.sql.length > OFF_THREAD_CHARS ? await tablesOffThread(m).catch(() => readTables(m)) : await readTables(m);
  cache.set(`${m.name}:${m.checksum}`, out);
  return out;
}

export async function readTables(m: LocalMigration): Promise<MigrationTables> {
  const { splitStatements } = await import('../engine/split.js');
  const { lockOf, strongest } = await import('./locks.js');
  const out: MigrationTables = new Map();
  try {
    for (const s of await splitStatements(m.sql, `${m.name}/migration.sql`)) {
      const l = lockOf(s);
      const all = [
        ...(l.relation && l.lock && !l.creates ? [{ relation: l.relation, lock: l.lock }] : []),
        ...l.others,
      ];
      for (const { relation, lock } of all) {
        const k = tableKey(relation);
        out.set(k, strongest((out.get(k) ?? null) as never, lock) ?? lock);
      }
    }
  } catch {
    // a migration PostgreSQL's parser rejects locks nothing we can name; plan reports it
  }
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
    if (hit)
      out.push({ holder: h, relation: hit.relation, held: hit.mode, wanted: tables.get(tableKey(hit.relation))! });
  }
  return out.sort((a, b) => (b.holder.xactAgeMs ?? 0) - (a.holder.xactAgeMs ?? 0));
}
