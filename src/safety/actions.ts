// Runs one runbook action (maintenance mode, workers, restarts, smoke tests): the command in its own
// process group so that a timeout ends everything it started, its output streamed and redacted, and
// its intent and result in the journal, with the live-session check that proves it worked.
import path from 'node:path';
import { execa } from 'execa';
import type { Target } from '../postgres/target.js';
import type { Journal } from '../journal/journal.js';
import { redact, MASK } from '../postgres/secrets.js';
import { UserError } from '../errors.js';
import { commandText, type RunbookAction } from '../runbook/actions.js';
import { childEnvironment } from '../tools/pgTools.js';
import { openSessionCheck, type SessionCheckResult } from './actionCheck.js';

export const ACTION_JOURNAL = 'action';
/** Output kept in the journal: the tail, where the error usually is. */
const KEEP_OUTPUT = 8_000;
/** After SIGTERM to the group, how long before SIGKILL. */
const KILL_GRACE_MS = 2_000;

/** The S3 store's credentials (backup --copy-to), which an action inherits with the environment. */
export const S3_SECRET_VARIABLES = ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN'];
/** Shorter values would mask ordinary letters of the output; a secret is longer than this anyway. */
const MIN_SECRET_LENGTH = 4;

/**
 * Masks, anywhere in an action's output, the values of the S3 credentials and of the variables the
 * action's runbook entry lists under secrets: (from its env: or this process's environment).
 */
