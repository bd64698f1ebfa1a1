// The lock policy of a run, in words, written in one place: the run dialog shows it. When the
// engine exports its own description of the policy, this function points at it.
import { duration } from './format.js';

export interface LockPolicy {
  lockTimeoutMs: number;
  lockRetries: number;
  statementTimeoutMs: number;
}

export function lockPolicyText(p: LockPolicy): string {
  const wait = `A statement waits at most ${duration(p.lockTimeoutMs)} for a lock (lock_timeout)`;
  const retry = p.lockRetries > 0
    ? `; then it is cancelled, the migration goes back to the statement's savepoint and it is tried again, up to ${p.lockRetries} time${p.lockRetries === 1 ? '' : 's'} with a growing pause, before the migration fails`
    : '; then the migration fails';
  const stmt = p.statementTimeoutMs > 0 ? ` A statement that runs longer than ${duration(p.statementTimeoutMs)} is cancelled.` : ' No statement time limit.';
  return `${wait}${retry}.${stmt}`;
}
