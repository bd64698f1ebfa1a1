import type pg from 'pg';
import type { Db } from './connect.js';
import { PipelineQuery } from './pipelineQuery.js';

/** One statement of a pipeline; `flush` asks the server to report it the moment it completes. */
export interface PipelinedStatement {
  text: string;
  flush: boolean;
}

/** A pipeline under way: how many statements the server has answered, and its end. */
export interface PipelinedQuery {
  /** Statements the server has answered so far (the index of the one running, or of the one that failed). */
  readonly completed: number;
  /** Settles after the last answer; rejects with the first error, once the session is idle again. */
  readonly done: Promise<void>;
}

/**
 * Sends statements on a session in one write with the extended query protocol, and calls
 * `onCompleted(i)` as the server answers statement i. A Flush after a statement makes the server
 * report it as soon as it completes, so progress stays live while the whole list costs one round
 * trip. After an error the server skips everything up to the closing Sync: `completed` then says
 * exactly which statement failed. Rows that statements return are dropped.
 */
export function sendPipelined(
  db: Db,
  statements: readonly PipelinedStatement[],
  onCompleted: (index: number) => void,
): PipelinedQuery {
  const query = new PipelineSubmittable(statements, onCompleted);
  // node-postgres runs it as a custom query (a Submittable), after the queries queued before it.
  db.query(query as unknown as pg.Submittable);
  return query;
}

/** The driver's side: node-postgres calls these handlers as the server's messages arrive. */
class PipelineSubmittable extends PipelineQuery<void> implements PipelinedQuery {
  completed = 0;

  constructor(
    private readonly statements: readonly PipelinedStatement[],
    private readonly onCompleted: (index: number) => void,
  ) {
    // The splitter refuses COPY ... FROM stdin up front; should one slip through, end it cleanly.
    super('COPY FROM STDIN needs psql to send the data');
  }

  protected write(connection: pg.Connection): void {
    for (const s of this.statements) {
      connection.parse({ text: s.text, name: '', types: [] }, true);
      connection.bind({}, true);
      connection.execute({}, true);
      if (s.flush) connection.flush();
    }
  }

  protected result(): void {}

  handleCommandComplete(): void {
    this.onCompleted(this.completed++);
  }

  handleEmptyQuery(): void {
    this.onCompleted(this.completed++);
  }

  // Rows a statement returns (a SELECT setval(...) in a migration) are not wanted.
  handleRowDescription(): void {}
  handleDataRow(): void {}
}
