// The dry run: every pending migration, statement by statement, with the lock it takes on which
// relation and what that relation weighs on the target; the runbook findings across migrations; and
// squawk's lint, filtered and ranked. Reads files and the target's catalog; writes nothing anywhere.
import { splitStatements, SqlSyntaxError, type SqlStatement } from '../engine/split.js';
import type { MigrationsFolder, LocalMigration } from '../runbook/folder.js';
import { migrationStates, runnable, type MigrationStatus } from '../runbook/status.js';
import type { TargetFacts } from './catalog.js';
import { lockOf, type LockMode } from './locks.js';
import { analyzeOrder, downFindings, parseRefs, type IdentifierRewrite, type ParsedMigration } from './runbook.js';
import { proposeRenames, type Rename } from './fixes.js';
import { filterLint, type DropReason, type LintMigration } from './lint.js';
import { runSquawk, SquawkUnavailable, type SquawkFinding } from './squawk.js';
import type { Finding } from './findings.js';
import { sessionFindings } from './session.js';
import { preflightFindings, type PreflightReport } from './preflight.js';
import { alreadyExistsFindings } from './exists.js';
import { ExistingObjects } from './existing.js';
import { groupNotes, rankFindings, rewriteFindings, type NoteGroup } from './rank.js';
import { backfillFindings } from './backfillFindings.js';

export interface PlannedStatement {
  line: number;
  kind: string;
  lock: LockMode | null;
  relation: string | null;
  /** Other relations locked by the statement (a foreign key's referenced table, ...). */
  alsoLocks: { relation: string; lock: LockMode }[];
  rewrites: boolean;
  scans: boolean;
  transactional: boolean;
  relationBytes: number | null;
  estimatedRows: number | null;
  sql: string;
}

export interface PlannedMigration {
  name: string;
  state: MigrationStatus['state'];
  atomic: boolean;
  statements: PlannedStatement[];
}

export interface PlanResult {
  migrations: PlannedMigration[];
  findings: Finding[];
  rawLintCount: number;
  droppedLint: Partial<Record<DropReason, number>>;
  lintAvailable: boolean;
  lintError?: string;
  fixes: { rewrites: IdentifierRewrite[]; renames: Rename[] };
  /** Everything that is not pending (applied, failed, modified...), for the header. */
  states: MigrationStatus[];
  /** The data preflight on the target's rows, when it ran. */
  preflight?: PreflightReport;
  /** Notes of one rule repeated on many statements: shown once each in the human output. */
  noteGroups: NoteGroup[];
}

export interface PlanOptions {
  all?: boolean;
  /** Skip squawk (the fix loop re-plans without it). */
  lint?: boolean;
  /** The data preflight's result (preflightPending): its predicted failures become error findings. */
  preflight?: PreflightReport;
  /** Ends the lint's squawk process (the console closing must not wait for it). */
  signal?: AbortSignal;
  /** --to NAME: only the pending migrations up to NAME. */
  to?: string;
}

