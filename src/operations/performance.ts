// `verify --performance` and `verify --log-slow`: the guide's "Performance Validation" and "Enable
// Query Logging (temporarily)", each journalled here, once, for both front ends.
import { withDb, type Db } from '../postgres/connect.js';
import { readHistory } from '../runbook/history.js';
import { migrationStates } from '../runbook/status.js';
import { readJournalFile } from '../journal/read.js';
import { performanceReport, type PerformanceReport } from '../safety/performance.js';
import { PERFORMANCE_JOURNAL } from '../safety/journalItems.js';
import { enableSlowLog, restoreSlowLog } from '../safety/queryLogging.js';
import type { Prepared } from './confirm.js';
import type { Workspace } from './workspace.js';

export type { PerformanceReport };
/** A slow-statement log whose period has ended is put back at the console's start. */
export { restoreExpiredSlowLog } from '../safety/queryLogging.js';

/** What the report reads: the applied migrations' files (their indexes) and the journal's figures. */
export interface PerformancePlan {
  /** Known already (the console's Migrations pane): no history is read again. */
  applied?: string[];
}

/** A read of sizes and statistics: nothing to confirm. */
export function preparePerformance(_ws: Workspace, input: PerformancePlan = {}): Prepared<PerformancePlan> {
  return { plan: { ...input }, question: null };
}

/**
 * Largest tables (compared with the figures journalled before the run), the run's indexes and the
 * slowest statements; the figures are journalled whole, since the next run's verification
 * compares with them. The console passes its open session and says where it came from.
 */
export async function executePerformance(
  ws: Workspace,
  plan: PerformancePlan,
  io: { db?: Db; from?: string } = {},
): Promise<PerformanceReport> {
  const folder = await ws.folder();
  const journal = await ws.journal();
  const lines = readJournalFile(journal.file, { statements: 'index-builds' }).lines;
  const work = async (db: Db) => {
    const applied = new Set(
      plan.applied ??
        migrationStates(folder.migrations, await readHistory(db))
          .filter((s) => s.state === 'applied')
          .map((s) => s.name),
    );
    const migrations = folder.migrations.filter((m) => applied.has(m.name));
    return performanceReport(db, lines, migrations);
  };
  const r = io.db ? await work(io.db) : await withDb(ws.target(), work, { applicationName: 'citadel-migrate verify' });
  journal.event(PERFORMANCE_JOURNAL, {
    tables: r.tables.map(({ schema, table, totalBytes }) => ({ schema, table, totalBytes })),
    indexes: r.indexes,
    invalid: r.invalid,
    unused: r.unused,
    statements: r.statements.available ? r.statements.rows.length : r.statements.reason,
    ...(io.from ? { from: io.from } : {}),
  });
  return r;
}

/** `--log-slow DURATION [--for DURATION]` or `--log-slow off`. */
export interface SlowLogPlan {
  off: boolean;
  value: string;
  forMs?: number;
}

export type SlowLogResult =
  | { off: true; restoredTo: string | null }
  | { off: false; value: string; previous: string; until: string | null };

/** ALTER SYSTEM on a setting the journal restores: asked of nobody today, as before. */
export function prepareSlowLog(_ws: Workspace, input: { value: string; forMs?: number }): Prepared<SlowLogPlan> {
  return { plan: { off: input.value.trim().toLowerCase() === 'off', ...input }, question: null };
}

/** Sets (or restores) log_min_duration_statement; the journal keeps the previous value to restore. */
export async function executeSlowLog(ws: Workspace, plan: SlowLogPlan): Promise<SlowLogResult> {
  const target = ws.target();
  const journal = await ws.journal();
  const lines = readJournalFile(journal.file, { statements: 'none' }).lines;
  return withDb(
    target,
    async (db): Promise<SlowLogResult> => {
      if (plan.off) {
        const r = await restoreSlowLog(db, journal, lines, target.user, 'asked');
        return { off: true, restoredTo: r?.restoredTo ?? null };
      }
      const c = await enableSlowLog(db, journal, lines, plan.value, plan.forMs, target.user);
      return { off: false, value: c.value, previous: c.previous, until: c.until };
    },
    { applicationName: 'citadel-migrate verify' },
  );
}
