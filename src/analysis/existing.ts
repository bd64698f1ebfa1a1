// The named objects of the target as a pending run would change them, statement by statement: what
// the catalog holds, plus what earlier pending statements create, minus what they drop or rename.
// plan's "already exists" check (exists.ts) asks it before each CREATE, ADD COLUMN, ADD VALUE...
import { qualifiedName } from './references.js';

export interface ExistingRow {
  kind: string;
  schema: string | null;
  parent: string | null;
  name: string;
  detail: string | null;
}

/** Where an object came from: the target's catalog, or a pending statement ("NAME line N"). */
export type Origin = 'target' | string;

const SEP = '\u0000';
const ROW_TYPE_KINDS = new Set(['r', 'p', 'v', 'm', 'f', 'c']);

export class ExistingObjects {
  /** "schema.name" of relations -> relkind, and the table an index belongs to. */
  private readonly rels = new Map<string, { kind: string; table?: string; origin: Origin }>();
  /** "table<SEP>part" (table as "schema.name") for columns, constraints; "type<SEP>label" for enum values. */
  private readonly parts = {
    column: new Map<string, Origin>(),
    constraint: new Map<string, Origin>(),
    'enum-value': new Map<string, Origin>(),
  };
  private readonly types = new Map<string, Origin>();
  private readonly schemas = new Map<string, Origin>();
  private readonly extensions = new Map<string, Origin>();
  readonly currentSchema: string;

  constructor(rows: ExistingRow[]) {
    this.currentSchema = rows.find((r) => r.kind === 'current-schema')?.name ?? 'public';
    for (const r of rows) {
      const key = `${r.schema}.${r.name}`;
      if (r.kind === 'relation')
        this.rels.set(key, {
          kind: r.detail ?? 'r',
          ...(r.parent ? { table: `${r.schema}.${r.parent}` } : {}),
          origin: 'target',
        });
      else if (r.kind === 'column' || r.kind === 'constraint' || r.kind === 'enum-value')
        this.parts[r.kind].set(`${r.schema}.${r.parent}${SEP}${r.name}`, 'target');
      else if (r.kind === 'type') this.types.set(key, 'target');
      else if (r.kind === 'schema') this.schemas.set(r.name, 'target');
      else if (r.kind === 'extension') this.extensions.set(r.name, 'target');
    }
  }

  /** "schema.name" of a name as a statement writes it (a bare name goes to the current schema). */
  key(schema: string | undefined | null, name: string): string {
    return `${schema ?? this.currentSchema}.${name}`;
  }

  /** How a DBA reads the name: bare in the current schema, qualified elsewhere. */
  label(key: string): string {
    const dot = key.indexOf('.');
    const schema = key.slice(0, dot);
    const name = key.slice(dot + 1);
    return schema === this.currentSchema ? qualifiedName(undefined, name) : qualifiedName(schema, name);
  }

  relation(key: string): { kind: string; table?: string; origin: Origin } | undefined {
    return this.rels.get(key);
  }

  /** A type of this name: one of its own, or a table's row type (CREATE TYPE fails on both). */
  type(key: string): Origin | undefined {
    const rel = this.rels.get(key);
    return this.types.get(key) ?? (rel && ROW_TYPE_KINDS.has(rel.kind) ? rel.origin : undefined);
  }

  part(kind: keyof ExistingObjects['parts'], owner: string, name: string): Origin | undefined {
    return this.parts[kind].get(`${owner}${SEP}${name}`);
  }

  schema(name: string): Origin | undefined {
    return this.schemas.get(name);
  }

  extension(name: string): Origin | undefined {
    return this.extensions.get(name);
  }

  addRelation(key: string, kind: string, origin: Origin, table?: string): void {
    this.rels.set(key, { kind, origin, ...(table ? { table } : {}) });
  }

  addPart(kind: keyof ExistingObjects['parts'], owner: string, name: string, origin: Origin): void {
    this.parts[kind].set(`${owner}${SEP}${name}`, origin);
  }

  addType(key: string, origin: Origin): void {
    this.types.set(key, origin);
  }

  addSchema(name: string, origin: Origin): void {
    this.schemas.set(name, origin);
  }

  addExtension(name: string, origin: Origin): void {
    this.extensions.set(name, origin);
  }

  dropPart(kind: keyof ExistingObjects['parts'], owner: string, name: string): void {
    this.parts[kind].delete(`${owner}${SEP}${name}`);
  }

  /** A dropped relation takes its columns, constraints and indexes with it. */
  dropRelation(key: string): void {
    this.rels.delete(key);
    for (const [k, r] of this.rels) if (r.table === key) this.rels.delete(k);
    for (const kind of ['column', 'constraint'] as const) this.dropOwned(this.parts[kind], key);
  }

  dropType(key: string): void {
    this.types.delete(key);
    this.dropOwned(this.parts['enum-value'], key);
  }

  dropSchema(name: string): void {
    this.schemas.delete(name);
    for (const k of [...this.rels.keys()]) if (k.startsWith(`${name}.`)) this.dropRelation(k);
    for (const k of [...this.types.keys()]) if (k.startsWith(`${name}.`)) this.dropType(k);
  }

  dropExtension(name: string): void {
    this.extensions.delete(name);
  }

  /** A renamed relation keeps its parts (and a table its indexes) under the new name. */
  renameRelation(from: string, to: string): void {
    const r = this.rels.get(from);
    if (!r) return;
    this.rels.delete(from);
    this.rels.set(to, r);
    for (const other of this.rels.values()) if (other.table === from) other.table = to;
    for (const kind of ['column', 'constraint'] as const) this.moveOwned(this.parts[kind], from, to);
  }

  renameType(from: string, to: string): void {
    const t = this.types.get(from);
    if (t === undefined) return;
    this.types.delete(from);
    this.types.set(to, t);
    this.moveOwned(this.parts['enum-value'], from, to);
  }

  private dropOwned(map: Map<string, Origin>, owner: string): void {
    for (const k of [...map.keys()]) if (k.startsWith(owner + SEP)) map.delete(k);
  }

  private moveOwned(map: Map<string, Origin>, from: string, to: string): void {
    for (const [k, v] of [...map]) {
      if (!k.startsWith(from + SEP)) continue;
      map.delete(k);
      map.set(to + k.slice(from.length), v);
    }
  }
}
