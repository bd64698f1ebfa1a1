// The guide's "Post-Migration Verification / Database Integrity Checks", run as one step.
import type { Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { readHistory } from '../runbook/history.js';

export interface IntegrityReport {
  status: 'pass' | 'warn' | 'fail';
  unvalidatedForeignKeys: { constraint: string; table: string; definition: string }[];
  foreignKeysWithoutIndex: { constraint: string; table: string; columns: string }[];
  tableCounts: { schema: string; tables: number; foreign_keys: number }[];
  /** Indexes left INVALID (a failed or cancelled CREATE INDEX CONCURRENTLY): slower writes, no reads. */
  invalidIndexes: string[];
  history: { rows: number; finished: number; failed: string[]; rolledBack: number; lastFinishedAt: string | null };
  findings: string[];
}

export async function integrityChecks(db: Pick<Db, 'query'>): Promise<IntegrityReport> {
  const unvalidatedForeignKeys = (await db.query(sqlFile('unvalidated_foreign_keys')))
    .rows as IntegrityReport['unvalidatedForeignKeys'];
  const foreignKeysWithoutIndex = (await db.query(sqlFile('foreign_keys_without_index')))
    .rows as IntegrityReport['foreignKeysWithoutIndex'];
  const tableCounts = (await db.query(sqlFile('table_counts'))).rows as IntegrityReport['tableCounts'];
  const invalidIndexes = (await db.query<{ name: string }>(sqlFile('rehearse_invalid_indexes'))).rows.map(
    (r) => r.name,
  );
  const rows = await readHistory(db);
  const finishedRows = rows.filter((r) => r.finished_at && !r.rolled_back_at);
  const failed = rows.filter((r) => !r.finished_at && !r.rolled_back_at).map((r) => r.migration_name);
  const last = finishedRows.map((r) => new Date(r.finished_at!).getTime()).sort((a, b) => b - a)[0];
  const history = {
    rows: rows.length,
    finished: finishedRows.length,
    failed,
    rolledBack: rows.filter((r) => r.rolled_back_at).length,
    lastFinishedAt: last ? new Date(last).toISOString() : null,
  };
  const findings: string[] = [];
  if (unvalidatedForeignKeys.length)
    findings.push(
      `${unvalidatedForeignKeys.length} foreign key(s) not validated: ${unvalidatedForeignKeys.map((f) => `${f.table}.${f.constraint}`).join(', ')} (ALTER TABLE ... VALIDATE CONSTRAINT)`,
    );
  if (failed.length) findings.push(`failed migration(s) in _prisma_migrations: ${failed.join(', ')}`);
  if (foreignKeysWithoutIndex.length)
    findings.push(
      `${foreignKeysWithoutIndex.length} foreign key(s) without a covering index: ${foreignKeysWithoutIndex
        .slice(0, 10)
        .map((f) => `${f.table}(${f.columns})`)
        .join(', ')}${foreignKeysWithoutIndex.length > 10 ? ', …' : ''}`,
    );
  if (invalidIndexes.length)
    findings.push(
      `${invalidIndexes.length} INVALID index(es), left by a failed or cancelled CREATE INDEX CONCURRENTLY: ${invalidIndexes.join(', ')} (DROP INDEX CONCURRENTLY IF EXISTS ..., then create it again)`,
    );
  const status =
    unvalidatedForeignKeys.length || failed.length || invalidIndexes.length
      ? 'fail'
      : foreignKeysWithoutIndex.length
        ? 'warn'
        : 'pass';
  return { status, unvalidatedForeignKeys, foreignKeysWithoutIndex, tableCounts, invalidIndexes, history, findings };
}
