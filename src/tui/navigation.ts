// Where the selection is in each pane, as plain data and pure functions: the key handlers change it,
// the panes draw it. The Migrations pane follows the running migration (or opens on the next one to
// run) until the DBA moves the selection; starting a run follows again.
import type { Pane } from './keys.js';
import type { Details } from './model.js';
import type { DialogState } from './dialog.js';
import type { ConsoleState, MigrationView } from './state.js';

export type Overlay =
  | null
  | { kind: 'details'; details: Details; scroll: number }
  | { kind: 'dialog'; dialog: DialogState };

export interface UiState {
  pane: Pane;
  sel: Record<Pane, number>;
  /** The Locks pane keeps its session selected by pid while rows come and go between refreshes. */
  lockPid?: number;
  /** The Migrations selection follows the running (or next) migration. */
  follow: boolean;
  overlay: Overlay;
  /** The search line: what is typed, and where the selection was (Esc goes back). */
  search: { text: string; from: number; follow: boolean; missing?: boolean } | null;
  lastSearch?: string;
}

export const initialUi = (): UiState => ({
  pane: 'migrations',
  sel: { checklist: 0, migrations: 0, locks: 0, gauges: 0 },
  follow: true,
  overlay: null,
  search: null,
});

export const rowCount = (s: ConsoleState, pane: Pane): number =>
  pane === 'checklist'
    ? s.checklist.items.length
    : pane === 'migrations'
      ? s.migrations.items.length
      : pane === 'locks'
        ? s.locks.rows.length
        : 0;

/** The running migration, else the first that still needs something done, else the last. */
export function followIndex(items: MigrationView[]): number {
  const running = items.findIndex((m) => m.state === 'running');
  if (running >= 0) return running;
  const next = items.findIndex((m) => m.state !== 'applied');
  return next >= 0 ? next : Math.max(0, items.length - 1);
}

const clamp = (i: number, n: number) => (n === 0 ? 0 : Math.max(0, Math.min(n - 1, i)));

export function selectedIndex(ui: UiState, s: ConsoleState, pane: Pane): number {
  const n = rowCount(s, pane);
  if (pane === 'migrations' && ui.follow) return followIndex(s.migrations.items);
  // A selected session that left the pane selects nothing: the cursor never lands on another
  // session by itself (C or K would signal a session the DBA did not choose).
  if (pane === 'locks' && ui.lockPid !== undefined) return s.locks.rows.findIndex((r) => r.pid === ui.lockPid);
  return clamp(ui.sel[pane], n);
}

/** The pid the DBA selected in the Locks pane when it is no longer there, else undefined. */
export function goneLockPid(ui: UiState, s: ConsoleState): number | undefined {
  if (ui.lockPid === undefined || !s.locks.available) return undefined;
  return s.locks.rows.some((r) => r.pid === ui.lockPid) ? undefined : ui.lockPid;
}

/**
 * Entering the Locks pane selects afresh, as a cursor move does: the session under the cursor is
 * held by pid from then on (a session selected earlier that has gone since is not kept).
 */
export function holdLockSelection(ui: UiState, s: ConsoleState): UiState {
  if (ui.pane !== 'locks' || (ui.lockPid !== undefined && goneLockPid(ui, s) === undefined)) return ui;
  return { ...ui, lockPid: s.locks.rows[clamp(ui.sel.locks, s.locks.rows.length)]?.pid };
}

/** The selection set to row i of a pane (the DBA moved it: the Migrations pane stops following). */
export function select(ui: UiState, s: ConsoleState, pane: Pane, i: number): UiState {
  const at = clamp(i, rowCount(s, pane));
  return {
    ...ui,
    sel: { ...ui.sel, [pane]: at },
    ...(pane === 'migrations' ? { follow: false } : {}),
    ...(pane === 'locks' ? { lockPid: s.locks.rows[at]?.pid } : {}),
  };
}

export type Move = 'up' | 'down' | 'top' | 'bottom' | 'page-up' | 'page-down';

export function moveSelection(ui: UiState, s: ConsoleState, move: Move, page: number): UiState {
  const pane = ui.pane;
  const n = rowCount(s, pane);
  // From a session that is gone, the cursor starts again where the DBA last had it.
  const at = selectedIndex(ui, s, pane);
  const i = at >= 0 ? at : clamp(ui.sel[pane], n);
  const to = {
    up: i - 1,
    down: i + 1,
    top: 0,
    bottom: n - 1,
    'page-up': i - Math.max(1, page),
    'page-down': i + Math.max(1, page),
  }[move];
  return select(ui, s, pane, to);
}

/** The next migration (from `from`, wrapping) whose name contains the text, case-insensitive; -1 if none. */
export function findMigration(items: MigrationView[], text: string, from: number): number {
  const t = text.toLowerCase();
  if (!t) return -1;
  for (let k = 0; k < items.length; k++) {
    const i = (from + k) % items.length;
    if (items[i]!.name.toLowerCase().includes(t)) return i;
  }
  return -1;
}
