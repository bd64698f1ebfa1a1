// What a front end's progress display reads while an operation runs: the engine's events (type only,
// and the one sentence for a retry), the rehearsal's measured durations, the lock flags' shape.
export { EventStream, retryReason, type EngineEvent } from '../engine/events.js';
export type { RehearsedDuration } from '../journal/rehearsed.js';
export type { LockOptions } from '../engine/lockPolicy.js';
