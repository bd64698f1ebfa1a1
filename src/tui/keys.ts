// The one key table of the console. The help screen, the footer hints and the key tests are all
// generated from it, so a key cannot do one thing while its help says another.
import type { Key } from 'ink';
import type { ChecklistItemView, ConsoleMode, LockRow, MigrationView } from './state.js';

export const PANES = ['checklist', 'migrations', 'locks', 'gauges'] as const;
export type Pane = (typeof PANES)[number];

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
  | 'details'
  | 'next-pane'
  | 'prev-pane'
  | 'up'
  | 'down'
  | 'help'
  | 'quit';

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
}

export interface KeyBinding {
  /** How the key is written in help and footer. */
  label: string;
  action: ActionId;
  /** Short footer hint. */
  hint: string;
  /** The help screen's sentence: what the key does. */
  help: string;
  /** Opens a confirmation dialog (default Cancel) before doing anything. */
  dangerous: boolean;
  /** When the key applies, in words (help screen). */
  when: string;
  applies(c: KeyContext): boolean;
  matches(input: string, key: Key): boolean;
  /** Shown in the footer when it applies (navigation keys are summarised instead). */
  footer: boolean;
}

const plain = (ch: string) => (input: string, key: Key) => input === ch && !key.ctrl && !key.meta;
const canWrite = (c: KeyContext) => c.mode !== 'plan' && !c.running;
const canRun = (c: KeyContext) => canWrite(c) && c.runnable > 0 && !c.lockedByOther;
const onMigration = (c: KeyContext, states: string[]) => c.pane === 'migrations' && !!c.migration && states.includes(c.migration.state);

