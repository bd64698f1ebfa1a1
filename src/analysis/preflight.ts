// Data preflight: before the window, ask the target which existing rows would make a pending
// statement fail (a NULL where NOT NULL is set, duplicates under a new unique index, orphans under
// a new foreign key, rows a CHECK rejects, values a type change cannot convert), and show up to three
// of them by primary key. Read only: one READ ONLY transaction, each query under a short
// statement_timeout and lock_timeout, so it takes nothing beyond ACCESS SHARE and never queues long.
// The console's run dialog calls preflightPending() as plan and rehearse do.
import type { Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { splitStatements, SqlSyntaxError } from '../engine/split.js';
import type { MigrationsFolder } from '../runbook/folder.js';
import { migrationStates, runnable } from '../runbook/status.js';
import type { TargetFacts } from './catalog.js';
import type { Finding } from './findings.js';
import { quoteIdent } from './names.js';
import {
  preflightChecks,
  tableLabel,
  type PreflightCheck,
  type PreflightKind,
  type PreflightMigration,
  type TableRef,
} from './preflight-checks.js';
import { describeFailure, fixFor } from './preflight-words.js';

export type { PreflightCheck, PreflightKind } from './preflight-checks.js';

export interface PreflightFinding {
  migration: string;
  statement: number;
  relation: string;
  check: PreflightKind;
  outcome: 'will-fail' | 'not-checked';
  /** Rows that make it fail (null: the server refused the conversion without saying how many). */
  rows: number | null;
  /** Up to 3 of them, by primary key ("id 7"). */
  examples: string[];
  message: string;
}

export interface PreflightReport {
  checked: number;
  durationMs: number;
  findings: PreflightFinding[];
}

export interface PreflightOptions {
  statementTimeoutMs?: number;
  lockTimeoutMs?: number;
  /** All checks together stop after this long (default 30 s): the rest are reported not checked. */
  budgetMs?: number;
  /** --to NAME: only the pending migrations up to NAME. */
  to?: string;
}

type PreflightDb = Pick<Db, 'query' | 'escapeIdentifier' | 'escapeLiteral'>;

/** Parses the pending migrations of the folder and checks them against the target's rows. */
export async function preflightPending(
  db: PreflightDb,
  folder: MigrationsFolder,
  facts: TargetFacts,
  opts: PreflightOptions = {},
): Promise<PreflightReport> {
  const pending = new Set(runnable(migrationStates(folder.migrations, facts.history), opts.to).map((s) => s.name));
  const migrations: PreflightMigration[] = [];
  for (const m of folder.migrations) {
    if (!pending.has(m.name)) continue;
    try {
      migrations.push({
        name: m.name,
        sql: m.sql,
        statements: await splitStatements(m.sql, `${m.name}/migration.sql`),
      });
    } catch (err) {
      if (!(err instanceof SqlSyntaxError)) throw err; // plan reports the syntax error itself
    }
  }
  const isTable = (name: string) => ['r', 'p'].includes(facts.relations.get(name)?.kind ?? '');
  return runPreflight(db, preflightChecks(migrations, isTable), opts);
}

/** Runs the checks in one READ ONLY transaction; each in a savepoint, so one failure stops none. */
export async function runPreflight(
  db: PreflightDb,
  checks: PreflightCheck[],
  opts: PreflightOptions = {},
): Promise<PreflightReport> {
  const t0 = performance.now();
  const findings: PreflightFinding[] = [];
  if (!checks.length) return { checked: 0, durationMs: 0, findings };
  await db.query('BEGIN TRANSACTION READ ONLY');
  try {
    await db.query(`SET LOCAL statement_timeout = ${Math.round(opts.statementTimeoutMs ?? 5000)}`);
    await db.query(`SET LOCAL lock_timeout = ${Math.round(opts.lockTimeoutMs ?? 1000)}`);
    const budget = opts.budgetMs ?? 30_000;
    for (const check of checks) {
      // Many full scans in a row would load a production server for minutes: a plan stays short.
      if (performance.now() - t0 > budget) {
        findings.push({
          migration: check.migration,
          statement: check.line,
          relation: tableLabel(check.table),
          check: check.kind,
          outcome: 'not-checked',
          rows: null,
          examples: [],
          message: `not checked: the preflight's ${Math.round(budget / 1000)} s were used up by the checks before it`,
        });
        continue;
      }
      const f = await runOne(db, check);
      if (f) findings.push(f);
    }
  } finally {
    await db.query('ROLLBACK').catch(() => undefined);
  }
  return { checked: checks.length, durationMs: Math.round(performance.now() - t0), findings };
}

const from = (db: PreflightDb, t: TableRef) =>
  t.schema ? `${db.escapeIdentifier(t.schema)}.${db.escapeIdentifier(t.name)}` : db.escapeIdentifier(t.name);

async function keyColumns(db: PreflightDb, t: TableRef): Promise<string[]> {
  const r = await db.query<{ name: string }>(sqlFile('preflight_key_columns'), [t.name, t.schema ?? null]);
  return r.rows.map((x) => x.name);
}

/** The SELECT that lists the offending rows (as `c`), with the columns shown for each. */
async function offendingRows(
  db: PreflightDb,
  check: PreflightCheck,
  key: string[],
): Promise<{ from: string; where: string; count?: string } | null> {
  const id = (c: string) => `c.${db.escapeIdentifier(c)}`;
  const table = `${from(db, check.table)} AS c`;
  const cols = check.columns.map(id);
  switch (check.kind) {
    case 'not-null':
      return { from: table, where: `${cols[0]} IS NULL` };
    case 'new-not-null-column':
      return { from: table, where: 'true' };
    case 'check':
      return { from: table, where: `(${check.condition}) IS FALSE` };
    case 'unique':
    case 'primary-key': {
      // Duplicate groups by hash aggregation (one pass; a window over a million rows is 10 times
      // slower). NULLs are never duplicates unless NULLS NOT DISTINCT; a primary key refuses them.
      const bare = check.columns.map((c) => db.escapeIdentifier(c)).join(', ');
      const notNull = (p: string) =>
        check.columns.map((c) => `${p}${db.escapeIdentifier(c)} IS NOT NULL`).join(' AND ');
      const groups = `SELECT ${bare} FROM ${from(db, check.table)} ${check.nullsNotDistinct ? '' : `WHERE ${notNull('')}`} GROUP BY ${bare} HAVING count(*) > 1`;
      const nulls =
        check.kind === 'primary-key'
          ? ` + (SELECT count(*) FROM ${from(db, check.table)} WHERE NOT (${notNull('')}))`
          : '';
      return {
        from: table,
        where: `(${cols.join(', ')}) IN (${groups})${nulls ? ` OR NOT (${notNull('c.')})` : ''}`,
        count: `SELECT coalesce((SELECT sum(n) FROM (SELECT count(*) AS n FROM ${from(db, check.table)} ${check.nullsNotDistinct ? '' : `WHERE ${notNull('')}`} GROUP BY ${bare} HAVING count(*) > 1) g), 0)${nulls} AS n`,
      };
    }
    case 'foreign-key': {
      const ref = check.references!;
      const parentCols = ref.columns.length ? ref.columns : await keyColumns(db, ref.table);
      if (parentCols.length !== check.columns.length) return null;
      const match = parentCols.map((p, i) => `p.${db.escapeIdentifier(p)} = ${cols[i]}`).join(' AND ');
      return {
        from: table,
        where: `${cols.map((c) => `${c} IS NOT NULL`).join(' AND ')} AND NOT EXISTS (SELECT 1 FROM ${from(db, ref.table)} AS p WHERE ${match})`,
      };
    }
    case 'type-change': {
      const t = check.newType!;
      if (check.enumValues) {
        // The enum is created by this run, so the cast cannot be tried: compare the values as text.
        const list = check.enumValues.map((v) => db.escapeLiteral(v)).join(', ');
        return { from: table, where: `${cols[0]} IS NOT NULL AND ${cols[0]}::text NOT IN (${list || 'NULL'})` };
      }
      const [last] = t.names.slice(-1);
      // An explicit cast cuts a string to varchar(n) silently; ALTER ... TYPE refuses: count the long ones.
      if (['varchar', 'bpchar', 'char'].includes(last!) && t.typmods.length === 1 && !t.array)
        return { from: table, where: `length(${cols[0]}::text) > ${t.typmods[0]}` };
      return null;
    }
  }
}

function typeSql(db: PreflightDb, t: NonNullable<PreflightCheck['newType']>): string {
  return `${t.names.map((n) => db.escapeIdentifier(n)).join('.')}${t.typmods.length ? `(${t.typmods.join(',')})` : ''}${t.array ? '[]' : ''}`;
}

async function runOne(db: PreflightDb, check: PreflightCheck): Promise<PreflightFinding | null> {
  const base = {
    migration: check.migration,
    statement: check.line,
    relation: tableLabel(check.table),
    check: check.kind,
  };
  if (check.unchecked)
    return { ...base, outcome: 'not-checked', rows: null, examples: [], message: `not checked: ${check.unchecked}` };
  await db.query('SAVEPOINT citadel_preflight');
  try {
    const key = await keyColumns(db, check.table);
    const rows = await offendingRows(db, check, key);
    if (!rows) {
      if (check.kind !== 'type-change' || !check.newType) return null;
      // Convert every value as the ALTER would: an error here is the error the migration would meet.
      await db.query(
        `SELECT count((${db.escapeIdentifier(check.columns[0]!)})::${typeSql(db, check.newType)}) FROM ${from(db, check.table)}`,
      );
      return null;
    }
    const keyed =
      ['unique', 'primary-key', 'foreign-key'].includes(check.kind) || check.enumValues ? check.columns : [];
    const shown = [...new Set([...(key.length ? key : ['ctid']), ...keyed])];
    const list = shown.map((c) => (c === 'ctid' ? 'c.ctid::text AS ctid' : `c.${db.escapeIdentifier(c)}`)).join(', ');
    // Count first (one pass); the examples are fetched only when there is something to show.
    const counted = await db.query<{ n: number }>(
      rows.count ?? `SELECT count(*) AS n FROM ${rows.from} WHERE ${rows.where}`,
    );
    const n = Number(counted.rows[0]?.n ?? 0);
    if (!n) return null;
    const order = shown
      .slice(key.length ? key.length : 1)
      .concat(key.length ? key : ['ctid'])
      .map((c) => (c === 'ctid' ? 'c.ctid' : `c.${db.escapeIdentifier(c)}`));
    const r = await db.query<Record<string, unknown>>(
      `SELECT ${list} FROM ${rows.from} WHERE ${rows.where} ORDER BY ${order.join(', ')} LIMIT 3`,
    );
    const examples = r.rows.map((e) => exampleLabel(e, key.length ? key : ['ctid'], check));
    return { ...base, outcome: 'will-fail', rows: n, examples, message: describeFailure(check, n, examples) };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (check.kind === 'type-change' && /^2[23]/.test(e.code ?? '')) {
      return {
        ...base,
        outcome: 'will-fail',
        rows: null,
        examples: [],
        message: `will fail: converting ${quoteIdent(base.relation)}.${quoteIdent(check.columns[0]!)} to the new type fails on existing rows: ${e.message}`,
      };
    }
    const why =
      e.code === '57014'
        ? 'the query took longer than the preflight allows'
        : e.code === '55P03'
          ? 'the table is locked by another session'
          : `${e.message ?? 'error'} (the migration may create what it needs earlier)`;
    return { ...base, outcome: 'not-checked', rows: null, examples: [], message: `not checked: ${why}` };
  } finally {
    await db.query('ROLLBACK TO SAVEPOINT citadel_preflight').catch(() => undefined);
  }
}

/** "id 7" or "(userId 1, postId 2)", plus the key's value for duplicates and orphans. */
function exampleLabel(row: Record<string, unknown>, key: string[], check: PreflightCheck): string {
  const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  const k =
    key.length === 1 ? `${key[0]} ${show(row[key[0]!])}` : `(${key.map((c) => `${c} ${show(row[c])}`).join(', ')})`;
  if (!['unique', 'primary-key', 'foreign-key'].includes(check.kind) && !check.enumValues) return k;
  const extra = check.columns.filter((c) => !key.includes(c));
  return extra.length ? `${k}: ${extra.map((c) => `${c} ${show(row[c])}`).join(', ')}` : k;
}

/** The will-fail results as plan findings (errors: the migration will fail on the target). */
export function preflightFindings(report: PreflightReport): Finding[] {
  return report.findings
    .filter((f) => f.outcome === 'will-fail')
    .map((f) => ({
      migration: f.migration,
      statement: f.statement,
      rule: `preflight-${f.check}`,
      severity: 'error' as const,
      message: f.message,
      fix: fixFor(f),
      source: 'preflight' as const,
      relation: f.relation,
    }));
}
