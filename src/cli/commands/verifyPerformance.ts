// `verify --performance` and `verify --log-slow`: the guide's "Performance Validation" and "Enable
// Query Logging (temporarily)". Parsing and printing only; the work is in safety/.
import type { Context } from '../context.js';
import { print, printJson, columns } from '../output.js';
import { ExitCode } from '../errors.js';
import { parseDuration } from '../duration.js';
import { withDb } from '../../postgres/connect.js';
import { readHistory } from '../../runbook/history.js';
import { migrationStates } from '../../runbook/status.js';
import { readJournalFile } from '../../journal/read.js';
import { performanceReport, type PerformanceReport } from '../../safety/performance.js';
import { PERFORMANCE_JOURNAL } from '../../safety/journalItems.js';
import { enableSlowLog, restoreSlowLog } from '../../safety/queryLogging.js';
import { formatBytes } from '../../safety/format.js';

export async function verifyPerformance(ctx: Context): Promise<number> {
  const target = ctx.target();
  const folder = await ctx.folder();
  const journal = await ctx.journal();
  const lines = readJournalFile(journal.file, { statements: 'index-builds' }).lines;
  const r = await withDb(
    target,
    async (db) => {
      const states = migrationStates(folder.migrations, await readHistory(db));
      const applied = new Set(states.filter((s) => s.state === 'applied').map((s) => s.name));
      return performanceReport(
        db,
        lines,
        folder.migrations.filter((m) => applied.has(m.name)),
      );
    },
    { applicationName: 'citadel-migrate verify' },
  );
  // The figures are journalled whole: the next run's verification compares with them.
  journal.event(PERFORMANCE_JOURNAL, {
    tables: r.tables.map(({ schema, table, totalBytes }) => ({ schema, table, totalBytes })),
    indexes: r.indexes,
    invalid: r.invalid,
    unused: r.unused,
    statements: r.statements.available ? r.statements.rows.length : r.statements.reason,
  });
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
  const target = ctx.target();
  const journal = await ctx.journal();
  const lines = readJournalFile(journal.file, { statements: 'none' }).lines;
  const off = value.trim().toLowerCase() === 'off';
  const forMs = forText === undefined ? undefined : parseDuration(forText, '--for');
  return withDb(
    target,
    async (db) => {
      if (off) {
        const r = await restoreSlowLog(db, journal, lines, target.user, 'asked');
        if (ctx.json) printJson({ logSlow: 'off', restoredTo: r?.restoredTo ?? null });
        else
          print(
            r
              ? `✓ log_min_duration_statement restored to ${r.restoredTo} (ALTER SYSTEM, pg_reload_conf())`
              : 'Nothing to restore: no --log-slow of this journal is in force.',
          );
        return ExitCode.ok;
      }
      const c = await enableSlowLog(db, journal, lines, value, forMs, target.user);
      if (ctx.json) printJson({ logSlow: c.value, previous: c.previous, until: c.until });
      else
        print(
          `✓ statements slower than ${c.value} are logged (log_min_duration_statement, was ${c.previous})${c.until ? `; restored after ${c.until} (at the next console start) or with --log-slow off` : '; restore it with --log-slow off'}`,
        );
      return ExitCode.ok;
    },
    { applicationName: 'citadel-migrate verify' },
  );
}
