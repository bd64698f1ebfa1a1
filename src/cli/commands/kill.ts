import type { Context } from '../context.js';
import { print, printErr, printJson } from '../output.js';
import { ExitCode, UserError } from '../errors.js';
import { killOperation } from '../../operations/kill.js';
import type { SignalHow } from '../../monitor/signal.js';

/**
 * `kill PID [--terminate] [--yes]`: cancel a backend's query (pg_cancel_backend) or end its
 * session (pg_terminate_backend), after showing the session and asking. Journalled.
 */
export default async function kill(ctx: Context, args: string[], opts: Record<string, unknown>): Promise<number> {
  const how: SignalHow = opts.terminate ? 'terminate' : 'cancel';
  const pid = parsePid(args[0]);
  const show = ctx.json ? printErr : print;
  const r = await killOperation(
    ctx,
    { pid, how },
    { ask: ctx.confirmation(`${how} session ${pid}`), onSession: (lines) => show(lines.join('\n')) },
  );
  if (r.outcome === 'declined') {
    show('Nothing done.');
    return ExitCode.failed;
  }
  if (ctx.json)
    printJson({
      pid,
      action: how,
      session: r.session,
      result: r.outcome === 'nothing-to-cancel' ? 'nothing-to-cancel' : r.result,
      ok: r.ok,
      message: r.message,
    });
  else
    print(
      r.outcome === 'nothing-to-cancel' ? `${r.message} To end it: citadel-migrate kill ${pid} --terminate` : r.message,
    );
  return r.ok ? ExitCode.ok : ExitCode.failed;
}

function parsePid(value: string | undefined): number {
  const pid = Number(value);
  if (!value || !/^\d+$/.test(value.trim()) || !Number.isSafeInteger(pid) || pid <= 0 || pid > 2 ** 31 - 1) {
    throw new UserError(
      `"${value ?? ''}" is not a backend pid: give the number that \`citadel-migrate locks\` shows, e.g. kill 4127.`,
      'bad-input',
    );
  }
  return pid;
}
