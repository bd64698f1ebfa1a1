// The console's screen: header, four panes, message line, footer; help, details and dialogs take
// the pane area. It renders from the model's plain state and sends keys through the key table.
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { Box, Text, useInput, type Key } from 'ink';
import Spinner from 'ink-spinner';
import { bindingFor, footerHints, PANES, type KeyContext, type Pane } from '../keys.js';
import { layout, type Size } from '../layout.js';
import { Lines, seg, type Line } from '../lines.js';
import { useTerminalSize } from '../hooks/useTerminalSize.js';
import { useClock } from '../hooks/useClock.js';
import { checklistPane } from './checklistPane.js';
import { migrationsPane } from './migrationsPane.js';
import { locksPane } from './locksPane.js';
import { gaugesPane } from './gaugesPane.js';
import { footerLine, headerLine, messageLine } from './chrome.js';
import { detailsView, dialogView, helpView } from './overlays.js';
import { dialogKey, openDialog, type DialogSpec, type DialogState } from '../dialog.js';
import type { ConsoleModel, Details, Selection } from '../model.js';
import type { ConsoleState } from '../state.js';
import { colour } from '../theme.js';

type Overlay = null | { kind: 'help' } | { kind: 'details'; details: Details; scroll: number } | { kind: 'dialog'; dialog: DialogState };

export interface AppProps {
  model: ConsoleModel;
  /** Fixed terminal size (tests); otherwise the real terminal's, following resizes. */
  size?: Size;
  onQuit: () => void;
  minFreeDiskPercent?: number;
  /** Header clock (tests freeze it). */
  clock?: Date;
}

const rowCount = (s: ConsoleState, pane: Pane): number =>
  pane === 'checklist' ? s.checklist.items.length : pane === 'migrations' ? s.migrations.items.length : pane === 'locks' ? s.locks.rows.length : 0;

export function selectionOf(s: ConsoleState, pane: Pane, sel: Record<Pane, number>): Selection {
  const i = (p: Pane) => Math.max(0, Math.min(sel[p], rowCount(s, p) - 1));
  return {
    pane,
    migration: s.migrations.items[i('migrations')],
    lock: s.locks.rows[i('locks')],
    item: s.checklist.items[i('checklist')],
  };
}

export function keyContext(s: ConsoleState, selection: Selection): KeyContext {
  return {
    pane: selection.pane,
    mode: s.header.mode,
    running: s.migrations.running,
    runnable: s.migrations.items.filter((m) => m.state === 'pending' || m.state === 'rolled-back').length,
    lockedByOther: Boolean(s.migrations.otherRunner),
    migration: selection.pane === 'migrations' ? selection.migration : undefined,
    lock: selection.pane === 'locks' ? selection.lock : undefined,
    item: selection.pane === 'checklist' ? selection.item : undefined,
  };
}

