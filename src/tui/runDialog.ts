// The run dialog: before anything runs, what each migration will do to the database, in the lines
// the CLI's question shows too (operations/runBriefing.ts), plus the maintenance window's state.
// A migration with an error finding needs a second, explicit confirmation.
import type { ConsoleHost } from './host.js';
import { confirmOf, type DialogSpec } from './dialog.js';
import type { PlanResult } from '../operations/types.js';
import { oneLine } from './format.js';
import { runQuestion } from '../operations/run.js';
import { MAX_DETAILED, planErrorsQuestion, runBriefing } from '../operations/runBriefing.js';
import type { Blocker } from './risks.js';
import { statesKey } from './planCache.js';
import { nextToRun } from '../operations/next.js';
import { safeFormOffer, type SafeFormOffer } from '../operations/rewrite.js';

export async function runDialog(c: ConsoleHost, only: number | undefined): Promise<DialogSpec | null> {
  const chosen = nextToRun(c.getState().migrations.items, only);
  if (!chosen.length) {
    c.say('nothing to apply: every migration is applied', 'info');
    return null;
  }
  c.setBusy('reading the plan: locks, table sizes, findings, blockers…');
  let plan: PlanResult | undefined;
  let planError: string | undefined;
  const blockers = new Map<string, Blocker[]>();
  let offer: SafeFormOffer | null = null;
  try {
    const measured = c.lastSnapshot?.sizes.measuredAt;
    plan = await c.plans.get(statesKey(c.getState().migrations.items), measured ? Date.parse(measured) : undefined);
    for (const m of chosen.slice(0, MAX_DETAILED))
      blockers.set(m.name, await c.risks.blockers(m.name, c.lastSnapshot, c.ownPids));
    // No safe form to offer is no reason to keep the DBA from the run as written.
    offer = await safeFormOffer(
      c.ctx,
      chosen.map((m) => m.name),
    ).catch(() => null);
  } catch (err) {
    planError = (err as Error).message;
  } finally {
    c.setBusy(null);
  }
  const t = c.ctx.target();
  const { lines, errors } = runBriefing({
    display: t.display,
    mode: c.opts.mode,
    chosen,
    plan,
    planError,
    blockers,
    lock: c.opts,
    statementTimeoutMs: c.opts.statementTimeoutMs,
    blockerHint: 'Locks pane, C or K',
  });
  lines.push(
    ...windowWarnings(
      c,
      chosen.map((m) => m.name),
    ),
  );
  lines.push(
    only
      ? 'Only this migration runs; the next ones stay pending.'
      : 'The run stops at the first failure; q stops it cleanly.',
  );
  if (offer) lines.push(`${offer.line}: S runs it instead.`);

  const start = () => c.startRun(chosen.map((m) => m.name));
  const second: DialogSpec | undefined = errors.length
    ? { ...planErrorsQuestion(errors), confirm: { kind: 'y', verb: planErrorsQuestion(errors).verb }, onConfirm: start }
    : undefined;
  // The run's own question (how it is confirmed is the operation's rule), with the console's lines.
  const q = runQuestion(c.ctx, chosen, lines);
  return {
    title: q.title,
    lines: q.lines,
    confirm: confirmOf({ ...q, verb: only ? 'Run it' : 'Run all' }),
    onConfirm: start,
    next: second,
    ...(offer ? { alternative: safeFormDialog(c, chosen, offer) } : {}),
  };
}

/** The safe form's own question: confirmed as the run is (the database name typed on LIVE). */
function safeFormDialog(c: ConsoleHost, chosen: { name: string }[], offer: SafeFormOffer): DialogSpec {
  const q = runQuestion(c.ctx, chosen, [
    `${offer.line}.`,
    `Rewritten: ${offer.migrations.join(', ')} (\`plan --rewrite\` shows each step and its lock).`,
    'Each is recorded in _prisma_migrations as written (same name and checksum), as `run --rewrite` does.',
  ]);
  return {
    title:
      chosen.length === 1
        ? `Run the safe form of ${chosen[0]!.name}?`
        : `Run the safe form of ${chosen.length} migrations?`,
    lines: q.lines,
    confirm: confirmOf({ ...q, verb: 'Run the safe form' }),
    onConfirm: () => c.startRewriteRun(chosen.map((m) => m.name)),
  };
}

/** The maintenance window's state, when the runbook rates a chosen migration Medium or High risk. */
function windowWarnings(c: ConsoleHost, names: string[]): string[] {
  const risky = (c.manifest?.migrations ?? []).filter((m) => names.includes(m.name) && m.risk !== 'Low');
  if (!risky.length) return [];
  const worst = risky.some((m) => m.risk === 'High') ? 'High' : 'Medium';
  const items = c
    .getState()
    .checklist.items.filter(
      (i) =>
        (i.id === 'window.maintenance-mode' || i.id === 'window.background-jobs') &&
        (i.status === 'fail' || i.status === 'warn'),
    );
  return items.map(
    (i) =>
      `! ${i.title} is not done (${oneLine(i.evidence ?? '')}) and the runbook rates this run ${worst} risk${i.action ? `: a on the checklist item runs ${i.action}` : ''}.`,
  );
}
