// Text helpers for fixed-width panes: every line the console draws is cut to its width here, so the
// layout never wraps (a wrapped line would push the screen past the terminal's height).
import { bytes as monitorBytes, duration as monitorDuration } from '../monitor/text.js';

// Wide (two-column) characters: CJK, Hangul, fullwidth forms, emoji. Enough for query text and names;
// our own symbols (✓ ✗ ! · ▶ ↺ … █ ░) are one column.
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
// eslint-disable-next-line no-control-regex
const ZERO = /[\u0000-\u001f\u007f-\u009f\u0300-\u036f\u200b-\u200f\ufe00-\ufe0f]/u;

export function width(s: string): number {
  let n = 0;
  for (const ch of s) n += ZERO.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1;
  return n;
}

/** Cuts text to n columns with an ellipsis at the end. */
export function cut(text: string, n: number): string {
  const s = flat(text);
  if (n <= 0) return '';
  if (width(s) <= n) return s;
  let out = '';
  for (const ch of s) {
    if (width(out + ch) > n - 1) break;
    out += ch;
  }
  return out + '…';
}

/** Pads or cuts to exactly n columns. */
export function fit(text: string, n: number): string {
  const s = cut(text, n);
  return s + ' '.repeat(Math.max(0, n - width(s)));
}

/**
 * Trims a migration name in the middle so that both ends survive: the timestamp (which orders the
 * queue) and the end (which tells two similar names apart).
 */
export function trimMiddle(name: string, n: number): string {
  if (n <= 0) return '';
  if (name.length <= n) return name;
  if (n <= 2) return name.slice(0, n);
  const ts = /^\d{8,14}_/.exec(name)?.[0] ?? '';
  let head = Math.ceil((n - 1) * 0.6);
  // Keep the whole timestamp and a bit more when there is room for it.
  if (ts && n - 1 >= ts.length + 4) head = Math.max(head, ts.length + 2);
  head = Math.min(head, n - 2);
  const tail = n - 1 - head;
  return name.slice(0, head) + '…' + name.slice(name.length - tail);
}

/** Newlines and tabs as spaces, control characters dropped; leading spaces kept (they indent). */
export function flat(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\n\r\t]/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}

/** One line of plain text: whitespace folded, control characters (a query could hold escapes) dropped. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\s+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
}

/** The monitor's wording for durations and sizes, so the panes and `locks` read alike; blank when unknown. */
export function duration(ms: number | undefined): string {
  return ms === undefined || !Number.isFinite(ms) ? '' : monitorDuration(ms);
}

export function bytes(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '?' : monitorBytes(n);
}

export function estimate(e: { minMinutes: number; maxMinutes: number } | undefined): string {
  if (!e) return '';
  return e.minMinutes === e.maxMinutes ? `${e.minMinutes}m` : `${e.minMinutes}-${e.maxMinutes}m`;
}

/** A bar of n cells, filled by fraction (0..1); text, so it reads without colour. */
export function bar(fraction: number, n: number): string {
  const f = Math.max(0, Math.min(1, fraction));
  const full = Math.round(f * n);
  return '█'.repeat(full) + '░'.repeat(n - full);
}

export function clock(d = new Date()): string {
  return d.toTimeString().slice(0, 8);
}

/** The console header's clock: to the minute, so an idle console redraws nothing for a minute. */
export function minuteClock(d = new Date()): string {
  return d.toTimeString().slice(0, 5);
}

/** Word-wraps text to n columns (long words are cut), for dialogs that must show every word. */
export function wrapText(text: string, n: number): string[] {
  if (n <= 4) return [cut(text, n)];
  const out: string[] = [];
  let line = '';
  for (const word of oneLine(text).split(' ')) {
    const w = width(word) > n ? cut(word, n) : word;
    if (!line) line = w;
    else if (width(line) + 1 + width(w) <= n) line += ' ' + w;
    else {
      out.push(line);
      line = w;
    }
  }
  out.push(line);
  return out;
}
