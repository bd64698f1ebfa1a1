import path from 'node:path';
import { contextManifest } from '../safety/runbook.js';
import { findAction, runAction, type ActionResult } from '../safety/actions.js';
import { commandText, expectText, type RunbookAction } from '../runbook/actions.js';
import type { RunbookManifest } from '../runbook/manifest.js';
import type { Target } from '../postgres/target.js';
import { notifierFor } from '../notify/forWorkspace.js';
import { formatDuration } from '../format.js';
import { confirmationFor, type Question } from './confirm.js';
import { ASKS } from './questions.js';
import type { Workspace } from './workspace.js';
import { stopReading } from './stopDeadline.js';

export type { ActionResult } from '../safety/actions.js';

/** Exactly what `action NAME` (or the console's a) will run, and the question that confirms it. */
export interface ActionPlan {
  name: string;
  action: RunbookAction;
  /** The command as the shell would read it (argv words quoted), as shown, journalled and run. */
  command: string;
  /** What proves it worked, when the runbook gives a check ("worker sessions expected 0"). */
  checkText?: string;
  question: Question;
  /** The server the command's libpq variables name; undefined when no URL resolves and no check needs one. */
  connection?: Target;
  /** Where a relative cwd starts: the runbook's folder. */
  baseDir?: string;
}

/**
 * Finds the runbook's action NAME and says what running it does. `manifest`: the one the front end
 * read already (the console's), else the workspace's runbook is read.
 */
export async function prepareAction(
  ws: Workspace,
  input: { name: string },
  known: { manifest?: RunbookManifest } = {},
): Promise<ActionPlan> {
  const manifest = known.manifest ?? (await contextManifest(ws));
  const runbookFile = ws.runbookFile();
  const action = findAction(manifest?.actions ?? [], input.name, runbookFile);
  const command = commandText(action);
  // The target is parsed even when the action has no check: its password is then masked in the output.
  let connection: Target | undefined;
  try {
    connection = ws.target();
  } catch (err) {
    if (action.check) throw err;
  }
  const { name } = action;
  const checkText = action.check ? `${action.check.label} expected ${expectText(action.check.expect)}` : undefined;
  const question: Question = {
    title: `Run the action ${name}?`,
    lines: [
      `${action.title}: runs on this machine: ${command}`,
      action.check
        ? `Then checks ${action.check.label} (application_name ${action.check.application.join(', ')}) in pg_stat_activity.`
        : 'Its exit code and output are journalled.',
      `Stopped with its whole process group after ${formatDuration(action.timeoutMs)}.`,
    ],
    verb: `Run ${name}`,
    ...confirmationFor(ws.mode, ASKS.action.irreversible, connection?.database ?? '', ASKS.action.deliberate),
  };
  return {
    name,
    action,
    command,
    ...(checkText ? { checkText } : {}),
    question,
    connection,
    baseDir: runbookFile ? path.dirname(runbookFile) : undefined,
  };
}

/**
 * Runs exactly the prepared command, with its check, journalled (begin before, end after) and told to
 * the team. `onOutput`: each chunk of its output as it comes, secrets masked.
 */
export async function executeAction(
  ws: Workspace,
  plan: ActionPlan,
  io: { onOutput?: (text: string) => void } = {},
): Promise<ActionResult> {
  // The journal is found by asking the server who it is: a server that does not answer stops nothing.
  const notRun = `Stopped before the action ${plan.name} started; nothing was run.`;
  const journal = await stopReading(ws.signal, ws.journal(), 'action', notRun);
  const r = await runAction({
    action: plan.action,
    target: plan.action.check ? plan.connection : undefined,
    connection: plan.connection,
    journal,
    signal: ws.signal,
    baseDir: plan.baseDir,
    onOutput: io.onOutput,
  });
  const notifier = await notifierFor(ws);
  notifier.send({
    event: 'action.finished',
    migration: null,
    outcome: r.outcome,
    durationMs: r.durationMs,
    action: plan.name,
    ...(r.error ? { error: { code: r.outcome, message: r.error } } : {}),
  });
  await notifier.settle();
  return r;
}
