import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Context } from '../context.js';
import { Context as Ctx } from '../context.js';
import { printErr } from '../output.js';
import { UserError } from '../errors.js';
import { loadUi, type consoleSettings } from '../consoleSettings.js';
import { makeRehearsalCopy, type RehearsalCopy } from '../../operations/rehearse.js';

/**
 * REHEARSAL in the console: the target's schema (and data with --with-data) is copied into a
 * scratch database, and the same screens and keys work on the copy under a REHEARSAL badge and
 * banner. The target is only read (pg_dump); the copy is removed on every way out.
 */
export async function rehearsalConsole(
  ctx: Context,
  opts: Record<string, unknown>,
  settings: ReturnType<typeof consoleSettings>,
): Promise<number> {
  const target = ctx.target();
  const kind = opts.scratch === 'server' ? 'server' : 'sandbox';
  const ui = loadUi();
  printErr(
    `Copying the ${opts.withData ? 'database' : 'schema'} of ${target.display} into a scratch ${kind === 'sandbox' ? 'sandbox' : 'database on its server'}…`,
  );
  let scratch: RehearsalCopy | undefined;
  const cleanupDirs: string[] = [];
  const remove = async () => {
    await scratch?.remove().catch(() => undefined);
    scratch = undefined;
    for (const d of cleanupDirs.splice(0)) await rm(d, { recursive: true, force: true });
  };
  try {
    scratch = await makeRehearsalCopy(ctx, { scratch: kind, withData: Boolean(opts.withData) });
    // The copy's journal is as throw-away as the copy, unless the DBA asked for one.
    const journalDir = ctx.opts.journalDir ?? (await mkdtemp(path.join(os.tmpdir(), 'citadel-rehearsal-journal-')));
    if (!ctx.opts.journalDir) cleanupDirs.push(journalDir);
    const copyCtx = new Ctx({ ...ctx.opts, databaseUrl: scratch.target.url, journalDir });
    // Short enough for an 80-column message line; the header names the copy's origin.
    const banner = 'REHEARSAL on a scratch copy: the target is never written';
    const { runConsole } = await ui;
    return await runConsole({
      ctx: copyCtx,
      mode: 'rehearsal',
      ...settings,
      targetLabel: `copy of ${target.display}`,
      onReady: (controller) => controller.say(banner, 'warn'),
      cleanup: remove,
    });
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`The rehearsal copy could not be made: ${(err as Error).message}.`, 'failed');
  } finally {
    await remove();
  }
}
