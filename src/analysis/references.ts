// What a statement needs to exist and what it creates or drops, read from the parse tree (never from
// the text): the base of the runbook findings (used before created, "User" vs users) and of the
// down.sql check. Names are kept as PostgreSQL sees them: unquoted ones folded to lower case by the
// parser, quoted ones exact; the public schema is left out so that "public.users" and "users" meet.
import type { SqlStatement } from '../engine/split.js';
import { implicitObjects } from './implicit.js';

import type { NameUse, ObjectKind } from './nameUse.js';

export type { NameUse, ObjectKind };

export interface StatementRefs {
  uses: NameUse[];
  creates: NameUse[];
  drops: NameUse[];
  /** Columns and constraints this statement adds to a table: "table.column", "table:constraint". */
  addsParts: string[];
  /** Columns and constraints it drops. */
  dropsParts: string[];
  /** CREATE EXTENSION: the extension's types and functions become possible, unknown to us by name. */
  extension?: string;
}

const str = (n: any): string | undefined => n?.String?.sval;

export function qualifiedName(schema: string | undefined, name: string): string {
  return schema && schema !== 'public' ? `${schema}.${name}` : name;
}

function rangeVarName(rv: any): string | null {
  return rv?.relname ? qualifiedName(rv.schemaname, rv.relname) : null;
}

function listName(items: any[] | undefined): string | null {
  const parts = (items ?? []).map(str).filter((x): x is string => Boolean(x));
  if (!parts.length) return null;
  return qualifiedName(parts.length > 1 ? parts[parts.length - 2] : undefined, parts[parts.length - 1]!);
}

const RELATION_DROPS = new Set([
  'OBJECT_TABLE',
  'OBJECT_VIEW',
  'OBJECT_MATVIEW',
  'OBJECT_INDEX',
  'OBJECT_SEQUENCE',
  'OBJECT_FOREIGN_TABLE',
]);
const TYPE_DROPS = new Set(['OBJECT_TYPE', 'OBJECT_DOMAIN']);
const RELATION_RENAMES = new Set([
  'OBJECT_TABLE',
  'OBJECT_VIEW',
  'OBJECT_MATVIEW',
  'OBJECT_INDEX',
  'OBJECT_SEQUENCE',
  'OBJECT_FOREIGN_TABLE',
]);

