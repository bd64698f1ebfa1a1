import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Context } from '../context.js';
import { Context as Ctx, BUNDLED_MIGRATIONS } from '../context.js';
import { printErr } from '../output.js';
import { UserError } from '../errors.js';
import { parseCount } from '../duration.js';
import { consoleSettings, loadUi, requireTerminal } from '../consoleSettings.js';
import {
  installDemoActions,
  removeInBackground,
  startSandbox,
  type Sandbox,
  type Traffic,
} from '../../operations/demo.js';

/**
 * The demo: the console in DEMO mode on a throw-away PostgreSQL, with a copy of the bundled runbook
 * (the package's files are never changed) and a simulated application. The sandbox, the copy and
 * the journal folder are removed on every way out.
 */
export default async function demo(ctx: Context, _args: string[], opts: Record<string, unknown>): Promise<number> {
  requireTerminal('demo');
  if (ctx.json) throw new UserError('The demo is the interactive console: it has no JSON output.', 'bad-input');
  const settings = consoleSettings(opts);
  const orders = parseCount(opts.orders ?? '200000', '--orders');
  const source = path.resolve(ctx.opts.migrations ?? BUNDLED_MIGRATIONS);

  const ui = loadUi(); // loads while the sandbox starts
  const work = mkdtempSync(path.join(os.tmpdir(), 'citadel-demo-'));
  const removeWork = () => rmSync(work, { recursive: true, force: true });
  // Also on paths that never reach the finally below (process.exit from a crash handler).
  process.once('exit', removeWork);
  let sandbox: Sandbox | undefined;
  let traffic: Traffic | undefined;
  // q during the application's first migration: its traffic starts after the console closed, and is stopped at once.
  let closed = false;
  let cleaning: Promise<void> | undefined;
  // Called by the console as it closes, and again in the finally below (then a no-op).
  const cleanup = () =>
    (cleaning ??= (async () => {
      closed = true;
      // The application's sessions end with the server; the DBA gets the prompt back at once, and
      // the folders go in the background (the exit handler and the sandbox's watchdog cover the
      // paths that never come here).
      await Promise.all([
        traffic?.stop().catch(() => undefined),
        sandbox?.stop({ removeInBackground: true }).catch(() => undefined),
      ]);
      process.off('exit', removeWork);
      removeInBackground(work);
    })());
  try {
    printErr('Starting an embedded PostgreSQL 15 sandbox…');
    sandbox = await startSandbox();
    await sandbox.createDatabase('citadelbuy');
    const migrations = path.join(work, 'migrations');
    cpSync(source, migrations, { recursive: true });
    // The runbook's kubectl/systemctl actions become local stand-ins that switch the simulated application.
    const controlDir = path.join(work, 'control');
    const runbook = path.join(migrations, 'runbook.yaml');
    if (existsSync(runbook)) installDemoActions(runbook, controlDir, sandbox.url('citadelbuy'));
    const demoCtx = new Ctx({
      ...ctx.opts,
      databaseUrl: sandbox.url('citadelbuy'),
      migrations,
      bundled: false, // the copy stands for it
      // The demo's journal is as throw-away as its database, unless the user asked for one.
      journalDir: ctx.opts.journalDir ?? path.join(work, 'journal'),
    });
    const url = sandbox.url('citadelbuy');
    const { runConsole } = await ui;
    return await runConsole({
      ctx: demoCtx,
      mode: 'demo',
      ...settings,
      backupDir: opts.backupDir ? String(opts.backupDir) : path.join(work, 'backups'),
      onReady: (controller) => {
        if (opts.traffic === false) return;
        void import('../../tui/demoLoad.js')
          .then(async ({ loadDemoApplication }) => {
            const started = await loadDemoApplication(controller, url, orders, controlDir);
            if (closed) void started.stop();
            else traffic = started;
          })
          .catch((err: Error) => {
            if (!closed) controller.say(`simulated application: ${err.message}`, 'warn');
          });
      },
      cleanup,
    });
  } finally {
    await cleanup();
    process.off('exit', removeWork);
  }
}
