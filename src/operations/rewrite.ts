// plan --rewrite and run --rewrite: the safe form of the pending migrations (analysis/rewrite),
// shown or executed. One implementation of the forms, so what plan shows is what run executes.
import { withDb, type Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { readHistory } from '../runbook/history.js';
import { migrationStates, type MigrationStatus } from '../runbook/status.js';
import { parseRewriteProgress, type RewriteProgress } from '../runbook/rewriteProgress.js';
import type { LocalMigration, MigrationsFolder } from '../runbook/folder.js';
import { UserError } from '../errors.js';
import { safeFormOf, stepsOf, type SafeForm, type RewriteStep } from '../analysis/rewrite/index.js';
import { runRewrite, type RewriteRunResult, type RewriteStepEvent } from '../engine/rewriteRun.js';
import { confirmationFor, type Ask } from './confirm.js';
import { requireProject } from './project.js';
import { openHold, type HoldLimits } from './hold.js';
import type { Workspace } from './workspace.js';

/** The safe form's steps and their words, for the front ends that print them. */
export { stepSql, stepsOf, type RewriteStep, type StatementRewrite } from '../analysis/rewrite/index.js';
export type { RewriteRunResult, RewriteStepEvent } from '../engine/rewriteRun.js';
export { findMigration } from '../runbook/folder.js';

export interface PlannedRewrite {
  name: string;
  form: SafeForm;
  /** A safe form an earlier run began: where it stopped. */
  resume: RewriteProgress | null;
}

export interface RewritePlan {
  target: string;
  serverVersion: string;
  serverVersionNum: number;
  migrations: PlannedRewrite[];
}

/** Locks a waiting request of which queues the application: those are asked for with a short, retried wait. */
const STOPS_APPLICATION = new Set(['SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE']);
const LOCK_TIMEOUT_MS = 100;

/** The migrations a rewrite run applies: pending ones, and safe forms an earlier run left part-way. */
function toRewrite(states: MigrationStatus[], to?: string): MigrationStatus[] {
  const out: MigrationStatus[] = [];
  for (const s of states) {
    if (to && s.name > to) break;
    if (s.state === 'pending' || s.state === 'rolled-back') out.push(s);
    else if (s.state === 'failed') {
      if (!parseRewriteProgress(s.logs)) {
        throw new UserError(
          `${s.name} failed in an earlier run: resolve it first (\`citadel-migrate rollback ${s.name}\` or \`skip ${s.name}\`), then run again.`,
          'refused',
        );
      }
      out.push(s);
    }
  }
  return out;
}

export async function planRewrite(ws: Workspace, opts: { to?: string; batchRows?: number } = {}): Promise<RewritePlan> {
  const folder = await ws.folder();
  const target = ws.target();
  return withDb(
    target,
    async (db) => {
      const version = (await db.query<{ version: string; num: number }>(sqlFile('server_version'))).rows[0]!;
      const rows = await readHistory(db);
      const states = migrationStates(folder.migrations, rows);
      const byName = new Map(folder.migrations.map((m) => [m.name, m]));
      const migrations: PlannedRewrite[] = [];
      for (const s of toRewrite(states, opts.to)) {
        const local = byName.get(s.name) as LocalMigration;
        const form = await safeFormOf(db, local, { serverVersionNum: version.num, batchRows: opts.batchRows });
        migrations.push({ name: s.name, form, resume: s.state === 'failed' ? parseRewriteProgress(s.logs) : null });
      }
      return { target: target.display, serverVersion: version.version, serverVersionNum: version.num, migrations };
    },
    { applicationName: 'citadel-migrate plan --rewrite' },
  );
}

/**
 * The indexes the safe forms stopped part-way build, named as status names an INVALID index (schema
 * shown outside public), each with its migration: the next run --rewrite drops such a leftover and
 * builds it again, so status says so rather than "remove it by hand".
 */
export async function interruptedSafeFormIndexes(
  db: Db,
  folder: MigrationsFolder,
  states: MigrationStatus[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const stopped = states.filter((s) => s.state === 'failed' && parseRewriteProgress(s.logs));
  if (!stopped.length) return out;
  const version = (await db.query<{ num: number }>(sqlFile('server_version'))).rows[0]!;
  for (const s of stopped) {
    const local = folder.migrations.find((m) => m.name === s.name);
    if (!local) continue;
    const form = await safeFormOf(db, local, { serverVersionNum: Number(version.num) }).catch(() => undefined);
    for (const step of form ? stepsOf(form) : []) {
      const a = step.action;
      if (a.type === 'index') out.set(a.schema && a.schema !== 'public' ? `${a.schema}.${a.index}` : a.index, s.name);
    }
  }
  return out;
}

export type RewriteOutcome = RewriteRunResult | { mode: 'live'; outcome: 'declined'; migrations: []; durationMs: 0 };

/** Runs the safe forms; `ask` null: confirmed already (--yes). */
export async function runRewriteOperation(
  ws: Workspace,
  input: { to?: string; batchRows?: number; signal?: AbortSignal; limits?: HoldLimits },
  io: { ask: Ask | null; onEvent?: (e: RewriteStepEvent) => void },
): Promise<RewriteOutcome> {
  requireProject(ws, 'apply migrations');
  const plan = await planRewrite(ws, input);
  if (!plan.migrations.length) return { mode: 'live', outcome: 'nothing-to-do', migrations: [], durationMs: 0 };
  const journal = await ws.journal();
  journal.ready();
  if (io.ask) {
    const target = ws.target();
    const answer = await io.ask({
      title:
        plan.migrations.length === 1
          ? `Run the safe form of ${plan.migrations[0]!.name}?`
          : `Run the safe form of ${plan.migrations.length} migrations?`,
      lines: [
        `Apply to ${target.display}, step by step (\`plan --rewrite\` shows each step and its lock):`,
        ...plan.migrations.map(
          (m) =>
            `  · ${m.name}: ${stepsOf(m.form).length} steps${m.resume ? `, resuming at step ${m.resume.done + 1}` : ''}`,
        ),
        'Each is recorded in _prisma_migrations as written (same name and checksum).',
      ],
      verb: plan.migrations.length === 1 ? 'run it' : 'run them',
      ...confirmationFor(ws.mode, true, target.database),
    });
    if (!answer.confirmed) {
      journal.event('run-declined', { migrations: plan.migrations.map((m) => m.name), rewrite: true });
      return { mode: 'live', outcome: 'declined', migrations: [], durationMs: 0 };
    }
  }
  const folder = await ws.folder();
  const byName = new Map(folder.migrations.map((m) => [m.name, m]));
  // Each step journalled before it runs and after: what a killed run did is in the journal too.
  const open = new Map<string, (r: unknown) => void>();
  const onEvent = (e: RewriteStepEvent) => {
    if (e.type === 'migration-start')
      open.set(
        e.migration,
        journal.begin('rewrite.migration', { name: e.migration, steps: e.total, resumeAt: e.resumeAt }),
      );
    else if (e.type === 'migration-end')
      open.get(e.migration)?.({ name: e.migration, outcome: e.outcome, error: e.error });
    else if (e.type === 'step-start')
      open.set(
        `${e.migration}#${e.index}`,
        journal.begin('rewrite.step', { migration: e.migration, step: e.index, title: e.title }),
      );
    else if (e.type === 'step-end')
      open.get(`${e.migration}#${e.index}`)?.({ skipped: e.skipped, durationMs: e.durationMs });
    io.onEvent?.(e);
  };
  const hold = openHold(ws.target(), input.limits);
  try {
    return await runRewrite({
      target: ws.target(),
      signal: input.signal,
      hold: hold.policy,
      onEvent,
      statements: new Map(plan.migrations.map((m) => [m.name, m.form.statements.length])),
      migrations: plan.migrations.map((m) => {
        const local = byName.get(m.name) as LocalMigration;
        return {
          name: m.name,
          checksum: local.checksum,
          bytes: local.bytes,
          form: async (db) => {
            const form = await safeFormOf(db, local, {
              serverVersionNum: plan.serverVersionNum,
              batchRows: input.batchRows,
            });
            return {
              fingerprint: form.fingerprint,
              steps: stepsOf(form).map((s: RewriteStep) => ({
                action: s.action,
                title: s.title,
                lockTimeoutMs: s.lock && STOPS_APPLICATION.has(s.lock) ? LOCK_TIMEOUT_MS : 0,
              })),
            };
          },
        };
      }),
    });
  } finally {
    await hold.close().catch(() => undefined);
  }
}
