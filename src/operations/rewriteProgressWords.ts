// The words of a safe form's progress, one line an event: run --rewrite prints them on stderr and the
// console says them on its message line, so both front ends say the same.
import type { RewriteStepEvent } from '../engine/rewriteRun.js';
import { formatEta } from '../format.js';

/** One line a step (null: nothing to say); the CLI prints them on stderr, so stdout keeps the result. */
export function rewriteProgressLine(e: RewriteStepEvent): string | null {
  switch (e.type) {
    case 'migration-start':
      return e.resumeAt > 1
        ? `▶ ${e.migration}: resuming the safe form at step ${e.resumeAt} of ${e.total}`
        : `▶ ${e.migration}: safe form, ${e.total} steps`;
    case 'step-start':
      return `  ${e.index}/${e.total} ${e.title}`;
    case 'step-end':
      return e.skipped ? `  ${e.index}/${e.total} already done` : null;
    case 'migration-end':
      return e.outcome === 'applied' ? `✓ ${e.migration}` : `✗ ${e.migration}: ${e.error}`;
    case 'backfill-progress': {
      const batch = e.batchSize === undefined ? '' : `, batches of ${e.batchSize} keys`;
      const eta = e.etaMs === null ? '' : `, ETA ${formatEta(e.etaMs)}`;
      return `  … step ${e.index}: ${e.rows} rows, ${Math.floor(e.percent)}% of the keys, ${e.rowsPerSecond} rows/s${batch}${eta}`;
    }
    case 'hold':
      return `holding: ${e.reason}`;
    case 'hold-end':
      // An expired hold is said once, by the migration's failure.
      return e.expired ? null : `held ${(e.heldMs / 1000).toFixed(1)}s; going on with ${e.migration}`;
    default:
      return null;
  }
}
