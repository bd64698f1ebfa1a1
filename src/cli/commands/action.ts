import type { Context } from '../context.js';
import { print, printErr, printJson } from '../output.js';
import { ExitCode, UserError } from '../errors.js';
import { formatDuration } from '../../format.js';
import { executeAction, prepareAction } from '../../operations/action.js';

/** `citadel-migrate action NAME`: runs one of the runbook's actions, asks first, streams its output. */
export default async function action(ctx: Context, args: string[]): Promise<number> {
  const plan = await prepareAction(ctx, { name: args[0] ?? '' });
  const { name, command } = plan;
  const ask = ctx.confirmation(`run the action ${name} (${command})`);
  if (ask && !(await ask(plan.question)).confirmed)
    throw new UserError(`The action ${name} was not run: answer y to run it.`, 'bad-input');
  if (!ctx.json) printErr(`$ ${command}${plan.checkText ? `  (then: ${plan.checkText})` : ''}`);
  // The command's own output goes to stderr, so that --json keeps stdout one document.
  const r = await executeAction(ctx, plan, { onOutput: (text) => process.stderr.write(text) });
  if (ctx.json) printJson(r);
  else {
    const sym = r.outcome === 'ok' ? '✓' : '✗';
    const exit = r.exitCode !== undefined ? ` (exit ${r.exitCode})` : '';
    print(`${sym} ${name}: ${r.outcome === 'ok' ? 'done' : r.outcome} in ${formatDuration(r.durationMs)}${exit}`);
    if (r.check) print(`  ${r.check.ok ? '✓' : '✗'} ${r.check.evidence}`);
  }
  if (r.outcome === 'ok') return ExitCode.ok;
  throw new UserError(r.error ?? `The action ${name} failed.`, 'failed');
}
