import { fdatasync } from 'node:fs';
import { openSync, writeSync, fdatasyncSync, closeSync, mkdirSync, chmodSync, existsSync } from 'node:fs';
import os from 'node:os';
import { whoAmI } from '../who.js';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { redactJson } from '../postgres/secrets.js';
import type { Target } from '../postgres/target.js';
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
export function legacyJournalFileFor(target: Pick<Target, 'host' | 'port' | 'database'>, dir = defaultJournalDir()): string {
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

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    const dir = path.dirname(this.file);
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.fd = openSync(this.file, 'a', 0o600);
    // An existing file made by an older umask is tightened too.
    chmodSync(this.file, 0o600);
    return this.fd;
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
    this.pending += redactJson(line) + '\n';
    if (sync) {
      this.writePending();
      fdatasyncSync(this.open());
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.writePending());
    }
  }

  private writePending(): void {
    this.flushScheduled = false;
    if (!this.pending) return;
    const text = this.pending;
    this.pending = '';
    writeSync(this.open(), text);
  }

  /** Writes the intent; call the returned function with the result when the action is over. */
  begin(action: string, details?: unknown, opts: { sync?: boolean } = {}): (result: unknown, opts?: { sync?: boolean }) => void {
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
    fdatasync(this.open(), () => {
      this.syncing = false;
      if (this.syncAgain && this.fd !== undefined) {
        this.syncAgain = false;
        this.syncSoon();
      }
    });
  }

  /** Makes every line written so far durable (for callers that deferred a sync). */
  flush(): void {
    this.writePending();
    if (this.fd !== undefined) fdatasyncSync(this.fd);
  }

  /** A fact that has no before/after (an engine event, a confirmation); sync: false for high-rate lines. */
  event(action: string, details?: unknown, opts: { sync?: boolean } = {}): void {
    this.write({ ...this.base(action, randomUUID(), 'event'), details }, opts.sync ?? true);
  }

  close(): void {
    this.writePending();
    if (this.fd !== undefined) {
      fdatasyncSync(this.fd);
      closeSync(this.fd);
    }
    this.fd = undefined;
  }

  private base(action: string, id: string, phase: JournalLine['phase']) {
    return { time: new Date().toISOString(), id, phase, who: this.who, host: this.host, pid: process.pid, action, target: this.target, ...this.identity };
  }
}
