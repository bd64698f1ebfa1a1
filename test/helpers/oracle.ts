import { expect } from 'vitest';
import { prismaStatus } from './prisma.js';
import { cli, json } from './cli.js';

export interface OurState {
  name: string;
  state: string;
  note?: string;
}

/** Our `status --json`. */
export async function ourStatus(url: string, dir: string, env?: Record<string, string>): Promise<OurState[]> {
  const r = await cli(['status', '--json', '--database-url', url, '--migrations', dir], env ? { env } : {});
  const states = json<{ migrations: OurState[] }>(r).migrations;
  // as `prisma migrate status`: 1 while a migration is pending or failed (expectPrismaAgrees checks Prisma's)
  expect(r.exitCode, r.stderr).toBe(states.some((m) => m.state === 'pending' || m.state === 'failed') ? 1 : 0);
  return states;
}

/**
 * Prisma's `migrate status` must say what ours says. Prisma prints only its first finding
 * (pending before failed, and migrations missing locally only beside pending ones) and no longer lists a
 * migration resolved as rolled back: the comparison follows those rules, and nothing else is excused.
 * Files modified after they were applied are not printed, but are in Prisma's diagnosis, which is compared.
 */
export async function expectPrismaAgrees(url: string, dir: string, known?: OurState[]): Promise<OurState[]> {
  // Both only read: asked at once, they see the same database.
  const [ours, p] = await Promise.all([known ?? ourStatus(url, dir), prismaStatus(url, dir)]);
  const names = (s: string) => ours.filter((m) => m.state === s).map((m) => m.name);
  const pending = names('pending');
  const failed = names('failed');
  const missing = names('missing-locally');
  // Prisma's diagnosis counts a failed row whose checksum differs as edited too; ours says failed, the state to act on.
  const done = new Set([...names('applied'), ...names('modified')]);
  const edited = p.modified.filter((n) => done.has(n)).sort();
  expect(edited, `modified after applied\n${p.output}`).toEqual(names('modified').sort());
  expect(p.pending, p.output).toEqual(pending);
  if (!pending.length && !missing.length) expect(p.failed, p.output).toEqual(failed);
  // Prisma names migrations missing locally only while others are pending.
  if (p.missingLocally.length || pending.length) expect(p.missingLocally, p.output).toEqual(missing);
  expect(p.upToDate, p.output).toBe(!pending.length && !failed.length);
  expect(p.exitCode === 0, p.output).toBe(p.upToDate);
  // our status exits as Prisma's does (ourStatus checks ours against the same rule)
  expect(p.exitCode, p.output).toBe(pending.length || failed.length ? 1 : 0);
  return ours;
}
