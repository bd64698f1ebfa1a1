import pg from 'pg';
import { createHash } from 'node:crypto';
import type { Db } from './connect.js';
import { PipelineQuery } from './pipelineQuery.js';

/** A query of a prepared batch; `parse` when the session does not hold it yet. */
export interface PreparedStatement {
  name: string;
  text: string;
  parse: boolean;
}

const names = new Map<string, string>();

/**
 * The server-side name of a statement, derived from its text: a session (or a pooler's server
 * connection) that already holds a statement of this name holds this very text, whichever
 * version of the console prepared it.
 */
export function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `citadel_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * The statement was not where it was prepared (26000) or was there already (42P05): what a
 * transaction-mode pooler does, lending another server connection for each transaction.
 */
export function preparedStatementLost(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === '26000' || code === '42P05';
}

/**
 * Runs named prepared statements in one round trip, with their rows: for each, Parse when the
 * session does not hold it yet (after a Close, so that a statement of that name left behind by an
 * earlier failed batch is replaced instead of refused), then Bind, Describe and Execute, and one
 * Sync for all: one write, one implicit transaction, and no planning once each is prepared (a
 * statement without parameters keeps its generic plan). node-postgres waits for ReadyForQuery
 * between its own named queries, which would cost a round trip each. Rows are typed as db.query
 * types them. After an error the server skips to the Sync: the promise rejects with that error
 * once the session is idle again, usable.
 */
export function sendPrepared(db: Db, statements: readonly PreparedStatement[]): Promise<pg.QueryResult[]> {
  const query = new PreparedBatch(statements);
  db.query(query as unknown as pg.Submittable);
  return query.done;
}

/** What pg.Result does for node-postgres's own queries (not in its type declarations). */
interface ResultBuilder extends pg.QueryResult {
  addFields(fields: unknown[]): void;
  parseRow(values: unknown[]): Record<string, unknown>;
  addRow(row: Record<string, unknown>): void;
  addCommandComplete(msg: unknown): void;
}

/** The driver's side: node-postgres calls these handlers as the server's messages arrive. */
class PreparedBatch extends PipelineQuery<pg.QueryResult[]> {
  private readonly results: ResultBuilder[];
  private index = 0;
  private rowError: unknown;

  constructor(private readonly statements: readonly PreparedStatement[]) {
    super('a prepared batch sends no COPY data');
    // Types come from pg's global parsers, as for db.query (connect.ts sets the int8 one).
    this.results = statements.map(() => new (pg.Result as unknown as new () => ResultBuilder)());
  }

  protected write(connection: pg.Connection): void {
    for (const s of this.statements) {
      if (s.parse) {
        connection.close({ type: 'S', name: s.name }, true);
        connection.parse({ name: s.name, text: s.text, types: [] }, true);
      }
      connection.bind({ statement: s.name, portal: '', values: [] }, true);
      connection.describe({ type: 'P', name: '' }, true);
      connection.execute({ portal: '' }, true);
    }
  }

  protected result(): pg.QueryResult[] {
    if (this.rowError) throw this.rowError;
    return this.results;
  }

  handleRowDescription(msg: { fields: unknown[] }): void {
    this.results[this.index]?.addFields(msg.fields);
  }

  handleDataRow(msg: { fields: unknown[] }): void {
    const result = this.results[this.index];
    if (!result || this.rowError) return;
    try {
      result.addRow(result.parseRow(msg.fields));
    } catch (err) {
      // a value its type parser refuses: reported once the server is done
      this.rowError = err;
    }
  }

  handleCommandComplete(msg: unknown): void {
    this.results[this.index]?.addCommandComplete(msg);
    this.index++;
  }

  handleEmptyQuery(): void {
    this.index++;
  }
}
