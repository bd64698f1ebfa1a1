// `verify --performance` and `verify --log-slow`: the guide's "Performance Validation" and "Enable
// Query Logging (temporarily)". Parsing and printing only; the work is in operations/performance.ts.
import type { Context } from '../context.js';
import { print, printJson, columns } from '../output.js';
import { ExitCode } from '../errors.js';
import { parseDuration } from '../duration.js';
import { formatBytes } from '../../format.js';
import {
  executePerformance,
  executeSlowLog,
  preparePerformance,
  prepareSlowLog,
  type PerformanceReport,
} from '../../operations/performance.js';

export async function verifyPerformance(ctx: Context): Promise<number> {
  const target = ctx.target();
  const { plan } = preparePerformance(ctx);
  const r = await executePerformance(ctx, plan);
  if (ctx.json) printJson(r);
  else print(render(target.display, r));
  return r.invalid.length ? ExitCode.failed : ExitCode.ok;
}

function delta(t: PerformanceReport['tables'][number]): string {
  if (t.beforeBytes === undefined) return '';
  const d = t.totalBytes - t.beforeBytes;
  return d === 0 ? 'unchanged' : `${d > 0 ? '+' : '-'}${formatBytes(Math.abs(d))}`;
}

function render(where: string, r: PerformanceReport): string {
  const out = [
    `Performance validation of ${where}`,
    '',
    `Largest tables${r.before ? ` (compared with ${r.before}, before the run)` : ''}:`,
  ];
  out.push(
    columns(
      r.tables.map((t) => [`  ${t.schema}.${t.table}`, formatBytes(t.totalBytes), `~${t.rowsEstimate} rows`, delta(t)]),
    ),
  );
  if (!r.before)
    out.push(
      '  (no figures from before the run in the journal: run `verify --performance` before the next run to compare)',
    );
  out.push(
    '',
    r.indexSource === 'none'
      ? 'No index created by the run.'
      : `Indexes created by the run (from the ${r.indexSource === 'journal' ? "run's statements in the journal" : "applied migrations' files"}):`,
  );
  out.push(
    columns(
      r.indexes.map((i) => [
        `  ${!i.present ? '✗' : !i.valid ? '✗' : i.scans === 0 ? '!' : '✓'} ${i.index}`,
        i.table ?? '',
        !i.present
          ? 'missing'
          : !i.valid
            ? 'INVALID: drop it and create it again'
            : `${i.scans} scans, ${i.tuplesRead} tuples read`,
        i.present ? formatBytes(i.bytes) : '',
      ]),
    ),
  );
  if (r.unused.length)
    out.push(`  ! not used yet: ${r.unused.join(', ')} (normal right after the run; check again once traffic has run)`);
  out.push('');
  if (!r.statements.available) out.push(`Slowest statements: ${r.statements.reason}`);
  else {
    out.push('Slowest statements (pg_stat_statements, by mean time):');
    out.push(columns(r.statements.rows.map((s) => [`  ${s.meanMs} ms`, `${s.calls} calls`, s.query.slice(0, 100)])));
  }
  return out.join('\n');
}

export async function verifyLogSlow(ctx: Context, value: string, forText: unknown): Promise<number> {
  const forMs = forText === undefined ? undefined : parseDuration(forText, '--for');
  const { plan } = prepareSlowLog(ctx, { value, forMs });
  const r = await executeSlowLog(ctx, plan);
  if (r.off) {
    if (ctx.json) printJson({ logSlow: 'off', restoredTo: r.restoredTo });
    else
      print(
        r.restoredTo !== null
          ? `✓ log_min_duration_statement restored to ${r.restoredTo} (ALTER SYSTEM, pg_reload_conf())`
          : 'Nothing to restore: no --log-slow of this journal is in force.',
      );
    return ExitCode.ok;
  }
  if (ctx.json) printJson({ logSlow: r.value, previous: r.previous, until: r.until });
  else
    print(
      `✓ statements slower than ${r.value} are logged (log_min_duration_statement, was ${r.previous})${r.until ? `; restored after ${r.until} (at the next console start) or with --log-slow off` : '; restore it with --log-slow off'}`,
    );
  return ExitCode.ok;
}
