import type { EventStream } from '../engine/events.js';
import { attachJournal } from '../journal/attach.js';
import { notifyEngineEvents } from '../notify/engineEvents.js';
import { notifierFor } from '../notify/forWorkspace.js';
import type { Workspace } from './workspace.js';
import type { Journal } from '../journal/journal.js';

/**
 * The engine's listeners besides the screen, for the life of one action: the target's journal and
 * the team's notifications. The notifier is set up while the action starts; events that come
 * meanwhile wait for it, so none is lost.
 */
export function attachRecorders(ws: Workspace, events: EventStream, journal: Journal): () => void {
  const offJournal = attachJournal(journal, events);
  const offNotify = notifyEngineEvents(
    events,
    notifierFor(ws).catch(() => undefined),
  );
  return () => {
    offNotify();
    offJournal();
  };
}
