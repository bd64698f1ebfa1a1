// The stdout Ink draws on. Ink 6.8's incremental renderer puts every line one row too low when the
// frame ends with a newline, and its other paths redraw the whole terminal on every frame (several
// KB a refresh: what makes a console lag over a slow SSH link). So Ink renders its plain frames here
// and this writer puts only the changed lines on the alternate screen, by absolute row: an idle
// console sends a clock line a second, and a lost byte never shifts the picture.
import { EventEmitter } from 'node:events';

// What Ink writes around a frame: synchronized-update brackets, cursor show/hide, and the erasing
// of the previous frame (eraseLine, cursorUp, cursorLeft), which absolute rows make unnecessary.
const BRACKETS = /\x1b\[\?(?:2026|25)[hl]/g;
const ERASE_PREVIOUS = /^(?:\x1b\[2K|\x1b\[\d*A|\x1b\[G)+/;

export class ScreenWriter extends EventEmitter {
  readonly isTTY = true;
  private shown: string[] = [];
  /** Bytes sent to the terminal (the benchmark reads it). */
  bytesWritten = 0;

  constructor(private readonly real: NodeJS.WriteStream = process.stdout) {
    super();
    real.on('resize', this.onResize);
  }

  get columns(): number {
    return this.real.columns || 80;
  }

  /** Ink must never take its "output as tall as the terminal: clear and redraw" path; layout.ts keeps the frame within the screen. */
  get rows(): number {
    return 10_000;
  }

  /** The terminal's real height, for the layout. */
  get screenRows(): number {
    return this.real.rows || 24;
  }

  write(data: string | Uint8Array, encodingOrCb?: unknown, cb?: unknown): boolean {
    const done = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
    const text = String(data).replace(BRACKETS, '').replace(ERASE_PREVIOUS, '');
    if (text) {
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      this.paint(lines);
    }
    if (typeof done === 'function') (done as () => void)();
    return true;
  }

  private paint(lines: string[]): void {
    let out = '';
    const n = Math.max(lines.length, this.shown.length);
    for (let i = 0; i < n; i++) {
      if (lines[i] === this.shown[i]) continue;
      out += `\x1b[${i + 1};1H${lines[i] ?? ''}\x1b[0m\x1b[K`;
    }
    this.shown = lines;
    if (out) this.send(`\x1b[?2026h${out}\x1b[?2026l`);
  }

  private send(s: string): void {
    this.bytesWritten += Buffer.byteLength(s);
    this.real.write(s);
  }

  /**
   * After a resize the terminal may have moved or cut lines: clear, let Ink lay out again for the new
   * size, and if it had nothing new to draw (the size came back to what it was), paint the last frame.
   */
  private readonly onResize = () => {
    const last = this.shown;
    this.shown = [];
    this.send('\x1b[2J');
    this.emit('resize');
    clearTimeout(this.repaint);
    this.repaint = setTimeout(() => {
      if (this.shown.length === 0) this.paint(last);
    }, 150);
  };

  private repaint: NodeJS.Timeout | undefined;

  close(): void {
    clearTimeout(this.repaint);
    this.real.off('resize', this.onResize);
  }
}
