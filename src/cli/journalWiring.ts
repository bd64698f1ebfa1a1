import type { Context } from './context.js';
import type { EventStream } from '../engine/events.js';

/**
 * Connects the engine's events to the target's journal. The journal's writes are synchronous and
 * fsynced, so a line is on disk before the engine takes its next step.
 */
export function attachJournal(ctx: Context, events: EventStream): () => void {
  const journal = ctx.journal();
  const open = new Map<string, (result: unknown) => void>();
  let endRun: ((result: unknown) => void) | undefined;
  const off = events.on((e) => {
    switch (e.type) {
      case 'run-start':
        endRun = journal.begin('run', { mode: e.mode, pending: e.pending });
        break;
      case 'migration-start':
        open.set(e.name, journal.begin('migration', { name: e.name, statements: e.statements, atomic: e.atomic }));
        break;
      case 'migration-end':
        open.get(e.name)?.({ name: e.name, outcome: e.outcome, durationMs: e.durationMs, error: e.error });
        open.delete(e.name);
        break;
      case 'run-end':
        endRun?.({ outcome: e.outcome, applied: e.applied, failed: e.failed, durationMs: e.durationMs });
        break;
      case 'statement-end':
      case 'statement-start':
        break; // per-statement lines would dominate the journal; the migration's lines carry the outcome
      default:
        journal.event(e.type, e);
    }
  });
  return () => {
    off();
    journal.close();
  };
}
