// The one key table of the console, as data: for every key its action, help sentence, the operation
// whose question confirms it (how is the operation's to say: operations/questions.ts), the panes where
// it applies, and whether another run holding the migration lock refuses it. The help screen, the
// footer, the details view's and the dialogs' keys (viewKeys.ts), the refusal messages and the key
// tests are all generated from it, so a key cannot do one thing while its help says another.
import type { Key } from 'ink';
import { consoleKillRefusal, goneRefusal } from '../operations/killTargets.js';
import { ASKS, type AskShape } from '../operations/questions.js';
import { plain, scoped, type ActionId, type KeyBinding, type KeyContext, type Pane, type Scope } from './keyBinding.js';
import { DETAILS_KEYS, DIALOG_KEYS, SEARCH_KEYS } from './viewKeys.js';

export { PANES, type ActionId, type KeyBinding, type KeyContext, type Pane, type Scope } from './keyBinding.js';
export { DETAILS_KEYS, DIALOG_KEYS, SEARCH_KEYS } from './viewKeys.js';

const writes = (c: KeyContext) => c.mode !== 'plan' && !c.running && !c.noProject;
const onMigration = (states: string[]) => (c: KeyContext) =>
  writes(c) && !!c.migration && states.includes(c.migration.state);
const LISTS: readonly Pane[] = ['checklist', 'migrations', 'locks'];
// C and K: a session other than the console's own, selected and still there.
const signalable = (c: KeyContext) =>
  !!c.lock && c.mode !== 'plan' && c.goneLockPid === undefined && !consoleKillRefusal(c.lock);

/** How a key's operation confirms, as its question will ask (none: the key asks nothing). */
export function askShape(b: KeyBinding): AskShape | undefined {
  return b.asks ? ASKS[b.asks] : undefined;
}

