// Objects PostgreSQL creates without the migration naming them, so that the reference check knows
// them: the sequence behind a SERIAL or identity column ("User_id_seq"), the index behind a PRIMARY
// KEY or UNIQUE constraint ("User_pkey", "Webhook_url_key"), the index of an unnamed CREATE INDEX.
// A later migration that renames or drops them (Prisma does: DROP SEQUENCE "Webhook_id_seq") must
// not be reported as using something that does not exist. Names follow PostgreSQL's own rules
// (ChooseRelationName: "table_column_suffix", cut to 63 bytes, the longer part first).
import type { NameUse } from './nameUse.js';

/** SERIAL and friends are column shorthands, not types: `integer` plus a sequence and a default. */
export const SERIAL_TYPES = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);

const MAX_NAME_BYTES = 63;

/** The first `bytes` bytes of a name, never cutting a UTF-8 character in two. */
function clip(name: string, bytes: number): string {
  const buf = Buffer.from(name, 'utf8');
  if (buf.length <= bytes) return name;
  let end = bytes;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

/** PostgreSQL's makeObjectName: "name1_name2_label" within 63 bytes. */
export function implicitName(name1: string, name2: string | null, label: string): string {
  const overhead = label.length + 1 + (name2 ? 1 : 0);
  const avail = MAX_NAME_BYTES - overhead;
  let n1 = Buffer.byteLength(name1);
  let n2 = name2 ? Buffer.byteLength(name2) : 0;
  while (n1 + n2 > avail) {
    if (n1 > n2) n1--;
    else n2--;
  }
  const parts = [clip(name1, n1), ...(name2 ? [clip(name2, n2)] : []), label];
  return parts.join('_');
}

const str = (n: any): string | undefined => n?.String?.sval;
const qualified = (schema: string | undefined, name: string) =>
  schema && schema !== 'public' ? `${schema}.${name}` : name;

export const isSerialColumn = (colDef: any): boolean => {
  const names = (colDef?.typeName?.names ?? []).map(str);
  return names.length === 1 && SERIAL_TYPES.has(names[0]);
};

/** The name an identity column's sequence gets: SEQUENCE NAME when given, else table_column_seq. */
function identitySequence(schema: string | undefined, table: string, column: string, con: any): string {
  const opt = (con.options ?? []).find((o: any) => o?.DefElem?.defname === 'sequence_name');
  const parts = (opt?.DefElem?.arg?.List?.items ?? []).map(str).filter(Boolean) as string[];
  if (parts.length) return qualified(parts.length > 1 ? parts[parts.length - 2] : schema, parts[parts.length - 1]!);
  return qualified(schema, implicitName(table, column, 'seq'));
}

/** The index a PRIMARY KEY / UNIQUE / EXCLUDE constraint builds, by the name PostgreSQL gives it. */
function constraintIndex(schema: string | undefined, table: string, con: any, column?: string): string | null {
  if (con.conname) return qualified(schema, con.conname);
  if (con.contype === 'CONSTR_PRIMARY') return qualified(schema, implicitName(table, null, 'pkey'));
  const keys = column ? [column] : ((con.keys ?? []).map(str).filter(Boolean) as string[]);
  if (con.contype === 'CONSTR_UNIQUE' && keys.length)
    return qualified(schema, implicitName(table, clip(keys.join('_'), MAX_NAME_BYTES), 'key'));
  return null;
}

const INDEX_CONSTRAINTS = new Set(['CONSTR_PRIMARY', 'CONSTR_UNIQUE', 'CONSTR_EXCLUSION']);

/** Sequences and indexes a column definition brings with it. */
function columnObjects(schema: string | undefined, table: string, col: any): string[] {
  const out: string[] = [];
  if (!col?.colname) return out;
  if (isSerialColumn(col)) out.push(qualified(schema, implicitName(table, col.colname, 'seq')));
  for (const c of col.constraints ?? []) {
    const con = c.Constraint ?? {};
    if (con.contype === 'CONSTR_IDENTITY') out.push(identitySequence(schema, table, col.colname, con));
    if (INDEX_CONSTRAINTS.has(con.contype)) {
      const idx = constraintIndex(schema, table, con, col.colname);
      if (idx) out.push(idx);
    }
  }
  return out;
}

/** The index name of CREATE INDEX without one: table_columns_idx (an expression counts by its function). */
function unnamedIndex(node: any): string | null {
  const rel = node.relation;
  if (!rel?.relname || node.idxname) return null;
  const cols = (node.indexParams ?? []).map((p: any) => {
    const e = p.IndexElem ?? {};
    if (e.name) return e.name;
    const fn = e.expr?.FuncCall?.funcname;
    return fn ? (str(fn[fn.length - 1]) ?? 'expr') : 'expr';
  });
  return qualified(
    rel.schemaname,
    implicitName(rel.relname, clip(cols.join('_'), MAX_NAME_BYTES), node.isconstraint ? 'key' : 'idx'),
  );
}

export interface ImplicitObjects {
  creates: NameUse[];
  drops: NameUse[];
  /** Parse-tree nodes that look like type uses but are not (the SERIAL shorthands). */
  notTypes: unknown[];
}

/** What one statement creates (and renames away) without naming it. */
export function implicitObjects(kind: string, node: any): ImplicitObjects {
  const out: ImplicitObjects = { creates: [], drops: [], notTypes: [] };
  const rel = (name: string) => ({ kind: 'relation' as const, name });
  const schema: string | undefined = node.relation?.schemaname;
  const table: string | undefined = node.relation?.relname;
  switch (kind) {
    case 'CreateStmt':
      if (!table) break;
      for (const elt of node.tableElts ?? []) {
        if (elt.ColumnDef) {
          if (isSerialColumn(elt.ColumnDef)) out.notTypes.push(elt.ColumnDef.typeName);
          out.creates.push(...columnObjects(schema, table, elt.ColumnDef).map(rel));
        } else if (elt.Constraint && INDEX_CONSTRAINTS.has(elt.Constraint.contype)) {
          const idx = constraintIndex(schema, table, elt.Constraint);
          if (idx) out.creates.push(rel(idx));
        }
      }
      break;
    case 'IndexStmt': {
      const idx = unnamedIndex(node);
      if (idx) out.creates.push(rel(idx));
      break;
    }
    case 'AlterTableStmt':
      if (!table) break;
      for (const item of node.cmds ?? []) {
        const cmd = item.AlterTableCmd ?? {};
        if (cmd.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef) {
          if (isSerialColumn(cmd.def.ColumnDef)) out.notTypes.push(cmd.def.ColumnDef.typeName);
          out.creates.push(...columnObjects(schema, table, cmd.def.ColumnDef).map(rel));
        } else if (cmd.subtype === 'AT_AddIdentity' && cmd.name && cmd.def?.Constraint) {
          out.creates.push(rel(identitySequence(schema, table, cmd.name, cmd.def.Constraint)));
        } else if (cmd.subtype === 'AT_AddConstraint' && INDEX_CONSTRAINTS.has(cmd.def?.Constraint?.contype)) {
          const con = cmd.def.Constraint;
          const idx = constraintIndex(schema, table, con);
          if (idx) out.creates.push(rel(idx));
          // ADD CONSTRAINT c UNIQUE USING INDEX i renames the index i to c.
          if (con.indexname && idx) out.drops.push(rel(qualified(schema, con.indexname)));
        }
      }
      break;
    case 'RenameStmt':
      // RENAME CONSTRAINT renames the index of a primary key or unique constraint too.
      if (node.renameType === 'OBJECT_TABCONSTRAINT' && node.subname && node.newname) {
        out.drops.push(rel(qualified(schema, node.subname)));
        out.creates.push(rel(qualified(schema, node.newname)));
      }
      break;
  }
  return out;
}
