// plan --rewrite and run --rewrite on the terminal: what each statement as written holds from the
// application, and each step of its safe form with its lock, whether it scans, and what it holds.
import {
  stepSql,
  stepsOf,
  type RewritePlan,
  type RewriteRunResult,
  type RewriteStep,
  type RewriteStepEvent,
  type StatementRewrite,
  type StepEstimate,
} from '../operations/rewrite.js';
import { rewriteProgressLine } from '../operations/rewriteProgressWords.js';

const flat = (s: string, max = 110) => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
};

const lockWords = (s: { lock: string | null; relation: string | null; scans: boolean; rewrites: boolean }) =>
  `${s.lock ? `${s.lock} on ${s.relation}` : 'no table lock'}${s.rewrites ? ', rewrites it' : s.scans ? ', scans it' : ''}`;

export function planRewriteDocument(p: RewritePlan) {
  return {
    mode: 'plan',
    rewrite: true,
    serverVersion: p.serverVersion,
    migrations: p.migrations.map((m) => {
      let n = 0;
      return {
        name: m.name,
        checksum: m.form.checksum,
        ...(m.resume ? { resumesAtStep: m.resume.done + 1 } : {}),
        statements: m.form.statements.map((s) => ({
          line: s.line,
          sql: s.sql,
          rule: s.rule,
          note: s.note,
          asWritten: s.written,
          steps: s.steps.map((st) => {
            const e = m.estimates[n];
            return { ...stepDocument(st, ++n), estimate: e ?? null };
          }),
        })),
      };
    }),
  };
}

function stepDocument(st: RewriteStep, n: number) {
  const a = st.action;
  return {
    step: n,
    sql: stepSql(a),
    title: st.title,
    transactional: a.type === 'backfill' ? true : a.type === 'index' ? false : a.transactional,
    ...(a.type === 'backfill' ? { batches: { key: a.key, rows: a.batchRows } } : {}),
    lock: st.lock,
    relation: st.relation,
    others: st.others,
    scans: st.scans,
    rewrites: st.rewrites,
    holds: st.holds,
  };
}

export function renderPlanRewrite(p: RewritePlan): string {
  const out: string[] = [];
  const n = p.migrations.length;
  out.push(
    `PLAN --rewrite (dry run, nothing is written) on ${p.target} (PostgreSQL ${p.serverVersion}): ${n} pending migration${n === 1 ? '' : 's'}`,
  );
  for (const m of p.migrations) {
    const steps = stepsOf(m.form).length;
    out.push(
      '',
      `▶ ${m.name}  (${m.form.statements.length} statement${m.form.statements.length === 1 ? '' : 's'} as written, ${steps} step${steps === 1 ? '' : 's'} in the safe form)`,
    );
    if (m.resume)
      out.push(
        `  an earlier run stopped after step ${m.resume.done}: run --rewrite resumes at step ${m.resume.done + 1}`,
      );
    let i = 0;
    for (const s of m.form.statements) {
      out.push(...statementLines(s, i, m.estimates));
      i += s.steps.length;
    }
  }
  if (!n) out.push('', 'Nothing is pending.');
  else
    out.push(
      '',
      '`citadel-migrate run --rewrite` runs the safe form (recorded as the files are written); `plan --rewrite --apply` writes it into the migrations folder.',
    );
  return out.join('\n');
}

const seconds = (ms: number) =>
  ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;

/** The step's estimated duration on this target, and what it comes from. */
function estimateWords(e: StepEstimate | null | undefined): string {
  if (!e) return 'est. unknown (no row count: ANALYZE the table, or rehearse --rewrite --with-data)';
  if (e.source === 'no-scan') return 'est. instant (reads no rows; a lock wait aside)';
  if (e.source === 'rehearsal') return `est. ${seconds(e.ms)} (measured by rehearse --rewrite --with-data)`;
  const rate = e.rowsPerSecond === undefined ? '' : ` at ${e.rowsPerSecond.toLocaleString('en-US')} rows/s read here`;
  return `est. ${seconds(e.ms)} (${(e.rows ?? 0).toLocaleString('en-US')} rows${rate})`;
}

function statementLines(s: StatementRewrite, first: number, estimates: (StepEstimate | null)[] = []): string[] {
  const out = [`  line ${s.line}: ${flat(s.sql)}`];
  out.push(`    as written: ${lockWords(s.written)}; holds ${s.written.holds}`);
  if (s.rule === 'as-written') {
    out.push(`    safe form: as written (${s.note})`);
    return out;
  }
  out.push(`    safe form [${s.rule}]: ${s.note}`);
  s.steps.forEach((st, k) => {
    const sql = stepSql(st.action);
    // A step of several statements (an expand-and-contract's): its title, then each statement on a line.
    const parts = st.action.type === 'sql' ? sql.split(/;\n(?=(?:ALTER|CREATE|DROP) )/) : [sql];
    if (parts.length > 1) {
      out.push(`      ${first + k + 1}. ${flat(st.title, 100)}`);
      for (const p of parts) out.push(`           ${flat(p, 200)}`);
    } else out.push(`      ${first + k + 1}. ${flat(sql, 100)}`);
    const others = st.others.map((o) => `, ${o.lock} on ${o.relation}`).join('');
    out.push(`         ${lockWords(st)}${others}; holds ${st.holds}`);
    out.push(`         ${estimateWords(estimates[first + k])}`);
  });
  return out;
}

export function runRewriteDocument(r: RewriteRunResult) {
  return {
    mode: r.mode,
    rewrite: true,
    outcome: r.outcome,
    durationMs: r.durationMs,
    migrations: r.migrations.map((m) => ({
      name: m.name,
      outcome: m.outcome,
      durationMs: m.durationMs,
      statements: m.statements,
      atomic: m.atomic,
      steps: m.steps,
      resumedAt: m.resumedAt,
      ...(m.error ? { error: m.error } : {}),
    })),
  };
}

const REPEAT_EVERY_MS = 5000;

/**
 * The lines on stderr: a hold is checked every second, and said once, then every 5 s while it lasts;
 * a backfill's progress after its first batch, then every 5 s, and when it reaches the last key.
 */
export function rewriteProgressPrinter(out: (line: string) => void): (e: RewriteStepEvent) => void {
  let lastHold = 0;
  let lastBackfill = 0;
  return (e) => {
    if (e.type === 'hold') {
      if (Date.now() - lastHold < REPEAT_EVERY_MS) return;
      lastHold = Date.now();
    } else if (e.type === 'hold-end') lastHold = 0;
    else if (e.type === 'backfill-progress') {
      if (e.percent < 100 && Date.now() - lastBackfill < REPEAT_EVERY_MS) return;
      lastBackfill = e.percent < 100 ? Date.now() : 0;
    }
    const line = rewriteProgressLine(e);
    if (line) out(line);
  };
}
