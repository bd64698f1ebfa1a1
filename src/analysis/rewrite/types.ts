// The safe form of a migration: the steps that reach the same schema as the file as written while
// holding from the application only what each step says. Shared by plan --rewrite, run --rewrite
// and plan --rewrite --apply, so the three can never disagree.
import type { LockMode } from '../locks.js';
import type { StepAction } from '../../engine/rewriteSteps.js';

export type { Guard, StepAction } from '../../engine/rewriteSteps.js';

export interface RewriteStep {
  action: StepAction;
  /** What the step does, in the DBA's words. */
  title: string;
  /** The strongest lock on the statement's table (null: no table lock). */
  lock: LockMode | null;
  relation: string | null;
  /** Locks on other tables (the referenced table of a foreign key). */
  others: { relation: string; lock: LockMode }[];
  scans: boolean;
  rewrites: boolean;
  /** What the application cannot do while the step runs. */
  holds: string;
}

export type RuleName =
  | 'index-concurrently'
  | 'constraint-not-valid'
  | 'not-null-via-check'
  | 'unique-via-index'
  | 'add-column-backfill'
  | 'clock-read-once'
  | 'widening'
  | 'type-rewrite'
  | 'expand-contract'
  | 'as-written';

export interface StatementRewrite {
  /** 1-based line in migration.sql. */
  line: number;
  /** The statement as written. */
  sql: string;
  rule: RuleName;
  /** The statement as written: its lock, and what it holds from the application. */
  written: { lock: LockMode | null; relation: string | null; scans: boolean; rewrites: boolean; holds: string };
  /** Why this form, or (as-written, type-rewrite) why there is no safer one. */
  note: string;
  steps: RewriteStep[];
}

export interface SafeForm {
  migration: string;
  checksum: string;
  statements: StatementRewrite[];
  /** sha256 of the steps' SQL: a resumed run refuses a safe form that changed since it began. */
  fingerprint: string;
}

export const stepSql = (a: StepAction): string =>
  a.type === 'backfill'
    ? `UPDATE ${a.table} SET ${a.column} = ${a.value ?? 'DEFAULT'} WHERE ${a.key} IN (next ${a.batchRows} keys) AND ${a.todo ?? `${a.column} IS NULL`}`
    : a.sql;
