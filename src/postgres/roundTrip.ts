import type { Db } from './connect.js';

// node-postgres has no public word for "a query is on its way and its answer not yet in": its
// client keeps that query in `_activeQuery` (the `activeQuery` getter prints a deprecation warning),
// and the socket in `connection.stream`. Both are read here only, so a driver upgrade breaks one file.
interface Internals {
  _getActiveQuery?: () => object | null | undefined;
  _activeQuery?: object | null;
  connection?: { stream?: { destroy(): void } };
  processID?: number;
}

/** The query the session has sent and waits the answer of (the same object until that answer is in), if any. */
export function queryInFlight(db: Db): object | undefined {
  const c = db as unknown as Internals;
  return (c._getActiveQuery ? c._getActiveQuery() : c._activeQuery) ?? undefined;
}

/** The server backend's pid of the session (from its BackendKeyData). */
export function backendPid(db: Db): number {
  return (db as unknown as Internals).processID ?? 0;
}

/**
 * Gives up on the session's answers: its socket is destroyed, so every query waiting on it fails
 * at once with a lost connection (`end()` would wait for the server's goodbye, which on a stalled
 * path never comes).
 */
export function dropSession(db: Db): void {
  (db as unknown as Internals).connection?.stream?.destroy();
}
