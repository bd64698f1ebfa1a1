// What every rule builds on: the facts a rule reads from the target, a step with what it holds from
// the application, and the statement as written; and the NOT NULL steps that three rules share.
import { lockOf, relName } from '../locks.js';
import type { RewriteStep, RuleName, StatementRewrite } from './types.js';
import { holdsFor, ident, qualified } from './text.js';
import type { ColumnTypeFacts } from './typeRule.js';

export interface ColumnFacts {
  name: string;
  type: string;
  notNull: boolean;
}

export interface TableFacts {
  present: boolean;
  estimatedRows: number | null;
  bytes: number;
  /** The single-column primary key, which batches are keyed by (null: none, or several columns). */
  primaryKey: string | null;
  columns: ColumnFacts[];
}

export interface RuleInput {
  /** The statement's text, and its parse tree with locations relative to that text. */
  sql: string;
  kind: string;
  node: Record<string, any>;
  line: number;
  transactional: boolean;
  table: (rv: { schemaname?: string; relname?: string }) => Promise<TableFacts>;
  /** A column's facts for a type change's safe form (absent: no such form is offered). */
  column?: (rv: { schemaname?: string; relname?: string }, name: string) => Promise<ColumnTypeFacts | null>;
  serverVersionNum: number;
  batchRows: number;
}

export type Rv = { schemaname?: string; relname?: string };

export const step = (
  s: Omit<RewriteStep, 'others' | 'scans' | 'rewrites' | 'holds'> & Partial<RewriteStep> & { long?: boolean },
): RewriteStep => {
  const { long, ...rest } = s;
  return {
    others: [],
    scans: false,
    rewrites: false,
    holds: holdsFor(s.lock, Boolean(long)),
    ...rest,
  };
};

export function result(input: RuleInput, rule: RuleName, note: string, steps: RewriteStep[]): StatementRewrite {
  const l = lockOf({ kind: input.kind, ast: { [input.kind]: input.node } });
  // A widening change rewrites nothing, which only the catalog knows: the step says so.
  const rewrites = rule === 'widening' ? false : l.rewrites;
  const long = l.scans || rewrites;
  const holds = rule === 'as-written' ? (steps[0]?.holds ?? holdsFor(l.lock, long)) : holdsFor(l.lock, long);
  return {
    line: input.line,
    sql: input.sql,
    rule,
    written: { lock: l.lock, relation: l.relation, scans: l.scans, rewrites, holds },
    note,
    steps,
  };
}

/** The statement as written, with the locks plan already knows it takes. */
export function asWritten(input: RuleInput, note: string, newTable = false): StatementRewrite {
  const l = lockOf({ kind: input.kind, ast: { [input.kind]: input.node } });
  const long = l.scans || l.rewrites;
  return result(input, 'as-written', note, [
    step({
      action: { type: 'sql', sql: input.sql, transactional: input.transactional },
      title: 'as written',
      lock: l.lock,
      relation: l.relation,
      others: l.others,
      scans: l.scans,
      rewrites: l.rewrites,
      long,
      ...(newTable || l.creates ? { holds: 'nothing (the table is new or empty)' } : {}),
    }),
  ]);
}

/** The check's name: PostgreSQL's 63-byte limit, and unlikely to meet a name of the schema. */
function checkName(table: string, column: string): string {
  const base = `${table}_${column}`.slice(0, 50);
  return `${base}_not_null_tmp`;
}

export function notNullSteps(rel: Rv, column: string): RewriteStep[] {
  const table = qualified(rel);
  const check = ident(checkName(rel.relname ?? '', column));
  const col = ident(column);
  return [
    step({
      action: {
        type: 'sql',
        sql: `ALTER TABLE ${table} ADD CONSTRAINT ${check} CHECK (${col} IS NOT NULL) NOT VALID`,
        transactional: true,
        skipIf: { kind: 'column-not-null', table, column },
      },
      title: `add CHECK (${column} IS NOT NULL) NOT VALID (no scan)`,
      lock: 'ACCESS EXCLUSIVE',
      relation: relName(rel),
    }),
    step({
      action: {
        type: 'sql',
        sql: `ALTER TABLE ${table} VALIDATE CONSTRAINT ${check}`,
        transactional: true,
        skipIf: { kind: 'column-not-null', table, column },
      },
      title: 'validate the check (scans, writes go on)',
      lock: 'SHARE UPDATE EXCLUSIVE',
      relation: relName(rel),
      scans: true,
    }),
    step({
      action: { type: 'sql', sql: `ALTER TABLE ${table} ALTER COLUMN ${col} SET NOT NULL`, transactional: true },
      title: 'SET NOT NULL (the valid check spares the scan)',
      lock: 'ACCESS EXCLUSIVE',
      relation: relName(rel),
    }),
    step({
      action: { type: 'sql', sql: `ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${check}`, transactional: true },
      title: 'drop the check',
      lock: 'ACCESS EXCLUSIVE',
      relation: relName(rel),
    }),
  ];
}
