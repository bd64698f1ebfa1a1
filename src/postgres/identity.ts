// Which server a session reached, in the server's own words. A command resolves its target once;
// every session that does something destructive must show the same server, and the journal is
// kept per server and database, so that two connection paths to one database (a pooler and the
// direct address) share one journal and two databases never do.
import { createHash } from 'node:crypto';
import { sqlFile } from './sqlFiles.js';
import { UserError } from '../errors.js';
import type { Db } from './connect.js';

export interface ServerIdentity {
  /** current_database(): through a pooler, the server's name for the database, not the pooler's alias. */
  database: string;
  /** pg_control_system()'s system_identifier, or null when this role may not read it. */
  systemIdentifier: string | null;
  /** The address the server accepted the session on (null over a Unix socket). */
  address: string | null;
  port: number | null;
  /** pg_is_in_recovery(): a standby, read-only (it shares its primary's system identifier). */
  inRecovery?: boolean;
}

export async function readServerIdentity(db: Pick<Db, 'query'>): Promise<ServerIdentity> {
  const r = (
    await db.query<{
      database: string;
      address: string | null;
      port: number | null;
      can_read_system_identifier: boolean;
      in_recovery: boolean;
    }>(sqlFile('server_identity'))
  ).rows[0]!;
  let systemIdentifier: string | null = null;
  if (r.can_read_system_identifier) {
    systemIdentifier =
      (await db.query<{ system_identifier: string }>(sqlFile('system_identifier'))).rows[0]?.system_identifier ?? null;
  }
  return {
    database: r.database,
    systemIdentifier,
    address: r.address,
    port: r.port === null ? null : Number(r.port),
    inRecovery: Boolean(r.in_recovery),
  };
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * The server part of the journal's key: the system identifier when readable, else the address and
 * port the server listens on, with loopback and a Unix socket taken as one ("local"): a pooler on
 * this host and a direct session may reach the server either way.
 */
export function serverKey(id: ServerIdentity): string {
  if (id.systemIdentifier) return `system:${id.systemIdentifier}`;
  const where = id.address === null || LOOPBACK.test(id.address) ? 'local' : id.address;
  return `address:${where}:${id.port ?? '?'}`;
}

/** What --debug says about the identity the journal is keyed by. */
export function describeIdentity(id: ServerIdentity): string {
  const at = `${id.address ?? 'a Unix socket'}${id.port !== null ? ` port ${id.port}` : ''}`;
  return id.systemIdentifier
    ? `database ${id.database} on the server with system identifier ${id.systemIdentifier} (at ${at})`
    : `database ${id.database} on the server at ${at} (this role may not read the system identifier, so the address stands for the server)`;
}

/** A file name part that two different (server, database) pairs can never share. */
export function identityHash(id: ServerIdentity): string {
  return createHash('sha256')
    .update(`${serverKey(id)}\0${id.database}`)
    .digest('hex')
    .slice(0, 16);
}

export function sameServer(a: ServerIdentity, b: ServerIdentity): boolean {
  if (a.systemIdentifier && b.systemIdentifier) return a.systemIdentifier === b.systemIdentifier;
  return serverKey({ ...a, systemIdentifier: null }) === serverKey({ ...b, systemIdentifier: null });
}

/**
 * A writing command on a standby: refused before it opens a session to write, in one sentence (a
 * standby shares its primary's system identifier, so the same-server check alone would let it by,
 * and its first write would fail half-way with "read-only transaction").
 */
export function refuseStandby(id: ServerIdentity, what: string): void {
  if (!id.inRecovery) return;
  const at = id.address === null ? 'a Unix socket' : `${id.address}${id.port !== null ? ` port ${id.port}` : ''}`;
  throw new UserError(
    `Refusing to ${what}: database ${id.database} on the server at ${at} is a standby (in recovery, read-only), so nothing was done; point --database-url or DATABASE_URL at the primary.`,
    'refused',
  );
}

/**
 * Before a destructive step: the session must be on the server the command resolved (and on its
 * database, unless it is a maintenance session), or nothing is done.
 */
export async function assertSameServer(
  db: Pick<Db, 'query'>,
  expected: ServerIdentity,
  what: string,
  opts: { database?: string } = {},
): Promise<void> {
  const got = await readServerIdentity(db);
  // promoted or demoted since the command resolved it (a failover): a standby is never written to
  refuseStandby(got, what);
  const database = opts.database ?? expected.database;
  if (sameServer(got, expected) && got.database === database) return;
  throw new UserError(
    `Refusing to ${what}: this session reached ${describeIdentity(got)}, not ${describeIdentity({ ...expected, database })} that the command resolved, so nothing was changed; check the URL, PGHOST, PGPORT and PGSERVICE.`,
    'refused',
  );
}
