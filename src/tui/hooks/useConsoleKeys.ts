// The console's keyboard: one handler per place a key can be read (details or help view, dialog,
// search line, panes), each looking its key up in the key table of that place. Keys may arrive
// faster than React draws (a burst over SSH, keys typed ahead), so the UI state lives in a ref that
// every key reads and changes at once, and a run of printable characters arriving in one read
// ("jjjjj") is handled as that many keys.
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { useInput, type Key } from 'ink';
import { applies, bindingFor, HELP_HANG, helpLines, PANES, refusal, type KeyContext, type Pane } from '../keys.js';
import { dialogKey, openDialog, type DialogSpec } from '../dialog.js';
import { nextToRun } from '../../operations/next.js';
import {
  findMigration,
  goneLockPid,
  holdLockSelection,
  initialUi,
  moveSelection,
  rowCount,
  selectedIndex,
  type Move,
  type UiState,
} from '../navigation.js';
import type { ConsoleModel, Selection } from '../model.js';
import type { ConsoleState } from '../state.js';
import { useLiveDetails } from './useLiveDetails.js';

export function selectionOf(s: ConsoleState, ui: UiState): Selection {
  return {
    pane: ui.pane,
    migration: s.migrations.items[selectedIndex(ui, s, 'migrations')],
    lock: s.locks.rows[selectedIndex(ui, s, 'locks')],
    item: s.checklist.items[selectedIndex(ui, s, 'checklist')],
  };
}

export function keyContext(s: ConsoleState, selection: Selection, ui?: UiState, fromFleet = false): KeyContext {
  return {
    fromFleet,
    pane: selection.pane,
    mode: s.header.mode,
    running: s.migrations.running,
    runnable: nextToRun(s.migrations.items).length,
    lockedByOther: Boolean(s.migrations.otherRunner),
    migration: selection.pane === 'migrations' ? selection.migration : undefined,
    lock: selection.pane === 'locks' ? selection.lock : undefined,
    item: selection.pane === 'checklist' ? selection.item : undefined,
    searched: Boolean(ui?.lastSearch),
    goneLockPid: ui && selection.pane === 'locks' ? goneLockPid(ui, s) : undefined,
    hold: s.migrations.hold,
    lagLimit: Boolean(s.migrations.lagLimit),
    noProject: s.migrations.noProject,
  };
}

/** The keys of one read: a run of printable characters is that many keypresses. */
export function splitBurst(input: string, key: Key): [string, Key][] {
  const chars = [...input];
  if (chars.length <= 1 || key.ctrl || key.meta || /[\u0000-\u001f\u007f]/.test(input)) return [[input, key]];
  return chars.map((ch) => [ch, { ...key, shift: /[A-Z]/.test(ch) }]);
}

export interface KeyOptions {
  model: ConsoleModel;
  state: ConsoleState;
  onQuit: () => void;
  /** A fleet target's console: Esc goes back to the Fleet pane. */
  onBack?: () => void;
  /** Rows a page moves in a pane, and in the details view. */
  page: (pane: Pane) => number;
  detailsPage: number;
  /** Lines the details view shows for these details once wrapped to the screen. */
  detailsLength: (lines: string[], hang?: number) => number;
  roomy: boolean;
}

