import type { Context } from '../context.js';
import { print, printJson } from '../output.js';
import { ExitCode, UserError } from '../errors.js';
import {
  ANSI,
  PLAIN,
  blockers,
  executeLocks,
  lockWaits,
  prepareLocks,
  refreshFailure,
  renderLockTree,
  replicationDocument,
  replicationLines,
  type LockGraph,
  type LockWatch,
} from '../../operations/locks.js';

/** `locks [--json] [--watch] [--refresh SECONDS]`: who waits for a lock, and who blocks them. */
export default async function locks(ctx: Context, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const refreshMs = refreshInterval(opts.refresh);
  if (ctx.json && opts.watch) {
    throw new UserError(
      '--json prints one document and --watch refreshes in place: use one of them (run `locks --json` in a loop to poll).',
      'bad-input',
    );
  }
  const target = ctx.target();
  const { plan } = prepareLocks(ctx, { refreshMs });
  const conn = executeLocks(ctx, plan);
  try {
    if (!opts.watch) {
      const graph = await conn.read();
      const health = await conn.replication('once');
      if (ctx.json) printJson({ ...locksDocument(graph), ...replicationDocument(health) });
      else
        print(
          [...renderLocks(graph, target.display, target.database, false), '', ...replicationLines(health)].join('\n'),
        );
      return ExitCode.ok;
    }
    return await watch(conn, target.display, target.database, refreshMs);
  } finally {
    await conn.close();
  }
}

export function locksDocument(graph: LockGraph) {
  return {
    waits: lockWaits(graph),
    blockers: blockers(graph).map((s) => ({
      pid: s.pid,
      blockingPids: s.blockingPids,
      heldModes: s.heldModes,
      state: s.state,
      stateAgeMs: s.stateAgeMs,
      xactAgeMs: s.xactAgeMs,
      query: s.query,
      application: s.application,
      user: s.user,
      clientAddr: s.clientAddr,
      database: s.database,
    })),
  };
}

function renderLocks(graph: LockGraph, where: string, database: string, colour: boolean): string[] {
  const waits = lockWaits(graph).length;
  if (waits === 0) return [`No session is waiting for a lock in ${where}.`];
  const roots = blockers(graph).filter((s) => s.blockingPids.length === 0).length;
  const width = process.stdout.columns || 120;
  return [
    `${where}: ${waits} ${waits === 1 ? 'session waits' : 'sessions wait'} for a lock, behind ${roots} ${roots === 1 ? 'blocker' : 'blockers'}`,
    '',
    ...renderLockTree(graph, width, colour ? ANSI : PLAIN, database),
    '',
    'Cancel a query: citadel-migrate kill PID   End a session: citadel-migrate kill PID --terminate',
  ];
}

function refreshInterval(value: unknown): number {
  if (value === undefined) return 1000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0.2 || seconds > 3600) {
    throw new UserError(
      `--refresh ${String(value)} is not a usable interval: give seconds between 0.2 and 3600, e.g. --refresh 2.`,
      'bad-input',
    );
  }
  return seconds * 1000;
}

/** Redraws the tree in place until Ctrl-C; a lost connection is retried and the tree marked stale. */
async function watch(conn: LockWatch, where: string, database: string, refreshMs: number): Promise<number> {
  const tty = Boolean(process.stdout.isTTY);
  const colour = tty && !process.env.NO_COLOR;
  let last: LockGraph | undefined;
  let lastAt: Date | undefined;
  let staleSince: Date | undefined;
  let stopped = false;
  let frames = 0;
  let replication: string[] = [];
  let wake: (() => void) | undefined;
  const stop = () => {
    stopped = true;
    wake?.();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    while (!stopped) {
      const t0 = Date.now();
      let problem: string | undefined;
      try {
        last = await conn.read();
        replication = ['', ...replicationLines(await conn.replication('watch'))];
        lastAt = new Date();
        staleSince = undefined;
      } catch (err) {
        // Never connected at all: a wrong URL or password, said once with the right exit code.
        if (!last) throw err;
        staleSince ??= new Date();
        problem = refreshFailure(err);
      }
      if (stopped) break;
      const head = `citadel-migrate locks · ${where} · every ${refreshMs / 1000}s · Ctrl-C to quit · ${clock(lastAt)}`;
      const body = last ? [...renderLocks(last, where, database, colour), ...replication] : [];
      const stale = staleSince ? [`STALE since ${clock(staleSince)}: ${problem}; reconnecting…`, ''] : [];
      const lines = [head, '', ...stale, ...body];
      // In place: home, each line cleared to its end, the rest of the screen cleared (no flicker).
      if (tty) print(`${frames++ === 0 ? '\x1b[2J' : ''}\x1b[H${lines.map((l) => `${l}\x1b[K`).join('\n')}\x1b[J`);
      else print(`${lines.join('\n')}\n`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(50, refreshMs - (Date.now() - t0)));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return ExitCode.ok;
}

const clock = (d: Date | undefined) => (d ? d.toTimeString().slice(0, 8) : '--:--:--');
