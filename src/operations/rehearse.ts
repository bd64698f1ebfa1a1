// `rehearse`: the pending migrations applied to a throw-away copy of the target (schema, or schema
// and data), timed, with the locks they took; the target is only read. Journalled here, once.
import { rehearse, type RehearsalResult } from '../analysis/rehearse.js';
import { rehearseRewrite, type RewriteRehearsal } from '../analysis/rehearseRewrite.js';
import { renderPreflight } from '../analysis/preflight-words.js';
import { withDb } from '../postgres/connect.js';
import { readHistory } from '../runbook/history.js';
import { findMigration, type MigrationsFolder } from '../runbook/folder.js';
import { loadManifest } from '../runbook/loadManifest.js';
import { copyInto, createScratch, dumpTarget, type Scratch, type ScratchKind } from '../analysis/scratch.js';
import type { Target } from '../postgres/target.js';
import type { Prepared } from './confirm.js';
import type { Workspace } from './workspace.js';
import { stopReading, withStopDeadline, STOP_DEADLINE_MS } from './stopDeadline.js';
import { UserError } from '../errors.js';

/** The data preflight's lines, printed under a schema-only rehearsal. */
export { renderPreflight, type RehearsalResult, type RewriteRehearsal, type ScratchKind };

export interface RehearseInput {
  to?: string;
  scratch: ScratchKind;
  withData: boolean;
  keepGoing: boolean;
}

export interface RehearsePlan extends RehearseInput {
  folder: MigrationsFolder;
  /** The guide's estimate per migration (runbook.yaml), shown beside the measured time. */
  estimates?: Map<string, { minMinutes: number; maxMinutes: number }>;
}

/**
 * The folder and --to, and the guide's estimates; an unreadable manifest is said through `notice`
 * and the rehearsal goes on without them. The target is only read: nothing to confirm.
 */
export async function prepareRehearse(
  ws: Workspace,
  input: RehearseInput,
  io: { notice?: (sentence: string) => void } = {},
): Promise<Prepared<RehearsePlan>> {
  const folder = await ws.folder();
  const to = input.to ? findMigration(folder, input.to).name : undefined;
  // A missing or malformed URL is said before the manifest is read.
  ws.target();
  const estimates = await guideEstimates(ws, io.notice);
  return {
    plan: { ...input, folder, to, ...(estimates ? { estimates } : {}) },
    question: null,
  };
}

async function guideEstimates(
  ws: Workspace,
  notice?: (sentence: string) => void,
): Promise<Map<string, { minMinutes: number; maxMinutes: number }> | undefined> {
  const file = ws.runbookFile();
  if (!file) return undefined;
  try {
    const manifest = await loadManifest(file);
    return new Map(manifest.migrations.map((m) => [m.name, m.estimate]));
  } catch (err) {
    notice?.(
      `The runbook manifest could not be read (${(err as Error).message}): rehearsing without the guide's estimates.`,
    );
    return undefined;
  }
}

/** Runs the rehearsal; `signal` stops it after the current statement, and the copy is removed either way. */
export async function executeRehearse(
  ws: Workspace,
  plan: RehearsePlan,
  io: { signal?: AbortSignal; onProgress?: (line: string) => void } = {},
): Promise<RehearsalResult> {
  const untouched =
    'Stopped before rehearse had its answer from the server; nothing was changed (rehearse only reads the target).';
  const journal = await stopReading(io.signal, ws.journal(), 'rehearse', untouched);
  const end = journal.begin('rehearse', {
    scratch: plan.scratch,
    withData: plan.withData,
    keepGoing: plan.keepGoing,
  });
  let result: RehearsalResult;
  try {
    const rehearsing = rehearse({
      target: ws.target(),
      folder: plan.folder,
      scratch: plan.scratch,
      withData: plan.withData,
      keepGoing: plan.keepGoing,
      to: plan.to,
      signal: io.signal,
      estimates: plan.estimates,
      onProgress: io.onProgress,
    });
    // The rehearsal stops after its statement is cancelled; a target that stopped answering (its
    // facts, its dump) would hold it for good.
    result = await withStopDeadline(io.signal, rehearsing, async () => {
      const left =
        plan.scratch === 'server'
          ? ', and a scratch copy left on its server is removed by the next backup (or `backup --clean-scratch`)'
          : '';
      throw new UserError(
        `Stopped without an answer from the server within ${STOP_DEADLINE_MS / 1000} s; the target is untouched (a rehearsal only reads it)${left}.`,
        'interrupted',
      );
    });
  } catch (err) {
    end({ ok: false, error: (err as Error).message });
    throw err;
  }
  // statementMs: the run's ETA for a long statement comes from a rehearsal with data (journal/rehearsed.ts)
  end({
    outcome: result.outcome,
    migrations: result.migrations.map((m) => ({
      name: m.name,
      outcome: m.outcome,
      durationMs: m.durationMs,
      statementMs: m.statementTimings.map((t) => t.durationMs),
      ...(m.error ? { error: m.error } : {}),
    })),
  });
  return result;
}

export interface RehearsalCopy {
  /** The copy's URL, for a workspace of its own (the console's REHEARSAL mode). */
  target: Target;
  remove(): Promise<void>;
}

/**
 * The target's schema (and rows, with data) copied into a scratch database with its migration
 * history, for the console to work on under a REHEARSAL badge. The target is only read (pg_dump).
 */
export async function makeRehearsalCopy(
  ws: Workspace,
  input: { scratch: ScratchKind; withData: boolean },
): Promise<RehearsalCopy> {
  const target = ws.target();
  const { version, history } = await withDb(
    target,
    async (db) => ({
      version: Number((await db.query<{ v: string }>('SHOW server_version_num')).rows[0]!.v),
      history: await readHistory(db),
    }),
    { applicationName: 'citadel-migrate rehearse' },
  );
  const scratch: Scratch = await createScratch(target, input.scratch, version);
  try {
    const dump = await dumpTarget(target, { withData: input.withData, serverVersionNum: version });
    await copyInto(scratch, dump, { withData: input.withData, history });
  } catch (err) {
    await scratch.remove().catch(() => undefined);
    throw err;
  }
  return { target: scratch.target, remove: () => scratch.remove() };
}

/**
 * rehearse --rewrite: each pending migration as written and in its safe form on one copy, traced
 * side by side. Journalled with each safe step's duration (plan --rewrite's estimates read them).
 */
export async function executeRehearseRewrite(
  ws: Workspace,
  plan: RehearsePlan,
  io: { onProgress?: (line: string) => void } = {},
): Promise<RewriteRehearsal> {
  const journal = await ws.journal();
  const end = journal.begin('rehearse', { scratch: plan.scratch, withData: plan.withData, rewrite: true });
  let result: RewriteRehearsal;
  try {
    result = await rehearseRewrite({
      target: ws.target(),
      folder: plan.folder,
      scratch: plan.scratch,
      withData: plan.withData,
      to: plan.to,
      onProgress: io.onProgress,
    });
  } catch (err) {
    end({ ok: false, error: (err as Error).message });
    throw err;
  }
  end({
    outcome: result.migrations.some((m) => m.outcome === 'failed') ? 'failed' : 'ok',
    rewrite: true,
    migrations: result.migrations.map((m) => ({
      name: m.name,
      outcome: m.outcome,
      form: m.form,
      asWrittenMs: m.asWrittenMs,
      safeMs: m.safeMs,
      stepMs: m.statements.flatMap((s) => s.safe.map((st) => st.durationMs)),
      ...(m.error ? { error: m.error } : {}),
    })),
  });
  return result;
}
