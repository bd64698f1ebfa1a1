import type { ClientConfig } from 'pg';
import { parse } from 'pg-connection-string';
import { registerSecret } from './secrets.js';
import { UserError } from '../errors.js';
import { resolveLibpq, type LibpqKeyword, type LibpqParams, type LibpqSources } from './libpq.js';

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
  /** Options for node-postgres: the complete URL, nothing left for it to read from PG* variables. */
  pgConfig: ClientConfig;
  /** The URL with what libpq rules filled in written out (password included: never printed). */
  completeUrl: string;
  /** Where each setting the URL left out came from (for --debug). */
  sources: LibpqSources;
  /** libpq environment for pg_dump/pg_restore/psql: the password travels here, never in argv. */
  libpqEnv: Record<string, string>;
  /** Where the URL came from, in words ("DIRECT_URL (from .env)"), for errors that say what to fix. */
  source?: string;
}

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'];

export function parseTarget(url: string | undefined, env: NodeJS.ProcessEnv = process.env): Target {
  if (!url || !url.trim()) {
    throw new UserError(
      'No database given: pass --database-url postgresql://user@host:5432/dbname or set DATABASE_URL.',
      'bad-input',
    );
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
  const unknown = unknownParameter(url);
  if (unknown !== undefined) {
    throw new UserError(
      `The database URL has an unknown parameter "${unknown}", which psql refuses too: correct its name or remove it (libpq's keywords such as sslmode, connect_timeout, application_name and options, and Prisma's such as schema, are accepted).`,
      'bad-input',
    );
  }
  const sslmode = /[?&]sslmode=([^&]*)/i.exec(url)?.[1];
  if (sslmode !== undefined && !SSL_MODES.includes(sslmode)) {
    throw new UserError(
      `Unknown sslmode "${sslmode}" in the database URL: use one of ${SSL_MODES.join(', ')}.`,
      'bad-input',
    );
  }
  // libpq semantics for sslmode (require = encrypt without verifying), which is what a DBA means by it;
  // parsing with it also keeps pg-connection-string from printing its sslmode warning. no-verify is
  // node-postgres' own mode, which only its default parsing knows.
  const compat = sslmode !== undefined && sslmode !== 'no-verify' && !/uselibpqcompat=/.test(url);
  const pgUrl = compat ? `${url}${url.includes('?') ? '&' : '?'}uselibpqcompat=true` : url;
  const parsed = parseOrExplain(pgUrl, malformed);
  registerSecret(parsed.password ?? undefined, parsed.user ?? undefined);
  registerSecret(rawPassword(url), parsed.user ?? undefined);

  const fromUrl = parsed as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const { params, sources } = resolveLibpq(
    {
      host: str(parsed.host),
      port: str(parsed.port),
      dbname: str(parsed.database),
      user: str(parsed.user),
      password: str(parsed.password),
      sslmode,
      sslrootcert: str(fromUrl.sslrootcert),
      sslcert: str(fromUrl.sslcert),
      sslkey: str(fromUrl.sslkey),
      application_name: str(fromUrl.application_name),
      options: str(fromUrl.options),
      connect_timeout: str(fromUrl.connect_timeout),
      service: str(fromUrl.service),
    },
    env,
  );
  registerSecret(params.password, params.user);
  const database = params.dbname ?? '';
  if (!database) {
    throw new UserError(
      'The database URL names no database: add it after the host, as in postgresql://user@host:5432/dbname.',
      'bad-input',
    );
  }
  const host = params.host!;
  const port = Number(params.port);
  if (!/^\d+$/.test(params.port!) || port <= 0 || port > 65535) {
    const from = sources.port === 'url' ? 'The database URL has' : `${sources.port} gives`;
    throw new UserError(`${from} an invalid port "${params.port}": use a number between 1 and 65535.`, 'bad-input');
  }
  const user = params.user!;
  const resolvedSsl = params.sslmode;
  if (resolvedSsl !== undefined && !SSL_MODES.includes(resolvedSsl)) {
    throw new UserError(
      `Unknown sslmode "${resolvedSsl}" from ${sources.sslmode}: use one of ${SSL_MODES.join(', ')}.`,
      'bad-input',
    );
  }
  const driverUrl = completeUrl(url, params, true);
  // A TLS setting from the environment or a service file is checked as one in the URL would be.
  if (driverUrl !== pgUrl) parseOrExplain(driverUrl, malformed);
  const redacted = redactedUrl(url);
  const pgConfig: ClientConfig = { connectionString: driverUrl };

  const libpqEnv: Record<string, string> = { PGHOST: host, PGPORT: String(port), PGUSER: user, PGDATABASE: database };
  if (params.password) libpqEnv.PGPASSWORD = params.password;
  if (resolvedSsl) libpqEnv.PGSSLMODE = resolvedSsl === 'no-verify' ? 'require' : resolvedSsl;
  const forChildren: [LibpqKeyword, string][] = [
    ['sslrootcert', 'PGSSLROOTCERT'],
    ['sslcert', 'PGSSLCERT'],
    ['sslkey', 'PGSSLKEY'],
    ['application_name', 'PGAPPNAME'],
    ['options', 'PGOPTIONS'],
    ['connect_timeout', 'PGCONNECT_TIMEOUT'],
    ['passfile', 'PGPASSFILE'],
  ];
  for (const [k, variable] of forChildren) if (params[k]) libpqEnv[variable] = params[k]!;

  const shownHost = host.startsWith('/') ? `socket:${host}` : host;
  return {
    url,
    completeUrl: completeUrl(url, params, false),
    redacted,
    display: `${database}@${shownHost}`,
    database,
    host,
    port,
    user,
    password: params.password || undefined,
    sslmode: resolvedSsl,
    pgConfig,
    libpqEnv,
    sources,
  };
}

// Keywords the complete URL states itself; any other parameter of the given URL is kept as written.
const STATED = new Set([
  'host',
  'port',
  'user',
  'password',
  'dbname',
  'service',
  'uselibpqcompat',
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'application_name',
  'options',
]);

/**
 * The given URL with everything libpq would fill in written out: host, port, user, password and
 * database in their places, TLS settings and options as parameters. Nothing is left for a driver to
 * look up in the environment. forDriver adds node-postgres' switch to libpq's meaning of sslmode.
 */
function completeUrl(url: string, p: LibpqParams, forDriver: boolean): string {
  const enc = encodeURIComponent;
  const host = p.host!.startsWith('/') ? enc(p.host!) : p.host!.includes(':') ? `[${p.host}]` : p.host!;
  const auth = `${enc(p.user!)}${p.password ? `:${enc(p.password)}` : ''}@`;
  const q = url.indexOf('?');
  const kept = (q < 0 ? [] : url.slice(q + 1).split('&')).filter(
    (kv) => kv && !STATED.has(decodeURIComponent(kv.split('=')[0]!).toLowerCase()),
  );
  const stated: string[] = [];
  for (const k of ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'application_name', 'options'] as const) {
    if (p[k] !== undefined) stated.push(`${k}=${enc(p[k]!)}`);
  }
  if (forDriver && p.sslmode !== undefined && p.sslmode !== 'no-verify') stated.push('uselibpqcompat=true');
  const query = [...kept, ...stated];
  return `postgresql://${auth}${host}:${p.port}/${enc(p.dbname!)}${query.length ? `?${query.join('&')}` : ''}`;
}

