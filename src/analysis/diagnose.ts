// From a failed statement's SQLSTATE and context to one short hint in the guide's terms: what went
// wrong with this statement and what to do now. Shared by `run`, `rehearse` and the console; the
// catalog queries are optional (db), so a hint is still given when the server cannot be asked.
import { sqlFile } from '../postgres/sqlFiles.js';
import { splitStatements } from '../engine/split.js';
import { referencesOf } from './references.js';
import { nearbyNames, quoteIdent } from './names.js';
import { diagnoseDiskFull, diagnoseForeignKey, diagnoseUnique } from './diagnose-data.js';
import type { DiagnosisContext, FailureInfo } from './failureInfo.js';

export type { DiagnosisContext, FailureInfo };

/** A hint for the failure, or undefined when there is nothing more useful than the server's message. */
export async function diagnose(err: FailureInfo, ctx: DiagnosisContext): Promise<string | undefined> {
  try {
    switch (err.code) {
      case '55P03':
        return await diagnoseLockTimeout(ctx);
      case '57014':
        return /statement timeout/i.test(err.message)
          ? 'the statement ran longer than statement_timeout: raise --statement-timeout (0 turns it off) for this migration, run it when the table is quieter, or build indexes CONCURRENTLY'
          : 'the statement was cancelled (pg_cancel_backend or Ctrl-C): run again when ready';
      case '42P01':
        return await diagnoseMissing(
          'relation',
          /relation "([^"]+)" does not exist/.exec(err.message)?.[1] ?? err.table,
          ctx,
        );
      case '42704':
        return await diagnoseMissing('type', /type "([^"]+)" does not exist/.exec(err.message)?.[1], ctx);
      case '42703':
        return await diagnoseMissingColumn(err, ctx);
      case '23503':
        return await diagnoseForeignKey(err, ctx);
      case '23505':
        return await diagnoseUnique(err, ctx);
      case '53100':
        return await diagnoseDiskFull(err, ctx);
      case '42501':
        return await diagnosePrivilege(err, ctx);
    }
  } catch {
    // a diagnosis must never hide the failure it explains
  }
  return undefined;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

