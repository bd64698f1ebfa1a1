import type { WorkspaceMode } from './workspace.js';

/**
 * How a front end confirms: 'y' is a plain yes; 'type-database-name' needs the database's name
 * typed (irreversible actions on a LIVE database); 'reason' asks for a sentence for the journal.
 */
export type ConfirmationKind = 'y' | 'type-database-name' | 'reason';

export interface Question {
  title: string;
  /** Exactly what will happen, one sentence a line. */
  lines: string[];
  kind: ConfirmationKind;
  /** What confirming does, as a verb phrase ("roll it back"). */
  verb: string;
  /** For 'type-database-name': the name to type. */
  expected?: string;
  /**
   * For 'y' off a LIVE database: a deliberate key is wanted (the console asks for y rather than
   * offering a button), because the action destroys something even there (a rollback, a terminate).
   */
  deliberate?: boolean;
  /**
   * What an answer given ahead (--yes) does when the operation wants more than a plain yes: restore
   * wants the database named in --database-url too, and types for a dump from elsewhere even with
   * --yes. Absent: --yes confirms, and without it and without a terminal the front end refuses.
   */
  ahead?: AheadRule;
}

export interface AheadRule {
  /** The flags given confirm the question already. */
  confirms: boolean;
  /** On a terminal, the question is asked even with --yes (otherwise --yes alone is refused there too). */
  askEvenWithYes: boolean;
  /** The refusal when it can be neither confirmed ahead nor asked: one sentence naming the flags. */
  refusal: string;
  refusalKind: 'bad-input' | 'refused';
}

/**
 * An operation's first phase: the plan (exactly what execute will do) and the question to confirm
 * it by, null when nothing needs confirming. Execute runs that plan and no other.
 */
export interface Prepared<P> {
  plan: P;
  question: Question | null;
}

export interface Answer {
  confirmed: boolean;
  /** The typed reason, for 'reason' questions. */
  text?: string;
}

/** The confirmation policy an operation is given: the CLI asks on its terminal, the console opens a dialog. */
export type Ask = (question: Question) => Promise<Answer>;

/**
 * The one rule both front ends follow: on a LIVE database, actions that cannot be taken back
 * (run, skip, rollback, restore, terminate) need the database name typed; elsewhere a y does.
 */
export function confirmationFor(
  mode: WorkspaceMode,
  irreversible: boolean,
  database: string,
  deliberate = false,
): Pick<Question, 'kind' | 'expected' | 'deliberate'> {
  return mode === 'live' && irreversible
    ? { kind: 'type-database-name', expected: database }
    : { kind: 'y', deliberate };
}
