// prisma.config.ts read as text, never executed: this console runs in production over SSH, and
// loading a project's TypeScript would run whatever that file imports (and need a TS loader).
// The fields Prisma reads are almost always literals, so a static read of those few literals is
// enough; a config that computes them is reported so the DBA passes --schema/--migrations instead.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const CONFIG_NAMES = [
  'prisma.config.ts',
  'prisma.config.mts',
  'prisma.config.cts',
  'prisma.config.js',
  'prisma.config.mjs',
  'prisma.config.cjs',
];

/** Where a URL comes from: an environment variable the config or schema names, or a literal. */
export type UrlSource = { env: string } | { literal: string };

export interface PrismaConfigFile {
  file: string;
  /** Absolute path of `schema` (a file or a folder), when the config gives it as a literal. */
  schema?: string;
  /** Absolute path of `migrations.path`. */
  migrations?: string;
  /** `datasource.url` (Prisma 7) or `migrate` URL, when it is env('X'), process.env.X or a string. */
  url?: UrlSource;
  directUrl?: UrlSource;
  /** A datasource URL the config computes (a function call, a template...): its text, not run. */
  computedUrl?: string;
}

export function findConfig(cwd: string): string | undefined {
  for (const name of CONFIG_NAMES) {
    const file = path.join(cwd, name);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** Comments out, so a commented-out `schema:` line is not taken for the real one. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"`\\])\/\/[^\n]*/g, '$1');
}

/** 'a', "a", `a` (no ${}), or path.join/resolve('a', 'b') of such literals. */
function literalPath(expr: string): string | undefined {
  const lit = /^\s*(['"`])([^'"`$]*)\1/.exec(expr);
  if (lit) return lit[2];
  const join = /^\s*(?:path\.)?(?:join|resolve)\s*\(([^)]*)\)/.exec(expr);
  if (join) {
    const parts = join[1]!.split(',').map((p) => /^\s*(['"`])([^'"`$]*)\1\s*$/.exec(p)?.[2]);
    if (parts.length && parts.every((p) => p !== undefined)) return path.join(...(parts as string[]));
  }
  return undefined;
}

function urlSource(expr: string): UrlSource | undefined {
  const env =
    /^\s*(?:env\s*(?:<[^>]*>)?\s*\(\s*(['"`])(\w+)\1\s*\)|process\.env\.(\w+)|process\.env\[\s*(['"`])(\w+)\4\s*\])/.exec(
      expr,
    );
  if (env) return { env: (env[2] ?? env[3] ?? env[5])! };
  const lit = /^\s*(['"`])(postgres(?:ql)?:\/\/[^'"`$]*)\1/.exec(expr);
  return lit ? { literal: lit[2]! } : undefined;
}

/** The expression up to the next top-level comma or the end of the object, on one line. */
function expressionText(rest: string): string {
  let depth = 0;
  let i = 0;
  for (; i < rest.length; i++) {
    const c = rest[i]!;
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    if ((c === ',' && depth === 0) || depth < 0) break;
  }
  const text = rest.slice(0, i).replace(/\s+/g, ' ').trim();
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** The text of the object literal after `key:` (balanced braces), if any. */
function objectAfter(text: string, key: string): string | undefined {
  const m = new RegExp(`\\b${key}\\s*:\\s*\\{`).exec(text);
  if (!m) return undefined;
  let depth = 0;
  for (let i = m.index + m[0].length - 1; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(m.index + m[0].length, i);
  }
  return undefined;
}

function valueAfter(text: string, key: string): string | undefined {
  const m = new RegExp(`(?:^|[\\s,{])${key}\\s*:`).exec(text);
  return m ? text.slice(m.index + m[0].length) : undefined;
}

export function readConfig(file: string): PrismaConfigFile {
  const text = withoutComments(readFileSync(file, 'utf8'));
  const dir = path.dirname(file);
  const out: PrismaConfigFile = { file };
  // the top level: what remains once the nested objects are cut out
  const migrationsObj = objectAfter(text, 'migrations');
  const datasourceObj = objectAfter(text, 'datasource');
  let top = text;
  for (const inner of [migrationsObj, datasourceObj]) if (inner) top = top.replace(inner, '');
  const schemaExpr = valueAfter(top, 'schema');
  const schema = schemaExpr !== undefined ? literalPath(schemaExpr) : undefined;
  if (schema !== undefined) out.schema = path.resolve(dir, schema);
  const migPath = migrationsObj ? valueAfter(migrationsObj, 'path') : undefined;
  const mig = migPath !== undefined ? literalPath(migPath) : undefined;
  if (mig !== undefined) out.migrations = path.resolve(dir, mig);
  if (datasourceObj) {
    const url = valueAfter(datasourceObj, 'url');
    const direct = valueAfter(datasourceObj, 'directUrl');
    if (url) out.url = urlSource(url);
    if (direct) out.directUrl = urlSource(direct);
    // what could not be read as a literal or an env() is said, never silently replaced by DATABASE_URL
    const computed = (direct && !out.directUrl ? direct : undefined) ?? (url && !out.url ? url : undefined);
    if (computed) out.computedUrl = expressionText(computed);
  }
  return out;
}
