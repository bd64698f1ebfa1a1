// What a front end's progress display reads while an operation runs: the engine's events (type only,
// and the one sentence for a retry), the rehearsal's measured durations, the lock flags' shape.
export { EventStream, retryReason, type EngineEvent } from '../engine/events.js';
/** Started early by a front end: the SQL parser's WebAssembly compiles while the folder is read. */
export { parser as warmUpParser } from '../engine/split.js';
export type { RehearsedDuration } from '../journal/rehearsed.js';
export type { LockOptions } from '../engine/lockPolicy.js';
