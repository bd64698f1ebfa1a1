// One evaluator per checklist item a machine can answer. Each says pass/warn/fail with the evidence a
// DBA would otherwise have collected by hand, and never guesses: what cannot be known is `manual`.
import type { Target } from '../postgres/target.js';
import type { ManifestMigration, RunbookManifest } from '../runbook/manifest.js';
import { runnable } from '../runbook/status.js';
import { prismaMigrateStatus, type DiscoveredSchema } from '../tools/prisma.js';
import type { Evidence, AppConnection } from './evidence.js';
import type { JournalLine } from '../journal/journal.js';
import { formatBytes } from './format.js';
import { nameList } from '../format.js';

export interface Verdict {
  status: 'pass' | 'warn' | 'fail' | 'manual';
  evidence: string;
}

export interface ItemEnv {
  ev: Evidence;
  target: Target;
  manifest?: RunbookManifest;
  backupDir: string;
  now: Date;
  /** The manifest's entries for the migrations the next run applies. */
  pending: ManifestMigration[];
  minFreeDiskPercent: number;
  migrationsDir?: string;
  /** The migrations folder (also when Prisma's cross-check is off), for the privileges item. */
  folderDir?: string;
  /** The Prisma schema the console discovered for this folder, for Prisma's own second opinion. */
  prismaSchema?: DiscoveredSchema;
  /** The target's journal, for what earlier commands proved (copies, actions, verifications). */
  journal: JournalLine[];
}

type Evaluator = (env: ItemEnv) => Verdict | Promise<Verdict>;

/** Names by which applications that are job processors usually identify themselves. */
const WORKER_NAME = /worker|job|queue|cron|sidekiq|celery|bull|scheduler|consumer/i;
/** Interactive tools: a DBA's own session, not an application left running. */
const TOOL_NAME = /^(psql|pgAdmin|DBeaver|DataGrip|Navicat|TablePlus|Postico|pg_dump|pg_restore|pgcli|Prisma Studio)/i;

const listApps = (apps: AppConnection[]) =>
  apps.map((a) => `${a.application || '(no application name)'} ×${a.connections}`).join(', ');
const count = (apps: AppConnection[]) => apps.reduce((n, a) => n + a.connections, 0);

function noConnection(env: ItemEnv): Verdict | undefined {
  return env.ev.connectError
    ? { status: 'fail', evidence: `not checked: no connection (${env.ev.connectError})` }
    : undefined;
}

function storageNeed(pending: ManifestMigration[]): { min: number; max: number } {
  return pending.reduce((a, m) => ({ min: a.min + m.storage.minBytes, max: a.max + m.storage.maxBytes }), {
    min: 0,
    max: 0,
  });
}

const range = (r: { min: number; max: number }) =>
  r.min === r.max ? formatBytes(r.max) : `${formatBytes(r.min)}-${formatBytes(r.max)}`;

