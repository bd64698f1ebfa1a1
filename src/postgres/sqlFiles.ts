import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

// sql/ sits at the package root, beside dist/ and src/, so the same relative path works for both.
const SQL_DIR = fileURLToPath(new URL('../../sql/', import.meta.url));
const cache = new Map<string, string>();

/** The text of sql/NAME.sql: one query per file, named by what it answers. */
export function sqlFile(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(path.join(SQL_DIR, `${name}.sql`), 'utf8');
    cache.set(name, text);
  }
  return text;
}
