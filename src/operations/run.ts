import { EventStream } from '../engine/events.js';
import { runMigrations, type RunOptions, type RunResult } from '../engine/run.js';
import { runnable, type MigrationStatus } from '../runbook/status.js';
import { diagnoseFailure } from '../analysis/hint.js';
import { statusOperation } from './status.js';
import { attachRecorders } from './attach.js';
import { confirmationFor, type Ask, type Question } from './confirm.js';
import { MODE_WORDS, planErrorsQuestion } from './runBriefing.js';
import { readRunBriefing } from './runBriefingRead.js';
import type { Workspace } from './workspace.js';

export type RunInput = Omit<RunOptions, 'target' | 'folder' | 'events' | 'mode' | 'diagnose' | 'directUrlVariable'>;

export type RunOutcome = RunResult | { mode: 'live' | 'rehearsal'; outcome: 'declined'; migrations: []; durationMs: 0 };

/** The migrations a run would apply, in order. */
export function toApply(states: MigrationStatus[], input: Pick<RunInput, 'to' | 'only'>): MigrationStatus[] {
  const todo = runnable(states).filter((s) => !input.to || s.name <= input.to);
  return input.only ? todo.slice(0, input.only) : todo;
}

/** The run's question; `briefing`: the lines the console's run dialog shows too (runBriefing.ts). */
export function runQuestion(ws: Workspace, pending: { name: string }[], briefing?: string[]): Question {
  const target = ws.target();
  return {
    title: pending.length === 1 ? `Run ${pending[0]!.name}?` : `Run ${pending.length} pending migrations?`,
    lines: briefing ?? [`Apply to ${target.display} (${MODE_WORDS[ws.mode]}), in this order:`, ...pending.map((m) => `  · ${m.name}`)],
    verb: pending.length === 1 ? 'run it' : 'run them',
    ...confirmationFor(ws.mode, true, target.database),
  };
}

/**
 * Applies the pending migrations, recorded in the journal and told to the team. `ask` null: the
 * caller has confirmed already (--yes, or the console's run dialog), and nothing is read before
 * the engine starts, which keeps a scripted run's start short.
 */
export async function runOperation(ws: Workspace, input: RunInput, io: { ask: Ask | null; events?: EventStream }): Promise<RunOutcome> {
  const folder = await ws.folder();
  const mode = ws.mode === 'rehearsal' ? 'rehearsal' : 'live';
  if (io.ask) {
    const pending = toApply((await statusOperation(ws)).states, input);
    if (!pending.length) return { mode, outcome: 'nothing-to-do', migrations: [], durationMs: 0 };
    const brief = await readRunBriefing(ws, pending, input);
    const answer = await io.ask(runQuestion(ws, pending, [...brief.lines, 'The run stops at the first failure; Ctrl-C stops it cleanly.']));
    // plan's errors take a second, deliberate yes, as in the console's run dialog
    const again = answer.confirmed && brief.errors.length ? await io.ask({ ...planErrorsQuestion(brief.errors), kind: 'y', deliberate: true }) : answer;
    if (!again.confirmed) {
      ws.journal().event('run-declined', { migrations: pending.map((m) => m.name), ...(answer.confirmed ? { planErrors: brief.errors.length } : {}) });
      return { mode, outcome: 'declined', migrations: [], durationMs: 0 };
    }
  }
  const events = io.events ?? new EventStream();
  const detach = attachRecorders(ws, events);
  try {
    return await runMigrations({ ...input, target: ws.target(), folder, events, mode, diagnose: diagnoseFailure, directUrlVariable: ws.project().directUrlVariable });
  } finally {
    detach();
  }
}
