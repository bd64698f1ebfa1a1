// What a run's question says before anything runs, the same on both front ends: per migration
// whether it runs in one transaction, the strongest lock it takes and on which table (with its
// size), what `plan` finds in it, the sessions that would block it right now; then the lock policy
// in the engine's words. Errors found by plan ask a second, explicit yes.
import type { PlannedMigration, PlanResult } from '../analysis/plan.js';
import type { Finding } from '../analysis/findings.js';
import type { Blocker } from '../analysis/blockers.js';
import { LOCK_ORDER, type LockMode } from '../analysis/locks.js';
import { describeLockPolicy, lockPolicy, type LockOptions } from '../engine/lockPolicy.js';
import { compactDuration, formatBytes } from '../format.js';
import type { WorkspaceMode } from './workspace.js';

export const MODE_WORDS = {
  live: 'LIVE database',
  demo: 'DEMO sandbox',
  rehearsal: 'REHEARSAL copy',
  plan: 'PLAN (dry run)',
} as const;

/** Migrations shown in full; the rest are counted (their errors are still listed). */
export const MAX_DETAILED = 8;

const oneLine = (text: string) =>
  text
    .replace(/\s+/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .trim();
const estimate = (e: { minMinutes: number; maxMinutes: number }) =>
  e.minMinutes === e.maxMinutes ? `${e.minMinutes}m` : `${e.minMinutes}-${e.maxMinutes}m`;

/** The strongest lock of a migration on a table that exists (a table it creates is empty and unseen). */
export function strongestLock(m: PlannedMigration): string {
  let best: { lock: string; relation: string; bytes: number | null; rows: number | null } | undefined;
  for (const s of m.statements) {
    const all = [
      ...(s.lock && s.relation
        ? [{ lock: s.lock, relation: s.relation, bytes: s.relationBytes, rows: s.estimatedRows }]
        : []),
      ...s.alsoLocks.map((o) => ({ lock: o.lock, relation: o.relation, bytes: null, rows: null })),
    ];
    for (const l of all)
      if (!best || LOCK_ORDER.indexOf(l.lock as LockMode) > LOCK_ORDER.indexOf(best.lock as LockMode)) best = l;
  }
  // a DO block's statements are not read: its locks are unknown, never "none"
  const block = m.statements.some((s) => s.kind === 'DoStmt') ? 'a DO block, whose locks are not known' : '';
  if (!best) return block ? `unknown: ${block}` : 'no table lock';
  const size =
    best.bytes !== null
      ? ` (${formatBytes(best.bytes)}${best.rows !== null ? `, ~${best.rows} rows` : ''})`
      : ' (new or empty)';
  return `${best.lock} on ${best.relation}${size}${block ? `, and ${block}` : ''}`;
}

export interface RunBriefingInput {
  display: string;
  mode: WorkspaceMode;
  chosen: { name: string; estimate?: { minMinutes: number; maxMinutes: number } }[];
  plan?: PlanResult;
  planError?: string;
  blockers: Map<string, Blocker[]>;
  lock: LockOptions;
  statementTimeoutMs?: number;
  /** What the front end offers against a blocker ("Locks pane, C or K"). */
  blockerHint: string;
}

export interface RunBriefing {
  lines: string[];
  /** plan's errors in the chosen migrations: what the second question is about. */
  errors: Finding[];
}

export function runBriefing(i: RunBriefingInput): RunBriefing {
  const names = new Set(i.chosen.map((m) => m.name));
  const findings = (i.plan?.findings ?? []).filter(
    (f) => names.has(f.migration) && f.severity !== 'info' && f.file !== 'down.sql',
  );
  const errors = findings.filter((f) => f.severity === 'error');
  const lines: string[] = [`Apply to ${i.display} (${MODE_WORDS[i.mode]}), in this order:`];
  for (const m of i.chosen.slice(0, MAX_DETAILED)) {
    const p = i.plan?.migrations.find((x) => x.name === m.name);
    lines.push(`  · ${m.name}${m.estimate ? `  (guide: ${estimate(m.estimate)})` : ''}`);
    if (p) {
      const outside = p.statements.find((s) => !s.transactional);
      lines.push(
        `      ${p.atomic ? 'in one transaction' : `NOT in one transaction (line ${outside?.line}: ${outside?.kind} cannot run in one): a failure leaves what ran before it`}; strongest lock ${strongestLock(p)}`,
      );
    }
    for (const f of findings.filter((x) => x.migration === m.name).slice(0, 4)) {
      lines.push(
        `      ${f.severity === 'error' ? '✗ error' : '! warning'}${f.statement ? ` line ${f.statement}` : ''}: ${oneLine(f.message)}`,
      );
    }
    for (const b of i.blockers.get(m.name) ?? []) {
      const h = b.holder;
      lines.push(
        `      ! blocked now by pid ${h.pid} (${h.application || 'no application name'}, ${h.state}${h.xactAgeMs !== null ? `, transaction open ${compactDuration(h.xactAgeMs)}` : ''}): holds ${b.held.replace(/Lock$/, '')} on ${b.relation}; ${i.blockerHint}`,
      );
    }
  }
  if (i.chosen.length > MAX_DETAILED) {
    lines.push(
      `  · and ${i.chosen.length - MAX_DETAILED} more (\`plan\` lists them all)${findings.length ? `; ${findings.length} finding(s) in all` : ''}`,
    );
    // Errors are listed wherever they are: they are what the second confirmation is about.
    const later = new Set(i.chosen.slice(MAX_DETAILED).map((m) => m.name));
    for (const f of errors.filter((x) => later.has(x.migration)).slice(0, 6))
      lines.push(`      ✗ error in ${f.migration}${f.statement ? ` line ${f.statement}` : ''}: ${oneLine(f.message)}`);
  }
  if (i.planError) lines.push(`! plan could not be read: ${i.planError}`);
  lines.push(describeLockPolicy(lockPolicy(i.lock)));
  if (i.statementTimeoutMs)
    lines.push(`A statement that runs longer than ${compactDuration(i.statementTimeoutMs)} is cancelled.`);
  return { lines, errors };
}

/** The second question, when plan finds errors in what is about to run. */
export function planErrorsQuestion(errors: Finding[]): { title: string; lines: string[]; verb: string } {
  return {
    title: `plan finds ${errors.length} error${errors.length === 1 ? '' : 's'}: run anyway?`,
    lines: [
      ...errors
        .slice(0, 6)
        .map(
          (f) =>
            `✗ ${f.migration}${f.statement ? ` line ${f.statement}` : ''}: ${oneLine(f.message)}${f.fix ? ` (fix: ${oneLine(f.fix)})` : ''}`,
        ),
      'A migration with an error finding is likely to fail or to harm the application. Run it only if you know why plan is wrong.',
    ],
    verb: 'run it despite the errors',
  };
}
