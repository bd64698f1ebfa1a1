// What the Ink app needs from whatever fills its state: the controller in production, and the same
// controller over a test database in tests. The app never talks to the server itself.
import type { ActionId, Pane } from './keys.js';
import type { ChecklistItemView, ConsoleState, LockRow, MessageLevel, MigrationView } from './state.js';
import type { DialogSpec } from './dialog.js';

export interface Selection {
  pane: Pane;
  migration?: MigrationView;
  lock?: LockRow;
  item?: ChecklistItemView;
}

export interface Details {
  title: string;
  lines: string[];
  /** Line to scroll to first (the running statement). */
  focusLine?: number;
  /** A long line continues under this column (help: under the text, not under the keys). */
  hang?: number;
}

export interface ConsoleModel {
  getState(): ConsoleState;
  subscribe(listener: () => void): () => void;
  /** Refresh stops while a dialog is open, so the row under the cursor does not move. */
  setPaused(paused: boolean): void;
  /** A dangerous action returns its dialog; a harmless one is started and null returned. */
  request(action: ActionId, sel: Selection): Promise<DialogSpec | null>;
  details(sel: Selection): Promise<Details>;
  isRunning(): boolean;
  /** Stops a run as Ctrl-C stops `run`: the running statement is cancelled and rolled back. */
  stopRun(): Promise<void>;
  say(text: string, level?: MessageLevel): void;
  /** A key was pressed: the DBA has seen the result of their last action, which may now give way. */
  keyPressed?(): void;
  /** How operations open their questions as dialogs outside a key press (returns a detach). */
  attachDialogs?(open: (spec: DialogSpec) => void): () => void;
}