export function useConsoleKeys(o: KeyOptions): UiState {
  const ui = useRef<UiState>(initialUi());
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const opts = useRef(o);
  opts.current = o;
  const set = useCallback((next: UiState) => {
    ui.current = next;
    redraw();
  }, []);

  // Operations started by a key ask their questions later, as dialogs of this screen.
  useEffect(() => o.model.attachDialogs?.((spec) => handlers.current.showDialog(spec)), [o.model]);

  // The refresh pauses while a dialog is open, so the row under the cursor does not move.
  const dialogOpen = ui.current.overlay?.kind === 'dialog';
  useEffect(() => o.model.setPaused(dialogOpen), [o.model, dialogOpen]);

  // A run starting: the Migrations pane follows it again.
  const running = o.state.migrations.running;
  useEffect(() => {
    if (running && !ui.current.follow) set({ ...ui.current, follow: true });
  }, [running, set]);

  useLiveDetails(o.model, o.state, ui, set);

  // Keys held while a dangerous key's dialog is being prepared (null: none is).
  const held = useRef<[string, Key][] | null>(null);
  const quitting = useRef(false);
  const onKeyRef = useRef<(input: string, key: Key) => void>(() => undefined);

  const handlers = useRef({
    showDialog(spec: DialogSpec) {
      // A dialog read before a quit (r, then q) opens on nothing.
      if (quitting.current) return;
      set({ ...ui.current, overlay: { kind: 'dialog', dialog: openDialog(spec) } });
    },

    quit() {
      const { model, onQuit } = opts.current;
      if (!model.isRunning()) return onQuit();
      handlers.current.showDialog({
        title: 'Quit during a run?',
        lines: [
          'A migration is running. Quitting stops the run cleanly, as Ctrl-C does in `run`:',
          'the running statement is cancelled and its migration rolled back, so it is pending again.',
          'Migrations already applied in this run stay applied.',
        ],
        confirm: { kind: 'button', verb: 'Stop the run and quit' },
        onConfirm: () => {
          model.say('stopping the run…', 'warn');
          void model.stopRun().finally(onQuit);
        },
      });
    },

    /** The details and help views: scroll or close. */
    details(input: string, key: Key) {
      const o = ui.current.overlay;
      if (o?.kind !== 'details') return;
      const b = bindingFor(input, key, 'details');
      const page = opts.current.detailsPage;
      const end = Math.max(0, opts.current.detailsLength(o.details.lines, o.details.hang) - page);
      const scroll = (to: number) => set({ ...ui.current, overlay: { ...o, scroll: Math.max(0, Math.min(end, to)) } });
      switch (b?.action) {
        case 'close':
          return set({ ...ui.current, overlay: null });
        case 'up':
          return scroll(o.scroll - 1);
        case 'down':
          return scroll(o.scroll + 1);
        case 'page-up':
          return scroll(o.scroll - page);
        case 'page-down':
          return scroll(o.scroll + page);
        case 'top':
          return scroll(0);
        case 'bottom':
          return scroll(end);
      }
    },

    dialog(input: string, key: Key) {
      const o = ui.current.overlay;
      if (o?.kind !== 'dialog') return;
      const r = dialogKey(o.dialog, input, key);
      if ('next' in r) return set({ ...ui.current, overlay: { kind: 'dialog', dialog: r.next } });
      set({ ...ui.current, overlay: null });
      if (r.outcome === 'confirm' && o.dialog.spec.next) handlers.current.showDialog(o.dialog.spec.next);
      else if (r.outcome === 'confirm') o.dialog.spec.onConfirm(r.text);
      else {
        o.dialog.spec.onCancel?.();
        opts.current.model.say('cancelled: nothing was done', 'info');
      }
    },

    /** The search line: each character typed selects the first migration matching what is typed. */
    search(input: string, key: Key) {
      const u = ui.current;
      if (!u.search) return;
      const { state } = opts.current;
      const action = bindingFor(input, key, 'search')?.action;
      if (action === 'search-accept') return set({ ...u, search: null, lastSearch: u.search.text || u.lastSearch });
      if (action === 'search-cancel')
        return set({ ...u, search: null, follow: u.search.follow, sel: { ...u.sel, migrations: u.search.from } });
      let text = u.search.text;
      if (action === 'search-erase') text = text.slice(0, -1);
      else if (input && !key.ctrl && !key.meta && !/[\u0000-\u001f\u007f]/.test(input)) text += input;
      else return;
      const at = findMigration(state.migrations.items, text, u.search.from);
      set({
        ...u,
        search: { ...u.search, text, missing: Boolean(text) && at < 0 },
        ...(at >= 0 ? { follow: false, sel: { ...u.sel, migrations: at } } : {}),
      });
    },

    panes(input: string, key: Key) {
      const u = ui.current;
      const { state, model, page } = opts.current;
      const b = bindingFor(input, key, 'panes');
      if (!b) return;
      const selection = selectionOf(state, u);
      const kc = keyContext(state, selection, u, Boolean(opts.current.onBack));
      if (!applies(b, kc))
        return model.say(
          refusal(b, kc, state.migrations.otherRunner),
          b.takesMigrationLock && kc.lockedByOther ? 'warn' : 'info',
        );
      switch (b.action) {
        case 'next-pane':
        case 'prev-pane': {
          const i = PANES.indexOf(u.pane);
          return set(
            holdLockSelection(
              { ...u, pane: PANES[(i + (b.action === 'next-pane' ? 1 : PANES.length - 1)) % PANES.length]! },
              state,
            ),
          );
        }
        case 'up':
        case 'down':
        case 'top':
        case 'bottom':
        case 'page-up':
        case 'page-down':
          if (rowCount(state, u.pane) === 0) return;
          return set(moveSelection(u, state, b.action as Move, page(u.pane)));
        case 'search':
          return set({
            ...u,
            pane: 'migrations',
            search: { text: '', from: selectedIndex(u, state, 'migrations'), follow: u.follow },
          });
        case 'search-next': {
          const at = findMigration(
            state.migrations.items,
            u.lastSearch ?? '',
            selectedIndex(u, state, 'migrations') + 1,
          );
          if (at < 0) return model.say(`no migration name contains "${u.lastSearch}"`, 'warn');
          return set({ ...u, follow: false, sel: { ...u.sel, migrations: at } });
        }
        case 'help':
          return set({
            ...u,
            overlay: {
              kind: 'details',
              details: { title: 'Help: keys', lines: helpLines(opts.current.roomy), hang: HELP_HANG },
              scroll: 0,
            },
          });
        case 'quit':
          return handlers.current.quit();
        case 'back':
          return opts.current.onBack?.();
        case 'details':
          return void model.details(selection).then(
            (d) =>
              set({
                ...ui.current,
                overlay: { kind: 'details', details: d, scroll: Math.max(0, (d.focusLine ?? 0) - 3) },
              }),
            (err: unknown) => model.say(`details: ${(err as Error).message}`, 'error'),
          );
        default: {
          // A dangerous key's dialog opens once what it asks about is read: the keys typed
          // meanwhile (the y after K) wait for it, so they answer the dialog and not the panes.
          const request = model.request(b.action, selection).then(
            (spec) => spec && handlers.current.showDialog(spec),
            (err: unknown) => model.say((err as Error).message, 'error'),
          );
          if (b.dangerous) {
            held.current = [];
            void request.finally(() => {
              const keys = held.current ?? [];
              held.current = null;
              for (const [ch, k] of keys) onKeyRef.current(ch, k);
            });
          }
          return;
        }
      }
    },
  });

  const onKey = useCallback((input: string, key: Key) => {
    opts.current.model.keyPressed?.();
    for (const [ch, k] of splitBurst(input, key)) {
      if (held.current) {
        // A q before anything else was typed is the DBA leaving, not an answer to the coming dialog.
        if (!held.current.length && bindingFor(ch, k, 'panes')?.action === 'quit') {
          held.current = null;
          // During a run the quit's own question still opens; otherwise nothing more does.
          if (!opts.current.model.isRunning()) quitting.current = true;
          handlers.current.quit();
          continue;
        }
        held.current.push([ch, k]);
        continue;
      }
      const u = ui.current;
      const h = handlers.current;
      if (u.overlay?.kind === 'details') h.details(ch, k);
      else if (u.overlay?.kind === 'dialog') h.dialog(ch, k);
      else if (u.search) h.search(ch, k);
      else h.panes(ch, k);
    }
  }, []);
  onKeyRef.current = onKey;
  useInput(onKey);
  return ui.current;
}
