// Applying a safe form step by step in a test, with every step's table locks traced: from its own
// backend before COMMIT (transactional steps) or sampled from a second session (the others).
import { expect } from 'vitest';
import type pg from 'pg';
import { client, query } from './db.js';
import { safeFormOf, stepsOf, type SafeForm, type RewriteStep } from '../../src/analysis/rewrite/index.js';
import { runStep, sampleLocks, backendPid, type TracedLock } from '../../src/engine/rewriteSteps.js';
import { checksum } from '../../src/runbook/checksum.js';

export async function formFor(url: string, sql: string, batchRows?: number): Promise<SafeForm> {
  const c = await client(url);
  try {
    const v = Number((await c.query('SHOW server_version_num')).rows[0].server_version_num);
    return await safeFormOf(c, { name: 'm', sql, checksum: checksum(sql) }, { serverVersionNum: v, batchRows });
  } finally {
    await c.end();
  }
}

export interface Traced {
  step: RewriteStep;
  locks: TracedLock[];
}

/** Runs the steps, tracing each; `during` runs while a step outside a transaction is under way. */
export async function applyTraced(
  url: string,
  form: SafeForm,
  opts: { during?: (pid: number, step: RewriteStep) => Promise<void> } = {},
): Promise<Traced[]> {
  const db = await client(url);
  const watcher = await client(url);
  const out: Traced[] = [];
  try {
    const pid = await backendPid(db);
    for (const step of stepsOf(form)) {
      const t: Traced = { step, locks: [] };
      const running = runStep(db, step.action, {
        lockTimeoutMs: step.lock === 'ACCESS EXCLUSIVE' || step.lock === 'SHARE ROW EXCLUSIVE' ? 200 : 0,
        trace: (l) => t.locks.push(...l),
      });
      const transactional = step.action.type !== 'index' && !(step.action.type === 'sql' && !step.action.transactional);
      if (!transactional) {
        const sampled = sampleLocks(
          watcher,
          pid,
          running.catch(() => undefined),
        );
        if (opts.during) await opts.during(pid, step);
        t.locks.push(...(await sampled));
      }
      await running;
      out.push(t);
    }
  } finally {
    await db.end();
    await watcher.end();
  }
  return out;
}

const ORDER = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
];
/** 'ShareUpdateExclusiveLock' -> 'SHARE UPDATE EXCLUSIVE' */
export const modeName = (m: string) =>
  m
    .replace(/Lock$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
const rank = (m: string) => ORDER.indexOf(m);
const bare = (r: string | null) => (r ?? '').split('.').pop()!.replace(/"/g, '');

/** Every traced lock is on a table the step names, never stronger than the mode it claims there. */
export function expectLocksWithinClaims(traced: Traced[]): void {
  for (const { step, locks } of traced) {
    for (const l of locks) {
      const claimed =
        bare(step.relation) === l.relation ? step.lock : step.others.find((o) => bare(o.relation) === l.relation)?.lock;
      const mode = modeName(l.mode);
      expect(claimed, `${step.title}: ${mode} on ${l.relation}, which it does not claim`).toBeTruthy();
      expect(rank(mode), `${step.title}: took ${mode} on ${l.relation}, claims ${claimed}`).toBeLessThanOrEqual(
        rank(claimed!),
      );
    }
  }
}

/** The long steps of a safe form never claim a lock that stops the application's reads or writes. */
export function expectLongStepsHoldNothing(form: SafeForm): void {
  for (const s of stepsOf(form))
    if (s.scans || s.rewrites) {
      expect(['SHARE UPDATE EXCLUSIVE', 'ROW EXCLUSIVE'], s.title).toContain(s.lock);
      for (const o of s.others) expect(rank(o.lock), s.title).toBeLessThanOrEqual(rank('ROW SHARE'));
    }
}

/** The schema of the application's tables: columns, constraints (and whether valid), indexes (and whether valid). */
export async function schemaOf(url: string): Promise<unknown> {
  return {
    columns: await query(
      url,
      `SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull,
              pg_get_expr(d.adbin, d.adrelid) AS dflt
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
       ORDER BY 1, 2`,
    ),
    constraints: await query(
      url,
      `SELECT conrelid::regclass::text AS rel, conname, contype, pg_get_constraintdef(oid) AS def, convalidated
       FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2`,
    ),
    indexes: await query(
      url,
      `SELECT indexrelid::regclass::text AS name, indisvalid, indisunique, indisprimary, pg_get_indexdef(indexrelid) AS def
       FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1`,
    ),
  };
}

export const rowsOf = async (c: pg.Client, sql: string) => (await c.query(sql)).rows;

// The four ordinary changes of issue 28, as Prisma writes them.
export const FOUR = `-- AlterTable
ALTER TABLE "User" ALTER COLUMN "email" SET NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE INDEX "Post_userId_idx" ON "Post"("userId");

-- AddForeignKey
ALTER TABLE "Post" ADD CONSTRAINT "Post_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
`;

/** Two tables of 3,000 rows that the rewrite tests' migrations change: "User" and its "Post"s. */
export const USERS_AND_POSTS = `
CREATE TABLE "User" (id serial PRIMARY KEY, email text);
INSERT INTO "User" (email) SELECT 'u' || g || '@x' FROM generate_series(1, 3000) g;
CREATE TABLE "Post" (id serial PRIMARY KEY, "userId" int, title text);
INSERT INTO "Post" ("userId", title) SELECT 1 + g % 3000, 't' FROM generate_series(1, 3000) g;
ANALYZE;`;
