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

/**
 * What the migration's pipeline (pipelinedQuery.ts) and the monitor's prepared batch
 * (preparedBatch.ts) share as node-postgres custom queries: the protocol messages go out in one
 * write and end with one Sync; `done` settles once, at the closing ReadyForQuery with `result()`,
 * or after an error once the session is idle again. Subclasses write the messages and read the
 * answers they want.
 */
export abstract class PipelineQuery<T> {
  readonly done: Promise<T>;
  private resolve!: (value: T) => void;
  private reject!: (err: unknown) => void;
  private settled = false;

  constructor(private readonly copyRefusal: string) {
    this.done = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** The protocol messages of the pipeline, before its Sync. */
  protected abstract write(connection: pg.Connection): void;

  /** The value `done` resolves with, at the closing ReadyForQuery (it may throw to reject). */
  protected abstract result(): T;

  submit(connection: pg.Connection): void {
    // One write for the lot: a write per protocol message would cost a system call each.
    const stream = connection.stream;
    stream.cork();
    try {
      this.write(connection);
      connection.sync();
    } finally {
      stream.uncork();
    }
  }

  handlePortalSuspended(): void {}
  handleCopyData(): void {}

  handleCopyInResponse(connection: pg.Connection & { sendCopyFail?: (msg: string) => void }): void {
    connection.sendCopyFail?.(this.copyRefusal);
  }

  handleError(err: unknown, connection?: pg.Connection): void {
    if (this.settled) return;
    this.settled = true;
    // Settled once the session is idle again, so that the caller's next query (a ROLLBACK) finds it ready.
    settleWhenIdle(err, connection, () => this.reject(err));
  }

  handleReadyForQuery(): void {
    if (this.settled) return;
    this.settled = true;
    try {
      this.resolve(this.result());
    } catch (err) {
      this.reject(err);
    }
  }
}
