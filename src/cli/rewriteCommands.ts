// The --rewrite forms of plan and run: parse the flags, call the operation, print text or JSON.
import type { Context } from './context.js';
import path from 'node:path';
import { findMigration, planRewrite, runRewriteOperation, type RewritePlan } from '../operations/rewrite.js';
import { prepareRewriteApply, writeRewriteApply } from '../operations/rewriteApply.js';
import { confirmOnTerminal } from './prompt.js';
import { holdOptions } from './holdOptions.js';
import { ExitCode, usageError } from './errors.js';
import { print, printErr, printJson } from './output.js';
import { planRewriteDocument, renderPlanRewrite, rewriteProgressPrinter, runRewriteDocument } from './rewriteOutput.js';

function batchRows(opts: Record<string, unknown>): number | undefined {
  if (opts.batchRows === undefined) return undefined;
  const n = Number(opts.batchRows);
  if (!Number.isInteger(n) || n < 1)
    throw usageError(`--batch-rows needs a whole number of rows of at least 1 (got ${String(opts.batchRows)}).`);
  return n;
}

async function toName(ctx: Context, opts: Record<string, unknown>): Promise<string | undefined> {
  if (opts.to === undefined) return undefined;
  if (!String(opts.to).trim()) throw usageError('--to needs the name of a migration (got an empty value).');
  return findMigration(await ctx.folder(), String(opts.to)).name;
}

export async function planRewriteCommand(ctx: Context, opts: Record<string, unknown>): Promise<number> {
  if (opts.apply && !opts.rewrite) throw usageError('--apply goes with --rewrite: `plan --rewrite --apply`.');
  const plan = await planRewrite(ctx, { to: await toName(ctx, opts), batchRows: batchRows(opts) });
  if (opts.apply) return applyRewrite(ctx, plan);
  if (ctx.json) printJson(planRewriteDocument(plan));
  else print(renderPlanRewrite(plan));
  return ExitCode.ok;
}

async function applyRewrite(ctx: Context, plan: RewritePlan): Promise<number> {
  const ready = prepareRewriteApply(ctx, plan, path.dirname((await ctx.journal()).file));
  if (!ready.migrations.length) {
    if (ctx.json) printJson({ applied: false, reason: 'nothing to rewrite' });
    else print('Nothing to write: every pending migration is safe as written.');
    return ExitCode.ok;
  }
  const lines = ready.migrations.flatMap((m) => [
    `${m.name} becomes ${m.files.length} migrations:`,
    ...m.files.map(
      (f) =>
        `  ${f.folder}/migration.sql  ${
          f.sql
            .split('\n')
            .find((l) => l && !l.startsWith('--'))
            ?.slice(0, 80) ?? ''
        }`,
    ),
  ]);
  // Under --json the list goes to stderr, so stdout stays one JSON document.
  (ctx.json ? printErr : print)(lines.join('\n'));
  const answer = await confirmOnTerminal(
    {
      title: `Write these into ${ready.dir}?`,
      lines: [`The original folders are moved to ${ready.originals}.`],
      kind: 'y',
      verb: 'write them',
    },
    { yes: ctx.opts.yes, what: 'write the safe form into the migrations folder' },
  );
  if (!answer.confirmed) {
    if (ctx.json) printJson({ applied: false, reason: 'declined' });
    else print('Nothing changed.');
    return ExitCode.ok;
  }
  await writeRewriteApply(ctx, ready);
  if (ctx.json)
    printJson({
      applied: true,
      migrations: ready.dir,
      originals: ready.originals,
      written: ready.migrations.map((m) => ({ name: m.name, folders: m.files.map((f) => f.folder) })),
    });
  else
    print(
      `Written. The original folders are in ${ready.originals}. \`prisma migrate deploy\` and \`citadel-migrate run\` now run the safe form as the files say.`,
    );
  return ExitCode.ok;
}

export async function runRewriteCommand(ctx: Context, opts: Record<string, unknown>): Promise<number> {
  const to = await toName(ctx, opts);
  const rows = batchRows(opts);
  const limits = holdOptions(opts);
  const ask = ctx.confirmation('apply migrations');
  const controller = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts > 1) process.exit(ExitCode.interrupted);
    printErr(
      '\nStopping after the running step (or batch); `run --rewrite` resumes at the next one (Ctrl-C again to quit at once)…',
    );
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  try {
    const result = await runRewriteOperation(
      ctx,
      { to, batchRows: rows, signal: controller.signal, limits },
      { ask, onEvent: rewriteProgressPrinter(printErr) },
    );
    if (result.outcome === 'declined') {
      printErr('Nothing was applied.');
      return ExitCode.usage;
    }
    if (ctx.json) printJson(runRewriteDocument(result));
    else if (result.outcome === 'nothing-to-do') print('Nothing to apply: every migration is applied.');
    else {
      const count = (o: string) => result.migrations.filter((m) => m.outcome === o).length;
      const summary = `${count('applied')} applied, ${count('failed')} failed, ${count('not-run')} not run (${(result.durationMs / 1000).toFixed(1)}s)`;
      if (result.outcome === 'interrupted')
        printErr(`Interrupted: ${summary}. \`citadel-migrate run --rewrite\` resumes at the next step.`);
      else print(summary);
      for (const m of result.migrations)
        if (m.outcome === 'failed' && m.error?.code !== 'STOPPED')
          printErr(
            `${m.name} stopped at step ${m.error?.step}: ${m.error?.message}. Steps before it are done; fix the cause, then \`citadel-migrate run --rewrite\` resumes at step ${m.error?.step}.`,
          );
    }
    if (result.outcome === 'interrupted') return ExitCode.interrupted;
    return result.outcome === 'failed' ? ExitCode.failed : ExitCode.ok;
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}
