import type { MigrationRowState, MigrationsState, MigrationView } from '../state.js';
import { frame, seg, spread, windowOf, type Line } from '../lines.js';
import { SYMBOL, type Colour } from '../theme.js';
import { duration, estimate, oneLine, trimMiddle, width } from '../format.js';

export const MIGRATION_SYMBOL: Record<MigrationRowState, { sym: string; color?: Colour; word: string }> = {
  applied: { sym: SYMBOL.pass, color: 'green', word: 'applied' },
  pending: { sym: SYMBOL.pending, word: 'pending' },
  running: { sym: SYMBOL.running, color: 'cyan', word: 'running' },
  failed: { sym: SYMBOL.fail, color: 'red', word: 'FAILED' },
  'rolled-back': { sym: SYMBOL.rolledBack, color: 'yellow', word: 'rolled back' },
  modified: { sym: SYMBOL.warn, color: 'yellow', word: 'modified' },
  'missing-locally': { sym: SYMBOL.warn, color: 'yellow', word: 'missing here' },
  interrupted: { sym: SYMBOL.rolledBack, color: 'yellow', word: 'interrupted' },
};

export function percentOf(m: MigrationView): number | undefined {
  if (!m.statement || m.statement.count <= 0) return undefined;
  return Math.floor(((m.statement.index - 1) / m.statement.count) * 100);
}

/** Right-hand column of a row: progress for the running one, time against the guide's estimate, or the state. */
function rightOf(m: MigrationView, w: number): Line {
  const est = estimate(m.estimate);
  if (m.state === 'running' && m.runner) {
    // Another terminal's run: its pid in the row itself, where a short pane never cuts it off.
    const r = m.runner;
    return [
      seg(
        `pid ${r.pid}${r.statement ? ` ${r.statement.index}/${r.statement.count}` : ''}${r.percent === null ? '' : ` ${r.percent}%`}`,
        { color: 'cyan', bold: true },
      ),
    ];
  }
  // A hold says why in the row itself; a narrow pane says it on the line below (holdFits).
  if (m.state === 'running' && m.holding)
    return [seg(holdFits(m, w) ? `holding: ${m.holding}` : 'holding', { color: 'yellow', bold: true })];
  if (m.state === 'running') {
    const pct = percentOf(m);
    const stmt = m.statement ? `${m.statement.index}/${m.statement.count} ` : '';
    return [seg(`${stmt}${pct === undefined ? '' : `${pct}%`}`, { color: 'cyan', bold: true })];
  }
  if (m.state === 'failed') return [seg('FAILED', { color: 'red', bold: true })];
  if (m.durationMs !== undefined) {
    // Over the guide's upper estimate is worth a warning sign, not only a colour.
    const over = m.estimate && m.durationMs > m.estimate.maxMinutes * 60_000;
    return [
      seg(`${duration(m.durationMs)}${est ? `/${est}` : ''}${over ? ' !' : ''}`, {
        color: over ? 'yellow' : undefined,
      }),
    ];
  }
  if (m.state === 'pending' || m.state === 'rolled-back') return [seg(est ? `~${est}` : '', { dim: true })];
  if (m.state !== 'applied') return [seg(MIGRATION_SYMBOL[m.state].word, { color: MIGRATION_SYMBOL[m.state].color })];
  return [];
}

/** The row has room for the hold's sentence and a dozen characters of the name. */
const holdFits = (m: MigrationView, w: number) => width(`holding: ${m.holding}`) + 4 + Math.min(12, m.name.length) <= w;

function row(m: MigrationView, selected: boolean, w: number): Line {
  const st = MIGRATION_SYMBOL[m.state];
  const right = rightOf(m, w);
  const rw = width(right.map((s) => s.t).join(''));
  const nameRoom = Math.max(4, w - 3 - (rw ? rw + 1 : 0));
  return spread(
    [
      seg(selected ? '›' : ' ', { bold: true }),
      seg(st.sym, { color: st.color, bold: true }),
      seg(' '),
      seg(trimMiddle(m.name, nameRoom), { inverse: selected, bold: m.state === 'running' }),
    ],
    right,
    w,
  );
}

/**
 * In a short pane the lines that say what the DBA must act on now (sessions queued behind the
 * statement, a lock it waits for) stay: the statement's text makes room first, then its progress.
 * The queue line came after both and was cut off, so a queue never showed at 30 rows.
 */
const DROPPED_FIRST = new WeakSet<Line>();
const URGENT = new WeakSet<Line>();

