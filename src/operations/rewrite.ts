// plan --rewrite and run --rewrite: the safe form of the pending migrations (analysis/rewrite),
// shown or executed. One implementation of the forms, so what plan shows is what run executes.
import { withDb, type Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { readHistory } from '../runbook/history.js';
import { migrationStates, type MigrationStatus } from '../runbook/status.js';
import { parseRewriteProgress, type RewriteProgress } from '../runbook/rewriteProgress.js';
import type { LocalMigration, MigrationsFolder } from '../runbook/folder.js';
import { UserError } from '../errors.js';
import { readTableFacts, safeFormOf, stepsOf, type SafeForm, type RewriteStep } from '../analysis/rewrite/index.js';
import { readJournalFile } from '../journal/read.js';
import { rehearsedSteps } from '../journal/rehearsed.js';
import { runRewrite, type RewriteRunResult, type RewriteStepEvent } from '../engine/rewriteRun.js';
import { confirmationFor, type Ask } from './confirm.js';
import { requireProject } from './project.js';
import { openHold, runbookMaxLag, type HoldLimits } from './hold.js';
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
  /** Per step, in order: how long it should take on this target (null: no figure to go on). */
  estimates: (StepEstimate | null)[];
}

export interface StepEstimate {
  ms: number;
  /**
   * rehearsal: what `rehearse --rewrite --with-data` measured for this step of this same form;
   * size-rate: the table's rows at the rate this server read it just now; no-scan: reads no rows.
   */
  source: 'rehearsal' | 'size-rate' | 'no-scan';
  rows?: number;
  rowsPerSecond?: number;
}

/** Passes over the rows a step makes, against one plain read: an index reads twice and sorts; a backfill writes. */
const PASSES = { index: 3, backfill: 10, sql: 1 } as const;
const SAMPLE_ROWS = 20000;

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
      const rehearsed = await rehearsedStepsOf(ws);
      const rates = new Map<string, Promise<{ rows: number; ms: number } | null>>();
      for (const s of toRewrite(states, opts.to)) {
        const local = byName.get(s.name) as LocalMigration;
        const form = await safeFormOf(db, local, { serverVersionNum: version.num, batchRows: opts.batchRows });
        const measured = rehearsed.get(s.name);
        const steps = stepsOf(form);
        const fromRehearsal =
          measured && measured.form === form.fingerprint && measured.stepMs.length === steps.length
            ? measured.stepMs
            : null;
        const estimates: (StepEstimate | null)[] = [];
        for (const [i, step] of steps.entries())
          estimates.push(
            fromRehearsal ? { ms: fromRehearsal[i]!, source: 'rehearsal' } : await sizeRate(db, step, rates),
          );
        migrations.push({
          name: s.name,
          form,
          resume: s.state === 'failed' ? parseRewriteProgress(s.logs) : null,
          estimates,
        });
      }
      return { target: target.display, serverVersion: version.version, serverVersionNum: version.num, migrations };
    },
    { applicationName: 'citadel-migrate plan --rewrite' },
  );
}

/** The safe forms an earlier run stopped part-way, as the target now makes them. */
async function stoppedForms(db: Db, folder: MigrationsFolder, states: MigrationStatus[]): Promise<SafeForm[]> {
  const stopped = states.filter((s) => s.state === 'failed' && parseRewriteProgress(s.logs));
  if (!stopped.length) return [];
  const version = (await db.query<{ num: number }>(sqlFile('server_version'))).rows[0]!;
  const out: SafeForm[] = [];
  for (const s of stopped) {
    const local = folder.migrations.find((m) => m.name === s.name);
    if (!local) continue;
    const form = await safeFormOf(db, local, { serverVersionNum: Number(version.num) }).catch(() => undefined);
    if (form) out.push(form);
  }
  return out;
}

const unquote = (name: string) =>
  (name.match(/"(?:[^"]|"")*"|[^.]+/g) ?? []).map((p) => (p.startsWith('"') ? p.slice(1, -1).replace(/""/g, '"') : p));

/**
 * What the safe forms that stopped part-way left, each with the migration whose next run --rewrite
 * completes it (one look at the stopped forms for both): the indexes they build, named as status
 * names an INVALID index (schema shown outside public), since the next run drops such a leftover and
 * builds it again; and the new columns of type changes stopped before their swap (`table.column`).
 */
export async function interruptedSafeFormLeftovers(
  db: Db,
  folder: MigrationsFolder,
  states: MigrationStatus[],
): Promise<{ indexes: Map<string, string>; columns: Map<string, string> }> {
  const indexes = new Map<string, string>();
  const columns = new Map<string, string>();
  for (const form of await stoppedForms(db, folder, states))
    for (const st of form.statements)
      for (const step of st.steps) {
        const a = step.action;
        if (a.type === 'index')
          indexes.set(a.schema && a.schema !== 'public' ? `${a.schema}.${a.index}` : a.index, form.migration);
        else if (a.type === 'backfill' && st.rule === 'expand-contract') {
          const table = unquote(a.table).filter((p, i, all) => !(all.length === 2 && i === 0 && p === 'public'));
          columns.set(`${table.join('.')}.${unquote(a.column).join('')}`, form.migration);
        }
      }
  return { indexes, columns };
}

