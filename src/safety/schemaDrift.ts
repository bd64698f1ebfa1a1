// The database against schema.prisma: each table, column (type, NULL, default), primary key,
// index, foreign key and enum the schema describes is looked up in the catalog, and what differs
// is said in a DBA's words; tables, indexes, foreign keys and enum values the schema does not
// know are listed too (made by hand, or left by a migration the schema has since dropped).
import type { Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import type { ExpectedDatabase, ExpectedIndex, ExpectedTable } from '../project/schemaModel.js';
import { sameDefault, sameType } from '../project/schemaTypes.js';

export type DriftKind =
  | 'table-missing'
  | 'table-extra'
  | 'column-missing'
  | 'column-extra'
  | 'column-type'
  | 'column-nullability'
  | 'column-default'
  | 'index-missing'
  | 'index-extra'
  | 'index-differs'
  | 'index-name'
  | 'foreign-key-missing'
  | 'foreign-key-extra'
  | 'foreign-key-differs'
  | 'enum-missing'
  | 'enum-extra'
  | 'enum-value-missing'
  | 'enum-value-extra';

export interface SchemaDrift {
  kind: DriftKind;
  message: string;
  table?: string;
  column?: string;
  model?: string;
  index?: string;
  foreignKey?: string;
  enum?: string;
  value?: string;
}

export interface SchemaCounts {
  tables: number;
  columns: number;
  primaryKeys: number;
  indexes: number;
  foreignKeys: number;
  enums: number;
}

interface CatalogColumn {
  name: string;
  type: string;
  notNull: boolean;
  default: string | null;
  identity: boolean;
  generated: boolean;
  enumSchema: string | null;
  enumName: string | null;
}
interface CatalogIndex {
  schema: string;
  table: string;
  name: string;
  unique: boolean;
  primary: boolean;
  valid: boolean;
  method: string;
  partial: boolean;
  columns: string[];
  desc: boolean[];
}
interface CatalogForeignKey {
  schema: string;
  table: string;
  name: string;
  columns: string[];
  refSchema: string;
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
}
interface Catalog {
  tables: Array<{ schema: string; name: string; columns: CatalogColumn[] }>;
  indexes: CatalogIndex[];
  foreignKeys: CatalogForeignKey[];
  enums: Array<{ schema: string; name: string; values: string[] }>;
}

const ACTIONS: Record<string, string> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};
/** Prisma's own bookkeeping, never in a schema. */
const PRISMA_TABLES = new Set(['_prisma_migrations']);

/** An identifier as a DBA would type it: quoted only where PostgreSQL needs it. */
export const ident = (s: string) => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);

export function counts(expected: ExpectedDatabase): SchemaCounts {
  const idx = expected.tables.flatMap((t) => t.indexes);
  return {
    tables: expected.tables.length,
    columns: expected.tables.reduce((n, t) => n + t.columns.length, 0),
    primaryKeys: idx.filter((i) => i.primary).length,
    indexes: idx.filter((i) => !i.primary).length,
    foreignKeys: expected.foreignKeys ? expected.tables.reduce((n, t) => n + t.foreignKeys.length, 0) : 0,
    enums: expected.enums.length,
  };
}

export async function readCatalog(db: Pick<Db, 'query'>, schemas: string[]): Promise<Catalog> {
  const r = await db.query<{ catalog: Catalog }>(sqlFile('schema_catalog_for_verify'), [schemas]);
  return r.rows[0]!.catalog;
}

