// What the journal already proves, for the checklist and the post-migration tasks: where a backup
// was copied and with which sha256, when an action last ran and what its check saw, when the last
// run started. Begin and end lines of one action share an id; they are read back as pairs.
import type { JournalLine } from '../journal/journal.js';

export interface JournalledAction<D = Record<string, unknown>, R = Record<string, unknown>> {
  id: string;
  at: string;
  who: string;
  details: D;
  /** Absent when the action never ended (a killed process). */
  result?: R;
  endedAt?: string;
}

export function journalled<D = Record<string, unknown>, R = Record<string, unknown>>(
  lines: JournalLine[],
  action: string,
): JournalledAction<D, R>[] {
  const out = new Map<string, JournalledAction<D, R>>();
  for (const l of lines) {
    if (l.action !== action) continue;
    if (l.phase === 'begin' || l.phase === 'event')
      out.set(l.id, {
        id: l.id,
        at: l.time,
        who: l.who,
        details: (l.details ?? {}) as D,
        ...(l.phase === 'event' ? { result: (l.details ?? {}) as R, endedAt: l.time } : {}),
      });
    else {
      const b = out.get(l.id);
      if (b) {
        b.result = (l.result ?? {}) as R;
        b.endedAt = l.time;
      }
    }
  }
  return [...out.values()];
}

export const BACKUP_COPY = 'backup.copy';

export interface CopyRecord {
  location: string;
  sha256: string;
  bytes: number;
  at: string;
  who: string;
  file: string;
}

/** Copies that were read back and matched, newest last. */
export function verifiedCopies(lines: JournalLine[]): CopyRecord[] {
  return journalled<{ file?: string }, { ok?: boolean; location?: string; sha256?: string; bytes?: number }>(
    lines,
    BACKUP_COPY,
  )
    .filter((c) => c.result?.ok && c.result.location && c.result.sha256)
    .map((c) => ({
      location: c.result!.location!,
      sha256: c.result!.sha256!,
      bytes: c.result!.bytes ?? 0,
      at: c.endedAt!,
      who: c.who,
      file: c.details.file ?? '',
    }));
}

/** The sha256 the journal recorded for the copy at LOCATION, if this journal made it. */
export function journalledCopySha(lines: JournalLine[], location: string): string | undefined {
  return verifiedCopies(lines)
    .filter((c) => c.location === location)
    .at(-1)?.sha256;
}

/** The start time of the newest run on this target, if any. */
export function lastRunStart(lines: JournalLine[]): string | undefined {
  return journalled(lines, 'run').at(-1)?.at;
}

export interface ActionRecord {
  name: string;
  at: string;
  who: string;
  outcome: string;
  check?: { label: string; before: number; after: number; ok: boolean; evidence: string };
}

/** The newest finished run of each action. */
export function lastActions(lines: JournalLine[]): Map<string, ActionRecord> {
  const out = new Map<string, ActionRecord>();
  for (const a of journalled<{ name?: string }, { outcome?: string; check?: ActionRecord['check'] }>(lines, 'action')) {
    if (!a.result || !a.details.name) continue;
    out.set(a.details.name, {
      name: a.details.name,
      at: a.endedAt!,
      who: a.who,
      outcome: a.result.outcome ?? 'unknown',
      ...(a.result.check ? { check: a.result.check } : {}),
    });
  }
  return out;
}
