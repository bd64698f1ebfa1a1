// The Locks pane's rows for the sessions that could block a migration (found by analysis/blockers.ts):
// shown before a run (nothing waits yet) and between a run's lock_timeout retries (the blocker stays
// on screen, so C or K always has its target).
import type { LockRow } from './state.js';
import type { Blocker } from '../operations/types.js';

export { blockersOf, tablesOf } from '../operations/consoleReads.js';
export type { Blocker, MigrationTables } from '../operations/types.js';

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
