import type { Context } from '../context.js';
import { printErr } from '../output.js';
import { UserError } from '../errors.js';
import { consoleSettings, loadUi, requireTerminal } from '../consoleSettings.js';
import type { ConsoleMode } from '../../tui/state.js';
import { consoleSession } from '../../tui/session.js';

/** How long the UI's loading waits for the panes' first data. */
const FIRST_DATA_WAIT_MS = 400;

/** `citadel-migrate [console]`: the Ink console on the target, in LIVE mode (PLAN with --plan, REHEARSAL on a copy). */
export default async function consoleCommand(
  ctx: Context,
  _args: string[],
  opts: Record<string, unknown>,
): Promise<number> {
  if (opts.fleet) return (await import('./fleetConsole.js')).default(ctx, opts);
  requireTerminal('console');
  if (ctx.json)
    throw new UserError(
      'The console has no JSON output: use `status --json`, `locks --json` or `check --json` instead.',
      'bad-input',
    );
  const settings = consoleSettings(opts);
  ctx.target(); // a bad URL is reported before anything else
  if (opts.rehearsal && opts.plan)
    throw new UserError(
      'Choose one of --plan (nothing is written anywhere) and --rehearsal (a scratch copy is written).',
      'bad-input',
    );
  if (opts.rehearsal) return (await import('./rehearsalConsole.js')).rehearsalConsole(ctx, opts, settings);
  // PLAN: the same screens on the target, and every key that would write refuses.
  const mode: ConsoleMode = opts.plan ? 'plan' : 'live';
  // The session, the slow-log check and the module loading wait on the server and the disk: started
  // together, their waits overlap.
  const session = consoleSession(ctx.target());
  session.catch(() => undefined); // reported by connectController, which awaits it
  // The guide's query logging is temporary: a --log-slow period that has ended is restored here.
  const slowLog =
    mode === 'live'
      ? import('../../operations/performance.js')
          .then(async ({ restoreExpiredSlowLog }) => restoreExpiredSlowLog(ctx.target(), await ctx.journal()))
          .then(
            (said) => said && printErr(said),
            (err: Error) =>
              printErr(
                `The slow-query logging period has ended, but restoring log_min_duration_statement failed: ${err.message}`,
              ),
          )
      : undefined;
  const { connectController } = await import('../../tui/connect.js');
  const controller = await connectController({ ctx, mode, ...settings, session });
  await slowLog;
  // The panes' first answers before the UI's modules (~170 ms of CPU in one piece, which would hold
  // up their replies); a slow server does not hold the screen back for long.
  let waited: NodeJS.Timeout | undefined;
  await Promise.race([controller.firstData, new Promise((r) => (waited = setTimeout(r, FIRST_DATA_WAIT_MS)))]);
  clearTimeout(waited);
  const { runConsole } = await loadUi();
  return runConsole({ ctx, mode, ...settings, controller });
}
