// "Verify the role can migrate": a read-only role passed every other item and the run then failed at
// the _prisma_migrations insert (issue 26). Asked of the server, never tried: CREATE in the schema,
// write access to Prisma's history table (or CREATE to make it), and ownership of the existing
// tables the pending migrations change (ALTER, CREATE INDEX, RENAME and DROP need the owner).
import type { Target } from '../postgres/target.js';
import { withDb } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { readMigrationsFolder } from '../runbook/folder.js';
import { runnable, type MigrationStatus } from '../runbook/status.js';
import { splitStatements } from '../engine/split.js';
import { lockOf } from '../analysis/locks.js';
import { quoteIdent } from '../analysis/names.js';

const OWNER_ONLY = new Set(['AlterTableStmt', 'IndexStmt', 'DropStmt', 'RenameStmt']);

/** The existing tables the pending migrations would alter, as SQL names ("User", audit."events"). */
async function changedTables(migrationsDir: string, states: MigrationStatus[]): Promise<string[]> {
  const pending = new Set(runnable(states).map((s) => s.name));
  const folder = await readMigrationsFolder(migrationsDir);
  const out = new Set<string>();
  for (const m of folder.migrations) {
    if (!pending.has(m.name)) continue;
    const statements = await splitStatements(m.sql).catch(() => []); // plan reports syntax errors
    for (const s of statements) {
      const rel = OWNER_ONLY.has(s.kind) ? lockOf(s).relation : null;
      if (rel) out.add(quoteIdent(rel));
    }
  }
  return [...out];
}

export interface PrivilegeVerdict {
  status: 'pass' | 'fail';
  evidence: string;
}

export async function migratePrivileges(
  target: Target,
  migrationsDir: string | undefined,
  states: MigrationStatus[] | undefined,
): Promise<PrivilegeVerdict> {
  const tables = migrationsDir && states ? await changedTables(migrationsDir, states) : [];
  const r = await withDb(
    target,
    (db) =>
      db.query<{
        schema: string;
        can_create: boolean;
        history_exists: boolean;
        history_writable: boolean | null;
        not_owned: string[];
      }>(sqlFile('migrate_privileges'), [tables]),
    { applicationName: 'citadel-migrate check' },
  );
  const p = r.rows[0]!;
  const missing: string[] = [];
  if (!p.can_create)
    missing.push(
      `no CREATE in schema ${p.schema} (GRANT CREATE ON SCHEMA ${quoteIdent(p.schema)} TO ${quoteIdent(target.user)})`,
    );
  if (p.history_exists && !p.history_writable)
    missing.push('cannot write _prisma_migrations (needs INSERT, UPDATE and DELETE on it)');
  if (!p.history_exists && !p.can_create) missing.push('cannot create _prisma_migrations either');
  const owned = p.not_owned;
  if (owned.length)
    missing.push(
      `does not own ${owned.length} table${owned.length === 1 ? '' : 's'} the pending migrations change: ${owned.slice(0, 5).join(', ')}${owned.length > 5 ? `, and ${owned.length - 5} more` : ''}`,
    );
  if (missing.length)
    return { status: 'fail', evidence: `the role ${target.user} cannot migrate: ${missing.join('; ')}` };
  const what = tables.length
    ? `, and owns the ${tables.length === 1 ? 'table' : `${tables.length} tables`} the pending migrations change`
    : '';
  return {
    status: 'pass',
    evidence: `the role ${target.user} may create in schema ${p.schema} and ${p.history_exists ? 'write' : 'create'} _prisma_migrations${what}`,
  };
}
