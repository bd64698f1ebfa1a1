// The table lock each statement takes, and whether it rewrites or scans the table. The modes are
// PostgreSQL's (docs: "Explicit Locking", and each ALTER TABLE sub-command's notes); the point is
// to show a DBA which statements stop reads and writes on which table, and for how long they may.
import type { SqlStatement } from '../engine/split.js';

export type LockMode =
  | 'ACCESS SHARE'
  | 'ROW SHARE'
  | 'ROW EXCLUSIVE'
  | 'SHARE UPDATE EXCLUSIVE'
  | 'SHARE'
  | 'SHARE ROW EXCLUSIVE'
  | 'EXCLUSIVE'
  | 'ACCESS EXCLUSIVE';

/** PostgreSQL's table lock modes, weakest first. */
export const LOCK_ORDER: LockMode[] = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
];

export const strongest = (a: LockMode | null, b: LockMode | null): LockMode | null =>
  a === null ? b : b === null ? a : LOCK_ORDER.indexOf(a) >= LOCK_ORDER.indexOf(b) ? a : b;

/** Modes that block plain reads (SELECT) or writes (INSERT/UPDATE/DELETE) of the application. */

export interface StatementLock {
  /** The strongest lock on the statement's main relation (null: no table lock, e.g. CREATE TYPE). */
  lock: LockMode | null;
  /** The main relation (as written, schema-qualified when it was). */
  relation: string | null;
  /** Locks on other tables: the referenced table of a foreign key, ... */
  others: { relation: string; lock: LockMode }[];
  /** The whole table is rewritten (new file): time and disk grow with its size. */
  rewrites: boolean;
  /** The whole table is read while the lock is held (validation, index build). */
  scans: boolean;
  /** The relation is created by this statement (so it is empty while locked). */
  creates: boolean;
}

export const relName = (rv: { schemaname?: string; relname?: string } | undefined): string | null =>
  rv?.relname ? (rv.schemaname ? `${rv.schemaname}.${rv.relname}` : rv.relname) : null;

const none = (relation: string | null = null): StatementLock => ({
  lock: null,
  relation,
  others: [],
  rewrites: false,
  scans: false,
  creates: false,
});

/**
 * Functions whose value changes per row (pg_proc.provolatile = 'v'): a column default with one of
 * these rewrites the table. statement_timestamp() and txid_current() are stable: read once.
 */
const VOLATILE_FUNCTIONS = new Set([
  'random',
  'gen_random_uuid',
  'uuid_generate_v4',
  'uuid_generate_v1',
  'clock_timestamp',
  'timeofday',
  'nextval',
]);
const SERIAL_TYPES = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);

/** The functions an expression's parse tree calls: their names and byte offsets. */
export function functionCalls(node: unknown, out: { name: string; location: number }[] = []) {
  if (!node || typeof node !== 'object') return out;
  if (Array.isArray(node)) {
    for (const n of node) functionCalls(n, out);
    return out;
  }
  const o = node as Record<string, any>;
  if (o.FuncCall) {
    const names = (o.FuncCall.funcname ?? []).map((n: any) => n?.String?.sval);
    out.push({ name: names[names.length - 1], location: o.FuncCall.location });
  }
  for (const v of Object.values(o)) functionCalls(v, out);
  return out;
}

/** The calls of volatile functions among them. */
export const volatileCalls = (node: unknown) => functionCalls(node).filter((c) => VOLATILE_FUNCTIONS.has(c.name));

const hasVolatileCall = (node: unknown): boolean => volatileCalls(node).length > 0;

/** ADD COLUMN rewrites the table when the new column gets a per-row value. */
function addColumnRewrites(colDef: Record<string, any>): boolean {
  const typeNames = (colDef.typeName?.names ?? []).map((n: any) => n?.String?.sval);
  if (SERIAL_TYPES.has(typeNames[typeNames.length - 1])) return true;
  for (const c of colDef.constraints ?? []) {
    const con = c.Constraint ?? {};
    if (con.contype === 'CONSTR_IDENTITY') return true;
    if (con.contype === 'CONSTR_GENERATED') return true;
    if (con.contype === 'CONSTR_DEFAULT' && hasVolatileCall(con.raw_expr)) return true;
  }
  return false;
}

function addColumnScans(colDef: Record<string, any>): boolean {
  return (colDef.constraints ?? []).some((c: any) =>
    ['CONSTR_CHECK', 'CONSTR_FOREIGN', 'CONSTR_PRIMARY', 'CONSTR_UNIQUE'].includes(c.Constraint?.contype),
  );
}

