import type { Context } from '../context.js';
import { print, printErr, printJson } from '../output.js';
import { ExitCode, usageError } from '../errors.js';
import { skipOperation } from '../../operations/skip.js';

/** `prisma migrate resolve --applied`, with the reason kept in the journal. */
export default async function skip(ctx: Context, args: string[], opts: Record<string, unknown>): Promise<number> {
  const reason = String(opts.reason ?? '').trim();
  if (!reason) throw usageError('skip needs --reason "why": the journal keeps it for the post-mortem.');
  const r = await skipOperation(
    ctx,
    { name: args[0] ?? '', reason, allowForeignHistory: Boolean(opts.allowForeignHistory) },
    { ask: ctx.confirmation('skip a migration') },
  );
  if (r.outcome === 'declined') {
    printErr('Nothing was changed.');
    return ExitCode.usage;
  }
  if (ctx.json) printJson({ name: r.name, outcome: 'skipped', reason });
  else print(`${r.name} is marked applied without running it (reason: ${reason}).`);
  return ExitCode.ok;
}
