import type { Context } from './context.js';
import type { EventStream } from '../engine/events.js';
import { journalEngineEvents } from '../journal/engineEvents.js';

/** Connects the engine's events to the target's journal for the life of one command. */
export function attachJournal(ctx: Context, events: EventStream): () => void {
  const journal = ctx.journal();
  const off = journalEngineEvents(events, journal);
  return () => {
    off();
    journal.close();
  };
}
