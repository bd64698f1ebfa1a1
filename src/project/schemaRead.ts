// Reads a Prisma schema (one file, or a folder of .prisma files) with a real parser of Prisma's
// schema language, so that verify compares the database with what Prisma would build from it,
// not with what a regular expression guessed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getSchema, type Block } from '@mrleebo/prisma-ast';
import { UserError } from '../errors.js';
import { schemaFiles } from './datasource.js';

export interface ParsedSchema {
  /** Every block of every file, in file order. */
  blocks: Block[];
  files: string[];
}

interface ParseFailure {
  message?: string;
  token?: { startLine?: number; startColumn?: number };
}

/** All blocks of the schema's files; a file that does not parse is a bad-input error naming where. */
export function readPrismaSchema(schema: string, cwd: string): ParsedSchema {
  const files = schemaFiles(schema);
  const blocks: Block[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    try {
      blocks.push(...getSchema(text).list);
    } catch (err) {
      const f = err as ParseFailure;
      const where = f.token?.startLine
        ? `line ${f.token.startLine}, column ${f.token.startColumn ?? '?'}`
        : 'somewhere';
      const why = String(f.message ?? err)
        .split('\n')[0]!
        .replace(/\s+/g, ' ')
        .slice(0, 120);
      const name = (path.relative(cwd, file) || file).split(path.sep).join('/');
      throw new UserError(
        `${name} could not be read as a Prisma schema (${where}: ${why}): fix it (\`npx prisma validate\` says more) or pass --schema.`,
        'bad-input',
      );
    }
  }
  return { blocks, files };
}
