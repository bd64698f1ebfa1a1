// "Already exists": a pending statement that creates a table, column, index, constraint, type, enum
// value, schema or extension the target has already (made by hand, by `db push`, by a half-undone
// rollback) fails with 42P07/42701/42710 in the window. plan reads the catalog (existing.ts) and
// walks the pending statements in run order, so that what an earlier one creates or drops counts.
import type { SqlStatement } from '../engine/split.js';
import type { Finding } from './findings.js';
import { quoteIdent } from './names.js';
import type { ExistingObjects, Origin } from './existing.js';

export interface ExistsMigration {
  name: string;
  statements: SqlStatement[];
}

const str = (n: any): string | undefined => n?.String?.sval;
const listOf = (items: any[] | undefined): string[] => (items ?? []).map(str).filter((x): x is string => Boolean(x));
const RELATION_KINDS = new Set([
  'OBJECT_TABLE',
  'OBJECT_VIEW',
  'OBJECT_MATVIEW',
  'OBJECT_INDEX',
  'OBJECT_SEQUENCE',
  'OBJECT_FOREIGN_TABLE',
]);
const RELATION_WORDS: Record<string, string> = {
  r: 'table',
  p: 'table',
  i: 'index',
  I: 'index',
  S: 'sequence',
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
  c: 'composite type',
};

/** The statement as a DBA finds it in the file: its first words, whitespace folded. */
function excerpt(sql: string): string {
  const one = sql.replace(/\s+/g, ' ').trim();
  return one.length > 70 ? `${one.slice(0, 69)}…` : one;
}

export function alreadyExistsFindings(migrations: ExistsMigration[], objects: ExistingObjects): Finding[] {
  const out: Finding[] = [];
  for (const m of migrations) {
    for (const stmt of m.statements) {
      const origin: Origin = `${m.name} line ${stmt.line}`;
      const report = (what: string, found: Origin) => {
        const where =
          found === 'target' ? 'already exists on the target' : `is created already by ${found} (earlier in this run)`;
        out.push({
          migration: m.name,
          statement: stmt.line,
          rule: 'already-exists',
          severity: 'error',
          source: 'runbook',
          message: `${what} ${where}: \`${excerpt(stmt.sql)}\` fails with "already exists"`,
          fix:
            found === 'target'
              ? `it was made outside these migrations (by hand, db push or a partial rollback): if it is what the migration makes, mark the migration applied (citadel-migrate skip ${m.name} --reason ...); else drop or rename it first, or write IF NOT EXISTS`
              : 'two pending migrations create it: remove it from one of them',
        });
      };
      walk(stmt, objects, origin, report);
    }
  }
  return out;
}

type Report = (what: string, found: Origin) => void;

