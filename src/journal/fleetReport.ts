// `report --fleet`: one Markdown summary of a fleet from each target's own journal (its last run:
// outcome, migrations applied, the failure) beside the ledger's state of that target.
import type { JournalLine } from './journal.js';

export interface FleetReportTarget {
  name: string;
  /** database@host */
  display: string;
  state: string;
  ledgerError?: string;
  /** The target's journal lines (empty: no journal found for it). */
  lines: JournalLine[];
}

interface LastRun {
  at: string;
  outcome: string;
  applied: number;
  durationMs?: number;
  failed?: string;
  error?: string;
}

const pipe = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The last run the journal records: its end (or its begin alone: the process died), and its failure. */
export function lastRun(lines: JournalLine[]): LastRun | undefined {
  const runs = lines.filter((l) => l.action === 'run');
  const last = runs[runs.length - 1];
  if (!last) return undefined;
  const result = (last.result ?? (last.phase === 'event' ? last.details : undefined)) as
    | { outcome?: string; applied?: string[]; failed?: string; durationMs?: number }
    | undefined;
  if (last.phase === 'begin') return { at: last.time, outcome: 'no end (the process stopped)', applied: 0 };
  const failedLine = result?.failed
    ? lines.filter((l) => l.action === 'migration' && (l.result as { name?: string })?.name === result.failed).pop()
    : undefined;
  const error = (failedLine?.result as { error?: { message?: string } } | undefined)?.error?.message;
  return {
    at: last.time,
    outcome: result?.outcome ?? 'unknown',
    applied: result?.applied?.length ?? 0,
    ...(result?.durationMs !== undefined ? { durationMs: result.durationMs } : {}),
    ...(result?.failed ? { failed: result.failed } : {}),
    ...(error ? { error } : {}),
  };
}

export function renderFleetReport(
  fleet: { id: string; ledger: string; counts: string },
  targets: FleetReportTarget[],
): string {
  const out = [`# Fleet ${fleet.id}`, '', `Ledger: ${fleet.ledger}. ${fleet.counts}.`, ''];
  out.push('| target | database | fleet state | last run | outcome | applied | failed migration | duration |');
  out.push('|---|---|---|---|---|---|---|---|');
  const failures: string[] = [];
  for (const t of targets) {
    const run = lastRun(t.lines);
    const secs = run?.durationMs !== undefined ? `${(run.durationMs / 1000).toFixed(1)} s` : '';
    out.push(
      `| ${pipe(t.name)} | ${pipe(t.display)} | ${t.state} | ${run ? run.at.replace('T', ' ').slice(0, 19) : t.lines.length ? 'none' : 'no journal'} | ${run?.outcome ?? ''} | ${run?.applied ?? ''} | ${run?.failed ?? ''} | ${secs} |`,
    );
    if (t.state === 'failed' || t.state === 'refused')
      failures.push(
        `- **${t.name}** (${t.state}): ${run?.error ? `${run.failed}: ${run.error}` : (t.ledgerError ?? 'no error recorded')}`,
      );
  }
  if (failures.length) out.push('', '## Failed and refused targets', '', ...failures);
  return `${out.join('\n')}\n`;
}