function alterTable(node: Record<string, any>): StatementLock {
  const relation = relName(node.relation);
  const out: StatementLock = { ...none(relation) };
  const isIndex = node.objtype === 'OBJECT_INDEX';
  for (const item of node.cmds ?? []) {
    const cmd = item.AlterTableCmd ?? {};
    let lock: LockMode = 'ACCESS EXCLUSIVE';
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        const def = cmd.def?.ColumnDef ?? {};
        if (addColumnRewrites(def)) out.rewrites = true;
        if (addColumnScans(def)) out.scans = true;
        for (const c of def.constraints ?? []) {
          const pk = relName(c.Constraint?.pktable);
          if (pk) out.others.push({ relation: pk, lock: 'SHARE ROW EXCLUSIVE' });
        }
        break;
      }
      case 'AT_AlterColumnType':
        out.rewrites = true; // unless the types are binary coercible (varchar(n) -> text), which the catalog decides
        break;
      case 'AT_SetNotNull':
        out.scans = true;
        break;
      case 'AT_AddConstraint': {
        const con = cmd.def?.Constraint ?? {};
        const validated = !con.skip_validation;
        if (con.contype === 'CONSTR_FOREIGN') {
          lock = 'SHARE ROW EXCLUSIVE';
          const pk = relName(con.pktable);
          if (pk) out.others.push({ relation: pk, lock: 'SHARE ROW EXCLUSIVE' });
          if (validated) out.scans = true;
        } else if (con.contype === 'CONSTR_CHECK') {
          if (validated) out.scans = true;
        } else if (['CONSTR_PRIMARY', 'CONSTR_UNIQUE', 'CONSTR_EXCLUSION'].includes(con.contype)) {
          if (!con.indexname) out.scans = true; // builds the index while holding ACCESS EXCLUSIVE
        }
        break;
      }
      case 'AT_ValidateConstraint':
        lock = 'SHARE UPDATE EXCLUSIVE';
        out.scans = true;
        break;
      case 'AT_SetLogged':
      case 'AT_SetUnLogged':
      case 'AT_SetTableSpace':
      case 'AT_SetAccessMethod':
        out.rewrites = true;
        break;
      case 'AT_SetStatistics':
      case 'AT_SetOptions':
      case 'AT_ResetOptions':
      case 'AT_SetRelOptions':
      case 'AT_ResetRelOptions':
      case 'AT_ClusterOn':
      case 'AT_DropCluster':
        lock = 'SHARE UPDATE EXCLUSIVE';
        break;
      case 'AT_EnableTrig':
      case 'AT_DisableTrig':
      case 'AT_EnableTrigAll':
      case 'AT_DisableTrigAll':
      case 'AT_EnableTrigUser':
      case 'AT_DisableTrigUser':
      case 'AT_AddIndexConstraint':
        lock = cmd.subtype === 'AT_AddIndexConstraint' ? 'ACCESS EXCLUSIVE' : 'SHARE ROW EXCLUSIVE';
        break;
      case 'AT_AttachPartition':
        lock = 'SHARE UPDATE EXCLUSIVE';
        out.scans = true; // the partition is scanned to check its bound unless a matching constraint exists
        {
          const part = relName(cmd.def?.PartitionCmd?.name);
          if (part) out.others.push({ relation: part, lock: 'ACCESS EXCLUSIVE' });
        }
        break;
      case 'AT_DetachPartition':
        lock = cmd.def?.PartitionCmd?.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
        break;
      default:
        lock = 'ACCESS EXCLUSIVE';
    }
    if (isIndex && cmd.subtype !== 'AT_SetTableSpace') lock = 'SHARE UPDATE EXCLUSIVE';
    out.lock = strongest(out.lock, lock);
  }
  return out;
}

function objectName(obj: any): string | null {
  const parts = (obj?.List?.items ?? (Array.isArray(obj) ? obj : [])).map((x: any) => x?.String?.sval).filter(Boolean);
  return parts.length ? parts.join('.') : null;
}

