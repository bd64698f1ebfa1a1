import { expect } from 'vitest';
import { prismaStatus } from './prisma.js';
import { cli, json } from './cli.js';
import { query } from './db.js';

export interface OurState {
  name: string;
  state: string;
  note?: string;
}

/** Our `status --json`. */
export async function ourStatus(url: string, dir: string, env?: Record<string, string>): Promise<OurState[]> {
  const r = await cli(['status', '--json', '--database-url', url, '--migrations', dir], env ? { env } : {});
  expect(r.exitCode, r.stderr).toBe(0);
  return json<{ migrations: OurState[] }>(r).migrations;
}

/**
 * Prisma's `migrate status` must say what ours says. Prisma prints only its first finding
 * (pending before failed, and migrations missing locally only beside pending ones), does not report modified files, and no longer lists a migration
 * resolved as rolled back: the comparison follows those rules, and nothing else is excused.
 */
export async function expectPrismaAgrees(url: string, dir: string, known?: OurState[]): Promise<OurState[]> {
  const ours = known ?? (await ourStatus(url, dir));
  const p = await prismaStatus(url, dir);
  const names = (s: string) => ours.filter((m) => m.state === s).map((m) => m.name);
  const pending = names('pending');
  const failed = names('failed');
  const missing = names('missing-locally');
  expect(p.pending, p.output).toEqual(pending);
  if (!pending.length && !missing.length) expect(p.failed, p.output).toEqual(failed);
  // Prisma names migrations missing locally only while others are pending.
  if (p.missingLocally.length || pending.length) expect(p.missingLocally, p.output).toEqual(missing);
  expect(p.upToDate, p.output).toBe(!pending.length && !failed.length);
  expect(p.exitCode === 0, p.output).toBe(p.upToDate);
  return ours;
}

/**
 * A migration stopped by something that passes (a lock timeout, a cancel). Whatever the engine
 * records, status must say it and Prisma agree: either Prisma's failed state with the cause in
 * logs, or no row at all, so that it is plainly pending and the next run applies it. Never applied.
 */
export async function expectStoppedMigrationExplained(url: string, dir: string, name: string, cause: RegExp): Promise<'failed' | 'pending'> {
  const rows = await query<{ finished_at: Date | null; rolled_back_at: Date | null; logs: string | null }>(url, `SELECT finished_at, rolled_back_at, logs FROM "_prisma_migrations" WHERE migration_name = $1`, [name]);
  const states = await expectPrismaAgrees(url, dir);
  const state = states.find((m) => m.name === name)?.state;
  expect(rows.filter((r) => r.finished_at), `${name} must not be recorded as applied`).toEqual([]);
  const open = rows.filter((r) => !r.rolled_back_at);
  if (open.length) {
    expect(state).toBe('failed');
    expect(open[0]!.logs).toMatch(cause);
    return 'failed';
  }
  expect(state).toBe('pending');
  return 'pending';
}