export async function buildPlan(
  folder: MigrationsFolder,
  facts: TargetFacts,
  opts: PlanOptions = {},
): Promise<PlanResult> {
  const states = migrationStates(folder.migrations, facts.history);
  const pendingNames = new Set(runnable(states, opts.to).map((s) => s.name));
  const pending = folder.migrations.filter((m) => pendingNames.has(m.name));
  const findings: Finding[] = [];

  for (const s of states) {
    if (s.state === 'modified') {
      findings.push({
        migration: s.name,
        statement: null,
        rule: 'applied-modified',
        severity: 'error',
        source: 'runbook',
        message: `migration.sql changed after it was applied (recorded checksum ${s.recordedChecksum?.slice(0, 12)}…, file ${s.checksum.slice(0, 12)}…): the database does not have what the file says`,
        fix: 'restore the applied version of migration.sql (from version control or a backup); never edit an applied migration, write a new one',
      });
    } else if (s.state === 'failed') {
      findings.push({
        migration: s.name,
        statement: null,
        rule: 'failed-migration',
        severity: 'error',
        source: 'runbook',
        message: 'a previous run of this migration failed: nothing runs until it is resolved',
        fix: `citadel-migrate rollback ${s.name} (mark it rolled back, after undoing any partial changes) or skip ${s.name} --reason ... (if it was applied by hand)`,
      });
    }
  }

  // Parse every pending migration once; a syntax error is a finding of its own, and the rest goes on.
  const parsed: (ParsedMigration & { local: LocalMigration })[] = [];
  for (const m of pending) {
    // The console reads plans ahead on its main loop: each script's parse is one piece of work
    // (up to a few hundred ms), and between two a key (q) gets in and a closed console stops it.
    await new Promise((r) => setImmediate(r));
    if (opts.signal?.aborted) throw new Error('the plan was stopped');
    try {
      const statements = await splitStatements(m.sql, `${m.name}/migration.sql`);
      parsed.push({ name: m.name, statements, refs: parseRefs(statements), local: m });
      findings.push(...sessionFindings(m.name, statements));
    } catch (err) {
      if (!(err instanceof SqlSyntaxError)) throw err;
      findings.push({
        migration: m.name,
        statement: err.line,
        rule: 'syntax-error',
        severity: 'error',
        source: 'runbook',
        message: `PostgreSQL's parser rejects this migration: ${err.reason}`,
        fix: 'correct the SQL',
      });
      parsed.push({ name: m.name, statements: [], refs: [], local: m });
    }
  }

  const existing = { relations: new Set(facts.relations.keys()), types: facts.types };
  const order = analyzeOrder(parsed, existing);
  const taken = folder.migrations.map((m) => m.name).concat(facts.history.map((r) => r.migration_name));
  const proposal = proposeRenames(parsed, existing, taken);
  for (const f of order.findings) {
    if (f.rule !== 'used-before-created') continue;
    const rename = proposal.renames.find((r) => r.from === f.migration);
    f.fix = rename
      ? `rename the folder ${rename.from} to ${rename.to}, so that it runs after ${rename.after} (plan --apply-fixes)`
      : 'no folder order satisfies the migrations (they need each other): move the statement into the migration that creates the relation';
  }
  for (const f of order.findings) {
    if (f.rule !== 'identifier-case') continue;
    const rw = order.rewrites.find((r) => r.migration === f.migration && r.from === f.relation);
    if (rw)
      f.fix = `${f.fix} at line${rw.uses.length > 1 ? 's' : ''} ${[...new Set(rw.uses.map((u) => u.line))].join(', ')} (rewritten through the parser by plan --apply-fixes)`;
  }
  findings.push(...order.findings);
  if (facts.existing) findings.push(...alreadyExistsFindings(parsed, new ExistingObjects(facts.existing)));
  if (opts.preflight) findings.push(...preflightFindings(opts.preflight));

  // down.sql of every local migration that has one (a rollback may come for applied ones too).
  const aliasesOf = (name: string) =>
    new Map(order.rewrites.filter((r) => r.migration === name).map((r) => [r.from, r.to]));
  const { readFile } = await import('node:fs/promises');
  for (const m of folder.migrations) {
    if (!m.downPath) continue;
    try {
      const up =
        parsed.find((p) => p.name === m.name)?.refs ??
        parseRefs(await splitStatements(m.sql, `${m.name}/migration.sql`));
      const down = await splitStatements(await readFile(m.downPath, 'utf8'), `${m.name}/down.sql`);
      findings.push(...downFindings(m.name, up, down, aliasesOf(m.name)));
    } catch (err) {
      if (!(err instanceof SqlSyntaxError)) throw err;
      findings.push({
        migration: m.name,
        file: err.file.endsWith('down.sql') ? 'down.sql' : undefined,
        statement: err.line,
        rule: 'syntax-error',
        severity: err.file.endsWith('down.sql') ? 'warning' : 'error',
        source: 'runbook',
        message: `PostgreSQL's parser rejects ${err.file}: ${err.reason}`,
        fix: 'correct the SQL',
      });
    }
  }

  const migrations = parsed.map(
    (p): PlannedMigration => ({
      name: p.name,
      state: states.find((s) => s.name === p.name)!.state,
      // A migration with its own BEGIN/COMMIT (Prisma's enum recreation) runs as written, not wrapped.
      atomic: !p.statements.some((s) => s.transactionControl) && p.statements.every((s) => s.transactional),
      statements: p.statements.map((s) => planStatement(s, facts)),
    }),
  );
  for (const m of migrations) findings.push(...rewriteFindings(m.name, m.statements));
  for (const p of parsed)
    findings.push(
      ...backfillFindings(p.name, p.local.sql, migrations.find((m) => m.name === p.name)?.statements ?? []),
    );

  let lintFindings: Finding[] = [];
  let rawLintCount = 0;
  let droppedLint: PlanResult['droppedLint'] = {};
  let lintError: string | undefined;
  if (opts.lint !== false) {
    try {
      const lintMigrations: LintMigration[] = migrations.map((m, i) => ({
        name: m.name,
        file: parsed[i]!.local.sqlPath,
        atomic: m.atomic,
        statements: m.statements.map((s) => {
          const rel = s.relation ? facts.relations.get(s.relation) : undefined;
          const ast = parsed[i]!.statements.find((x) => x.line === s.line && x.kind === 'IndexStmt')?.ast.IndexStmt;
          return {
            line: s.line,
            relation: s.relation,
            newInRun: Boolean(s.relation) && !rel,
            relationBytes: s.relationBytes,
            estimatedRows: s.estimatedRows,
            writes: rel?.writes ?? null,
            ...(ast ? { indexName: ast.idxname ?? null } : {}),
          };
        }),
      }));
      const pgVersion = facts.serverVersion.match(/^\d+(\.\d+)?/)?.[0];
      const raw: SquawkFinding[] = [
        ...(await runSquawk(
          lintMigrations.filter((m) => m.atomic).map((m) => m.file),
          { pgVersion, inTransaction: true, signal: opts.signal },
        )),
        ...(await runSquawk(
          lintMigrations.filter((m) => !m.atomic).map((m) => m.file),
          { pgVersion, inTransaction: false, signal: opts.signal },
        )),
      ];
      const lint = filterLint(raw, lintMigrations, { all: opts.all });
      lintFindings = lint.findings;
      rawLintCount = lint.rawCount;
      droppedLint = lint.dropped;
    } catch (err) {
      if (!(err instanceof SquawkUnavailable)) throw err;
      lintError = err.message;
    }
  }

  // Errors first; within a severity, what the application will feel most on this target first.
  const orderOf = new Map(folder.migrations.map((m, i) => [m.name, i]));
  const ranked = rankFindings(
    [...findings, ...lintFindings],
    (name) => migrations.find((m) => m.name === name)?.statements,
    orderOf,
  );
  return {
    migrations,
    findings: ranked,
    noteGroups: groupNotes(ranked),
    rawLintCount,
    droppedLint,
    lintAvailable: lintError === undefined,
    ...(lintError ? { lintError } : {}),
    fixes: { rewrites: order.rewrites, renames: proposal.renames },
    states,
    ...(opts.preflight ? { preflight: opts.preflight } : {}),
  };
}

function planStatement(s: SqlStatement, facts: TargetFacts): PlannedStatement {
  const l = lockOf(s);
  const rel = l.relation ? facts.relations.get(l.relation) : undefined;
  return {
    line: s.line,
    kind: s.kind,
    lock: l.lock,
    relation: l.relation,
    alsoLocks: l.others,
    rewrites: l.rewrites,
    scans: l.scans,
    transactional: s.transactional,
    relationBytes: rel ? rel.bytes : null,
    estimatedRows: rel ? rel.estimatedRows : null,
    sql: s.sql,
  };
}