export function compareSchema(expected: ExpectedDatabase, catalog: Catalog, defaultSchema: string): SchemaDrift[] {
  const out: SchemaDrift[] = [];
  const rel = (schema: string, name: string) =>
    schema === defaultSchema ? ident(name) : `${ident(schema)}.${ident(name)}`;
  const key = (schema: string, name: string) => `${schema}\u0000${name}`;
  const tables = new Map(catalog.tables.map((t) => [key(t.schema, t.name), t]));
  const cols = (c: string[]) => `(${c.map(ident).join(', ')})`;
  const used = new Set<CatalogIndex | CatalogForeignKey>();

  for (const t of expected.tables) {
    const where = rel(t.schema, t.name);
    const actual = tables.get(key(t.schema, t.name));
    tables.delete(key(t.schema, t.name));
    if (!actual) {
      out.push({
        kind: 'table-missing',
        table: t.name,
        model: t.model,
        message: `table ${where} is missing (model ${t.model})`,
      });
      continue;
    }
    for (const c of t.columns) {
      const a = actual.columns.find((x) => x.name === c.name);
      const col = `${where}.${ident(c.name)}`;
      const base = { table: t.name, column: c.name, model: t.model };
      if (!a) {
        out.push({
          kind: 'column-missing',
          ...base,
          message: `column ${col} is missing (model ${t.model}, field ${c.field} ${c.declared})`,
        });
        continue;
      }
      if (
        c.enumType
          ? a.enumName !== c.enumType.name || a.enumSchema !== c.enumType.schema || a.type.endsWith('[]') !== c.list
          : c.type && !sameType(c.type, a.type)
      ) {
        const want = c.enumType ? `enum ${rel(c.enumType.schema, c.enumType.name)}${c.list ? '[]' : ''}` : c.type;
        out.push({
          kind: 'column-type',
          ...base,
          message: `column ${col} is ${a.type} in the database; the schema says ${c.declared} (${want})`,
        });
      }
      if (!c.list && a.notNull === c.nullable) {
        out.push({
          kind: 'column-nullability',
          ...base,
          message: a.notNull
            ? `column ${col} is NOT NULL in the database; the schema has it optional (${c.declared})`
            : `column ${col} allows NULL in the database; the schema requires it (${c.declared})`,
        });
      }
      if (!a.generated && !sameDefault(c.default, a.default, a.identity)) {
        const has = a.identity ? 'an identity' : a.default === null ? 'no default' : `default ${a.default}`;
        const says = c.default.kind === 'none' ? 'the schema has none' : `the schema says ${c.defaultText}`;
        out.push({ kind: 'column-default', ...base, message: `column ${col} has ${has}; ${says}` });
      }
    }
    for (const a of actual.columns) {
      if (!t.columns.some((c) => c.name === a.name))
        out.push({
          kind: 'column-extra',
          table: t.name,
          column: a.name,
          model: t.model,
          message: `column ${where}.${ident(a.name)} (${a.type}) is not in the schema (model ${t.model})`,
        });
    }
    const indexes = catalog.indexes.filter((i) => i.schema === t.schema && i.table === t.name);
    for (const e of t.indexes) indexDrift(e, t, indexes, where, cols, used, out);
    if (expected.foreignKeys) foreignKeyDrift(t, catalog.foreignKeys, where, rel, cols, used, out);
  }

  for (const t of tables.values()) {
    if (!PRISMA_TABLES.has(t.name))
      out.push({ kind: 'table-extra', table: t.name, message: `table ${rel(t.schema, t.name)} is not in the schema` });
  }
  const known = new Set(expected.tables.map((t) => key(t.schema, t.name)));
  for (const i of catalog.indexes) {
    if (known.has(key(i.schema, i.table)) && !used.has(i)) {
      out.push({
        kind: 'index-extra',
        table: i.table,
        index: i.name,
        message: `${i.primary ? 'primary key' : i.unique ? 'unique index' : 'index'} ${ident(i.name)} on ${rel(i.schema, i.table)} ${cols(i.columns)} is not in the schema`,
      });
    }
  }
  if (expected.foreignKeys) {
    for (const f of catalog.foreignKeys) {
      if (known.has(key(f.schema, f.table)) && !used.has(f))
        out.push({
          kind: 'foreign-key-extra',
          table: f.table,
          foreignKey: f.name,
          message: `foreign key ${ident(f.name)} on ${rel(f.schema, f.table)} ${cols(f.columns)} is not in the schema`,
        });
    }
  }

  const enums = new Map(catalog.enums.map((e) => [key(e.schema, e.name), e]));
  for (const e of expected.enums) {
    const where = rel(e.schema, e.name);
    const actual = enums.get(key(e.schema, e.name));
    enums.delete(key(e.schema, e.name));
    if (!actual) {
      out.push({ kind: 'enum-missing', enum: e.name, message: `enum ${where} is missing (enum ${e.enumName})` });
      continue;
    }
    for (const v of e.values)
      if (!actual.values.includes(v))
        out.push({
          kind: 'enum-value-missing',
          enum: e.name,
          value: v,
          message: `enum ${where} lacks value '${v}' (enum ${e.enumName})`,
        });
    for (const v of actual.values)
      if (!e.values.includes(v))
        out.push({
          kind: 'enum-value-extra',
          enum: e.name,
          value: v,
          message: `enum ${where} has value '${v}', which the schema does not list`,
        });
  }
  for (const e of enums.values())
    out.push({ kind: 'enum-extra', enum: e.name, message: `enum ${rel(e.schema, e.name)} is not in the schema` });
  return out;
}

