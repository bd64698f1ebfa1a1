// A rehearsal: the pending migrations applied by the real engine to a scratch copy of the target,
// in one run, one migration at a time so that each is measured on its own: statement timings, the locks it holds and for
// how long (the lock table of plan over the measured timings: in one transaction a lock is held
// from the statement that takes it until the commit), tables rewritten (relfilenode changed),
// indexes left invalid, and size growth. The target is only read (its catalog, pg_dump).
import type { Db } from '../postgres/connect.js';
import { connect, withDb } from '../postgres/connect.js';
import type { Target } from '../postgres/target.js';
import type { LocalMigration, MigrationsFolder } from '../runbook/folder.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { runMigrations, type RunResult } from '../engine/run.js';
import { EventStream } from '../engine/events.js';
import type { MigrationResult } from '../engine/migrationTypes.js';
import { diagnoseFailure } from './hint.js';
import { migrationStates, runnable } from '../runbook/status.js';
import { splitStatements, SqlSyntaxError, type SqlStatement } from '../engine/split.js';
import { readTargetFacts } from './catalog.js';
import { lockOf, strongest, type LockMode } from './locks.js';
import { createScratch, copyInto, dumpTarget, type ScratchKind, type TargetDump } from './scratch.js';
import { preflightPending, type PreflightReport } from './preflight.js';

export interface RehearsalOptions {
  target: Target;
  folder: MigrationsFolder;
  scratch: ScratchKind;
  withData: boolean;
  keepGoing: boolean;
  /** --to NAME: only the pending migrations up to NAME. */
  to?: string;
  lockTimeoutMs?: number;
  lockRetries?: number;
  statementTimeoutMs?: number;
  signal?: AbortSignal;
  /** The guide's estimate per migration name, when a runbook manifest is known. */
  estimates?: Map<string, { minMinutes: number; maxMinutes: number }>;
  /** Progress lines (one per migration) for a human watching. */
  onProgress?: (line: string) => void;
}

export interface StatementTiming {
  line: number;
  kind: string;
  durationMs: number | null;
  lock: LockMode | null;
  relation: string | null;
}

/** What the engine reports for the migration, plus what only a rehearsal measures. */
export interface RehearsedMigration extends Omit<MigrationResult, 'interrupted'> {
  estimate?: { minMinutes: number; maxMinutes: number };
  /** Locks on relations that existed before the migration, strongest first. */
  locks: { relation: string; mode: LockMode; heldMs: number }[];
  rewrites: string[];
  invalidIndexes: string[];
  sizeGrowthBytes: number;
  statementTimings: StatementTiming[];
}

export interface RehearsalResult {
  mode: 'rehearsal';
  outcome: 'ok' | 'failed' | 'interrupted' | 'nothing-to-do';
  scratch: ScratchKind;
  copy: 'schema' | 'schema+data';
  copyMs: number;
  durationMs: number;
  migrations: RehearsedMigration[];
  /**
   * A schema-only copy has no rows, so statements that fail on data pass there: the data preflight
   * checks them on the target's rows instead (read only). Absent on a copy with data.
   */
  preflight?: PreflightReport;
}

interface Snapshot {
  files: Map<string, number>;
  bytes: number;
  invalid: string[];
}

async function snapshot(db: Pick<Db, 'query'>): Promise<Snapshot> {
  const { rows } = await db.query<{ files: { name: string; relfilenode: number }[]; bytes: string; invalid: string[] }>(
    sqlFile('rehearse_copy_state'),
  );
  const r = rows[0]!;
  return {
    files: new Map(r.files.map((f) => [f.name, Number(f.relfilenode)])),
    bytes: Number(r.bytes ?? 0),
    invalid: r.invalid,
  };
}

