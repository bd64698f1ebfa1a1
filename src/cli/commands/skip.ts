import type { Context } from '../context.js';
import { EventStream } from '../../engine/events.js';
import { skipMigration, describeSkip } from '../../engine/resolve.js';
import { findMigration } from '../../runbook/folder.js';
import { print, printErr, printJson } from '../output.js';
import { confirm } from '../prompt.js';
import { ExitCode, usageError } from '../errors.js';
import { attachRecorders } from '../../operations/attach.js';

/** `prisma migrate resolve --applied`, with the reason kept in the journal. */
export default async function skip(ctx: Context, args: string[], opts: Record<string, unknown>): Promise<number> {
  const folder = await ctx.folder();
  const name = findMigration(folder, args[0] ?? '').name;
  const reason = String(opts.reason ?? '').trim();
  if (!reason) throw usageError('skip needs --reason "why": the journal keeps it for the post-mortem.');
  const target = ctx.target();
  if (ctx.needsConfirmation('skip a migration')) {
    const state = await describeSkip(target, folder, name);
    printErr(`About to mark ${name} (${state.state}) as applied on ${target.display} WITHOUT running it. Its changes will not be made.`);
    if (!(await confirm('Skip it?'))) {
      printErr('Nothing was changed.');
      return ExitCode.usage;
    }
  }
  const events = new EventStream();
  const detach = attachRecorders(ctx, events);
  try {
    await skipMigration({ target, folder, name, reason, events, allowForeignHistory: Boolean(opts.allowForeignHistory), directUrlVariable: ctx.project().directUrlVariable });
  } finally {
    detach();
  }
  if (ctx.json) printJson({ name, outcome: 'skipped', reason });
  else print(`${name} is marked applied without running it (reason: ${reason}).`);
  return ExitCode.ok;
}
