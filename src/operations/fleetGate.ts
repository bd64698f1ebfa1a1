// The gate between a fleet's waves: the next wave starts only once the servers of the wave before it
// are healthy by the limits the DBA gave (--max-lag, --max-archive-backlog), the same figures and
// words as a single run's hold (hold.ts), read on one monitor session per server, through any of
// the fleet's targets on it (pg_stat_replication and the archiver are the server's, not a database's).
import { MonitorConnection } from '../monitor/connection.js';
import type { GatePolicy } from '../fleet/scheduler.js';
import type { FleetTarget } from '../fleet/targets.js';
import { DEFAULT_MAX_HOLD_MS } from '../engine/hold.js';
import { redactError } from '../postgres/secrets.js';
import { holdWanted, overLimit, readHoldFigures, type HoldLimits } from './hold.js';

/** The gate, and the sessions to close after the fleet (no gate without limits). */
export function openWaveGate(
  limits: HoldLimits | undefined,
  targets: FleetTarget[],
): { policy: GatePolicy | undefined; close(): Promise<void> } {
  if (!holdWanted(limits)) return { policy: undefined, close: async () => undefined };
  const sessions = new Map<string, MonitorConnection>();
  const session = (server: string) => {
    let conn = sessions.get(server);
    const through = targets.find((t) => t.server === server);
    if (!conn && through) {
      conn = new MonitorConnection(through.target, {
        applicationName: 'citadel-migrate fleet (wave gate)',
        lockTimeoutMs: 200,
        statementTimeoutMs: 2000,
        connectTimeoutMs: 5000,
      });
      sessions.set(server, conn);
    }
    return conn;
  };
  const check = async (servers: string[]): Promise<string | null> => {
    for (const server of servers) {
      const conn = session(server);
      // A server this runner has no target on (another runner's list): its own gate reads it.
      if (!conn) continue;
      try {
        const { standbys, backlog } = await readHoldFigures(conn, limits);
        const over = overLimit(limits, standbys, backlog, server);
        if (over) return over.text;
      } catch (err) {
        // Figures that cannot be read are not figures under the limit.
        return `the replication figures of server ${server} cannot be read (${redactError((err as Error).message)})`;
      }
    }
    return null;
  };
  return {
    policy: { check, maxWaitMs: limits.maxHoldMs ?? DEFAULT_MAX_HOLD_MS },
    close: async () => {
      await Promise.all([...sessions.values()].map((c) => c.close().catch(() => undefined)));
    },
  };
}
