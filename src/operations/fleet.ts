// `fleet run`: one migrations folder over many databases. Each target gets a whole single run
// (runOperation: the pooler refusal, Prisma's advisory lock, the lock policy, the foreign-history
// check, its own journal); the fleet adds the order (canary, waves), the limits (overall, per
// server), the failure budget and the ledger that outlives the runner.
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import { describeFailure } from '../errors.js';
import { EventStream } from '../engine/events.js';
import { redactError } from '../postgres/secrets.js';
import { readMigrationsFolder, type MigrationsFolder } from '../runbook/folder.js';
import { checkTarget } from '../fleet/check.js';
import { countStates, type Claimed, type Ledger, type LedgerRow, type TargetState } from '../fleet/ledger.js';
import { openLedger, type LedgerChoice } from '../fleet/open.js';
import { schedule, type FleetEvent, type TargetEnd } from '../fleet/scheduler.js';
import type { FleetTarget } from '../fleet/targets.js';
import { assignWaves } from '../fleet/waves.js';
import { targetWorkspace, type FleetBase } from './fleetWorkspace.js';
import { fleetNotifier, tellFleetEnd } from './fleetNotify.js';
import { openWaveGate } from './fleetGate.js';
import { runOperation, type RunInput } from './run.js';
import { queryTargets, type TargetList } from '../fleet/targets.js';
import { parseTarget } from '../postgres/target.js';

/** The fleet's words and parts the front ends draw and parse with. */
export { TARGET_STATES, type LedgerRow, type TargetState } from '../fleet/ledger.js';
export type { FleetEvent } from '../fleet/scheduler.js';
export { parseWaves } from '../fleet/waves.js';
export { readTargetsFile, type TargetList } from '../fleet/targets.js';
export { kubernetesJob } from '../fleet/kubernetes.js';

/** --targets-sql: the targets a query on the control database lists. */
export function targetsFromQuery(controlUrl: string | undefined, sql: string): Promise<TargetList> {
  return queryTargets(parseTarget(controlUrl), sql);
}

export interface FleetRunInput extends LedgerChoice {
  migrationsDir: string;
  targets: FleetTarget[];
  concurrency: number;
  perServer: number;
  maxFailures: number;
  canary: number;
  /** Cumulative shares of the rest, ending at 100. */
  waves: number[];
  run: Omit<RunInput, 'signal' | 'names'>;
  notify?: string[];
  notice?: (sentence: string) => void;
  signal?: AbortSignal;
  /** How often a waiting runner looks at the ledger again. */
  pollMs?: number;
}

export interface FleetRunResult {
  fleet: string;
  ledger: string;
  outcome: 'finished' | 'stopped' | 'interrupted';
  stopped?: string;
  counts: Record<TargetState, number>;
  targets: LedgerRow[];
  /** The waves that waited at their gate: how long, and for what (the last reason). */
  gates: WaveGateWait[];
  durationMs: number;
}

export interface WaveGateWait {
  wave: number;
  waitedMs: number;
  reason: string;
  /** It waited --max-hold and the fleet stopped. */
  expired?: boolean;
}

/** The same folder over the same targets is the same fleet: a second run (or a second runner) finds it. */
export function fleetIdFor(folder: MigrationsFolder, targets: FleetTarget[]): string {
  const h = createHash('sha256');
  for (const m of folder.migrations) h.update(`${m.name}\n`);
  h.update('--\n');
  for (const name of targets.map((t) => t.name).sort()) h.update(`${name}\n`);
  return `f-${h.digest('hex').slice(0, 12)}`;
}

