// What the controller derives, as plain functions: the migrations a run started here adds to the
// recorded states, and the locks and gauges panes and the other runner a monitor snapshot gives.
import type {
  EngineEvent,
  MonitorSnapshot,
  MigrationsFolder,
  MigrationStatus,
  RunbookManifest,
  AdvisoryHolder,
} from '../operations/types.js';
import { lockRows, retryReason, type ChecklistResults } from '../operations/consoleReads.js';
import type { Workspace } from '../operations/workspace.js';
import type { ConsoleMode, ConsoleState, LockRow, MessageLevel, MigrationView } from './state.js';
import { noProjectLine } from '../operations/project.js';
import type { RehearsedDuration } from '../operations/events.js';

/** A statement running this long gets the rehearsal's ETA, as `run` gives it on its live line. */
const REHEARSAL_ETA_AFTER_MS = 1_000;

/**
 * The running statement's progress with what `rehearse --with-data` measured for it (same rows):
 * the best ETA there is, preferred to one from the rate observed now, as `run` prefers it.
 */
function withRehearsal(s: SessionInfo, rehearsed: RehearsedDuration | undefined): MigrationView['progress'] {
  const ms = s.statement ? rehearsed?.statementMs?.[s.statement.index - 1] : undefined;
  if (ms === undefined || ms === null || !s.statementStartedAt) return s.progress;
  const ran = Date.now() - s.statementStartedAt;
  if (ran < REHEARSAL_ETA_AFTER_MS) return s.progress;
  return {
    phase: s.progress?.phase ?? 'running',
    percent: s.progress?.percent ?? null,
    etaMs: Math.max(0, ms - ran),
    rehearsedMs: ms,
  };
}

/** What this console knows about a migration beyond its recorded state: a run started here. */
export interface SessionInfo {
  state?: MigrationView['state'];
  startedAt?: number;
  /** When the running statement began (its ETA from the rehearsal counts from here). */
  statementStartedAt?: number;
  durationMs?: number;
  statement?: MigrationView['statement'];
  lockWait?: MigrationView['lockWait'];
  error?: MigrationView['error'];
  progress?: MigrationView['progress'];
  queued?: MigrationView['queued'];
  holding?: string;
}

/** Records an engine event of a run started here in that migration's session info. */
export function noteInSession(session: Map<string, SessionInfo>, e: EngineEvent): void {
  if (!('name' in e)) return;
  const i = session.get(e.name) ?? {};
  session.set(e.name, i);
  switch (e.type) {
    case 'migration-start':
      Object.assign(i, {
        state: 'running',
        startedAt: Date.now(),
        statement: undefined,
        lockWait: undefined,
        error: undefined,
      });
      break;
    case 'statement-start':
      Object.assign(i, {
        statement: { index: e.index, count: e.count, line: e.line, sql: e.sql },
        statementStartedAt: Date.now(),
        lockWait: undefined,
        progress: undefined,
        queued: undefined,
      });
      break;
    case 'lock-wait':
      i.lockWait = { waitedMs: e.waitedMs, blockingPids: e.blockingPids };
      break;
    case 'index-progress':
      i.progress = { phase: e.phase, percent: e.percent, etaMs: e.etaMs ?? null };
      break;
    case 'victims':
      i.queued = { sessions: e.victims, longestWaitMs: e.longestWaitMs, at: Date.now() };
      break;
    case 'statement-end':
      Object.assign(i, { progress: undefined, queued: undefined });
      break;
    case 'retry':
      // The queue it gave way to stays on screen for its 2 s: the reason for the retry.
      i.progress = undefined;
      break;
    case 'hold':
      // A hold before a migration comes before its start: the row is this run's from now on.
      if (i.state !== 'running') Object.assign(i, { state: 'running', startedAt: Date.now() });
      i.holding = e.reason;
      break;
    case 'hold-end':
      i.holding = undefined;
      // expired or stopped before its first statement: nothing of it ran
      if ((e.expired || e.stopped) && !i.statement) i.state = undefined;
      break;
    case 'batch-progress':
      i.progress = {
        phase: `backfill ${e.rows} rows, ${e.rowsPerSecond} rows/s`,
        percent: e.percent,
        etaMs: e.etaMs,
      };
      break;
    case 'migration-end':
      Object.assign(i, {
        state: undefined,
        durationMs: e.durationMs,
        error: e.error,
        statement: undefined,
        lockWait: undefined,
      });
      break;
  }
}