/** The references of one statement. */
export function referencesOf(stmt: Pick<SqlStatement, 'kind' | 'ast'>): StatementRefs {
  const node = stmt.ast[stmt.kind] ?? {};
  const out: StatementRefs = { uses: [], creates: [], drops: [], addsParts: [], dropsParts: [] };
  // Parse-tree nodes that name what the statement creates (not a use of an existing relation).
  const notUses = new Set<unknown>();
  const relCreate = (rv: any) => {
    const name = rangeVarName(rv);
    if (name) out.creates.push({ kind: 'relation', name });
    if (rv) notUses.add(rv);
  };

  switch (stmt.kind) {
    case 'CreateStmt': {
      relCreate(node.relation);
      const table = rangeVarName(node.relation);
      if (table) out.creates.push({ kind: 'type', name: table }); // every table has a row type of its name
      break;
    }
    case 'CreateTableAsStmt':
      relCreate(node.into?.rel);
      break;
    case 'ViewStmt':
      relCreate(node.view);
      break;
    case 'CreateSeqStmt':
      relCreate(node.sequence);
      break;
    case 'CompositeTypeStmt': {
      const name = rangeVarName(node.typevar);
      if (name) out.creates.push({ kind: 'type', name });
      notUses.add(node.typevar);
      break;
    }
    case 'IndexStmt':
      if (node.idxname)
        out.creates.push({ kind: 'relation', name: qualifiedName(node.relation?.schemaname, node.idxname) });
      break;
    case 'CreateEnumStmt':
    case 'CreateRangeStmt': {
      const name = listName(node.typeName);
      if (name) out.creates.push({ kind: 'type', name });
      break;
    }
    case 'CreateDomainStmt': {
      const name = listName(node.domainname);
      if (name) out.creates.push({ kind: 'type', name });
      break;
    }
    case 'DefineStmt':
      if (node.kind === 'OBJECT_TYPE') {
        const name = listName(node.defnames);
        if (name) out.creates.push({ kind: 'type', name });
      }
      break;
    case 'AlterEnumStmt': {
      const name = listName(node.typeName);
      if (name) out.uses.push({ kind: 'type', name });
      break;
    }
    case 'AlterTableStmt': {
      if (node.missing_ok) notUses.add(node.relation); // ALTER TABLE IF EXISTS does not fail on a missing table
      const table = rangeVarName(node.relation);
      for (const item of node.cmds ?? []) {
        const cmd = item.AlterTableCmd ?? {};
        if (!table) break;
        if (cmd.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef?.colname)
          out.addsParts.push(`${table}.${cmd.def.ColumnDef.colname}`);
        if (cmd.subtype === 'AT_AddConstraint' && cmd.def?.Constraint?.conname)
          out.addsParts.push(`${table}:${cmd.def.Constraint.conname}`);
        if (cmd.subtype === 'AT_DropColumn' && cmd.name) out.dropsParts.push(`${table}.${cmd.name}`);
        if (cmd.subtype === 'AT_DropConstraint' && cmd.name) out.dropsParts.push(`${table}:${cmd.name}`);
      }
      break;
    }
    case 'RenameStmt': {
      if (node.missing_ok) notUses.add(node.relation);
      if (RELATION_RENAMES.has(node.renameType) && node.relation) {
        const old = rangeVarName(node.relation);
        if (old) out.drops.push({ kind: 'relation', name: old });
        out.creates.push({ kind: 'relation', name: qualifiedName(node.relation.schemaname, node.newname) });
        if (node.renameType === 'OBJECT_TABLE' && old) {
          // the table's row type follows its name
          out.drops.push({ kind: 'type', name: old });
          out.creates.push({ kind: 'type', name: qualifiedName(node.relation.schemaname, node.newname) });
        }
      } else if (TYPE_DROPS.has(node.renameType)) {
        const old = listName(node.object?.List?.items);
        if (old) {
          out.uses.push({ kind: 'type', name: old });
          out.drops.push({ kind: 'type', name: old });
          const schema = old.includes('.') ? old.split('.')[0] : undefined;
          out.creates.push({ kind: 'type', name: qualifiedName(schema, node.newname) });
        }
      }
      break;
    }
    case 'CreateExtensionStmt':
      if (node.extname) out.extension = node.extname;
      break;
    case 'DropStmt': {
      const kind: ObjectKind | null = RELATION_DROPS.has(node.removeType)
        ? 'relation'
        : TYPE_DROPS.has(node.removeType)
          ? 'type'
          : null;
      if (!kind) break;
      for (const obj of node.objects ?? []) {
        const name = obj?.List ? listName(obj.List.items) : obj?.TypeName ? listName(obj.TypeName.names) : null;
        if (!name) continue;
        out.drops.push({ kind, name });
        if (!node.missing_ok) out.uses.push({ kind, name });
      }
      break;
    }
  }

  const implicit = implicitObjects(stmt.kind, node);
  out.creates.push(...implicit.creates);
  out.drops.push(...implicit.drops);
  for (const n of implicit.notTypes) notUses.add(n);

  const ctes = new Set<string>();
  collectCtes(node, ctes);
  walk(node, (obj) => {
    if (notUses.has(obj)) return;
    if (typeof obj.relname === 'string' && 'relpersistence' in obj) {
      if (!obj.schemaname && ctes.has(obj.relname)) return;
      out.uses.push({
        kind: 'relation',
        name: qualifiedName(obj.schemaname, obj.relname),
        location: obj.location,
        qualified: Boolean(obj.schemaname),
      });
    } else if (Array.isArray(obj.names) && 'typemod' in obj) {
      const parts = (obj.names as unknown[]).map(str).filter((x): x is string => Boolean(x));
      if (parts[0] === 'pg_catalog' || !parts.length) return; // SQL-standard types (timestamp, int, ...)
      out.uses.push({
        kind: 'type',
        name: qualifiedName(parts.length > 1 ? parts[parts.length - 2] : undefined, parts[parts.length - 1]!),
      });
    }
  });
  return out;
}

function walk(node: unknown, visit: (obj: Record<string, any>) => void): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const x of node) walk(x, visit);
    return;
  }
  visit(node as Record<string, any>);
  for (const v of Object.values(node)) walk(v, visit);
}

function collectCtes(node: unknown, into: Set<string>): void {
  walk(node, (obj) => {
    if (obj.CommonTableExpr?.ctename) into.add(obj.CommonTableExpr.ctename);
  });
}
