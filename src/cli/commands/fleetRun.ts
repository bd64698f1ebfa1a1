import type { Context } from '../context.js';
import { ExitCode, usageError } from '../errors.js';
import { lockOptions } from '../lockOptions.js';
import { holdOptions } from '../holdOptions.js';
import { parseCount, parseDuration } from '../duration.js';
import { print, printErr, printJson } from '../output.js';
import { ask } from '../prompt.js';
import { fleetRunOperation, type FleetRunResult } from '../../operations/fleet.js';
import { parseWaves, type FleetEvent } from '../../operations/fleet.js';
import { loadTargets, migrationsDir } from './fleetTargets.js';
import { countsLine, fleetDocument, waitWords } from './fleetOutput.js';

/** The fleet stopped itself (a failed canary, the failure budget): README "Exit codes". */
export const FLEET_STOPPED = 4;

export default async function fleetRun(ctx: Context, opts: Record<string, unknown>): Promise<number> {
  const dir = migrationsDir(ctx);
  const concurrency = positive(opts.concurrency, '--concurrency');
  const perServer = positive(opts.perServer, '--per-server');
  const canary = parseCount(opts.canary ?? '0', '--canary');
  const maxFailures = parseCount(opts.maxFailures ?? '0', '--max-failures');
  const waves = parseWaves(opts.waves as string | undefined);
  const leaseMs = parseDuration(opts.lease ?? '30s', '--lease');
  const statementTimeoutMs =
    opts.statementTimeout !== undefined ? parseDuration(opts.statementTimeout, '--statement-timeout') : undefined;
  const run = {
    ...lockOptions(opts),
    statementTimeoutMs,
    allowForeignHistory: Boolean(opts.allowForeignHistory),
    limits: holdOptions(opts),
  };
  // Before anything is read from a database: without a terminal, --yes is the only way through.
  const mustAsk = ctx.needsConfirmation('apply migrations to a fleet of databases');
  const { targets } = await loadTargets(ctx, opts);
  if (mustAsk) {
    printErr(
      `Apply the pending migrations of ${dir} to ${targets.length} database${targets.length === 1 ? '' : 's'}` +
        `${canary ? `, ${canary} canary first` : ''}, at most ${concurrency} at once and ${perServer} per server, stopping after ${maxFailures} failure${maxFailures === 1 ? '' : 's'}?`,
    );
    const typed = (await ask(`Type the number of databases (${targets.length}) to apply to them: `)).trim();
    if (typed !== String(targets.length)) {
      printErr('Nothing was applied.');
      return ExitCode.usage;
    }
  }

  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) process.exit(ExitCode.interrupted);
    printErr(
      '\nStopping the fleet: no new target starts, running ones are stopped cleanly (Ctrl-C again to quit at once)…',
    );
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  let result: FleetRunResult;
  try {
    result = await fleetRunOperation(
      {
        migrationsDir: dir,
        targets,
        concurrency,
        perServer,
        maxFailures,
        canary,
        waves,
        run,
        ledgerUrl: opts.ledger as string | undefined,
        fleet: opts.fleet as string | undefined,
        journalDir: ctx.opts.journalDir,
        leaseMs,
        notify: ctx.opts.notify,
        notice: ctx.notice,
        signal: controller.signal,
      },
      ctx.json ? printJsonEvent : printEvent,
    );
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
  if (ctx.json) printJson(fleetDocument(result));
  else {
    print(
      `Fleet ${result.fleet}: ${countsLine(result.counts)} (${(result.durationMs / 1000).toFixed(1)} s). Ledger: ${result.ledger}.`,
    );
    if (result.stopped)
      printErr(
        `The fleet stopped: ${result.stopped}; ${result.counts.pending} target${result.counts.pending === 1 ? ' was' : 's were'} not started. Fix the cause, then run the same command again: applied targets are skipped (\`citadel-migrate fleet status\` shows each target).`,
      );
    else if (result.outcome === 'interrupted')
      printErr('Interrupted: targets not finished are pending again; run the same command to resume.');
  }
  if (result.outcome === 'interrupted') return ExitCode.interrupted;
  if (result.outcome === 'stopped') return FLEET_STOPPED;
  return result.counts.failed || result.counts.refused ? ExitCode.failed : ExitCode.ok;
}

function positive(v: unknown, option: string): number {
  const n = parseCount(v, option);
  if (n < 1) throw usageError(`${option} must be at least 1.`);
  return n;
}

/** With --json, stdout keeps its one document: a wave's wait goes to stderr, one JSON object a line. */
function printJsonEvent(e: FleetEvent): void {
  if (e.type === 'wave-wait')
    printErr(
      JSON.stringify({
        event: 'wave-wait',
        wave: e.wave,
        servers: e.servers,
        reason: e.reason,
        waitedMs: e.waitedMs,
      }),
    );
  if (e.type === 'wave-go')
    printErr(JSON.stringify({ event: 'wave-go', wave: e.wave, waitedMs: e.waitedMs, reason: e.reason }));
}

// A wave's wait is said when it begins and then every 5 s (the check runs every second).
let said: { wave: number; ms: number } | undefined;

function printEvent(e: FleetEvent): void {
  if (e.type === 'wave-wait' && (said?.wave !== e.wave || e.waitedMs - said.ms >= 5000 || e.waitedMs < said.ms)) {
    said = { wave: e.wave, ms: e.waitedMs };
    printErr(waitWords(e));
  }
  if (e.type === 'wave-go')
    printErr(`wave ${e.wave} starts: its servers are healthy again (waited ${(e.waitedMs / 1000).toFixed(1)} s).`);
  if (e.type === 'target-start' && e.claimed.takeover)
    printErr(`Taking over ${e.claimed.row.name}: its runner stopped renewing its lease.`);
  if (e.type !== 'target-end' || 'released' in e.end) return;
  const end = e.end;
  const secs = `${(end.durationMs / 1000).toFixed(1)} s`;
  const what =
    end.state === 'applied'
      ? `${end.applied ?? 0} migration${end.applied === 1 ? '' : 's'} applied`
      : end.state === 'skipped'
        ? 'up to date'
        : (end.error ?? '');
  print(`${end.state.padEnd(8)} ${e.claimed.row.name}  ${what} (${secs})`);
}