export const KEYS: readonly KeyBinding[] = scoped('panes', [
  {
    label: 'r',
    action: 'run-next',
    hint: 'run next',
    asks: 'run',
    footer: true,
    takesMigrationLock: true,
    help: 'run the next pending migration (the dialog shows its locks, plan findings and blockers)',
    when: 'a migration is pending and no run is going',
    also: (c) => writes(c) && c.runnable > 0 && !c.hold,
    matches: plain('r'),
  },
  {
    label: 'R',
    action: 'run-all',
    hint: 'run all',
    asks: 'run',
    footer: true,
    takesMigrationLock: true,
    help: 'run all pending migrations in order; stops at a failure',
    when: 'a migration is pending and no run is going',
    also: (c) => writes(c) && c.runnable > 0 && !c.hold,
    matches: plain('R'),
  },
  {
    label: 's',
    action: 'skip',
    hint: 'skip',
    asks: 'skip',
    footer: true,
    takesMigrationLock: true,
    panes: ['migrations'],
    help: 'skip the selected migration: mark it applied, with a reason',
    when: 'Migrations pane, a pending, failed or rolled-back migration selected',
    also: onMigration(['pending', 'failed', 'rolled-back']),
    matches: plain('s'),
  },
  {
    label: 'b',
    action: 'rollback',
    hint: 'roll back',
    asks: 'rollback',
    footer: true,
    takesMigrationLock: true,
    panes: ['migrations'],
    help: 'roll back the selected migration (down.sql), needs y',
    when: 'Migrations pane, an applied or failed migration selected',
    also: onMigration(['applied', 'failed']),
    matches: plain('b'),
  },
  {
    label: 'C',
    action: 'cancel-query',
    hint: 'cancel query',
    asks: 'cancel',
    footer: true,
    panes: ['locks'],
    help: "cancel the selected session's query (pg_cancel_backend)",
    when: 'Locks pane, a session selected',
    also: signalable,
    matches: plain('C'),
  },
  {
    label: 'K',
    action: 'terminate',
    hint: 'kill session',
    asks: 'terminate',
    footer: true,
    panes: ['locks'],
    help: 'terminate the selected session (pg_terminate_backend), needs y',
    when: 'Locks pane, a session selected',
    also: signalable,
    matches: plain('K'),
  },
  {
    label: 'v',
    action: 'verify',
    hint: 'verify',
    footer: true,
    help: "verify applied migrations' expected changes and integrity",
    when: 'no run is going',
    also: (c) => !c.running,
    matches: plain('v'),
  },
  {
    label: 'c',
    action: 'confirm-item',
    hint: 'confirm item',
    footer: true,
    panes: ['checklist'],
    help: 'confirm the selected manual checklist item (journalled)',
    when: 'Checklist pane, a manual item selected',
    also: (c) => c.item?.status === 'manual',
    matches: plain('c'),
  },
  {
    label: 'B',
    action: 'backup',
    hint: 'backup',
    footer: true,
    help: 'take a backup (pg_dump), verified by a restore into scratch',
    when: 'no run is going',
    also: (c) => writes(c),
    matches: plain('B'),
  },
  {
    label: 'a',
    action: 'run-action',
    hint: 'run action',
    asks: 'action',
    footer: true,
    panes: ['checklist'],
    help: 'run the runbook action that does the selected item (e.g. workers-stop), then check it',
    when: 'Checklist pane, an item a runbook action does',
    also: (c) => !!c.item?.action && writes(c),
    matches: plain('a'),
  },
  {
    label: 'P',
    action: 'performance',
    hint: 'performance',
    help: "the guide's performance validation: largest tables, new indexes' use, slow statements",
    when: 'no run is going',
    also: (c) => !c.running && c.mode !== 'plan',
    matches: plain('P'),
  },
  {
    label: 'L',
    action: 'hold-limit',
    hint: 'lag limit',
    footer: true,
    help: 'change the standby replay-lag limit the running run holds at (this run only; journalled)',
    when: 'a run with a lag limit (--max-lag) is going',
    also: (c) => c.running && !!c.lagLimit,
    matches: plain('L'),
  },
  {
    label: 'Enter',
    action: 'details',
    hint: 'details',
    footer: true,
    help: 'details: full SQL (statement marked), evidence, full query',
    when: 'something is selected',
    also: (c) =>
      (c.pane === 'migrations' && !!c.migration) ||
      (c.pane === 'locks' && !!c.lock) ||
      (c.pane === 'checklist' && !!c.item) ||
      c.pane === 'gauges',
    matches: (_i, k) => k.return,
  },
  {
    label: 'Tab',
    action: 'next-pane',
    hint: 'next pane',
    help: 'move to the next pane',
    when: 'always',
    matches: (_i, k) => k.tab && !k.shift,
  },
  {
    label: 'Shift-Tab',
    action: 'prev-pane',
    hint: 'previous pane',
    help: 'move to the previous pane',
    when: 'always',
    matches: (_i, k) => k.tab && k.shift,
  },
  {
    label: '↑/k',
    action: 'up',
    hint: 'up',
    help: 'select the previous row of the pane',
    when: 'always',
    matches: (i, k) => k.upArrow || plain('k')(i, k),
  },
  {
    label: '↓/j',
    action: 'down',
    hint: 'down',
    help: 'select the next row of the pane',
    when: 'always',
    matches: (i, k) => k.downArrow || plain('j')(i, k),
  },
  {
    label: 'Home/g',
    action: 'top',
    hint: 'first',
    panes: LISTS,
    help: 'select the first row of the list',
    when: 'a list pane',
    matches: (i, k) => k.home || plain('g')(i, k),
  },
  {
    label: 'End/G',
    action: 'bottom',
    hint: 'last',
    panes: LISTS,
    help: 'select the last row of the list',
    when: 'a list pane',
    matches: (i, k) => k.end || plain('G')(i, k),
  },
  {
    label: 'PgUp',
    action: 'page-up',
    hint: 'page up',
    panes: LISTS,
    help: 'move the selection one screen up',
    when: 'a list pane',
    matches: (_i, k) => k.pageUp,
  },
  {
    label: 'PgDn',
    action: 'page-down',
    hint: 'page down',
    panes: LISTS,
    help: 'move the selection one screen down',
    when: 'a list pane',
    matches: (_i, k) => k.pageDown,
  },
  {
    label: '/',
    action: 'search',
    hint: 'search',
    help: 'find a migration by name (type part of it; Enter keeps, Esc goes back)',
    when: 'always',
    matches: plain('/'),
  },
  {
    label: 'n',
    action: 'search-next',
    hint: 'next match',
    panes: ['migrations'],
    help: 'select the next migration matching the last search',
    when: 'Migrations pane, after a search',
    also: (c) => !!c.searched,
    matches: plain('n'),
  },
  { label: '?', action: 'help', hint: 'help', help: 'this help (Esc closes it)', when: 'always', matches: plain('?') },
  {
    label: 'Esc',
    action: 'back',
    hint: 'back to the fleet',
    footer: true,
    help: 'back to the Fleet pane (q too)',
    when: 'a target opened from console --fleet',
    also: (c) => Boolean(c.fromFleet),
    matches: (_i, k) => k.escape,
  },
  {
    label: 'q',
    action: 'quit',
    hint: 'quit',
    footer: true,
    help: 'quit; during a run asks, then stops it cleanly (Ctrl-C too)',
    when: 'always',
    matches: (i, k) => plain('q')(i, k) || (i === 'c' && k.ctrl),
  },
]);