export async function fleetRunOperation(
  input: FleetRunInput,
  onEvent?: (e: FleetEvent) => void,
): Promise<FleetRunResult> {
  const t0 = Date.now();
  const folder = await readMigrationsFolder(input.migrationsDir);
  const fleet = input.fleet ?? fleetIdFor(folder, input.targets);
  const runner = `${os.hostname()}:${process.pid}:${randomBytes(2).toString('hex')}`;
  const ledger = await openLedger({ ...input, fleet }, runner);
  const waves = assignWaves(input.targets.length, input.canary, input.waves);
  const byName = new Map(input.targets.map((t) => [t.name, t]));
  const base: FleetBase = {
    migrationsDir: input.migrationsDir,
    folder,
    journalDir: input.journalDir,
    notify: input.notify,
    notice: input.notice,
  };
  const notifier = fleetNotifier(fleet, input);
  const gate = openWaveGate(input.run.limits, input.targets);
  const gates: WaveGateWait[] = [];
  let lastWait: { wave: number; reason: string; waitedMs: number } | undefined;
  const seen = (e: FleetEvent) => {
    if (e.type === 'wave-wait') lastWait = { wave: e.wave, reason: e.reason, waitedMs: e.waitedMs };
    if (e.type === 'wave-go') gates.push({ wave: e.wave, waitedMs: e.waitedMs, reason: e.reason });
    if (e.type === 'fleet-stop' && lastWait && e.reason.startsWith(`wave ${lastWait.wave} waited`))
      gates.push({ ...lastWait, expired: true });
    onEvent?.(e);
  };
  try {
    await ledger.open(
      input.targets.map((t, i) => ({
        name: t.name,
        target: t.target.redacted,
        server: t.server,
        wave: waves[i]!,
        position: i,
      })),
    );
    const leaseMs = input.leaseMs ?? 30_000;
    notifier.send({
      event: 'fleet.started',
      migration: null,
      outcome: 'started',
      targets: input.targets.length,
      counts: countStates((await ledger.read()).rows),
    });
    await schedule(
      ledger,
      {
        concurrency: input.concurrency,
        perServer: input.perServer,
        maxFailures: input.maxFailures,
        canary: input.canary > 0,
        pollMs: input.pollMs ?? Math.min(1000, Math.max(50, leaseMs / 10)),
        renewMs: Math.max(50, Math.floor(leaseMs / 3)),
        gate: gate.policy,
        signal: input.signal,
      },
      (claimed, signal) => runTarget(ledger, byName, base, input, claimed, signal),
      seen,
    );
    const snapshot = await ledger.read();
    const counts = countStates(snapshot.rows);
    const outcome = snapshot.fleet.stopped ? 'stopped' : input.signal?.aborted ? 'interrupted' : 'finished';
    const result: FleetRunResult = {
      fleet,
      ledger: ledger.where,
      outcome,
      ...(snapshot.fleet.stopped ? { stopped: snapshot.fleet.stopped } : {}),
      counts,
      targets: snapshot.rows,
      gates,
      durationMs: Date.now() - t0,
    };
    await tellFleetEnd(notifier, result);
    return result;
  } finally {
    await gate.close();
    await ledger.close();
  }
}

/** One target's whole single run, and what the ledger keeps of it. */
async function runTarget(
  ledger: Ledger,
  byName: Map<string, FleetTarget>,
  base: FleetBase,
  input: FleetRunInput,
  claimed: Claimed,
  signal: AbortSignal,
): Promise<TargetEnd> {
  const t0 = Date.now();
  const ms = () => Date.now() - t0;
  const ft = byName.get(claimed.row.name);
  if (!ft)
    return {
      state: 'refused',
      durationMs: 0,
      error: `This runner's targets do not list ${claimed.row.name}: give every runner of a fleet the same targets.`,
    };
  try {
    const check = await checkTarget(ft.target, base.folder, claimed.takeover);
    if (check.refused)
      return { state: 'refused', durationMs: ms(), error: check.refused, lastApplied: check.lastApplied };
    // A runner that died after its run but before the ledger heard of it: nothing is run twice.
    if (claimed.takeover && check.upToDate)
      return { state: 'applied', durationMs: ms(), applied: 0, lastApplied: check.lastApplied };
    const events = new EventStream();
    // A hold that reached --max-hold fails the run with no migration failed: its sentence is the error.
    let heldTooLong: string | undefined;
    events.on((e) => {
      if (e.type === 'migration-start') void ledger.progress(ft.name, e.name).catch(() => undefined);
      if (e.type === 'hold-end' && e.expired)
        heldTooLong = `held ${Math.round(e.heldMs / 1000)} s (--max-hold) before ${e.name} because ${e.expired}: nothing more was started`;
    });
    const ws = targetWorkspace(ft, base, signal);
    const result = await runOperation(ws, { ...input.run, signal }, { ask: null, events });
    const applied = result.migrations.filter((m) => m.outcome === 'applied');
    const lastApplied = applied.length ? applied[applied.length - 1]!.name : check.lastApplied;
    const failed = result.migrations.find((m) => m.outcome === 'failed');
    if (result.outcome === 'interrupted' && !failed) return { released: true };
    if (result.outcome === 'nothing-to-do') return { state: 'skipped', durationMs: ms(), applied: 0, lastApplied };
    if (result.outcome === 'ok') return { state: 'applied', durationMs: ms(), applied: applied.length, lastApplied };
    return {
      state: 'failed',
      durationMs: ms(),
      applied: applied.length,
      lastApplied,
      migration: failed?.name,
      error: redactError(
        failed?.error ? `${failed.name}: ${failed.error.message}` : (heldTooLong ?? `the run ended ${result.outcome}`),
      ),
    };
  } catch (err) {
    if (signal.aborted) return { released: true };
    const d = describeFailure(err);
    return { state: d.kind === 'refused' ? 'refused' : 'failed', durationMs: ms(), error: redactError(d.message) };
  }
}