export async function rehearse(opts: RehearsalOptions): Promise<RehearsalResult> {
  const t0 = performance.now();
  // The scratch server starts (initdb, seconds) while the data preflight reads the target.
  let starting: Promise<Awaited<ReturnType<typeof createScratch>>> | undefined;
  let dumping: Promise<TargetDump> | undefined;
  const dropDump = () => dumping?.then((d) => d.remove()).catch(() => undefined);
  const { facts, preflight, pending } = await withDb(
    opts.target,
    async (db) => {
      const facts = await readTargetFacts(db);
      const states = migrationStates(opts.folder.migrations, facts.history);
      const pending = runnable(states, opts.to).map((s) => opts.folder.migrations.find((m) => m.name === s.name)!);
      if (pending.length) {
        starting = createScratch(opts.target, opts.scratch, facts.serverVersionNum);
        starting.catch(() => undefined);
        // the dump needs only the target: it is made while the scratch server starts
        dumping = dumpTarget(opts.target, { withData: opts.withData, serverVersionNum: facts.serverVersionNum });
        dumping.catch(() => undefined);
      }
      try {
        return {
          facts,
          pending,
          preflight: opts.withData ? undefined : await preflightPending(db, opts.folder, facts, { to: opts.to }),
        };
      } catch (err) {
        await starting?.then((s) => s.remove()).catch(() => undefined);
        await dropDump();
        throw err;
      }
    },
    { applicationName: 'citadel-migrate rehearse' },
  ).catch(async (err) => {
    await starting?.then((s) => s.remove()).catch(() => undefined);
    await dropDump();
    throw err;
  });
  const base = {
    mode: 'rehearsal' as const,
    scratch: opts.scratch,
    copy: opts.withData ? ('schema+data' as const) : ('schema' as const),
    ...(preflight ? { preflight } : {}),
  };
  if (!pending.length || !starting)
    return {
      ...base,
      outcome: 'nothing-to-do',
      copyMs: 0,
      durationMs: Math.round(performance.now() - t0),
      migrations: [],
    };

  const scratch = await starting.catch(async (err) => {
    await dropDump();
    throw err;
  });
  const results: RehearsedMigration[] = [];
  let outcome: RehearsalResult['outcome'] = 'ok';
  let diagDb: Db | undefined;
  try {
    await copyInto(scratch, await dumping!, { withData: opts.withData, history: facts.history });
    diagDb = await connect(scratch.target, { applicationName: 'citadel-migrate rehearse (diagnosis)' });
    const run = await rehearseAll(opts, scratch.target, diagDb, pending, results);
    outcome = run.outcome === 'nothing-to-do' ? 'ok' : run.outcome;
    if (results.some((r) => r.error?.code === 'INTERRUPTED') || opts.signal?.aborted) outcome = 'interrupted';
  } finally {
    await diagDb?.end().catch(() => undefined);
    await scratch.remove();
  }
  for (const m of pending.filter((p) => !results.some((r) => r.name === p.name))) {
    const stmts = await splitStatements(m.sql).catch(() => [] as SqlStatement[]);
    results.push({
      name: m.name,
      outcome: 'not-run',
      durationMs: 0,
      statements: stmts.length,
      atomic: stmts.every((s) => s.transactional),
      locks: [],
      rewrites: [],
      invalidIndexes: [],
      sizeGrowthBytes: 0,
      statementTimings: [],
      ...estimateOf(opts, m.name),
    });
  }
  return {
    ...base,
    outcome,
    copyMs: scratch.copyMs,
    durationMs: Math.round(performance.now() - t0),
    migrations: results,
  };
}

const estimateOf = (opts: RehearsalOptions, name: string) => {
  const e = opts.estimates?.get(name);
  return e ? { estimate: e } : {};
};

/**
 * All pending migrations in one engine run on the copy (one session, one advisory lock, one history
 * read: a run per migration cost ~300 ms each, 11x the run itself over 160 small migrations), with
 * the copy measured between migrations: files rewritten, indexes left INVALID, growth.
 */
