import type { Context } from '../context.js';
import { printErr } from '../output.js';
import { ExitCode, UserError } from '../errors.js';
import { parseDuration } from '../duration.js';
import { lockOptions } from '../lockOptions.js';
import type { ConsoleMode } from '../../tui/state.js';

/** Options shared by `console` and `demo`. */
export function consoleSettings(opts: Record<string, unknown>) {
  const refresh = parseDuration(opts.refresh ?? '1', '--refresh');
  if (refresh < 200) throw new UserError('--refresh must be at least 0.2 seconds: a faster refresh loads the server for nothing.', 'bad-input');
  return {
    refreshMs: refresh,
    backupDir: String(opts.backupDir ?? './backups'),
    ...lockOptions(opts),
    statementTimeoutMs: parseDuration(opts.statementTimeout ?? '0', '--statement-timeout'),
  };
}

export function requireTerminal(what: string): void {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new UserError(
      `The ${what} needs a terminal (stdin and stdout must be a TTY): run it in a terminal, or use the headless commands (status, run, locks, check) in scripts.`,
      'bad-input',
    );
  }
  // Ink draws nothing until exit when it believes it runs in CI; on a real terminal the DBA is looking.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  // React's production build: a third of the CPU and memory of the development one.
  process.env.NODE_ENV ||= 'production';
}

/** Starts loading the Ink UI now; the caller connects meanwhile. */
export function loadUi() {
  const ui = import('../../tui/start.js');
  ui.catch(() => undefined); // reported where it is awaited
  return ui;
}

/** `citadel-migrate [console]`: the Ink console on the target, in LIVE mode (or REHEARSAL on a copy). */
export default async function consoleCommand(ctx: Context, _args: string[], opts: Record<string, unknown>): Promise<number> {
  requireTerminal('console');
  if (ctx.json) throw new UserError('The console has no JSON output: use `status --json`, `locks --json` or `check --json` instead.', 'bad-input');
  const settings = consoleSettings(opts);
  ctx.target(); // a bad URL is reported before anything else
  if (opts.rehearsal) return (await import('./rehearsalConsole.js')).rehearsalConsole(ctx, opts, settings);
  const mode: ConsoleMode = 'live';
  const ui = loadUi();
  // The guide's query logging is temporary: a --log-slow period that has ended is restored here.
  const { restoreExpiredSlowLog } = await import('../../safety/queryLogging.js');
  await restoreExpiredSlowLog(ctx.target(), ctx.journal()).then(
    (said) => said && printErr(said),
    (err: Error) => printErr(`The slow-query logging period has ended, but restoring log_min_duration_statement failed: ${err.message}`),
  );
  const { connectController } = await import('../../tui/connect.js');
  const controller = await connectController({ ctx, mode, ...settings });
  const { runConsole } = await ui;
  return runConsole({ ctx, mode, ...settings, controller });
}
