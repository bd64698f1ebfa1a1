import os from 'node:os';
import type { JournalLine } from '../journal/journal.js';
import type { MigrationStatus } from '../runbook/status.js';
import { describeLeftBackend, type Leftovers } from '../engine/leftovers.js';

export interface OpenAttempt {
  name: string;
  at: string;
  pid: number;
  host: string;
  atomic?: boolean;
  /** The process that began it is still alive on this host: a run in progress, not a crash. */
  running: boolean;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Migrations whose journal has a begin without an end: the process that ran them died (kill -9,
 * power loss, a closed SSH session without --on-hangup finish). Only the latest attempt per name counts.
 */
export function openAttempts(lines: JournalLine[]): Map<string, OpenAttempt> {
  const byId = new Map<string, OpenAttempt>();
  const latest = new Map<string, string>();
  for (const l of lines) {
    if (l.action !== 'migration') continue;
    const d = (l.phase === 'begin' ? l.details : l.result) as { name?: string; atomic?: boolean } | undefined;
    if (l.phase === 'begin' && d?.name) {
      const here = l.host === os.hostname();
      byId.set(l.id, {
        name: d.name,
        at: l.time,
        pid: l.pid,
        host: l.host,
        atomic: d.atomic,
        running: here && l.pid !== process.pid && alive(l.pid),
      });
      latest.set(d.name, l.id);
    } else if (l.phase === 'end') byId.delete(l.id);
  }
  const out = new Map<string, OpenAttempt>();
  for (const [name, id] of latest) {
    const a = byId.get(id);
    if (a) out.set(name, a);
  }
  return out;
}

/** The pids of runs on this host whose attempts never ended and whose process is gone. */
export function deadRunPids(lines: JournalLine[]): number[] {
  return [
    ...new Set(
      [...openAttempts(lines).values()].filter((a) => !a.running && a.host === os.hostname()).map((a) => a.pid),
    ),
  ];
}

/** The last attempt at each migration that ended in failure, from the journal: when, and why. */
function lastFailures(lines: JournalLine[]): Map<string, { at: string; message: string }> {
  const out = new Map<string, { at: string; message: string }>();
  for (const l of lines) {
    if (l.action !== 'migration' || l.phase !== 'end') continue;
    const r = l.result as { name?: string; outcome?: string; error?: { message?: string } } | undefined;
    if (!r?.name) continue;
    if (r.outcome === 'failed' && r.error?.message) out.set(r.name, { at: l.time, message: r.error.message });
    else out.delete(r.name);
  }
  return out;
}

/**
 * Adds to each state what the journal knows about an attempt that never finished, or that failed
 * and left the migration pending, and what the server still runs for a run that died (`leftovers`).
 */
export function explainInterrupted(
  states: MigrationStatus[],
  lines: JournalLine[],
  leftovers?: Leftovers,
): MigrationStatus[] {
  const open = openAttempts(lines);
  const failures = lastFailures(lines);
  return states.map((s) => {
    const a = open.get(s.name);
    if (!a) {
      const f = failures.get(s.name);
      if (f && (s.state === 'pending' || s.state === 'rolled-back') && !s.note)
        return { ...s, note: `last attempt ${f.at.replace('T', ' ').slice(0, 16)} UTC: ${f.message}` };
      return s;
    }
    const when = a.at.replace('T', ' ').slice(0, 19);
    if (a.running) return { ...s, note: `running now: started ${when} UTC by pid ${a.pid} on ${a.host}` };
    const live = leftovers?.backends.get(a.pid);
    if (live && live.state !== 'idle')
      return { ...s, note: `interrupted at ${when} UTC: ${describeLeftBackend(live, a.atomic)}` };
    if (s.state === 'pending' || s.state === 'rolled-back') {
      return {
        ...s,
        note: `interrupted: a run began it at ${when} UTC (pid ${a.pid} on ${a.host}) and died; nothing of it remains, and the next run applies it`,
      };
    }
    if (s.state === 'failed') {
      return {
        ...s,
        note: `interrupted: a run began it at ${when} UTC (pid ${a.pid} on ${a.host}) and died part-way; what it committed remains (not atomic): inspect, then \`rollback ${s.name} --run-down\` or \`skip ${s.name}\``,
      };
    }
    if (s.state === 'applied') {
      return {
        ...s,
        note: `applied; the run that applied it died before it could journal the result (at ${when} UTC)`,
      };
    }
    return s;
  });
}
