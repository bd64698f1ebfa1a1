import type { Context } from '../context.js';
import { print, printErr, printJson } from '../output.js';
import { ExitCode, UserError } from '../errors.js';
import { confirmKill, executeKill, prepareKill } from '../../operations/kill.js';
import type { SignalHow } from '../../operations/kill.js';

/**
 * `kill PID [--terminate] [--yes]`: cancel a backend's query (pg_cancel_backend) or end its
 * session (pg_terminate_backend), after showing the session and asking. Journalled.
 * Prepare (find and show the session), ask on the terminal, execute, print.
 */
export default async function kill(ctx: Context, args: string[], opts: Record<string, unknown>): Promise<number> {
  const how: SignalHow = opts.terminate ? 'terminate' : 'cancel';
  const pid = parsePid(args[0]);
  const show = ctx.json ? printErr : print;
  const ask = ctx.confirmation(`${how} session ${pid}`);
  const ws = ctx.workspace;
  const plan = await prepareKill(ws, { pid, how }, { asking: ask !== null });
  show(plan.lines.join('\n'));
  if (ask && !(await confirmKill(ws, plan, ask))) {
    show('Nothing done.');
    return ExitCode.failed;
  }
  const r = await executeKill(ws, plan);
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
