// Runs the safe forms of migrations (analysis/rewrite) with Prisma's bookkeeping: Prisma's advisory
// lock for the whole run, the row of the file as written (its name, the checksum of its bytes)
// inserted and committed before the first step as Prisma does for a non-atomic script, each step's
// completion recorded in that row's logs inside the step's own transaction, and the row finished as
// Prisma finishes it. A run killed between steps, or in a backfill, resumes where the row says.
import type { Target } from '../postgres/target.js';
import { connect, type Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { UserError } from '../errors.js';
import { ensureHistoryTable, insertStarted, readHistory } from '../runbook/history.js';
import { checksumMatches } from '../runbook/checksum.js';
import { formatRewriteProgress, parseRewriteProgress, type RewriteProgress } from '../runbook/rewriteProgress.js';
import { advisoryHolder, describeHolder, releaseAdvisoryLock, tryAdvisoryLock } from './advisoryLock.js';
import { runStep, type StepAction } from './rewriteSteps.js';
import { EventStream, type EngineEvent } from './events.js';
import { holdWhileOver, type HoldPolicy } from './hold.js';

type BatchProgress = Extract<EngineEvent, { type: 'batch-progress' }>;

export interface RewriteMigrationInput {
  name: string;
  /** The checksum of migration.sql as it is: what is recorded, so Prisma agrees. */
  checksum: string;
  bytes: Buffer;
  /**
   * The safe form, made on the run's own session just before the migration starts: it depends on
   * the target as the migrations before it left it.
   */
  form: (db: Db) => Promise<RewriteForm>;
}

export interface RewriteForm {
  fingerprint: string;
  steps: { action: StepAction; title: string; lockTimeoutMs: number }[];
}

export type RewriteStepEvent =
  | { type: 'step-start'; migration: string; index: number; total: number; title: string }
  | { type: 'step-end'; migration: string; index: number; total: number; skipped: boolean; durationMs: number }
  | { type: 'batch'; migration: string; index: number; rows: number; after: string }
  /** A batch of an integer-keyed backfill committed: how far, how fast, how long still (engine/batch.ts). */
  | ({ type: 'backfill-progress'; migration: string } & Pick<
      BatchProgress,
      'index' | 'rows' | 'percent' | 'rowsPerSecond' | 'etaMs' | 'batchSize'
    >)
  | { type: 'migration-start'; migration: string; resumeAt: number; total: number }
  | { type: 'migration-end'; migration: string; outcome: 'applied' | 'failed' | 'interrupted'; error?: string }
  /** Held before a step or a batch while a health signal is over its limit (engine/hold.ts), every check. */
  | { type: 'hold'; migration: string; reason: string; heldMs: number }
  | { type: 'hold-end'; migration: string; heldMs: number; expired?: string };

export interface RewriteMigrationResult {
  name: string;
  outcome: 'applied' | 'failed' | 'skipped' | 'not-run';
  durationMs: number;
  statements: number;
  atomic: false;
  steps: number;
  /** The step the run began at (1: from the start; more: resumed after an interruption). */
  resumedAt: number;
  error?: { message: string; step: number; code?: string };
}

export interface RewriteRunResult {
  mode: 'live';
  outcome: 'ok' | 'failed' | 'interrupted' | 'nothing-to-do';
  durationMs: number;
  migrations: RewriteMigrationResult[];
}

export interface RewriteRunInput {
  target: Target;
  migrations: RewriteMigrationInput[];
  /** Statements of each migration as written (for the result's count). */
  statements: Map<string, number>;
  signal?: AbortSignal;
  onEvent?: (e: RewriteStepEvent) => void;
  /** Hold, don't abort (--max-lag …): checked before each step and between a backfill's batches. */
  hold?: HoldPolicy;
}

const setLogs = (db: Db, id: string, p: RewriteProgress) =>
  db.query(sqlFile('rewrite_progress_save'), [id, formatRewriteProgress(p)]);

/**
 * A runner killed with -9 must not leave its step running on the server: PostgreSQL notices a client
 * gone only when it next talks to it, so a concurrent index build would go on, unowned, and the next
 * run would find it "being built by another session". Polling the socket (PostgreSQL 14+) ends it
 * within a second, leaving the INVALID index the next run drops and builds again. Transactional
 * steps need no such care: their COMMIT never comes.
 */
async function endWithClient(db: Db): Promise<void> {
  const v = (await db.query<{ num: number }>(sqlFile('server_version'))).rows[0];
  if (v && Number(v.num) >= 140000) await db.query("SET client_connection_check_interval = '1s'");
}

export async function runRewrite(input: RewriteRunInput): Promise<RewriteRunResult> {
  const t0 = Date.now();
  const db = await connect(input.target, { applicationName: 'citadel-migrate run --rewrite' });
  const results: RewriteMigrationResult[] = [];
  let outcome: RewriteRunResult['outcome'] = input.migrations.length ? 'ok' : 'nothing-to-do';
  try {
    await endWithClient(db);
    if (!(await tryAdvisoryLock(db)))
      throw new UserError(
        `Another migration runner holds Prisma's migration lock: ${describeHolder(await advisoryHolder(db))}; wait for it to finish, then run again.`,
        'refused',
      );
    try {
      await ensureHistoryTable(db);
      for (const m of input.migrations) {
        if (outcome !== 'ok') {
          results.push(notRun(m, input.statements));
          continue;
        }
        const r = await runOne(db, m, input);
        results.push(r);
        if (r.outcome === 'failed') outcome = r.error?.code === 'STOPPED' ? 'interrupted' : 'failed';
      }
    } finally {
      await releaseAdvisoryLock(db).catch(() => undefined);
    }
  } finally {
    await db.end().catch(() => undefined);
  }
  return { mode: 'live', outcome, durationMs: Date.now() - t0, migrations: results };
}

const notRun = (
  m: RewriteMigrationInput,
  statements: Map<string, number>,
  form?: RewriteForm,
): RewriteMigrationResult => ({
  name: m.name,
  outcome: 'not-run',
  durationMs: 0,
  statements: statements.get(m.name) ?? 0,
  atomic: false,
  steps: form?.steps.length ?? 0,
  resumedAt: 1,
});

async function runOne(db: Db, m: RewriteMigrationInput, input: RewriteRunInput): Promise<RewriteMigrationResult> {
  const t0 = Date.now();
  const rows = (await readHistory(db, { knownToExist: true })).filter(
    (r) => r.migration_name === m.name && !r.rolled_back_at,
  );
  const form = await m.form(db);
  const total = form.steps.length;
  const base = { ...notRun(m, input.statements, form) };
  if (rows.some((r) => r.finished_at)) return { ...base, outcome: 'skipped' };
  const open = rows.find((r) => !r.finished_at);
  let id: string;
  let progress: RewriteProgress;
  if (open) {
    const p = parseRewriteProgress(open.logs);
    if (!p)
      throw new UserError(
        `${m.name} failed in an earlier run that was not a safe form: resolve it first (\`citadel-migrate rollback ${m.name}\` or \`skip ${m.name}\`).`,
        'refused',
      );
    if (!checksumMatches(m.bytes, open.checksum) || p.form !== form.fingerprint || p.total !== total)
      throw new UserError(
        `${m.name}'s safe form was begun from another version of the file or of the target (step ${p.done} of ${p.total} done): finish it as that run would have, or roll it back by hand and resolve it with \`citadel-migrate rollback ${m.name}\`.`,
        'refused',
      );
    id = open.id;
    progress = { ...p, error: undefined };
  } else {
    id = await insertStarted(db, m.name, m.checksum);
    progress = { done: 0, total, form: form.fingerprint, after: null };
    await setLogs(db, id, progress);
  }
  const resumedAt = progress.done + 1;
  input.onEvent?.({ type: 'migration-start', migration: m.name, resumeAt: resumedAt, total });
  // The engine's hold speaks in the run's events; the rewrite's front ends read its own.
  const events = new EventStream();
  events.on((e) => {
    if (e.type === 'hold') input.onEvent?.({ type: 'hold', migration: e.name, reason: e.reason, heldMs: e.heldMs });
    else if (e.type === 'batch-progress')
      input.onEvent?.({
        type: 'backfill-progress',
        migration: e.name,
        index: e.index,
        rows: e.rows,
        percent: e.percent,
        rowsPerSecond: e.rowsPerSecond,
        etaMs: e.etaMs,
        ...(e.batchSize === undefined ? {} : { batchSize: e.batchSize }),
      });
    else if (e.type === 'hold-end')
      input.onEvent?.({
        type: 'hold-end',
        migration: e.name,
        heldMs: e.heldMs,
        ...(e.expired ? { expired: e.expired } : {}),
      });
  });
  for (let i = progress.done; i < total; i++) {
    const step = form.steps[i]!;
    if (input.signal?.aborted)
      return stop(db, id, progress, m, base, t0, resumedAt, 'STOPPED', 'stopped by the user', i + 1, input.onEvent);
    const s0 = Date.now();
    const after = progress.after;
    try {
      await holdWhileOver(input.hold, events, m.name, input.signal);
      if (input.signal?.aborted) throw Object.assign(new Error('stopped by the user'), { code: 'STOPPED' });
      input.onEvent?.({ type: 'step-start', migration: m.name, index: i + 1, total, title: step.title });
      const r = await runStep(db, step.action, {
        lockTimeoutMs: step.lockTimeoutMs,
        signal: input.signal,
        hold: input.hold,
        events,
        migration: m.name,
        step: i + 1,
        after,
        record: async (d, key) => {
          await setLogs(
            d,
            id,
            key === undefined ? { ...progress, done: i + 1, after: null } : { ...progress, done: i, after: key },
          );
        },
        onBatch: (rowsDone, key) =>
          input.onEvent?.({ type: 'batch', migration: m.name, index: i + 1, rows: rowsDone, after: key }),
      });
      progress = { ...progress, done: i + 1, after: null };
      if (step.action.type === 'backfill') await setLogs(db, id, progress);
      input.onEvent?.({
        type: 'step-end',
        migration: m.name,
        index: i + 1,
        total,
        skipped: r.skipped,
        durationMs: Date.now() - s0,
      });
    } catch (err) {
      const e = err as { code?: string; message?: string };
      const stopped = input.signal?.aborted;
      const code = stopped ? 'STOPPED' : e.code;
      const message = stopped ? 'stopped by the user' : (e.message ?? String(err));
      // Where a backfill stopped is what its last committed batch recorded.
      const now = parseRewriteProgress(
        (await db.query<{ logs: string }>(sqlFile('history_row_logs'), [id])).rows[0]?.logs,
      );
      return stop(db, id, now ?? progress, m, base, t0, resumedAt, code, message, i + 1, input.onEvent);
    }
  }
  await db.query(sqlFile('rewrite_finish'), [id]);
  input.onEvent?.({ type: 'migration-end', migration: m.name, outcome: 'applied' });
  return { ...base, outcome: 'applied', durationMs: Date.now() - t0, resumedAt };
}

async function stop(
  db: Db,
  id: string,
  progress: RewriteProgress,
  m: RewriteMigrationInput,
  base: RewriteMigrationResult,
  t0: number,
  resumedAt: number,
  code: string | undefined,
  message: string,
  step: number,
  emit: RewriteRunInput['onEvent'],
): Promise<RewriteMigrationResult> {
  await setLogs(db, id, { ...progress, error: `step ${step}: ${message}` }).catch(() => undefined);
  emit?.({
    type: 'migration-end',
    migration: m.name,
    outcome: code === 'STOPPED' ? 'interrupted' : 'failed',
    error: message,
  });
  return {
    ...base,
    outcome: 'failed',
    durationMs: Date.now() - t0,
    resumedAt,
    error: { message, step, ...(code ? { code } : {}) },
  };
}
