import type { MigrationError } from './events.js';
import type { SqlStatement } from './split.js';

/** A PostgreSQL error as node-postgres reports it. */
export interface PgError {
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
  table?: string;
  column?: string;
  constraint?: string;
  schema?: string;
  position?: string;
}

export const LOCK_NOT_AVAILABLE = '55P03';
export const QUERY_CANCELED = '57014';

export function isConnectionLoss(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    ['ECONNRESET', 'EPIPE', '57P01', '57P02', '57P03', '08006', '08003', '08000'].includes(e?.code ?? '') ||
    /Connection terminated|connection.*closed|Client has encountered a connection error/i.test(e?.message ?? '')
  );
}

const trim = (sql: string, max = 300) => {
  const one = sql.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
};

/** The JSON error of DESIGN.md: SQLSTATE, the server's message, the statement, its line. */
export function toMigrationError(err: unknown, statement?: SqlStatement, hint?: string): MigrationError {
  const e = err as PgError;
  return {
    code: e?.code && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : (e?.code ?? 'ERROR'),
    message: e?.message ?? String(err),
    ...(statement ? { statement: trim(statement.sql), position: statement.line } : {}),
    ...(hint ? { hint } : {}),
  };
}

/** What Prisma keeps in `logs` for a failed migration, readable by a DBA in psql. */
export function failureLogs(name: string, error: MigrationError, extra?: string): string {
  return [
    `Migration name: ${name}`,
    '',
    `Database error code: ${error.code}`,
    '',
    'Database error:',
    `ERROR: ${error.message}`,
    ...(error.statement ? ['', `Statement (migration.sql line ${error.position}):`, error.statement] : []),
    ...(error.hint ? ['', `Hint: ${error.hint}`] : []),
    ...(extra ? ['', extra] : []),
  ].join('\n');
}

/**
 * Turns a failure into a short hint in the guide's terms (the analysis layer's diagnosis, given by
 * the caller). `db` still works when the migration's own transaction is aborted; `later`: the
 * migrations that run after the failing one.
 */
export type Diagnose = (
  db: Pick<import('../postgres/connect.js').Db, 'query'>,
  err: unknown,
  stmt: import('./split.js').SqlStatement | undefined,
  blockers: number[],
  later: { name: string; sql: string }[],
) => Promise<string | undefined>;