function indexDrift(
  e: ExpectedIndex,
  t: ExpectedTable,
  indexes: CatalogIndex[],
  where: string,
  cols: (c: string[]) => string,
  used: Set<unknown>,
  out: SchemaDrift[],
): void {
  const what = e.primary ? 'primary key' : e.unique ? 'unique index' : 'index';
  const same = (i: CatalogIndex) => i.columns.join('\u0000') === e.columns.join('\u0000');
  const shape = (i: CatalogIndex) =>
    same(i) &&
    i.unique === e.unique &&
    (!e.primary || i.primary || Boolean(e.anyName)) &&
    i.method === e.method &&
    !i.partial &&
    e.desc.every((d, n) => Boolean(i.desc[n]) === d);
  const base = { table: t.name, index: e.name, model: t.model };
  const byName = e.anyName ? indexes.find((i) => !used.has(i) && shape(i)) : indexes.find((i) => i.name === e.name);
  if (byName) {
    used.add(byName);
    if (!shape(byName)) {
      const has = `${byName.primary ? 'primary key' : byName.unique ? 'unique' : 'non-unique'}${byName.method !== 'btree' ? ` ${byName.method}` : ''} on ${cols(byName.columns)}${byName.partial ? ' with a WHERE' : ''}`;
      out.push({
        kind: 'index-differs',
        ...base,
        message: `${what} ${ident(e.name)} on ${where} is ${has} in the database; the schema says ${e.unique && !e.primary ? 'unique ' : ''}${e.method !== 'btree' ? `${e.method} ` : ''}${cols(e.columns)}${e.desc.some(Boolean) ? ' with DESC' : ''} (${e.source})`,
      });
    } else if (!byName.valid) {
      out.push({
        kind: 'index-differs',
        ...base,
        message: `${what} ${ident(e.name)} on ${where} is INVALID (a failed concurrent build): drop it and create it again`,
      });
    }
    return;
  }
  const renamed = indexes.find((i) => !used.has(i) && shape(i));
  if (renamed) {
    used.add(renamed);
    out.push({
      kind: 'index-name',
      ...base,
      message: `${what} on ${where} ${cols(e.columns)} is named ${ident(renamed.name)} in the database; the schema expects ${ident(e.name)} (${e.source})`,
    });
    return;
  }
  out.push({
    kind: 'index-missing',
    ...base,
    message: `${what} ${ident(e.name)} on ${where} ${cols(e.columns)} is missing (model ${t.model}: ${e.source})`,
  });
}

function foreignKeyDrift(
  t: ExpectedTable,
  all: CatalogForeignKey[],
  where: string,
  rel: (s: string, n: string) => string,
  cols: (c: string[]) => string,
  used: Set<unknown>,
  out: SchemaDrift[],
): void {
  const mine = all.filter((f) => rel(f.schema, f.table) === where);
  for (const e of t.foreignKeys) {
    const same = (f: CatalogForeignKey) => f.columns.join('\u0000') === e.columns.join('\u0000');
    const found = mine.find((f) => !used.has(f) && f.name === e.name) ?? mine.find((f) => !used.has(f) && same(f));
    const target = `${rel(e.refSchema, e.refTable)} ${cols(e.refColumns)}`;
    const base = { table: t.name, foreignKey: e.name, model: t.model };
    if (!found) {
      out.push({
        kind: 'foreign-key-missing',
        ...base,
        message: `foreign key ${ident(e.name)} on ${where} ${cols(e.columns)} -> ${target} is missing (${e.source})`,
      });
      continue;
    }
    used.add(found);
    const diffs: string[] = [];
    if (found.name !== e.name) diffs.push(`is named ${ident(found.name)} (the schema expects ${ident(e.name)})`);
    if (!same(found)) diffs.push(`is on ${cols(found.columns)}`);
    const actualTarget = `${rel(found.refSchema, found.refTable)} ${cols(found.refColumns)}`;
    if (actualTarget !== target) diffs.push(`references ${actualTarget} (the schema: ${target})`);
    const del = ACTIONS[found.onDelete] ?? found.onDelete;
    const upd = ACTIONS[found.onUpdate] ?? found.onUpdate;
    if (del !== e.onDelete) diffs.push(`is ON DELETE ${del} (the schema: ${e.onDelete})`);
    if (upd !== e.onUpdate) diffs.push(`is ON UPDATE ${upd} (the schema: ${e.onUpdate})`);
    if (diffs.length)
      out.push({
        kind: 'foreign-key-differs',
        ...base,
        message: `foreign key ${ident(e.name)} on ${where} ${diffs.join(', ')} (${e.source})`,
      });
  }
}
