// Helpers for driving the console in ink-testing-library: key sequences as a terminal sends them,
// and waiting for the screen to show something.
import type { KeyBinding } from '../../src/tui/keys.js';

export const KEY = {
  enter: '\r',
  tab: '\t',
  shiftTab: '\x1b[Z',
  up: '\x1b[A',
  down: '\x1b[B',
  left: '\x1b[D',
  right: '\x1b[C',
  escape: '\x1b',
  ctrlC: '\x03',
  home: '\x1b[H',
  end: '\x1b[F',
  pageUp: '\x1b[5~',
  pageDown: '\x1b[6~',
} as const;

/** The bytes a terminal sends for a key of the key table. */
export function bytesFor(b: KeyBinding): string {
  switch (b.label) {
    case 'Enter':
      return KEY.enter;
    case 'Esc':
      return KEY.escape;
    case 'Tab':
      return KEY.tab;
    case 'Shift-Tab':
      return KEY.shiftTab;
    case '↑/k':
      return KEY.up;
    case '↓/j':
      return KEY.down;
    case 'Home/g':
      return KEY.home;
    case 'End/G':
      return KEY.end;
    case 'PgUp':
      return KEY.pageUp;
    case 'PgDn':
      return KEY.pageDown;
    default:
      return b.label;
  }
}

/** A WHAT that shows the screen is a function: the screen at the timeout, not the one at the start. */
export async function waitFor<T>(
  probe: () => T | undefined | false,
  what: string | (() => string),
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${typeof what === 'function' ? what() : what}${last ? `: ${String(last)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Strips colour and style codes, so assertions read what a person reads. */
export const plain = (s: string | undefined): string => (s ?? '').replace(/\x1b\[[0-9;]*m/g, '');