function walk(stmt: SqlStatement, o: ExistingObjects, origin: Origin, report: Report): void {
  const node = stmt.ast[stmt.kind] ?? {};
  const relKey = (rv: any) => o.key(rv?.schemaname, rv.relname);
  const relLabel = (key: string, kind = 'r') => `${RELATION_WORDS[kind] ?? 'relation'} ${quoteIdent(o.label(key))}`;
  /** A new relation's name: any relation of the schema takes it (an index, a sequence, a table...). */
  const newRelation = (key: string, kind: string, table?: string): boolean => {
    const found = o.relation(key);
    if (found) {
      report(relLabel(key, found.kind), found.origin);
      return false;
    }
    o.addRelation(key, kind, origin, table);
    return true;
  };
  const newConstraint = (table: string, con: any) => {
    if (!con?.conname) return; // a generated name never collides: PostgreSQL picks a free one
    const found = o.part('constraint', table, con.conname);
    if (found) report(`constraint ${quoteIdent(con.conname)} of ${quoteIdent(o.label(table))}`, found);
    else o.addPart('constraint', table, con.conname, origin);
    // a primary key or unique constraint makes an index of the same name in the table's schema
    if ((con.contype === 'CONSTR_PRIMARY' || con.contype === 'CONSTR_UNIQUE') && !con.indexname && !found) {
      newRelation(`${table.slice(0, table.indexOf('.'))}.${con.conname}`, 'i', table);
    }
  };
  const newColumn = (table: string, col: any, ifNotExists: boolean) => {
    if (!col?.colname) return;
    const found = o.part('column', table, col.colname);
    if (found && !ifNotExists) report(`column ${quoteIdent(o.label(table))}.${quoteIdent(col.colname)}`, found);
    if (found) return;
    o.addPart('column', table, col.colname, origin);
    for (const c of col.constraints ?? []) newConstraint(table, c.Constraint);
  };
  const newType = (names: string[]) => {
    if (!names.length) return false;
    const key = o.key(names.length > 1 ? names[names.length - 2] : undefined, names[names.length - 1]!);
    const found = o.type(key);
    if (found) {
      report(`type ${quoteIdent(o.label(key))}`, found);
      return false;
    }
    o.addType(key, origin);
    return key;
  };

  switch (stmt.kind) {
    case 'CreateStmt': {
      const key = relKey(node.relation);
      if (node.if_not_exists && o.relation(key)) return;
      const typeFound = o.relation(key) ? undefined : o.type(key);
      if (typeFound) return report(`type ${quoteIdent(o.label(key))}`, typeFound);
      if (!newRelation(key, 'r')) return;
      for (const e of node.tableElts ?? []) {
        if (e.ColumnDef) newColumn(key, e.ColumnDef, false);
        else if (e.Constraint) newConstraint(key, e.Constraint);
      }
      return;
    }
    case 'IndexStmt': {
      if (!node.idxname || (node.if_not_exists && o.relation(o.key(node.relation?.schemaname, node.idxname)))) return;
      const table = relKey(node.relation);
      newRelation(o.key(node.relation?.schemaname, node.idxname), 'i', table);
      return;
    }
    case 'CreateSeqStmt':
      if (!(node.if_not_exists && o.relation(relKey(node.sequence)))) newRelation(relKey(node.sequence), 'S');
      return;
    case 'ViewStmt':
      if (!node.replace) newRelation(relKey(node.view), 'v');
      return;
    case 'CreateTableAsStmt': {
      const key = relKey(node.into?.rel);
      if (!(node.if_not_exists && o.relation(key))) newRelation(key, node.objtype === 'OBJECT_MATVIEW' ? 'm' : 'r');
      return;
    }
    case 'AlterTableStmt': {
      if (node.objtype !== 'OBJECT_TABLE' || !node.relation?.relname) return;
      const table = relKey(node.relation);
      if (node.missing_ok && !o.relation(table)) return;
      for (const item of node.cmds ?? []) {
        const cmd = item.AlterTableCmd ?? {};
        if (cmd.subtype === 'AT_AddColumn') newColumn(table, cmd.def?.ColumnDef, Boolean(cmd.missing_ok));
        else if (cmd.subtype === 'AT_AddConstraint') newConstraint(table, cmd.def?.Constraint);
        else if (cmd.subtype === 'AT_DropColumn' && cmd.name) o.dropPart('column', table, cmd.name);
        else if (cmd.subtype === 'AT_DropConstraint' && cmd.name) {
          o.dropPart('constraint', table, cmd.name);
          const index = `${table.slice(0, table.indexOf('.'))}.${cmd.name}`;
          if (o.relation(index)?.table === table) o.dropRelation(index);
        }
      }
      return;
    }
    case 'RenameStmt':
      return rename(node, o, report);
    case 'CreateEnumStmt': {
      const key = newType(listOf(node.typeName));
      if (key) for (const v of listOf(node.vals)) o.addPart('enum-value', key, v, origin);
      return;
    }
    case 'CompositeTypeStmt':
      if (node.typevar?.relname)
        newType([...(node.typevar.schemaname ? [node.typevar.schemaname] : []), node.typevar.relname]);
      return;
    case 'CreateDomainStmt':
      newType(listOf(node.domainname));
      return;
    case 'AlterEnumStmt': {
      const names = listOf(node.typeName);
      if (!names.length || !node.newVal) return;
      const key = o.key(names.length > 1 ? names[names.length - 2] : undefined, names[names.length - 1]!);
      const found = o.part('enum-value', key, node.newVal);
      if (found && !node.skipIfNewValExists)
        report(`value '${node.newVal}' of the enum ${quoteIdent(o.label(key))}`, found);
      if (node.oldVal) o.dropPart('enum-value', key, node.oldVal);
      if (!found) o.addPart('enum-value', key, node.newVal, origin);
      return;
    }
    case 'CreateSchemaStmt': {
      const found = node.schemaname ? o.schema(node.schemaname) : undefined;
      if (found && !node.if_not_exists) report(`schema ${quoteIdent(node.schemaname)}`, found);
      else if (node.schemaname && !found) o.addSchema(node.schemaname, origin);
      return;
    }
    case 'CreateExtensionStmt': {
      const found = o.extension(node.extname);
      if (found && !node.if_not_exists) report(`extension ${quoteIdent(node.extname)}`, found);
      else if (!found) o.addExtension(node.extname, origin);
      return;
    }
    case 'DropStmt':
      return drop(node, o);
  }
}

