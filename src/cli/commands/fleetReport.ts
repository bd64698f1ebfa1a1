import type { Context } from '../context.js';
import { ExitCode } from '../errors.js';
import { print, printJson } from '../output.js';
import { fleetReportOperation } from '../../operations/fleetReport.js';
import { loadTargets, migrationsDir } from './fleetTargets.js';

/** `report --fleet [NAME]`: a Markdown summary of the fleet's targets' journals. */
export default async function fleetReport(ctx: Context, opts: Record<string, unknown>): Promise<number> {
  const dir = migrationsDir(ctx);
  const { targets } = await loadTargets(ctx, opts);
  const r = await fleetReportOperation({
    migrationsDir: dir,
    targets,
    ledgerUrl: opts.ledger as string | undefined,
    fleet: typeof opts.fleet === 'string' ? opts.fleet : undefined,
    journalDir: ctx.opts.journalDir,
  });
  if (ctx.json) printJson({ fleet: r.fleet, journals: r.journals, markdown: r.markdown });
  else print(r.markdown.trimEnd());
  return ExitCode.ok;
}
