import type { LockOptions } from '../operations/events.js';
import { parseDuration, parseCount } from './duration.js';

/** The lock flags a DBA gave; every one left out takes its default from src/engine/lockPolicy.ts. */
export function lockOptions(opts: Record<string, unknown>): LockOptions {
  const given = (v: unknown) => v !== undefined && v !== null;
  return {
    ...(given(opts.lockTimeout) ? { lockTimeoutMs: parseDuration(opts.lockTimeout, '--lock-timeout') } : {}),
    ...(given(opts.lockRetries) ? { lockRetries: parseCount(opts.lockRetries, '--lock-retries') } : {}),
    ...(given(opts.lockWaitLimit) ? { lockWaitLimitMs: parseDuration(opts.lockWaitLimit, '--lock-wait-limit') } : {}),
    ...(given(opts.maxVictims) ? { maxVictims: parseCount(opts.maxVictims, '--max-victims') } : {}),
    ...(given(opts.maxVictimWait) ? { maxVictimWaitMs: parseDuration(opts.maxVictimWait, '--max-victim-wait') } : {}),
  };
}
