// How fast each standby replays WAL, from the replay positions its replies report
// (pg_stat_replication.replay_lsn and reply_time, sql/replication_standbys.sql). A standby's replay
// lag in seconds trails: it is the age of the WAL it replayed last, known only once it has replayed
// it. The bytes it has not replayed, over the rate it replays them, say how far behind it will be,
// and that is what a run's hold reads when its limit is a duration (operations/hold.ts).

type Row = Record<string, any>;

interface Sample {
  atMs: number;
  replayed: number;
  /** It had received WAL it had not replayed yet when it replied: it was replaying, not waiting. */
  busy: boolean;
}

/** The replies the rate is taken over: recent enough to follow a standby that slows down. */
export const REPLAY_RATE_WINDOW_MS = 10_000;
/** Less replaying time than this measured is no rate yet. */
const MIN_BUSY_MS = 500;

export class ReplayRates {
  private readonly samples = new Map<string, Sample[]>();

  /** Rows of replication_standbys: one sample per standby and new reply. */
  update(rows: Row[]): void {
    for (const r of rows) {
      if (r.replay_lsn_bytes == null || r.flush_lsn_bytes == null || r.reply_at_ms == null) continue;
      const name = r.name || '(unnamed)';
      const s: Sample = {
        atMs: Number(r.reply_at_ms),
        replayed: Number(r.replay_lsn_bytes),
        busy: Number(r.flush_lsn_bytes) > Number(r.replay_lsn_bytes),
      };
      const list = this.samples.get(name) ?? [];
      const last = list.at(-1);
      if (last && (s.atMs <= last.atMs || s.replayed < last.replayed)) {
        // the same reply read again; or a standby that restarted from an older point: start over
        if (s.replayed < last.replayed) list.length = 0;
        else continue;
      }
      list.push(s);
      while (list.length > 2 && s.atMs - list[0]!.atMs > REPLAY_RATE_WINDOW_MS) list.shift();
      this.samples.set(name, list);
    }
  }

  /**
   * Bytes per second the standby replayed while it had WAL waiting (an interval between two replies
   * that both found it behind), over the recent window; null until it has been measured so. A
   * standby that is always caught up has no rate: it replays what it gets as it comes.
   */
  rate(name: string): number | null {
    const list = this.samples.get(name) ?? [];
    let bytes = 0;
    let ms = 0;
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1]!;
      const b = list[i]!;
      if (!a.busy || !b.busy) continue;
      bytes += b.replayed - a.replayed;
      ms += b.atMs - a.atMs;
    }
    return ms >= MIN_BUSY_MS ? (bytes * 1000) / ms : null;
  }
}
