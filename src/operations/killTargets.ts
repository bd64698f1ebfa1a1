// Which sessions the console's C and K may signal. The console's own sessions (its status session,
// the monitor's, a run's) are named `citadel-migrate …`; ending one of them from its own Locks pane
// would cut the console off, or kill the run behind the lock the DBA is trying to clear.

/** Prefix of the application_name of every session this tool opens. */
export const OWN_APPLICATION_PREFIX = 'citadel-migrate';

export interface KillTarget {
  pid: number;
  application: string;
}

/** Why the console refuses to signal this session (one sentence), or undefined if it may. */
export function consoleKillRefusal(target: KillTarget, ownPids: Iterable<number> = []): string | undefined {
  const own = new Set(ownPids).has(target.pid);
  if (!own && !target.application.startsWith(OWN_APPLICATION_PREFIX)) return undefined;
  return `pid ${target.pid} is citadel-migrate's own session; the console does not signal it.`;
}

/** Why a pid that was selected can no longer be signalled: it left the Locks pane. */
export function goneRefusal(pid: number): string {
  return `pid ${pid} is gone; select again.`;
}
