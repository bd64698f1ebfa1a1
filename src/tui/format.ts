// Text helpers for fixed-width panes: every line the console draws is cut to its width here, so the
// layout never wraps (a wrapped line would push the screen past the terminal's height).
import stringWidth from 'string-width';
import cliTruncate from 'cli-truncate';
import wrapAnsi from 'wrap-ansi';
import { compactDuration, formatBytes } from '../format.js';

// Column widths, cutting and wrapping come from the libraries Ink itself uses, so the console
// measures text exactly as Ink lays it out (wide CJK characters, emoji, combining marks).

export function width(s: string): number {
  return stringWidth(s);
}

/** Cuts text to n columns with an ellipsis at the end. */
export function cut(text: string, n: number): string {
  if (n <= 0) return '';
  return cliTruncate(flat(text), n, { position: 'end' });
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
  return text.replace(/[\n\r\t]/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}

/** One line of plain text: whitespace folded, control characters (a query could hold escapes) dropped. */
export function oneLine(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .trim();
}

/** The compact durations and the sizes `locks` prints too, so the panes and `locks` read alike; blank when unknown. */
export function duration(ms: number | undefined): string {
  return ms === undefined || !Number.isFinite(ms) ? '' : compactDuration(ms);
}

export function bytes(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '?' : formatBytes(n);
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

/** Word-wraps text to n columns (words longer than a line are broken), for views that must show every word. */
export function wrapText(text: string, n: number): string[] {
  if (n <= 4) return [cut(text, n)];
  return wrapAnsi(oneLine(text), n, { hard: true, trim: true }).split('\n');
}

/** Wraps one line keeping its indent on the following lines (SQL, indented list items). */
export function wrapIndented(text: string, n: number): string[] {
  const t = flat(text).replace(/\s+$/, '');
  if (width(t) <= n) return [t];
  const indent = /^\s*/.exec(t)![0].slice(0, Math.max(0, n - 8));
  return wrapAnsi(t.slice(indent.length), Math.max(4, n - indent.length), { hard: true, trim: false })
    .split('\n')
    .map((l) => indent + l);
}
