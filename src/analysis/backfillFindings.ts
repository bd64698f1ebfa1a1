// plan's advice for a backfill: an UPDATE or DELETE of a large existing table in one statement is
// one long transaction (its row locks held to the end, all its WAL at once for the standbys to
// replay); the `-- citadel: batch N` directive runs it in short transactions (engine/batch.ts).
import type { Finding } from './findings.js';
import { formatBytes, formatRows } from './findings.js';
import type { RankedStatement } from './rank.js';
import { batchDirective } from '../engine/batch.js';

const LARGE = (s: RankedStatement) => (s.relationBytes ?? 0) >= 10 * 1024 * 1024 || (s.estimatedRows ?? 0) >= 10_000;

/** A warning for each UPDATE/DELETE of a large table that has no batch directive above it. */
export function backfillFindings(migration: string, script: string, statements: RankedStatement[]): Finding[] {
  return statements
    .filter(
      (s) =>
        (s.kind === 'UpdateStmt' || s.kind === 'DeleteStmt') &&
        s.relation &&
        LARGE(s) &&
        batchDirective(script, s) === undefined,
    )
    .map((s) => ({
      migration,
      statement: s.line,
      rule: 'unbatched-backfill',
      severity: 'warning' as const,
      message: `${s.kind === 'UpdateStmt' ? 'updates' : 'deletes from'} ${s.relation} (${formatBytes(s.relationBytes)}, ${formatRows(s.estimatedRows)}) in one transaction: its row locks are held to the end, and the standbys get all of its WAL at once`,
      fix: 'put the line "-- citadel: batch 10000" just above it: citadel-migrate then runs it in primary-key ranges, each its own transaction, holding while a standby is behind (Prisma and psql read the line as a comment)',
      source: 'runbook' as const,
      relation: s.relation,
      relationBytes: s.relationBytes,
      estimatedRows: s.estimatedRows,
    }));
}
