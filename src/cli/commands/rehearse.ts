import type { Context } from '../context.js';
import type { Journal } from '../../journal/journal.js';
import { rehearse, type RehearsalResult } from '../../analysis/rehearse.js';
import { loadManifest } from '../../runbook/loadManifest.js';
import { formatBytes } from '../../analysis/findings.js';
import { renderPreflight } from '../../analysis/preflight-words.js';
import { print, printErr, printJson } from '../output.js';
import { ExitCode, UserError } from '../errors.js';
import { stopReading, withStopDeadline, STOP_DEADLINE_MS } from '../../operations/stopDeadline.js';
import { findMigration } from '../../runbook/folder.js';

export default async function rehearseCommand(
  ctx: Context,
  _args: string[],
  opts: Record<string, unknown>,
): Promise<number> {
  const folder = await ctx.folder();
  const to = opts.to ? findMigration(folder, String(opts.to)).name : undefined;
  const target = ctx.target();
  const estimates = await guideEstimates(ctx);

  // Ctrl-C (or a dropped SSH link) stops the rehearsal after the current statement; the scratch
  // copy is removed on the way out either way.
  const abort = new AbortController();
  const onSignal = () => {
    if (!abort.signal.aborted) printErr('Stopping the rehearsal and removing the scratch copy…');
    abort.abort();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);

  const scratch = opts.scratch === 'server' ? 'server' : 'sandbox';
  const untouched =
    'Stopped before rehearse had its answer from the server; nothing was changed (rehearse only reads the target).';
  let journal: Journal;
  try {
    journal = await stopReading(abort.signal, ctx.journal(), 'rehearse', untouched);
  } catch (err) {
    for (const s of signals) process.off(s, onSignal);
    exitOnceSaid(abort.signal);
    throw err;
  }
  const end = journal.begin('rehearse', {
    scratch,
    withData: Boolean(opts.withData),
    keepGoing: Boolean(opts.keepGoing),
  });
  let result: RehearsalResult;
  try {
    const rehearsing = rehearse({
      target,
      folder,
      scratch,
      withData: Boolean(opts.withData),
      keepGoing: Boolean(opts.keepGoing),
      to,
      signal: abort.signal,
      estimates,
      onProgress: ctx.json ? undefined : (line) => printErr(line),
    });
    // The rehearsal stops after its statement is cancelled; a target that stopped answering (its
    // facts, its dump) would hold it for good.
    result = await withStopDeadline(abort.signal, rehearsing, async () => {
      const left =
        scratch === 'server'
          ? ', and a scratch copy left on its server is removed by the next backup (or `backup --clean-scratch`)'
          : '';
      throw new UserError(
        `Stopped without an answer from the server within ${STOP_DEADLINE_MS / 1000} s; the target is untouched (a rehearsal only reads it)${left}.`,
        'interrupted',
      );
    });
  } catch (err) {
    end({ ok: false, error: (err as Error).message });
    exitOnceSaid(abort.signal);
    throw err;
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
  // statementMs: the run's ETA for a long statement comes from a rehearsal with data (journal/rehearsed.ts)
  end({
    outcome: result.outcome,
    migrations: result.migrations.map((m) => ({
      name: m.name,
      outcome: m.outcome,
      durationMs: m.durationMs,
      statementMs: m.statementTimings.map((t) => t.durationMs),
      ...(m.error ? { error: m.error } : {}),
    })),
  });

  if (ctx.json) printJson(result);
  else print(renderRehearsal(result, target.display));
  if (result.outcome === 'interrupted') return ExitCode.interrupted;
  const dataWillFail = result.preflight?.findings.some((f) => f.outcome === 'will-fail');
  return result.outcome === 'failed' || dataWillFail ? ExitCode.failed : ExitCode.ok;
}

/** A stalled session would keep the process alive after a stop: it ends once the sentence is printed. */
function exitOnceSaid(signal: AbortSignal): void {
  if (signal.aborted) setTimeout(() => process.exit(ExitCode.interrupted), 100).unref();
}

async function guideEstimates(
  ctx: Context,
): Promise<Map<string, { minMinutes: number; maxMinutes: number }> | undefined> {
  const file = ctx.runbookFile();
  if (!file) return undefined;
  try {
    const manifest = await loadManifest(file);
    return new Map(manifest.migrations.map((m) => [m.name, m.estimate]));
  } catch (err) {
    printErr(
      `The runbook manifest could not be read (${(err as Error).message}): rehearsing without the guide's estimates.`,
    );
    return undefined;
  }
}

const SYMBOL = { applied: '✓', failed: '✗', skipped: '↷', 'not-run': '·' } as const;

function took(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

export function renderRehearsal(r: RehearsalResult, where: string): string {
  const out: string[] = [];
  const kind = r.scratch === 'sandbox' ? 'an embedded sandbox' : "a scratch database on the target's server";
  out.push(
    `REHEARSAL of ${where} on ${kind} (${r.copy === 'schema' ? 'schema only' : 'schema and data'}, copied in ${took(r.copyMs)}): the target is untouched.`,
  );
  if (!r.migrations.length) {
    out.push('Nothing is pending: there is nothing to rehearse.');
    return out.join('\n');
  }
  out.push('');
  for (const m of r.migrations) {
    const est = m.estimate ? `  (guide: ${m.estimate.minMinutes}-${m.estimate.maxMinutes} min)` : '';
    out.push(
      `${SYMBOL[m.outcome]} ${m.name}  ${m.outcome}${m.outcome === 'not-run' ? '' : `  ${took(m.durationMs)}`}${est}${m.atomic ? '' : '  (not atomic)'}`,
    );
    const heavy = m.locks.filter((l) =>
      ['ACCESS EXCLUSIVE', 'EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'SHARE'].includes(l.mode),
    );
    if (heavy.length)
      out.push(
        `    locks held: ${heavy
          .slice(0, 5)
          .map((l) => `${l.mode} on ${l.relation} ${took(l.heldMs)}`)
          .join(', ')}${heavy.length > 5 ? `, +${heavy.length - 5} more` : ''}`,
      );
    if (m.rewrites.length)
      out.push(
        `    rewrote: ${m.rewrites.join(', ')} (on the target this takes time and disk in proportion to the table)`,
      );
    if (m.invalidIndexes.length)
      out.push(`    left invalid indexes: ${m.invalidIndexes.join(', ')} (drop or REINDEX them)`);
    if (m.sizeGrowthBytes > 1024 * 1024) out.push(`    grew the copy by ${formatBytes(m.sizeGrowthBytes)}`);
    if (m.error) {
      out.push(`    ${m.error.code}${m.error.position ? ` at line ${m.error.position}` : ''}: ${m.error.message}`);
      if (m.error.statement) out.push(`      ${m.error.statement}`);
      if (m.error.hint) out.push(`    hint: ${m.error.hint}`);
    }
  }
  const count = (o: string) => r.migrations.filter((m) => m.outcome === o).length;
  out.push('');
  out.push(
    `${count('applied')} applied, ${count('failed')} failed, ${count('not-run')} not run, in ${took(r.durationMs)}${r.outcome === 'interrupted' ? ' (interrupted)' : ''}.`,
  );
  if (r.copy === 'schema') {
    out.push('Schema only: the timings are those of empty tables; --with-data rehearses on a full copy.');
    out.push(
      'Schema-only copy: failures that depend on the rows (NOT NULL, unique, foreign keys, CHECK, type changes) are checked by the data preflight on the target only:',
    );
    if (r.preflight) {
      for (const f of r.preflight.findings.filter((x) => x.outcome === 'will-fail'))
        out.push(`  ✗ ${f.migration} line ${f.statement}: ${f.message}`);
      out.push(...renderPreflight(r.preflight).map((l) => `  ${l}`));
    }
  }
  if (count('failed') && count('not-run'))
    out.push('--keep-going goes on after a failure, so that one rehearsal finds every failure.');
  return out.join('\n');
}
