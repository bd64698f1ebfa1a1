import path from 'node:path';
import type { Context } from '../context.js';
import type { Target } from '../../postgres/target.js';
import { print, printErr, printJson } from '../output.js';
import { ExitCode, UserError } from '../errors.js';
import { confirm } from '../prompt.js';
import { contextManifest } from '../../safety/runbook.js';
import { findAction, runAction } from '../../safety/actions.js';
import { commandText, expectText } from '../../runbook/actions.js';
import { formatDuration } from '../../safety/format.js';
import { notifierFor } from '../../notify/forWorkspace.js';
import { stopReading } from '../../operations/stopDeadline.js';

/** `citadel-migrate action NAME`: runs one of the runbook's actions, asks first, streams its output. */
export default async function action(ctx: Context, args: string[]): Promise<number> {
  const name = args[0]!;
  const manifest = await contextManifest(ctx);
  const runbookFile = ctx.runbookFile();
  const a = findAction(manifest?.actions ?? [], name, runbookFile);
  const command = commandText(a);
  if (ctx.needsConfirmation(`run the action ${name} (${command})`)) {
    if (!(await confirm(`Run the action ${name}: ${command}?`)))
      throw new UserError(`The action ${name} was not run: answer y to run it.`, 'bad-input');
  }
  // The target is parsed even when the action has no check: its password is then masked in the output.
  let target: Target | undefined;
  try {
    target = ctx.target();
  } catch (err) {
    if (a.check) throw err;
  }
  const connection = target;
  if (!a.check) target = undefined;
  if (!ctx.json)
    printErr(`$ ${command}${a.check ? `  (then: ${a.check.label} expected ${expectText(a.check.expect)})` : ''}`);
  // The journal is found by asking the server who it is: a server that does not answer stops nothing.
  const notRun = `Stopped before the action ${name} started; nothing was run.`;
  const journal = await stopReading(ctx.signal, ctx.journal(), 'action', notRun);
  const notifier = await notifierFor(ctx);
  const r = await runAction({
    action: a,
    target,
    connection,
    journal,
    signal: ctx.signal,
    baseDir: runbookFile ? path.dirname(runbookFile) : undefined,
    // The command's own output goes to stderr, so that --json keeps stdout one document.
    onOutput: (text) => process.stderr.write(text),
  });
  notifier.send({
    event: 'action.finished',
    migration: null,
    outcome: r.outcome,
    durationMs: r.durationMs,
    action: name,
    ...(r.error ? { error: { code: r.outcome, message: r.error } } : {}),
  });
  await notifier.settle();
  if (ctx.json) printJson(r);
  else {
    const sym = r.outcome === 'ok' ? '✓' : '✗';
    print(
      `${sym} ${name}: ${r.outcome === 'ok' ? 'done' : r.outcome} in ${formatDuration(r.durationMs)}${r.exitCode !== undefined ? ` (exit ${r.exitCode})` : ''}`,
    );
    if (r.check) print(`  ${r.check.ok ? '✓' : '✗'} ${r.check.evidence}`);
  }
  if (r.outcome === 'ok') return ExitCode.ok;
  throw new UserError(r.error ?? `The action ${name} failed.`, 'failed');
}
