// The console's message line. A line is replaced by the next and expires (a stale "failed" must not
// stay; errors after a minute). The result of the DBA's own action ("Cancelled the query of session
// N", a skip, a roll back) stays until the next key instead: progress said meanwhile (a run's retry
// chatter) waits behind it and shows after that key, so the result is not gone within a second.
import { MESSAGE_TTL_MS, type SayOptions } from './host.js';
import type { ConsoleState, MessageLevel } from './state.js';

type Message = NonNullable<ConsoleState['message']>;

export class MessageLine {
  private timer: NodeJS.Timeout | undefined;
  private afterResult: Message | undefined;

  constructor(
    private readonly current: () => Message | null,
    private readonly set: (message: Message | null) => void,
  ) {}

  say(text: string, level: MessageLevel, opts: SayOptions = {}): void {
    const message: Message = { text, level, ...(opts.result ? { result: true } : {}) };
    if (this.current()?.result && !opts.result) {
      this.afterResult = message;
      return;
    }
    this.show(message);
  }

  /** A key was pressed: a result has been seen and gives way to what waited behind it. */
  keyPressed(): void {
    if (!this.current()?.result) return;
    const next = this.afterResult;
    this.afterResult = undefined;
    if (next) this.show(next);
    else this.set(null);
  }

  close(): void {
    clearTimeout(this.timer);
  }

  private show(message: Message): void {
    this.set(message);
    clearTimeout(this.timer);
    if (message.result) return;
    this.timer = setTimeout(() => {
      if (this.current() === message) this.set(null);
    }, MESSAGE_TTL_MS[message.level]);
    this.timer.unref();
  }
}