/**
 * The recorded states as the pane shows them: the guide's estimate, whether a down.sql exists, the
 * failure's first line. `ownRun`: the runner `status` sees is this console's own run, whose rows its
 * engine events draw (not as another terminal's).
 */
export function recordedViews(
  states: MigrationStatus[],
  folder: MigrationsFolder,
  manifest: RunbookManifest | undefined,
  ownRun = false,
): MigrationView[] {
  const estimates = new Map(manifest?.migrations.map((m) => [m.name, m.estimate]) ?? []);
  const downs = new Map(folder.migrations.map((m) => [m.name, Boolean(m.downPath)]));
  return states.map((st) => ({
    name: st.name,
    state: st.state,
    estimate: estimates.get(st.name),
    note: st.note,
    hasDown: downs.get(st.name) ?? false,
    ...(st.running && !ownRun ? { runner: st.running } : {}),
    ...(st.state === 'failed' && st.logs
      ? { error: { code: 'FAILED', message: st.logs.split('\n')[0] ?? st.logs } }
      : {}),
  }));
}

/** The recorded states with what this console's own run knows on top. */
export function withSession(
  recorded: MigrationView[],
  session: Map<string, SessionInfo>,
  rehearsed?: Map<string, RehearsedDuration>,
): MigrationView[] {
  return recorded.map((m) => {
    const s = session.get(m.name);
    if (!s) return m;
    if (s.state === 'running') {
      // Sessions seen queued in the last 2 s: the watcher says nothing once the queue has drained.
      const queued = s.queued && Date.now() - s.queued.at < 2000 ? s.queued : undefined;
      // The journal's open begin of this very run is not an interrupted one: the row's note is ours to draw.
      return {
        ...m,
        state: 'running' as const,
        note: undefined,
        statement: s.statement,
        lockWait: s.lockWait,
        progress: withRehearsal(s, rehearsed?.get(m.name)),
        queued,
        holding: s.holding,
        durationMs: s.startedAt ? Date.now() - s.startedAt : undefined,
      };
    }
    // The recorded state wins once the run has moved on; the session adds duration and the hint.
    const error = m.state === 'failed' ? (s.error ?? m.error) : undefined;
    return { ...m, durationMs: m.state === 'applied' ? s.durationMs : undefined, ...(error ? { error } : {}) };
  });
}

/** The locks and gauges panes of a monitor snapshot (byApp: the application's sessions by name). */
export function panesFrom(
  snap: MonitorSnapshot,
  byApp: Map<string, number>,
  risks: LockRow[] = [],
): Pick<ConsoleState, 'locks' | 'gauges'> {
  const disk = snap.disk;
  // The wait tree first; then the sessions that could block the guarded migration and are not in it.
  const waits: LockRow[] = lockRows(snap.locks).map((r) => ({ ...r, kind: 'wait' as const }));
  const shown = new Set(waits.map((r) => r.pid));
  return {
    locks: {
      available: true,
      note: snap.stale ? `stale: ${snap.error ?? 'reconnecting'}` : undefined,
      rows: [...waits, ...risks.filter((r) => !shown.has(r.pid))],
    },
    gauges: {
      available: true,
      stale: snap.stale,
      dbBytes: snap.sizes.databaseBytes ?? undefined,
      sizeNote: snap.sizes.databaseBytes === null && snap.sizes.error ? snap.sizes.error : undefined,
      growthBytes: snap.sizes.growthBytes ?? undefined,
      // Whole percents, as shown: the free bytes move with every write on the server.
      diskFreePercent: disk.known ? Math.floor(disk.freePercent) : null,
      diskNote: disk.known ? undefined : disk.reason,
      indexBuilds: snap.indexBuilds.map((b) => ({
        pid: b.pid,
        index: b.index,
        relation: b.relation,
        phase: b.phase,
        percent: b.percent,
      })),
      connections: [...byApp]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
        .map(([application, count]) => ({ application, count })),
      ...(snap.replication ? { replication: asShown(snap.replication) } : {}),
    },
  };
}

/** Which folder and URL this is, so the demo runbook is never taken for the project's. */
export function sourceMessage(
  ctx: Workspace,
  mode: ConsoleMode,
): { text: string; level: MessageLevel; noProject?: string } {
  const project = ctx.project();
  // on a LIVE database without a project the bundled runbook is only shown: every key that writes refuses
  const noProject = ctx.mode === 'live' ? noProjectLine(project) : undefined;
  if (noProject)
    return {
      text: `bundled CitadelBuy runbook, shown read-only (no Prisma project in ${project.cwd})`,
      level: 'warn',
      noProject,
    };
  if (mode === 'demo') return { text: 'bundled CitadelBuy runbook (demo sandbox)', level: 'info' };
  if (project.fallback)
    return { text: `bundled CitadelBuy runbook (no Prisma project in ${project.cwd})`, level: 'warn' };
  if (project.bundled) return { text: 'bundled CitadelBuy runbook (as asked)', level: 'warn' };
  return { text: `source: ${ctx.source()}`, level: 'info' };
}

