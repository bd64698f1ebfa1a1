// squawk's raw findings turned into the few that matter for this target tonight. squawk cannot know
// that our executor sets lock_timeout, that a migration runs in one transaction, that a table was
// created a moment earlier in the same run (so it is empty), or how big and busy a table is on the
// target. We do, so we drop what cannot hurt and rank the rest by what the lock will cost.
import type { Finding, Severity } from './findings.js';
import { formatBytes, formatCount, formatRows } from './findings.js';
import type { SquawkFinding } from './squawk.js';

/** What lint needs to know of a statement (a subset of plan's statement analysis). */
export interface LintStatement {
  line: number;
  relation: string | null;
  /** The relation does not exist on the target: this run creates it, so it is empty. */
  newInRun: boolean;
  relationBytes: number | null;
  estimatedRows: number | null;
  writes: number | null;
  /** CREATE INDEX: its name (null: PostgreSQL chooses one); absent for other statements. */
  indexName?: string | null;
}

export interface LintMigration {
  name: string;
  file: string;
  atomic: boolean;
  statements: LintStatement[];
}

export type DropReason =
  | 'timeouts-set-by-executor'
  | 'atomic-migration'
  | 'table-created-in-this-run'
  | 'empty-table'
  | 'schema-style';

export const DROP_REASONS: Record<DropReason, string> = {
  'timeouts-set-by-executor':
    'lock/statement timeout rules (the executor sets lock_timeout and statement_timeout for every statement)',
  'atomic-migration':
    're-runnability rules on migrations that run in one transaction (a failure leaves nothing behind)',
  'table-created-in-this-run': 'findings on tables this run creates (empty while locked)',
  'empty-table': 'findings on tables that are empty on the target',
  'schema-style': 'column type style (timestamptz, bigint, ...): a design choice, not a risk in the window',
};

const TIMEOUT_RULES = new Set(['require-lock-timeout', 'require-statement-timeout', 'require-timeout-settings']);
const STYLE_RULES = new Set([
  'prefer-timestamp-tz',
  'prefer-bigint-over-int',
  'prefer-bigint-over-smallint',
  'prefer-identity',
  'prefer-text-field',
  'ban-char-field',
  'prefer-robust-stmts-style',
]);
/** Rules about the statement itself, true whatever the table's size (they make the migration fail). */
const ALWAYS_KEEP = new Set([
  'ban-concurrent-index-creation-in-transaction',
  'transaction-nesting',
  'ban-drop-database',
]);

/** Safe alternatives in a DBA's words, preferred to squawk's help text where the runbook context matters. */
const ALTERNATIVES: Record<string, string> = {
  'require-concurrent-index-creation':
    'CREATE INDEX CONCURRENTLY in a migration of its own (it cannot run in a transaction; writes go on while it builds)',
  'require-concurrent-index-deletion': 'DROP INDEX CONCURRENTLY in a migration of its own',
  'constraint-missing-not-valid':
    'ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a later migration (it holds only SHARE UPDATE EXCLUSIVE: reads and writes go on)',
  'adding-foreign-key-constraint': 'ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a later migration',
  'changing-column-type':
    'add a new column, backfill it in batches, switch the application over, then drop the old column',
  'adding-not-nullable-field':
    'add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL (PostgreSQL 12+ then skips the scan)',
  'setting-not-nullable-field':
    'add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL (PostgreSQL 12+ then skips the scan)',
  'disallowed-unique-constraint': 'CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... UNIQUE USING INDEX',
  'adding-serial-primary-key-field':
    'CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX',
  'renaming-column':
    'deploy application code that no longer uses the old name first (or add the new column and keep both for a release)',
  'renaming-table':
    'deploy application code that no longer uses the old name first (or leave a view with the old name)',
  'ban-drop-column': 'deploy application code that no longer reads the column first',
  'ban-drop-table':
    'make sure nothing reads the table any more (pg_stat_user_tables.seq_scan/idx_scan stop growing) before dropping it',
};

/** Large or busy enough that the lock or the scan will be felt by the application. */
function weighty(s: LintStatement): boolean {
  return (s.estimatedRows ?? 0) >= 10_000 || (s.relationBytes ?? 0) >= 10 * 1024 * 1024 || (s.writes ?? 0) >= 10_000;
}

function isEmpty(s: LintStatement): boolean {
  return (s.estimatedRows ?? 0) === 0 && (s.relationBytes ?? 0) < 256 * 1024 && (s.writes ?? 0) === 0;
}

