import { usageError } from './errors.js';

/**
 * The longest duration and the largest count taken: PostgreSQL's timeouts are whole milliseconds
 * in an int (about 24.8 days), and Node's timers hold no longer either.
 */
export const MAX_DURATION_MS = 2_147_483_647;

/** "5s", "500ms", "2m", "1h" or a bare number of seconds, in milliseconds. */
export function parseDuration(value: unknown, option: string): number {
  const text = String(value ?? '').trim();
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?$/i.exec(text);
  if (!m) throw usageError(`${option} takes a duration such as 5s, 500ms or 2m (got "${text}").`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'h' ? 3_600_000 : 60_000;
  const ms = Math.round(n * factor);
  if (!(ms <= MAX_DURATION_MS)) {
    throw usageError(
      `${option} takes a duration of at most ${MAX_DURATION_MS} ms (about 24 days, PostgreSQL's limit) (got "${text}").`,
    );
  }
  return ms;
}

export function parseCount(value: unknown, option: string): number {
  const text = String(value ?? '').trim();
  if (!/^\d+$/.test(text) || Number(text) > MAX_DURATION_MS)
    throw usageError(`${option} takes a whole number up to ${MAX_DURATION_MS} (got "${text}").`);
  return Number(text);
}
