// Opens the console: connects first (a connection error is reported on the normal screen, exit 3),
// then the alternate screen and the Ink app; every way out restores the terminal: q, Ctrl-C,
// SIGTERM, SIGHUP (the SSH link dropped), a crash.
import { render } from 'ink';
import { App } from './components/App.js';
import type { ConsoleController, ControllerOptions } from './controller.js';
import { connectController } from './connect.js';
import { enterAltScreen, KeyboardInput, restoreTerminal } from './terminal.js';
import { ScreenWriter } from './screen.js';
import { redirectLibraryOutput } from './libraryOutput.js';

export interface ConsoleOptions extends ControllerOptions {
  /** Called after the console closed, on every path (the demo stops its sandbox here). */
  cleanup?: () => Promise<void>;
  /** Called once the controller is connected (the demo starts its traffic here). */
  onReady?: (controller: ConsoleController) => void;
}

const SIGNAL_CODES = { SIGTERM: 143, SIGHUP: 129, SIGINT: 130 } as const;

/** Runs the console until the DBA quits; `controller` may come connected already (connected while Ink loaded). */
export async function runConsole(opts: ConsoleOptions & { controller?: ConsoleController }): Promise<number> {
  const controller = opts.controller ?? (await connectController(opts));

  // After an SSH drop the terminal is gone: writes fail with EIO/EPIPE, which must not crash the cleanup.
  const ignore = () => undefined;
  process.stdout.on('error', ignore);
  enterAltScreen();
  const keyboard = new KeyboardInput(process.stdin);
  const screen = new ScreenWriter(process.stdout);
  // A library that logs while the console runs would scribble over the panes: its words go to the message line.
  const libraryOutput = redirectLibraryOutput((text, level) => controller.say(text, level));
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolveExit = r));

  const instance = render(
    <App
      model={controller}
      onQuit={() => resolveExit(0)}
      minFreeDiskPercent={controller.manifest?.thresholds.minFreeDiskPercent}
    />,
    {
      stdin: keyboard as unknown as NodeJS.ReadStream,
      stdout: screen as unknown as NodeJS.WriteStream,
      exitOnCtrlC: false,
      patchConsole: false,
      // At most 30 frames a second (ScreenWriter sends only the lines that changed). A key pressed just
      // after a frame waits for the next one: at 20 a second that wait alone was up to 50 ms in a run.
      maxFps: 30,
    },
  );
  controller.start();
  opts.onReady?.(controller);

  // A signal stops a run cleanly (as Ctrl-C does in `run`), then closes everything.
  const onSignal = (sig: keyof typeof SIGNAL_CODES) => () => {
    controller.say(`${sig}: stopping…`, 'warn');
    resolveExit(SIGNAL_CODES[sig]);
  };
  const handlers = (Object.keys(SIGNAL_CODES) as (keyof typeof SIGNAL_CODES)[]).map(
    (sig) => [sig, onSignal(sig)] as const,
  );
  for (const [sig, h] of handlers) process.on(sig, h);
  // A crash: leave the alternate screen first, so the error is printed where the DBA can read it.
  const onCrash = () => restoreTerminal();
  process.prependListener('uncaughtException', onCrash);
  process.prependListener('unhandledRejection', onCrash);

  let code = 0;
  try {
    code = await exited;
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
    // A second signal while closing: leave at once (the exit handler restores the terminal).
    const hurry = () => process.exit(code || 130);
    for (const sig of Object.keys(SIGNAL_CODES)) process.once(sig, hurry);
    await controller.close().catch(() => undefined);
    instance.unmount();
    keyboard.close();
    screen.close();
    restoreTerminal();
    libraryOutput.restore();
    await opts.cleanup?.().catch(() => undefined);
    for (const sig of Object.keys(SIGNAL_CODES)) process.off(sig, hurry);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    process.stdout.off('error', ignore);
  }
  return code;
}