/** `console --fleet`'s Fleet pane: a row per target; Enter opens the target's own console, read-only. */
export const FLEET_KEYS: readonly KeyBinding[] = scoped('fleet', [
  {
    label: '↑/k',
    action: 'up',
    hint: 'up',
    help: 'select the target above',
    when: 'always',
    matches: (i, k) => k.upArrow || plain('k')(i, k),
  },
  {
    label: '↓/j',
    action: 'down',
    hint: 'down',
    help: 'select the target below',
    when: 'always',
    matches: (i, k) => k.downArrow || plain('j')(i, k),
  },
  {
    label: 'Enter',
    action: 'open-target',
    hint: 'open',
    footer: true,
    help: "open the selected target's own console, read-only (as --plan: every key that writes refuses); Esc or q comes back",
    when: 'a target is selected',
    matches: (_i, k) => k.return,
  },
  {
    label: 'f',
    action: 'fleet-filter',
    hint: 'filter',
    footer: true,
    help: 'show only the targets in the next state (all, pending, running, …)',
    when: 'always',
    matches: plain('f'),
  },
  {
    label: 'p',
    action: 'fleet-pause',
    hint: 'pause',
    footer: true,
    help: "pause the fleet: no new target starts in any runner, running ones finish (the fleet's journal records it)",
    when: 'always',
    matches: plain('p'),
  },
  {
    label: 'r',
    action: 'fleet-resume',
    hint: 'resume',
    footer: true,
    help: 'resume the fleet (journalled)',
    when: 'always',
    matches: plain('r'),
  },
  {
    label: 'q',
    action: 'quit',
    hint: 'quit',
    footer: true,
    help: 'quit the console (the runners go on)',
    when: 'always',
    matches: (i, k) => plain('q')(i, k) || (i === 'c' && k.ctrl),
  },
]);

const TABLES: Record<Scope, readonly KeyBinding[]> = {
  fleet: FLEET_KEYS,
  panes: KEYS,
  details: DETAILS_KEYS,
  dialog: DIALOG_KEYS,
  search: SEARCH_KEYS,
};

/** The binding a keypress means in a scope, whether or not it applies now. */
export function bindingFor(input: string, key: Key, scope: Scope = 'panes'): KeyBinding | undefined {
  return TABLES[scope].find((b) => b.matches(input, key));
}

export function bindingOf(action: ActionId, scope: Scope = 'panes'): KeyBinding {
  return TABLES[scope].find((b) => b.action === action)!;
}

/** Whether a pane key applies now: its panes, the migration lock, and its own condition. */
export function applies(b: KeyBinding, c: KeyContext): boolean {
  if (b.panes && !b.panes.includes(c.pane)) return false;
  if (b.takesMigrationLock && c.lockedByOther) return false;
  return b.also ? b.also(c) : true;
}

