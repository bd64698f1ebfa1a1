import { formatBytes } from '../format.js';
import type { WatchSample } from './watch.js';

// How far a long statement is, from the watcher's samples. An index build has its progress view
// (pg_stat_progress_create_index). A table rewrite has none: its measure is the WAL the server wrote
// since the statement's first sample against the size of the table it holds ACCESS EXCLUSIVE, with
// its indexes (pg_class.relpages: as of the last VACUUM or ANALYZE). Other sessions' writes add to
// the WAL too, so the figure runs ahead on a busy server; it is capped at 99% until the statement ends.
// The ETA is the rate seen so far carried to the end.

export interface Measure {
  phase: string;
  percent: number | null;
  etaMs: number | null;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export class StatementMeasure {
  private key = '';
  private wal0 = 0;
  private t0 = 0;

  /** The measure of statement KEY at this sample (elapsedMs since it began), or nothing to say. */
  next(key: string, sample: WatchSample, elapsedMs: number): Measure | undefined {
    if (key !== this.key) {
      this.key = key;
      this.wal0 = sample.walBytes ?? 0;
      this.t0 = Date.now();
    }
    if (sample.indexBuild) {
      const p = sample.indexBuild.percent;
      return {
        phase: sample.indexBuild.phase,
        percent: p,
        etaMs: p !== null && p > 0 && p < 100 ? Math.round((elapsedMs * (100 - p)) / p) : null,
      };
    }
    if (sample.blocking.length || !sample.rewrite || sample.walBytes === undefined) return undefined;
    const written = sample.walBytes - this.wal0;
    if (written <= 0) return undefined;
    const total = sample.rewrite.bytes;
    const seen = Date.now() - this.t0;
    return {
      phase: `rewriting ${sample.rewrite.relation}: ${formatBytes(written)} of WAL for ~${formatBytes(total)}`,
      percent: total > 0 ? Math.min(99, round1((100 * written) / total)) : null,
      etaMs: total > written && seen > 0 ? Math.round((total - written) / (written / seen)) : null,
    };
  }
}
