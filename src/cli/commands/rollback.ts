import type { Context } from '../context.js';
import { EventStream } from '../../engine/events.js';
import { rollbackMigration, planRollback } from '../../engine/resolve.js';
import { findMigration } from '../../runbook/folder.js';
import { print, printErr, printJson, isTTY } from '../output.js';
import { confirm } from '../prompt.js';
import { ExitCode } from '../errors.js';
import { attachRecorders } from '../../operations/attach.js';

export default async function rollback(ctx: Context, args: string[], opts: Record<string, unknown>): Promise<number> {
  const folder = await ctx.folder();
  const name = findMigration(folder, args[0] ?? '').name;
  const target = ctx.target();
  const plan = await planRollback(target, folder, name);
  let runDownForFailed = Boolean(opts.runDown);
  if (ctx.needsConfirmation('roll back a migration')) {
    if (plan.kind === 'down-sql') {
      printErr(`About to roll back ${name} on ${target.display}: run its down.sql (${plan.downSql!.split('\n').filter((l) => l.trim() && !l.trim().startsWith('--')).length} lines; data in what it drops is lost) and delete its ${plan.rows.length} row(s) from _prisma_migrations, in one transaction.`);
      if (plan.laterApplied.length) printErr(`Later applied migrations: ${plan.laterApplied.join(', ')}${opts.force ? ' (--force given)' : ' (needs --force)'}.`);
    } else {
      printErr(`${name} failed. About to record it as rolled back (as \`prisma migrate resolve --rolled-back\` does); the next run applies it again.`);
      if (plan.downSql !== undefined && !runDownForFailed && isTTY()) {
        runDownForFailed = await confirm('Run its down.sql first, to undo what a non-atomic attempt left behind?');
      }
    }
    if (!(await confirm('Roll back?'))) {
      printErr('Nothing was changed.');
      return ExitCode.usage;
    }
  }
  const events = new EventStream();
  const detach = attachRecorders(ctx, events);
  try {
    await rollbackMigration({ target, folder, name, events, force: Boolean(opts.force), runDownForFailed, allowForeignHistory: Boolean(opts.allowForeignHistory), directUrlVariable: ctx.project().directUrlVariable });
  } finally {
    detach();
  }
  const note =
    plan.kind === 'down-sql'
      ? `${name} is rolled back: down.sql ran and its record is gone, so it is pending again (for Prisma too).`
      : `${name} is recorded as rolled back${runDownForFailed ? ' after its down.sql ran' : ''}; the next run applies it again. (Prisma's \`migrate status\` no longer lists it, yet \`migrate deploy\` would apply it again.)`;
  if (ctx.json) printJson({ name, outcome: 'rolled-back', kind: plan.kind, ranDownSql: plan.kind === 'down-sql' || runDownForFailed });
  else print(note);
  return ExitCode.ok;
}
