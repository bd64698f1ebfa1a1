// Confirmation dialogs. Every dialog opens with Cancel selected: Enter alone never does anything
// dangerous. Roll back and terminate need y; on a LIVE database running or rolling back needs the
// database name typed.
import type { Key } from 'ink';
import { bindingFor, keyLine } from './keys.js';
import type { Question } from '../operations/confirm.js';

export type Confirm =
  | { kind: 'button'; verb: string }
  | { kind: 'y'; verb: string }
  | { kind: 'type'; verb: string; expected: string }
  | { kind: 'reason'; verb: string }
  /** A value typed (a new limit): Enter takes it. */
  | { kind: 'value'; verb: string; what: string };

export interface DialogSpec {
  title: string;
  /** Exactly what will happen, one sentence a line. */
  lines: string[];
  confirm: Confirm;
  /** What to do on confirmation; text is the typed reason for 'reason' dialogs. */
  onConfirm: (text: string) => void;
  onCancel?: () => void;
  /** A second dialog to answer after this one's confirmation, before anything is done (onConfirm is then unused). */
  next?: DialogSpec;
  /** Another way to do it (the run's safe form), asked in its own dialog: S opens it in place of this one. */
  alternative?: DialogSpec;
}

export interface DialogState {
  spec: DialogSpec;
  focus: 'cancel' | 'confirm';
  text: string;
  /** First line of the explanation shown, when it is longer than the screen. */
  scroll: number;
}

export const openDialog = (spec: DialogSpec): DialogState => ({ spec, focus: 'cancel', text: '', scroll: 0 });

/** What a key does in a dialog: the next dialog state, or the dialog's outcome. Keys come from DIALOG_KEYS. */
export function dialogKey(
  d: DialogState,
  input: string,
  key: Key,
): { next: DialogState } | { outcome: 'confirm' | 'cancel'; text: string } {
  const c = d.spec.confirm;
  const action = bindingFor(input, key, 'dialog')?.action;
  if (action === 'dialog-cancel') return { outcome: 'cancel', text: '' };
  // Scrolling never answers the dialog (a y dialog cancels on any other key, but not on these).
  if (action === 'dialog-scroll-up') return { next: { ...d, scroll: Math.max(0, d.scroll - (key.pageUp ? 5 : 1)) } };
  if (action === 'dialog-scroll-down') return { next: { ...d, scroll: d.scroll + (key.pageDown ? 5 : 1) } };
  // Once a name is being typed, S is part of it.
  if (action === 'dialog-alternative' && d.spec.alternative && !d.text) return { next: openDialog(d.spec.alternative) };
  switch (c.kind) {
    case 'button':
      if (action === 'dialog-switch') return { next: { ...d, focus: d.focus === 'cancel' ? 'confirm' : 'cancel' } };
      if (action === 'dialog-activate') return { outcome: d.focus === 'confirm' ? 'confirm' : 'cancel', text: '' };
      if (input === 'n') return { outcome: 'cancel', text: '' };
      return { next: d };
    case 'y':
      return { outcome: action === 'dialog-yes' ? 'confirm' : 'cancel', text: '' };
    case 'type':
    case 'value':
    case 'reason': {
      if (action === 'dialog-activate') {
        const ok = c.kind === 'type' ? d.text === c.expected : d.text.trim().length > 0;
        return { outcome: ok ? 'confirm' : 'cancel', text: d.text.trim() };
      }
      if (action === 'dialog-erase') return { next: { ...d, text: d.text.slice(0, -1) } };
      if (input && !key.ctrl && !key.meta && !/[\u0000-\u001f\u007f]/.test(input))
        return { next: { ...d, text: (d.text + input).slice(0, 200) } };
      return { next: d };
    }
  }
}

/** The dialog's last line: how to confirm and that anything else cancels. */
export function dialogPrompt(d: DialogState): string {
  const c = d.spec.confirm;
  switch (c.kind) {
    case 'button':
      return keyLine('dialog', ['dialog-switch', 'dialog-activate', 'dialog-cancel']);
    case 'y':
      return `press y to ${c.verb}; any other key cancels`;
    case 'type':
      return `type ${c.expected} and Enter to ${c.verb}; Esc cancels`;
    case 'reason':
      return `type the reason and Enter to ${c.verb}; empty or Esc cancels`;
    case 'value':
      return `type ${c.what} and Enter to ${c.verb}; empty or Esc cancels`;
  }
}

/** An operation's question as this console confirms it: a typed name, a y, a reason, or the buttons. */
export function confirmOf(q: Question): Confirm {
  switch (q.kind) {
    case 'type-database-name':
      return { kind: 'type', verb: q.verb, expected: q.expected ?? '' };
    case 'reason':
      return { kind: 'reason', verb: q.verb };
    default:
      return q.deliberate ? { kind: 'y', verb: q.verb } : { kind: 'button', verb: q.verb };
  }
}
