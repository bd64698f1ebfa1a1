import type { MigrationError } from './events.js';
import { LOCK_NOT_AVAILABLE, QUERY_CANCELED } from './failure.js';
import { ADVISORY_LOCK_LOST } from './session.js';
import type { StepFailure } from './sendStep.js';
import { formatDuration as duration } from '../format.js';

// A failure that says nothing about the migration's SQL: the same file would apply once the
// blocker is gone. For a migration that ran in one transaction there is then nothing to undo, so
// it is left plainly pending (DESIGN section 4), with the attempt in the journal and in `status`.

export function isTransient(f: StepFailure): boolean {
  const e = f.cause as { code?: string; message?: string; leftoverIndex?: string };
  // Something remains (an INVALID index that could not be dropped): not "nothing to undo".
  if (e?.leftoverIndex) return false;
  if (e?.code === LOCK_NOT_AVAILABLE || e?.code === ADVISORY_LOCK_LOST) return true;
  // A cancel by the user, by victim protection or by a DBA's pg_cancel_backend; a statement_timeout
  // is the migration being too slow, which the same file would be again.
  return e?.code === QUERY_CANCELED && !/statement timeout/i.test(e.message ?? '');
}

/** The error as the DBA reads it: what stopped it, after how long, and that it is pending again. */
export function transientError(error: MigrationError, f: StepFailure): MigrationError {
  const blockers = f.blockers.length ? ` behind pid ${f.blockers.join(', ')}` : '';
  const message =
    error.code === LOCK_NOT_AVAILABLE && f.gaveUp
      ? `lock timeout${blockers}: no lock after ${f.gaveUp.attempts} attempt${f.gaveUp.attempts === 1 ? '' : 's'} over ${duration(Math.round(f.gaveUp.waitedMs / 100) * 100)}`
      : error.code === QUERY_CANCELED && f.gaveUp
        ? `gave way to the application${blockers} ${f.gaveUp.attempts} time${f.gaveUp.attempts === 1 ? '' : 's'} over ${duration(Math.round(f.gaveUp.waitedMs / 100) * 100)} without getting its lock`
        : error.message;
  const pending =
    error.code === ADVISORY_LOCK_LOST
      ? 'rolled back and left pending, but the next run would do the same: take the statement that releases the lock out of the migration (`plan` points at it)'
      : 'rolled back: nothing of it remains, it is pending again and the next run applies it';
  return { ...error, message, hint: error.hint ? `${error.hint}; ${pending}` : pending };
}