export function checklistView(items: ChecklistResults): ConsoleState['checklist'] {
  return {
    available: true,
    items: items.map((i) => ({
      id: i.id,
      title: i.title,
      status: i.confirmedBy ? 'confirmed' : i.status,
      evidence: i.evidence,
      group: i.group,
      ...(i.action ? { action: i.action } : {}),
    })),
  };
}

/** The application's sessions by name, without this console's own. */
export function applicationSessions(snap: MonitorSnapshot): Map<string, number> {
  const byApp = new Map<string, number>();
  for (const c of snap.connections.byApplication) {
    if (c.application.startsWith('citadel-migrate')) continue;
    byApp.set(c.application, (byApp.get(c.application) ?? 0) + c.sessions);
  }
  return byApp;
}

/**
 * Another run holding the migration lock: not one of this console's own sessions (a snapshot may be
 * taken just before a finished run's session closed). A stale snapshot proves nothing: the engine
 * itself refuses if the lock is really taken.
 */
export function otherRunnerIn(snap: MonitorSnapshot, ownPids: Set<number>): AdvisoryHolder | null {
  const holder = snap.stale ? undefined : snap.migrationLock.find((l) => l.granted && !ownPids.has(l.pid));
  return holder
    ? {
        pid: holder.pid,
        application: holder.application,
        clientAddr: holder.clientAddr,
        user: holder.user,
        since: holder.since,
        query: holder.query,
      }
    : null;
}

/** What the message line says of an engine event of a run started here (nothing for most). */
export function eventMessage(e: EngineEvent): { text: string; level: 'info' | 'warn' | 'error' } | undefined {
  switch (e.type) {
    case 'migration-start':
      return { text: `${e.name}: running`, level: 'info' };
    case 'retry':
      // of is null when the retries are bounded by --lock-wait-limit, not counted.
      return {
        text: `${e.name}: statement ${e.index} retried (${e.attempt}${e.of !== null ? ` of ${e.of}` : ''}) after ${retryReason(e.reason)}${e.blockingPids.length ? `, blocked by pid ${e.blockingPids.join(', ')}` : ''}`,
        level: 'warn',
      };
    case 'hold':
      // also where a short Migrations pane has no line for it below the row
      return { text: `${e.name}: holding: ${e.reason}`, level: 'warn' };
    case 'hold-end':
      return e.expired
        ? { text: `${e.name}: held ${Math.round(e.heldMs / 1000)} s (--max-hold) because ${e.expired}`, level: 'error' }
        : { text: `${e.name}: held ${Math.round(e.heldMs / 1000)} s; going on`, level: 'info' };
    case 'migration-end':
      return e.outcome === 'failed'
        ? {
            text: `${e.name} failed: ${e.error?.message ?? ''}${e.error?.hint ? ` (hint: ${e.error.hint})` : ''}`,
            level: 'error',
          }
        : undefined;
    default:
      return undefined;
  }
}

/**
 * The replication figures to the precision the gauges show them: the WAL rate and the lags move a
 * little at every refresh, and a refresh whose shown figures are the same must draw nothing.
 */
function asShown(r: NonNullable<MonitorSnapshot['replication']>): NonNullable<MonitorSnapshot['replication']> {
  const two = (n: number | null) => (n === null ? null : Number(n.toPrecision(2)));
  const secs = (n: number | null) => (n === null ? null : n < 10 ? Math.round(n * 10) / 10 : Math.round(n));
  return {
    ...r,
    wal: { ...r.wal, bytesPerSecond: two(r.wal.bytesPerSecond) },
    standbys: r.standbys.map((s) => ({
      ...s,
      writeLagSeconds: secs(s.writeLagSeconds),
      flushLagSeconds: secs(s.flushLagSeconds),
      replayLagSeconds: secs(s.replayLagSeconds),
      writeLagBytes: two(s.writeLagBytes),
      flushLagBytes: two(s.flushLagBytes),
      replayLagBytes: two(s.replayLagBytes),
    })),
    slots: r.slots.map((sl) => ({ ...sl, retainedBytes: two(sl.retainedBytes) })),
  };
}
