import type { Context } from '../context.js';
import { print, printErr } from '../output.js';
import { ExitCode } from '../errors.js';
import { startSandbox } from '../../sandbox/embedded.js';
import { Context as Ctx } from '../context.js';
import status from './status.js';

/**
 * The demo: the bundled runbook against a throw-away PostgreSQL. The sandbox is always
 * stopped and removed, whatever happens in between.
 */
export default async function demo(ctx: Context): Promise<number> {
  if (!ctx.json) printErr('Starting an embedded PostgreSQL 15 sandbox…');
  const sandbox = await startSandbox();
  try {
    await sandbox.createDatabase('citadelbuy');
    if (!ctx.json) printErr(`Sandbox ready in ${sandbox.startMs} ms on 127.0.0.1:${sandbox.port} (removed on exit).`);
    const demoCtx = new Ctx({ ...ctx.opts, databaseUrl: sandbox.url('citadelbuy') });
    const code = await status(demoCtx);
    if (!ctx.json) print('\nThis is the runbook the console will carry out; run `citadel-migrate --help` for the commands.');
    return code;
  } finally {
    await sandbox.stop();
    if (!ctx.json) printErr('Sandbox stopped and removed.');
  }
}
export { ExitCode };
