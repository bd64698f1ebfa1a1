import type { Context } from '../context.js';
import { print, printErr, printJson } from '../output.js';
import { ExitCode, UserError } from '../errors.js';
import { confirm } from '../prompt.js';
import { withDb } from '../../postgres/connect.js';
import { findBackend, nothingToCancel, refusal, signalBackend, type Backend, type SignalHow } from '../../monitor/signal.js';
import { duration } from '../../monitor/text.js';
import { trimStatement } from '../../monitor/progress.js';
import { notifierFor } from '../../notify/forWorkspace.js';

/**
 * `kill PID [--terminate] [--yes]`: cancel a backend's query (pg_cancel_backend) or end its
 * session (pg_terminate_backend), after showing the session and asking. Journalled.
 */
export default async function kill(ctx: Context, args: string[], opts: Record<string, unknown>): Promise<number> {
  const how: SignalHow = opts.terminate ? 'terminate' : 'cancel';
  const pid = parsePid(args[0]);
  const target = ctx.target();
  return withDb(
    target,
    async (db) => {
      const backend = await findBackend(db, pid);
      const refused = refusal(pid, backend, target.database);
      if (refused || !backend) throw new UserError(refused ?? `No session with pid ${pid}.`, 'bad-input');

      const shown = describeBackend(backend);
      const nothing = how === 'cancel' ? nothingToCancel(backend) : undefined;
      if (nothing) {
        if (ctx.json) printJson({ pid, action: how, session: sessionJson(backend), result: 'nothing-to-cancel', ok: false, message: nothing });
        else print(`${shown}\n\n${nothing}`);
        return ExitCode.failed;
      }
      (ctx.json ? printErr : print)(shown);

      const verb = how === 'cancel' ? `Cancel the query of session ${pid} (pg_cancel_backend)` : `Terminate session ${pid} (pg_terminate_backend): its transaction rolls back`;
      if (ctx.needsConfirmation(`${how} session ${pid}`)) {
        if (!(await confirm(`${verb}?`))) {
          ctx.journal().event('kill-declined', { pid, how, session: sessionJson(backend) });
          (ctx.json ? printErr : print)('Nothing done.');
          return ExitCode.failed;
        }
      }

      const end = ctx.journal().begin('kill', { pid, how, session: sessionJson(backend) });
      let outcome;
      try {
        outcome = await signalBackend(db, backend, how);
      } catch (err) {
        end({ ok: false, error: (err as Error).message });
        throw err;
      }
      end({ result: outcome.result, ok: outcome.ok, message: outcome.message, stateAfter: outcome.stateAfter });
      const notifier = await notifierFor(ctx);
      notifier.send({ event: 'kill', migration: null, outcome: outcome.ok ? 'done' : 'failed', pid, how, application: backend.application });
      await notifier.settle();
      if (ctx.json) printJson({ pid, action: how, session: sessionJson(backend), result: outcome.result, ok: outcome.ok, message: outcome.message });
      else print(outcome.message);
      return outcome.ok ? ExitCode.ok : ExitCode.failed;
    },
    { applicationName: 'citadel-migrate kill' },
  );
}

function parsePid(value: string | undefined): number {
  const pid = Number(value);
  if (!value || !/^\d+$/.test(value.trim()) || !Number.isSafeInteger(pid) || pid <= 0 || pid > 2 ** 31 - 1) {
    throw new UserError(`"${value ?? ''}" is not a backend pid: give the number that \`citadel-migrate locks\` shows, e.g. kill 4127.`, 'bad-input');
  }
  return pid;
}

function sessionJson(b: Backend) {
  return {
    pid: b.pid,
    user: b.user,
    application: b.application,
    clientAddr: b.clientAddr,
    database: b.database,
    state: b.state,
    xactAgeMs: b.xactAgeMs,
    stateAgeMs: b.stateAgeMs,
    query: b.query,
  };
}

export function describeBackend(b: Backend): string {
  const state = b.state.startsWith('idle in transaction') ? `${b.state.toUpperCase()} for ${duration(b.stateAgeMs)}` : `${b.state || '?'} for ${duration(b.stateAgeMs)}`;
  return [
    `Session ${b.pid} on ${b.database}`,
    `  user         ${b.user || '?'}`,
    `  application  ${b.application || '(none)'}${b.clientAddr ? `  from ${b.clientAddr}` : ''}`,
    `  state        ${state}${b.xactAgeMs !== null ? `, transaction open ${duration(b.xactAgeMs)}` : ''}${b.waitEventType === 'Lock' ? ', itself waiting for a lock' : ''}`,
    `  query        ${trimStatement(b.query, 300) || '(none)'}`,
  ].join('\n');
}