export function secretMasker(
  action: Pick<RunbookAction, 'env' | 'secrets'>,
  env: NodeJS.ProcessEnv = process.env,
): (text: string) => string {
  const values = [...S3_SECRET_VARIABLES, ...action.secrets]
    .map((name) => action.env[name] ?? env[name])
    .filter((v): v is string => typeof v === 'string' && v.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  return (text) => values.reduce((out, v) => (out.includes(v) ? out.split(v).join(MASK) : out), redact(text));
}

export type ActionOutcome = 'ok' | 'failed' | 'timeout' | 'missing-command' | 'check-failed';

export interface ActionResult {
  name: string;
  command: string;
  outcome: ActionOutcome;
  exitCode?: number;
  signal?: string;
  durationMs: number;
  /** Redacted, the last KEEP_OUTPUT characters. */
  output: string;
  check?: SessionCheckResult;
  /** One sentence for the DBA when the outcome is not ok. */
  error?: string;
}

export interface RunActionOptions {
  action: RunbookAction;
  /** For the check; without it (or without a check) only the command runs. */
  target?: Target;
  /**
   * The server the command resolved: the action's libpq variables name it and nothing else (the
   * user's PGSERVICE, PGPORT… would send a psql in the action to another server).
   */
  connection?: Target;
  journal?: Journal;
  /** Each chunk of output as it comes, already redacted. */
  onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
  /** Where relative cwd paths start (the runbook's folder). */
  baseDir?: string;
  /** A stop (Ctrl-C, SIGTERM): the command's group is ended, a check the server does not answer is abandoned. */
  signal?: AbortSignal;
}

/** After a stop, SIGTERM to the group has this long before SIGKILL: the whole command ends within 5 s. */
const STOP_GRACE_MS = 1_500;

/** The promise, or `stopped` thrown at once when the signal fires first (a server that does not answer). */
function unlessStopped<T>(signal: AbortSignal | undefined, p: Promise<T>, stopped: () => Error): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) {
    p.catch(() => undefined);
    return Promise.reject(stopped());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      p.catch(() => undefined);
      reject(stopped());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

/** The action's environment: this process's, the resolved connection's PG* in place of the user's, then its own env:. */
function actionEnvironment(
  action: RunbookAction,
  connection: Target | undefined,
): { env: Record<string, string | undefined>; extendEnv: boolean } {
  if (!connection) return { env: action.env, extendEnv: true };
  // DATABASE_URL stays: the application's own scripts read it, libpq does not.
  const appUrl = process.env.DATABASE_URL;
  return {
    env: { ...childEnvironment(connection), ...(appUrl ? { DATABASE_URL: appUrl } : {}), ...action.env },
    extendEnv: false,
  };
}

export async function runAction(opts: RunActionOptions): Promise<ActionResult> {
  const { action } = opts;
  const command = commandText(action);
  const end = opts.journal?.begin(ACTION_JOURNAL, {
    name: action.name,
    command,
    cwd: action.cwd ?? null,
    timeoutMs: action.timeoutMs,
  });
  const { signal } = opts;
  const notRun = () =>
    new UserError(`Stopped before the action ${action.name} started; nothing was run.`, 'interrupted');
  let check: Awaited<ReturnType<typeof openSessionCheck>> | undefined;
  try {
    check =
      action.check && opts.target
        ? await unlessStopped(signal, openSessionCheck(opts.target, action.check), notRun)
        : undefined;
    if (signal?.aborted) throw notRun();
  } catch (err) {
    end?.({ outcome: 'not-run', error: redact((err as Error).message), durationMs: 0 });
    throw err;
  }
  const t0 = Date.now();
  const mask = secretMasker(action);
  // Masked again whole at the end: a secret split across two chunks is masked in what is kept.
  let raw = '';
  let output = '';
  const keep = (text: string, stream: 'stdout' | 'stderr') => {
    raw = (raw + text).slice(-2 * KEEP_OUTPUT);
    output = mask(raw).slice(-KEEP_OUTPUT);
    opts.onOutput?.(mask(text), stream);
  };
  let result: ActionResult;
  try {
    const common = {
      cwd: action.cwd ? path.resolve(opts.baseDir ?? process.cwd(), action.cwd) : opts.baseDir,
      ...actionEnvironment(action, opts.connection),
      reject: false,
      stdin: 'ignore' as const,
      // Its own process group: on a timeout the whole group is ended, not just the first process.
      detached: true,
      buffer: false,
    };
    const child =
      typeof action.command === 'string'
        ? execa(action.command, { ...common, shell: true })
        : execa(action.command[0]!, action.command.slice(1), common);
    child.stdout?.on('data', (b: Buffer) => keep(b.toString(), 'stdout'));
    child.stderr?.on('data', (b: Buffer) => keep(b.toString(), 'stderr'));
    let timedOut = false;
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      killer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    }, action.timeoutMs);
    const onStop = () => {
      killGroup(child.pid, 'SIGTERM');
      killer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), STOP_GRACE_MS);
    };
    signal?.addEventListener('abort', onStop, { once: true });
    const done = await child;
    clearTimeout(timer);
    signal?.removeEventListener('abort', onStop);
    if (signal?.aborted) {
      clearTimeout(killer);
      killGroup(child.pid, 'SIGKILL');
      throw new UserError(
        `Stopped: the action ${action.name} was ended (its whole process group) after ${Math.round((Date.now() - t0) / 100) / 10} s; it may have done part of its work: check before running it again.`,
        'interrupted',
      );
    }
    if (timedOut) {
      // The first process may have gone on SIGTERM while a child of it ignored it: end the group.
      clearTimeout(killer);
      killGroup(child.pid, 'SIGKILL');
    }
    const durationMs = Date.now() - t0;
    const base = {
      name: action.name,
      command,
      durationMs,
      output,
      ...(done.exitCode !== undefined ? { exitCode: done.exitCode } : {}),
      ...(done.signal ? { signal: done.signal } : {}),
    };
    const code = (done as { code?: string }).code;
    if (
      code === 'ENOENT' ||
      (done.failed &&
        /ENOENT/.test(String((done as { message?: string }).message ?? '')) &&
        done.exitCode === undefined)
    ) {
      const program = typeof action.command === 'string' ? '/bin/sh' : action.command[0]!;
      result = {
        ...base,
        outcome: 'missing-command',
        error: `The command "${program}" of the action ${action.name} was not found: install it on this machine or fix actions.${action.name}.command in the runbook.`,
      };
    } else if (timedOut) {
      result = {
        ...base,
        outcome: 'timeout',
        error: `The action ${action.name} did not finish within ${Math.round(action.timeoutMs / 1000)} s: it was stopped (its whole process group); find out why, or raise actions.${action.name}.timeout in the runbook.`,
      };
    } else if (done.exitCode !== 0) {
      const last = output.trim().split('\n').slice(-1)[0] ?? '';
      result = {
        ...base,
        outcome: 'failed',
        error: `The action ${action.name} failed (exit ${done.exitCode ?? done.signal})${last ? `: ${last}` : ''}; fix what it reports and run it again.`,
      };
    } else if (check) {
      const c = await unlessStopped(
        signal,
        check.settle(signal),
        () =>
          new UserError(
            `Stopped: the action ${action.name} ran (exit 0), but its check had no answer from the server: see for yourself whether it worked.`,
            'interrupted',
          ),
      );
      result = c.ok
        ? { ...base, durationMs: Date.now() - t0, outcome: 'ok', check: c }
        : {
            ...base,
            durationMs: Date.now() - t0,
            outcome: 'check-failed',
            check: c,
            error: `The action ${action.name} ran, but its check does not hold: ${c.evidence}.`,
          };
    } else result = { ...base, outcome: 'ok' };
  } catch (err) {
    end?.({
      outcome: signal?.aborted ? 'interrupted' : 'failed',
      error: redact((err as Error).message),
      durationMs: Date.now() - t0,
    });
    throw err;
  } finally {
    // A stalled session would not answer the goodbye either.
    if (signal?.aborted) void check?.close();
    else await check?.close();
  }
  end?.({
    outcome: result.outcome,
    ok: result.outcome === 'ok',
    exitCode: result.exitCode ?? null,
    durationMs: result.durationMs,
    output: result.output,
    ...(result.check ? { check: result.check } : {}),
    ...(result.error ? { error: result.error } : {}),
  });
  return result;
}

/** The action the runbook defines under NAME, or a sentence listing the ones it has. */
export function findAction(actions: RunbookAction[], name: string, runbookFile: string | undefined): RunbookAction {
  const a = actions.find((x) => x.name === name);
  if (a) return a;
  if (!runbookFile)
    throw new UserError(
      `There is no runbook, so there is no action ${name}: pass --runbook FILE with an actions: section.`,
      'bad-input',
    );
  const names = actions.map((x) => x.name);
  throw new UserError(
    `The runbook ${runbookFile} has no action "${name}"${names.length ? ` (it has: ${names.join(', ')})` : ' (it has no actions: section)'}: add it under actions:, or pick one of those.`,
    'bad-input',
  );
}