function parseOrExplain(u: string, malformed: () => UserError): ReturnType<typeof parse> {
  try {
    return parse(u);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (/verify-ca requires/.test(e.message ?? '')) {
      throw new UserError(
        'sslmode=verify-ca needs the CA certificate: add sslrootcert=/path/to/ca.pem to the database URL, or use sslmode=verify-full.',
        'bad-input',
      );
    }
    if (e.code === 'ENOENT' || e.code === 'EACCES') {
      throw new UserError(
        `A certificate file named in the database URL (sslrootcert, sslcert or sslkey) cannot be read: ${e.path ?? 'check the paths'}.`,
        'bad-input',
      );
    }
    throw malformed();
  }
}

// libpq's connection keywords (PostgreSQL 17's, which psql accepts in a URI; ssl=true is its JDBC
// spelling), Prisma's own URL arguments (a Prisma project's DATABASE_URL carries them) and node-postgres'
// uselibpqcompat. Anything else is a typo that would otherwise be ignored, or honoured by one client only.
const KNOWN_PARAMETERS = new Set([
  'host',
  'hostaddr',
  'port',
  'dbname',
  'user',
  'password',
  'passfile',
  'require_auth',
  'channel_binding',
  'connect_timeout',
  'client_encoding',
  'options',
  'application_name',
  'fallback_application_name',
  'keepalives',
  'keepalives_idle',
  'keepalives_interval',
  'keepalives_count',
  'tcp_user_timeout',
  'replication',
  'gssencmode',
  'sslmode',
  'sslnegotiation',
  'sslcompression',
  'sslcert',
  'sslkey',
  'sslpassword',
  'sslcertmode',
  'sslrootcert',
  'sslcrl',
  'sslcrldir',
  'sslsni',
  'requirepeer',
  'ssl_min_protocol_version',
  'ssl_max_protocol_version',
  'krbsrvname',
  'gsslib',
  'gssdelegation',
  'service',
  'target_session_attrs',
  'load_balance_hosts',
  'ssl',
  'schema',
  'connection_limit',
  'pool_timeout',
  'socket_timeout',
  'statement_cache_size',
  'pgbouncer',
  'sslidentity',
  'sslaccept',
  'max_connection_lifetime',
  'max_idle_connection_lifetime',
  'single_use_connections',
  'uselibpqcompat',
]);

/** The first query parameter of the URL that no client of this tool knows. */
function unknownParameter(url: string): string | undefined {
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  for (const pair of url.slice(q + 1).split('&')) {
    if (!pair) continue;
    const raw = pair.split('=')[0]!;
    let key = raw;
    try {
      key = decodeURIComponent(raw);
    } catch {
      // left as written
    }
    if (!KNOWN_PARAMETERS.has(key)) return key;
  }
  return undefined;
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
  const plain = url
    .replace(/([?&])(sslmode|uselibpqcompat)=[^&]*/gi, '$1')
    .replace(/[?&]+$/, '')
    .replace(/\?&+/, '?')
    .replace(/&&+/g, '&');
  return { ...target.pgConfig, connectionString: plain, ssl: false };
}

/** The same URL with the password removed (not masked: nothing to guess the length from). */
export function redactedUrl(url: string): string {
  return url.replace(/^([a-z+.-]+:\/\/[^:/?#@]*):[^@/]*@/i, '$1@').replace(/([?&]password=)[^&]*/i, '$1***');
}

/** Same server and credentials, another database (scratch copies, restore checks). */
export function withDatabase(target: Target, database: string): Target {
  const u = target.completeUrl.replace(/^([a-z+.-]+:\/\/[^/?#]*)(\/[^?#]*)?/i, `$1/${encodeURIComponent(database)}`);
  // Everything is in the complete URL already; only what a URL cannot carry comes along.
  const { PGPASSFILE, PGCONNECT_TIMEOUT } = target.libpqEnv;
  return parseTarget(u, { ...(PGPASSFILE ? { PGPASSFILE } : {}), ...(PGCONNECT_TIMEOUT ? { PGCONNECT_TIMEOUT } : {}) });
}
