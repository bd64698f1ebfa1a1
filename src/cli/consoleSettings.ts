// What `console`, `console --rehearsal` and `demo` share: their options, the terminal they need,
// and the Ink UI loaded while they connect.
import { UserError } from './errors.js';
import { parseDuration } from './duration.js';
import { lockOptions } from './lockOptions.js';
import { holdOptions } from './holdOptions.js';
import { DEFAULTS } from '../defaults.js';

/** Options shared by `console` and `demo`. */
export function consoleSettings(opts: Record<string, unknown>) {
  const refresh = parseDuration(opts.refresh ?? '1', '--refresh');
  if (refresh < 200)
    throw new UserError(
      '--refresh must be at least 0.2 seconds: a faster refresh loads the server for nothing.',
      'bad-input',
    );
  return {
    refreshMs: refresh,
    backupDir: String(opts.backupDir ?? DEFAULTS.backupDir),
    ...lockOptions(opts),
    holdLimits: holdOptions(opts),
    statementTimeoutMs:
      opts.statementTimeout !== undefined ? parseDuration(opts.statementTimeout, '--statement-timeout') : undefined,
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
  const ui = import('../tui/start.js');
  ui.catch(() => undefined); // reported where it is awaited
  return ui;
}
