// The checklist's "Create full database backup" and "Verify backup integrity". They pass only on a
// backup the journal recorded for this database (found wherever it was written, with the recorded
// sha256), verified by a real restore, taken at the migration state the database is in now, and
// younger than the runbook's maximum age. A dump and its .json in the folder prove nothing alone.
import path from 'node:path';
import type { ItemEnv, Verdict } from './checklistItems.js';
import { migrationState, type RecordedBackup } from './journalBackups.js';
import { journalled } from './journalFacts.js';
import { formatBytes, formatDuration, shortSha } from './format.js';

/** A backup older than this is not "the" backup for tonight's window (the runbook may say otherwise). */
export const BACKUP_FRESH_HOURS = 24;

const maxAgeHours = (env: ItemEnv) => env.manifest?.thresholds.maxBackupAgeHours ?? BACKUP_FRESH_HOURS;

function noneRecorded(env: ItemEnv): string {
  const f = env.ev.backups;
  const parts = [`no backup of ${env.target.database} is recorded in the journal`];
  if (f.lost.length) parts.push(`the recorded ${describeLost(env)}`);
  if (f.unrecorded)
    parts.push(
      `${path.basename(f.unrecorded)} in ${path.dirname(f.unrecorded)} is not a backup the journal recorded (a dump and its .json prove nothing on their own)`,
    );
  return `${parts.join('; ')}: run \`citadel-migrate backup\``;
}

function describeLost(env: ItemEnv): string {
  return env.ev.backups.lost
    .slice(0, 3)
    .map((l) => `${l.file} (${l.at}) is ${l.problem === 'missing' ? 'gone' : 'changed since it was made'}`)
    .join(', ');
}

/** Why the backup no longer covers the database's migrations, or undefined when it does. */
export function migrationsSince(env: ItemEnv, b: RecordedBackup): string | undefined {
  const history = env.ev.history;
  if (!history) return 'the migration state could not be read to compare';
  if (b.migrations) {
    const now = migrationState(history);
    if (now.digest === b.migrations.digest) return undefined;
    const then = b.migrations;
    return `the migrations changed since it was taken: ${then.applied} applied then${then.last ? ` (last ${then.last})` : ''}, ${now.applied} now${now.last ? ` (last ${now.last})` : ''}`;
  }
  // A backup recorded before the state was kept: what _prisma_migrations and the journal say changed after it.
  const since = Date.parse(b.at);
  const rows = history.filter((r) => [r.finished_at, r.rolled_back_at].some((t) => t && new Date(t).getTime() > since));
  const journalled_ = journalled<unknown, { outcome?: string; name?: string }>(env.journal, 'migration').filter(
    (m) => m.endedAt && m.endedAt > b.at && m.result?.outcome === 'applied',
  );
  const names = new Set(
    [...rows.map((r) => r.migration_name), ...journalled_.map((m) => m.result?.name ?? '')].filter(Boolean),
  );
  return names.size
    ? `${names.size} migration(s) applied or rolled back since it was taken (${[...names].slice(0, 5).join(', ')}${names.size > 5 ? ', …' : ''})`
    : undefined;
}

export const backupEvaluators: Record<string, (env: ItemEnv) => Verdict> = {
  'backup.create': (env) => {
    const b = env.ev.backups.latest;
    if (!b) return { status: 'fail', evidence: noneRecorded(env) };
    const age = env.now.getTime() - Date.parse(b.at);
    const text = `${b.file}, ${formatBytes(b.bytes)}, made ${formatDuration(Math.max(0, age))} ago by ${b.who}`;
    const lost = env.ev.backups.lost.length ? `; newer: ${describeLost(env)}` : '';
    if (age > maxAgeHours(env) * 3_600_000)
      return { status: 'fail', evidence: `${text}: older than ${maxAgeHours(env)} h, take a fresh one${lost}` };
    const since = migrationsSince(env, b);
    if (since) return { status: 'fail', evidence: `${text}: ${since}; take a fresh one${lost}` };
    if (!b.verified) return { status: 'fail', evidence: `${text}: its restore check failed, take a fresh one${lost}` };
    return { status: 'pass', evidence: `${text}, at the current migration state${lost}` };
  },

  'backup.verify': (env) => {
    const b = env.ev.backups.latest;
    if (!b) return { status: 'fail', evidence: 'no backup recorded in the journal to verify' };
    const c = b.restoreCheck;
    if (!b.verified)
      return {
        status: 'fail',
        evidence: `restore check failed: ${c?.error ?? `${c?.mismatches.length ?? '?'} table(s) differ`}`,
      };
    const what = c
      ? `restored into a scratch database: ${c.tables} tables, ${c.rowsCompared} rows match exactly`
      : 'verified by a restore';
    const since = migrationsSince(env, b);
    if (since) return { status: 'fail', evidence: `${what}, but ${since}` };
    return {
      status: 'pass',
      evidence: `${what}; sha256 ${shortSha(b.sha256)}… recorded in the journal and matches the file`,
    };
  },
};
