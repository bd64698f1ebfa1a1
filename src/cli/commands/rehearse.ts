import type { Context } from '../context.js';
import { formatBytes } from '../../format.js';
import {
  executeRehearse,
  executeRehearseRewrite,
  prepareRehearse,
  renderPreflight,
  type RehearsalResult,
} from '../../operations/rehearse.js';
import { renderRehearseRewrite } from '../rehearseRewriteOutput.js';
import { print, printErr, printJson } from '../output.js';
import { ExitCode } from '../errors.js';

export default async function rehearseCommand(
  ctx: Context,
  _args: string[],
  opts: Record<string, unknown>,
): Promise<number> {
  const { plan } = await prepareRehearse(
    ctx,
    {
      ...(opts.to ? { to: String(opts.to) } : {}),
      scratch: opts.scratch === 'server' ? 'server' : 'sandbox',
      withData: Boolean(opts.withData),
      keepGoing: Boolean(opts.keepGoing),
    },
    { notice: printErr },
  );
  if (opts.rewrite) {
    const r = await executeRehearseRewrite(ctx, plan, { onProgress: ctx.json ? undefined : (line) => printErr(line) });
    if (ctx.json) printJson(r);
    else print(renderRehearseRewrite(r, ctx.target().display));
    return r.migrations.some((m) => m.outcome === 'failed') ? ExitCode.failed : ExitCode.ok;
  }

  // Ctrl-C (or a dropped SSH link) stops the rehearsal after the current statement; the scratch
  // copy is removed on the way out either way.
  const abort = new AbortController();
  const onSignal = () => {
    if (!abort.signal.aborted) printErr('Stopping the rehearsal and removing the scratch copy…');
    abort.abort();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  let result: RehearsalResult;
  try {
    result = await executeRehearse(ctx, plan, {
      signal: abort.signal,
      onProgress: ctx.json ? undefined : (line) => printErr(line),
    });
  } catch (err) {
    exitOnceSaid(abort.signal);
    throw err;
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }

  if (ctx.json) printJson(result);
  else print(renderRehearsal(result, ctx.target().display));
  if (result.outcome === 'interrupted') return ExitCode.interrupted;
  const dataWillFail = result.preflight?.findings.some((f) => f.outcome === 'will-fail');
  return result.outcome === 'failed' || dataWillFail ? ExitCode.failed : ExitCode.ok;
}

/** A stalled session would keep the process alive after a stop: it ends once the sentence is printed. */
function exitOnceSaid(signal: AbortSignal): void {
  if (signal.aborted) setTimeout(() => process.exit(ExitCode.interrupted), 100).unref();
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
