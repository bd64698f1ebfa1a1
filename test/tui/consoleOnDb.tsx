// The console on a test database, as a DBA starts it, and a migration run from it with r: the setup
// the tests of a running migration share.
import { render } from 'ink-testing-library';
import path from 'node:path';
import { App } from '../../src/tui/components/App.js';
import { ConsoleController } from '../../src/tui/controller.js';
import { Context } from '../../src/cli/context.js';
import { KEY, plain, sleep, waitFor } from './harness.js';

export interface ConsoleOnDb {
  controller: ConsoleController;
  app: ReturnType<typeof render>;
  screen(): string;
  press(...keys: string[]): Promise<void>;
  /** Waits up to MS for TEXT (or a match of it) on the screen. */
  see(text: string | RegExp, ms?: number): Promise<true>;
}

export async function startConsoleOn(o: {
  url: string;
  migrations: string;
  work: string;
  columns: number;
  rows: number;
  /** --notify URLs. */
  notify?: string[];
}): Promise<ConsoleOnDb> {
  const ctx = new Context({
    databaseUrl: o.url,
    migrations: o.migrations,
    journalDir: path.join(o.work, 'journal'),
    ...(o.notify ? { notify: o.notify } : {}),
  });
  const controller = new ConsoleController({
    ctx,
    mode: 'demo',
    refreshMs: 250,
    backupDir: path.join(o.work, 'backups'),
  });
  await controller.connect();
  controller.start();
  const app = render(<App model={controller} size={{ columns: o.columns, rows: o.rows }} onQuit={() => undefined} />);
  const screen = () => plain(app.lastFrame());
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      app.stdin.write(k);
      await sleep(30);
    }
  };
  const see = (text: string | RegExp, ms = 60_000) =>
    waitFor(
      () => (typeof text === 'string' ? screen().includes(text) : text.test(screen())),
      () => `${text}:\n${screen()}`,
      ms,
    );
  return { controller, app, screen, press, see };
}

/** r on the pending migration NAME, then Confirm in its dialog. */
export async function runFromConsole(c: ConsoleOnDb, name: string): Promise<void> {
  await waitFor(
    () => c.screen().includes(`· ${name}`),
    () => `the row:\n${c.screen()}`,
    15_000,
  );
  await c.press('r');
  await waitFor(
    () => c.screen().includes(`Run ${name}?`),
    () => `the dialog:\n${c.screen()}`,
    60_000,
  );
  await c.press(KEY.tab, KEY.enter);
}
