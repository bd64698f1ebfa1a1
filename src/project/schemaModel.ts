// The database a Prisma schema describes, in PostgreSQL's terms: tables with their columns, primary
// keys, indexes and foreign keys, and enums, named as Prisma Migrate names them (@map, @@map,
// @@schema, the default constraint names, implicit many-to-many tables).
import type { Attribute, Block, Enum, Field, Model, Value } from '@mrleebo/prisma-ast';
import { columnType, defaultText, expectedDefault, isScalar, unquote, type ExpectedDefault } from './schemaTypes.js';

export interface ExpectedColumn {
  name: string;
  field: string;
  /** What the schema writes, for the words: "String? @db.VarChar(255)". */
  declared: string;
  /** format_type(); undefined for an enum (compared by name) or a type that cannot be told. */
  type?: string;
  enumType?: { schema: string; name: string };
  list: boolean;
  nullable: boolean;
  default: ExpectedDefault;
  defaultText: string;
}

export interface ExpectedIndex {
  name: string;
  columns: string[];
  /** Per column: descending. */
  desc: boolean[];
  unique: boolean;
  primary: boolean;
  method: string;
  /** How the schema says it: "@@index([userId])". */
  source: string;
  /** A name the schema does not fix (the implicit many-to-many table's Prisma 4 and 5 forms differ). */
  anyName?: boolean;
}

export interface ExpectedForeignKey {
  name: string;
  columns: string[];
  refSchema: string;
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
  source: string;
}

export interface ExpectedTable {
  schema: string;
  name: string;
  model: string;
  columns: ExpectedColumn[];
  indexes: ExpectedIndex[];
  foreignKeys: ExpectedForeignKey[];
}

export interface ExpectedEnum {
  schema: string;
  name: string;
  enumName: string;
  values: string[];
}

export interface ExpectedDatabase {
  tables: ExpectedTable[];
  enums: ExpectedEnum[];
  /** Schemas to look in (multiSchema's list, every @@schema, the default). */
  schemas: string[];
  /** relationMode = "prisma": the schema asks for no foreign keys. */
  foreignKeys: boolean;
}

const attrs = (f: { attributes?: Attribute[] }) => f.attributes ?? [];
const fieldAttr = (f: Field, name: string) => attrs(f).find((a) => a.name === name && !a.group);
const blockAttrs = (m: Model | Enum, name: string) =>
  ((m.type === 'model' ? m.properties : m.enumerators) as Array<{ type: string; name?: string; kind?: string }>).filter(
    (p): p is Attribute => p.type === 'attribute' && p.name === name && (p as { kind?: string }).kind === 'object',
  );
const firstArg = (a: Attribute | undefined) => a?.args?.[0]?.value;
/** A keyword argument: map: "x", fields: [a, b], onDelete: Cascade. */
function keyArg(a: Attribute | undefined, key: string): Value | undefined {
  for (const arg of a?.args ?? []) {
    const v = arg.value as { type?: string; key?: string; value?: Value };
    if (v && typeof v === 'object' && v.type === 'keyValue' && v.key === key) return v.value;
  }
  return undefined;
}
/** [a, b(sort: Desc)] -> names and sort orders. */
function fieldList(v: unknown): Array<{ name: string; desc: boolean }> {
  const items = (v as { type?: string; args?: unknown[] })?.type === 'array' ? (v as { args: unknown[] }).args : [];
  return items.map((i) => {
    if (typeof i === 'object' && i && (i as { type?: string }).type === 'function') {
      const f = i as { name: string; params?: Array<{ key?: string; value?: unknown }> };
      return { name: f.name, desc: (f.params ?? []).some((p) => p.key === 'sort' && p.value === 'Desc') };
    }
    return { name: String(i), desc: false };
  });
}
const positional = (a: Attribute | undefined) =>
  (a?.args ?? [])
    .map((x) => x.value)
    .find((v) => typeof v !== 'object' || (v as { type?: string }).type !== 'keyValue');
/** PostgreSQL keeps the first 63 bytes of a name; Prisma's default names are cut the same way. */
const cut = (name: string) => Buffer.from(name).subarray(0, 63).toString();
const ACTION: Record<string, string> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};

