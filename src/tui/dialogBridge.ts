// Operations ask their questions while they run, outside a key press: the bridge opens each one as
// a dialog of the screen (default Cancel) and answers when the DBA does. With no screen attached,
// or once the console is closing, every question is answered no.
import type { Ask } from '../operations/confirm.js';
import { confirmOf, type DialogSpec } from './dialog.js';

export class DialogBridge {
  private open: ((spec: DialogSpec) => void) | undefined;

  constructor(private readonly closed: () => boolean) {}

  attach(open: (spec: DialogSpec) => void): () => void {
    this.open = open;
    return () => {
      if (this.open === open) this.open = undefined;
    };
  }

  ask: Ask = (q) =>
    new Promise((resolve) => {
      if (!this.open || this.closed()) return resolve({ confirmed: false });
      this.open({
        title: q.title,
        lines: q.lines,
        confirm: confirmOf(q),
        onConfirm: (text) => resolve({ confirmed: true, text }),
        onCancel: () => resolve({ confirmed: false }),
      });
    });
}