async function rehearseAll(
  opts: RehearsalOptions,
  scratch: Target,
  diagDb: Db,
  pending: LocalMigration[],
  results: RehearsedMigration[],
): Promise<RunResult> {
  const durations = new Map<string, Map<number, number>>();
  const events = new EventStream();
  events.on((e) => {
    if (e.type !== 'statement-end') return;
    if (!durations.has(e.name)) durations.set(e.name, new Map());
    durations.get(e.name)!.set(e.index - 1, e.durationMs);
  });
  // A script PostgreSQL's parser rejects fails where it stands; the engine runs the others (all of
  // them with --keep-going, else those before it), since it refuses a folder with one it cannot parse.
  const parsed = new Map<string, SqlStatement[]>();
  const bad = new Map<string, RehearsedMigration>();
  for (const m of pending) {
    try {
      parsed.set(m.name, await splitStatements(m.sql, `${m.name}/migration.sql`));
    } catch (err) {
      if (!(err instanceof SqlSyntaxError)) throw err;
      bad.set(m.name, {
        name: m.name,
        outcome: 'failed',
        durationMs: 0,
        statements: 0,
        atomic: true,
        error: {
          code: '42601',
          message: err.reason,
          position: err.line,
          hint: "correct the SQL: PostgreSQL's parser rejects it",
        },
        locks: [],
        rewrites: [],
        invalidIndexes: [],
        sizeGrowthBytes: 0,
        statementTimings: [],
        ...estimateOf(opts, m.name),
      });
    }
  }
  const firstBad = pending.findIndex((m) => bad.has(m.name));
  const runs = opts.keepGoing || firstBad < 0 ? pending.filter((m) => !bad.has(m.name)) : pending.slice(0, firstBad);
  const order = new Map(pending.map((m, i) => [m.name, i]));
  const done = (run: RunResult): RunResult => {
    for (const m of opts.keepGoing ? [...bad.values()] : firstBad >= 0 ? [bad.get(pending[firstBad]!.name)!] : [])
      results.push(m);
    results.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
    return bad.size && run.outcome !== 'interrupted' ? { ...run, outcome: 'failed' } : run;
  };
  if (!runs.length) return done({ mode: 'rehearsal', outcome: 'nothing-to-do', migrations: [], durationMs: 0 });
  let before = await snapshot(diagDb);
  let started = 0;
  return done(
    await runMigrations({
      target: scratch,
      folder: { ...opts.folder, migrations: opts.folder.migrations.filter((m) => !bad.has(m.name)) },
      to: runs[runs.length - 1]!.name,
      events,
      mode: 'rehearsal',
      // an earlier failure in this rehearsal must not stop the next migration when asked to go on
      keepGoing: Boolean(opts.keepGoing),
      lockTimeoutMs: opts.lockTimeoutMs,
      lockRetries: opts.lockRetries,
      statementTimeoutMs: opts.statementTimeoutMs,
      batching: false,
      signal: opts.signal,
      // Diagnosed on the copy's own session, against the migrations after the failed one.
      diagnose: (_db, err, stmt, blockers, later) => diagnoseFailure(diagDb, err, stmt, blockers, later),
      around: {
        before: async (name) => {
          started++;
          opts.onProgress?.(`rehearsing ${started}/${pending.length} ${name} …`);
        },
        after: async (r) => {
          const after = await snapshot(diagDb);
          const local = pending.find((m) => m.name === r.name)!;
          results.push(
            rehearsed(opts, local, parsed.get(r.name) ?? [], r, durations.get(r.name) ?? new Map(), before, after),
          );
          before = after;
          const took = r.durationMs >= 1000 ? `${(r.durationMs / 1000).toFixed(1)} s` : `${r.durationMs} ms`;
          opts.onProgress?.(`  ${r.outcome} in ${took}${r.error ? `: ${r.error.code} ${r.error.message}` : ''}`);
        },
      },
    }),
  );
}