/** The lines under the rows: what the running migration does, what blocks it, why one failed. */
export function detailLines(
  s: MigrationsState,
  selectedName: string | undefined,
  w = Number.POSITIVE_INFINITY,
): Line[] {
  const out: Line[] = [];
  const running = s.items.find((m) => m.state === 'running');
  if (running?.holding && !holdFits(running, w)) {
    out.push([seg(`  ${SYMBOL.warn} holding: ${running.holding}`, { color: 'yellow', bold: true })]);
    URGENT.add(out[out.length - 1]!);
  }
  if (running?.statement) {
    out.push([
      seg('  stmt ', { dim: true }),
      seg(`${running.statement.index}/${running.statement.count} `, { color: 'cyan' }),
      seg(oneLine(running.statement.sql)),
    ]);
    DROPPED_FIRST.add(out[out.length - 1]!);
  }
  if (running?.progress) {
    const p = running.progress;
    out.push([
      seg('  ', {}),
      seg(`${p.phase}${p.percent === null ? '' : ` ${Math.floor(p.percent)}%`}${etaText(p)}`, { color: 'cyan' }),
    ]);
    DROPPED_FIRST.add(out[out.length - 1]!);
  }
  if (running?.queued) {
    const q = running.queued;
    out.push([
      seg(
        `  ${SYMBOL.warn} ${q.sessions} session${q.sessions === 1 ? '' : 's'} queued behind it, longest ${duration(q.longestWaitMs)}`,
        { color: 'yellow', bold: true },
      ),
    ]);
    URGENT.add(out[out.length - 1]!);
  }
  if (running?.lockWait) {
    out.push([
      seg(
        `  ${SYMBOL.warn} waits ${duration(running.lockWait.waitedMs)} for lock held by pid ${running.lockWait.blockingPids.join(', ')}`,
        { color: 'yellow', bold: true },
      ),
    ]);
    URGENT.add(out[out.length - 1]!);
  }
  if (s.otherRunner) {
    // Another console (or a prisma migrate deploy) holds the migration lock: who, and what it runs now.
    const h = s.otherRunner;
    out.push([
      seg(`  ${SYMBOL.running} pid ${h.pid} runs migrations (${h.application || 'unnamed'}, ${h.user})`, {
        color: 'yellow',
        bold: true,
      }),
    ]);
    const now = h.query
      .split(/;\s*\n?/)
      .map((q) => q.trim())
      .filter((q) => q && !/^(RELEASE )?SAVEPOINT/i.test(q))
      .pop();
    if (now) out.push([seg('  now: ', { dim: true }), seg(oneLine(now))]);
  }
  const failed =
    s.items.find((m) => m.name === selectedName && m.state === 'failed') ?? s.items.find((m) => m.state === 'failed');
  if (failed) {
    const e = failed.error;
    const text = e ? `${e.code}: ${oneLine(e.message)}` : oneLine(failed.note ?? 'failed');
    out.push([seg(`  ${SYMBOL.fail} `, { color: 'red' }), seg(text, { color: 'red' })]);
    if (e?.hint) out.push([seg('  hint: ', { bold: true }), seg(oneLine(e.hint))]);
  }
  // What `status` says beside its table: what a run would refuse (the wrong folder, a pooler) and a dead
  // run's leftovers first, where a short pane keeps them; then the journal's notes (an attempt that
  // died, the last failure), the selected row's first.
  for (const n of s.notes ?? []) out.push([seg(`  ${oneLine(n)}`, { color: 'yellow' })]);
  const noted = s.items.filter(
    (m) =>
      m.note &&
      m.state !== 'running' &&
      !(m === failed && !m.error) &&
      (m.state !== 'applied' || /died|did not finish/.test(m.note)),
  );
  noted.sort((a, b) => Number(b.name === selectedName) - Number(a.name === selectedName));
  for (const m of noted)
    out.push([
      seg(`  ${MIGRATION_SYMBOL[m.state].sym} `, { color: MIGRATION_SYMBOL[m.state].color }),
      seg(`${m.name}: ${oneLine(m.note ?? '')}`, { color: 'yellow' }),
    ]);
  return out;
}

/** "Migrations 3/168", what is going on, and which rows show when not all do ("12-35 of 168"). */
export function migrationsTitle(s: MigrationsState, shown?: { start: number; rows: number }): string {
  if (!s.available) return 'Migrations';
  const applied = s.items.filter((m) => m.state === 'applied').length;
  const run = s.running ? ' running' : s.otherRunner ? ' locked' : '';
  // The range before the run word: on a narrow pane the title is cut at its end, and the running row says it too.
  const range =
    shown && shown.rows < s.items.length ? ` ${shown.start + 1}-${shown.start + shown.rows} of ${s.items.length}` : '';
  return `Migrations ${applied}/${s.items.length}${range}${run}`;
}

export function migrationsPane(
  s: MigrationsState,
  selected: number,
  w: number,
  h: number,
  focused: boolean,
  extra: number,
): Line[] {
  const inner = Math.max(0, w - 2);
  const rows = Math.max(0, h - 2);
  if (!s.available)
    return frame(migrationsTitle(s), [[seg(' '), seg(s.note ?? 'not available yet', { dim: true })]], w, h, focused);
  const details = fitted(detailLines(s, s.items[selected]?.name, inner), Math.max(extra, rows - s.items.length));
  const itemRows = Math.max(1, rows - details.length);
  const win = windowOf(s.items, selected, itemRows);
  const body = [...win.rows.map((m, i) => row(m, focused && win.start + i === selected, inner)), ...details];
  return frame(migrationsTitle(s, { start: win.start, rows: win.rows.length }), body, w, h, focused);
}

/** At most `room` of the lines, in their order: cut at the end, unless that cuts an urgent line. */
function fitted(lines: Line[], room: number): Line[] {
  let out = lines;
  while (out.length > room) {
    const urgentCut = out.slice(room).some((l) => URGENT.has(l));
    const drop = urgentCut ? out.findIndex((l) => DROPPED_FIRST.has(l)) : -1;
    if (drop < 0) return out.slice(0, room);
    out = out.filter((_, i) => i !== drop);
  }
  return out;
}

/** The ETA as `run` says it: from the rehearsal's measure when there is one, else from the observed rate. */
function etaText(p: NonNullable<MigrationView['progress']>): string {
  if (p.rehearsedMs !== undefined)
    return p.etaMs
      ? `, ETA ${duration(p.etaMs)} from the rehearsal`
      : `, over the rehearsal's ${duration(p.rehearsedMs)}`;
  return p.etaMs ? `, ETA ${duration(p.etaMs)}` : '';
}
