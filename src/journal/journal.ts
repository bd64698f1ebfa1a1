import { fdatasync, fstatSync, readSync } from 'node:fs';
import { openSync, writeSync, fdatasyncSync, closeSync, chmodSync } from 'node:fs';
import os from 'node:os';
import { whoAmI } from '../who.js';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { redactJson } from '../postgres/secrets.js';
import type { Target } from '../postgres/target.js';
import { UserError, fileErrorWords } from '../errors.js';
import { makeFolders } from '../folders.js';
import { identityHash, type ServerIdentity } from '../postgres/identity.js';

/**
 * The append-only audit journal: one JSON object per line, fsynced per line, file 0600 in a
 * folder 0700. An action is written before it is attempted ("begin") and its result after
 * ("end", same id), so a process killed in between leaves a begun action without an end.
 */
export interface JournalLine {
  time: string;
  id: string;
  phase: 'begin' | 'end' | 'event';
  who: string;
  host: string;
  pid: number;
  action: string;
  target: string;
  /** The database (current_database()) and server (see postgres/identity.ts) the line is about; absent in older journals. */
  database?: string;
  server?: string;
  details?: unknown;
  result?: unknown;
}

export function defaultJournalDir(): string {
  if (process.env.CITADEL_JOURNAL_DIR) return process.env.CITADEL_JOURNAL_DIR;
  const state = process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(state, 'citadel-migrate');
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');

/**
 * One file per database on one server: its name, readable, then a hash of the server's identity and
 * the exact name, so that "ht_x y" and "ht_x_y" never share a file, and a pooler's URL and the direct
 * one (the same server and database) always do.
 */
export function journalFileFor(id: ServerIdentity, dir = defaultJournalDir()): string {
  return path.join(dir, `${safe(id.database).slice(0, 60)}.${identityHash(id)}.jsonl`);
}

/** The file name of journals written before the identity key: host_port_database.jsonl (still read). */
export function legacyJournalFileFor(
  target: Pick<Target, 'host' | 'port' | 'database'>,
  dir = defaultJournalDir(),
): string {
  return path.join(dir, `${safe(target.host)}_${target.port}_${safe(target.database)}.jsonl`);
}

export class Journal {
  private fd: number | undefined;
  readonly who = whoAmI();
  readonly host = os.hostname();

  constructor(
    readonly file: string,
    readonly target: string,
    /** Written on every line, so a lookup can tell whose line it is. */
    readonly identity?: { database: string; server: string },
  ) {}

  /** The first failure to write or sync; from then on nothing more is written by this process. */
  private failure: UserError | undefined;
  private readonly failureListeners = new Set<(err: UserError) => void>();

  /**
   * Called once when a line cannot be written or synced (a full disk, a read-only mount): the run
   * stops on it, since an action the journal cannot record must not go on.
   */
  onFailure(listener: (err: UserError) => void): () => void {
    if (this.failure) listener(this.failure);
    else this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  /** Why the journal stopped writing, if it did. */
  get failed(): UserError | undefined {
    return this.failure;
  }

  /**
   * Creates the folder and opens the file now, so that a journal that cannot be kept fails before
   * the action touches anything, in one sentence.
   */
  ready(): void {
    try {
      this.open();
    } catch (err) {
      throw err instanceof UserError ? err : this.fail(err, 'open');
    }
  }

  private open(): number {
    if (this.failure) throw this.failure;
    if (this.fd !== undefined) return this.fd;
    makeFolders(path.dirname(this.file), 0o700);
    const fd = openSync(this.file, 'a+', 0o600);
    try {
      // An existing file made by an older umask is tightened too.
      chmodSync(this.file, 0o600);
      // A line cut short (a process killed mid-write, a disk that filled) must not swallow the next one.
      const size = fstatSync(fd).size;
      const last = Buffer.alloc(1);
      if (size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a) this.pending = '\n' + this.pending;
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    this.fd = fd;
    return fd;
  }

  /** Records the first failure, tells the listeners, and returns it as the sentence to show. */
  private fail(err: unknown, doing: 'open' | 'write'): UserError {
    if (this.failure) return this.failure;
    const words = fileErrorWords(err);
    this.failure =
      doing === 'open'
        ? new UserError(
            `The journal ${this.file} cannot be created or written (${words}): pass --journal-dir with a folder you can write to (or set CITADEL_JOURNAL_DIR).`,
            'bad-input',
            (err as Error)?.message,
          )
        : new UserError(
            `The journal ${this.file} can no longer be written (${words}).`,
            'failed',
            (err as Error)?.message,
          );
    for (const l of this.failureListeners) {
      try {
        l(this.failure);
      } catch {
        // a listener's own trouble must not hide the journal's
      }
    }
    this.failureListeners.clear();
    return this.failure;
  }

  /** Runs a file operation; its error becomes the journal's failure (thrown as one sentence). */
  private guard<T>(doing: 'open' | 'write', op: () => T): T {
    if (this.failure) throw this.failure;
    try {
      return op();
    } catch (err) {
      throw this.fail(err, this.fd === undefined ? 'open' : doing);
    }
  }

  /**
   * Synced lines reach the disk before this returns. Unsynced ones (per statement) are gathered and
   * written together as soon as the engine's current step yields (a microtask: before the statement's
   * result comes back), so a killed process keeps them, and the next synced line makes them durable.
   * Gathering turns a thousand write calls of a long run into a few hundred.
   */
  private pending = '';
  private flushScheduled = false;

  private write(line: JournalLine, sync = true): void {
    if (this.failure) throw this.failure;
    this.pending += redactJson(line) + '\n';
    if (sync) {
      this.writePending();
      this.guard('write', () => fdatasyncSync(this.open()));
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      // Nobody waits on this write: its failure is told through onFailure, never thrown.
      queueMicrotask(() => {
        try {
          this.writePending();
        } catch {
          // recorded by guard
        }
      });
    }
  }

  private writePending(): void {
    this.flushScheduled = false;
    this.guard('write', () => {
      const fd = this.open();
      if (!this.pending) return;
      const text = Buffer.from(this.pending);
      this.pending = '';
      // writeSync may write part of the text (a disk filling up): the rest follows, or its error.
      for (let off = 0; off < text.length; ) off += writeSync(fd, text, off);
    });
  }

  /** Writes the intent; call the returned function with the result when the action is over. */
  begin(
    action: string,
    details?: unknown,
    opts: { sync?: boolean } = {},
  ): (result: unknown, opts?: { sync?: boolean }) => void {
    const id = randomUUID();
    this.write({ ...this.base(action, id, 'begin'), details }, opts.sync ?? true);
    let ended = false;
    return (result: unknown, opts: { sync?: boolean } = {}) => {
      if (ended) return;
      ended = true;
      this.write({ ...this.base(action, id, 'end'), result }, opts.sync ?? true);
    };
  }

  private syncing = false;
  private syncAgain = false;

  /**
   * Writes what is gathered and makes it durable off the main thread, without anyone waiting: syncs
   * asked for while one is under way are folded into one more, so a fast run pays a few syncs, not
   * one per migration. A failed sync is not retried here: the run's closing line syncs it all again.
   */
  syncSoon(): void {
    this.writePending();
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = true;
    let fd: number;
    try {
      fd = this.open();
    } catch {
      this.syncing = false;
      return;
    }
    fdatasync(fd, (err) => {
      this.syncing = false;
      if (err) {
        this.fail(err, 'write');
        return;
      }
      if (this.syncAgain && this.fd !== undefined) {
        this.syncAgain = false;
        this.syncSoon();
      }
    });
  }

  /** Makes every line written so far durable (for callers that deferred a sync). */
  flush(): void {
    this.writePending();
    if (this.fd !== undefined) this.guard('write', () => fdatasyncSync(this.fd!));
  }

  /** A fact that has no before/after (an engine event, a confirmation); sync: false for high-rate lines. */
  event(action: string, details?: unknown, opts: { sync?: boolean } = {}): void {
    this.write({ ...this.base(action, randomUUID(), 'event'), details }, opts.sync ?? true);
  }

  /** Writes and syncs what is left; a failure is recorded (see failed), not thrown: closing is cleanup. */
  close(): void {
    try {
      if (this.pending || this.fd !== undefined) this.flush();
    } catch {
      // recorded by guard
    }
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private base(action: string, id: string, phase: JournalLine['phase']) {
    return {
      time: new Date().toISOString(),
      id,
      phase,
      who: this.who,
      host: this.host,
      pid: process.pid,
      action,
      target: this.target,
      ...this.identity,
    };
  }
}