export const evaluators: Record<string, Evaluator> = {
  'env.connection': (env) => {
    if (env.ev.connectError) return { status: 'fail', evidence: env.ev.connectError };
    const f = env.ev.facts!;
    return {
      status: 'pass',
      evidence: `connected to ${env.target.display} as ${env.target.user}: PostgreSQL ${f.server_version}${f.is_superuser ? ' (superuser)' : ''}`,
    };
  },

  'env.migration-status': async (env) => {
    const down = noConnection(env);
    if (down) return down;
    if (env.ev.statesError) return { status: 'fail', evidence: env.ev.statesError };
    const states = env.ev.states;
    if (!states)
      return {
        status: 'manual',
        evidence: 'no migrations folder given: run `citadel-migrate status --migrations DIR`',
      };
    const by = (s: string) => states.filter((m) => m.state === s).map((m) => m.name);
    const failed = by('failed');
    const modified = by('modified');
    const pending = runnable(states).map((m) => m.name);
    const missing = by('missing-locally');
    let prisma = '';
    if (env.migrationsDir)
      prisma = `; ${(await prismaMigrateStatus(env.target, env.migrationsDir, env.prismaSchema).catch((e: Error) => ({ summary: `prisma migrate status failed: ${e.message}` }))).summary}`;
    const parts = [
      `${by('applied').length} applied, ${pending.length} pending${pending.length ? ` (${nameList(pending)})` : ''}`,
    ];
    const running = states
      .filter((m) => m.running)
      .map(
        (m) =>
          `${m.name} (pid ${m.running!.pid}, ${m.running!.phase}${m.running!.percent === null ? '' : ` ${m.running!.percent}%`})`,
      );
    if (running.length) parts.push(`running: ${nameList(running)}`);
    if (failed.length) parts.push(`failed: ${nameList(failed)} (resolve with rollback or skip before running)`);
    if (modified.length) parts.push(`modified after being applied: ${nameList(modified)}`);
    if (missing.length) parts.push(`recorded but missing here: ${nameList(missing)}`);
    const status = failed.length || modified.length ? 'fail' : missing.length || running.length ? 'warn' : 'pass';
    return { status, evidence: parts.join('; ') + prisma };
  },

  'env.privileges': async (env) => {
    const down = noConnection(env);
    if (down) return down;
    const { migratePrivileges } = await import('./privileges.js');
    return migratePrivileges(env.target, env.folderDir, env.ev.states).catch((e: Error) => ({
      status: 'manual' as const,
      evidence: `not checked: ${e.message}`,
    }));
  },

  'env.disk-space': (env) => {
    const down = noConnection(env);
    if (down) return down;
    const d = env.ev.disk!;
    const need = storageNeed(env.pending);
    const needText = need.max ? `; the pending migrations need ${range(need)} (guide's estimates)` : '';
    if (!d.known)
      return {
        status: 'manual',
        evidence: `unknown: ${d.reason}. Run ${d.command}, want ≥${env.minFreeDiskPercent}% free${needText}; then confirm this item`,
      };
    const base = `${d.freePercent.toFixed(1)}% free (${formatBytes(d.freeBytes)} of ${formatBytes(d.totalBytes)}) under ${d.dataDirectory}${needText}`;
    if (d.freeBytes < need.max) return { status: 'fail', evidence: `${base}: not enough for the pending migrations` };
    if (d.freePercent < env.minFreeDiskPercent)
      return { status: 'warn', evidence: `${base}: below the guide's ${env.minFreeDiskPercent}%` };
    return { status: 'pass', evidence: base };
  },

  'env.database-size': (env) => {
    const down = noConnection(env);
    if (down) return down;
    const need = storageNeed(env.pending);
    const growth = !env.manifest
      ? '; growth of the pending migrations unknown (no runbook manifest)'
      : need.max
        ? `; the ${env.pending.length} pending migration(s) of the runbook add ${range(need)}`
        : '; no pending migration of the runbook';
    return { status: 'pass', evidence: `database ${formatBytes(env.ev.facts!.database_bytes)}${growth}` };
  },

  'window.maintenance-mode': (env) => {
    const down = noConnection(env);
    if (down) return down;
    const apps = env.ev.applications.filter((a) => !TOOL_NAME.test(a.application));
    const tools = env.ev.applications.filter((a) => TOOL_NAME.test(a.application));
    if (apps.length)
      return {
        status: 'fail',
        evidence: `${count(apps)} application connection(s) still open to ${env.target.database}: ${listApps(apps)}; maintenance mode is not on yet`,
      };
    if (tools.length)
      return { status: 'warn', evidence: `no application connections; interactive sessions open: ${listApps(tools)}` };
    return { status: 'pass', evidence: `no application connections to ${env.target.database}` };
  },

  'window.background-jobs': (env) => {
    const down = noConnection(env);
    if (down) return down;
    const workers = env.ev.applications.filter((a) => WORKER_NAME.test(a.application));
    const unnamed = env.ev.applications.filter((a) => !a.application);
    if (workers.length)
      return {
        status: 'fail',
        evidence: `worker connection(s) still open: ${listApps(workers)}; stop the job processors first`,
      };
    if (unnamed.length)
      return {
        status: 'warn',
        evidence: `${count(unnamed)} connection(s) without an application name: cannot tell whether workers are among them`,
      };
    return { status: 'pass', evidence: 'no worker connections (judged by application name)' };
  },
};
