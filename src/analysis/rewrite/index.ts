// The safe form of a migration on a live target: each statement through the rules, with what the
// target says about its tables (read from the catalog only, so it never waits on a lock).
import { createHash } from 'node:crypto';
import type { Db } from '../../postgres/connect.js';
import { sqlFile } from '../../postgres/sqlFiles.js';
import { parser, splitStatements } from '../../engine/split.js';
import type { LocalMigration } from '../../runbook/folder.js';
import { rewriteStatement, type TableFacts } from './rules.js';
import { readColumnFacts } from './typeRule.js';
import { stepSql, type SafeForm } from './types.js';
import { qualified } from './text.js';

export type { SafeForm, StatementRewrite, RewriteStep, StepAction, Guard, RuleName } from './types.js';
export { stepSql } from './types.js';

const NEW_TABLE: TableFacts = { present: false, estimatedRows: 0, bytes: 0, primaryKey: null, columns: [] };

/** Rows per backfill batch: about a tenth of a second of work on an ordinary table. */
export const DEFAULT_BATCH_ROWS = 5000;

export async function readTableFacts(db: Pick<Db, 'query'>, table: string): Promise<TableFacts> {
  const r = await db.query<{
    present: boolean;
    estimated_rows: number | null;
    bytes: number | null;
    primary_key: string | null;
    columns: TableFacts['columns'];
  }>(sqlFile('rewrite_table_facts'), [table]);
  const row = r.rows[0]!;
  return {
    present: row.present,
    estimatedRows: row.estimated_rows === null ? null : Number(row.estimated_rows),
    bytes: Number(row.bytes ?? 0),
    primaryKey: row.primary_key,
    columns: row.columns ?? [],
  };
}

export async function safeFormOf(
  db: Pick<Db, 'query'>,
  migration: Pick<LocalMigration, 'name' | 'sql' | 'checksum'>,
  opts: { serverVersionNum: number; batchRows?: number },
): Promise<SafeForm> {
  const pg = await parser();
  const statements = await splitStatements(migration.sql, `${migration.name}/migration.sql`);
  const cache = new Map<string, Promise<TableFacts>>();
  // A table this migration creates is new whatever the target says: a run resumed after its CREATE
  // TABLE committed must find the same form as the run that began.
  const created = new Set<string>();
  const table = (rv: { schemaname?: string; relname?: string }) => {
    const name = qualified(rv);
    if (created.has(name)) return Promise.resolve(NEW_TABLE);
    let f = cache.get(name);
    if (!f) {
      f = readTableFacts(db, name);
      cache.set(name, f);
    }
    return f;
  };
  const out: SafeForm['statements'] = [];
  for (const s of statements) {
    if (s.transactionControl) continue;
    // Locations relative to the statement alone: the rules cut pieces (a type, a default) out of it.
    const alone = pg.parseSync(s.sql).stmts?.[0]?.stmt ?? s.ast;
    const createdHere = alone.CreateStmt?.relation ?? alone.CreateTableAsStmt?.into?.rel;
    if (createdHere) created.add(qualified(createdHere));
    out.push(
      await rewriteStatement({
        sql: s.sql,
        kind: s.kind,
        node: alone[s.kind] ?? {},
        line: s.line,
        transactional: s.transactional,
        table,
        column: (rv, name) =>
          created.has(qualified(rv)) ? Promise.resolve(null) : readColumnFacts(db, qualified(rv), name),
        serverVersionNum: opts.serverVersionNum,
        batchRows: opts.batchRows ?? DEFAULT_BATCH_ROWS,
      }),
    );
  }
  const hash = createHash('sha256');
  // The batch size is not part of what the form does: a resumed run may choose another.
  for (const st of out)
    for (const step of st.steps)
      hash.update(
        `${step.action.type === 'backfill' ? stepSql({ ...step.action, batchRows: 0 }) : stepSql(step.action)}\n`,
      );
  return { migration: migration.name, checksum: migration.checksum, statements: out, fingerprint: hash.digest('hex') };
}

/** The steps in order, numbered from 1 as plan and the journal number them. */
export const stepsOf = (f: SafeForm) => f.statements.flatMap((s) => s.steps);

/** Whether the safe form differs from the file as written at all. */
export const changesAnything = (f: SafeForm) =>
  f.statements.some((s) => s.rule !== 'as-written' && s.rule !== 'widening' && s.rule !== 'type-rewrite');
