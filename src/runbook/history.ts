import { randomUUID } from 'node:crypto';
import type { Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';

/** One row of `_prisma_migrations`, as Prisma writes it. */
export interface HistoryRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

type Queryable = Pick<Db, 'query'>;

export async function historyExists(db: Queryable): Promise<boolean> {
  const r = await db.query<{ present: boolean }>(sqlFile('migration_history_exists'));
  return r.rows[0]?.present === true;
}

/** The rows, or none when the table does not exist yet (a fresh database: everything pending). */
export async function readHistory(db: Queryable, opts: { knownToExist?: boolean } = {}): Promise<HistoryRow[]> {
  if (!opts.knownToExist && !(await historyExists(db))) return [];
  const r = await db.query<HistoryRow>(sqlFile('migration_history'));
  return r.rows;
}

export async function ensureHistoryTable(db: Queryable): Promise<void> {
  if (await historyExists(db)) return;
  await createHistoryTable(db);
}

/** Prisma's _prisma_migrations, for a caller that knows it is missing. */
export async function createHistoryTable(db: Queryable): Promise<void> {
  await db.query(sqlFile('prisma_migrations_table'));
}

/** The row Prisma inserts before it runs a script. */
export async function insertStarted(db: Queryable, name: string, checksum: string): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO "_prisma_migrations" (id, checksum, started_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 0)`,
    [id, checksum, name],
  );
  return id;
}

/** What Prisma writes after a script succeeded. */
export async function markFinished(db: Queryable, id: string): Promise<void> {
  await db.query(
    `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = applied_steps_count + 1 WHERE id = $1`,
    [id],
  );
}

/** What Prisma writes after a script failed: the error in logs, finished_at left NULL (P3009). */
export async function markFailed(db: Queryable, id: string, logs: string): Promise<boolean> {
  const r = await db.query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1`, [id, logs]);
  return r.rowCount === 1;
}

/** How many rows the history holds (a migration that deleted some is caught by the count). */
export async function historyRowCount(db: Queryable): Promise<number> {
  return (await db.query<{ n: number }>(sqlFile('migration_history_row_count'))).rows[0]!.n;
}

/** A failed row written in one go (the atomic path: the migration's transaction was rolled back first). */
export async function insertFailed(db: Queryable, name: string, checksum: string, logs: string): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO "_prisma_migrations" (id, checksum, started_at, migration_name, logs, applied_steps_count) VALUES ($1, $2, now(), $3, $4, 0)`,
    [id, checksum, name, logs],
  );
  return id;
}

/** `prisma migrate resolve --applied`: failed rows are closed, then a finished row with 0 steps. */
export async function resolveApplied(db: Queryable, name: string, checksum: string): Promise<string> {
  await db.query(
    `UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL`,
    [name],
  );
  const id = randomUUID();
  await db.query(
    `INSERT INTO "_prisma_migrations" (id, checksum, started_at, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), now(), $3, 0)`,
    [id, checksum, name],
  );
  return id;
}

/** `prisma migrate resolve --rolled-back`: the failed rows of the name get rolled_back_at. */
export async function resolveRolledBack(db: Queryable, name: string): Promise<number> {
  const r = await db.query(
    `UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL`,
    [name],
  );
  return r.rowCount ?? 0;
}

/** Rollback of an applied migration removes its rows, so Prisma's status, deploy and resolve agree it is pending. */
export async function deleteRows(db: Queryable, name: string): Promise<HistoryRow[]> {
  const r = await db.query<HistoryRow>(`DELETE FROM "_prisma_migrations" WHERE migration_name = $1 RETURNING *`, [
    name,
  ]);
  return r.rows;
}

export async function deleteRow(db: Queryable, id: string): Promise<void> {
  await db.query(`DELETE FROM "_prisma_migrations" WHERE id = $1`, [id]);
}

/** The start of what `logs` of an applied migration holds while its non-atomic down.sql runs. */
export const DOWN_SQL_BEGUN = 'citadel-migrate: a rollback began running down.sql at ';

/**
 * Before a down.sql that is not one transaction: committed on the applied rows, so that a rollback
 * cut off part-way (a restart, a lost session) is still visible in `status` (the rows are deleted
 * when it completes). Prisma does not read `logs` of a finished migration.
 */
export async function markDownSqlBegun(db: Queryable, name: string): Promise<void> {
  await db.query(
    `UPDATE "_prisma_migrations" SET logs = $2 WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    [name, `${DOWN_SQL_BEGUN}${new Date().toISOString()} (not atomic)`],
  );
}