function duration(s: number): string {
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

async function diagnoseLockTimeout(ctx: DiagnosisContext): Promise<string> {
  const pids = ctx.blockingPids ?? [];
  if (!pids.length)
    return 'a lock stayed unavailable past lock_timeout: see who holds it with `citadel-migrate locks`, then run again (or raise --lock-timeout / --lock-retries)';
  let who = pids.map((p) => `pid ${p}`);
  let idle: number | undefined;
  if (ctx.db) {
    const r = await ctx.db.query<{
      pid: number;
      application: string;
      user: string;
      state: string;
      xact_seconds: number | null;
      query: string;
    }>(sqlFile('diagnose_blockers'), [pids]);
    if (r.rows.length) {
      who = r.rows.map((s) => {
        const inTxn = s.xact_seconds !== null ? `, in a transaction for ${duration(s.xact_seconds)}` : '';
        return `pid ${s.pid} (${s.application || s.user || 'no application name'}, ${s.state || 'unknown state'}${inTxn}${s.query ? `: ${s.query}` : ''})`;
      });
      idle = r.rows.find((s) => s.state.startsWith('idle in transaction'))?.pid;
    }
  }
  const first = idle ?? pids[0]!;
  const action = idle
    ? `it is idle in its transaction, so only terminating it frees the lock: \`citadel-migrate kill ${first} --terminate\` (K in the console)`
    : `cancel its query with \`citadel-migrate kill ${first}\` (C in the console; K / --terminate ends the session)`;
  return `blocked by ${who.join('; ')}: ${action}, or wait for it and run again`;
}

async function createdLater(
  kind: 'relation' | 'type',
  name: string,
  ctx: DiagnosisContext,
): Promise<string | undefined> {
  for (const m of ctx.laterMigrations ?? []) {
    try {
      for (const s of await splitStatements(m.sql)) {
        if (referencesOf(s).creates.some((c) => c.kind === kind && (c.name === name || c.name.endsWith(`.${name}`))))
          return m.name;
      }
    } catch {
      // a later migration that does not parse is reported when it runs
    }
  }
  return undefined;
}

async function diagnoseMissing(
  kind: 'relation' | 'type',
  name: string | undefined,
  ctx: DiagnosisContext,
): Promise<string | undefined> {
  if (!name) return undefined;
  const later = await createdLater(kind, name, ctx);
  if (later)
    return `${quoteIdent(name)} is created by the later migration ${later}: this migration must run after it (\`citadel-migrate plan --apply-fixes\` renames the folder so it does)`;
  let near: string[] = [];
  if (ctx.db) {
    const r = await ctx.db.query<{ name: string }>(sqlFile('diagnose_names'), [kind]);
    near = nearbyNames(
      name,
      r.rows.map((x) => x.name),
    );
  }
  if (near.length) {
    return `there is no ${quoteIdent(name)} but there is ${near.map(quoteIdent).join(', ')}: quoted identifiers are case-sensitive, so write ${quoteIdent(near[0]!)} in the migration (the guide's Troubleshooting Issue 6; \`citadel-migrate plan --apply-fixes\` rewrites it)`;
  }
  return `${quoteIdent(name)} does not exist and no later migration creates it: create it in an earlier migration or correct the name`;
}

async function diagnoseMissingColumn(err: FailureInfo, ctx: DiagnosisContext): Promise<string | undefined> {
  const m = /column "([^"]+)"(?: of relation "([^"]+)")? does not exist/.exec(err.message);
  const column = m?.[1] ?? err.column;
  if (!column) return undefined;
  let table = m?.[2] ?? err.table;
  if (!table) {
    try {
      const [s] = await splitStatements(ctx.statement);
      table = s ? (referencesOf(s).uses.find((u) => u.kind === 'relation')?.name ?? undefined) : undefined;
    } catch {
      // no table known: candidates cannot be listed
    }
  }
  for (const later of ctx.laterMigrations ?? []) {
    try {
      for (const s of await splitStatements(later.sql)) {
        if (referencesOf(s).addsParts.some((p) => p === `${table}.${column}`)) {
          return `${quoteIdent(column)} is added to ${quoteIdent(table!)} by the later migration ${later.name}: this migration must run after it`;
        }
      }
    } catch {
      // ignore unparseable later migrations
    }
  }
  if (!ctx.db || !table) return undefined;
  const r = await ctx.db.query<{ name: string }>(sqlFile('diagnose_columns'), [table]);
  const near = nearbyNames(
    column,
    r.rows.map((x) => x.name),
  );
  if (!near.length)
    return `${quoteIdent(table)} has no column ${quoteIdent(column)} (it has ${plural(r.rows.length, 'column')}): check the name against the table`;
  return `${quoteIdent(table)} has no column ${quoteIdent(column)} but has ${near.map(quoteIdent).join(', ')}: quoted identifiers are case-sensitive, so write ${quoteIdent(near[0]!)}`;
}

async function diagnosePrivilege(err: FailureInfo, ctx: DiagnosisContext): Promise<string> {
  const owner = /must be owner of (?:table|relation|index|sequence|view) "?([^"\s]+)"?/.exec(err.message)?.[1];
  if (owner && ctx.db) {
    const r = await ctx.db.query<{ owner: string; current: string }>(sqlFile('diagnose_owner'), [owner]);
    const row = r.rows[0];
    if (row)
      return `${quoteIdent(owner)} belongs to ${row.owner} and this runs as ${row.current}: run the migration as ${row.owner} (or, as a superuser, GRANT ${quoteIdent(row.owner)} TO ${quoteIdent(row.current)})`;
  }
  if (/permission denied for schema/i.test(err.message)) {
    return 'the role may not create in this schema (PostgreSQL 15 no longer lets every role create in public): run as the schema owner, or GRANT CREATE ON SCHEMA public TO the migration role';
  }
  return 'the role lacks a privilege this statement needs: run the migration as the owner of the schema and its tables (the role that ran the earlier migrations)';
}
