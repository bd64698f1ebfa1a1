// What the report derives from many journal lines at once: the statements a migration attempt
// finished (each counted once, within its own attempt) and lock waits gathered into episodes
// (the monitor samples a wait every few hundred ms; the DBA wants one line per wait).
import type { JournalLine } from './journal.js';
import type { RunbookManifest } from '../runbook/manifest.js';
import { formatDuration } from '../safety/format.js';

type Obj = Record<string, any>;
const details = (l: JournalLine) => (l.details ?? {}) as Obj;

/**
 * Statements finished by the migration attempt that begins at `begin`: the distinct statement
 * numbers of its statement-end lines, from its begin up to its own end (or the next attempt of the
 * same migration). A rehearsal, a second attempt or another process's lines are not counted.
 */
export function statementsDone(lines: JournalLine[], begin: JournalLine, end?: JournalLine): number {
  const from = lines.indexOf(begin);
  if (from < 0) return 0;
  const name = details(begin).name;
  const seen = new Set<number>();
  for (let i = from + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l === end) break;
    if (l.action === 'migration' && l.phase === 'begin' && details(l).name === name && l.pid === begin.pid) break;
    if (l.pid !== begin.pid || l.action !== 'migration.statement-end') continue;
    const d = details(l);
    if (d.name !== name) continue;
    // A reader that folds a stretch of statement ends into one line gives their numbers (read.ts).
    if (d.indexes instanceof Set) for (const i of d.indexes) seen.add(i);
    else if (typeof d.index === 'number') seen.add(d.index);
  }
  return seen.size;
}

export interface LockWaitEpisode {
  /** The first sample's line (time, who). */
  at: JournalLine;
  name: string;
  index: number;
  waitedMs: number;
  blockingPids: number[];
  ended: string;
  /** Lock attempts of this statement in the episode: retries after a lock_timeout or giving way stay one wait. */
  attempts: number;
  /** Some attempt was cancelled for the sessions queued behind it. */
  gaveWay?: boolean;
}

const sameStatement = (a: JournalLine, b: JournalLine) =>
  a.pid === b.pid && details(a).name === details(b).name && details(a).index === details(b).index;

/** How a wait ended: what the same process wrote next about that statement or its migration, and when. */
function howItEnded(
  lines: JournalLine[],
  from: number,
  wait: JournalLine,
): { text: string; at?: string; retries: number } {
  const d = details(wait);
  let retries = 0;
  let lastRetry = '';
  for (let i = from; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.pid !== wait.pid) continue;
    const x = ((l.phase === 'end' ? l.result : l.details) ?? {}) as Obj;
    const at = typeof x.at === 'string' ? x.at : l.time;
    // A retry is not an end: the next attempt waits again (or gets the lock at once).
    if (l.action === 'migration.retry' && x.name === d.name) {
      retries++;
      lastRetry = `${x.reason === 'victims' ? 'gave way to sessions queued behind it' : 'lock_timeout reached'} (retry ${x.attempt}${x.of ? ` of ${x.of}` : ''})`;
      continue;
    }
    if (l.action === 'migration.statement-end' && x.name === d.name && x.index === d.index)
      return { text: 'got the lock, the statement finished', at, retries };
    if (l.action === 'migration.statement-end' && x.name === d.name && typeof x.index === 'number' && x.index > d.index)
      return { text: 'got the lock', at, retries };
    if (l.action === 'migration' && l.phase !== 'begin' && x.name === d.name) {
      if (x.outcome === 'applied') return { text: 'got the lock, the migration was applied', at, retries };
      return { text: `the migration ${x.outcome}${x.error?.code ? ` (${x.error.code})` : ''}`, at, retries };
    }
    if (l.action === 'run' && l.phase !== 'begin')
      return { text: `the run ended (${x.outcome ?? 'no outcome'})`, at, retries };
  }
  return {
    text: `no end recorded${lastRetry ? ` after ${lastRetry}` : ''} (the process was killed or lost while waiting)`,
    retries,
  };
}

/** When the sample's statement started waiting: its time less what it had waited by then. */
const waitStart = (l: JournalLine) => Date.parse(String(details(l).at ?? l.time)) - (Number(details(l).waitedMs) || 0);

/** When the statement of a retry started: its own statement line before `i`, else the retry's time. */
function statementStart(lines: JournalLine[], i: number): number {
  const l = lines[i]!;
  for (let j = i - 1; j >= 0; j--) {
    const x = lines[j]!;
    if (x.pid === l.pid && x.action === 'migration.statement' && sameStatement(x, l))
      return Date.parse(String(details(x).at ?? x.time));
    if (x.pid === l.pid && x.action === 'migration' && x.phase === 'begin') break;
  }
  return Date.parse(String(details(l).at ?? l.time));
}

/**
 * Lock-wait samples and retries of one statement form one episode (short lock_timeouts make one
 * long wait many attempts, each retry its own journal line); the episode's wait runs from the
 * statement's first wait to the line that ended it.
 */
