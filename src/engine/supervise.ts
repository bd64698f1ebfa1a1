import type { ExecutionSettings } from './migrationTypes.js';
import { pollWhileRunning, FAST_POLL_MS, type StatementWatch, type WatchSample } from './watch.js';
import { now, type EventStream } from './events.js';
import { StatementMeasure } from './measure.js';

/** Lock-wait and victims events at most this often, unless who blocks or how many wait changes. */
const EVENT_EVERY_MS = 1000;

/**
 * What watches over whatever the engine's session runs: the blockers it waits for and the
 * application sessions queued behind it become events; an application session queued behind it
 * past the victim budget (lockPolicy.ts), or Ctrl-C, cancel it. `where` names the statement
 * running at each sample.
 */
export class Supervision {
  /** The blocking pids of the last sample that saw any (for the retry event and the hint). */
  blockers: number[] = [];
  /** Some sample saw application sessions queued behind the statement. */
  sawVictims = false;
  /** Why this supervision cancelled the running statement, if it did. */
  reason: 'abort' | 'victims' | undefined;
  private readonly stopPolling: () => void;
  private readonly onAbort = () => {
    this.reason = 'abort';
    this.cancel();
  };
  // Samples come every 50 ms while it waits: an event when the picture changes, else once a second.
  private lastWait = { key: '', at: 0 };
  private lastVictims = { key: '', at: 0 };
  private lastBuild = { key: '', at: 0 };
  private readonly measure = new StatementMeasure();

  constructor(
    private readonly watch: StatementWatch,
    private readonly events: EventStream,
    private readonly settings: ExecutionSettings,
    where: () => { name: string; index: number },
  ) {
    this.stopPolling = pollWhileRunning(watch, (sample, elapsed) => {
      const { name, index } = where();
      if (sample.blocking.length) {
        this.blockers = sample.blocking;
        if (this.due(this.lastWait, sample.blocking.join(',')))
          events.emit({ type: 'lock-wait', at: now(), name, index, waitedMs: elapsed, blockingPids: sample.blocking });
      }
      // An index build's phase and percent, or a table rewrite's measure, with an ETA.
      const m = this.measure.next(`${name}#${index}`, sample, elapsed);
      if (m && this.due(this.lastBuild, `${m.phase} ${m.percent}`))
        events.emit({
          type: 'index-progress',
          at: now(),
          name,
          index,
          phase: m.phase,
          percent: m.percent,
          etaMs: m.etaMs,
        });
      if (sample.victims.length) {
        this.sawVictims = true;
        this.onVictims(sample, name, index);
      }
    });
    settings.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  private due(last: { key: string; at: number }, key: string): boolean {
    const t = Date.now();
    if (key === last.key && t - last.at < EVENT_EVERY_MS) return false;
    last.key = key;
    last.at = t;
    return true;
  }

  private onVictims(sample: WatchSample, name: string, index: number): void {
    const lock = this.settings.lock;
    const longest = Math.max(...sample.victims.map((v) => v.waitedMs));
    if (this.due(this.lastVictims, String(sample.victims.length))) {
      this.events.emit({
        type: 'victims',
        at: now(),
        name,
        index,
        victims: sample.victims.length,
        longestWaitMs: longest,
        pids: sample.victims.map((v) => v.pid),
      });
    }
    // Given way one sample early rather than one late: the budget is the most anyone waits.
    const due = longest + FAST_POLL_MS >= lock.victimWaitMs;
    // By default only a lock request gives way: a statement that holds its lock and runs (a table
    // rewrite) would never finish if cancelled each time someone queued behind it.
    const ours = sample.blocking.length > 0 || !lock.victimsOnlyWhileWaiting;
    if (lock.maxVictims > 0 && sample.victims.length >= lock.maxVictims && due && ours && !this.reason) {
      this.reason = 'victims';
      this.cancel();
    }
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