export function App({ model, size: fixedSize, onQuit, minFreeDiskPercent = 20, clock }: AppProps) {
  const state = useSyncExternalStore(model.subscribe, model.getState, model.getState);
  const size = useTerminalSize(fixedSize);
  const liveClock = useClock(!clock);
  const now = clock ?? liveClock;
  const [pane, setPaneState] = useState<Pane>('migrations');
  const [sel, setSel] = useState<Record<Pane, number>>({ checklist: 0, migrations: 0, locks: 0, gauges: 0 });
  const [overlay, setOverlayState] = useState<Overlay>(null);
  // Keys can arrive faster than React re-renders (a burst over SSH: Esc then Tab in one packet), so
  // the key handler reads the overlay and pane from refs that change the moment a key changes them,
  // not from the last render: otherwise the Tab after an Esc went to the overlay that Esc closed.
  const overlayRef = useRef(overlay);
  const setOverlay = useCallback((o: Overlay) => {
    overlayRef.current = o;
    setOverlayState(o);
  }, []);
  const paneRef = useRef(pane);
  const setPane = useCallback((p: Pane) => {
    paneRef.current = p;
    setPaneState(p);
  }, []);

  // The refresh pauses while a dialog is open, so the row under the cursor does not move.
  useEffect(() => {
    model.setPaused(overlay?.kind === 'dialog');
  }, [model, overlay?.kind]);

  const selection = selectionOf(state, pane, sel);
  const kc = keyContext(state, selection);

  const showDialog = useCallback((spec: DialogSpec) => setOverlay({ kind: 'dialog', dialog: openDialog(spec) }), []);

  const quit = useCallback(() => {
    if (!model.isRunning()) return onQuit();
    showDialog({
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
  }, [model, onQuit, showDialog]);

  const move = (delta: number) => {
    const n = rowCount(state, pane);
    setSel((s) => ({ ...s, [pane]: n === 0 ? 0 : Math.max(0, Math.min(n - 1, Math.min(s[pane], n - 1) + delta)) }));
  };

  const onKey = (input: string, key: Key) => {
    const o = overlayRef.current;
    if (o?.kind === 'help') {
      setOverlay(null);
      return;
    }
    if (o?.kind === 'details') {
      const page = Math.max(1, layout(size, { migrations: state.migrations.items.length }).body - 3);
      if (key.escape || key.return || input === 'q' || (key.ctrl && input === 'c')) setOverlay(null);
      else if (key.upArrow || input === 'k') setOverlay({ ...o, scroll: Math.max(0, o.scroll - 1) });
      else if (key.downArrow || input === 'j') setOverlay({ ...o, scroll: o.scroll + 1 });
      else if (key.pageUp) setOverlay({ ...o, scroll: Math.max(0, o.scroll - page) });
      else if (key.pageDown || input === ' ') setOverlay({ ...o, scroll: o.scroll + page });
      return;
    }
    if (o?.kind === 'dialog') {
      const r = dialogKey(o.dialog, {
        input,
        return: key.return,
        escape: key.escape,
        tab: key.tab,
        left: key.leftArrow,
        right: key.rightArrow,
        backspace: key.backspace || key.delete,
        ctrl: key.ctrl,
      });
      if ('next' in r) {
        setOverlay({ kind: 'dialog', dialog: r.next });
        return;
      }
      setOverlay(null);
      if (r.outcome === 'confirm') o.dialog.spec.onConfirm(r.text);
      else {
        o.dialog.spec.onCancel?.();
        model.say('cancelled: nothing was done', 'info');
      }
      return;
    }
    const b = bindingFor(input, key);
    if (!b) return;
    if (!b.applies(kc)) {
      const other = state.migrations.otherRunner;
      if (other && ['run-next', 'run-all', 'skip', 'rollback'].includes(b.action)) {
        model.say(`${b.label} (${b.hint}): another run holds the migration lock: pid ${other.pid} (${other.application || 'unnamed'}, ${other.user}${other.since ? `, since ${other.since.slice(11, 19)}` : ''}); wait for it to finish`, 'warn');
      } else model.say(`${b.label} (${b.hint}) applies when ${b.when}`, 'info');
      return;
    }
    switch (b.action) {
      case 'next-pane':
      case 'prev-pane': {
        const i = PANES.indexOf(paneRef.current);
        setPane(PANES[(i + (b.action === 'next-pane' ? 1 : PANES.length - 1)) % PANES.length]!);
        return;
      }
      case 'up':
        return move(-1);
      case 'down':
        return move(1);
      case 'help':
        setOverlay({ kind: 'help' });
        return;
      case 'quit':
        quit();
        return;
      case 'details':
        model.details(selection).then(
          (d) => setOverlay({ kind: 'details', details: d, scroll: Math.max(0, (d.focusLine ?? 0) - 3) }),
          (err: unknown) => model.say(`details: ${(err as Error).message}`, 'error'),
        );
        return;
      default: {
        model.request(b.action, selection).then(
          (spec) => spec && showDialog(spec),
          (err: unknown) => model.say((err as Error).message, 'error'),
        );
      }
    }
  };

  // Ink re-subscribes a changed handler only after the render's effects run; a key arriving in
  // between would meet the previous render's handler (and act on the row the cursor just left).
  // One stable handler that calls the latest one closes that window.
  const onKeyRef = useRef(onKey);
  onKeyRef.current = onKey;
  const stableOnKey = useCallback((input: string, key: Key) => onKeyRef.current(input, key), []);
  useInput(stableOnKey);

  const L = layout(size, { migrations: state.migrations.items.length });
  const lines: { left: Line[]; right: Line[] } | { full: Line[] } = (() => {
    if (overlay?.kind === 'help') return { full: helpView(L.width, L.body) };
    if (overlay?.kind === 'details') return { full: detailsView(overlay.details, overlay.scroll, L.width, L.body) };
    if (overlay?.kind === 'dialog') return { full: dialogView(overlay.dialog, L.width, L.body) };
    const i = (p: Pane) => Math.max(0, Math.min(sel[p], rowCount(state, p) - 1));
    return {
      left: [
        ...checklistPane(state.checklist, i('checklist'), L.left, L.checklist, pane === 'checklist', L.roomy),
        ...migrationsPane(state.migrations, i('migrations'), L.left, L.migrations, pane === 'migrations', L.migrationExtra),
      ],
      right: [
        ...locksPane(state.locks, i('locks'), L.right, L.locks, pane === 'locks', L.roomy),
        ...gaugesPane(state.gauges, L.right, L.gauges, pane === 'gauges', minFreeDiskPercent),
      ],
    };
  })();

  const message = messageLine(state, '');
  return (
    <Box flexDirection="column" width={L.width} height={L.height}>
      <Lines lines={[headerLine(state.header, L.width, now)]} w={L.width} />
      {L.tooSmall && L.body < 8 ? (
        <Lines lines={[[seg(` The console needs at least 80x24; this terminal is ${size.columns}x${size.rows}.`, { color: 'yellow' })]]} w={L.width} />
      ) : 'full' in lines ? (
        <Lines lines={lines.full} w={L.width} />
      ) : (
        <Box flexDirection="row" height={L.body}>
          <Lines lines={lines.left} w={L.left} />
          <Lines lines={lines.right} w={L.right} />
        </Box>
      )}
      <Box height={1} width={L.width} overflow="hidden">
        {state.busy ? (
          <Text wrap="truncate">
            <Text color={colour('cyan')}> <Spinner type="line" /> </Text>
            {state.busy}
          </Text>
        ) : (
          <Lines lines={[message]} w={L.width} />
        )}
      </Box>
      <Lines lines={[footerLine(footerHints(kc), L.width)]} w={L.width} />
    </Box>
  );
}