/** One migration's rehearsal, from its engine result and the copy measured before and after it. */
function rehearsed(
  opts: RehearsalOptions,
  local: LocalMigration,
  statements: SqlStatement[],
  r: MigrationResult,
  durations: Map<number, number>,
  before: Snapshot,
  after: Snapshot,
): RehearsedMigration {
  const outcome = r.outcome;
  const timings: StatementTiming[] = statements.map((s) => {
    const l = lockOf(s);
    return {
      line: s.line,
      kind: s.kind,
      durationMs: durations.get(s.index) ?? null,
      lock: l.lock,
      relation: l.relation,
    };
  });
  const rewrites = [...after.files]
    .filter(([rel, file]) => before.files.has(rel) && before.files.get(rel) !== file)
    .map(([rel]) => rel);
  return {
    name: local.name,
    outcome,
    durationMs: r.durationMs ?? 0,
    statements: r.statements ?? statements.length,
    atomic: r.atomic ?? statements.every((s) => s.transactional),
    ...(r.error ? { error: r.error } : {}),
    ...estimateOf(opts, local.name),
    locks:
      outcome === 'applied' || outcome === 'failed' ? lockHolds(statements, timings, before, r.durationMs ?? 0) : [],
    rewrites: outcome === 'applied' ? rewrites : [],
    invalidIndexes: after.invalid.filter((x) => !before.invalid.includes(x)),
    sizeGrowthBytes: after.bytes - before.bytes,
    statementTimings: timings,
  };
}

/**
 * How long each existing relation stays locked: in a transaction, from the statement that takes
 * the lock until the commit; an autocommit statement (CONCURRENTLY) holds it only while it runs.
 */
function lockHolds(
  statements: SqlStatement[],
  timings: StatementTiming[],
  before: Snapshot,
  totalMs: number,
): RehearsedMigration['locks'] {
  const held = new Map<string, { mode: LockMode; heldMs: number }>();
  let elapsed = 0;
  const atomic = statements.every((s) => s.transactional);
  statements.forEach((s, i) => {
    const t = timings[i]!;
    if (t.durationMs === null) return; // not reached
    const l = lockOf(s);
    const releaseAt =
      atomic || !s.transactional
        ? atomic
          ? totalMs
          : elapsed + t.durationMs
        : nextAutocommitStart(statements, timings, i, elapsed, totalMs);
    const take = (rel: string | null, mode: LockMode | null) => {
      if (!rel || !mode || !existedBefore(rel, before)) return;
      const prev = held.get(rel);
      const heldMs = Math.max(0, Math.round(releaseAt - elapsed));
      if (!prev || strongest(prev.mode, mode) !== prev.mode) held.set(rel, { mode, heldMs });
      else if (prev.mode === mode) prev.heldMs = Math.max(prev.heldMs, heldMs);
    };
    take(l.relation, l.lock);
    for (const o of l.others) take(o.relation, o.lock);
    elapsed += t.durationMs;
  });
  const rank = (m: LockMode) =>
    [
      'ACCESS EXCLUSIVE',
      'EXCLUSIVE',
      'SHARE ROW EXCLUSIVE',
      'SHARE',
      'SHARE UPDATE EXCLUSIVE',
      'ROW EXCLUSIVE',
      'ROW SHARE',
      'ACCESS SHARE',
    ].indexOf(m);
  return [...held]
    .map(([relation, h]) => ({ relation, ...h }))
    .sort((a, b) => rank(a.mode) - rank(b.mode) || b.heldMs - a.heldMs);
}

function nextAutocommitStart(
  statements: SqlStatement[],
  timings: StatementTiming[],
  from: number,
  elapsed: number,
  totalMs: number,
): number {
  let at = elapsed;
  for (let j = from; j < statements.length; j++) {
    if (j > from && !statements[j]!.transactional) return at;
    at += timings[j]!.durationMs ?? 0;
  }
  return Math.max(at, totalMs);
}

function existedBefore(rel: string, before: Snapshot): boolean {
  const bare = rel.startsWith('public.') ? rel.slice('public.'.length) : rel;
  return before.files.has(bare);
}
