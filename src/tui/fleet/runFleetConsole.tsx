// `console --fleet` from start to quit: the Fleet pane, and from it (Enter) a target's own console,
// read-only, until Esc or q brings the Fleet pane back on the same row. Each screen is an Ink app of
// its own, so only one of them reads the keyboard at a time.
import { render } from 'ink';
import type { FleetWatch } from '../../operations/fleetWatch.js';
import { App } from '../components/App.js';
import { FleetPane } from './FleetPane.js';
import { connectTargetConsole } from './targetConsole.js';

export async function runFleetConsole(watch: FleetWatch, refreshMs: number, rows: number): Promise<void> {
  let selected: string | undefined;
  let error: string | undefined;
  for (;;) {
    let open: string | undefined;
    const fleet = render(
      <FleetPane
        watch={watch}
        refreshMs={refreshMs}
        rows={rows}
        selected={selected}
        onOpen={(name) => (open = name)}
        message={error}
      />,
    );
    await fleet.waitUntilExit();
    fleet.clear();
    if (!open) return;
    selected = open;
    error = undefined;
    try {
      const controller = await connectTargetConsole(watch, open, refreshMs);
      let done!: () => void;
      const closed = new Promise<void>((r) => (done = r));
      const target = render(<App model={controller} onQuit={done} onBack={done} />, { exitOnCtrlC: false });
      await closed;
      target.clear();
      target.unmount();
      await controller.close().catch(() => undefined);
    } catch (err) {
      error = `${open}: ${(err as Error).message}`;
    }
  }
}