export function expectedDatabase(blocks: Block[], defaultSchema: string): ExpectedDatabase {
  const models = blocks.filter((b): b is Model => b.type === 'model' && !blockAttrs(b, 'ignore').length);
  const enums = blocks.filter((b): b is Enum => b.type === 'enum');
  const datasource = blocks.find((b) => b.type === 'datasource');
  const assignment = (key: string) =>
    (datasource?.type === 'datasource'
      ? datasource.assignments.find((a) => a.type === 'assignment' && a.key === key)
      : undefined) as { value?: unknown } | undefined;
  const schemaOf = (b: Model | Enum) => unquote(firstArg(blockAttrs(b, 'schema')[0]) ?? defaultSchema);
  const dbName = (b: Model | Enum) => unquote(firstArg(blockAttrs(b, 'map')[0]) ?? b.name);
  const fields = (m: Model) => m.properties.filter((p): p is Field => p.type === 'field');
  const colName = (f: Field) => unquote(firstArg(fieldAttr(f, 'map')) ?? f.name);
  const modelByName = new Map(models.map((m) => [m.name, m]));
  const enumByName = new Map(enums.map((e) => [e.name, e]));
  const enumValues = (e: Enum) =>
    e.enumerators
      .filter((x): x is Extract<typeof x, { type: 'enumerator' }> => x.type === 'enumerator')
      .map((x) => unquote(firstArg(x.attributes?.find((a) => a.name === 'map')) ?? x.name));

  const out: ExpectedTable[] = [];
  for (const m of models) {
    const table = dbName(m);
    const t: ExpectedTable = {
      schema: schemaOf(m),
      name: table,
      model: m.name,
      columns: [],
      indexes: [],
      foreignKeys: [],
    };
    const column = (fieldName: string) => {
      const f = fields(m).find((x) => x.name === fieldName);
      return f ? colName(f) : fieldName;
    };
    for (const f of fields(m)) {
      const typeName = typeof f.fieldType === 'string' ? f.fieldType : '';
      const unsupported =
        typeof f.fieldType === 'object' && f.fieldType.name === 'Unsupported'
          ? unquote(f.fieldType.params?.[0])
          : undefined;
      const en = enumByName.get(typeName);
      if (!unsupported && !en && !isScalar(typeName)) {
        relation(m, f, t, column);
        continue;
      }
      const a = attrs(f);
      const { type, native } = unsupported
        ? { type: unsupported, native: undefined }
        : en
          ? { type: undefined, native: undefined }
          : columnType(typeName, a);
      const declared = `${unsupported ? `Unsupported("${unsupported}")` : typeName}${f.array ? '[]' : ''}${f.optional ? '?' : ''}${native ? ` ${native}` : ''}`;
      const enumValue = (v: string) => {
        if (!en) return undefined;
        const i = en.enumerators.findIndex((x) => x.type === 'enumerator' && x.name === v);
        return i < 0 ? undefined : enumValues({ ...en, enumerators: [en.enumerators[i]!] })[0];
      };
      t.columns.push({
        name: colName(f),
        field: f.name,
        declared,
        ...(type ? { type: f.array ? `${type}[]` : type } : {}),
        ...(en ? { enumType: { schema: schemaOf(en), name: dbName(en) } } : {}),
        list: Boolean(f.array),
        nullable: Boolean(f.optional),
        default: expectedDefault(a, enumValue),
        defaultText: defaultText(a),
      });
      const id = fieldAttr(f, 'id');
      if (id)
        t.indexes.push(
          index(unquote(keyArg(id, 'map') ?? `${table}_pkey`), [colName(f)], [false], {
            primary: true,
            source: `@id on ${f.name}`,
          }),
        );
      const unique = fieldAttr(f, 'unique');
      if (unique)
        t.indexes.push(
          index(
            unquote(keyArg(unique, 'map') ?? cut(`${table}_${colName(f)}_key`)),
            [colName(f)],
            [keyArg(unique, 'sort') === 'Desc'],
            { unique: true, source: `@unique on ${f.name}` },
          ),
        );
    }
    for (const [attr, kind] of [
      ['id', 'primary'],
      ['unique', 'unique'],
      ['index', 'index'],
    ] as const) {
      for (const a of blockAttrs(m, attr)) {
        const list = fieldList(positional(a) ?? keyArg(a, 'fields'));
        const cols = list.map((x) => column(x.name));
        const suffix = kind === 'primary' ? 'pkey' : kind === 'unique' ? 'key' : 'idx';
        const named = keyArg(a, 'map') ?? (kind === 'index' ? keyArg(a, 'name') : undefined);
        const name =
          named !== undefined
            ? unquote(named)
            : cut(kind === 'primary' ? `${table}_pkey` : `${table}_${cols.join('_')}_${suffix}`);
        const method = kind === 'index' ? String(keyArg(a, 'type') ?? 'BTree').toLowerCase() : 'btree';
        const source = `@@${attr}([${list.map((x) => x.name).join(', ')}])`;
        t.indexes.push(
          index(
            name,
            cols,
            list.map((x) => x.desc),
            { primary: kind === 'primary', unique: kind !== 'index', method, source },
          ),
        );
      }
    }
    out.push(t);
  }

  /** A relation field with fields/references: a foreign key; a list on both sides: the implicit many-to-many table. */
  function relation(m: Model, f: Field, t: ExpectedTable, column: (field: string) => string) {
    const rel = fieldAttr(f, 'relation');
    const target = modelByName.get(String(f.fieldType));
    if (!target) return;
    const own = fieldList(keyArg(rel, 'fields')).map((x) => x.name);
    if (own.length) {
      const refs = fieldList(keyArg(rel, 'references')).map((x) => x.name);
      const targetCol = (name: string) => {
        const tf = fields(target).find((x) => x.name === name);
        return tf ? colName(tf) : name;
      };
      const cols = own.map(column);
      const requiredSide = own.some((n) => fields(m).find((x) => x.name === n)?.optional === false);
      t.foreignKeys.push({
        name: unquote(keyArg(rel, 'map') ?? cut(`${t.name}_${cols.join('_')}_fkey`)),
        columns: cols,
        refSchema: schemaOf(target),
        refTable: dbName(target),
        refColumns: refs.map(targetCol),
        onDelete: ACTION[String(keyArg(rel, 'onDelete'))] ?? (requiredSide ? 'RESTRICT' : 'SET NULL'),
        onUpdate: ACTION[String(keyArg(rel, 'onUpdate'))] ?? 'CASCADE',
        source: `${m.name}.${f.name} @relation(fields: [${own.join(', ')}])`,
      });
      return;
    }
    if (!f.array) return;
    const back = fields(target).find(
      (x) => x !== f && x.array && String(x.fieldType) === m.name && relationName(x) === relationName(f),
    );
    if (!back || m.name > target.name || (m === target && fields(m).indexOf(f) > fields(m).indexOf(back))) return;
    const name = relationName(f) ?? `${m.name}To${target.name}`;
    const [a, b] = [m, target];
    const idOf = (x: Model) => fields(x).find((y) => fieldAttr(y, 'id'));
    const mm = `_${name}`;
    const typeOf = (x: Model) => {
      const id = idOf(x);
      return id ? columnType(String(id.fieldType), attrs(id)).type : undefined;
    };
    const ref = (x: Model) => ({
      refSchema: schemaOf(x),
      refTable: dbName(x),
      refColumns: [idOf(x) ? colName(idOf(x)!) : 'id'],
    });
    const col = (n: string, x: Model): ExpectedColumn => ({
      name: n,
      field: n,
      declared: `the ${x.name} id`,
      ...(typeOf(x) ? { type: typeOf(x)! } : {}),
      list: false,
      nullable: false,
      default: { kind: 'none' },
      defaultText: '',
    });
    const source = `implicit many-to-many ${a.name}.${f.name} / ${b.name}.${back.name}`;
    out.push({
      schema: schemaOf(a),
      name: mm,
      model: source,
      columns: [col('A', a), col('B', b)],
      indexes: [
        index(`${mm}_AB_pkey`, ['A', 'B'], [false, false], { primary: true, source, anyName: true }),
        index(`${mm}_B_index`, ['B'], [false], { source }),
      ],
      foreignKeys: (['A', 'B'] as const).map((c) => ({
        name: `${mm}_${c}_fkey`,
        columns: [c],
        ...ref(c === 'A' ? a : b),
        onDelete: 'CASCADE',
        onUpdate: 'CASCADE',
        source,
      })),
    });
  }

  const relationMode = unquote(assignment('relationMode')?.value ?? '');
  const listed = assignment('schemas')?.value as { type?: string; args?: unknown[] } | undefined;
  const schemas = new Set([
    defaultSchema,
    ...(listed?.args ?? []).map(unquote),
    ...out.map((t) => t.schema),
    ...enums.map(schemaOf),
  ]);
  return {
    tables: out,
    enums: enums.map((e) => ({ schema: schemaOf(e), name: dbName(e), enumName: e.name, values: enumValues(e) })),
    schemas: [...schemas],
    foreignKeys: relationMode !== 'prisma',
  };
}

function relationName(f: Field): string | undefined {
  const rel = fieldAttr(f, 'relation');
  const v = keyArg(rel, 'name') ?? positional(rel);
  return v === undefined ? undefined : unquote(v);
}

function index(
  name: string,
  columns: string[],
  desc: boolean[],
  o: { primary?: boolean; unique?: boolean; method?: string; source: string; anyName?: boolean },
): ExpectedIndex {
  return {
    name,
    columns,
    desc,
    unique: Boolean(o.unique || o.primary),
    primary: Boolean(o.primary),
    method: o.method ?? 'btree',
    source: o.source,
    ...(o.anyName ? { anyName: true } : {}),
  };
}
