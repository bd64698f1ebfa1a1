// The check of a runbook action: live sessions by application name, before the command and after it,
// waited for until they match (workers take a moment to disconnect, or to come back).
import type { Target } from '../postgres/target.js';
import { connect, type Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { expectText, meetsExpectation, type SessionCheck } from '../runbook/actions.js';

export interface SessionCheckResult {
  label: string;
  application: string[];
  before: number;
  after: number;
  expected: string;
  ok: boolean;
  /** "worker sessions: 0 (were 4)" */
  evidence: string;
}

export async function countSessions(db: Pick<Db, 'query'>, check: SessionCheck): Promise<number> {
  return (await db.query<{ sessions: number }>(sqlFile('sessions_by_application_pattern'), [check.application]))
    .rows[0]!.sessions;
}

export function sessionEvidence(label: string, now: number, before?: number): string {
  return `${label}: ${now}${before === undefined ? '' : ` (were ${before})`}`;
}

/** Opens the session the check needs before the command runs, so "were N" is measured, not guessed. */
export async function openSessionCheck(
  target: Target,
  check: SessionCheck,
): Promise<{ before: number; settle(signal?: AbortSignal): Promise<SessionCheckResult>; close(): Promise<void> }> {
  const db = await connect(target, { applicationName: 'citadel-migrate action' });
  try {
    const before = await countSessions(db, check);
    return {
      before,
      async settle(signal) {
        const until = Date.now() + check.waitMs;
        let after = await countSessions(db, check);
        while (!meetsExpectation(after, check.expect) && Date.now() < until && !signal?.aborted) {
          await new Promise((r) => setTimeout(r, 250));
          after = await countSessions(db, check);
        }
        const ok = meetsExpectation(after, check.expect);
        const evidence =
          sessionEvidence(check.label, after, before) +
          (ok ? '' : `; expected ${expectText(check.expect)} after ${Math.round(check.waitMs / 1000)} s`);
        return {
          label: check.label,
          application: check.application,
          before,
          after,
          expected: expectText(check.expect),
          ok,
          evidence,
        };
      },
      close: () => db.end().catch(() => undefined),
    };
  } catch (err) {
    await db.end().catch(() => undefined);
    throw err;
  }
}