export const KEYS: readonly KeyBinding[] = [
  {
    label: 'r', action: 'run-next', hint: 'run next', dangerous: true, footer: true,
    help: 'run the next pending migration',
    when: 'a migration is pending and no run is going',
    applies: canRun, matches: plain('r'),
  },
  {
    label: 'R', action: 'run-all', hint: 'run all', dangerous: true, footer: true,
    help: 'run all pending migrations in order; stops at a failure',
    when: 'a migration is pending and no run is going',
    applies: canRun, matches: plain('R'),
  },
  {
    label: 's', action: 'skip', hint: 'skip', dangerous: true, footer: true,
    help: 'skip the selected migration: mark it applied, with a reason',
    when: 'Migrations pane, a pending, failed or rolled-back migration selected',
    applies: (c) => canWrite(c) && !c.lockedByOther && onMigration(c, ['pending', 'failed', 'rolled-back']),
    matches: plain('s'),
  },
  {
    label: 'b', action: 'rollback', hint: 'roll back', dangerous: true, footer: true,
    help: 'roll back the selected migration (down.sql), needs y',
    when: 'Migrations pane, an applied or failed migration selected',
    applies: (c) => canWrite(c) && !c.lockedByOther && onMigration(c, ['applied', 'failed']),
    matches: plain('b'),
  },
  {
    label: 'C', action: 'cancel-query', hint: 'cancel query', dangerous: true, footer: true,
    help: "cancel the selected session's query (pg_cancel_backend)",
    when: 'Locks pane, a session selected',
    applies: (c) => c.pane === 'locks' && !!c.lock && c.mode !== 'plan',
    matches: plain('C'),
  },
  {
    label: 'K', action: 'terminate', hint: 'kill session', dangerous: true, footer: true,
    help: 'terminate the selected session (pg_terminate_backend), needs y',
    when: 'Locks pane, a session selected',
    applies: (c) => c.pane === 'locks' && !!c.lock && c.mode !== 'plan',
    matches: plain('K'),
  },
  {
    label: 'v', action: 'verify', hint: 'verify', dangerous: false, footer: true,
    help: "verify applied migrations' expected changes and integrity",
    when: 'no run is going',
    applies: (c) => !c.running, matches: plain('v'),
  },
  {
    label: 'c', action: 'confirm-item', hint: 'confirm item', dangerous: false, footer: true,
    help: 'confirm the selected manual checklist item (journalled)',
    when: 'Checklist pane, a manual item selected',
    applies: (c) => c.pane === 'checklist' && c.item?.status === 'manual', matches: plain('c'),
  },
  {
    label: 'B', action: 'backup', hint: 'backup', dangerous: false, footer: true,
    help: 'take a backup (pg_dump), verified by a restore into scratch',
    when: 'no run is going',
    applies: (c) => !c.running && c.mode !== 'plan', matches: plain('B'),
  },
  {
    label: 'a', action: 'run-action', hint: 'run action', dangerous: true, footer: true,
    help: "run the runbook action that does the selected item (e.g. workers-stop), then check it",
    when: 'Checklist pane, an item a runbook action does',
    applies: (c) => c.pane === 'checklist' && !!c.item?.action && !c.running && c.mode !== 'plan', matches: plain('a'),
  },
  {
    label: 'P', action: 'performance', hint: 'performance', dangerous: false, footer: false,
    help: "the guide's performance validation: largest tables, new indexes' use, slow statements",
    when: 'no run is going',
    applies: (c) => !c.running && c.mode !== 'plan', matches: plain('P'),
  },
  {
    label: 'Enter', action: 'details', hint: 'details', dangerous: false, footer: true,
    help: 'details: full SQL (statement marked), evidence, full query',
    when: 'something is selected',
    applies: (c) => (c.pane === 'migrations' && !!c.migration) || (c.pane === 'locks' && !!c.lock) || (c.pane === 'checklist' && !!c.item) || c.pane === 'gauges',
    matches: (_i, k) => k.return,
  },
  {
    label: 'Tab', action: 'next-pane', hint: 'next pane', dangerous: false, footer: false,
    help: 'move to the next pane', when: 'always',
    applies: () => true, matches: (_i, k) => k.tab && !k.shift,
  },
  {
    label: 'Shift-Tab', action: 'prev-pane', hint: 'previous pane', dangerous: false, footer: false,
    help: 'move to the previous pane', when: 'always',
    applies: () => true, matches: (_i, k) => k.tab && k.shift,
  },
  {
    label: '↑/k', action: 'up', hint: 'up', dangerous: false, footer: false,
    help: 'select the previous row of the pane', when: 'always',
    applies: () => true, matches: (i, k) => k.upArrow || (i === 'k' && !k.ctrl && !k.meta),
  },
  {
    label: '↓/j', action: 'down', hint: 'down', dangerous: false, footer: false,
    help: 'select the next row of the pane', when: 'always',
    applies: () => true, matches: (i, k) => k.downArrow || (i === 'j' && !k.ctrl && !k.meta),
  },
  {
    label: '?', action: 'help', hint: 'help', dangerous: false, footer: false,
    help: 'this help (any key closes it)', when: 'always',
    applies: () => true, matches: plain('?'),
  },
  {
    label: 'q', action: 'quit', hint: 'quit', dangerous: false, footer: true,
    help: 'quit; during a run asks, then stops it cleanly (Ctrl-C too)', when: 'always',
    applies: () => true, matches: (i, k) => (i === 'q' && !k.ctrl && !k.meta) || (i === 'c' && k.ctrl),
  },
];

/** The binding a keypress means, whether or not it applies now. */
export function bindingFor(input: string, key: Key): KeyBinding | undefined {
  return KEYS.find((b) => b.matches(input, key));
}

/** Footer hints: the action keys that apply now, and the navigation that always does (kept visible). */
export function footerHints(c: KeyContext): { actions: string[]; always: string[] } {
  const actions = KEYS.filter((b) => b.footer && b.applies(c) && b.action !== 'quit').map((b) => `${b.label} ${b.hint}`);
  return { actions, always: ['Tab pane', '? help', 'q quit'] };
}
