import type { SqlStatement } from './split.js';

/**
 * A unit the executor sends in one round trip: one statement that may wait on locks or run long
 * (alone, watched, retried), or a run of cheap ones (creating new objects, or touching only
 * objects this migration created) sent together, which is what keeps the executor close to psql.
 */
export interface Step {
  statements: SqlStatement[];
  /** Runs outside a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, ...). */
  autocommit: boolean;
}

const CREATES = new Set([
  'CreateStmt',
  'CreateEnumStmt',
  'CreateSeqStmt',
  'CompositeTypeStmt',
  'CreateDomainStmt',
  'CreateFunctionStmt',
  'ViewStmt',
  'CommentStmt',
  'CreateSchemaStmt',
  'CreateExtensionStmt',
  'DefineStmt',
  'CreateTrigStmt',
]);
const MAX_BATCH = 40;

/** Name of the relation a statement works on, as the parser folded it. */
export function relationOf(s: SqlStatement): string | undefined {
  const n = s.ast[s.kind] ?? {};
  return n.relation?.relname ?? n.view?.relname ?? undefined;
}

const ON_NEW_TABLE = new Set(['IndexStmt', 'AlterTableStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt']);

/** A constant default (or none): PostgreSQL 11+ adds such a column without rewriting the table. */
function isConstantDefault(expr: any): boolean {
  if (!expr) return true;
  if (expr.A_Const) return true;
  if (expr.TypeCast) return isConstantDefault(expr.TypeCast.arg);
  return false;
}

/** ADD COLUMN without a volatile default or a constraint that scans: a catalog change only. */
function isMetadataOnlyAddColumn(s: SqlStatement): boolean {
  if (s.kind !== 'AlterTableStmt') return false;
  const cmds: any[] = s.ast.AlterTableStmt?.cmds ?? [];
  return (
    cmds.length > 0 &&
    cmds.every((c) => {
      const cmd = c.AlterTableCmd;
      if (cmd?.subtype !== 'AT_AddColumn') return false;
      const constraints: any[] = cmd.def?.ColumnDef?.constraints ?? [];
      return constraints.every((k) => {
        const t = k.Constraint?.contype;
        return (
          t === 'CONSTR_NULL' ||
          t === 'CONSTR_NOTNULL' ||
          (t === 'CONSTR_DEFAULT' && isConstantDefault(k.Constraint.raw_expr))
        );
      });
    })
  );
}

/**
 * Cheap: creates a new object, touches only objects this migration created (nobody else can see
 * them yet), or adds a column without rewriting. Everything else runs alone, so its progress,
 * lock waits and victims are its own. Either way lock_timeout holds and the watcher samples.
 */
function isCheap(s: SqlStatement, createdHere: Set<string>): boolean {
  if (!s.transactional || s.transactionControl) return false;
  if (CREATES.has(s.kind)) return true;
  const rel = relationOf(s);
  if (rel && createdHere.has(rel) && ON_NEW_TABLE.has(s.kind)) return true;
  return isMetadataOnlyAddColumn(s);
}

/** `alone`: statement indexes that must be a step of their own (a batched backfill). */
export function planSteps(statements: SqlStatement[], opts: { batching: boolean; alone?: Set<number> }): Step[] {
  const createdHere = new Set<string>();
  const steps: Step[] = [];
  let batch: SqlStatement[] = [];
  const flush = () => {
    if (batch.length) steps.push({ statements: batch, autocommit: false });
    batch = [];
  };
  for (const s of statements) {
    const cheap = opts.batching && !opts.alone?.has(s.index) && isCheap(s, createdHere);
    if (s.kind === 'CreateStmt') {
      const rel = relationOf(s);
      if (rel) createdHere.add(rel);
    }
    if (cheap) {
      batch.push(s);
      if (batch.length >= MAX_BATCH) flush();
      continue;
    }
    flush();
    steps.push({ statements: [s], autocommit: !s.transactional || s.transactionControl });
  }
  flush();
  return steps;
}

/** The SQL of a step: a newline before each semicolon, so a trailing line comment cannot swallow it. */
export function stepSql(step: Step): string {
  return step.statements.map((s) => `${s.sql}\n;`).join('\n');
}
