import type pg from 'pg';
import type { Target } from '../postgres/target.js';
import { connect } from '../postgres/connect.js';
import { describeFailure } from '../errors.js';
import { redactError } from '../postgres/secrets.js';
import { preparedStatementLost, sendPrepared, statementName } from '../postgres/preparedBatch.js';
import { knownPooler } from '../postgres/pooler.js';

export interface MonitorConnectionOptions {
  applicationName: string;
  /** Give up on any lock after this long: the monitor must never join a lock queue. */
  lockTimeoutMs: number;
  /** Give up on any query after this long: well under the refresh interval. */
  statementTimeoutMs: number;
  connectTimeoutMs: number;
}

/**
 * One read-only session of the monitor that reconnects by itself: after a server restart, a
 * terminated backend or a dropped network link the next query opens a new session. Errors of a
 * query on a healthy session (a lock or statement timeout) keep the session.
 */
export class MonitorConnection {
  private client: pg.Client | undefined;
  private opening: Promise<pg.Client> | undefined;
  private closed = false;
  /** Per session: the statements it holds, or that it goes through a pooler that loses them. */
  private readonly protocols = new WeakMap<pg.Client, { prepared: Set<string>; simple: boolean }>();
  /** A hosted pooler known to lend connections per transaction: never worth preparing through. */
  private readonly pooled: boolean;
  /** Called after each (re)connection with the new session, e.g. to read server facts again. */
  onConnect: ((db: pg.Client) => Promise<void>) | undefined;

  constructor(
    readonly target: Target,
    readonly opts: MonitorConnectionOptions,
  ) {
    const mode = knownPooler(target)?.mode;
    this.pooled = mode === 'transaction' || mode === 'statement';
    this.timeouts = `SELECT set_config('lock_timeout', '${lockTimeout(opts)}', true), set_config('statement_timeout', '${statementTimeout(opts)}', true)`;
  }

  /**
   * The timeouts again, for one transaction only. A transaction pooler lends each transaction any of
   * its server connections, where the SETs this session made when it opened may be missing: a size
   * query could then wait in a migration's lock queue with no limit, and hold up everyone behind it.
   */
  private readonly timeouts: string;

  get connected(): boolean {
    return this.client !== undefined;
  }

  /** How the session sends a batch: prepared statements, or whole texts once a pooler lost them. */
  get batchProtocol(): 'prepared' | 'simple' | undefined {
    return this.client && (this.protocols.get(this.client)?.simple ? 'simple' : 'prepared');
  }

  async query<R extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    const db = await this.session();
    if (values) return this.guarded(db, db.query<R>(text, values));
    // One simple query is one transaction: the timeouts set first hold for the text after them.
    const results = (await this.guarded(db, db.query(`${this.timeouts};\n${text}`))) as unknown as pg.QueryResult<R>[];
    return results[results.length - 1]!;
  }

  /**
   * Several queries (no parameters) in one round trip and one implicit transaction: one result per
   * query. Each is prepared once per session and then only executed, so the server plans it once
   * instead of at every refresh. A transaction-mode pooler lends another server connection for
   * each transaction, where a statement prepared earlier is missing: such a session sends the whole
   * texts, planned each time, from then on, and the refresh that found out still succeeds. A
   * known hosted transaction pooler (knownPooler) gets the whole texts from the start.
   */
  async batch(queries: string[]): Promise<pg.QueryResult[]> {
    const db = await this.session();
    let protocol = this.protocols.get(db);
    if (!protocol) this.protocols.set(db, (protocol = { prepared: new Set(), simple: this.pooled }));
    // The timeouts first, in the batch's own transaction: a pooler that keeps prepared statements
    // would still lend a server connection without this session's SETs (about 0.005 ms a refresh).
    const texts = [this.timeouts, ...queries];
    if (!protocol.simple) {
      const statements = texts.map((text) => {
        const name = statementName(text);
        return { name, text, parse: !protocol.prepared.has(name) };
      });
      try {
        const results = await this.guarded(db, sendPrepared(db, statements));
        for (const s of statements) protocol.prepared.add(s.name);
        return results.slice(1);
      } catch (err) {
        if (!preparedStatementLost(err)) throw err;
        protocol.simple = true;
      }
    }
    // Each file may end in a comment, so the separator starts on a line of its own.
    const text = texts.map((t) => t.trim().replace(/;\s*$/, '')).join('\n;\n');
    const results = (await this.guarded(db, db.query(text))) as unknown as pg.QueryResult[];
    return results.slice(1);
  }

  /**
   * The server enforces statement_timeout, but a dead network link (a bastion's route gone) never
   * answers at all: past the statement timeout and a grace second, the session is given up.
   */
  private async guarded<T>(db: pg.Client, pending: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = Object.assign(
          new Error(`the server did not answer within ${Math.round(this.opts.statementTimeoutMs + 1000)} ms`),
          { code: 'ETIMEDOUT' },
        );
        reject(err);
      }, this.opts.statementTimeoutMs + 1000);
    });
    try {
      return await Promise.race([pending, deadline]);
    } catch (err) {
      if (isSessionLost(err)) this.drop(db, true);
      throw err;
    } finally {
      clearTimeout(timer);
      pending.catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const db = this.client;
    this.client = undefined;
    await db?.end().catch(() => undefined);
  }

  private session(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new Error('The monitor is stopped.'));
    if (this.client) return Promise.resolve(this.client);
    this.opening ??= this.open().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async open(): Promise<pg.Client> {
    const db = await connect(this.target, {
      applicationName: this.opts.applicationName,
      connectTimeoutMs: this.opts.connectTimeoutMs,
    });
    const lost = () => this.drop(db);
    db.on('end', lost);
    db.on('error', lost);
    try {
      // jit off: a JIT compile costs more than these catalog queries ever take.
      await db.query(
        `SET lock_timeout = '${lockTimeout(this.opts)}';` +
          ` SET statement_timeout = '${statementTimeout(this.opts)}';` +
          ` SET idle_in_transaction_session_timeout = 0; SET default_transaction_read_only = on; SET jit = off`,
      );
      await this.onConnect?.(db);
    } catch (err) {
      await db.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) {
      await db.end().catch(() => undefined);
      throw new Error('The monitor is stopped.');
    }
    this.client = db;
    return db;
  }

  private drop(db: pg.Client, hard = false): void {
    if (this.client === db) this.client = undefined;
    // end() waits for the server's goodbye, which a dead link never sends: cut the socket instead.
    if (hard) (db as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    db.end().catch(() => undefined);
  }
}

/** Errors after which the session is gone or unusable; anything with a SQLSTATE but these keeps it. */
export function isSessionLost(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  if (!code) return true;
  // admin shutdown, crash shutdown, cannot connect now, connection exceptions
  return code === '57P01' || code === '57P02' || code === '57P03' || code.startsWith('08') || /^E[A-Z]+$/.test(code);
}

/** One short sentence for a failed refresh, shown while the monitor is stale. */
export function refreshFailure(err: unknown): string {
  const code = (err as { code?: string })?.code;
  if (code === '57014') return 'the monitor query ran into its statement timeout (server busy)';
  if (code === '55P03') return 'a size query met a lock and gave up (lock_timeout)';
  return redactError(describeFailure(err).message);
}

const lockTimeout = (o: MonitorConnectionOptions) => `${Math.max(1, Math.round(o.lockTimeoutMs))}ms`;
const statementTimeout = (o: MonitorConnectionOptions) => `${Math.max(1, Math.round(o.statementTimeoutMs))}ms`;
