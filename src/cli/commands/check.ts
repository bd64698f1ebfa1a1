import type { Context } from '../context.js';
import { print, printJson, columns } from '../output.js';
import { ExitCode, UserError } from '../errors.js';
import { runChecklist, summarize, checklistSpec, CONFIRM_ACTION, type ChecklistItemResult } from '../../safety/checklist.js';
import { checklistInputs, contextManifest } from '../../safety/runbook.js';
import { CHECKLIST_GROUPS } from '../../runbook/manifest.js';

const SYMBOL: Record<ChecklistItemResult['status'], string> = { pass: '✓', warn: '!', fail: '✗', manual: '?' };
const GROUP_TITLE: Record<string, string> = { environment: 'Environment preparation', backup: 'Backup', window: 'Maintenance window', team: 'Team coordination' };

async function confirm(ctx: Context, id: string): Promise<number> {
  const manifest = await contextManifest(ctx);
  const spec = checklistSpec(manifest).find((s) => s.id === id);
  if (!spec) {
    const ids = checklistSpec(manifest).map((s) => s.id).join(', ');
    throw new UserError(`There is no checklist item "${id}": use one of ${ids}.`, 'bad-input');
  }
  const journal = ctx.journal();
  journal.event(CONFIRM_ACTION, { id, title: spec.title });
  const at = new Date().toISOString();
  if (ctx.json) printJson({ confirmed: { id, title: spec.title, confirmedBy: journal.who, confirmedAt: at } });
  else {
    print(`✓ ${id} (${spec.title}) confirmed by ${journal.who} at ${at}; recorded in ${journal.file}`);
    if (spec.check === 'auto') print('  This item is answered by the machine: the confirmation counts only while its evidence is unknown.');
  }
  return ExitCode.ok;
}

export function renderChecklist(items: ChecklistItemResult[], where: string, noManifest: boolean): string {
  const s = summarize(items);
  const out = [`Pre-migration checklist for ${where}: ${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.manual} to confirm`];
  for (const g of CHECKLIST_GROUPS) {
    const mine = items.filter((i) => i.group === g);
    if (!mine.length) continue;
    out.push('', GROUP_TITLE[g] ?? g);
    out.push(columns(mine.map((i) => [` ${SYMBOL[i.status]}`, i.id, i.evidence])));
  }
  const open = items.filter((i) => i.status === 'manual').map((i) => i.id);
  if (open.length) out.push('', `To confirm an item done by hand: citadel-migrate check --confirm ID (open: ${open.join(', ')})`);
  if (noManifest) out.push('', 'No runbook manifest (runbook.yaml): only the items a machine answers are listed; manual items and storage estimates need one (--runbook FILE).');
  return out.join('\n');
}

export default async function check(ctx: Context, _args: string[], opts: Record<string, unknown>): Promise<number> {
  if (typeof opts.confirm === 'string') return confirm(ctx, opts.confirm);
  const inputs = await checklistInputs(ctx, String(opts.backupDir ?? './backups'));
  const items = await runChecklist(inputs);
  const s = summarize(items);
  ctx.journal().event('check', { ...s, failed: items.filter((i) => i.status === 'fail').map((i) => i.id) });
  if (ctx.json) {
    printJson({ items, ...(inputs.manifest ? {} : { notes: ['no runbook manifest: only the items a machine answers are listed'] }) });
  } else {
    print(renderChecklist(items, inputs.target.display, !inputs.manifest));
  }
  if (items.some((i) => i.id === 'env.connection' && i.status === 'fail')) return ExitCode.connect;
  return s.fail ? ExitCode.failed : ExitCode.ok;
}
