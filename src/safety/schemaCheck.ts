// verify's comparison of the database with the project's schema.prisma: read (and parsed) before
// any connection, so that a schema that does not parse stops the command before it journals.
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../postgres/connect.js';
import { readPrismaSchema } from '../project/schemaRead.js';
import { expectedDatabase, type ExpectedDatabase } from '../project/schemaModel.js';
import { compareSchema, counts, readCatalog, type SchemaCounts, type SchemaDrift } from './schemaDrift.js';

export interface SchemaComparison {
  /** The schema file (or folder, ending in /) as the DBA names it from the current folder. */
  file: string;
  ok: boolean;
  drift: SchemaDrift[];
  compared: SchemaCounts;
  /** What a schema says that this comparison does not look at. */
  notCompared: string[];
}

export interface SchemaNotCompared {
  file: null;
  reason: string;
}

export const NOT_COMPARED = [
  'views',
  'check constraints',
  'triggers',
  'functions',
  'extensions',
  'sequences',
  'privileges',
];

export interface PreparedSchema {
  file: string;
  expected: ExpectedDatabase;
  defaultSchema: string;
}

/** The schema read and turned into the database it describes; throws a bad-input error when it does not parse. */
export function prepareSchema(schema: string, cwd: string, url: string): PreparedSchema {
  const parsed = readPrismaSchema(schema, cwd);
  const defaultSchema = schemaParam(url) ?? 'public';
  const file = `${(path.relative(cwd, schema) || schema).split(path.sep).join('/')}${statSync(schema).isDirectory() ? '/' : ''}`;
  return { file, expected: expectedDatabase(parsed.blocks, defaultSchema), defaultSchema };
}

export async function compareWithSchema(db: Pick<Db, 'query'>, p: PreparedSchema): Promise<SchemaComparison> {
  const catalog = await readCatalog(db, p.expected.schemas);
  const drift = compareSchema(p.expected, catalog, p.defaultSchema);
  const notCompared = p.expected.foreignKeys
    ? NOT_COMPARED
    : ['foreign keys (relationMode = "prisma")', ...NOT_COMPARED];
  return { file: p.file, ok: drift.length === 0, drift, compared: counts(p.expected), notCompared };
}

/** Prisma reads the schema to migrate from the URL's ?schema= parameter (default public). */
function schemaParam(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get('schema') ?? undefined;
  } catch {
    return undefined;
  }
}

/** "6 tables, 29 columns, 6 primary keys, 7 indexes, 5 foreign keys, 2 enums" */
export function describeCounts(c: SchemaCounts): string {
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  return [
    n(c.tables, 'table', 'tables'),
    n(c.columns, 'column', 'columns'),
    n(c.primaryKeys, 'primary key', 'primary keys'),
    n(c.indexes, 'index', 'indexes'),
    n(c.foreignKeys, 'foreign key', 'foreign keys'),
    n(c.enums, 'enum', 'enums'),
  ].join(', ');
}
