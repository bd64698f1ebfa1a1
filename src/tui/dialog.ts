// Confirmation dialogs. Every dialog opens with Cancel selected: Enter alone never does anything
// dangerous. Roll back and terminate need y; on a LIVE database running or rolling back needs the
// database name typed.
export type Confirm =
  | { kind: 'button'; verb: string }
  | { kind: 'y'; verb: string }
  | { kind: 'type'; verb: string; expected: string }
  | { kind: 'reason'; verb: string };

export interface DialogSpec {
  title: string;
  /** Exactly what will happen, one sentence a line. */
  lines: string[];
  confirm: Confirm;
  /** What to do on confirmation; text is the typed reason for 'reason' dialogs. */
  onConfirm: (text: string) => void;
  onCancel?: () => void;
}

export interface DialogState {
  spec: DialogSpec;
  focus: 'cancel' | 'confirm';
  text: string;
}

export const openDialog = (spec: DialogSpec): DialogState => ({ spec, focus: 'cancel', text: '' });

export type DialogKey = { input: string; return: boolean; escape: boolean; tab: boolean; left: boolean; right: boolean; backspace: boolean; ctrl: boolean };

/** What a key does in a dialog: the next dialog state, or the dialog's outcome. */
export function dialogKey(d: DialogState, k: DialogKey): { next: DialogState } | { outcome: 'confirm' | 'cancel'; text: string } {
  const c = d.spec.confirm;
  if (k.escape || (k.ctrl && k.input === 'c')) return { outcome: 'cancel', text: '' };
  switch (c.kind) {
    case 'button':
      if (k.tab || k.left || k.right || k.input === 'h' || k.input === 'l') return { next: { ...d, focus: d.focus === 'cancel' ? 'confirm' : 'cancel' } };
      if (k.return) return { outcome: d.focus === 'confirm' ? 'confirm' : 'cancel', text: '' };
      if (k.input === 'n') return { outcome: 'cancel', text: '' };
      return { next: d };
    case 'y':
      if (k.input === 'y' || k.input === 'Y') return { outcome: 'confirm', text: '' };
      return { outcome: 'cancel', text: '' };
    case 'type':
    case 'reason': {
      if (k.return) {
        const ok = c.kind === 'type' ? d.text === c.expected : d.text.trim().length > 0;
        return { outcome: ok ? 'confirm' : 'cancel', text: d.text.trim() };
      }
      if (k.backspace) return { next: { ...d, text: d.text.slice(0, -1) } };
      // eslint-disable-next-line no-control-regex
      if (k.input && !k.ctrl && !/[\u0000-\u001f\u007f]/.test(k.input)) return { next: { ...d, text: (d.text + k.input).slice(0, 200) } };
      return { next: d };
    }
  }
}

/** The dialog's last line: how to confirm and that anything else cancels. */
export function dialogPrompt(d: DialogState): string {
  const c = d.spec.confirm;
  switch (c.kind) {
    case 'button':
      return 'Tab/←/→ choose, Enter to activate, Esc cancels';
    case 'y':
      return `press y to ${c.verb}; any other key cancels`;
    case 'type':
      return `type ${c.expected} and Enter to ${c.verb}; Esc cancels`;
    case 'reason':
      return `type the reason and Enter to ${c.verb}; empty or Esc cancels`;
  }
}
