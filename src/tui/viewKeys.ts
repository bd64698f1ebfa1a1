// The keys of the details and help views, of a dialog and of the search line: scrolled text,
// confirmations and the search, each read only where it is open.
import { plain, scoped, type KeyBinding } from './keyBinding.js';

/** The details and help views: scrolled text. */
export const DETAILS_KEYS: readonly KeyBinding[] = scoped('details', [
  {
    label: 'Esc/Enter/q',
    action: 'close',
    hint: 'close',
    help: 'close the view',
    when: 'always',
    matches: (i, k) => k.escape || k.return || plain('q')(i, k) || (i === 'c' && k.ctrl),
  },
  {
    label: '↑/k',
    action: 'up',
    hint: 'up',
    help: 'scroll up a line',
    when: 'always',
    matches: (i, k) => k.upArrow || plain('k')(i, k),
  },
  {
    label: '↓/j',
    action: 'down',
    hint: 'down',
    help: 'scroll down a line',
    when: 'always',
    matches: (i, k) => k.downArrow || plain('j')(i, k),
  },
  {
    label: 'PgUp',
    action: 'page-up',
    hint: 'page up',
    help: 'scroll up a screen',
    when: 'always',
    matches: (_i, k) => k.pageUp,
  },
  {
    label: 'PgDn/Space',
    action: 'page-down',
    hint: 'page down',
    help: 'scroll down a screen',
    when: 'always',
    matches: (i, k) => k.pageDown || plain(' ')(i, k),
  },
  {
    label: 'Home/g',
    action: 'top',
    hint: 'top',
    help: 'go to the top',
    when: 'always',
    matches: (i, k) => k.home || plain('g')(i, k),
  },
  {
    label: 'End/G',
    action: 'bottom',
    hint: 'end',
    help: 'go to the end',
    when: 'always',
    matches: (i, k) => k.end || plain('G')(i, k),
  },
]);

/** Confirmation dialogs (which keys count depends on the dialog's confirmation kind). */
export const DIALOG_KEYS: readonly KeyBinding[] = scoped('dialog', [
  {
    label: 'Esc',
    action: 'dialog-cancel',
    hint: 'cancels',
    help: 'cancel: nothing is done',
    when: 'always',
    matches: (i, k) => k.escape || (i === 'c' && k.ctrl),
  },
  {
    label: 'Tab/←/→',
    action: 'dialog-switch',
    hint: 'choose',
    help: 'move between [Cancel] and the action',
    when: 'a dialog with buttons',
    matches: (i, k) => k.tab || k.leftArrow || k.rightArrow || plain('h', 'l')(i, k),
  },
  {
    label: 'Enter',
    action: 'dialog-activate',
    hint: 'activate',
    help: 'activate the selected button, or confirm what was typed',
    when: 'always',
    matches: (_i, k) => k.return,
  },
  {
    label: 'y',
    action: 'dialog-yes',
    hint: 'confirm',
    help: 'confirm a dialog that asks for y (any other key cancels it)',
    when: 'a dialog that asks for y',
    matches: plain('y', 'Y'),
  },
  {
    label: 'S',
    action: 'dialog-alternative',
    hint: 'safe form',
    help: 'in the run dialog: ask to run the safe form instead (as `run --rewrite`), with the same confirmation',
    when: 'a run dialog that shows a safe form, before anything is typed',
    matches: plain('S'),
  },
  {
    label: 'Backspace',
    action: 'dialog-erase',
    hint: 'erase',
    help: 'erase the last character typed',
    when: 'a dialog that asks for typed text',
    matches: (_i, k) => k.backspace || k.delete,
  },
  {
    label: '↑/PgUp',
    action: 'dialog-scroll-up',
    hint: 'scroll',
    help: 'scroll a long dialog up',
    when: 'a dialog longer than the screen',
    matches: (_i, k) => k.upArrow || k.pageUp,
  },
  {
    label: '↓/PgDn',
    action: 'dialog-scroll-down',
    hint: 'scroll',
    help: 'scroll a long dialog down',
    when: 'a dialog longer than the screen',
    matches: (_i, k) => k.downArrow || k.pageDown,
  },
]);

/** The search line. */
export const SEARCH_KEYS: readonly KeyBinding[] = scoped('search', [
  {
    label: 'Enter',
    action: 'search-accept',
    hint: 'keep',
    help: 'keep the selected match',
    when: 'always',
    matches: (_i, k) => k.return,
  },
  {
    label: 'Esc',
    action: 'search-cancel',
    hint: 'back',
    help: 'go back to where the selection was',
    when: 'always',
    matches: (i, k) => k.escape || (i === 'c' && k.ctrl),
  },
  {
    label: 'Backspace',
    action: 'search-erase',
    hint: 'erase',
    help: 'erase the last character typed',
    when: 'always',
    matches: (_i, k) => k.backspace || k.delete,
  },
]);
