import type { Context } from '../context.js';
import { DEFAULTS } from '../../defaults.js';
import { print, printJson } from '../output.js';
import { nameList, wrapWords } from '../../format.js';
import { ExitCode } from '../errors.js';
import {
  CHECKLIST_GROUPS,
  executeCheck,
  executeConfirmItem,
  prepareCheck,
  prepareConfirmItem,
  summarize,
  type ChecklistItemResult,
} from '../../operations/check.js';

const SYMBOL: Record<ChecklistItemResult['status'], string> = { pass: '✓', warn: '!', fail: '✗', manual: '?' };
const GROUP_TITLE: Record<string, string> = {
  environment: 'Environment preparation',
  backup: 'Backup',
  window: 'Maintenance window',
  team: 'Team coordination',
};

async function confirm(ctx: Context, id: string): Promise<number> {
  const { plan } = await prepareConfirmItem(ctx, id);
  const c = await executeConfirmItem(ctx, plan);
  if (ctx.json)
    printJson({ confirmed: { id: c.id, title: c.title, confirmedBy: c.confirmedBy, confirmedAt: c.confirmedAt } });
  else {
    print(`✓ ${c.id} (${c.title}) confirmed by ${c.confirmedBy} at ${c.confirmedAt}; recorded in ${c.journalFile}`);
    if (c.automatic)
      print('  This item is answered by the machine: the confirmation counts only while its evidence is unknown.');
  }
  return ExitCode.ok;
}

export function renderChecklist(
  items: ChecklistItemResult[],
  where: string,
  noManifest: boolean,
  width = process.stdout.columns || 100,
): string {
  const s = summarize(items);
  const out = [
    `Pre-migration checklist for ${where}: ${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.manual} to confirm`,
  ];
  for (const g of CHECKLIST_GROUPS) {
    const mine = items.filter((i) => i.group === g);
    if (!mine.length) continue;
    out.push('', GROUP_TITLE[g] ?? g);
    // long evidence wraps under itself, so the item's column stays readable
    const idWidth = Math.max(...mine.map((i) => i.id.length));
    for (const i of mine) {
      const head = ` ${SYMBOL[i.status]}  ${i.id.padEnd(idWidth)}  `;
      const [first, ...rest] = wrapWords(i.evidence, Math.max(40, width - head.length));
      out.push(head + first, ...rest.map((l) => ' '.repeat(head.length) + l));
    }
  }
  const open = items.filter((i) => i.status === 'manual').map((i) => i.id);
  if (open.length)
    out.push(
      '',
      ...wrapWords(
        `To confirm an item done by hand: citadel-migrate check --confirm ID (open: ${nameList(open, 8)})`,
        width,
      ),
    );
  if (noManifest)
    out.push(
      '',
      ...wrapWords(
        'No runbook manifest (runbook.yaml): only the items a machine answers are listed; manual items and storage estimates need one (--runbook FILE).',
        width,
      ),
    );
  return out.join('\n');
}

export default async function check(ctx: Context, _args: string[], opts: Record<string, unknown>): Promise<number> {
  if (typeof opts.confirm === 'string') return confirm(ctx, opts.confirm);
  const { plan } = prepareCheck(ctx, { backupDir: String(opts.backupDir ?? DEFAULTS.backupDir) });
  const { items, summary: s, hasManifest, where } = await executeCheck(ctx, plan);
  if (ctx.json) {
    printJson({
      items,
      ...(hasManifest ? {} : { notes: ['no runbook manifest: only the items a machine answers are listed'] }),
    });
  } else {
    print(renderChecklist(items, where, !hasManifest));
  }
  if (items.some((i) => i.id === 'env.connection' && i.status === 'fail')) return ExitCode.connect;
  return s.fail ? ExitCode.failed : ExitCode.ok;
}
