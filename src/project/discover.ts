// Finds the work the way the Prisma CLI does, so that `citadel-migrate status` in a project's folder
// means the same project, migrations folder and database as `prisma migrate status` there.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { findConfig, readConfig, type PrismaConfigFile, type UrlSource } from './config.js';
import { readDatasource, type Datasource } from './datasource.js';
import { ProjectEnv } from './env.js';

export interface ProjectOptions {
  cwd: string;
  schema?: string;
  migrations?: string;
  runbook?: string;
  databaseUrl?: string;
  /** The bundled CitadelBuy runbook's folder (used when asked: --bundled, or --migrations/--runbook naming it). */
  bundledDir: string;
  /** --bundled: the bundled runbook, asked for by name. */
  bundled?: boolean;
}

export interface ResolvedUrl {
  /** Undefined when nothing names a database (the caller says how to give one). */
  value?: string;
  /** "--database-url", "DIRECT_URL in .env", "DATABASE_URL in the environment", "the schema's url". */
  from: string;
  /** The environment variable it was read from, when there is one. */
  variable?: string;
  /** Why there is no value although the project names one (thrown when a command needs the database). */
  error?: UserError;
}

export interface Project {
  cwd: string;
  /** The folder is the bundled CitadelBuy runbook's. */
  bundled: boolean;
  /**
   * No Prisma project was found and nothing was asked for: the bundled runbook is shown (labelled)
   * by read-only commands, and commands that write refuse (operations/project.ts).
   */
  fallback: boolean;
  migrationsDir: string;
  /** Why this folder: "prisma/schema.prisma", "prisma.config.ts", "--migrations", ... */
  migrationsFrom: string;
  /** The Prisma schema (a file, or a folder of .prisma files), when one was found. */
  schema?: string;
  schemaFrom?: string;
  config?: PrismaConfigFile;
  datasource?: Datasource;
  env: ProjectEnv;
  url: ResolvedUrl;
  /** The variable the schema's directUrl reads, for the advice to use the direct URL. */
  directUrlVariable?: string;
  /** A note for the DBA (e.g. "--migrations prisma: used prisma/migrations"). */
  notes: string[];
}

const rel = (cwd: string, p: string) => (path.relative(cwd, p) || '.').split(path.sep).join('/');

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** A folder of Prisma migrations: holds migration_lock.toml or a subfolder with a migration.sql. */
function looksLikeMigrations(dir: string): boolean {
  if (existsSync(path.join(dir, 'migration_lock.toml'))) return true;
  try {
    return readdirSync(dir, { withFileTypes: true }).some(
      (e) => e.isDirectory() && existsSync(path.join(dir, e.name, 'migration.sql')),
    );
  } catch {
    return false;
  }
}

function schemaFromPackageJson(cwd: string): string | undefined {
  const file = path.join(cwd, 'package.json');
  if (!existsSync(file)) return undefined;
  try {
    const schema = (JSON.parse(readFileSync(file, 'utf8')) as { prisma?: { schema?: unknown } }).prisma?.schema;
    return typeof schema === 'string' ? path.resolve(cwd, schema) : undefined;
  } catch {
    return undefined; // a broken package.json is the project's business, not a reason to stop here
  }
}

function findSchema(
  opts: ProjectOptions,
  config: PrismaConfigFile | undefined,
): { schema: string; from: string } | undefined {
  const cwd = opts.cwd;
  if (opts.schema) {
    const schema = path.resolve(cwd, opts.schema);
    if (!existsSync(schema))
      throw new UserError(
        `The Prisma schema ${opts.schema} does not exist: pass --schema with the path of your schema.prisma (or of its folder).`,
        'bad-input',
      );
    return { schema, from: '--schema' };
  }
  if (config?.schema) {
    if (!existsSync(config.schema))
      throw new UserError(
        `${rel(cwd, config.file)} names the schema ${rel(cwd, config.schema)}, which does not exist: fix its schema field or pass --schema.`,
        'bad-input',
      );
    return { schema: config.schema, from: rel(cwd, config.file) };
  }
  const fromPackage = schemaFromPackageJson(cwd);
  if (fromPackage && existsSync(fromPackage)) return { schema: fromPackage, from: 'package.json' };
  for (const candidate of ['prisma/schema.prisma', 'schema.prisma']) {
    const p = path.join(cwd, candidate);
    if (existsSync(p) && !isDir(p)) return { schema: p, from: candidate };
  }
  // the prismaSchemaFolder default: prisma/schema/*.prisma
  const folder = path.join(cwd, 'prisma', 'schema');
  if (isDir(folder) && readdirSync(folder).some((n) => n.endsWith('.prisma')))
    return { schema: folder, from: 'prisma/schema/' };
  return undefined;
}

function migrationsFolder(
  opts: ProjectOptions,
  schema: string | undefined,
  config: PrismaConfigFile | undefined,
  notes: string[],
): { dir: string; from: string; bundled: boolean } {
  const cwd = opts.cwd;
  const bundledDir = path.resolve(opts.bundledDir);
  if (opts.bundled) {
    if (opts.migrations && path.resolve(cwd, opts.migrations) !== bundledDir) {
      throw new UserError(
        `--bundled and --migrations ${opts.migrations} name two folders: pass one of them.`,
        'bad-input',
      );
    }
    return { dir: bundledDir, from: '--bundled', bundled: true };
  }
  if (opts.migrations) {
    let dir = path.resolve(cwd, opts.migrations);
    // `--migrations prisma`: the project folder that holds the migrations folder
    if (!looksLikeMigrations(dir) && looksLikeMigrations(path.join(dir, 'migrations'))) {
      dir = path.join(dir, 'migrations');
      notes.push(`--migrations ${opts.migrations} holds a migrations folder: using ${rel(cwd, dir)}`);
    }
    return { dir, from: '--migrations', bundled: path.resolve(dir) === bundledDir };
  }
  if (opts.runbook) {
    const dir = path.dirname(path.resolve(cwd, opts.runbook));
    // without a project, a runbook names its folder only when one is there (or it is the bundled one)
    if (schema || dir === bundledDir || looksLikeMigrations(dir))
      return { dir, from: '--runbook', bundled: dir === bundledDir };
  }
  if (config?.migrations) return { dir: config.migrations, from: rel(cwd, config.file), bundled: false };
  if (schema)
    return {
      dir: path.join(isDir(schema) ? schema : path.dirname(schema), 'migrations'),
      from: rel(cwd, schema) + (isDir(schema) ? '/' : ''),
      bundled: false,
    };
  return { dir: bundledDir, from: 'bundled', bundled: true };
}