export function lockWaitEpisodes(lines: JournalLine[]): LockWaitEpisode[] {
  const out: LockWaitEpisode[] = [];
  let open:
    | { episode: LockWaitEpisode; last: JournalLine; lastIndex: number; start: number; lastWaited: number }
    | undefined;
  const close = () => {
    if (!open) return;
    const end = howItEnded(lines, open.lastIndex + 1, open.last);
    open.episode.ended = end.text;
    open.episode.attempts += end.retries;
    // The samples stop when the lock is granted; the line that ended the wait says when that was.
    const until = end.at ? Date.parse(end.at) - open.start : NaN;
    if (Number.isFinite(until) && until > open.episode.waitedMs) open.episode.waitedMs = until;
    out.push(open.episode);
    open = undefined;
  };
  const join = (pids: number[] | undefined) => {
    for (const p of pids ?? []) if (!open!.episode.blockingPids.includes(p)) open!.episode.blockingPids.push(p);
  };
  lines.forEach((l, i) => {
    if (l.action !== 'migration.lock-wait' && l.action !== 'migration.retry') return;
    const d = details(l);
    if (l.action === 'migration.retry') {
      if (!open || !sameStatement(open.last, l)) {
        close();
        const start = statementStart(lines, i);
        const at = Date.parse(String(d.at ?? l.time));
        open = {
          episode: {
            at: l,
            name: String(d.name),
            index: Number(d.index),
            waitedMs: Number.isFinite(at - start) ? at - start : 0,
            blockingPids: [],
            ended: '',
            attempts: 1,
          },
          last: l,
          lastIndex: i,
          start,
          lastWaited: 0,
        };
      }
      // the retry's own count wins: lines before a --since window still were attempts
      open.episode.attempts = Math.max(open.episode.attempts + 1, (Number(d.attempt) || 0) + 1);
      if (d.reason === 'victims') open.episode.gaveWay = true;
      join(d.blockingPids);
      open.last = l;
      open.lastIndex = i;
      // the next attempt's samples count their wait from zero again
      open.lastWaited = 0;
      return;
    }
    const waited = Number(d.waitedMs) || 0;
    if (open && sameStatement(open.last, l) && waited >= open.lastWaited) {
      open.lastWaited = waited;
      const sampled = Date.parse(String(d.at ?? l.time)) - open.start;
      open.episode.waitedMs = Math.max(open.episode.waitedMs, Number.isFinite(sampled) ? sampled : waited);
      join(d.blockingPids);
      open.last = l;
      open.lastIndex = i;
      return;
    }
    close();
    open = {
      episode: {
        at: l,
        name: String(d.name),
        index: Number(d.index),
        waitedMs: waited,
        blockingPids: [...(d.blockingPids ?? [])],
        ended: '',
        attempts: 1,
      },
      last: l,
      lastIndex: i,
      start: waitStart(l),
      lastWaited: waited,
    };
  });
  close();
  return out;
}

export function describeEpisode(e: LockWaitEpisode): string {
  const blockers = e.blockingPids.length
    ? `${e.blockingPids.length > 1 ? 'pids' : 'pid'} ${e.blockingPids.join(', ')}`
    : 'another session';
  const gaveWay = e.gaveWay ? ', giving way to the sessions queued behind it' : '';
  const how =
    e.waitedMs > 0
      ? ` waited ${formatDuration(e.waitedMs)}${e.attempts > 1 ? ` over ${e.attempts} attempts` : ''}`
      : `: ${e.attempts} attempt${e.attempts > 1 ? 's' : ''}`;
  return `${e.name} statement ${e.index}${how} for a lock held by ${blockers}${gaveWay}: ${e.ended}`;
}

/**
 * The runbook the journal's migrations came from: the manifest only when a migration recorded in
 * the journal is one of its own (a plain Prisma folder's report must not name the bundled runbook).
 */
export function runbookUsed(lines: JournalLine[], manifest: RunbookManifest | undefined): RunbookManifest | undefined {
  if (!manifest) return undefined;
  const names = new Set(manifest.migrations.map((m) => m.name));
  const used = lines.some((l) => {
    if (l.action === 'migration' || l.action === 'skip' || l.action === 'rollback')
      return names.has(details(l).name ?? (l.result as Obj | undefined)?.name);
    if (l.action === 'run' && l.phase === 'begin') return (details(l).pending ?? []).some((n: string) => names.has(n));
    return false;
  });
  return used ? manifest : undefined;
}

/**
 * Samples of sessions queued behind one statement, gathered: the first sample's line stands for
 * the run of them, with the most sessions and the longest wait seen. Returns first line -> text.
 */
export function victimEpisodes(lines: JournalLine[]): Map<JournalLine, string> {
  const out = new Map<JournalLine, string>();
  let open: { first: JournalLine; last: JournalLine; most: number; longest: number; pids: Set<number> } | undefined;
  const close = () => {
    if (!open) return;
    const d = details(open.first);
    out.set(
      open.first,
      `${open.most} session(s) queued behind ${d.name} statement ${d.index} (longest wait ${formatDuration(open.longest)}; pids ${[...open.pids].slice(0, 10).join(', ')})`,
    );
    open = undefined;
  };
  for (const l of lines) {
    if (l.action !== 'migration.victims') {
      if (open && l.pid === open.first.pid && !/^migration\.(statement|lock-wait)/.test(l.action)) close();
      continue;
    }
    const d = details(l);
    if (!open || !sameStatement(open.last, l)) {
      close();
      open = { first: l, last: l, most: 0, longest: 0, pids: new Set() };
    }
    open.last = l;
    open.most = Math.max(open.most, Number(d.victims) || 0);
    open.longest = Math.max(open.longest, Number(d.longestWaitMs) || 0);
    for (const p of d.pids ?? []) open.pids.add(p);
  }
  close();
  return out;
}
