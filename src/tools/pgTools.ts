// pg_dump and pg_restore, run through execa with argument arrays. The password reaches them only
// through the environment (target.libpqEnv): a command line is readable by every user of the host
// (ps, /proc/PID/cmdline), the environment of another user's process is not.
import { execa, type ResultPromise } from 'execa';
import type { Target } from '../postgres/target.js';
import { redactError } from '../postgres/secrets.js';
import { UserError } from '../errors.js';

export type PgTool = 'pg_dump' | 'pg_restore';

export interface ToolVersion {
  tool: PgTool;
  major: number;
  text: string;
}

/**
 * The whole environment of a child that connects (pg_dump, pg_restore, Prisma): this process's,
 * without a single PG* variable or DATABASE_URL of its own, plus the target's complete connection.
 * A PGSERVICE left behind would outrank PGHOST and PGPORT in libpq and send the child to another
 * server than the one this process talks to; a stray PGOPTIONS or PGTARGETSESSIONATTRS would change
 * what it does there.
 */
export function childEnvironment(target: Target, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^PG/.test(k) || k === 'DATABASE_URL') continue;
    env[k] = v;
  }
  return {
    ...env,
    ...target.libpqEnv,
    // The program must never prompt (there is no one to answer).
    ...(target.password ? { PGPASSFILE: '/dev/null' } : {}),
    PGCONNECT_TIMEOUT: target.libpqEnv.PGCONNECT_TIMEOUT ?? '10',
    ...extra,
  };
}

/** execa options for a libpq program on target: its environment is complete, nothing inherited on top. */
export function libpqEnvironment(target: Target): { env: Record<string, string>; extendEnv: false } {
  return { env: childEnvironment(target), extendEnv: false };
}

function missingTool(tool: PgTool): UserError {
  return new UserError(
    `${tool} was not found on PATH: install the PostgreSQL client tools of the server's major version (e.g. apt install postgresql-client-15, or brew install libpq) and try again.`,
    'failed',
  );
}

/** `pg_dump --version` -> 15 (from "pg_dump (PostgreSQL) 15.18 (Debian ...)"). */
export async function toolVersion(tool: PgTool): Promise<ToolVersion> {
  let out: string;
  try {
    const r = await execa(tool, ['--version'], { timeout: 15_000, stdin: 'ignore' });
    out = String(r.stdout).trim();
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') throw missingTool(tool);
    throw new UserError(
      `${tool} --version failed (${redactError((err as Error).message.split('\n')[0] ?? '')}): check the PostgreSQL client tools installation.`,
      'failed',
    );
  }
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(out) ?? /(\d+)\.(\d+)/.exec(out);
  if (!m)
    throw new UserError(
      `Cannot tell the version of ${tool} from "${out}": install the PostgreSQL client tools.`,
      'failed',
    );
  let major = Number(m[1]);
  // Before PostgreSQL 10 the major version was two numbers (9.6).
  if (major < 10 && m[2] !== undefined) major = Number(`${m[1]}.${m[2]}`);
  return { tool, major, text: out };
}

/** pg_dump cannot dump a server newer than itself; say so with both versions, before anything runs. */
export async function requireToolFor(tool: PgTool, serverVersionNum: number): Promise<ToolVersion> {
  const v = await toolVersion(tool);
  const serverMajor = Math.floor(serverVersionNum / 10000);
  if (v.major < serverMajor) {
    throw new UserError(
      `${tool} is version ${v.major} ("${v.text}") but the server is PostgreSQL ${serverMajor} (server_version_num ${serverVersionNum}): ${tool} must be at least the server's major version, so install the PostgreSQL ${serverMajor} client tools (e.g. apt install postgresql-client-${serverMajor}) and put them first on PATH.`,
      'failed',
    );
  }
  return v;
}

/** A conninfo naming only the database; host, user and password come from the environment. */
export function dbnameConninfo(database: string): string {
  return `dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export interface DumpOptions {
  file: string;
  /** An exported snapshot, so the dump sees exactly what our row counts saw. */
  snapshot?: string;
  /** Ends pg_dump (SIGTERM) when aborted. */
  signal?: AbortSignal;
}

/** Starts `pg_dump -Fc`; the caller watches the file grow and awaits the result. */
export function startPgDump(target: Target, opts: DumpOptions): ResultPromise<{ reject: false; stdin: 'ignore' }> {
  const args = ['--format=custom', '--no-password', `--file=${opts.file}`];
  if (opts.snapshot) args.push(`--snapshot=${opts.snapshot}`);
  args.push(`--dbname=${dbnameConninfo(target.database)}`);
  return execa('pg_dump', args, {
    ...libpqEnvironment(target),
    reject: false,
    stdin: 'ignore',
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
  });
}

export interface RestoreOptions {
  file: string;
  clean?: boolean;
  noOwner?: boolean;
  exitOnError?: boolean;
  /** Ends pg_restore (SIGTERM) when aborted: a Ctrl-C during a verification. */
  signal?: AbortSignal;
}

/** `pg_restore` of a custom-format file into target's database. */
export async function runPgRestore(
  target: Target,
  opts: RestoreOptions,
): Promise<{ ok: boolean; stderr: string; exitCode: number }> {
  const args = ['--no-password', `--dbname=${dbnameConninfo(target.database)}`];
  if (opts.clean) args.push('--clean', '--if-exists');
  if (opts.noOwner) args.push('--no-owner', '--no-privileges');
  if (opts.exitOnError) args.push('--exit-on-error');
  args.push(opts.file);
  try {
    const r = await execa('pg_restore', args, {
      ...libpqEnvironment(target),
      reject: false,
      stdin: 'ignore',
      ...(opts.signal ? { cancelSignal: opts.signal } : {}),
    });
    if (
      (r as { code?: string }).code === 'ENOENT' ||
      (r.failed && /ENOENT/.test(String(r.message)) && r.exitCode === undefined)
    )
      throw missingTool('pg_restore');
    return { ok: r.exitCode === 0, stderr: redactError(String(r.stderr ?? '')), exitCode: r.exitCode ?? -1 };
  } catch (err) {
    if (err instanceof UserError) throw err;
    if ((err as { code?: string }).code === 'ENOENT') throw missingTool('pg_restore');
    throw err;
  }
}

/** The first lines of a tool's stderr, for one-sentence errors. */
export function firstLines(stderr: string, n = 3): string {
  return redactError(stderr)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, n)
    .join(' | ');
}

export { missingTool };
