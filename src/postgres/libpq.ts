// Where a connection goes, decided once and by libpq's rules, so that this process, pg_dump,
// pg_restore and Prisma all reach the same server. libpq fills each keyword that the URL leaves out
// from the service file first (PGSERVICE or ?service=), then from its PG* variable, then from its
// default; node-postgres reads PG* variables but knows no service file, and a child process handed
// PGHOST/PGPORT still lets a service file override them. So the complete answer is worked out here
// and every consumer is handed it explicitly (see childEnvironment in tools/pgTools.ts).
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';

/** The libpq keywords this tool resolves and hands on, with the variable each one falls back to. */
export const LIBPQ_VARIABLES = {
  host: 'PGHOST',
  port: 'PGPORT',
  dbname: 'PGDATABASE',
  user: 'PGUSER',
  password: 'PGPASSWORD',
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  application_name: 'PGAPPNAME',
  options: 'PGOPTIONS',
  connect_timeout: 'PGCONNECT_TIMEOUT',
  passfile: 'PGPASSFILE',
} as const;

export type LibpqKeyword = keyof typeof LIBPQ_VARIABLES;
export type LibpqParams = Partial<Record<LibpqKeyword, string>>;
/** Where each value came from, for --debug: "url", "service svc (file)", "PGPORT", "default". */
export type LibpqSources = Partial<Record<LibpqKeyword, string>>;

// Debian's and Ubuntu's libpq (the usual bastion host) is built with this SYSCONFDIR.
const DEFAULT_SYSCONFDIR = '/etc/postgresql-common';

/** The [name] section of a pg_service.conf file, or undefined when the file has no such section. */
export function readServiceSection(file: string, name: string): Record<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(
      `The service file ${file} cannot be read: fix PGSERVICEFILE (or the file's permissions).`,
      'bad-input',
    );
  }
  let inSection = false;
  let found: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const section = /^\[(.*)\]$/.exec(line);
    if (section) {
      // libpq stops at the first section of that name
      if (found) break;
      inSection = section[1] === name;
      if (inSection) found = {};
      continue;
    }
    if (!inSection) continue;
    const eq = line.indexOf('=');
    if (eq < 0)
      throw new UserError(
        `Line "${line}" of the service file ${file} is not keyword=value: fix the file.`,
        'bad-input',
      );
    found![line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return found;
}

/**
 * The service's keywords, searched as libpq searches: PGSERVICEFILE (or ~/.pg_service.conf), then
 * PGSYSCONFDIR/pg_service.conf. A service named but defined nowhere is an error, as in libpq.
 */
export function serviceParams(name: string, env: NodeJS.ProcessEnv): { params: Record<string, string>; file: string } {
  const userFile = env.PGSERVICEFILE || path.join(env.HOME || os.homedir(), '.pg_service.conf');
  const candidates = [userFile, path.join(env.PGSYSCONFDIR || DEFAULT_SYSCONFDIR, 'pg_service.conf')];
  for (const [i, file] of candidates.entries()) {
    // PGSERVICEFILE must exist when set; the default files are optional
    if (!existsSync(file) && !(i === 0 && env.PGSERVICEFILE)) continue;
    const params = readServiceSection(file, name);
    if (params) {
      if ('service' in params)
        throw new UserError(
          `The service "${name}" in ${file} names another service: nested service definitions are not supported (by libpq either).`,
          'bad-input',
        );
      return { params, file };
    }
  }
  throw new UserError(
    `The connection service "${name}" (from ${env.PGSERVICE === name ? 'PGSERVICE' : 'the URL'}) is defined in no service file (${candidates.join(', ')}): define it, or unset PGSERVICE.`,
    'bad-input',
  );
}

/**
 * Fills what the URL left out, as libpq does: service file, then PG* variables, then defaults for
 * host (localhost: what node-postgres connects to, handed to every program explicitly), port and user.
 */
export function resolveLibpq(
  fromUrl: LibpqParams & { service?: string },
  env: NodeJS.ProcessEnv = process.env,
): { params: LibpqParams; sources: LibpqSources } {
  const params: LibpqParams = {};
  const sources: LibpqSources = {};
  for (const [k, v] of Object.entries(fromUrl)) {
    if (k !== 'service' && v !== undefined && v !== '') {
      params[k as LibpqKeyword] = v;
      sources[k as LibpqKeyword] = 'url';
    }
  }
  const service = fromUrl.service || env.PGSERVICE;
  if (service) {
    const { params: fromService, file } = serviceParams(service, env);
    for (const [k, v] of Object.entries(fromService)) {
      if (!(k in LIBPQ_VARIABLES) || params[k as LibpqKeyword] !== undefined || v === '') continue;
      params[k as LibpqKeyword] = v;
      sources[k as LibpqKeyword] = `service ${service} (${file})`;
    }
  }
  for (const [k, variable] of Object.entries(LIBPQ_VARIABLES) as [LibpqKeyword, string][]) {
    const v = env[variable];
    if (params[k] !== undefined || v === undefined || v === '') continue;
    params[k] = v;
    sources[k] = variable;
  }
  const defaults: LibpqParams = { host: 'localhost', port: '5432', user: osUser() };
  for (const [k, v] of Object.entries(defaults) as [LibpqKeyword, string][]) {
    if (params[k] !== undefined) continue;
    params[k] = v;
    sources[k] = 'default';
  }
  return { params, sources };
}

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER || 'postgres';
  }
}

/** "host from PGHOST, port from service svc (~/.pg_service.conf)": only what the URL did not say. */
export function describeSources(sources: LibpqSources): string {
  const filled = (Object.entries(sources) as [LibpqKeyword, string][]).filter(
    ([k, s]) => s !== 'url' && k !== 'password',
  );
  if (!filled.length) return 'every connection setting from the URL';
  return filled.map(([k, s]) => `${k} from ${s}`).join(', ');
}
