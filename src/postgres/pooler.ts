// Connection poolers between this console and PostgreSQL. Prisma's migration lock is a session-level
// advisory lock: through a transaction- or statement-mode pooler the "session" is whichever server
// connection the pooler lends for one transaction, so the lock stays behind on a connection the
// pooler then hands to the application, and every later run (ours or `prisma migrate deploy`) is
// refused until the pooler recycles it. Session-mode pooling keeps one server connection per client,
// which is fine.
import { connect, type Db } from './connect.js';
import type { Target } from './target.js';
import { UserError } from '../errors.js';

export type PoolerMode = 'none' | 'session' | 'transaction' | 'statement';

export interface PoolerFinding {
  mode: PoolerMode;
  /** What gave it away, in a few words (empty for 'none'). */
  evidence: string;
  /** The PostgreSQL backend pid behind this client's connection (what pg_locks and pg_stat_activity show). */
  backendPid: number;
}

/** Hosted poolers known by name and port: no probe needed, and probes cannot tell them apart anyway. */
export function knownPooler(target: Target): { mode: PoolerMode; evidence: string } | undefined {
  const host = target.host.toLowerCase();
  if (/[?&]pgbouncer=true(&|$)/i.test(target.url))
    return { mode: 'transaction', evidence: 'the URL says pgbouncer=true' };
  if (host.endsWith('.pooler.supabase.com')) {
    return target.port === 6543
      ? { mode: 'transaction', evidence: "Supabase's pooler in transaction mode, port 6543" }
      : { mode: 'session', evidence: "Supabase's pooler in session mode" };
  }
  if (host.endsWith('.supabase.co') && target.port === 6543)
    return { mode: 'transaction', evidence: "Supabase's PgBouncer, port 6543" };
  if (host.endsWith('.neon.tech') && host.split('.')[0]!.endsWith('-pooler')) {
    return { mode: 'transaction', evidence: "Neon's pooled endpoint, a -pooler host" };
  }
  return undefined;
}

const backendPidOf = async (db: Pick<Db, 'query'>) =>
  (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

/**
 * What sits between `db` and the server. A direct connection reports, at connect time, the same
 * pid the server gives for pg_backend_pid(); a pooler invents its own. When they differ, a second
 * client opens transactions between `db`'s: a transaction pooler lends it `db`'s server connection
 * (or makes `db` wait for, or move to, another one, or moves the probe), a session pooler never
 * does, and a statement pooler refuses the transaction outright. Nothing is written and no lock is taken.
 */
export async function detectPooler(target: Target, db: Db): Promise<PoolerFinding> {
  const announced = (db as unknown as { processID?: number }).processID;
  const pid = await backendPidOf(db);
  const known = knownPooler(target);
  if (known) return { ...known, backendPid: pid };
  if (announced === pid) return { mode: 'none', evidence: '', backendPid: pid };
  const probe = await connect(target, { applicationName: 'citadel-migrate pooler probe', connectTimeoutMs: 5000 });
  try {
    // A few rounds, because other clients of a busy pool may take the connection we hoped to be lent;
    // in session mode every answer stays the same in every round.
    let ours = pid;
    let lentBefore: number | undefined;
    for (let round = 0; round < 4; round++) {
      try {
        await probe.query('BEGIN');
      } catch (err) {
        if (/statement pool|transaction blocks not allowed/i.test((err as Error).message))
          return { mode: 'statement', evidence: 'the pooler refuses transactions', backendPid: ours };
        throw err;
      }
      const lent = await backendPidOf(probe);
      if (lent === ours)
        return {
          mode: 'transaction',
          evidence: `another client was given the same server connection, pid ${ours}`,
          backendPid: ours,
        };
      if (lentBefore !== undefined && lent !== lentBefore)
        return {
          mode: 'transaction',
          evidence: `a client's server connection changed between transactions, pid ${lentBefore} then ${lent}`,
          backendPid: ours,
        };
      lentBefore = lent;
      // Our own server connection is busy with the probe's transaction only if the pooler shares it.
      const pending = backendPidOf(db);
      const again = await Promise.race([
        pending,
        new Promise<'waited'>((r) => setTimeout(() => r('waited'), 1500).unref()),
      ]);
      if (again === 'waited') {
        await probe.query('ROLLBACK').catch(() => undefined);
        // the queued answer arrives once the probe lets go, and leaves the connection clean for the caller
        return {
          mode: 'transaction',
          evidence: 'this client had to wait for a server connection while another client held one',
          backendPid: await pending,
        };
      }
      if (again !== ours)
        return {
          mode: 'transaction',
          evidence: `the server connection changed between transactions, pid ${ours} then ${again}`,
          backendPid: again,
        };
      ours = again;
      await probe.query('ROLLBACK');
    }
    return { mode: 'session', evidence: 'a pooler in session mode', backendPid: ours };
  } finally {
    await probe.query('ROLLBACK').catch(() => undefined);
    await probe.end().catch(() => undefined);
  }
}

export const sharesSessions = (f: PoolerFinding) => f.mode === 'transaction' || f.mode === 'statement';

/** One sentence: why not, and which URL to use instead. */
export function poolerRefusal(target: Target, f: PoolerFinding, directUrlVariable?: string): UserError {
  const where = `${target.host}:${target.port}`;
  const direct = directUrlVariable
    ? `use the direct URL in ${directUrlVariable} (the schema's directUrl), or pass it as --database-url`
    : "connect to PostgreSQL directly (the server or its direct port, e.g. 5432 rather than a pooler's 6543) with --database-url, and give it to Prisma as the datasource's directUrl";
  return new UserError(
    `Refusing to migrate through the ${f.mode}-mode connection pooler at ${where} (${f.evidence}): Prisma's migration lock belongs to a database session, which such a pooler hands to other clients between transactions, so ${direct}.`,
    'refused',
  );
}

/** For read-only commands: a warning line, or undefined when nothing stands in the way of a run. */
export function poolerWarning(target: Target, f: PoolerFinding, directUrlVariable?: string): string | undefined {
  if (!sharesSessions(f)) return undefined;
  return `Warning: ${poolerRefusal(target, f, directUrlVariable).message.replace(/^Refusing to migrate/, '`run`, `skip` and `rollback` will refuse to migrate')}`;
}

/** The engine's guard before Prisma's lock: refuses a session-sharing pooler, returns the backend pid. */
export async function refuseSessionSharingPooler(target: Target, db: Db, directUrlVariable?: string): Promise<number> {
  const f = await detectPooler(target, db);
  if (sharesSessions(f)) throw poolerRefusal(target, f, directUrlVariable);
  return f.backendPid;
}

/** For read-only commands that do not keep a connection of their own around: connect, look, warn. */
export async function checkForPooler(target: Target, directUrlVariable?: string): Promise<string | undefined> {
  let db: Db | undefined;
  try {
    db = await connect(target, { applicationName: 'citadel-migrate pooler probe', connectTimeoutMs: 5000 });
    return poolerWarning(target, await detectPooler(target, db), directUrlVariable);
  } catch {
    return undefined; // the command itself reports a connection it cannot make
  } finally {
    await db?.end().catch(() => undefined);
  }
}
