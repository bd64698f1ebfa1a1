import type { Db } from '../postgres/connect.js';
import type { SqlStatement } from '../engine/split.js';
import type { Diagnose, PgError } from '../engine/failure.js';

/**
 * A failure's hint from the shared diagnosis (diagnose.ts), asked on a session that still works
 * (the migration's own transaction is aborted by then). `later`: the migrations that run after the
 * failing one, to recognise an order problem. The engine gets this as an option: it never loads
 * the analysis layer itself.
 */
export const diagnoseFailure: Diagnose = async (
  db: Pick<Db, 'query'>,
  err: unknown,
  stmt: SqlStatement | undefined,
  blockers: number[],
  later: { name: string; sql: string }[],
) => {
  const e = err as PgError;
  // Loaded on the first failure only: a run that succeeds never pays for the diagnosis rules.
  const { diagnose } = await import('./diagnose.js');
  return diagnose(
    {
      code: e?.code ?? '',
      message: e?.message ?? String(err),
      table: e?.table,
      column: e?.column,
      constraint: e?.constraint,
      detail: e?.detail,
    },
    { statement: stmt?.sql ?? '', line: stmt?.line, db, blockingPids: blockers, laterMigrations: later },
  );
};
