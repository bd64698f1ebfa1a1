// Which statements of the pending migrations can fail because of rows already in a table, read from
// the parse tree: SET NOT NULL, ADD COLUMN ... NOT NULL without a default, a unique index, a
// primary key or unique constraint, a validated foreign key or CHECK, a column type change. Only
// tables that exist on the target and that no earlier statement of the run creates, renames or
// drops are checked: a table made in this run is empty, and one renamed is not on the target yet.
import type { SqlStatement } from '../engine/split.js';
import { referencesOf, qualifiedName } from './references.js';
import { isSerialColumn } from './implicit.js';

export type PreflightKind =
  | 'not-null'
  | 'new-not-null-column'
  | 'unique'
  | 'primary-key'
  | 'foreign-key'
  | 'check'
  | 'type-change';

export interface TableRef {
  schema?: string;
  name: string;
}

export interface PreflightCheck {
  migration: string;
  /** 1-based line of the statement in migration.sql. */
  line: number;
  kind: PreflightKind;
  table: TableRef;
  /** The columns concerned (NOT NULL: one; unique/primary key/foreign key: the key). */
  columns: string[];
  /** Foreign keys: the referenced table and columns (empty: its primary key). */
  references?: { table: TableRef; columns: string[] };
  /** CHECK: the condition as written. */
  condition?: string;
  /** Type changes: the new type, built from the parse tree. */
  newType?: { names: string[]; typmods: number[]; array: boolean };
  /** Type change to an enum this run creates (Prisma's enum recreation): the values it will have. */
  enumValues?: string[];
  /** Unique: NULLS NOT DISTINCT (two NULLs are duplicates). */
  nullsNotDistinct?: boolean;
  /** Why it is not checked, when it cannot be (an expression index, a USING expression...). */
  unchecked?: string;
}

export interface PreflightMigration {
  name: string;
  /** The whole migration.sql: parse-tree locations are byte offsets into it. */
  sql: string;
  statements: SqlStatement[];
}

const str = (n: any): string | undefined => n?.String?.sval;
const names = (xs: any[] | undefined): string[] => (xs ?? []).map(str).filter((x): x is string => Boolean(x));
const tableOf = (rv: any): TableRef | null =>
  rv?.relname ? { ...(rv.schemaname ? { schema: rv.schemaname } : {}), name: rv.relname } : null;
export const tableLabel = (t: TableRef) => qualifiedName(t.schema, t.name);

/**
 * The text inside the first parenthesis at or after byte `from`, skipping quoted strings,
 * quoted identifiers, dollar quotes and comments (so a ")" inside '...' does not end it).
 */
export function parenthesizedAt(sql: string, from: number): string | null {
  const text = Buffer.from(sql, 'utf8').subarray(from).toString('utf8');
  let depth = 0;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return null;
      i = end; // a doubled quote ('') is two strings back to back: the same text either way
      continue;
    }
    if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return null;
      i = end + 1;
      continue;
    }
    if (c === '$') {
      let j = i + 1;
      while (j < text.length && (text[j] === '_' || text[j]!.toLowerCase() !== text[j]!.toUpperCase())) j++;
      const tag = text[j] === '$' ? text.slice(i, j + 1) : null;
      if (tag) {
        const end = text.indexOf(tag, i + tag.length);
        if (end < 0) return null;
        i = end + tag.length - 1;
        continue;
      }
    }
    if (c === '(') {
      if (depth++ === 0) start = i + 1;
    } else if (c === ')') {
      if (--depth === 0) return text.slice(start, i);
      if (depth < 0) return null;
    }
  }
  return null;
}

function typeOf(typeName: any): PreflightCheck['newType'] | null {
  const typmods: number[] = [];
  for (const m of typeName?.typmods ?? []) {
    const v = m?.A_Const?.ival;
    if (!v) return null; // a typmod that is not a number: not rebuilt
    typmods.push(Number(v.ival ?? 0));
  }
  const n = names(typeName?.names);
  return n.length ? { names: n, typmods, array: Boolean(typeName?.arrayBounds?.length) } : null;
}

/** USING that only casts the column itself ("col"::text::"T"): the check is the same as without it. */
function castsOnlyColumn(expr: any, column: string): boolean {
  let e = expr;
  while (e?.TypeCast) e = e.TypeCast.arg;
  const fields = names(e?.ColumnRef?.fields);
  return fields.length === 1 && fields[0] === column;
}

