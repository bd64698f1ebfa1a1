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

/** What the latest `rehearse --rewrite --with-data` measured per step of each safe form (by its fingerprint). */
export function rehearsedSteps(contents: JournalContents): Map<string, { form: string; stepMs: number[] }> {
  const withData = new Set<string>();
  const out = new Map<string, { form: string; stepMs: number[] }>();
  for (const l of contents.lines) {
    if (l.action !== 'rehearse') continue;
    const d = l.details as Obj;
    if (l.phase === 'begin' && d?.withData === true && d?.rewrite === true) withData.add(l.id);
    if (l.phase !== 'end' || !withData.has(l.id)) continue;
    for (const m of ((l.result as Obj)?.migrations ?? []) as Obj[]) {
      if (m?.outcome !== 'applied' || typeof m.form !== 'string' || !Array.isArray(m.stepMs)) continue;
      if (!(m.stepMs as unknown[]).every((x) => typeof x === 'number')) continue;
      out.set(m.name, { form: m.form, stepMs: m.stepMs as number[] });
    }
  }
  return out;
}
