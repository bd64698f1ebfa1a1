// rehearse --rewrite: each pending migration on a scratch copy twice, as written and in its safe
// form, traced statement by statement: the table locks the backend took (pg_locks of its own
// backend before the commit, or sampled from a second session for a step outside a transaction),
// whether a table was rewritten (relfilenode changed) or scanned, and how long. The file as written
// runs in one transaction that is rolled back, so the safe form then starts from the same copy.
import type { Db } from '../postgres/connect.js';
import { connect, withDb } from '../postgres/connect.js';
import type { Target } from '../postgres/target.js';
import type { MigrationsFolder } from '../runbook/folder.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { migrationStates, runnable } from '../runbook/status.js';
import { splitStatements } from '../engine/split.js';
import { backendPid, runStep, sampleLocks, type TracedLock } from '../engine/rewriteSteps.js';
import { readTargetFacts } from './catalog.js';
import { LOCK_ORDER, strongest, type LockMode } from './locks.js';
import { safeFormOf, type RuleName } from './rewrite/index.js';
import { createScratch, copyInto, dumpTarget, type ScratchKind } from './scratch.js';

export interface TracedRun {
  /**
   * The strongest mode taken on each table, strongest first. `sampled: false`: a step outside a
   * transaction ended before the sampling session saw its lock; the mode is the one the step claims.
   */
  locks: { relation: string; mode: LockMode; sampled?: false }[];
  rewrote: string[];
  scanned: string[];
  durationMs: number;
}

export interface RehearsedStatement {
  line: number;
  sql: string;
  rule: RuleName;
  /** Null when the file as written is not one transaction (it could not be undone on the copy). */
  asWritten: TracedRun | null;
  safe: (TracedRun & { step: number; title: string })[];
}

export interface RehearsedRewrite {
  name: string;
  /** The safe form's fingerprint: plan --rewrite uses the steps' durations only for the same form. */
  form: string;
  outcome: 'applied' | 'failed' | 'not-run';
  statements: RehearsedStatement[];
  asWrittenMs: number | null;
  safeMs: number;
  error?: { message: string; code?: string; form: 'as-written' | 'safe' };
}

export interface RewriteRehearsal {
  mode: 'rehearsal';
  rewrite: true;
  scratch: ScratchKind;
  copy: 'schema' | 'schema+data';
  copyMs: number;
  durationMs: number;
  migrations: RehearsedRewrite[];
}

type TableState = Map<string, { file: string; scans: number }>;

async function tables(db: Pick<Db, 'query'>): Promise<TableState> {
  const r = await db.query<{ name: string; file: string; scans: string }>(sqlFile('rehearse_table_state'));
  return new Map(r.rows.map((x) => [x.name, { file: String(x.file), scans: Number(x.scans) }]));
}

