// `plan` and `plan --apply-fixes`. The plan is a dry run (it reads the catalog and the rows the
// migrations would trip on, and writes nothing); applying its fixes changes migration files, after
// the diff is shown and confirmed, journalled here once for both front ends.
import { withDb } from '../postgres/connect.js';
import { readTargetFacts } from '../analysis/catalog.js';
import { buildPlan, type PlanResult } from '../analysis/plan.js';
import { preflightPending } from '../analysis/preflight.js';
import { renderPreflight } from '../analysis/preflight-words.js';
import {
  applyFixSet,
  collectFixes,
  isEmptyFixSet,
  renderFixDiff,
  type AppliedFixes,
  type FixSet,
} from '../analysis/apply.js';
import { DROP_REASONS } from '../analysis/lint.js';
import { formatRows, type Finding } from '../analysis/findings.js';
import { findMigration, type MigrationsFolder } from '../runbook/folder.js';
import { confirmationFor, type Prepared } from './confirm.js';
import { fixDestination, prepareFixes } from './fixes.js';
import { stopReading } from './stopDeadline.js';
import type { Workspace } from './workspace.js';
import { safeFormOfferOn, type SafeFormOffer } from './rewrite.js';

/** The words a plan is printed in, the same on both front ends. */
export { DROP_REASONS, formatRows, renderPreflight, type Finding, type PlanResult };

export interface PlanInput {
  /** The last migration to plan (--to): a name or a unique prefix. */
  to?: string;
  /** Every lint finding, the ones left out as noise too. */
  all?: boolean;
  /** Also whether a safe form of the pending migrations exists (plan's closing line). */
  safeForm?: boolean;
}

export interface PlanRequest {
  folder: MigrationsFolder;
  to?: string;
  all: boolean;
  safeForm?: boolean;
}

/** The plan, and where asked, the safe form its hazards have (null: none, or it could not be read). */
export type PlanOutcome = PlanResult & { safeForm: SafeFormOffer | null };

/** A dry run: nothing to confirm. --to is resolved against the folder here, before any connection. */
export async function preparePlan(ws: Workspace, input: PlanInput): Promise<Prepared<PlanRequest>> {
  const folder = await ws.folder();
  const to = input.to ? findMigration(folder, input.to).name : undefined;
  return {
    plan: { folder, all: Boolean(input.all), ...(to ? { to } : {}), ...(input.safeForm ? { safeForm: true } : {}) },
    question: null,
  };
}

/** What the pending migrations will do on this target: locks, rewrites with sizes, lint, the data preflight. */
export async function executePlan(ws: Workspace, request: PlanRequest): Promise<PlanOutcome> {
  const { folder, to } = request;
  const reading = withDb(
    ws.target(),
    async (db) => {
      const facts = await readTargetFacts(db);
      const plan = await buildPlan(folder, facts, {
        all: request.all,
        preflight: await preflightPending(db, folder, facts, { to }),
        to,
      });
      // Where the hazards' safe form is: a hint, so a failure to read it says nothing.
      const names = plan.migrations.map((m) => m.name);
      const safeForm =
        request.safeForm && names.length ? await safeFormOfferOn(db, folder, names).catch(() => null) : null;
      return { ...plan, safeForm };
    },
    { applicationName: 'citadel-migrate plan' },
  );
  return stopReading(ws.signal, reading, 'plan');
}

export interface FixesPlan {
  /** The plan the fixes come from (its errors decide the exit code when nothing is fixed). */
  result: PlanResult;
  fixes: FixSet;
  /** Nothing to fix: no question, nothing to execute. */
  empty: boolean;
  /** Where they go: the folder itself, or a copy of the bundled runbook made first. */
  dest?: { dir: string; copy: boolean };
  /** The diff, shown before the question. */
  diff: string;
}

export interface AppliedFixesOutcome {
  /** The folder changed: the project's, or the copy of the bundled runbook. */
  migrations: string;
  copyOfBundled: boolean;
  /** What changed, and where the previous files are kept. */
  applied: AppliedFixes;
}

/**
 * The plan's fixes as a diff; refused ones (a migration already in the history) are said through
 * `notice` as they are found. The question is a plain y: files change, a copy of each is kept.
 */
export async function prepareApplyFixes(
  ws: Workspace,
  input: PlanInput,
  io: { notice?: (sentence: string) => void } = {},
): Promise<Prepared<FixesPlan>> {
  const request = (await preparePlan(ws, input)).plan;
  const result = await executePlan(ws, request);
  const fixes = await collectFixes(request.folder, result, ws.runbookFile());
  for (const why of fixes.refused) io.notice?.(`not changed: ${why}`);
  if (isEmptyFixSet(fixes)) return { plan: { result, fixes, empty: true, diff: '' }, question: null };
  const dest = fixDestination(ws);
  const where = dest.copy
    ? `a copy of the bundled runbook in ${dest.dir} (the package's own files are never changed)`
    : fixes.dir;
  return {
    plan: { result, fixes, empty: false, dest, diff: renderFixDiff(fixes) },
    question: {
      title: `Apply these fixes to ${where}?`,
      lines: ['A copy of every changed file is kept.'],
      verb: 'apply them',
      ...confirmationFor(ws.mode, false, ws.target().database),
    },
  };
}

/** Makes the copy of the bundled runbook when one is needed, then rewrites and renames; journalled. */
export async function executeApplyFixes(ws: Workspace, plan: FixesPlan): Promise<AppliedFixesOutcome> {
  const fixes = prepareFixes(ws, plan.fixes);
  const end = (await ws.journal()).begin('plan.apply-fixes', {
    migrations: fixes.dir,
    rewrites: fixes.changes.map((c) => ({ migration: c.migration, lines: c.edits.map((e) => e.line) })),
    renames: fixes.renames,
    manifest: fixes.manifest?.file ?? null,
  });
  try {
    const applied = await applyFixSet(fixes);
    end({ ok: true, backup: applied.backup });
    return { migrations: fixes.dir, copyOfBundled: Boolean(plan.dest?.copy), applied };
  } catch (err) {
    end({ ok: false, error: (err as Error).message });
    throw err;
  }
}
