import type { Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import type { AdvisoryHolder } from './events.js';

/** The key Prisma Migrate locks, so that this console and `prisma migrate deploy` never run at once. */
export const PRISMA_ADVISORY_LOCK = 72707369;

export async function tryAdvisoryLock(db: Db): Promise<boolean> {
  const r = await db.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [PRISMA_ADVISORY_LOCK]);
  return r.rows[0]?.ok === true;
}

/** Blocks until the lock is ours (the caller cancels the wait through pg_cancel_backend). */
export async function waitAdvisoryLock(db: Db): Promise<void> {
  await db.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
}

export async function releaseAdvisoryLock(db: Db): Promise<void> {
  await db.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]);
}

export async function advisoryHolder(db: Pick<Db, 'query'>): Promise<AdvisoryHolder | null> {
  const r = await db.query<{
    pid: number;
    application: string;
    client_addr: string | null;
    user: string;
    since: Date | null;
    query: string;
  }>(sqlFile('advisory_lock_holder'), [PRISMA_ADVISORY_LOCK]);
  const row = r.rows[0];
  if (!row) return null;
  return {
    pid: row.pid,
    application: row.application,
    clientAddr: row.client_addr,
    user: row.user,
    since: row.since ? new Date(row.since).toISOString() : null,
    query: row.query,
  };
}

export function describeHolder(h: AdvisoryHolder | null): string {
  if (!h) return 'another session (it released the lock while we looked)';
  const app = h.application || 'an unnamed application';
  const from = h.clientAddr ? ` from ${h.clientAddr}` : ' over a local socket';
  const since = h.since ? `, connected since ${h.since.replace('T', ' ').slice(0, 19)} UTC` : '';
  return `pid ${h.pid} (${app}, user ${h.user}${from}${since})`;
}