/** The lock analysis of one statement. */
export function lockOf(stmt: Pick<SqlStatement, 'kind' | 'ast'>): StatementLock {
  const node = stmt.ast[stmt.kind] ?? {};
  switch (stmt.kind) {
    case 'CreateStmt': {
      const out: StatementLock = { ...none(relName(node.relation)), lock: 'ACCESS EXCLUSIVE', creates: true };
      for (const elt of node.tableElts ?? []) {
        const cons = elt.Constraint
          ? [elt.Constraint]
          : (elt.ColumnDef?.constraints ?? []).map((c: any) => c.Constraint);
        for (const con of cons) {
          const pk = relName(con?.pktable);
          if (pk) out.others.push({ relation: pk, lock: 'SHARE ROW EXCLUSIVE' });
        }
      }
      for (const parent of node.inhRelations ?? []) {
        const p = relName(parent.RangeVar);
        if (p) out.others.push({ relation: p, lock: 'SHARE UPDATE EXCLUSIVE' });
      }
      return out;
    }
    case 'CreateTableAsStmt':
      return { ...none(relName(node.into?.rel)), lock: 'ACCESS EXCLUSIVE', creates: true, scans: true };
    case 'IndexStmt':
      return {
        ...none(relName(node.relation)),
        lock: node.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE',
        scans: true,
      };
    case 'AlterTableStmt':
      return alterTable(node);
    case 'RenameStmt': {
      const rel = relName(node.relation);
      if (!rel) return none();
      const indexOnly = node.renameType === 'OBJECT_INDEX';
      return { ...none(rel), lock: indexOnly ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE' };
    }
    case 'DropStmt': {
      const first = objectName(node.objects?.[0]);
      switch (node.removeType) {
        case 'OBJECT_TABLE':
        case 'OBJECT_VIEW':
        case 'OBJECT_MATVIEW':
        case 'OBJECT_FOREIGN_TABLE':
        case 'OBJECT_SEQUENCE':
          return { ...none(first), lock: 'ACCESS EXCLUSIVE' };
        case 'OBJECT_INDEX':
          // the index's table is locked too; its name is not in the statement
          return { ...none(first), lock: node.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE' };
        case 'OBJECT_TRIGGER':
        case 'OBJECT_POLICY':
        case 'OBJECT_RULE': {
          const parts = (node.objects?.[0]?.List?.items ?? []).map((x: any) => x?.String?.sval);
          return { ...none(parts.slice(0, -1).join('.') || null), lock: 'ACCESS EXCLUSIVE' };
        }
        default:
          return none();
      }
    }
    case 'InsertStmt':
      return { ...none(relName(node.relation)), lock: 'ROW EXCLUSIVE' };
    case 'UpdateStmt':
    case 'DeleteStmt':
      return { ...none(relName(node.relation)), lock: 'ROW EXCLUSIVE', scans: true };
    case 'MergeStmt':
      return { ...none(relName(node.relation)), lock: 'ROW EXCLUSIVE', scans: true };
    case 'TruncateStmt':
      return { ...none(relName(node.relations?.[0]?.RangeVar)), lock: 'ACCESS EXCLUSIVE' };
    case 'VacuumStmt': {
      const full = (node.options ?? []).some((o: any) => o?.DefElem?.defname === 'full');
      const rel = relName(node.rels?.[0]?.VacuumRelation?.relation);
      return { ...none(rel), lock: full ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE', rewrites: full, scans: true };
    }
    case 'ClusterStmt':
      return { ...none(relName(node.relation)), lock: 'ACCESS EXCLUSIVE', rewrites: true, scans: true };
    case 'ReindexStmt': {
      const concurrent = (node.params ?? []).some((p: any) => p?.DefElem?.defname === 'concurrently');
      return { ...none(relName(node.relation)), lock: concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE', scans: true };
    }
    case 'CreateTrigStmt':
      return { ...none(relName(node.relation)), lock: 'SHARE ROW EXCLUSIVE' };
    case 'CreatePolicyStmt':
    case 'AlterPolicyStmt':
    case 'RuleStmt':
      return { ...none(relName(node.table ?? node.relation)), lock: 'ACCESS EXCLUSIVE' };
    case 'RefreshMatViewStmt':
      return {
        ...none(relName(node.relation)),
        lock: node.concurrent ? 'EXCLUSIVE' : 'ACCESS EXCLUSIVE',
        scans: true,
        rewrites: !node.concurrent,
      };
    case 'ViewStmt':
      return { ...none(relName(node.view)), lock: 'ACCESS EXCLUSIVE', creates: !node.replace };
    case 'LockStmt': {
      const modes: LockMode[] = [
        'ACCESS SHARE',
        'ROW SHARE',
        'ROW EXCLUSIVE',
        'SHARE UPDATE EXCLUSIVE',
        'SHARE',
        'SHARE ROW EXCLUSIVE',
        'EXCLUSIVE',
        'ACCESS EXCLUSIVE',
      ];
      return {
        ...none(relName(node.relations?.[0]?.RangeVar)),
        lock: modes[(node.mode ?? 8) - 1] ?? 'ACCESS EXCLUSIVE',
      };
    }
    case 'CommentStmt':
      return none();
    default:
      return none();
  }
}
