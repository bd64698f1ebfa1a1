import type { Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import type { SqlStatement } from './split.js';
import type { PgError } from './failure.js';

/**
 * The hint the engine attaches to a failure when no richer diagnosis is supplied: the cases
 * the guide's troubleshooting section names, each short and specific to the failing statement.
 */
export async function basicHint(db: Pick<Db, 'query'>, err: unknown, _stmt: SqlStatement | undefined, blockers: number[]): Promise<string | undefined> {
  const e = err as PgError;
  const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
  switch (e?.code) {
    case '55P03': {
      if (!blockers.length) return 'a lock stayed unavailable past lock_timeout: look at `citadel-migrate locks` for who holds it, then run again (or raise --lock-timeout / --lock-retries)';
      const r = await db.query<{ pid: number; application: string; state: string; xact_seconds: number | null }>(sqlFile('session_summary'), [blockers]);
      const who = r.rows.map((s) => `pid ${s.pid} (${s.application || 'no application name'}, ${s.state || 'unknown state'}${s.xact_seconds != null ? `, in a transaction for ${s.xact_seconds}s` : ''})`);
      return `blocked by ${who.join(', ') || blockers.map((p) => `pid ${p}`).join(', ')}: cancel or end it with \`citadel-migrate kill ${blockers[0]} --terminate\` (K in the console), or wait for it and run again`;
    }
    case '42P01': {
      const name = /relation "([^"]+)" does not exist/.exec(e.message ?? '')?.[1];
      if (!name) return undefined;
      const r = await db.query<{ relname: string }>(sqlFile('relations_named_like'), [name]);
      if (r.rows.length) {
        const found = r.rows[0]!.relname;
        return `there is no "${name}" but there is ${ident(found)}: quoted identifiers are case-sensitive, so change "${name}" to ${ident(found)} in the migration (the guide's Troubleshooting Issue 6)`;
      }
      return `"${name}" does not exist yet: check whether a later migration creates it (\`citadel-migrate plan\` reports such order problems)`;
    }
    case '23505': {
      const cols = /Key \(([^)]+)\)=/.exec(e.detail ?? '')?.[1];
      if (!e.table || !cols) return 'duplicate values violate a unique constraint: find and resolve the duplicates before running again';
      const list = cols.split(',').map((c) => ident(c.trim().replace(/^"|"$/g, ''))).join(', ');
      return `duplicates in ${ident(e.table)}: list them with SELECT ${list}, count(*) FROM ${ident(e.table)} GROUP BY ${list} HAVING count(*) > 1; decide which rows to keep (the guide's remove-duplicates query deletes all but one: back up first)`;
    }
    case '23503': {
      const m = /Key \(([^)]+)\)=\(.*\) is not present in table "([^"]+)"/.exec(e.detail ?? '');
      if (!e.table || !m) return 'rows reference missing parents: find the orphaned rows before running again';
      const col = ident(m[1]!.trim().replace(/^"|"$/g, ''));
      return `orphaned rows in ${ident(e.table)}: list them with SELECT * FROM ${ident(e.table)} c WHERE c.${col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${ident(m[2]!)} p WHERE p.id = c.${col}); fix or delete them (deleting loses data: back up first)`;
    }
    case '57014':
      return 'the statement ran past statement_timeout: raise --statement-timeout (0 turns it off) or run it in a quieter window';
    case '53100':
      return "the server's disk is full: free space on the database host (old WAL, temporary files) before running again; the guide's VACUUM FULL needs extra space itself";
    case '42501':
      return 'the role lacks a privilege this statement needs: run the migration as the schema owner';
  }
  return undefined;
}
