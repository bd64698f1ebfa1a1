import type { Journal } from '../journal/journal.js';
import type { Target } from '../postgres/target.js';
import { Notifier, notifyUrls } from './notify.js';
import { contextManifest } from '../safety/runbook.js';

/** What a notifier needs to know of the workspace: where the team is told, and about what. */
export interface NotifySource {
  target(): Target;
  journal(): Promise<Journal>;
  runbookFile(): string | undefined;
  /** URLs given on the command line (--notify), if any. */
  notifyUrls(): string[] | undefined;
  /** A sentence for the screen (a notification that could not be delivered), where there is one. */
  notice?: (sentence: string) => void;
}

/** The notifier of this action: --notify, CITADEL_NOTIFY_URL and the runbook's notify: list. */
export async function notifierFor(ws: NotifySource): Promise<Notifier> {
  const fromRunbook = await contextManifest(ws).then(
    (m) => m?.notify,
    () => undefined,
  );
  const urls = notifyUrls(ws.notifyUrls(), process.env.CITADEL_NOTIFY_URL, fromRunbook);
  if (!urls.length) return new Notifier([], { target: '', who: '', host: '' });
  const journal = await ws.journal();
  return new Notifier(urls, { target: ws.target().redacted, who: journal.who, host: journal.host }, journal, {
    onUndelivered: ws.notice,
  });
}
