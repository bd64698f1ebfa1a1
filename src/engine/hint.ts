import type { Db } from '../postgres/connect.js';
import type { LocalMigration } from '../runbook/folder.js';
import type { SqlStatement } from './split.js';
import type { PgError } from './failure.js';

/**
 * The engine's hint for a failure: the shared diagnosis (src/analysis/diagnose.ts), asked on the
 * watcher's session because the migration's own transaction is aborted at that point.
 */
export function hintFor(db: Pick<Db, 'query'>, laterThan: (name: string) => LocalMigration[]) {
  return (migration: string) =>
    async (err: unknown, stmt: SqlStatement | undefined, blockers: number[]): Promise<string | undefined> => {
      const e = err as PgError;
      // Loaded on the first failure only: a run that succeeds never pays for the analysis modules.
      const { diagnose } = await import('../analysis/diagnose.js');
      return diagnose(
        { code: e?.code ?? '', message: e?.message ?? String(err), table: e?.table, column: e?.column, constraint: e?.constraint, detail: e?.detail },
        { statement: stmt?.sql ?? '', line: stmt?.line, db, blockingPids: blockers, laterMigrations: laterThan(migration).map((m) => ({ name: m.name, sql: m.sql })) },
      );
    };
}
