// The run's hold check (engine/hold.ts): the limits the DBA gave (--max-lag, --max-archive-backlog)
// read against the server on a monitor session of its own, with short timeouts so that looking
// never queues behind the migration.
import type { Target } from '../postgres/target.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { MonitorConnection } from '../monitor/connection.js';
import { standbyFromRow } from '../monitor/replication.js';
import { ReplayRates } from '../monitor/replayRate.js';
import { DEFAULT_MAX_HOLD_MS, type HoldOver, type HoldPolicy } from '../engine/hold.js';
import { formatBytes, formatDuration, formatSeconds } from '../format.js';
import { UserError } from '../errors.js';
import type { Workspace } from './workspace.js';
import { loadManifest } from '../runbook/loadManifest.js';

export interface HoldLimits {
  /** A standby's replay lag, in time (--max-lag 2s) or in bytes of WAL (--max-lag 64MB). */
  maxLagMs?: number;
  maxLagBytes?: number;
  /** WAL segments completed and not archived (--max-archive-backlog). */
  maxArchiveBacklog?: number;
  /** --max-hold; DEFAULT_MAX_HOLD_MS when not given. */
  maxHoldMs?: number;
}

export const holdWanted = (l: HoldLimits | undefined): l is HoldLimits =>
  Boolean(l && (l.maxLagMs !== undefined || l.maxLagBytes !== undefined || l.maxArchiveBacklog !== undefined));

/**
 * What is over its limit now, or null. Standbys first (the first one over), then the archive.
 * `server` (a fleet's host:port) is named when several servers are watched. With `rates` (each
 * standby's replay rate) a duration limit also holds while a standby has more WAL to replay than it
 * replays in that time: its lag in seconds is the age of what it replayed last, and says so late.
 */
export function overLimit(
  limits: HoldLimits,
  standbyRows: Record<string, any>[],
  backlog: number | null,
  server?: string,
  rates?: ReplayRates,
): HoldOver | null {
  const of = server ? ` of server ${server}` : '';
  for (const s of standbyRows.map(standbyFromRow)) {
    const secs = s.replayLagSeconds;
    const lag = (unit: 'ms' | 'bytes', value: number, limit: number, say: (n: number) => string): HoldOver => ({
      signal: 'replay-lag',
      standby: s.name,
      unit,
      value,
      limit,
      text: `standby ${s.name}${of} is ${say(value)} behind (max ${say(limit)})`,
    });
    if (limits.maxLagMs !== undefined && secs !== null && secs * 1000 > limits.maxLagMs)
      return lag('ms', Math.round(secs * 1000), limits.maxLagMs, formatDuration);
    const bytes = s.replayLagBytes;
    if (limits.maxLagBytes !== undefined && bytes !== null && bytes > limits.maxLagBytes)
      return lag('bytes', bytes, limits.maxLagBytes, formatBytes);
    const rate = rates?.rate(s.name) ?? null;
    if (limits.maxLagMs !== undefined && bytes !== null && rate !== null && rate > 0) {
      const allowed = Math.round((rate * limits.maxLagMs) / 1000);
      if (bytes > allowed)
        return {
          signal: 'replay-lag',
          standby: s.name,
          unit: 'bytes',
          value: bytes,
          limit: allowed,
          bytesPerSecond: Math.round(rate),
          limitMs: limits.maxLagMs,
          text: `standby ${s.name}${of} has ${formatBytes(bytes)} to replay, about ${formatSeconds((bytes * 1000) / rate)} at its ${formatBytes(rate)}/s (max ${formatDuration(limits.maxLagMs)})`,
        };
    }
  }
  if (limits.maxArchiveBacklog !== undefined && backlog !== null && backlog > limits.maxArchiveBacklog)
    return {
      signal: 'archive-backlog',
      unit: 'segments',
      value: backlog,
      limit: limits.maxArchiveBacklog,
      text: `the archive${of} is ${backlog} WAL segments behind (max ${limits.maxArchiveBacklog})`,
    };
  return null;
}

/**
 * The WAL one batch may write: what the slowest measured standby replays within a duration limit,
 * or a size limit itself. A batch writing more puts a standby past the limit whatever the hold does
 * before it. Undefined while no standby's rate is known.
 */
export function batchWalBudget(
  limits: HoldLimits,
  standbyRows: Record<string, any>[],
  rates: ReplayRates,
): number | undefined {
  if (limits.maxLagBytes !== undefined) return limits.maxLagBytes;
  if (limits.maxLagMs === undefined) return undefined;
  const known = standbyRows
    .map((r) => rates.rate(standbyFromRow(r).name))
    .filter((r): r is number => r !== null && r > 0);
  return known.length ? Math.round((Math.min(...known) * limits.maxLagMs) / 1000) : undefined;
}

/** The figures overLimit reads, on a monitor session: the standbys' rows and the archive's backlog. */
export async function readHoldFigures(
  conn: MonitorConnection,
  limits: HoldLimits,
): Promise<{ standbys: Record<string, any>[]; backlog: number | null }> {
  const standbys = (await conn.query(sqlFile('replication_standbys'))).rows;
  const backlog =
    limits.maxArchiveBacklog === undefined
      ? null
      : Number((await conn.query(sqlFile('archive_backlog'))).rows[0]?.backlog_segments ?? Number.NaN);
  return { standbys, backlog: Number.isNaN(backlog) ? null : backlog };
}

/**
 * The policy for the engine, the session to close after the run, and what holds it in words (or why
 * nothing does). `limits` is changed in place: a --max-lag not given takes the runbook's
 * thresholds.maxLag, and a lag limit is dropped when no standby streams from the server (there is
 * nothing to be behind); the console's L changes the same object while the run goes.
 */
