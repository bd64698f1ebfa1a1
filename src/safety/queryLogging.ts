// The guide's "Enable Query Logging (temporarily)": log_min_duration_statement set with ALTER SYSTEM
// and pg_reload_conf(), its previous value journalled so that `verify --log-slow off` (or the end of
// the period, checked when the console starts) puts back exactly what was there.
import { withDb, type Db } from '../postgres/connect.js';
import type { Target } from '../postgres/target.js';
import { readJournalFile } from '../journal/read.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import type { Journal, JournalLine } from '../journal/journal.js';
import { UserError } from '../errors.js';
import { journalled } from './journalFacts.js';
import { LOG_SLOW_JOURNAL } from './journalItems.js';

export interface SlowLogSetting {
  setting: string;
  unit: string;
  source: string;
  sourcefile: string | null;
}

export interface SlowLogChange {
  value: string;
  previous: string;
  /** RESET: the previous value did not come from ALTER SYSTEM, so the override is removed. */
  restoreBy: 'reset' | 'set';
  until: string | null;
}

/** 1s, 500ms, 2min or plain milliseconds: what log_min_duration_statement accepts, nothing else. */
export function slowLogValue(text: string): string {
  const v = text.trim();
  if (!/^\d+\s*(ms|s|min)?$/.test(v))
    throw new UserError(
      `"${text}" is not a duration for --log-slow: write e.g. 1s, 500ms or 2min (or off to restore the previous setting).`,
      'bad-input',
    );
  return v.replace(/\s+/g, '');
}

async function current(db: Pick<Db, 'query'>): Promise<SlowLogSetting> {
  return (await db.query<SlowLogSetting>(sqlFile('slow_log_setting'))).rows[0]!;
}

function refused(err: unknown, user: string): never {
  if ((err as { code?: string }).code === '42501') {
    throw new UserError(
      `The role ${user} may not change server settings: ALTER SYSTEM needs a superuser or GRANT ALTER SYSTEM ON PARAMETER log_min_duration_statement TO ${user}; ask a superuser to run it, or set it in postgresql.conf.`,
      'refused',
    );
  }
  throw err;
}

async function alterSystem(db: Pick<Db, 'query'>, sql: string, user: string): Promise<void> {
  try {
    await db.query(sql);
    await db.query('SELECT pg_reload_conf()');
  } catch (err) {
    refused(err, user);
  }
}

/** The latest change still in force: journalled, successful, and not restored since. */
export function activeChange(journal: JournalLine[]): (SlowLogChange & { at: string; who: string }) | undefined {
  const all = journalled<Partial<SlowLogChange> & { value?: string }, { ok?: boolean }>(
    journal,
    LOG_SLOW_JOURNAL,
  ).filter((x) => x.result?.ok);
  const last = all.at(-1);
  if (!last || last.details.value === 'off' || !last.details.previous) return undefined;
  return {
    value: last.details.value!,
    previous: last.details.previous,
    restoreBy: last.details.restoreBy ?? 'reset',
    until: last.details.until ?? null,
    at: last.at,
    who: last.who,
  };
}

export async function enableSlowLog(
  db: Pick<Db, 'query'>,
  journal: Journal,
  lines: JournalLine[],
  value: string,
  forMs: number | undefined,
  user: string,
): Promise<SlowLogChange> {
  const v = slowLogValue(value);
  // A second --log-slow keeps the value from before the first, or "off" would restore our own.
  const active = activeChange(lines);
  const now = await current(db);
  const fromAutoConf = now.source === 'configuration file' && /postgresql\.auto\.conf$/.test(now.sourcefile ?? '');
  const change: SlowLogChange = {
    value: v,
    previous: active?.previous ?? (now.setting === '-1' ? '-1' : `${now.setting}${now.unit}`),
    restoreBy: active?.restoreBy ?? (fromAutoConf ? 'set' : 'reset'),
    until: forMs ? new Date(Date.now() + forMs).toISOString() : null,
  };
  const end = journal.begin(LOG_SLOW_JOURNAL, change);
  try {
    await alterSystem(db, `ALTER SYSTEM SET log_min_duration_statement = '${v}'`, user);
  } catch (err) {
    end({ ok: false, error: (err as Error).message });
    throw err;
  }
  end({ ok: true });
  return change;
}

/** Puts back what the journal says was there; nothing to do when no change is in force. */
export async function restoreSlowLog(
  db: Pick<Db, 'query'>,
  journal: Journal,
  lines: JournalLine[],
  user: string,
  reason: 'asked' | 'expired',
): Promise<{ restoredTo: string } | undefined> {
  const active = activeChange(lines);
  if (!active) return undefined;
  const end = journal.begin(LOG_SLOW_JOURNAL, { value: 'off', restoredTo: active.previous, reason, set: active.at });
  try {
    let sql = 'ALTER SYSTEM RESET log_min_duration_statement';
    if (active.restoreBy === 'set') {
      // -1 (logging off) has no unit form; any other value is checked again before it goes into SQL.
      const previous = active.previous.startsWith('-1') ? '-1' : `'${slowLogValue(active.previous)}'`;
      sql = `ALTER SYSTEM SET log_min_duration_statement = ${previous}`;
    }
    await alterSystem(db, sql, user);
  } catch (err) {
    end({ ok: false, error: (err as Error).message });
    throw err;
  }
  end({ ok: true });
  return { restoredTo: active.previous };
}

/** A change whose period has ended, if any (the console restores it when it starts). */
export function expiredChange(lines: JournalLine[], now = new Date()): SlowLogChange | undefined {
  const a = activeChange(lines);
  return a?.until && Date.parse(a.until) <= now.getTime() ? a : undefined;
}

/** At the console's start: a --log-slow period that has ended is restored now, and said so. */
export async function restoreExpiredSlowLog(target: Target, journal: Journal): Promise<string | undefined> {
  const lines = readJournalFile(journal.file, { statements: 'none' }).lines;
  const expired = expiredChange(lines);
  if (!expired) return undefined;
  const r = await withDb(target, (db) => restoreSlowLog(db, journal, lines, target.user, 'expired'), {
    applicationName: 'citadel-migrate console',
  });
  return r
    ? `Slow-query logging (${expired.value}) ended at ${expired.until}: log_min_duration_statement restored to ${r.restoredTo}.`
    : undefined;
}
