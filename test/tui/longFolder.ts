// A project with a long history: COUNT migrations, the first APPLIED of them recorded as applied
// (as `prisma migrate deploy` records them), the rest pending. The first pending one alters the
// table `accounts` (ACCESS EXCLUSIVE), so a session holding any lock on accounts would block it.
import { randomUUID } from 'node:crypto';
import { makeMigrations } from '../helpers/folders.js';
import { query } from '../helpers/db.js';
import { checksum } from '../../src/runbook/checksum.js';
import { sqlFile } from '../../src/postgres/sqlFiles.js';

export const nameOf = (i: number) => `${String(20240101000000 + i * 100)}_step_${String(i).padStart(3, '0')}`;

export function longFolder(
  count: number,
  applied: number,
  extra: Record<number, string> = {},
): { dir: string; sql: Map<string, string> } {
  const spec: Record<string, string> = {};
  const sql = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const body =
      extra[i] ??
      (i === applied ? 'ALTER TABLE accounts ADD COLUMN note text;\n' : `CREATE TABLE step_${i} (id int);\n`);
    spec[nameOf(i)] = body;
    sql.set(nameOf(i), body);
  }
  return { dir: makeMigrations(spec), sql };
}

/** Records the first `applied` migrations as applied, and creates what the pending ones need. */
export async function recordApplied(url: string, folder: { sql: Map<string, string> }, applied: number): Promise<void> {
  await query(url, 'CREATE TABLE accounts (id int PRIMARY KEY, email text)');
  await query(url, sqlFile('prisma_migrations_table'));
  const names = [...folder.sql.keys()].slice(0, applied);
  for (const name of names) {
    await query(
      url,
      `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, now(), 1)`,
      [randomUUID(), checksum(folder.sql.get(name)!), name],
    );
  }
}
