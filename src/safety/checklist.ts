// The guide's Pre-Migration Checklist: every item, with evidence where a machine can answer it and
// a person's confirmation (read back from the journal) where it cannot. The console calls
// runChecklist for its pane; `check` prints the same items.
import path from 'node:path';
import type { Target } from '../postgres/target.js';
import type { ChecklistGroup, ChecklistItemSpec, RunbookManifest } from '../runbook/manifest.js';
import { runnable } from '../runbook/status.js';
import { readJournalFile } from '../journal/read.js';
import type { JournalLine } from '../journal/journal.js';
import { gatherEvidence, type Evidence } from './evidence.js';
import { evaluators, type Verdict } from './checklistItems.js';
import type { DiscoveredSchema } from '../tools/prisma.js';
import { evaluateByAction, provingAction } from './actionItems.js';
import { journalEvaluators } from './journalItems.js';
import { backupEvaluators } from './backupItems.js';

export type ChecklistStatus = 'pass' | 'warn' | 'fail' | 'manual';

export interface ChecklistItemResult {
  id: string;
  group: ChecklistGroup;
  title: string;
  status: ChecklistStatus;
  evidence: string;
  /** auto: answered by the machine; manual: needs a person. */
  kind: 'auto' | 'manual';
  guideCommand?: string;
  /** The runbook action that does (and proves) this item: the console runs it on a key. */
  action?: string;
  confirmedBy?: string;
  confirmedAt?: string;
}

export interface ChecklistInputs {
  target: Target;
  /** The Prisma migrations folder, for pending/failed migrations. */
  migrationsDir?: string;
  /** The runbook manifest; without one only the items a machine answers are listed. */
  manifest?: RunbookManifest;
  backupDir: string;
  /** The target's journal file, where confirmations are recorded. */
  journalFile?: string;
  now?: Date;
  /** The discovered Prisma schema of the folder, for the cross-check. */
  prismaSchema?: DiscoveredSchema;
  /** Also ask Prisma's own CLI (when the project has one); the console may turn this off. */
  prismaCrossCheck?: boolean;
}

/** A confirmation counts for one maintenance window, not forever. */
export const CONFIRMATION_VALID_HOURS = 24;
export const CONFIRM_ACTION = 'checklist.confirm';

/** Not in the guide, but what a run needs first: a runbook's checklist gets it after the connection item. */
const PRIVILEGES_ITEM: ChecklistItemSpec = {
  id: 'env.privileges',
  group: 'environment',
  title: 'Verify the role can migrate (create, write the history, own the changed tables)',
  check: 'auto',
  details: [],
};

/** The items a machine can answer, for a plain Prisma folder that has no runbook manifest. */
export const BUILTIN_ITEMS: ChecklistItemSpec[] = [
  { id: 'env.connection', group: 'environment', title: 'Verify database connection', check: 'auto', details: [] },
  {
    id: 'env.migration-status',
    group: 'environment',
    title: 'Check current migration status',
    check: 'auto',
    details: [],
  },
  PRIVILEGES_ITEM,
  {
    id: 'env.disk-space',
    group: 'environment',
    title: 'Verify disk space (minimum 20% free space recommended)',
    check: 'auto',
    details: [],
  },
  { id: 'env.database-size', group: 'environment', title: 'Check database size', check: 'auto', details: [] },
  { id: 'backup.create', group: 'backup', title: 'Create full database backup', check: 'auto', details: [] },
  { id: 'backup.verify', group: 'backup', title: 'Verify backup integrity', check: 'auto', details: [] },
  {
    id: 'window.maintenance-mode',
    group: 'window',
    title: 'Put application in maintenance mode',
    check: 'auto',
    details: [],
  },
  { id: 'window.background-jobs', group: 'window', title: 'Stop background jobs', check: 'auto', details: [] },
];

export function checklistSpec(manifest?: RunbookManifest): ChecklistItemSpec[] {
  if (!manifest?.checklist) return BUILTIN_ITEMS;
  if (manifest.checklist.some((i) => i.id === PRIVILEGES_ITEM.id)) return manifest.checklist;
  const at = manifest.checklist.findIndex((i) => i.id === 'env.connection') + 1;
  return [...manifest.checklist.slice(0, at), PRIVILEGES_ITEM, ...manifest.checklist.slice(at)];
}

export interface Confirmation {
  who: string;
  at: string;
}