/** The latest rehearse --rewrite --with-data's step durations, from this target's journal (none: an empty map). */
async function rehearsedStepsOf(ws: Workspace): Promise<Map<string, { form: string; stepMs: number[] }>> {
  try {
    return rehearsedSteps(readJournalFile((await ws.journal()).file, { statements: 'none' }));
  } catch {
    return new Map();
  }
}

const quoteName = (relation: string) =>
  relation
    .split('.')
    .map((p) => `"${p.replace(/"/g, '""')}"`)
    .join('.');

/** A step's duration from its table's size and the rate this server reads that table at (sampled once per table). */
async function sizeRate(
  db: Db,
  step: RewriteStep,
  rates: Map<string, Promise<{ rows: number; ms: number } | null>>,
): Promise<StepEstimate | null> {
  if (!step.scans && !step.rewrites) return { ms: 0, source: 'no-scan' };
  const table = step.action.type === 'backfill' ? step.action.table : step.relation ? quoteName(step.relation) : null;
  if (!table) return null;
  const facts = await readTableFacts(db, table);
  if (!facts.present || facts.estimatedRows === null) return null;
  let rate = rates.get(table);
  if (!rate) {
    rate = sampleRead(db, table);
    rates.set(table, rate);
  }
  const r = await rate;
  if (!r || r.rows === 0) return { ms: 0, source: 'size-rate', rows: facts.estimatedRows };
  const perMs = r.rows / Math.max(r.ms, 0.01);
  const passes = PASSES[step.action.type];
  return {
    ms: Math.round((facts.estimatedRows / perMs) * passes),
    source: 'size-rate',
    rows: facts.estimatedRows,
    rowsPerSecond: Math.round(perMs * 1000),
  };
}

/** Reads up to SAMPLE_ROWS rows, timed; null when the table's lock is not granted at once (plan never queues). */
async function sampleRead(db: Db, table: string): Promise<{ rows: number; ms: number } | null> {
  await db.query('BEGIN READ ONLY');
  try {
    await db.query("SET LOCAL lock_timeout = '100ms'");
    const t0 = performance.now();
    const n = (await db.query<{ n: number }>(sqlFile('rewrite_read_sample'), [table])).rows[0]?.n ?? 0;
    return { rows: Math.min(Number(n), SAMPLE_ROWS), ms: performance.now() - t0 };
  } catch {
    return null;
  } finally {
    await db.query('ROLLBACK').catch(() => undefined);
  }
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
  const hold = await openHold(ws.target(), input.limits, await runbookMaxLag(ws));
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

/** Rules that keep the statement as written: a safe form made only of these changes nothing the application feels. */
const KEEPS_WRITTEN = new Set(['as-written', 'widening']);

export interface SafeFormOffer {
  /** The migrations whose safe form differs from the file, and that form's steps in all. */
  migrations: string[];
  steps: number;
  /** The one line a front end shows before offering it. */
  line: string;
}

/**
 * Whether the safe form of these pending migrations (as run --rewrite would run them) differs from
 * the files as written: null when every statement stays as written, so there is nothing to offer.
 * Reads only the catalog (no sampling of the tables, unlike planRewrite's estimates).
 */
export async function safeFormOffer(ws: Workspace, names: string[]): Promise<SafeFormOffer | null> {
  const folder = await ws.folder();
  if (!names.some((n) => folder.migrations.some((m) => m.name === n))) return null;
  return withDb(ws.target(), (db) => safeFormOfferOn(db, folder, names), {
    applicationName: 'citadel-migrate plan --rewrite',
  });
}

/** safeFormOffer on a connection the caller has open already (plan's). */
export async function safeFormOfferOn(
  db: Db,
  folder: MigrationsFolder,
  names: string[],
): Promise<SafeFormOffer | null> {
  const chosen = names.map((n) => folder.migrations.find((m) => m.name === n)).filter((m) => m !== undefined);
  if (!chosen.length) return null;
  const version = (await db.query<{ num: number }>(sqlFile('server_version'))).rows[0]!;
  const rewritten: string[] = [];
  let steps = 0;
  // A statement with no safer form (a type change that rewrites the table) still stops the application.
  let stillStops = 0;
  for (const local of chosen) {
    const form = await safeFormOf(db, local, { serverVersionNum: Number(version.num) });
    steps += stepsOf(form).length;
    if (form.statements.some((s) => !KEEPS_WRITTEN.has(s.rule))) rewritten.push(local.name);
    stillStops += form.statements.filter(
      (s) =>
        (s.rule === 'as-written' || s.rule === 'type-rewrite') &&
        (s.written.scans || s.written.rewrites) &&
        STOPS_APPLICATION.has(s.written.lock ?? ''),
    ).length;
  }
  if (!rewritten.length) return null;
  const line = stillStops
    ? `Safe form: ${steps} steps; ${stillStops} statement(s) have no safer form and still stop the application (plan --rewrite says why)`
    : `Safe form: ${steps} steps, the application waits on nothing longer than a lock timeout (${LOCK_TIMEOUT_MS} ms a try)`;
  return { migrations: rewritten, steps, line };
}