function alterTableChecks(
  m: PreflightMigration,
  stmt: SqlStatement,
  node: any,
  table: TableRef,
  enums: Map<string, string[]>,
): PreflightCheck[] {
  const out: PreflightCheck[] = [];
  const base = { migration: m.name, line: stmt.line, table };
  for (const item of node.cmds ?? []) {
    const cmd = item.AlterTableCmd ?? {};
    if (cmd.subtype === 'AT_SetNotNull' && cmd.name) out.push({ ...base, kind: 'not-null', columns: [cmd.name] });
    if (cmd.subtype === 'AT_AddColumn') {
      const col = cmd.def?.ColumnDef ?? {};
      const cons = (col.constraints ?? []).map((c: any) => c.Constraint?.contype);
      const filled =
        cons.some((t: string) => ['CONSTR_DEFAULT', 'CONSTR_IDENTITY', 'CONSTR_GENERATED'].includes(t)) ||
        isSerialColumn(col);
      if (col.colname && !filled && (cons.includes('CONSTR_NOTNULL') || cons.includes('CONSTR_PRIMARY')))
        out.push({ ...base, kind: 'new-not-null-column', columns: [col.colname] });
    }
    if (cmd.subtype === 'AT_AlterColumnType' && cmd.name) {
      const def = cmd.def?.ColumnDef ?? {};
      const newType = typeOf(def.typeName);
      const plain = !def.raw_default || castsOnlyColumn(def.raw_default, cmd.name);
      const enumValues = newType
        ? enums.get(
            qualifiedName(
              newType.names.length > 1 ? newType.names[newType.names.length - 2] : undefined,
              newType.names[newType.names.length - 1]!,
            ),
          )
        : undefined;
      out.push({
        ...base,
        kind: 'type-change',
        columns: [cmd.name],
        ...(newType ? { newType } : {}),
        ...(enumValues && !newType?.array ? { enumValues: [...enumValues] } : {}),
        ...(plain && newType ? {} : { unchecked: 'the USING expression is only checked by a rehearsal with data' }),
      });
    }
    if (cmd.subtype !== 'AT_AddConstraint') continue;
    const con = cmd.def?.Constraint ?? {};
    if (con.skip_validation) continue; // NOT VALID: existing rows are not checked
    if ((con.contype === 'CONSTR_PRIMARY' || con.contype === 'CONSTR_UNIQUE') && !con.indexname) {
      out.push({
        ...base,
        kind: con.contype === 'CONSTR_PRIMARY' ? 'primary-key' : 'unique',
        columns: names(con.keys),
        nullsNotDistinct: Boolean(con.nulls_not_distinct),
      });
    } else if (con.contype === 'CONSTR_FOREIGN') {
      const parent = tableOf(con.pktable);
      if (parent)
        out.push({
          ...base,
          kind: 'foreign-key',
          columns: names(con.fk_attrs),
          references: { table: parent, columns: names(con.pk_attrs) },
        });
    } else if (con.contype === 'CONSTR_CHECK') {
      const condition = typeof con.location === 'number' ? parenthesizedAt(m.sql, con.location) : null;
      out.push({
        ...base,
        kind: 'check',
        columns: [],
        ...(condition ? { condition } : { unchecked: 'the condition could not be read back' }),
      });
    }
  }
  return out;
}

function uniqueIndexCheck(
  m: PreflightMigration,
  stmt: SqlStatement,
  node: any,
  table: TableRef,
): PreflightCheck | null {
  if (!node.unique) return null;
  const params = (node.indexParams ?? []).map((p: any) => p.IndexElem ?? {});
  const base = {
    migration: m.name,
    line: stmt.line,
    table,
    kind: 'unique' as const,
    nullsNotDistinct: Boolean(node.nulls_not_distinct),
  };
  if (node.whereClause || params.some((p: any) => !p.name))
    return {
      ...base,
      columns: [],
      unchecked: 'a partial or expression index is only checked by a rehearsal with data',
    };
  return { ...base, columns: params.map((p: any) => p.name as string) };
}

/**
 * The checks of the pending migrations, in run order. `existsOnTarget` says whether a table name (as
 * references.ts writes it: bare for public) is a table on the target.
 */
export function preflightChecks(
  migrations: PreflightMigration[],
  existsOnTarget: (name: string) => boolean,
): PreflightCheck[] {
  const touched = new Set<string>(); // relations created, renamed or dropped earlier in the run
  const enums = new Map<string, string[]>(); // enums created earlier in the run, with their values
  const out: PreflightCheck[] = [];
  const usable = (t: TableRef | null): t is TableRef =>
    Boolean(t) && !touched.has(tableLabel(t!)) && existsOnTarget(tableLabel(t!));
  for (const m of migrations) {
    for (const stmt of m.statements) {
      const node = stmt.ast[stmt.kind] ?? {};
      if (stmt.kind === 'AlterTableStmt' && node.objtype === 'OBJECT_TABLE') {
        const table = tableOf(node.relation);
        if (usable(table)) {
          for (const c of alterTableChecks(m, stmt, node, table, enums)) {
            // a foreign key to a table made in this run: it is empty, every non-NULL key is an orphan
            if (c.references && !usable(c.references.table)) continue;
            out.push(c);
          }
        }
      } else if (stmt.kind === 'IndexStmt') {
        const table = tableOf(node.relation);
        const c = usable(table) ? uniqueIndexCheck(m, stmt, node, table) : null;
        if (c) out.push(c);
      }
      if (stmt.kind === 'CreateEnumStmt') {
        const n = names(node.typeName);
        if (n.length)
          enums.set(
            qualifiedName(n.length > 1 ? n[n.length - 2] : undefined, n[n.length - 1]!),
            (node.vals ?? []).map(str).filter(Boolean),
          );
      }
      if (stmt.kind === 'AlterEnumStmt' && node.newVal && !node.oldVal) {
        const n = names(node.typeName);
        enums.get(qualifiedName(n.length > 1 ? n[n.length - 2] : undefined, n[n.length - 1]!))?.push(node.newVal);
      }
      const refs = referencesOf(stmt);
      for (const r of [...refs.creates, ...refs.drops]) if (r.kind === 'relation') touched.add(r.name);
    }
  }
  return out;
}
