import pg from 'pg';
import type { Db } from '../postgres/connect.js';
import { PRISMA_ADVISORY_LOCK } from './advisoryLock.js';

// The engine owns its session. A migration may change it under the engine (RESET ALL, SET ROLE,
// SET search_path, pg_advisory_unlock_all()...): its settings are set again at the start of every
// migration, the bookkeeping runs as the role and with the search_path the run started with, and
// before each COMMIT the engine checks that it still holds Prisma's advisory lock. Each is one
// statement of the migration's own pipeline, so none of it costs a round trip.

/** What the run started with, set again for every migration. */
export interface SessionSettings {
  statementTimeoutMs: number;
  /** statement_timeout was not asked for: this is the session's own (the role's or database's setting). */
  statementTimeoutInherited: boolean;
  /** The session user at the start (SET SESSION AUTHORIZATION changes it, and the role with it). */
  sessionUser: string;
  /** current_setting('role') at the start: 'none' when no SET ROLE was in effect. */
  role: string;
  searchPath: string;
}

// The driver's own quoting (it also handles backslashes the server would read as escapes).
const lit = (s: string) => pg.escapeLiteral(s);

/** `statementTimeoutMs` undefined: the session's own statement_timeout is kept (a DBA's ALTER ROLE ... SET is policy). */
export async function readSessionSettings(db: Db, statementTimeoutMs: number | undefined): Promise<SessionSettings> {
  const r = await db.query<{ session_user: string; role: string; search_path: string; statement_timeout: string }>(
    `SELECT current_setting('session_authorization') AS session_user, current_setting('role') AS role, current_setting('search_path') AS search_path, (SELECT setting FROM pg_settings WHERE name = 'statement_timeout') AS statement_timeout`,
  );
  const row = r.rows[0]!;
  const ms = statementTimeoutMs ?? Number(row.statement_timeout);
  return {
    statementTimeoutMs: Math.max(0, Math.round(ms)),
    statementTimeoutInherited: statementTimeoutMs === undefined,
    sessionUser: row.session_user,
    role: row.role,
    searchPath: row.search_path,
  };
}

/** For the run's start: a statement_timeout the run keeps from the role or database, in words; nothing when off or asked for. */
export function describeInheritedTimeout(s: SessionSettings): { statementTimeout?: string } {
  if (!s.statementTimeoutInherited || !s.statementTimeoutMs) return {};
  const ms = s.statementTimeoutMs;
  const shown = ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
  return {
    statementTimeout: `statement_timeout ${shown} is the database's or the role's own setting, kept for this run (--statement-timeout 0 lifts it)`,
  };
}

/**
 * Back to the session user and role the run started with. The session user goes first: setting it
 * resets the role. The user that logged in may always return to itself (PostgreSQL checks the
 * authenticated user, not the one a SET SESSION AUTHORIZATION made current).
 */
const whoSql = (s: SessionSettings) =>
  `set_config('session_authorization', ${lit(s.sessionUser)}, false), set_config('role', ${lit(s.role)}, false)`;

/** The engine's settings, before a migration's first statement (session-wide, so they hold in and out of its transaction). */
export function assertSettingsSql(s: SessionSettings, lockTimeoutMs: number): string {
  return `SELECT ${whoSql(s)}, set_config('search_path', ${lit(s.searchPath)}, false), set_config('lock_timeout', ${lit(`${Math.max(0, Math.round(lockTimeoutMs))}ms`)}, false), set_config('statement_timeout', ${lit(`${s.statementTimeoutMs}ms`)}, false)`;
}

/**
 * Before the bookkeeping of a migration: back to the run's role and search_path, and a division by
 * zero if Prisma's advisory lock is no longer ours (the caller knows this statement and says so).
 */
export function guardSql(s: SessionSettings): string {
  return `SELECT ${whoSql(s)}, set_config('search_path', ${lit(s.searchPath)}, false), 1 / (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND classid = 0 AND objid = ${PRISMA_ADVISORY_LOCK} AND objsubid = 1 AND granted)`;
}

export const ADVISORY_LOCK_LOST = 'ADVISORY_LOCK_LOST';

export function advisoryLockLost(migration: string): Error & { code: string } {
  return Object.assign(
    new Error(
      `Prisma's advisory lock was released while ${migration} ran (by pg_advisory_unlock_all(), pg_advisory_unlock(${PRISMA_ADVISORY_LOCK}) or DISCARD ALL in the migration): another run could apply the same migrations at once, so this migration was rolled back and the run stopped`,
    ),
    { code: ADVISORY_LOCK_LOST },
  );
}

/** For autocommit steps and non-atomic migrations: the same guard as its own query; false if the lock is gone. */
export async function stillHoldsLock(db: Db, s: SessionSettings): Promise<boolean> {
  try {
    await db.query(guardSql(s));
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === '22012') return false;
    throw err;
  }
}

/**
 * Prisma's "finished" update of the migration's row, checked: a division by zero when the row is
 * gone (the migration deleted it) or the history holds fewer than `historyRows` rows (it deleted
 * others'). The count before the UPDATE is read in the same statement (the CTE's snapshot).
 */
export function finishSql(id: string, historyRows: number): string {
  return `WITH done AS (UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = applied_steps_count + 1 WHERE id = ${lit(id)} RETURNING 1) SELECT 1 / ((SELECT count(*) FROM done) = 1 AND (SELECT count(*) FROM "_prisma_migrations") >= ${Math.trunc(historyRows)})::int`;
}

export const HISTORY_CHANGED = 'HISTORY_CHANGED';

const rows = (n: number) => `${n} row${n === 1 ? '' : 's'}`;

/**
 * The failure of a migration that deleted rows of the history. An atomic one was rolled back with
 * them; a non-atomic one committed the deletion, and the rows stay gone (`found` of `expected`).
 */
export function historyChanged(
  migration: string,
  committed?: { expected: number; found: number },
): Error & { code: string } {
  const what = `${migration} deleted or changed rows of Prisma's history table _prisma_migrations`;
  const message = committed
    ? `${what} (${rows(committed.expected)} expected, ${committed.found} found); it is not atomic, so that stays: it is marked failed and the run stopped; compare \`status\` with what the database holds and record the missing migrations (\`skip NAME\`) before running again`
    : `${what}, so it was rolled back and the run stopped: a migration must not write to that table; remove that statement`;
  return Object.assign(new Error(message), { code: HISTORY_CHANGED });
}
