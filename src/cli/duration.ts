import { usageError } from './errors.js';

/** "5s", "500ms", "2m", "1h" or a bare number of seconds, in milliseconds. */
export function parseDuration(value: unknown, option: string): number {
  const text = String(value ?? '').trim();
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?$/i.exec(text);
  if (!m) throw usageError(`${option} takes a duration such as 5s, 500ms or 2m (got "${text}").`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'h' ? 3_600_000 : 60_000;
  return Math.round(n * factor);
}

export function parseCount(value: unknown, option: string): number {
  const text = String(value ?? '').trim();
  if (!/^\d+$/.test(text)) throw usageError(`${option} takes a whole number (got "${text}").`);
  return Number(text);
}
