import type { ClientConfig } from 'pg';
import { parse } from 'pg-connection-string';
import { registerSecret } from './secrets.js';
import { UserError } from '../errors.js';

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
  /** Where the URL came from, in words ("DIRECT_URL (from .env)"), for errors that say what to fix. */
  source?: string;
}

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'];

export function parseTarget(url: string | undefined): Target {
  if (!url || !url.trim()) {
    throw new UserError('No database given: pass --database-url postgresql://user@host:5432/dbname or set DATABASE_URL.', 'bad-input');
  }
  url = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    throw new UserError(
      'The database URL is malformed: write it as postgresql://USER@HOST:5432/DBNAME, with the password as USER:PASSWORD before the @ (percent-encode its special characters).',
      'bad-input',
    );
  }
  const malformed = () =>
    new UserError(
      'The database URL is malformed: write it as postgresql://USER@HOST:5432/DBNAME, with the password as USER:PASSWORD before the @ (percent-encode its special characters, e.g. @ as %40, # as %23, / as %2F, ? as %3F).',
      'bad-input',
    );
  if (misSplit(url)) throw malformed();
  const sslmode = /[?&]sslmode=([^&]*)/i.exec(url)?.[1];
  if (sslmode !== undefined && !SSL_MODES.includes(sslmode)) {
    throw new UserError(`Unknown sslmode "${sslmode}" in the database URL: use one of ${SSL_MODES.join(', ')}.`, 'bad-input');
  }
  // libpq semantics for sslmode (require = encrypt without verifying), which is what a DBA means by it;
  // parsing with it also keeps pg-connection-string from printing its sslmode warning. no-verify is
  // node-postgres' own mode, which only its default parsing knows.
  const compat = sslmode !== undefined && sslmode !== 'no-verify' && !/uselibpqcompat=/.test(url);
  const pgUrl = compat ? `${url}${url.includes('?') ? '&' : '?'}uselibpqcompat=true` : url;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(pgUrl);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (/verify-ca requires/.test(e.message ?? '')) {
      throw new UserError('sslmode=verify-ca needs the CA certificate: add sslrootcert=/path/to/ca.pem to the database URL, or use sslmode=verify-full.', 'bad-input');
    }
    if (e.code === 'ENOENT' || e.code === 'EACCES') {
      throw new UserError(`A certificate file named in the database URL (sslrootcert, sslcert or sslkey) cannot be read: ${e.path ?? 'check the paths'}.`, 'bad-input');
    }
    throw malformed();
  }
  registerSecret(parsed.password ?? undefined, parsed.user ?? undefined);
  registerSecret(rawPassword(url), parsed.user ?? undefined);

  const database = parsed.database ?? '';
  if (!database) {
    throw new UserError('The database URL names no database: add it after the host, as in postgresql://user@host:5432/dbname.', 'bad-input');
  }
  const host = parsed.host || 'localhost';
  const port = parsed.port ? Number(parsed.port) : 5432;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new UserError(`The database URL has an invalid port "${parsed.port}": use a number between 1 and 65535.`, 'bad-input');
  }
  const user = parsed.user || process.env.PGUSER || process.env.USER || 'postgres';

  const redacted = redactedUrl(url);
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

/** The text between "://" and the first "/", "?" or "#": where user, password, host and port are. */
function authority(url: string): string {
  const rest = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const end = rest.search(/[/?#]/);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The password as written in the URL (perhaps percent-encoded): everything between the first ":" and the last "@". */
function rawPassword(url: string): string | undefined {
  const auth = authority(url);
  const at = auth.lastIndexOf('@');
  const userinfo = at < 0 ? '' : auth.slice(0, at);
  const colon = userinfo.indexOf(':');
  return colon < 0 ? undefined : userinfo.slice(colon + 1);
}

/**
 * A "/", "?" or "#" left unencoded in the password ends the authority early, so the URL parses into a
 * wrong host, database or query: an "@" after that point (or any "#") gives it away.
 */
function misSplit(url: string): boolean {
  if (url.includes('#')) return true;
  const rest = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').slice(authority(url).length);
  const q = rest.indexOf('?');
  const path = q < 0 ? rest : rest.slice(0, q);
  if (path.includes('@')) return true;
  // query keys are plain words; "x@host/db" as a key is the tail of a password with "?" in it
  const query = q < 0 ? '' : rest.slice(q + 1);
  return query.split('&').some((kv) => /[@/]/.test(kv.split('=')[0] ?? ''));
}

/**
 * node-postgres options for the same target without TLS: what libpq falls back to under sslmode=prefer
 * (and tries first under sslmode=allow), which node-postgres does not do by itself.
 */
export function withoutTls(target: Target): ClientConfig {
  const url = target.pgConfig.connectionString ?? target.url;
  const plain = url.replace(/([?&])(sslmode|uselibpqcompat)=[^&]*/gi, '$1').replace(/[?&]+$/, '').replace(/\?&+/, '?').replace(/&&+/g, '&');
  return { ...target.pgConfig, connectionString: plain, ssl: false };
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
