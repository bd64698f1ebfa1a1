import type { Context } from '../context.js';
import { print, printErr, printJson } from '../output.js';
import { ExitCode } from '../errors.js';
import { executeReport, prepareReport } from '../../operations/report.js';

export default async function report(ctx: Context, _args: string[], opts: Record<string, unknown>): Promise<number> {
  if (opts.fleet) return (await import('./fleetReport.js')).default(ctx, opts);
  const { plan } = await prepareReport(
    ctx,
    {
      ...(typeof opts.since === 'string' ? { since: opts.since } : {}),
      ...(ctx.opts.journalDir ? { journalDir: ctx.opts.journalDir } : {}),
    },
    { notice: printErr },
  );
  const r = await executeReport(ctx, plan);
  if (ctx.json) printJson(r);
  else print(r.markdown.trimEnd());
  return ExitCode.ok;
}
