import type { Context } from '../context.js';
import { print, printErr, printJson } from '../output.js';
import { ExitCode } from '../errors.js';
import { confirmRollback, executeRollback, prepareRollback } from '../../operations/rollback.js';

/** `rollback NAME`: prepare, ask on the terminal, execute, print. */
export default async function rollback(ctx: Context, args: string[], opts: Record<string, unknown>): Promise<number> {
  const ask = ctx.confirmation('roll back a migration');
  const ws = ctx.workspace;
  const prepared = await prepareRollback(
    ws,
    {
      name: args[0] ?? '',
      force: Boolean(opts.force),
      runDownForFailed: Boolean(opts.runDown),
      allowForeignHistory: Boolean(opts.allowForeignHistory),
    },
    { asking: ask !== null },
  );
  const plan = ask ? await confirmRollback(ws, prepared, ask) : prepared;
  if (!plan) {
    printErr('Nothing was changed.');
    return ExitCode.usage;
  }
  const r = await executeRollback(ws, plan);
  if (ctx.json) printJson({ name: r.name, outcome: 'rolled-back', kind: r.kind, ranDownSql: r.ranDownSql });
  else print(r.message);
  return ExitCode.ok;
}