export async function openHold(
  target: Target,
  limits: HoldLimits | undefined,
  runbookMaxLag?: string,
): Promise<{ policy: HoldPolicy | undefined; close(): Promise<void>; words?: string }> {
  const none = { policy: undefined, close: async () => undefined };
  const fromRunbook = Boolean(
    runbookMaxLag &&
      limits?.maxLagMs === undefined &&
      limits?.maxLagBytes === undefined &&
      parseLagLimit(runbookMaxLag),
  );
  if (fromRunbook) limits = Object.assign(limits ?? {}, parseLagLimit(runbookMaxLag!));
  if (!holdWanted(limits)) return none;
  const conn = new MonitorConnection(target, {
    applicationName: 'citadel-migrate run (hold)',
    lockTimeoutMs: 200,
    statementTimeoutMs: 2000,
    connectTimeoutMs: 5000,
  });
  const source = fromRunbook ? "the runbook's thresholds.maxLag" : '--max-lag';
  const lag = lagLimitWords(limits);
  const phrases: string[] = [];
  let off: string | undefined;
  if (lag) {
    const standbys = await conn.query(sqlFile('replication_standbys')).then(
      (r) => r.rows.length,
      async (err: unknown) => {
        await conn.close().catch(() => undefined);
        throw err;
      },
    );
    if (standbys) phrases.push(`a standby is more than ${lag} behind (${source})`);
    else {
      off = `max lag ${lag} (${source}) is off: no standby streams from this server`;
      delete limits.maxLagMs;
      delete limits.maxLagBytes;
    }
  }
  if (limits.maxArchiveBacklog !== undefined)
    phrases.push(`more than ${limits.maxArchiveBacklog} WAL segments wait to be archived`);
  const max = formatDuration(limits.maxHoldMs ?? DEFAULT_MAX_HOLD_MS);
  const words = [
    phrases.length ? `Holds while ${phrases.join(' or ')}, for at most ${max} (--max-hold).` : '',
    off ? `${off[0]!.toUpperCase()}${off.slice(1)}.` : '',
  ]
    .filter(Boolean)
    .join(' ');
  if (!holdWanted(limits)) {
    await conn.close();
    return { ...none, words };
  }
  const held = limits;
  const rates = new ReplayRates();
  let lastRows: Record<string, any>[] = [];
  const check = async () => {
    const { standbys, backlog } = await readHoldFigures(conn, held);
    rates.update(standbys);
    lastRows = standbys;
    return overLimit(held, standbys, backlog, undefined, rates);
  };
  return {
    policy: {
      check,
      maxHoldMs: held.maxHoldMs ?? DEFAULT_MAX_HOLD_MS,
      walBudget: () => batchWalBudget(held, lastRows, rates),
    },
    close: () => conn.close(),
    words,
  };
}

/** The replay-lag limit in words ("2 s", "64.0 MB"), or null when the run has none. */
export function lagLimitWords(limits: HoldLimits | undefined): string | null {
  if (limits?.maxLagMs !== undefined) return formatDuration(limits.maxLagMs);
  if (limits?.maxLagBytes !== undefined) return formatBytes(limits.maxLagBytes);
  return null;
}

const TIME_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

/** A lag limit as --max-lag takes it: a duration (2s, 500ms, 1min) or a size of WAL (64MB); else undefined. */
export function parseLagLimit(text: string): { maxLagMs: number } | { maxLagBytes: number } | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  if (TIME_UNITS[unit] !== undefined) return { maxLagMs: Math.round(n * TIME_UNITS[unit]) };
  if (SIZE_UNITS[unit] !== undefined) return { maxLagBytes: Math.round(n * SIZE_UNITS[unit]) };
  return undefined;
}

/**
 * Changes the running run's replay-lag limit (the console's L): its hold check reads `limits` at
 * every check, so the next one uses the new value. Journalled, since it changes what the run waits
 * for. Returns the sentence for the message line.
 */
export async function changeLagLimit(ws: Workspace, limits: HoldLimits, text: string): Promise<string> {
  const parsed = parseLagLimit(text);
  if (!parsed)
    throw new UserError(
      `The lag limit takes a duration such as 2s or 500ms, or a size of WAL such as 64MB (got "${text}"): the limit is unchanged.`,
      'bad-input',
    );
  const before = lagLimitWords(limits);
  const from = limits.maxLagMs ?? limits.maxLagBytes ?? null;
  const fromUnit = limits.maxLagMs !== undefined ? 'ms' : limits.maxLagBytes !== undefined ? 'bytes' : null;
  delete limits.maxLagMs;
  delete limits.maxLagBytes;
  Object.assign(limits, parsed);
  const to = 'maxLagMs' in parsed ? parsed.maxLagMs : parsed.maxLagBytes;
  const unit = 'maxLagMs' in parsed ? 'ms' : 'bytes';
  (await ws.journal()).event('run.hold-limit', { signal: 'replay-lag', from, fromUnit, to, unit });
  return `the replay-lag limit of this run is ${lagLimitWords(limits)} now${before ? ` (was ${before})` : ''}`;
}

/** The runbook's default --max-lag (thresholds.maxLag), if it has one; a runbook that cannot be read gives none. */
export async function runbookMaxLag(ws: Workspace): Promise<string | undefined> {
  const file = ws.runbookFile();
  if (!file) return undefined;
  try {
    return (await loadManifest(file)).thresholds.maxLag;
  } catch {
    return undefined; // the run does not need the runbook; check and plan report a broken one
  }
}
