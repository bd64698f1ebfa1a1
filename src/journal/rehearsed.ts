// What the latest `rehearse --with-data` measured per migration, from the journal: on a copy with
// the target's rows its durations predict the run's (a schema-only copy's do not: its tables are empty).
import type { JournalContents } from './read.js';

export interface RehearsedDuration {
  durationMs: number;
  /** Per statement, in order; null for one the rehearsal did not reach. Absent in older journals. */
  statementMs?: (number | null)[];
}

type Obj = Record<string, any>;

export function rehearsedDurations(contents: JournalContents): Map<string, RehearsedDuration> {
  const withData = new Set<string>();
  const out = new Map<string, RehearsedDuration>();
  for (const l of contents.lines) {
    if (l.action !== 'rehearse') continue;
    if (l.phase === 'begin' && (l.details as Obj)?.withData === true) withData.add(l.id);
    if (l.phase !== 'end' || !withData.has(l.id)) continue;
    const migrations = (l.result as Obj)?.migrations;
    if (!Array.isArray(migrations)) continue;
    // later lines are later rehearsals: their measure wins
    for (const m of migrations as Obj[]) {
      if (m?.outcome !== 'applied' || typeof m.name !== 'string' || typeof m.durationMs !== 'number') continue;
      const statementMs = Array.isArray(m.statementMs)
        ? (m.statementMs as unknown[]).map((x) => (typeof x === 'number' ? x : null))
        : undefined;
      out.set(m.name, { durationMs: m.durationMs, ...(statementMs ? { statementMs } : {}) });
    }
  }
  return out;
}
