import pg from 'pg';
import { withoutTls, type Target } from './target.js';
import { UserError } from '../errors.js';
import { redactError } from './secrets.js';

export type Db = pg.Client;

export interface ConnectOptions {
  applicationName?: string;
  /** Give up connecting after this long (default 10 s): a dead host must not hang a DBA. */
  connectTimeoutMs?: number;
}

// node-postgres parses int8 as string; counts and sizes here fit in a double.
pg.types.setTypeParser(20, (v: string) => Number(v));

export async function connect(target: Target, opts: ConnectOptions = {}): Promise<Db> {
  const tls = target.pgConfig;
  const plain = withoutTls(target);
  // libpq's order of attempts: prefer tries TLS then plain, allow tries plain then TLS; node-postgres
  // knows neither, and would fail against a server without TLS under prefer.
  const attempts = target.sslmode === 'prefer' ? [tls, plain] : target.sslmode === 'allow' ? [plain, tls] : [tls];
  let last: unknown;
  let reached = false;
  for (const [i, config] of attempts.entries()) {
    const client = new pg.Client({
      ...config,
      application_name: opts.applicationName ?? 'citadel-migrate',
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
      // A path that drops the server's packets (a NAT that forgot the connection, a stalled proxy)
      // must end in an error, not in a session that waits forever on an answer.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    // An error event on an idle client would otherwise crash the process with a stack trace.
    client.on('error', () => undefined);
    // Whether the TCP connection was accepted: a pooler whose server is down accepts it at once and
    // then says nothing, which a dropped packet (a firewall) never does.
    reached = false;
    (client as unknown as { connection?: { once(e: string, f: () => void): void } }).connection?.once(
      'connect',
      () => (reached = true),
    );
    try {
      await client.connect();
      return client;
    } catch (err) {
      await client.end().catch(() => undefined);
      last = err;
      const more = i < attempts.length - 1;
      // only a refusal of the transport is worth the other attempt; a wrong password stays wrong
      if (!more || !(noTlsOnServer(err) || (config === plain && (err as { code?: string }).code === '28000'))) break;
    }
  }
  throw connectionError(last, target, { reached });
}

const noTlsOnServer = (err: unknown) => /does not support SSL/i.test((err as Error)?.message ?? '');

/** Turns a driver error at connect time into one sentence that says what to do. */
export function connectionError(err: unknown, target: Target, seen: { reached?: boolean } = {}): UserError {
  const e = err as { code?: string; message?: string; errno?: string };
  const where = target.host.startsWith('/')
    ? `the socket in ${target.host} (port ${target.port})`
    : `${target.host}:${target.port}`;
  const detail = redactError(e?.message ?? String(err));
  switch (e?.code) {
    case '28P01':
      return new UserError(
        `Password authentication failed for user "${target.user}" at ${where}: check the password in ${target.source ?? '--database-url or DATABASE_URL'}.`,
        'connection',
        detail,
      );
    case '28000':
      return new UserError(
        `The server at ${where} refused user "${target.user}" for database "${target.database}" (${detail}): check the user name and the server's pg_hba.conf.`,
        'connection',
        detail,
      );
    case '3D000':
      return new UserError(
        `Database "${target.database}" does not exist at ${where}: check the database name in ${target.source ?? 'the URL'}.`,
        'connection',
        detail,
      );
    case '57P03':
      return new UserError(
        `The server at ${where} is starting up or shutting down: wait a moment and try again.`,
        'connection',
        detail,
      );
    case '53300':
      return new UserError(
        `The server at ${where} has no free connection slots: close idle sessions or raise max_connections, then try again.`,
        'connection',
        detail,
      );
    case 'ECONNREFUSED':
    case 'ENOENT':
      return new UserError(
        `No PostgreSQL server is accepting connections at ${where}: check the host and port, and that the server is running.`,
        'connection',
        detail,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UserError(
        `The host "${target.host}" cannot be resolved: check the host name in ${target.source ?? 'the database URL'}.`,
        'connection',
        detail,
      );
    case 'ECONNRESET':
    case 'EPIPE':
      return new UserError(
        `The connection to ${where} was closed by the server: check the server log, and sslmode in the URL.`,
        'connection',
        detail,
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return new UserError(
        `The server at ${where} cannot be reached: check the host, the port and the network path from this machine.`,
        'connection',
        detail,
      );
  }
  if (/timeout/i.test(detail) && seen.reached) {
    return new UserError(
      `The server at ${where} accepted the connection at once, but the login got no reply within the connect timeout: if it is a connection pooler (PgBouncer), the pooler answered but its PostgreSQL server did not (down, or unreachable from the pooler): check the pooler's log and its server.`,
      'connection',
      detail,
    );
  }
  if (/timeout/i.test(detail)) {
    return new UserError(
      `The server at ${where} did not answer within the connect timeout: check the host, the port and any firewall in between.`,
      'connection',
      detail,
    );
  }
  if (noTlsOnServer(err)) {
    return new UserError(
      `The server at ${where} does not accept TLS connections, which sslmode=${target.sslmode ?? process.env.PGSSLMODE ?? 'require'} demands: enable TLS on the server, or use sslmode=prefer (encrypts when it can) on a network you trust.`,
      'connection',
      detail,
    );
  }
  if (/ssl/i.test(detail)) {
    return new UserError(
      `The TLS connection to ${where} failed (${detail}): check sslmode in the database URL.`,
      'connection',
      detail,
    );
  }
  return new UserError(`Cannot connect to ${where}: ${detail}.`, 'connection', detail);
}

/** Runs fn with a connection and always closes it. */
export async function withDb<T>(target: Target, fn: (db: Db) => Promise<T>, opts?: ConnectOptions): Promise<T> {
  const db = await connect(target, opts);
  try {
    return await fn(db);
  } finally {
    await db.end().catch(() => undefined);
  }
}
