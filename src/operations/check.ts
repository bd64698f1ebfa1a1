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
import { stopReading } from './stopDeadline.js';
import type { Workspace } from './workspace.js';

export interface ChecklistOutcome {
  items: ChecklistItemResult[];
  summary: ReturnType<typeof summarize>;
  /** The runbook manifest was found: without one only the items a machine answers are listed. */
  hasManifest: boolean;
  where: string;
}

/** The pre-migration checklist with evidence for every item, journalled with its counts. */
export function checklistOperation(ws: Workspace, input: { backupDir?: string } = {}): Promise<ChecklistOutcome> {
  return stopReading(ws.signal, checklist(ws, input), 'check');
}

async function checklist(ws: Workspace, input: { backupDir?: string }): Promise<ChecklistOutcome> {
  const inputs = await checklistInputs(ws, input.backupDir ?? DEFAULTS.backupDir);
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

/** A checklist item done by hand, confirmed by the person at the keyboard: a journal line is the record. */
export async function confirmItemOperation(ws: Workspace, id: string): Promise<ItemConfirmation> {
  const specs = checklistSpec(await contextManifest(ws));
  const spec = specs.find((s) => s.id === id);
  if (!spec) {
    const ids = specs.map((s) => s.id).join(', ');
    throw new UserError(`There is no checklist item "${id}": use one of ${ids}.`, 'bad-input');
  }
  const journal = await ws.journal();
  journal.event(CONFIRM_ACTION, { id, title: spec.title });
  return {
    id,
    title: spec.title,
    confirmedBy: journal.who,
    confirmedAt: new Date().toISOString(),
    automatic: spec.check === 'auto',
    journalFile: journal.file,
  };
}
