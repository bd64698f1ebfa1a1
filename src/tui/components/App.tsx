// The console's screen: header, four panes, message line, footer; help, details and dialogs take
// the pane area. It renders from the model's plain state and the UI state the keys change
// (hooks/useConsoleKeys.ts, where every key goes through the key table).
import { useSyncExternalStore } from 'react';
import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import { footerHints, type Pane } from '../keys.js';
import { layout, type Layout, type Size } from '../layout.js';
import { Lines, seg, type Line } from '../lines.js';
import { useTerminalSize } from '../hooks/useTerminalSize.js';
import { useClock } from '../hooks/useClock.js';
import { keyContext, selectionOf, useConsoleKeys } from '../hooks/useConsoleKeys.js';
import { checklistPane } from './checklistPane.js';
import { migrationsPane } from './migrationsPane.js';
import { locksPane } from './locksPane.js';
import { gaugesPane, replicationLineCount } from './gaugesPane.js';
import { footerLine, headerLine, messageLine, searchLine } from './chrome.js';
import { detailsView, dialogView, wrappedDetails } from './overlays.js';
import { selectedIndex, type UiState } from '../navigation.js';
import type { ConsoleModel } from '../model.js';
import type { ConsoleState } from '../state.js';
import { colour } from '../theme.js';

export { selectionOf, keyContext };

export interface AppProps {
  model: ConsoleModel;
  /** Fixed terminal size (tests); otherwise the real terminal's, following resizes. */
  size?: Size;
  onQuit: () => void;
  /** A fleet target's console (console --fleet, Enter): Esc goes back to the Fleet pane. */
  onBack?: () => void;
  minFreeDiskPercent?: number;
  /** Header clock (tests freeze it). */
  clock?: Date;
}

/** Rows a PgUp/PgDn moves: what the pane shows. */
const pageOf = (L: Layout) => (pane: Pane) =>
  Math.max(
    1,
    (pane === 'checklist' ? L.checklist : pane === 'migrations' ? L.migrations - L.migrationExtra : L.locks) - 3,
  );

function panes(
  state: ConsoleState,
  ui: UiState,
  L: Layout,
  minFreeDiskPercent: number,
): { left: Line[]; right: Line[] } {
  const i = (p: Pane) => selectedIndex(ui, state, p);
  return {
    left: [
      ...checklistPane(state.checklist, i('checklist'), L.left, L.checklist, ui.pane === 'checklist', L.roomy),
      ...migrationsPane(
        state.migrations,
        i('migrations'),
        L.left,
        L.migrations,
        ui.pane === 'migrations',
        L.migrationExtra,
      ),
    ],
    right: [
      ...locksPane(state.locks, i('locks'), L.right, L.locks, ui.pane === 'locks', L.roomy),
      ...gaugesPane(state.gauges, L.right, L.gauges, ui.pane === 'gauges', minFreeDiskPercent),
    ],
  };
}

export function App({ model, size: fixedSize, onQuit, onBack, minFreeDiskPercent = 20, clock }: AppProps) {
  const state = useSyncExternalStore(model.subscribe, model.getState, model.getState);
  const size = useTerminalSize(fixedSize);
  const liveClock = useClock(!clock);
  const now = clock ?? liveClock;
  const L = layout(size, {
    migrations: state.migrations.items.length,
    checklist: state.checklist.items,
    replication: replicationLineCount(state.gauges),
  });
  const ui = useConsoleKeys({
    model,
    state,
    onQuit,
    onBack,
    page: pageOf(L),
    detailsPage: Math.max(1, L.body - 3),
    detailsLength: (lines, hang) => wrappedDetails(lines, L.width, hang).length,
    roomy: L.roomy,
  });
  const kc = keyContext(state, selectionOf(state, ui), ui, Boolean(onBack));

  const o = ui.overlay;
  const lines =
    o?.kind === 'details'
      ? { full: detailsView(o.details, o.scroll, L.width, L.body) }
      : o?.kind === 'dialog'
        ? { full: dialogView(o.dialog, L.width, L.body) }
        : panes(state, ui, L, minFreeDiskPercent);
  const bottom = ui.search ? searchLine(ui.search.text, ui.search.missing) : messageLine(state, '');
  return (
    <Box flexDirection="column" width={L.width} height={L.height}>
      <Lines lines={[headerLine(state.header, L.width, now)]} w={L.width} />
      {L.tooSmall && L.body < 8 ? (
        <Lines
          lines={[
            [
              seg(` The console needs at least 80x24; this terminal is ${size.columns}x${size.rows}.`, {
                color: 'yellow',
              }),
            ],
          ]}
          w={L.width}
        />
      ) : 'full' in lines ? (
        <Lines lines={lines.full} w={L.width} />
      ) : (
        <Box flexDirection="row" height={L.body}>
          <Lines lines={lines.left} w={L.left} />
          <Lines lines={lines.right} w={L.right} />
        </Box>
      )}
      <Box height={1} width={L.width} overflow="hidden">
        {state.busy && !ui.search ? (
          <Text wrap="truncate">
            <Text color={colour('cyan')}>
              {' '}
              <Spinner type="line" />{' '}
            </Text>
            {state.busy}
          </Text>
        ) : (
          <Lines lines={[bottom]} w={L.width} />
        )}
      </Box>
      <Lines lines={[footerLine(footerHints(kc), L.width)]} w={L.width} />
    </Box>
  );
}
