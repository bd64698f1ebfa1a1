// Checklist items that earlier commands prove through the journal: the backup stored off the host
// (a copy read back with the backup's sha256), archived backups after the run, the performance
// validation and the temporary query logging of the guide's post-migration section.
import type { ItemEnv, Verdict } from './checklistItems.js';
import { journalled, lastRunStart, verifiedCopies } from './journalFacts.js';
import { shortSha } from './format.js';

export const PERFORMANCE_JOURNAL = 'verify.performance';
export const LOG_SLOW_JOURNAL = 'verify.log-slow';

const afterRun = (env: ItemEnv, at: string) => {
  const run = lastRunStart(env.journal);
  return !run || at > run;
};

function offsite(env: ItemEnv, after: 'any' | 'run'): Verdict {
  const sha = env.ev.backups.latest?.sha256;
  const copies = verifiedCopies(env.journal).filter((c) => after === 'any' || afterRun(env, c.at));
  const latest = copies.filter((c) => c.sha256 === sha).at(-1);
  const how = `run \`citadel-migrate backup --copy-to s3://bucket/prefix\`${env.manifest?.copyTo ? '' : ' (or set copyTo: in the runbook)'}, or confirm a copy made by hand`;
  if (latest)
    return {
      status: 'pass',
      evidence: `copied to ${latest.location} at ${latest.at} by ${latest.who}; read back, sha256 ${shortSha(latest.sha256)}… matches`,
    };
  if (copies.length) {
    const c = copies.at(-1)!;
    return {
      status: 'warn',
      evidence: `the latest backup is not copied off the host; the last copy (${c.location}, ${c.at}) is of an older one: ${how}`,
    };
  }
  return { status: env.manifest?.copyTo ? 'fail' : 'manual', evidence: `no copy off the host is recorded: ${how}` };
}

export const journalEvaluators: Record<string, (env: ItemEnv) => Verdict> = {
  'backup.offsite': (env) => offsite(env, 'any'),

  'post.archive-backups': (env) => {
    if (!lastRunStart(env.journal))
      return { status: 'manual', evidence: 'after the migrations: copy the backups off the host (backup --copy-to)' };
    return offsite(env, 'run');
  },

  'post.performance': (env) => {
    const runs = journalled<Record<string, unknown>, { tables?: unknown[]; invalid?: string[]; unused?: string[] }>(
      env.journal,
      PERFORMANCE_JOURNAL,
    ).filter((p) => afterRun(env, p.at));
    const p = runs.at(-1);
    if (!lastRunStart(env.journal) || !p)
      return { status: 'manual', evidence: 'after the migrations: run `citadel-migrate verify --performance`' };
    const invalid = p.result?.invalid ?? [];
    if (invalid.length)
      return {
        status: 'fail',
        evidence: `invalid new index(es) at ${p.at}: ${invalid.join(', ')}; drop and build them again`,
      };
    const unused = p.result?.unused ?? [];
    return {
      status: unused.length ? 'warn' : 'pass',
      evidence: `verify --performance at ${p.at} by ${p.who}${unused.length ? `; not used yet: ${unused.join(', ')}` : ''}`,
    };
  },

  'post.query-logging': (env) => {
    const l = journalled<{ value?: string; until?: string | null }, { ok?: boolean }>(env.journal, LOG_SLOW_JOURNAL)
      .filter((x) => x.result?.ok)
      .at(-1);
    if (!l || !lastRunStart(env.journal) || !afterRun(env, l.at))
      return { status: 'manual', evidence: 'after the migrations: `citadel-migrate verify --log-slow 1s --for 24h`' };
    if (l.details.value === 'off')
      return { status: 'pass', evidence: `slow-query logging was on and is restored (${l.at}, ${l.who})` };
    return {
      status: 'pass',
      evidence: `log_min_duration_statement = ${l.details.value} since ${l.at}${l.details.until ? `, restored after ${l.details.until}` : ''}`,
    };
  },
};
