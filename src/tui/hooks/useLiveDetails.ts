import { useEffect, type MutableRefObject } from 'react';
import type { ConsoleModel } from '../model.js';
import type { ConsoleState } from '../state.js';
import type { UiState } from '../navigation.js';

/**
 * The details view of a running migration is read again each second of its clock: "running, 9s"
 * ticks, and the marked statement follows the run, instead of the moment Enter was pressed.
 */
export function useLiveDetails(
  model: ConsoleModel,
  state: ConsoleState,
  ui: MutableRefObject<UiState>,
  set: (u: UiState) => void,
): void {
  const overlay = ui.current.overlay;
  const shown = overlay?.kind === 'details' ? overlay.details.title : undefined;
  const live =
    shown === undefined ? undefined : state.migrations.items.find((m) => m.name === shown && m.state === 'running');
  const tick = live ? `${live.name} ${Math.floor((live.durationMs ?? 0) / 1000)} ${live.statement?.index ?? ''}` : '';
  // biome-ignore lint/correctness/useExhaustiveDependencies: read again when the clock's second or the running statement changes (tick), not at every frame
  useEffect(() => {
    if (!live) return;
    void model.details({ pane: 'migrations', migration: live }).then(
      (d) => {
        const u = ui.current;
        if (u.overlay?.kind === 'details' && u.overlay.details.title === d.title)
          set({ ...u, overlay: { ...u.overlay, details: d } });
      },
      () => undefined,
    );
    // Read again when the clock's second or the running statement changes, not at every frame.
  }, [tick]);
}
