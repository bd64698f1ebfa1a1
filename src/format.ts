// Sizes and durations, written once for every screen, table, journal note and message.

/** 2147483648 -> "2.0 GB" (powers of 1024, as pg_size_pretty and df -h show them); "?" when unknown. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '?';
  const sign = n < 0 ? '-' : '';
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let v = Math.abs(n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${sign}${Math.round(v)} bytes` : `${sign}${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** 95_000 -> "1 min 35 s": durations in sentences, read at a glance. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h${m % 60 ? ` ${m % 60} min` : ''}`;
  return `${Math.floor(h / 24)} days`;
}

/** 850ms, 12s, 4m12s, 2h05m: the compact form for table cells (waits, transaction ages); "?" when unknown. */
export function compactDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '?';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** "a, b, c, d, e and 158 more": a long list counted, the first few named. */
export function nameList(names: string[], shown = 5): string {
  if (names.length <= shown) return names.join(', ');
  return `${names.slice(0, shown).join(', ')} and ${names.length - shown} more`;
}

/** Words folded into lines of at most `width` characters (a longer word stands alone). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** formatDuration with tenths under 10 s: "1.4 s", where "1 s" would read as no more than a limit of 1 s. */
export const formatSeconds = (ms: number): string => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : formatDuration(ms));

/** How long still, as the progress lines say it: `4.2s` under a minute, else whole minutes up. */
export const formatEta = (ms: number): string =>
  ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.ceil(ms / 60_000)} min`;
