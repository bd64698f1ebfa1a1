import type { ExecutionSettings } from './execute.js';
import { pollWhileRunning, type StatementWatch } from './watch.js';
import { now, type EventStream } from './events.js';

/**
 * What watches over whatever the engine's session runs: the blockers it waits for and the
 * application sessions queued behind it become events; too many of those (--max-victims), or
 * Ctrl-C, cancel it. `where` names the statement running at each sample.
 */
export class Supervision {
  /** The blocking pids of the last sample that saw any (for the retry event and the hint). */
  blockers: number[] = [];
  /** Why this supervision cancelled the running statement, if it did. */
  reason: 'abort' | 'victims' | undefined;
  private readonly stopPolling: () => void;
  private readonly onAbort = () => {
    this.reason = 'abort';
    this.cancel();
  };

  constructor(
    private readonly watch: StatementWatch,
    events: EventStream,
    private readonly settings: ExecutionSettings,
    where: () => { name: string; index: number },
  ) {
    this.stopPolling = pollWhileRunning(watch, (sample, elapsed) => {
      const { name, index } = where();
      if (sample.blocking.length) {
        this.blockers = sample.blocking;
        events.emit({ type: 'lock-wait', at: now(), name, index, waitedMs: elapsed, blockingPids: sample.blocking });
      }
      if (sample.victims.length) {
        const longest = Math.max(...sample.victims.map((v) => v.waitedMs));
        events.emit({ type: 'victims', at: now(), name, index, victims: sample.victims.length, longestWaitMs: longest, pids: sample.victims.map((v) => v.pid) });
        const max = settings.maxVictims;
        if (max !== undefined && sample.victims.length >= max && longest >= settings.maxVictimWaitMs && !this.reason) {
          this.reason = 'victims';
          this.cancel();
        }
      }
    });
    settings.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  cancel(): void {
    void this.watch.cancel().catch(() => undefined);
  }

  /** Stops watching; resolves once no cancel is still on its way, which could hit the next query. */
  async end(): Promise<void> {
    this.stopPolling();
    this.settings.signal?.removeEventListener('abort', this.onAbort);
    await this.watch.settled();
  }
}
