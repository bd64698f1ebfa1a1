import type { ConfirmationKind } from './confirm.js';

/**
 * How each operation that asks first confirms, known before it is asked: the console's key table
 * reads it for its help screen ("!" and the LIVE line) and for holding the keys typed while a dialog
 * is being prepared. An operation builds its Question with `confirmationFor(mode, irreversible,
 * database, deliberate)` from its row (the runbook action does; test/tui/keyQuestions.test.ts holds
 * the others' questions to their rows), so the help cannot promise another confirmation than the
 * dialog asks.
 */
export interface AskShape {
  /** The first question's answer: a y (or the button), or a reason typed. */
  kind: Extract<ConfirmationKind, 'y' | 'reason'>;
  /** On a LIVE database the database name is typed (it cannot be taken back). */
  irreversible: boolean;
  /** Off LIVE: a y pressed rather than a button (it destroys something even there). */
  deliberate: boolean;
}

export const ASKS = {
  run: { kind: 'y', irreversible: true, deliberate: false },
  skip: { kind: 'reason', irreversible: true, deliberate: true },
  rollback: { kind: 'y', irreversible: true, deliberate: true },
  cancel: { kind: 'y', irreversible: false, deliberate: false },
  terminate: { kind: 'y', irreversible: true, deliberate: true },
  action: { kind: 'y', irreversible: false, deliberate: false },
} as const satisfies Record<string, AskShape>;

export type AskingOperation = keyof typeof ASKS;
