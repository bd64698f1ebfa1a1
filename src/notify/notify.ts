// Notifications to the team's channel (the guide's "Set up communication channel (Slack/Teams)"): a
// JSON POST per event, or a chat message for Slack and Teams incoming webhooks. Delivery happens in
// the background with a few retries and a short timeout; it never waits a run and never fails one.
// A delivery that gives up is written to the journal, so the DBA can see that the team was not told.
import { createHash } from 'node:crypto';
import type { Journal } from '../journal/journal.js';
import { redact, redactDeep } from '../postgres/secrets.js';

export const NOTIFY_EVENTS = [
  'run.started',
  'migration.failed',
  'run.finished',
  'rollback',
  'kill',
  'backup.finished',
  'action.finished',
  'fleet.started',
  'fleet.finished',
  'fleet.stopped',
] as const;
export type NotifyEventName = (typeof NOTIFY_EVENTS)[number];

export interface NotifyEvent {
  event: NotifyEventName;
  /** The target database, without its password. */
  target: string;
  who: string;
  host: string;
  at: string;
  migration: string | null;
  outcome: string;
  durationMs?: number;
  error?: { code: string; message: string };
  [more: string]: unknown;
}

export type EventFields = Omit<NotifyEvent, 'target' | 'who' | 'host' | 'at'> & { at?: string };

export interface NotifierOptions {
  /** Attempts per URL (first try included). */
  attempts?: number;
  /** Per attempt. */
  timeoutMs?: number;
  /** Waits before the 2nd, 3rd… attempt: backoffMs, 2×, 4×. */
  backoffMs?: number;
  /** Told once, at the first delivery given up (the front end's screen): the team was not told. */
  onUndelivered?: (sentence: string) => void;
}

export const NOTIFY_JOURNAL = { failed: 'notify.failed', sent: 'notify.sent' } as const;

/** Slack and Microsoft Teams incoming webhooks take a chat message ({text}), not our JSON. */
export function isChatWebhook(url: string): boolean {
  try {
    const h = new URL(url).hostname.toLowerCase();
    return h === 'hooks.slack.com' || h.endsWith('.webhook.office.com') || h === 'outlook.office.com';
  } catch {
    return false;
  }
}

/**
 * A webhook URL carries its secret in its path, its query (?token=) or its user-info: the journal,
 * errors and screens show only scheme and host, and a hash of the rest that tells two URLs apart.
 */
export function urlForDisplay(url: string): string {
  try {
    const u = new URL(url);
    const rest = `${u.pathname === '/' ? '' : u.pathname}${u.search}`;
    const hash = createHash('sha256').update(rest).digest('hex').slice(0, 8);
    return rest ? `${u.protocol}//${u.host}/… (path ${hash})` : `${u.protocol}//${u.host}`;
  } catch {
    return 'an invalid URL';
  }
}

/**
 * The request for a URL: user-info becomes an Authorization header (fetch refuses a URL with
 * credentials, so such a URL never delivered), and the URL is sent without it.
 */
export function requestFor(url: string): { url: string; headers: Record<string, string> } {
  const u = new URL(url);
  if (!u.username && !u.password) return { url, headers: {} };
  const basic = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
  u.username = '';
  u.password = '';
  return { url: u.toString(), headers: { authorization: `Basic ${basic}` } };
}

/** An error's text without any URL in it (fetch names the URL it refused, secrets and all). */
const withoutUrls = (text: string, shown: string) => text.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, shown);

const ICON: Record<string, string> = {
  ok: '✅',
  started: 'ℹ️',
  stopped: '❌',
  applied: '✅',
  done: '✅',
  failed: '❌',
  interrupted: '⚠️',
  timeout: '❌',
};

