// The terminal around the console: the alternate screen, its restoration on every way out, and a
// keyboard stream that waits a moment for the rest of an escape sequence (over SSH an arrow key's
// bytes can arrive in two packets, and a lone ESC must not be read as Escape + "[A").
import { EventEmitter } from 'node:events';
import { writeSync } from 'node:fs';

export const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J';
export const LEAVE_ALT_SCREEN = '\x1b[?25h\x1b[?1049l';

let inAltScreen = false;

export function enterAltScreen(out: NodeJS.WriteStream = process.stdout): void {
  if (inAltScreen) return;
  inAltScreen = true;
  out.write(ENTER_ALT_SCREEN);
  // Whatever ends the process (process.exit from anywhere, a fatal error handler), the terminal comes back.
  process.once('exit', restoreTerminal);
}

/** Synchronous, idempotent: safe from 'exit' and crash handlers. */
export function restoreTerminal(): void {
  if (!inAltScreen) return;
  inAltScreen = false;
  try {
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
  } catch {
    // stdin may be gone (the SSH link dropped)
  }
  try {
    writeSync(1, LEAVE_ALT_SCREEN);
  } catch {
    // no terminal left to restore
  }
}

/** How long a lone ESC (or an unfinished sequence) waits for the rest before it counts as Escape. */
export const ESCAPE_TIMEOUT_MS = 40;

// ESC at the end, or a CSI/SS3 sequence still missing its final byte.
const UNFINISHED = /\x1b(?:\[[0-9;:<=>?]*|O)?$/;

// An escape sequence (CSI, SS3, or Alt+key), a control character, or a run of printable text.
const KEY = /\x1b(?:\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]|O.|[\s\S])|[\x00-\x1f\x7f]|[^\x00-\x1f\x7f\x1b]+|\x1b/g;

/**
 * Ink splits a read only at escape sequences, so Tab and Enter arriving in one packet (a fast
 * typist, a loaded machine, or keys pasted together) reached the console as one unknown key, and
 * both were lost. Control characters are handed over one by one.
 */
export function splitKeys(text: string): string[] {
  return text.match(KEY) ?? [];
}

/**
 * A stdin for Ink that hands over input only when escape sequences are complete (or after
 * ESCAPE_TIMEOUT_MS). It forwards raw mode and ref/unref to the real stdin.
 */
export class KeyboardInput extends EventEmitter {
  readonly isTTY: boolean;
  private buffered = '';
  private ready: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly onData = (chunk: Buffer | string) => this.push(String(chunk));

  constructor(private readonly real: NodeJS.ReadStream = process.stdin) {
    super();
    this.isTTY = Boolean(real.isTTY);
    real.setEncoding('utf8');
    real.on('data', this.onData);
  }

  private push(text: string): void {
    clearTimeout(this.timer);
    this.buffered += text;
    if (UNFINISHED.test(this.buffered)) {
      this.timer = setTimeout(() => this.flush(), ESCAPE_TIMEOUT_MS);
      return;
    }
    this.flush();
  }

  private flush(): void {
    if (!this.buffered) return;
    const text = this.buffered;
    this.buffered = '';
    // Over SSH, Esc and the next key often arrive in one packet ("\x1b\t"), which Ink reads as
    // Alt+Tab and drops. A lone Escape before Tab, Enter, Backspace or another Escape is handed over
    // on its own, and the rest one turn later, after Ink has taken the Escape as a key.
    const m = /^\x1b(?=[\t\r\n\x7f\x1b])/.exec(text);
    if (m) {
      this.deliver('\x1b');
      setImmediate(() => {
        this.buffered = text.slice(1) + this.buffered;
        this.flush();
      });
      return;
    }
    this.deliver(text);
  }

  private deliver(text: string): void {
    this.ready.push(...splitKeys(text));
    this.emit('readable');
  }

  /** One key (or one escape sequence, or a run of typed text) per call. */
  read(): string | null {
    return this.ready.shift() ?? null;
  }

  setEncoding(): this {
    return this;
  }

  setRawMode(on: boolean): this {
    if (this.real.isTTY) this.real.setRawMode(on);
    return this;
  }

  ref(): this {
    this.real.ref();
    return this;
  }

  unref(): this {
    this.real.unref();
    return this;
  }

  resume(): this {
    this.real.resume();
    return this;
  }

  pause(): this {
    this.real.pause();
    return this;
  }

  close(): void {
    clearTimeout(this.timer);
    this.real.off('data', this.onData);
    this.real.pause();
  }
}
