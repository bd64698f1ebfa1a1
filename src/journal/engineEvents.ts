// The engine's events as journal lines: a run and each migration are begin/end pairs (the intent
// is on disk before the work starts, so a killed process leaves a begin without an end), and
// everything in between (statements, lock waits, retries) is an event of its own.
import type { EngineEvent, EventStream } from '../engine/events.js';
import type { Journal } from './journal.js';

/** Statements are kept whole up to this size; a data migration's VALUES list is cut. */
const MAX_SQL = 4000;
const clip = (sql: string) => (sql.length > MAX_SQL ? `${sql.slice(0, MAX_SQL)}… (${sql.length} characters)` : sql);

/**
 * Statement lines are written at once (a killed process keeps them) but not synced one by one: at
 * about a millisecond per sync, two per statement would cost more than running the 766 statements
 * of a real corpus. Every other line is synced, and a sync covers the statement lines before it.
 */
const PER_STATEMENT = { sync: false };

export const JOURNAL_ACTIONS = {
  run: 'run',
  migration: 'migration',
  statement: 'migration.statement',
  statementEnd: 'migration.statement-end',
  lockWait: 'migration.lock-wait',
  victims: 'migration.victims',
  retry: 'migration.retry',
  lockBusy: 'run.lock-busy',
  hold: 'run.hold',
  holdLimit: 'run.hold-limit',
  skip: 'skip',
  rollback: 'rollback',
} as const;

/** Subscribes the journal to the stream; returns the unsubscribe function. */
export function journalEngineEvents(stream: EventStream, journal: Journal): () => void {
  let endRun: ((result: unknown) => void) | undefined;
  const endMigration = new Map<string, (result: unknown, opts?: { sync?: boolean }) => void>();
  // A hold is checked every second: the journal keeps its start and its end, not each check.
  let endHold: ((result: unknown) => void) | undefined;

  return stream.on((e: EngineEvent) => {
    switch (e.type) {
      case 'run-start':
        endRun = journal.begin(JOURNAL_ACTIONS.run, {
          at: e.at,
          mode: e.mode,
          pending: e.pending,
          lockHolderPid: e.lockHolderPid,
        });
        break;
      case 'lock-busy':
        journal.event(JOURNAL_ACTIONS.lockBusy, { at: e.at, holder: e.holder, waiting: e.waiting });
        break;
      case 'migration-start': {
        // The run's synced intent already names every migration it will apply, in order. An atomic
        // migration leaves nothing behind unless it commits, so its own line is written at once
        // (a killed process keeps it) and synced in the background: waiting for that sync before
        // each COMMIT doubled the round trips of a run of small migrations. A non-atomic one
        // commits its first statement at once: its intent is synced before it starts.
        const details = {
          at: e.at,
          name: e.name,
          index: e.index,
          count: e.count,
          statements: e.statements,
          atomic: e.atomic,
        };
        if (e.atomic) {
          endMigration.set(e.name, journal.begin(JOURNAL_ACTIONS.migration, details, PER_STATEMENT));
          journal.syncSoon();
        } else endMigration.set(e.name, journal.begin(JOURNAL_ACTIONS.migration, details));
        break;
      }
      case 'statement-start':
        journal.event(
          JOURNAL_ACTIONS.statement,
          { at: e.at, name: e.name, index: e.index, count: e.count, line: e.line, pid: e.pid, sql: clip(e.sql) },
          PER_STATEMENT,
        );
        break;
      case 'statement-end':
        journal.event(
          JOURNAL_ACTIONS.statementEnd,
          {
            at: e.at,
            name: e.name,
            index: e.index,
            count: e.count,
            durationMs: e.durationMs,
            ...(e.rows !== undefined ? { rows: e.rows } : {}),
          },
          PER_STATEMENT,
        );
        break;
      case 'lock-wait':
        journal.event(JOURNAL_ACTIONS.lockWait, {
          at: e.at,
          name: e.name,
          index: e.index,
          waitedMs: e.waitedMs,
          blockingPids: e.blockingPids,
        });
        break;
      case 'victims':
        journal.event(JOURNAL_ACTIONS.victims, {
          at: e.at,
          name: e.name,
          index: e.index,
          victims: e.victims,
          longestWaitMs: e.longestWaitMs,
          pids: e.pids,
        });
        break;
      case 'retry':
        journal.event(JOURNAL_ACTIONS.retry, {
          at: e.at,
          name: e.name,
          index: e.index,
          attempt: e.attempt,
          of: e.of,
          reason: e.reason,
          blockingPids: e.blockingPids,
        });
        break;
      case 'migration-end': {
        const result = {
          at: e.at,
          name: e.name,
          outcome: e.outcome,
          durationMs: e.durationMs,
          ...(e.error ? { error: e.error } : {}),
        };
        const end = endMigration.get(e.name);
        endMigration.delete(e.name);
        // The engine's next step is the next migration's begin or the run's end, both synced lines
        // written before any further database work: that sync makes this line durable as well,
        // and a run of 160 migrations pays 160 syncs instead of 320.
        if (end) end(result, PER_STATEMENT);
        else journal.event(JOURNAL_ACTIONS.migration, result, PER_STATEMENT);
        break;
      }
      case 'hold':
        if (!endHold && e.over) {
          const { text, ...over } = e.over;
          endHold = journal.begin(JOURNAL_ACTIONS.hold, { at: e.at, name: e.name, ...over, reason: text });
        }
        break;
      case 'hold-end': {
        const outcome = e.expired ? 'expired' : e.stopped ? 'stopped' : 'under the limit';
        const last = e.over ? { value: e.over.value, limit: e.over.limit } : {};
        const result = { at: e.at, name: e.name, heldMs: e.heldMs, outcome, ...last };
        if (endHold) endHold(result);
        else journal.event(JOURNAL_ACTIONS.hold, result);
        endHold = undefined;
        break;
      }
      case 'skip':
        journal.event(JOURNAL_ACTIONS.skip, { at: e.at, name: e.name, reason: e.reason });
        break;
      case 'rollback-rows':
        journal.event('rollback.rows', { at: e.at, name: e.name, rows: e.rows });
        break;
      case 'rollback':
        journal.event(JOURNAL_ACTIONS.rollback, {
          at: e.at,
          name: e.name,
          kind: e.kind,
          outcome: e.outcome,
          ...(e.removedRows !== undefined ? { removedRows: e.removedRows } : {}),
          ...(e.error ? { error: e.error } : {}),
        });
        break;
      case 'run-end': {
        const result = {
          at: e.at,
          outcome: e.outcome,
          applied: e.applied,
          ...(e.failed ? { failed: e.failed } : {}),
          durationMs: e.durationMs,
        };
        if (endRun) endRun(result);
        else journal.event(JOURNAL_ACTIONS.run, result);
        endRun = undefined;
        break;
      }
    }
  });
}
