import {
  runChecklist,
  summarize,
  checklistSpec,
  CONFIRM_ACTION,
  type ChecklistItemResult,
} from '../safety/checklist.js';
import { checklistInputs, contextManifest } from '../safety/runbook.js';
import { UserError } from '../errors.js';
import { DEFAULTS } from '../defaults.js';
import { CHECKLIST_GROUPS } from '../runbook/manifest.js';
import { stopReading } from './stopDeadline.js';
import type { Workspace } from './workspace.js';
import type { Prepared } from './confirm.js';

/** The checklist's groups in the guide's order, and its counts: what both front ends show. */
export { CHECKLIST_GROUPS, summarize, type ChecklistItemResult };

export interface ChecklistOutcome {
  items: ChecklistItemResult[];
  summary: ReturnType<typeof summarize>;
  /** The runbook manifest was found: without one only the items a machine answers are listed. */
  hasManifest: boolean;
  where: string;
}

export interface CheckPlan {
  /** Where the latest backup is looked for. */
  backupDir: string;
}

/** The checklist only reads (the journal gets its counts): nothing to confirm. */
export function prepareCheck(_ws: Workspace, input: { backupDir?: string } = {}): Prepared<CheckPlan> {
  return { plan: { backupDir: input.backupDir ?? DEFAULTS.backupDir }, question: null };
}

/** The pre-migration checklist with evidence for every item, journalled with its counts. */
export function executeCheck(ws: Workspace, plan: CheckPlan): Promise<ChecklistOutcome> {
  return stopReading(ws.signal, checklist(ws, plan), 'check');
}

export function checklistOperation(ws: Workspace, input: { backupDir?: string } = {}): Promise<ChecklistOutcome> {
  return executeCheck(ws, prepareCheck(ws, input).plan);
}

async function checklist(ws: Workspace, plan: CheckPlan): Promise<ChecklistOutcome> {
  const inputs = await checklistInputs(ws, plan.backupDir);
  const items = await runChecklist(inputs);
  const summary = summarize(items);
  (await ws.journal()).event('check', {
    ...summary,
    failed: items.filter((i) => i.status === 'fail').map((i) => i.id),
  });
  return { items, summary, hasManifest: Boolean(inputs.manifest), where: inputs.target.display };
}

export interface ItemConfirmation {
  id: string;
  title: string;
  confirmedBy: string;
  confirmedAt: string;
  /** A machine answers this item: the confirmation counts only while its evidence is unknown. */
  automatic: boolean;
  journalFile: string;
}

export interface ConfirmItemPlan {
  id: string;
  title: string;
  automatic: boolean;
}

/**
 * The item named, checked against the checklist. Typing the command (or the key) is the person's
 * statement: nothing more to confirm.
 */
export async function prepareConfirmItem(ws: Workspace, id: string): Promise<Prepared<ConfirmItemPlan>> {
  const specs = checklistSpec(await contextManifest(ws));
  const spec = specs.find((s) => s.id === id);
  if (!spec) {
    const ids = specs.map((s) => s.id).join(', ');
    throw new UserError(`There is no checklist item "${id}": use one of ${ids}.`, 'bad-input');
  }
  return { plan: { id, title: spec.title, automatic: spec.check === 'auto' }, question: null };
}

/** A checklist item done by hand, confirmed by the person at the keyboard: a journal line is the record. */
export async function executeConfirmItem(ws: Workspace, plan: ConfirmItemPlan): Promise<ItemConfirmation> {
  const journal = await ws.journal();
  journal.event(CONFIRM_ACTION, { id: plan.id, title: plan.title });
  return {
    ...plan,
    confirmedBy: journal.who,
    confirmedAt: new Date().toISOString(),
    journalFile: journal.file,
  };
}

export async function confirmItemOperation(ws: Workspace, id: string): Promise<ItemConfirmation> {
  return executeConfirmItem(ws, (await prepareConfirmItem(ws, id)).plan);
}