function rename(node: any, o: ExistingObjects, report: Report): void {
  const t = node.renameType;
  if (RELATION_KINDS.has(t) && node.relation?.relname) {
    const from = o.key(node.relation.schemaname, node.relation.relname);
    const to = o.key(node.relation.schemaname, node.newname);
    const found = o.relation(to);
    if (found) return report(`${RELATION_WORDS[found.kind] ?? 'relation'} ${quoteIdent(o.label(to))}`, found.origin);
    o.renameRelation(from, to);
  } else if ((t === 'OBJECT_COLUMN' || t === 'OBJECT_TABCONSTRAINT') && node.relation?.relname && node.subname) {
    const table = o.key(node.relation.schemaname, node.relation.relname);
    const kind = t === 'OBJECT_COLUMN' ? 'column' : 'constraint';
    const found = o.part(kind, table, node.newname);
    if (found) return report(`${kind} ${quoteIdent(node.newname)} of ${quoteIdent(o.label(table))}`, found);
    const was = o.part(kind, table, node.subname);
    o.dropPart(kind, table, node.subname);
    if (was !== undefined) o.addPart(kind, table, node.newname, was);
    // a constraint's index is renamed with it
    const schema = table.slice(0, table.indexOf('.'));
    if (kind === 'constraint' && o.relation(`${schema}.${node.subname}`)?.table === table)
      o.renameRelation(`${schema}.${node.subname}`, `${schema}.${node.newname}`);
  } else if ((t === 'OBJECT_TYPE' || t === 'OBJECT_DOMAIN') && node.object) {
    const names = listOf(node.object.List?.items);
    if (!names.length) return;
    const schema = names.length > 1 ? names[names.length - 2] : undefined;
    const to = o.key(schema, node.newname);
    const found = o.type(to);
    if (found) return report(`type ${quoteIdent(o.label(to))}`, found);
    o.renameType(o.key(schema, names[names.length - 1]!), to);
  }
}

function drop(node: any, o: ExistingObjects): void {
  const t = node.removeType;
  for (const obj of node.objects ?? []) {
    const names = obj.List
      ? listOf(obj.List.items)
      : obj.TypeName
        ? listOf(obj.TypeName.names)
        : [str(obj)].filter((x): x is string => Boolean(x));
    if (!names.length) continue;
    const key = () => o.key(names.length > 1 ? names[names.length - 2] : undefined, names[names.length - 1]!);
    if (RELATION_KINDS.has(t)) o.dropRelation(key());
    else if (t === 'OBJECT_TYPE' || t === 'OBJECT_DOMAIN') o.dropType(key());
    else if (t === 'OBJECT_SCHEMA') o.dropSchema(names[0]!);
    else if (t === 'OBJECT_EXTENSION') o.dropExtension(names[0]!);
  }
}
