import type { EventStream } from '../engine/events.js';
import type { Journal } from './journal.js';
import { journalEngineEvents } from './engineEvents.js';

/** Connects the engine's events to the target's journal for the life of one action; the returned function also closes the file. */
export function attachJournal(journal: Journal, events: EventStream): () => void {
  // Before the action starts: a journal that cannot be kept fails here, in one sentence.
  journal.ready();
  const off = journalEngineEvents(events, journal);
  return () => {
    off();
    journal.close();
  };
}
