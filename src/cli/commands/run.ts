import type { Context } from '../context.js';
import { EventStream, type RehearsedDuration } from '../../operations/events.js';
import type { RunResult } from '../../operations/types.js';
import { parseDuration } from '../duration.js';
import { lockOptions } from '../lockOptions.js';
import { holdOptions } from '../holdOptions.js';
import { progressPrinter } from '../runOutput.js';
import { loadRehearsedDurations } from '../../operations/rehearsedEstimates.js';
import { printJson, print, printErr, isTTY } from '../output.js';
import { ExitCode, usageError } from '../errors.js';
import { confirmRun, executeRun, prepareRun } from '../../operations/run.js';

export function runDocument(r: RunResult) {
  return {
    mode: r.mode,
    outcome: r.outcome,
    durationMs: r.durationMs,
    migrations: r.migrations.map((m) => ({
      name: m.name,
      outcome: m.outcome,
      durationMs: m.durationMs,
      statements: m.statements,
      atomic: m.atomic,
      ...(m.error ? { error: m.error } : {}),
    })),
    ...(r.holds ? { holds: r.holds } : {}),
  };
}

export default async function run(ctx: Context, _args: string[], opts: Record<string, unknown>): Promise<number> {
  // An empty --to (a script's unset variable) must not mean "no limit".
  if (opts.to !== undefined && !String(opts.to).trim()) {
    throw usageError(
      '--to needs the name of a migration (got an empty value): pass the last migration to apply, or leave --to out to apply every pending one.',
    );
  }
  // The rewrite's machinery loads only for --rewrite: a plain run starts without it.
  if (opts.rewrite) return (await import('../rewriteCommands.js')).runRewriteCommand(ctx, opts);
  const locks = lockOptions(opts);
  const limits = holdOptions(opts);
  // Not given: the role's or database's own statement_timeout stays (the run says so when there is one).
  const statementTimeoutMs =
    opts.statementTimeout !== undefined ? parseDuration(opts.statementTimeout, '--statement-timeout') : undefined;
  const ask = ctx.confirmation('apply migrations');
  const events = new EventStream();
  // The rehearsal's durations for the ETAs, from the journal once the run has it open.
  const rehearsed = new Map<string, RehearsedDuration>();
  // The live line is redrawn on stderr: only when stderr is the terminal too (not a log file).
  if (!ctx.json) events.on(progressPrinter(isTTY() && Boolean(process.stderr.isTTY), undefined, rehearsed));

  // Ctrl-C stops cleanly: the running statement is cancelled and its migration rolled back.
  const controller = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts === 1) {
      printErr(
        '\nStopping: cancelling the running statement and rolling back its migration (Ctrl-C again to quit at once)…',
      );
      controller.abort();
    } else process.exit(ExitCode.interrupted);
  };
  const onHangup = () => {
    if (opts.onHangup === 'finish') return; // keep going; the journal records the end
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  process.on('SIGHUP', onHangup);
  try {
    const ws = ctx.workspace;
    const plan = await prepareRun(
      ws,
      {
        to: opts.to !== undefined ? String(opts.to) : undefined,
        ...locks,
        statementTimeoutMs,
        wait: Boolean(opts.wait),
        allowModified: Boolean(opts.allowModified),
        allowForeignHistory: Boolean(opts.allowForeignHistory),
        limits,
        signal: controller.signal,
      },
      { asking: ask !== null },
    );
    if (ask && !(await confirmRun(ws, plan, ask))) {
      printErr('Nothing was applied.');
      return ExitCode.usage;
    }
    const result = await executeRun(ws, plan, {
      events,
      onJournal: (journal) => {
        if (!ctx.json) loadRehearsedDurations({ journal: async () => journal }, rehearsed);
      },
    });
    if ('abandoned' in result && result.abandoned) {
      if (ctx.json) printJson(runDocument(result));
      printErr(result.abandoned);
      // The stalled sessions would keep the process alive: it ends once this is printed.
      setTimeout(() => process.exit(ExitCode.interrupted), 100).unref();
      return ExitCode.interrupted;
    }
    if (ctx.json) printJson(runDocument(result));
    else {
      const applied = result.migrations.filter((m) => m.outcome === 'applied').length;
      const summary = `${applied} applied, ${result.migrations.filter((m) => m.outcome === 'failed').length} failed, ${result.migrations.filter((m) => m.outcome === 'not-run').length} not run (${(result.durationMs / 1000).toFixed(1)}s)`;
      if (result.outcome === 'interrupted')
        printErr(`Interrupted: ${summary}. Run \`citadel-migrate status\` to see where things stand.`);
      else if (result.outcome === 'nothing-to-do' && ask) print('Nothing to apply: every migration is applied.');
      else if (result.outcome !== 'nothing-to-do') print(summary);
    }
    if (result.outcome === 'interrupted') return ExitCode.interrupted;
    return result.outcome === 'failed' ? ExitCode.failed : ExitCode.ok;
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
    process.off('SIGHUP', onHangup);
  }
}