/** The statement that holds a line: the last one starting at or before it. */
export function statementAt<T extends { line: number }>(statements: T[], line: number): T | undefined {
  let found: T | undefined;
  for (const s of statements) {
    if (s.line <= line) found = s;
    else break;
  }
  return found;
}

export interface LintResult {
  findings: Finding[];
  rawCount: number;
  dropped: Partial<Record<DropReason, number>>;
}

export function filterLint(
  raw: SquawkFinding[],
  migrations: LintMigration[],
  opts: { all?: boolean } = {},
): LintResult {
  const byFile = new Map(migrations.map((m) => [m.file, m]));
  const dropped: Partial<Record<DropReason, number>> = {};
  const kept: { finding: Finding; weight: [number, number, number] }[] = [];
  for (const f of raw) {
    const m = byFile.get(f.file);
    if (!m) continue;
    const stmt = statementAt(m.statements, f.line);
    const reason = opts.all ? undefined : dropReason(f, m, stmt);
    if (reason) {
      dropped[reason] = (dropped[reason] ?? 0) + 1;
      continue;
    }
    const severity: Severity = ALWAYS_KEEP.has(f.rule) ? 'error' : stmt && weighty(stmt) ? 'warning' : 'info';
    const where = stmt?.relation
      ? stmt.newInRun
        ? ` (on ${stmt.relation}, created in this run)`
        : ` (on ${stmt.relation}: ${formatBytes(stmt.relationBytes)}, ${formatRows(stmt.estimatedRows)}, ${formatCount(stmt.writes)} writes since the statistics were reset)`
      : '';
    kept.push({
      finding: {
        migration: m.name,
        statement: stmt?.line ?? f.line,
        rule: f.rule,
        severity,
        message: `${words(f)}${where}`,
        fix: fixFor(f, stmt),
        source: 'squawk',
        relation: stmt?.relation ?? null,
        relationBytes: stmt?.relationBytes ?? null,
        estimatedRows: stmt?.estimatedRows ?? null,
      },
      weight: [stmt?.relationBytes ?? 0, stmt?.estimatedRows ?? 0, stmt?.writes ?? 0],
    });
  }
  // The biggest, busiest table first: that is the lock the application will feel.
  kept.sort((a, b) => b.weight[0] - a.weight[0] || b.weight[1] - a.weight[1] || b.weight[2] - a.weight[2]);
  return { findings: kept.map((k) => k.finding), rawCount: raw.filter((f) => byFile.has(f.file)).length, dropped };
}

function dropReason(f: SquawkFinding, m: LintMigration, stmt: LintStatement | undefined): DropReason | undefined {
  if (TIMEOUT_RULES.has(f.rule)) return 'timeouts-set-by-executor';
  if (STYLE_RULES.has(f.rule)) return 'schema-style';
  if (ALWAYS_KEEP.has(f.rule)) return undefined;
  if (f.rule === 'prefer-robust-stmts' && m.atomic) return 'atomic-migration';
  if (stmt?.relation && stmt.newInRun) return 'table-created-in-this-run';
  if (stmt?.relation && isEmpty(stmt)) return 'empty-table';
  return undefined;
}

/**
 * squawk's help for an index without IF NOT EXISTS says "use an explicit name" even when the index
 * has one: the fix is said from what the statement is.
 */
function fixFor(f: SquawkFinding, stmt: LintStatement | undefined): string {
  const isIndex = stmt?.indexName !== undefined;
  if (isIndex && f.rule === 'prefer-robust-stmts') {
    return stmt!.indexName
      ? 'write CREATE INDEX CONCURRENTLY IF NOT EXISTS, so that a re-run after a failure goes on (drop an INVALID index of that name first)'
      : 'give the index an explicit name and write IF NOT EXISTS, so that a re-run after a failure does not build a second index';
  }
  if (isIndex && f.rule === 'require-concurrent-index-creation' && !stmt!.indexName) {
    return 'CREATE INDEX CONCURRENTLY with an explicit name, in a migration of its own (it cannot run in a transaction; writes go on while it builds)';
  }
  return ALTERNATIVES[f.rule] ?? f.help ?? '';
}

/**
 * squawk calls a volatile DEFAULT (gen_random_uuid(), clock_timestamp()) "a generated column" in
 * adding-field-with-default; a DBA reading that looks for a GENERATED clause that is not there.
 */
function words(f: { rule: string; message: string }): string {
  if (f.rule !== 'adding-field-with-default') return f.message;
  return f.message.replace(
    /^Adding a generated column requires/,
    'Adding a column whose DEFAULT is volatile (a new value for every row) requires',
  );
}