/** Why a key does not apply now, in the words the message line shows. */
export function refusal(
  b: KeyBinding,
  c: KeyContext,
  other?: { pid: number; application: string; user: string; since: string | null } | null,
): string {
  if (b.takesMigrationLock && other) {
    return `${b.label} (${b.hint}): another run holds the migration lock: pid ${other.pid} (${other.application || 'unnamed'}, ${other.user}${other.since ? `, since ${other.since.slice(11, 19)}` : ''}); wait for it to finish`;
  }
  if ((b.action === 'run-next' || b.action === 'run-all') && c.hold) return `${b.label} (${b.hint}): ${c.hold}`;
  if (c.noProject && (b.takesMigrationLock || b.action === 'backup' || b.action === 'run-action'))
    return `${b.label} (${b.hint}): ${c.noProject}`;
  // Everything that is refused in PLAN is refused for one reason: PLAN writes nothing.
  if ((b.action === 'cancel-query' || b.action === 'terminate') && c.pane === 'locks' && c.mode !== 'plan') {
    if (c.goneLockPid !== undefined) return `${b.label} (${b.hint}): ${goneRefusal(c.goneLockPid)}`;
    const own = c.lock && consoleKillRefusal(c.lock);
    if (own) return `${b.label} (${b.hint}): ${own}`;
  }
  if (c.mode === 'plan' && (b.dangerous || b.action === 'backup' || b.action === 'performance'))
    return `${b.label} (${b.hint}): PLAN is a dry run and writes nothing; open the console without --plan to do it`;
  return `${b.label} (${b.hint}) applies when ${b.when}`;
}

/** Footer hints: the action keys that apply now, and the navigation that always does (kept visible). */
export function footerHints(c: KeyContext): { actions: string[]; always: string[] } {
  const actions = KEYS.filter((b) => b.footer && applies(b, c) && b.action !== 'quit').map(
    (b) => `${b.label} ${b.hint}`,
  );
  return { actions, always: ['Tab pane', '/ find', '? help', 'q quit'] };
}

/** The keys of a scope as one line ("↑↓ PgUp PgDn scroll  Esc close"), for views that show their own keys. */
export function keyLine(scope: Scope, actions: ActionId[]): string {
  return actions
    .map((a) => bindingOf(a, scope))
    .map((b) => `${b.label} ${b.hint}`)
    .join('  ');
}

const ALL_KEYS = [KEYS, DETAILS_KEYS, DIALOG_KEYS, SEARCH_KEYS].flat();
const HELP_KEY_WIDTH = Math.max(...ALL_KEYS.map((k) => k.label.length)) + 1;
/** Where a key's help text starts: its wrapped lines continue there (the key column, then "! "). */
export const HELP_HANG = HELP_KEY_WIDTH + 2;

/** The help text, generated from the table: one line per key, grouped by where it is read. */
export function helpLines(roomy: boolean): string[] {
  const out: string[] = [];
  const section = (title: string, table: readonly KeyBinding[]) => {
    out.push(`── ${title} ──`);
    const w = HELP_KEY_WIDTH;
    for (const k of table)
      out.push(`${k.label.padEnd(w)}${k.dangerous ? '! ' : '  '}${k.help}${roomy || k.panes ? `  (${k.when})` : ''}`);
  };
  section('Panes', KEYS);
  section('Details and help views', DETAILS_KEYS);
  section('Dialogs', DIALOG_KEYS);
  section('Search (/)', SEARCH_KEYS);
  out.push('', askedHow());
  return out;
}

/** The help's last line: how the ! keys confirm, from their operations' questions. */
function askedHow(): string {
  const labels = (keep: (a: AskShape) => boolean) => {
    const l = KEYS.filter((b) => b.asks && keep(ASKS[b.asks])).map((b) => b.label);
    return l.length > 1 ? `${l.slice(0, -1).join(', ')} and ${l.at(-1)}` : (l[0] ?? '');
  };
  const y = labels((a) => a.kind === 'y' && a.deliberate);
  const reason = labels((a) => a.kind === 'reason');
  return `! asks first, default Cancel${y ? `; ${y} need y` : ''}${reason ? `; ${reason} a reason typed` : ''}; on a LIVE database ${labels((a) => a.irreversible)} need the database name typed.`;
}
