import type { Context } from '../context.js';
import { print, printErr, printJson } from '../output.js';
import { ExitCode, usageError } from '../errors.js';
import { confirmSkip, executeSkip, prepareSkip } from '../../operations/skip.js';

/** `prisma migrate resolve --applied`, with the reason kept in the journal: prepare, ask, execute, print. */
export default async function skip(ctx: Context, args: string[], opts: Record<string, unknown>): Promise<number> {
  const reason = String(opts.reason ?? '').trim();
  if (!reason) throw usageError('skip needs --reason "why": the journal keeps it for the post-mortem.');
  const ask = ctx.confirmation('skip a migration');
  const ws = ctx.workspace;
  const prepared = await prepareSkip(
    ws,
    { name: args[0] ?? '', reason, allowForeignHistory: Boolean(opts.allowForeignHistory) },
    { asking: ask !== null },
  );
  const plan = ask ? await confirmSkip(ws, prepared, ask) : prepared;
  if (!plan) {
    printErr('Nothing was changed.');
    return ExitCode.usage;
  }
  const r = await executeSkip(ws, plan);
  if (ctx.json) printJson({ name: r.name, outcome: 'skipped', reason });
  else print(`${r.name} is marked applied without running it (reason: ${reason}).`);
  return ExitCode.ok;
}
