import type { Context } from '../context.js';
import { ExitCode, usageError } from '../errors.js';
import { parseCount } from '../duration.js';
import { kubernetesJob } from '../../operations/fleet.js';
import { migrationsDir } from './fleetTargets.js';

// The fleet run's flags a runner pod gets as given (their values checked by `fleet run` in the pod).
const PASSED: [string, string][] = [
  ['concurrency', '--concurrency'],
  ['perServer', '--per-server'],
  ['canary', '--canary'],
  ['waves', '--waves'],
  ['maxFailures', '--max-failures'],
  ['lease', '--lease'],
  ['fleet', '--fleet'],
  ['lockTimeout', '--lock-timeout'],
  ['lockRetries', '--lock-retries'],
  ['lockWaitLimit', '--lock-wait-limit'],
  ['statementTimeout', '--statement-timeout'],
  ['maxLag', '--max-lag'],
  ['maxArchiveBacklog', '--max-archive-backlog'],
  ['maxHold', '--max-hold'],
];

export default async function fleetKubernetes(ctx: Context, opts: Record<string, unknown>): Promise<number> {
  if (opts.ledger)
    throw usageError(
      "kubernetes-job takes the ledger's URL from the Secret (its LEDGER_URL key), never from the command line: leave --ledger out.",
    );
  const runners = parseCount(opts.runners, '--runners');
  if (runners < 1) throw usageError('--runners must be at least 1.');
  const file = opts.targets as string | undefined;
  const sql = opts.targetsSql as string | undefined;
  if (!file === !sql) throw usageError('Pass --targets FILE (its path inside the image) or --targets-sql QUERY.');
  const runFlags = PASSED.flatMap(([key, flag]) => (opts[key] !== undefined ? [flag, String(opts[key])] : []));
  if (opts.allowForeignHistory) runFlags.push('--allow-foreign-history');
  process.stdout.write(
    kubernetesJob({
      name: String(opts.name ?? 'citadel-fleet'),
      runners,
      image: String(opts.image),
      secret: String(opts.secret),
      migrationsDir: migrationsDir(ctx),
      targets: file ? { file } : { sql: sql! },
      runFlags,
    }),
  );
  return ExitCode.ok;
}
