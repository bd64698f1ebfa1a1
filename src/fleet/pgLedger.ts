// The shared ledger: two tables in a PostgreSQL database that several runners (two bastions, the
// pods of a Kubernetes Job) claim targets from. A claim is a row lock taken with FOR UPDATE SKIP
// LOCKED (runners never wait on each other's claims) and a lease the runner renews while the
// target runs; a runner that dies stops renewing, and once its lease expires another takes the
// target over, after checking the target itself (check.ts). Per-server limits hold across runners:
// the claim of a server's slot is serialised by a transaction-level advisory lock on (fleet, server).
import { UserError } from '../errors.js';
import { connect, type Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import type { Target } from '../postgres/target.js';
import type { Claim, FinishFields, Ledger, LedgerRow, LedgerSnapshot, TargetState, WaveWait } from './ledger.js';

export const DEFAULT_LEASE_MS = 30_000;

interface Row {
  name: string;
  target: string;
  server: string;
  wave: number;
  position: number;
  state: TargetState;
  runner: string | null;
  migration: string | null;
  last_applied: string | null;
  applied: number | null;
  started_at: Date | null;
  duration_ms: number | null;
  error: string | null;
  attempts: number;
}

const toRow = (r: Row): LedgerRow => ({
  name: r.name,
  target: r.target,
  server: r.server,
  wave: r.wave,
  position: r.position,
  state: r.state,
  attempts: r.attempts,
  ...(r.runner ? { runner: r.runner } : {}),
  ...(r.migration ? { migration: r.migration } : {}),
  ...(r.last_applied ? { lastApplied: r.last_applied } : {}),
  ...(r.applied !== null ? { applied: r.applied } : {}),
  ...(r.started_at ? { startedAt: new Date(r.started_at).toISOString() } : {}),
  ...(r.duration_ms !== null ? { durationMs: Number(r.duration_ms) } : {}),
  ...(r.error ? { error: r.error } : {}),
});

export class PgLedger implements Ledger {
  readonly where: string;
  private db: Db | undefined;
  /** One session for the runner: a claim's transaction must not take in another call's statements. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ledger: Target,
    private readonly fleet: string,
    private readonly runner: string,
    private readonly leaseMs = DEFAULT_LEASE_MS,
  ) {
    this.where = ledger.redacted;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async session(): Promise<Db> {
    this.db ??= await connect(this.ledger, {
      applicationName: `citadel-migrate fleet ledger (${this.runner})`.slice(0, 63),
    });
    return this.db;
  }

  open(plan: Omit<LedgerRow, 'state' | 'attempts'>[]): Promise<void> {
    return this.serial(() => this.openNow(plan));
  }

  private async openNow(plan: Omit<LedgerRow, 'state' | 'attempts'>[]): Promise<void> {
    const db = await this.session();
    // Two runners creating the tables at once would race in the catalog: one at a time.
    await db.query('BEGIN');
    try {
      await db.query(sqlFile('fleet_ledger_lock_server'), ['citadel-fleet-ledger', 'tables']);
      await db.query(sqlFile('fleet_ledger_tables'));
      await db.query(sqlFile('fleet_ledger_add_fleet'), [this.fleet]);
      await db.query(sqlFile('fleet_ledger_add_targets'), [
        this.fleet,
        plan.map((p) => p.name),
        plan.map((p) => p.target),
        plan.map((p) => p.server),
        plan.map((p) => p.wave),
        plan.map((p) => p.position),
      ]);
      await db.query(sqlFile('fleet_ledger_retry'), [this.fleet]);
      await db.query('COMMIT');
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  claim(perServer: number, opened: number): Promise<Claim> {
    return this.serial(() => this.claimNow(perServer, opened));
  }

  private async claimNow(perServer: number, opened: number): Promise<Claim> {
    const db = await this.session();
    const fleet = (
      await db.query<{ stopped: string | null; paused: boolean }>(sqlFile('fleet_ledger_fleet'), [this.fleet])
    ).rows[0];
    if (!fleet || fleet.stopped) return { done: true };
    if (fleet.paused) return { wait: true };
    const full: string[] = [];
    for (;;) {
      await db.query('BEGIN');
      try {
        const next = (
          await db.query<{ name: string; server: string; state: TargetState; wave: number | null }>(
            sqlFile('fleet_ledger_next_target'),
            [this.fleet, perServer, full, opened],
          )
        ).rows[0];
        if (!next) {
          await db.query('COMMIT');
          return this.gateOrWait(db, opened);
        }
        await db.query(sqlFile('fleet_ledger_lock_server'), [this.fleet, next.server]);
        // Counted again under the server's lock: a claim committed meanwhile by another runner counts now.
        const running = (
          await db.query<{ n: number }>(sqlFile('fleet_ledger_running_on_server'), [this.fleet, next.server])
        ).rows[0]!.n;
        if (running >= perServer) {
          await db.query('ROLLBACK');
          full.push(next.server);
          continue;
        }
        const row = (
          await db.query<Row>(sqlFile('fleet_ledger_claim'), [this.fleet, next.name, this.runner, this.leaseMs])
        ).rows[0]!;
        await db.query('COMMIT');
        return { claimed: { row: toRow(row), takeover: next.state === 'running' } };
      } catch (err) {
        await db.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    }
  }

  /** Nothing to claim: done, the next wave's gate, or wait (this wave's targets are running). */
  private async gateOrWait(db: Db, opened: number): Promise<Claim> {
    const g = (
      await db.query<{ wave: number | null; servers: string[] }>(sqlFile('fleet_ledger_wave_gate'), [this.fleet])
    ).rows[0];
    if (!g || g.wave === null) return { done: true };
    return g.wave > opened ? { gate: { wave: g.wave, servers: g.servers } } : { wait: true };
  }

  waiting(wait: WaveWait | undefined): Promise<void> {
    return this.serial(async () => {
      await (await this.session()).query(sqlFile('fleet_ledger_wait'), [
        this.fleet,
        wait?.reason ?? null,
        wait?.wave ?? null,
        wait?.since ?? null,
      ]);
    });
  }

  renew(): Promise<void> {
    return this.serial(() => this.renewNow());
  }

  private async renewNow(): Promise<void> {
    await (await this.session()).query(sqlFile('fleet_ledger_renew'), [this.fleet, this.runner, this.leaseMs]);
  }

  progress(name: string, migration: string): Promise<void> {
    return this.serial(() => this.progressNow(name, migration));
  }

  private async progressNow(name: string, migration: string): Promise<void> {
    await (await this.session()).query(sqlFile('fleet_ledger_progress'), [this.fleet, name, this.runner, migration]);
  }

  finish(name: string, f: FinishFields): Promise<void> {
    return this.serial(() => this.finishNow(name, f));
  }

  private async finishNow(name: string, f: FinishFields): Promise<void> {
    await (await this.session()).query(sqlFile('fleet_ledger_finish'), [
      this.fleet,
      name,
      this.runner,
      f.state,
      f.durationMs,
      f.migration ?? null,
      f.lastApplied ?? null,
      f.applied ?? null,
      f.error ?? null,
    ]);
  }

  release(name: string): Promise<void> {
    return this.serial(() => this.releaseNow(name));
  }

  private async releaseNow(name: string): Promise<void> {
    await (await this.session()).query(sqlFile('fleet_ledger_release'), [this.fleet, name, this.runner]);
  }

  stop(reason: string): Promise<void> {
    return this.serial(() => this.stopNow(reason));
  }

  private async stopNow(reason: string): Promise<void> {
    await (await this.session()).query(sqlFile('fleet_ledger_stop'), [this.fleet, reason]);
  }

  pause(paused: boolean): Promise<void> {
    return this.serial(() => this.pauseNow(paused));
  }

  private async pauseNow(paused: boolean): Promise<void> {
    await (await this.session()).query(sqlFile('fleet_ledger_pause'), [this.fleet, paused]);
  }

  read(): Promise<LedgerSnapshot> {
    return this.serial(() => this.readNow());
  }

  private async readNow(): Promise<LedgerSnapshot> {
    const db = await this.session();
    const none = () =>
      new UserError(
        `The ledger ${this.where} holds no fleet ${this.fleet}: start it with \`citadel-migrate fleet run --ledger …\` (same --migrations and targets, or --fleet).`,
        'bad-input',
      );
    const f = (
      await db
        .query<{
          fleet: string;
          created_at: Date;
          stopped: string | null;
          paused: boolean;
          waiting: string | null;
          waiting_wave: number | null;
          waiting_since: Date | null;
        }>(sqlFile('fleet_ledger_fleet'), [this.fleet])
        .catch((err: { code?: string }) => {
          throw err.code === '42P01' ? none() : err;
        })
    ).rows[0];
    if (!f) throw none();
    const rows = (await db.query<Row>(sqlFile('fleet_ledger_targets'), [this.fleet])).rows.map(toRow);
    return {
      fleet: {
        id: this.fleet,
        createdAt: f ? new Date(f.created_at).toISOString() : '',
        paused: f?.paused ?? false,
        ...(f?.stopped ? { stopped: f.stopped } : {}),
        ...(f.waiting && f.waiting_wave !== null
          ? {
              waiting: {
                wave: f.waiting_wave,
                reason: f.waiting,
                since: new Date(f.waiting_since ?? f.created_at).toISOString(),
              },
            }
          : {}),
      },
      rows,
    };
  }

  async close(): Promise<void> {
    await this.db?.end().catch(() => undefined);
    this.db = undefined;
  }
}