function lookUp(env: ProjectEnv, source: UrlSource, what: string): ResolvedUrl {
  if ('literal' in source) return { value: source.literal, from: what };
  const found = env.get(source.env);
  if (!found) {
    const where = env.loaded.length
      ? `set neither in the environment nor in ${env.loaded.join(' or ')}`
      : 'not set in the environment, and there is no .env file';
    const error = new UserError(
      `${what} reads ${source.env}, which is ${where}: set ${source.env}, or pass --database-url.`,
      'bad-input',
    );
    return { from: `${source.env} (not set)`, variable: source.env, error };
  }
  return { value: found.value, from: `${source.env} in ${found.from}`, variable: source.env };
}

export function findProject(opts: ProjectOptions): Project {
  const cwd = path.resolve(opts.cwd);
  const configFile = opts.schema ? undefined : findConfig(cwd);
  const config = configFile ? readConfig(configFile) : undefined;
  const found = findSchema({ ...opts, cwd }, config);
  const notes: string[] = [];
  const folder = migrationsFolder({ ...opts, cwd }, found?.schema, config, notes);
  const env = new ProjectEnv(cwd, [
    path.join(cwd, '.env'),
    ...(found ? [path.join(isDir(found.schema) ? found.schema : path.dirname(found.schema), '.env')] : []),
  ]);
  const datasource = found ? readDatasource(found.schema) : undefined;
  const schemaName = found ? rel(cwd, datasource?.file ?? found.schema) : '';
  const directVar =
    datasource?.directUrl && 'env' in datasource.directUrl
      ? datasource.directUrl.env
      : config?.directUrl && 'env' in config.directUrl
        ? config.directUrl.env
        : undefined;

  let url: ResolvedUrl;
  if (opts.databaseUrl) url = { value: opts.databaseUrl, from: '--database-url' };
  else if (datasource?.directUrl) url = lookUp(env, datasource.directUrl, `The directUrl of ${schemaName}`);
  else if (config?.directUrl) url = lookUp(env, config.directUrl, `The directUrl of ${rel(cwd, config.file)}`);
  else if (config?.url) url = lookUp(env, config.url, `The datasource url of ${rel(cwd, config.file)}`);
  else if (datasource?.url) url = lookUp(env, datasource.url, `The url of ${schemaName}`);
  else {
    const d = env.get('DATABASE_URL');
    url = d ? { value: d.value, from: `DATABASE_URL in ${d.from}`, variable: 'DATABASE_URL' } : { from: 'nowhere' };
    if (config?.computedUrl) {
      // the config is read as text, never run: its computed URL is said, not silently replaced
      const said = `${rel(cwd, config.file)} computes its datasource URL (\`${config.computedUrl}\`), which is ignored: the config is read, never run`;
      if (d) notes.push(`${said}; using DATABASE_URL from ${d.from} instead`);
      else
        url.error = new UserError(
          `${said} (running it could run anything on this host): pass --database-url, or set DATABASE_URL.`,
          'bad-input',
        );
    }
  }
  return {
    cwd,
    bundled: folder.bundled,
    fallback: folder.from === 'bundled',
    migrationsDir: folder.dir,
    migrationsFrom: folder.from,
    ...(found ? { schema: found.schema, schemaFrom: found.from } : {}),
    ...(config ? { config } : {}),
    ...(datasource ? { datasource } : {}),
    env,
    url,
    ...(directVar ? { directUrlVariable: directVar } : {}),
    notes,
  };
}

/** The URL's source as an error names it: "DIRECT_URL (from .env)", "--database-url", "the url of prisma/schema.prisma". */
export function urlSourceWords(url: ResolvedUrl): string {
  if (url.variable && url.from.startsWith(`${url.variable} in `))
    return `${url.variable} (from ${url.from.slice(url.variable.length + 4)})`;
  return url.from.replace(/^The /, 'the ');
}

/** "prisma/migrations (from prisma/schema.prisma), URL from DIRECT_URL in .env" */
export function describeProject(p: Project): string {
  const folder = p.bundled ? 'bundled CitadelBuy runbook' : `${rel(p.cwd, p.migrationsDir)} (from ${p.migrationsFrom})`;
  return `${folder}, URL from ${p.url.from}`;
}

/** The source object of `status --json`. */
export function projectDocument(p: Project) {
  return {
    migrations: rel(p.cwd, p.migrationsDir),
    migrationsFrom: p.migrationsFrom,
    bundled: p.bundled,
    ...(p.fallback ? { fallback: true } : {}),
    ...(p.schema ? { schema: rel(p.cwd, p.schema), schemaFrom: p.schemaFrom } : {}),
    url: p.url.from,
    ...(p.env.loaded.length ? { envFiles: p.env.loaded } : {}),
  };
}
