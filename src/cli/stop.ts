// SIGINT and SIGTERM for the commands whose operations watch ctx.signal: the first stops the
// operation (it ends within 5 s, saying what it did and did not do), a second quits at once.
import type { Context } from './context.js';
import { ExitCode, UserError } from './errors.js';
import { printErr } from './output.js';
import { withStopDeadline, STOP_DEADLINE_MS } from '../operations/stopDeadline.js';

/** Past the operations' own deadline: a path that does not watch the signal (a question, a file) still ends. */
const LAST_RESORT_MS = STOP_DEADLINE_MS + 500;

export async function untilStopped(ctx: Context, command: string, work: () => Promise<number>): Promise<number> {
  const stop = new AbortController();
  ctx.signal = stop.signal;
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(ExitCode.interrupted);
    if (!ctx.json) printErr(`\nStopping ${command} (Ctrl-C again to quit at once)…`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const lastResort = async (): Promise<number> => {
      throw new UserError(
        `Stopped: ${command} did not end by itself within ${LAST_RESORT_MS / 1000} s; run \`citadel-migrate status\` to see where things stand.`,
        'interrupted',
      );
    };
    return await withStopDeadline(stop.signal, work(), lastResort, LAST_RESORT_MS);
  } catch (err) {
    // A stalled session would keep the process alive: it ends once the sentence is printed.
    if (stop.signal.aborted) setTimeout(() => process.exit(ExitCode.interrupted), 100).unref();
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
