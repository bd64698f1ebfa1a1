// run's hold limits: --max-lag DURATION|BYTES, --max-archive-backlog N, --max-hold DURATION.
import type { HoldLimits } from '../operations/hold.js';
import { parseCount, parseDuration } from './duration.js';
import { usageError } from './errors.js';

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

/** "64MB", "512kB", "1GB": bytes; undefined when the text is not a size (then it is a duration). */
export function parseBytes(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb)$/i.exec(text.trim());
  return m ? Math.round(Number(m[1]) * BYTE_UNITS[m[2]!.toLowerCase()]!) : undefined;
}

export function holdOptions(opts: Record<string, unknown>): HoldLimits | undefined {
  const limits: HoldLimits = {};
  if (opts.maxLag !== undefined) {
    const text = String(opts.maxLag).trim();
    const bytes = parseBytes(text);
    if (bytes !== undefined) limits.maxLagBytes = bytes;
    else if (/^\d+(\.\d+)?\s*(ms|s|m|min|h)$/i.test(text)) limits.maxLagMs = parseDuration(text, '--max-lag');
    else
      throw usageError(
        `--max-lag takes a duration such as 2s or 500ms, or a size of WAL such as 64MB (got "${text}").`,
      );
  }
  if (opts.maxArchiveBacklog !== undefined)
    limits.maxArchiveBacklog = parseCount(opts.maxArchiveBacklog, '--max-archive-backlog');
  if (opts.maxHold !== undefined) limits.maxHoldMs = parseDuration(opts.maxHold, '--max-hold');
  return Object.keys(limits).length ? limits : undefined;
}
