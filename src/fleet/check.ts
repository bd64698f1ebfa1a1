// What a runner checks on a target before its run: a standby is refused (it would accept the session
// and refuse the first write), and a target taken over from a runner that died is read first: Prisma's
// advisory lock still held means that runner's session lives on (refused, not run twice); a history
// that already holds every migration means that runner applied them and died before the ledger knew.
import { withDb } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import type { Target } from '../postgres/target.js';
import { readHistory } from '../runbook/history.js';
import type { MigrationsFolder } from '../runbook/folder.js';
import { advisoryHolder, describeHolder } from '../engine/advisoryLock.js';

/** How long a takeover waits for a dead runner's session to release Prisma's lock. */
export const TAKEOVER_LOCK_WAIT_MS = 10_000;

export interface TargetCheck {
  /** The sentence of a refusal; the run does not start. */
  refused?: string;
  /** The last migration of the folder applied there (finished, not rolled back), before the run. */
  lastApplied?: string;
  /** Every migration of the folder is applied there already. */
  upToDate: boolean;
}

export async function checkTarget(target: Target, folder: MigrationsFolder, takeover: boolean): Promise<TargetCheck> {
  return withDb(
    target,
    async (db) => {
      const standby = (await db.query<{ standby: boolean }>(sqlFile('fleet_target_is_standby'))).rows[0]?.standby;
      if (standby)
        return {
          refused: `${target.display} is a standby (read-only, in recovery): list the primary's URL for this target.`,
          upToDate: false,
        };
      if (takeover) {
        // A runner killed a moment ago leaves a session the server has not ended yet: it is given
        // a few seconds to go before the lock is taken as a live run's.
        let holder = await advisoryHolder(db);
        for (const until = Date.now() + TAKEOVER_LOCK_WAIT_MS; holder && Date.now() < until; ) {
          await new Promise((r) => setTimeout(r, 200));
          holder = await advisoryHolder(db);
        }
        if (holder)
          return {
            refused: `${target.display} was left by a runner whose lease expired, and Prisma's advisory lock is still held by ${describeHolder(holder)}: make sure that run has ended (citadel-migrate status on the target), then run the fleet again.`,
            upToDate: false,
          };
      }
      const done = new Set(
        (await readHistory(db)).filter((r) => r.finished_at && !r.rolled_back_at).map((r) => r.migration_name),
      );
      const mine = folder.migrations.filter((m) => done.has(m.name));
      return {
        upToDate: mine.length === folder.migrations.length,
        ...(mine.length ? { lastApplied: mine[mine.length - 1]!.name } : {}),
      };
    },
    { applicationName: 'citadel-migrate fleet (check)' },
  );
}
