import pg from 'pg';

/**
 * Calls `settle` once the session can take the next query after `err` ended a custom query (a
 * Submittable). The server answers an error inside an extended-protocol pipeline by skipping to the
 * Sync, then sends ReadyForQuery; node-postgres forgets the query at the error already. Settling
 * only at that ReadyForQuery lets the caller's next query (a ROLLBACK, a retry) go out on a session
 * that node-postgres knows is idle. A lost connection (no server error, or no connection to wait
 * on) settles at once, and so does a connection that ends before answering.
 */
export function settleWhenIdle(err: unknown, connection: pg.Connection | undefined, settle: () => void): void {
  if (!(err instanceof pg.DatabaseError) || !connection) return settle();
  const done = () => {
    connection.off('readyForQuery', done);
    connection.off('end', done);
    connection.off('error', done);
    settle();
  };
  connection.on('readyForQuery', done);
  connection.on('end', done);
  connection.on('error', done);
}
