import type { Context } from './context.js';
import { Notifier, notifyUrls } from '../notify/notify.js';
import { contextManifest } from '../safety/runbook.js';

/** The notifier of this command: --notify, CITADEL_NOTIFY_URL and the runbook's notify: list. */
export async function notifierFor(ctx: Context): Promise<Notifier> {
  const fromRunbook = await contextManifest(ctx).then((m) => m?.notify, () => undefined);
  const urls = notifyUrls(ctx.opts.notify, process.env.CITADEL_NOTIFY_URL, fromRunbook);
  if (!urls.length) return new Notifier([], { target: '', who: '', host: '' });
  const journal = ctx.journal();
  return new Notifier(urls, { target: ctx.target().redacted, who: journal.who, host: journal.host }, journal);
}
