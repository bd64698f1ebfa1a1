import type { Context } from '../context.js';
import { print, printErr, printJson } from '../output.js';
import { ExitCode } from '../errors.js';
import { rollbackOperation } from '../../operations/rollback.js';

export default async function rollback(ctx: Context, args: string[], opts: Record<string, unknown>): Promise<number> {
  const r = await rollbackOperation(
    ctx,
    {
      name: args[0] ?? '',
      force: Boolean(opts.force),
      runDownForFailed: Boolean(opts.runDown),
      allowForeignHistory: Boolean(opts.allowForeignHistory),
    },
    { ask: ctx.confirmation('roll back a migration') },
  );
  if (r.outcome === 'declined') {
    printErr('Nothing was changed.');
    return ExitCode.usage;
  }
  if (ctx.json) printJson({ name: r.name, outcome: 'rolled-back', kind: r.kind, ranDownSql: r.ranDownSql });
  else print(r.message);
  return ExitCode.ok;
}