/** 'ShareUpdateExclusiveLock' -> 'SHARE UPDATE EXCLUSIVE' */
const modeOf = (m: string) =>
  m
    .replace(/Lock$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase() as LockMode;

function strongestPerTable(locks: TracedLock[], existed: TableState): TracedRun['locks'] {
  const by = new Map<string, LockMode>();
  for (const l of locks) {
    if (!existed.has(l.relation)) continue;
    by.set(l.relation, strongest(by.get(l.relation) ?? null, modeOf(l.mode))!);
  }
  const rank = (m: LockMode) => -LOCK_ORDER.indexOf(m);
  return [...by].map(([relation, mode]) => ({ relation, mode })).sort((a, b) => rank(a.mode) - rank(b.mode));
}

const changed = (before: TableState, after: TableState, what: 'file' | 'scans') =>
  [...after]
    .filter(([name, s]) => {
      const b = before.get(name);
      return b !== undefined && (what === 'file' ? b.file !== s.file : s.scans > b.scans);
    })
    .map(([name]) => name);

export async function rehearseRewrite(opts: {
  target: Target;
  folder: MigrationsFolder;
  scratch: ScratchKind;
  withData: boolean;
  to?: string;
  onProgress?: (line: string) => void;
}): Promise<RewriteRehearsal> {
  const t0 = performance.now();
  const facts = await withDb(opts.target, (db) => readTargetFacts(db), {
    applicationName: 'citadel-migrate rehearse',
  });
  const states = migrationStates(opts.folder.migrations, facts.history);
  const pending = runnable(states, opts.to).map((s) => opts.folder.migrations.find((m) => m.name === s.name)!);
  const base = {
    mode: 'rehearsal' as const,
    rewrite: true as const,
    scratch: opts.scratch,
    copy: opts.withData ? ('schema+data' as const) : ('schema' as const),
  };
  if (!pending.length) return { ...base, copyMs: 0, durationMs: Math.round(performance.now() - t0), migrations: [] };
  const scratch = await createScratch(opts.target, opts.scratch, facts.serverVersionNum);
  const migrations: RehearsedRewrite[] = [];
  try {
    const dump = await dumpTarget(opts.target, { withData: opts.withData, serverVersionNum: facts.serverVersionNum });
    await copyInto(scratch, dump, { withData: opts.withData, history: facts.history });
    const db = await connect(scratch.target, { applicationName: 'citadel-migrate rehearse --rewrite' });
    const watcher = await connect(scratch.target, { applicationName: 'citadel-migrate rehearse (trace)' });
    try {
      for (const m of pending) {
        if (migrations.some((x) => x.outcome === 'failed')) {
          migrations.push({ name: m.name, form: '', outcome: 'not-run', statements: [], asWrittenMs: null, safeMs: 0 });
          continue;
        }
        opts.onProgress?.(`rehearsing ${m.name} as written, then its safe form …`);
        migrations.push(await rehearseOne(db, watcher, m, facts.serverVersionNum));
      }
    } finally {
      await db.end().catch(() => undefined);
      await watcher.end().catch(() => undefined);
    }
  } finally {
    await scratch.remove();
  }
  return { ...base, copyMs: scratch.copyMs, durationMs: Math.round(performance.now() - t0), migrations };
}

async function rehearseOne(
  db: Db,
  watcher: Db,
  m: MigrationsFolder['migrations'][number],
  serverVersionNum: number,
): Promise<RehearsedRewrite> {
  const form = await safeFormOf(db, m, { serverVersionNum });
  const statements = (await splitStatements(m.sql, `${m.name}/migration.sql`)).filter((s) => !s.transactionControl);
  const out: RehearsedStatement[] = form.statements.map((s) => ({
    line: s.line,
    sql: s.sql,
    rule: s.rule,
    asWritten: null,
    safe: [],
  }));
  const result: RehearsedRewrite = {
    name: m.name,
    form: form.fingerprint,
    outcome: 'applied',
    statements: out,
    asWrittenMs: null,
    safeMs: 0,
  };
  // As written: one transaction, each statement traced inside it, then rolled back.
  if (statements.every((s) => s.transactional)) {
    const pid = await backendPid(db);
    await db.query('BEGIN');
    try {
      let before = await tables(db);
      let held: TracedLock[] = [];
      let total = 0;
      for (const [i, s] of statements.entries()) {
        const s0 = performance.now();
        await db.query(s.sql);
        const durationMs = Math.round(performance.now() - s0);
        const after = await tables(db);
        // Locks are held to the end of the transaction: what this statement added is what it took.
        const now = (await db.query<TracedLock>(sqlFile('backend_relation_locks'), [pid])).rows;
        const taken = now.filter((l) => !held.some((h) => h.relation === l.relation && h.mode === l.mode));
        held = now;
        out[i]!.asWritten = {
          locks: strongestPerTable(taken, before),
          rewrote: changed(before, after, 'file'),
          scanned: changed(before, after, 'scans'),
          durationMs,
        };
        total += durationMs;
        before = after;
      }
      result.asWrittenMs = total;
    } catch (err) {
      const e = err as { message?: string; code?: string };
      result.outcome = 'failed';
      result.error = { message: e.message ?? String(err), ...(e.code ? { code: e.code } : {}), form: 'as-written' };
    } finally {
      await db.query('ROLLBACK').catch(() => undefined);
    }
    if (result.outcome === 'failed') return result;
  }
  // The safe form: the steps run's executor runs, committed one by one.
  const pid = await backendPid(db);
  let n = 0;
  for (const [i, st] of form.statements.entries()) {
    for (const step of st.steps) {
      n++;
      const locks: TracedLock[] = [];
      const before = await tables(watcher);
      const s0 = performance.now();
      const inTransaction =
        step.action.type === 'backfill' || (step.action.type === 'sql' && step.action.transactional);
      try {
        const running = runStep(db, step.action, { lockTimeoutMs: 0, trace: (l) => locks.push(...l) });
        if (!inTransaction)
          locks.push(
            ...(await sampleLocks(
              watcher,
              pid,
              running.catch(() => undefined),
            )),
          );
        await running;
      } catch (err) {
        const e = err as { message?: string; code?: string };
        result.outcome = 'failed';
        result.error = { message: e.message ?? String(err), ...(e.code ? { code: e.code } : {}), form: 'safe' };
        return result;
      }
      const durationMs = Math.round(performance.now() - s0);
      const after = await tables(watcher);
      const seen = strongestPerTable(locks, before);
      const claimed =
        step.lock && step.relation ? [{ relation: step.relation, mode: step.lock, sampled: false as const }] : [];
      out[i]!.safe.push({
        step: n,
        title: step.title,
        locks: !inTransaction && !seen.length ? claimed : seen,
        rewrote: changed(before, after, 'file'),
        // Another session's scans are not in this one's transaction counts: what the rule says it scans.
        scanned: step.scans && step.relation ? [step.relation] : [],
        durationMs,
      });
      result.safeMs += durationMs;
    }
  }
  return result;
}
