import type { Context } from '../context.js';
import { ExitCode } from '../errors.js';
import { requireTerminal } from '../consoleSettings.js';
import { watchFleet } from '../../operations/fleetWatch.js';
import { loadTargets, migrationsDir } from './fleetTargets.js';

/** `console --fleet`: the Fleet pane over the fleet's ledger. */
export default async function fleetConsole(ctx: Context, opts: Record<string, unknown>): Promise<number> {
  requireTerminal('console');
  const dir = migrationsDir(ctx);
  const { targets } = await loadTargets(ctx, opts);
  const watch = await watchFleet({
    migrationsDir: dir,
    targets,
    ledgerUrl: opts.ledger as string | undefined,
    fleet: typeof opts.fleet === 'string' ? opts.fleet : undefined,
    journalDir: ctx.opts.journalDir,
  });
  const { runFleetConsole } = await import('../../tui/fleet/runFleetConsole.js');
  const refreshMs = Math.max(200, Number(opts.refresh ?? 1) * 1000);
  const rows = Math.max(5, (process.stdout.rows ?? 24) - 9);
  await runFleetConsole(watch, refreshMs, rows);
  return ExitCode.ok;
}
