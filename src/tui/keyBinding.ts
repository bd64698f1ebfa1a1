// The key table's shape, shared by its pane table (keys.ts) and its views' tables (viewKeys.ts): what a
// key binding says, where it is read, and the context that decides whether it applies.
import type { Key } from 'ink';
import type { ChecklistItemView, ConsoleMode, LockRow, MigrationView } from './state.js';
import type { AskingOperation } from '../operations/questions.js';

export const PANES = ['checklist', 'migrations', 'locks', 'gauges'] as const;
export type Pane = (typeof PANES)[number];

/** Where a key is read: the four panes, the details (and help) view, a dialog, the search line. */
export type Scope = 'panes' | 'details' | 'dialog' | 'search' | 'fleet';

export type ActionId =
  | 'run-next'
  | 'run-all'
  | 'skip'
  | 'rollback'
  | 'cancel-query'
  | 'terminate'
  | 'verify'
  | 'confirm-item'
  | 'backup'
  | 'run-action'
  | 'performance'
  | 'hold-limit'
  | 'details'
  | 'next-pane'
  | 'prev-pane'
  | 'up'
  | 'down'
  | 'top'
  | 'bottom'
  | 'page-up'
  | 'page-down'
  | 'search'
  | 'search-next'
  | 'help'
  | 'quit'
  | 'close'
  | 'dialog-cancel'
  | 'dialog-switch'
  | 'dialog-activate'
  | 'dialog-yes'
  | 'dialog-erase'
  | 'dialog-alternative'
  | 'dialog-scroll-up'
  | 'dialog-scroll-down'
  | 'search-accept'
  | 'search-cancel'
  | 'search-erase'
  | 'back'
  | 'open-target'
  | 'fleet-filter'
  | 'fleet-pause'
  | 'fleet-resume';

/** What the key table needs to know to decide whether a key applies right now. */
export interface KeyContext {
  pane: Pane;
  mode: ConsoleMode;
  /** A run started here is going. */
  running: boolean;
  /** Migrations the next run would apply. */
  runnable: number;
  /** Another session holds the migration lock. */
  lockedByOther: boolean;
  migration?: MigrationView;
  lock?: LockRow;
  item?: ChecklistItemView;
  /** A search was made (n finds the next match). */
  searched?: boolean;
  /** Runs wait for this (the demo's application loading its data). */
  hold?: string | null;
  /** A run of this console with a replay-lag limit is going (L changes the limit). */
  lagLimit?: boolean;
  /** No Prisma project on a LIVE database: every key that writes refuses, saying why. */
  noProject?: string | null;
  /** The session the DBA selected left the Locks pane: C and K refuse until the cursor moves. */
  goneLockPid?: number;
  /** This console is a fleet target's, opened from the Fleet pane (Esc goes back to it). */
  fromFleet?: boolean;
}

export interface KeyBinding {
  scope: Scope;
  /** How the key is written in help and footer. */
  label: string;
  action: ActionId;
  /** Short footer hint. */
  hint: string;
  /** The help screen's sentence: what the key does. */
  help: string;
  /** The operation that asks its question (a dialog, default Cancel) before it does anything. */
  asks?: AskingOperation;
  /** It asks first (it has an operation's question): marked ! in the help. */
  dangerous: boolean;
  /** The panes where it applies (none: every pane). */
  panes?: readonly Pane[];
  /** Refused while another session holds the migration lock. */
  takesMigrationLock?: boolean;
  /** When the key applies, in words (help screen and refusals). */
  when: string;
  /** What else must hold, beyond pane and migration lock. */
  also?: (c: KeyContext) => boolean;
  matches(input: string, key: Key): boolean;
  /** Shown in the footer when it applies (navigation keys are summarised instead). */
  footer: boolean;
}

export const plain =
  (...chs: string[]) =>
  (input: string, key: Key) =>
    chs.includes(input) && !key.ctrl && !key.meta;

export type Row = Omit<KeyBinding, 'scope' | 'footer' | 'dangerous'> & { footer?: boolean };
export const scoped = (scope: Scope, rows: Row[]): KeyBinding[] =>
  rows.map((r) => ({ footer: false, ...r, dangerous: r.asks !== undefined, scope }));