/** The latest confirmation of each item, from the journal's checklist.confirm events. */
export function confirmationsFrom(
  journalFile: string | undefined | JournalLine[],
  now = new Date(),
): Map<string, Confirmation & { expired: boolean }> {
  const out = new Map<string, Confirmation & { expired: boolean }>();
  if (!journalFile) return out;
  for (const line of typeof journalFile === 'string'
    ? readJournalFile(journalFile, { statements: 'none' }).lines
    : journalFile) {
    if (line.action !== CONFIRM_ACTION) continue;
    const id = (line.details as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string') continue;
    const expired = now.getTime() - Date.parse(line.time) > CONFIRMATION_VALID_HOURS * 3_600_000;
    out.set(id, { who: line.who, at: line.time, expired });
  }
  return out;
}

export async function runChecklist(inputs: ChecklistInputs): Promise<ChecklistItemResult[]> {
  const now = inputs.now ?? new Date();
  const journal = inputs.journalFile ? readJournalFile(inputs.journalFile, { statements: 'none' }).lines : [];
  const ev: Evidence = await gatherEvidence(inputs.target, {
    migrationsDir: inputs.migrationsDir,
    backupDir: path.resolve(inputs.backupDir),
    journal,
  });
  const pendingNames = new Set(ev.states ? runnable(ev.states).map((s) => s.name) : []);
  const env = {
    journal,
    ev,
    target: inputs.target,
    manifest: inputs.manifest,
    backupDir: inputs.backupDir,
    now,
    pending: inputs.manifest?.migrations.filter((m) => pendingNames.has(m.name)) ?? [],
    minFreeDiskPercent: inputs.manifest?.thresholds.minFreeDiskPercent ?? 20,
    migrationsDir: inputs.prismaCrossCheck === false ? undefined : inputs.migrationsDir,
    folderDir: inputs.migrationsDir,
    prismaSchema: inputs.prismaSchema,
  };
  const confirmations = confirmationsFrom(journal, now);
  const actions = inputs.manifest?.actions ?? [];
  const results: ChecklistItemResult[] = [];
  for (const spec of checklistSpec(inputs.manifest)) {
    const evaluate =
      spec.check === 'auto'
        ? (evaluators[spec.id] ?? backupEvaluators[spec.id] ?? journalEvaluators[spec.id])
        : undefined;
    const action = provingAction(spec, actions);
    let verdict: Verdict;
    if (action) {
      verdict = evaluateByAction(spec, action, env);
      // The runbook's patterns name the known applications; the general evaluator still sees any other one left open.
      const general = evaluate && action.check ? await evaluate(env) : undefined;
      if (general && RANK[general.status] > RANK[verdict.status])
        verdict = { status: general.status, evidence: `${verdict.evidence}; ${general.evidence}` };
    } else if (evaluate) verdict = await evaluate(env);
    else if (spec.check === 'auto')
      verdict = { status: 'manual', evidence: 'no automatic check is known for this item: confirm it by hand' };
    else
      verdict = {
        status: 'manual',
        evidence: spec.details.length ? spec.details.join('; ') : 'to be confirmed by a person',
      };
    const item: ChecklistItemResult = {
      id: spec.id,
      group: spec.group,
      title: spec.title,
      status: verdict.status,
      evidence: verdict.evidence,
      kind: spec.check,
      ...(spec.guideCommand ? { guideCommand: spec.guideCommand } : {}),
      ...(action ? { action: action.name } : {}),
    };
    // A confirmation answers only what the machine could not: evidence always wins over a person's word.
    const c = confirmations.get(spec.id);
    if (c && item.status === 'manual') {
      if (c.expired) {
        item.evidence = `last confirmed by ${c.who} at ${c.at}, more than ${CONFIRMATION_VALID_HOURS} h ago: confirm it again. ${item.evidence}`;
      } else {
        item.status = 'pass';
        item.confirmedBy = c.who;
        item.confirmedAt = c.at;
        item.evidence = `confirmed by ${c.who} at ${c.at}`;
      }
    }
    results.push(item);
  }
  return results;
}

const RANK: Record<ChecklistStatus, number> = { pass: 0, manual: 1, warn: 2, fail: 3 };

export function summarize(items: ChecklistItemResult[]): Record<ChecklistStatus, number> {
  const s: Record<ChecklistStatus, number> = { pass: 0, warn: 0, fail: 0, manual: 0 };
  for (const i of items) s[i.status]++;
  return s;
}
