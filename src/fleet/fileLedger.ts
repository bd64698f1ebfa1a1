// The default ledger: a JSON file in the journal folder (written whole: temporary file, fsync, rename)
// and beside it a log of the changes since (`….json.log`, one JSON line per change, appended and
// synced). Writing the whole fleet at each change made a fleet's ledger cost grow with the square of
// its size; a change is now one short line, and the log is folded into the file once it holds as many
// lines as the fleet has targets (and at each open), so the total stays linear. A runner killed at
// any moment leaves the last complete state: a line cut short is ignored, and a log replayed twice
// (killed between the fold and the log's truncation) sets the same fields again. One runner
// at a time holds it (a lock file naming its pid); a second is refused while the first lives, and a
// runner that died has its targets taken over by the next `fleet run`, after their check.
import {
  closeSync,
  existsSync,
  ftruncateSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError, fileErrorWords } from '../errors.js';
import { makeFolders } from '../folders.js';
import {
  currentWave,
  gateOf,
  type Claim,
  type FinishFields,
  type Ledger,
  type LedgerRow,
  type LedgerSnapshot,
  type WaveWait,
} from './ledger.js';

export function fleetLedgerFile(dir: string, fleet: string): string {
  return path.join(dir, `fleet-${fleet.replace(/[^A-Za-z0-9._-]+/g, '_')}.json`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** One line of the log: fields of a target's row, or of the fleet's record (null: the field is cleared). */
type Change = { row: string; set: Record<string, unknown> } | { fleet: true; set: Record<string, unknown> };

function assign(into: object, set: Record<string, unknown>): void {
  const o = into as Record<string, unknown>;
  for (const [k, v] of Object.entries(set))
    if (v === null || v === undefined) delete o[k];
    else o[k] = v;
}

function apply(s: LedgerSnapshot, c: Change): void {
  if ('fleet' in c) return assign(s.fleet, c.set);
  const row = s.rows.find((r) => r.name === c.row);
  if (row) assign(row, c.set);
}

export class FileLedger implements Ledger {
  readonly where: string;
  private readonly lockFile: string;
  private readonly logFile: string;
  private snapshot: LedgerSnapshot | undefined;
  private byName = new Map<string, LedgerRow>();
  private logFd: number | undefined;
  private logLines = 0;
  private locked = false;

  constructor(
    readonly file: string,
    private readonly fleet: string,
    private readonly runner: string,
    /** Read only (fleet status): no lock is taken, nothing is written. */
    private readonly readOnly = false,
  ) {
    this.where = file;
    this.lockFile = `${file}.lock`;
    this.logFile = `${file}.log`;
  }

  private load(): LedgerSnapshot | undefined {
    if (!existsSync(this.file)) return undefined;
    let snapshot: LedgerSnapshot;
    try {
      snapshot = JSON.parse(readFileSync(this.file, 'utf8')) as LedgerSnapshot;
    } catch (err) {
      throw new UserError(
        `The fleet ledger ${this.file} cannot be read (${fileErrorWords(err)}): move it aside to start the fleet again from its targets' own histories.`,
        'failed',
      );
    }
    let log = '';
    try {
      log = existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
    } catch {
      // an unreadable log: the ledger file alone is an earlier, complete state
    }
    for (const line of log.split('\n')) {
      if (!line) continue;
      try {
        apply(snapshot, JSON.parse(line) as Change);
      } catch {
        // a line cut short by a runner killed while writing it: that change never happened
      }
    }
    return snapshot;
  }

  /** The whole state into the ledger file, then an empty log (temporary file, fsync, rename). */
  private save(): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, `${JSON.stringify(this.snapshot, null, 1)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.file);
      this.logFd ??= openSync(this.logFile, 'a', 0o600);
      ftruncateSync(this.logFd, 0);
      fsyncSync(this.logFd);
      this.logLines = 0;
    } catch (err) {
      throw this.cannotWrite(err);
    }
  }

  private cannotWrite(err: unknown): UserError {
    return new UserError(
      `The fleet ledger ${this.file} cannot be written (${fileErrorWords(err)}): make room there or pass --journal-dir.`,
      'failed',
    );
  }

  /** One change: applied here, appended to the log and synced; the log is folded in once it is long. */
  private change(c: Change): void {
    const set = Object.fromEntries(Object.entries(c.set).map(([k, v]) => [k, v === undefined ? null : v]));
    if ('fleet' in c) assign(this.snapshot!.fleet, set);
    else {
      const row = this.byName.get(c.row);
      if (!row) return;
      assign(row, set);
    }
    if (this.logLines >= Math.max(64, this.snapshot!.rows.length)) return this.save();
    try {
      this.logFd ??= openSync(this.logFile, 'a', 0o600);
      writeSync(this.logFd, `${JSON.stringify({ ...c, set })}\n`);
      fsyncSync(this.logFd);
      this.logLines++;
    } catch (err) {
      throw this.cannotWrite(err);
    }
  }

  /** Takes the lock file; a lock left by a dead runner is taken over. */
  private lock(): void {
    makeFolders(path.dirname(this.file));
    for (let i = 0; i < 2; i++) {
      try {
        const fd = openSync(this.lockFile, 'wx', 0o600);
        writeSync(fd, JSON.stringify({ pid: process.pid, host: os.hostname(), runner: this.runner }));
        closeSync(fd);
        this.locked = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let holder: { pid: number; host: string } | undefined;
      try {
        holder = JSON.parse(readFileSync(this.lockFile, 'utf8'));
      } catch {
        holder = undefined;
      }
      if (holder && holder.host === os.hostname() && alive(holder.pid))
        throw new UserError(
          `Another fleet run (pid ${holder.pid}) is working on this fleet's ledger ${this.file}: wait for it to end, or give both runners one --ledger postgresql://… to share the fleet.`,
          'refused',
        );
      if (holder && holder.host !== os.hostname())
        throw new UserError(
          `A fleet run on ${holder.host} (pid ${holder.pid}) holds this fleet's ledger ${this.file}: a file ledger is for one runner; use --ledger postgresql://… to share a fleet between machines.`,
          'refused',
        );
      unlinkSync(this.lockFile); // its runner died: the next round takes it
    }
  }

  async open(plan: Omit<LedgerRow, 'state' | 'attempts'>[]): Promise<void> {
    this.lock();
    const before = this.load();
    this.snapshot = before ?? {
      fleet: { id: this.fleet, createdAt: new Date().toISOString(), paused: false },
      rows: plan.map((p) => ({ ...p, state: 'pending', attempts: 0 })),
    };
    // A new run of a fleet tries again what failed or was refused (the DBA fixed it); applied stays applied.
    if (before) {
      this.snapshot.fleet.stopped = undefined;
      this.snapshot.fleet.waiting = undefined;
      for (const r of this.snapshot.rows) if (r.state === 'failed' || r.state === 'refused') r.state = 'pending';
    }
    this.byName = new Map(this.snapshot.rows.map((r) => [r.name, r]));
    this.save();
  }

  private rows(): LedgerRow[] {
    if (!this.snapshot) throw new Error('the fleet ledger is not open');
    return this.snapshot.rows;
  }

  async claim(perServer: number, opened: number): Promise<Claim> {
    const fleet = this.snapshot!.fleet;
    if (fleet.stopped) return { done: true };
    if (existsSync(this.pauseFile)) return { wait: true };
    const rows = this.rows();
    const wave = currentWave(rows);
    if (wave === undefined) return { done: true };
    if (wave > opened) return { gate: gateOf(rows, wave) };
    // Ours are running here; any other runner's "running" is a runner that died (one runner at a time).
    const mine = (r: LedgerRow) => r.state === 'running' && r.runner === this.runner;
    const busy = new Map<string, number>();
    for (const r of rows) if (mine(r)) busy.set(r.server, (busy.get(r.server) ?? 0) + 1);
    const next = rows.find(
      (r) =>
        r.wave === wave &&
        (r.state === 'pending' || (r.state === 'running' && !mine(r))) &&
        (busy.get(r.server) ?? 0) < perServer,
    );
    if (!next) return { wait: true };
    const takeover = next.state === 'running';
    this.change({
      row: next.name,
      set: {
        state: 'running',
        runner: this.runner,
        attempts: next.attempts + 1,
        startedAt: new Date().toISOString(),
        error: undefined,
      },
    });
    return { claimed: { row: { ...next }, takeover } };
  }

  async renew(): Promise<void> {}

  private update(name: string, fields: Partial<LedgerRow>): void {
    this.change({ row: name, set: fields });
  }

  async progress(name: string, migration: string): Promise<void> {
    this.update(name, { migration });
  }

  async finish(name: string, fields: FinishFields): Promise<void> {
    this.update(name, { ...fields, runner: undefined });
  }

  async release(name: string): Promise<void> {
    this.update(name, { state: 'pending', runner: undefined, migration: undefined });
  }

  async waiting(wait: WaveWait | undefined): Promise<void> {
    this.change({ fleet: true, set: { waiting: wait } });
  }

  async stop(reason: string): Promise<void> {
    this.change({ fleet: true, set: { stopped: this.snapshot!.fleet.stopped ?? reason } });
  }

  /**
   * A marker file beside the ledger, so that a console can pause the runner that holds the ledger
   * (writing the ledger itself would overwrite the runner's own changes).
   */
  async pause(paused: boolean): Promise<void> {
    try {
      if (paused) writeFileSync(this.pauseFile, `${new Date().toISOString()}\n`, { mode: 0o600 });
      else rmSync(this.pauseFile, { force: true });
    } catch (err) {
      throw new UserError(
        `The fleet's pause marker ${this.pauseFile} cannot be written (${fileErrorWords(err)}).`,
        'failed',
      );
    }
  }

  private get pauseFile(): string {
    return `${this.file}.paused`;
  }

  async read(): Promise<LedgerSnapshot> {
    if (this.readOnly || !this.snapshot) {
      const s = this.load();
      if (!s)
        throw new UserError(
          `There is no fleet ledger ${this.file}: start the fleet with \`citadel-migrate fleet run\` (same --migrations, targets and --journal-dir).`,
          'bad-input',
        );
      return { ...s, fleet: { ...s.fleet, paused: existsSync(this.pauseFile) } };
    }
    const copy = structuredClone(this.snapshot);
    copy.fleet.paused = existsSync(this.pauseFile);
    return copy;
  }

  async close(): Promise<void> {
    if (this.logFd !== undefined) {
      try {
        closeSync(this.logFd);
      } catch {
        // closed already
      }
      this.logFd = undefined;
    }
    if (this.locked) {
      try {
        unlinkSync(this.lockFile);
      } catch {
        // gone already: nothing held
      }
      this.locked = false;
    }
  }
}
