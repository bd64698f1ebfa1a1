// The engine's events that the team wants to hear about, as notifications: a run starting, a
// migration failing, a run ending, a rollback. Statements and lock waits stay in the journal.
import type { EngineEvent, EventStream } from '../engine/events.js';
import type { EventFields, Notifier } from './notify.js';

/** The notification an engine event makes, if any. */
export function notificationOf(e: EngineEvent): EventFields | undefined {
  switch (e.type) {
    case 'run-start':
      return { event: 'run.started', at: e.at, migration: null, outcome: 'started', mode: e.mode, pending: e.pending };
    case 'migration-end':
      if (e.outcome !== 'failed') return undefined;
      return {
        event: 'migration.failed',
        at: e.at,
        migration: e.name,
        outcome: 'failed',
        durationMs: e.durationMs,
        ...(e.error ? { error: { code: e.error.code, message: e.error.message } } : {}),
      };
    case 'rollback':
      return {
        event: 'rollback',
        at: e.at,
        migration: e.name,
        outcome: e.outcome,
        kind: e.kind,
        ...(e.error ? { error: { code: e.error.code, message: e.error.message } } : {}),
      };
    case 'run-end':
      return {
        event: 'run.finished',
        at: e.at,
        migration: e.failed ?? null,
        outcome: e.outcome,
        durationMs: e.durationMs,
        applied: e.applied,
      };
    default:
      return undefined;
  }
}

/** Subscribes a notifier (possibly still being set up) to the stream; returns the unsubscribe function. */
export function notifyEngineEvents(
  stream: EventStream,
  notifier: Notifier | Promise<Notifier | undefined>,
): () => void {
  const ready = Promise.resolve(notifier);
  return stream.on((e: EngineEvent) => {
    const n = notificationOf(e);
    if (n) void ready.then((x) => x?.send(n));
  });
}
