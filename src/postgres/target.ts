import type { ClientConfig } from 'pg';
import { parse } from 'pg-connection-string';
import { registerSecret } from './secrets.js';
import { UserError, ExitCode } from '../cli/errors.js';

/** A database the console works on, known by its URL but shown only in redacted form. */
export interface Target {
  /** The URL as given; never printed. */
  url: string;
  /** postgresql://user@host:port/db?params, without the password. */
  redacted: string;
  /** database@host, for headers and journal file names. */
  display: string;
  database: string;
  host: string;
  port: number;
  user: string;
  password?: string;
  sslmode?: string;
  /** Options for node-postgres. */
  pgConfig: ClientConfig;
  /** libpq environment for pg_dump/pg_restore/psql: the password travels here, never in argv. */
  libpqEnv: Record<string, string>;
}

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'];

export function parseTarget(url: string | undefined): Target {
  if (!url || !url.trim()) {
    throw new UserError('No database given: pass --database-url postgresql://user@host:5432/dbname or set DATABASE_URL.', ExitCode.usage);
  }
  url = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    throw new UserError(
      'The database URL is malformed: it must look like postgresql://user:password@host:5432/dbname (percent-encode special characters in the password).',
      ExitCode.usage,
    );
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(url);
    // WHATWG parsing is what pg does; a '#' or '/' in an unencoded password splits the URL wrongly.
    new URL(url.replace(/^postgres(ql)?:/i, 'http:').replace(/^http:\/\/\//, 'http://localhost/'));
  } catch {
    throw new UserError(
      'The database URL is malformed: it must look like postgresql://user:password@host:5432/dbname (percent-encode special characters in the password, e.g. @ as %40, # as %23, / as %2F).',
      ExitCode.usage,
    );
  }
  registerSecret(parsed.password ?? undefined);
  const rawPassword = /^[a-z+.-]+:\/\/[^:/?#@]*:([^@/]*)@/i.exec(url)?.[1];
  registerSecret(rawPassword);

  const database = parsed.database ?? '';
  if (!database) {
    throw new UserError('The database URL names no database: add it after the host, as in postgresql://user@host:5432/dbname.', ExitCode.usage);
  }
  const host = parsed.host || 'localhost';
  const port = parsed.port ? Number(parsed.port) : 5432;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new UserError(`The database URL has an invalid port "${parsed.port}": use a number between 1 and 65535.`, ExitCode.usage);
  }
  const user = parsed.user || process.env.PGUSER || process.env.USER || 'postgres';
  const sslmode = (parsed as Record<string, unknown>).sslmode as string | undefined;
  if (sslmode && !SSL_MODES.includes(sslmode)) {
    throw new UserError(`Unknown sslmode "${sslmode}" in the database URL: use one of ${SSL_MODES.join(', ')}.`, ExitCode.usage);
  }

  const redacted = redactedUrl(url);
  // libpq semantics for sslmode (require = encrypt without verifying), which is what a DBA means by it.
  const pgUrl = sslmode && !/uselibpqcompat=/.test(url) ? `${url}${url.includes('?') ? '&' : '?'}uselibpqcompat=true` : url;
  const pgConfig: ClientConfig = { connectionString: pgUrl };

  const libpqEnv: Record<string, string> = {
    PGHOST: host,
    PGPORT: String(port),
    PGUSER: user,
    PGDATABASE: database,
  };
  if (parsed.password) libpqEnv.PGPASSWORD = parsed.password;
  if (sslmode) libpqEnv.PGSSLMODE = sslmode === 'no-verify' ? 'require' : sslmode;
  const appName = (parsed as Record<string, unknown>).application_name as string | undefined;
  if (appName) libpqEnv.PGAPPNAME = appName;

  const shownHost = host.startsWith('/') ? `socket:${host}` : host;
  return {
    url,
    redacted,
    display: `${database}@${shownHost}`,
    database,
    host,
    port,
    user,
    password: parsed.password || undefined,
    sslmode,
    pgConfig,
    libpqEnv,
  };
}

/** The same URL with the password removed (not masked: nothing to guess the length from). */
export function redactedUrl(url: string): string {
  return url
    .replace(/^([a-z+.-]+:\/\/[^:/?#@]*):[^@/]*@/i, '$1@')
    .replace(/([?&]password=)[^&]*/i, '$1***');
}

/** Same server and credentials, another database (scratch copies, restore checks). */
export function withDatabase(target: Target, database: string): Target {
  const u = target.url.replace(/^([a-z+.-]+:\/\/[^/?#]*)(\/[^?#]*)?/i, `$1/${encodeURIComponent(database)}`);
  return parseTarget(u);
}
