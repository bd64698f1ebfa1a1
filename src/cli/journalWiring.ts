import type { Context } from './context.js';
import type { EventStream } from '../engine/events.js';
import { journalEngineEvents } from '../journal/engineEvents.js';
import { notifyEngineEvents } from '../notify/engineEvents.js';
import { notifierFor } from './notifyWiring.js';

/** Connects the engine's events to the target's journal (and the team's notifications) for the life of one command. */
export function attachJournal(ctx: Context, events: EventStream): () => void {
  const journal = ctx.journal();
  const off = journalEngineEvents(events, journal);
  // Set up while the run starts; the events that come meanwhile wait for it, none is lost.
  const offNotify = notifyEngineEvents(events, notifierFor(ctx).catch(() => undefined));
  return () => {
    off();
    offNotify();
    journal.close();
  };
}