/** The one-line chat message: what happened, where, by whom, how it ended. */
export function chatText(e: NotifyEvent): string {
  const icon = ICON[e.outcome] ?? 'ℹ️';
  const parts = [
    `${icon} citadel-migrate ${e.event}${e.migration ? ` ${e.migration}` : ''} on ${e.target}: ${e.outcome}`,
  ];
  if (e.durationMs !== undefined) parts.push(`in ${(e.durationMs / 1000).toFixed(1)} s`);
  parts.push(`(${e.who}@${e.host})`);
  let text = parts.join(' ');
  if (e.error) text += `\n${e.error.code}: ${e.error.message}`;
  // a fleet's event: its counts, and the targets that failed or were refused
  if (e.counts && typeof e.counts === 'object')
    text += `\n${Object.entries(e.counts as Record<string, number>)
      .map(([state, n]) => `${n} ${state}`)
      .join(', ')}`;
  if (Array.isArray(e.failures) && e.failures.length)
    text += `\n${(e.failures as { name: string; state: string }[]).map((f) => `${f.name} ${f.state}`).join(', ')}`;
  return text;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Notifier {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly attempts: number;
  private readonly timeoutMs: number;
  private readonly backoffMs: number;
  private readonly onUndelivered?: (sentence: string) => void;

  constructor(
    readonly urls: string[],
    private readonly base: { target: string; who: string; host: string },
    private readonly journal?: Journal,
    opts: NotifierOptions = {},
  ) {
    this.attempts = Math.max(1, opts.attempts ?? 3);
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.backoffMs = opts.backoffMs ?? 500;
    this.onUndelivered = opts.onUndelivered;
  }

  get enabled(): boolean {
    return this.urls.length > 0;
  }

  /** Starts delivery and returns at once; nothing it does can throw into the caller. */
  send(fields: EventFields): void {
    if (!this.enabled) return;
    const event = redactDeep({
      ...fields,
      target: this.base.target,
      who: this.base.who,
      host: this.base.host,
      at: fields.at ?? new Date().toISOString(),
    }) as NotifyEvent;
    for (const url of this.urls) {
      const p = this.deliver(url, event).catch(() => undefined);
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    }
  }

  /** Waits for the deliveries under way, at most maxMs (a command's last step, so the process does not cut them). */
  async settle(maxMs = 15_000): Promise<void> {
    if (!this.inFlight.size) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => (timer = setTimeout(r, maxMs)))]);
    clearTimeout(timer);
  }

  private async deliver(url: string, event: NotifyEvent): Promise<void> {
    const body = JSON.stringify(isChatWebhook(url) ? { text: chatText(event) } : event);
    const shown = urlForDisplay(url);
    let lastError = '';
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        const request = requestFor(url);
        const res = await fetch(request.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'citadel-migrate', ...request.headers },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        // The body is read so the connection is released; its content does not matter.
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return;
        lastError = `HTTP ${res.status} ${res.statusText}`.trim();
        // A client error other than throttling will not get better by asking again.
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) break;
      } catch (err) {
        const e = err as Error & { cause?: { code?: string } };
        lastError =
          e.name === 'TimeoutError'
            ? `no answer within ${this.timeoutMs} ms`
            : redact(withoutUrls(e.cause?.code ?? e.message, shown));
      }
      if (attempt < this.attempts) await sleep(this.backoffMs * 2 ** (attempt - 1));
    }
    try {
      this.journal?.event(NOTIFY_JOURNAL.failed, {
        url: shown,
        event: event.event,
        migration: event.migration,
        attempts: this.attempts,
        error: lastError,
      });
    } catch {
      // a journal that cannot be written is reported by the command itself, not by a notification
    }
    if (this.onUndelivered && !this.toldUndelivered) {
      this.toldUndelivered = true;
      this.onUndelivered(
        `The team's channel ${shown} could not be told of ${event.event} (${lastError}); nothing more will be said about it here, and the journal records every notification that was not delivered.`,
      );
    }
  }

  private toldUndelivered = false;
}

/** URLs from --notify, CITADEL_NOTIFY_URL (comma or space separated) and the runbook's notify:, each once. */
export function notifyUrls(
  fromOptions: string[] | undefined,
  fromEnv: string | undefined,
  fromRunbook: string[] | undefined,
): string[] {
  const env = (fromEnv ?? '').split(/[\s,]+/).filter(Boolean);
  return [...new Set([...(fromOptions ?? []), ...env, ...(fromRunbook ?? [])])];
}
