import type { EngineEvent, EventStream } from '../engine/events.js';

/** An index build as pg_stat_progress_create_index reports it, with an overall percent. */
export interface IndexBuild {
  pid: number;
  /** The index name, or the builder's statement when the index is not visible yet (plain CREATE INDEX). */
  index: string;
  relation?: string;
  command: string;
  phase: string;
  /** Overall estimate, 0-100, rising through the phases; null while nothing can be said. */
  percent: number | null;
  /** Percent of the current phase's own counter (blocks, tuples or lockers). */
  phasePercent: number | null;
  blocks: { done: number; total: number };
  tuples: { done: number; total: number };
  /** A CONCURRENTLY build waiting for older transactions: how many, and whose it waits for now. */
  lockers: { done: number; total: number; currentPid: number | null };
  runningMs: number | null;
}

type Counter = 'blocks' | 'tuples' | 'lockers' | null;

/**
 * Where each phase sits in the whole build: [start %, end %, counter that moves within it].
 * The table scan and the tree load are the long parts of a build; a CONCURRENTLY build adds the
 * validation scan and its waits. The figures are an estimate for a gauge, not a promise.
 */
const PHASES: Record<string, [number, number, Counter]> = {
  initializing: [0, 0, null],
  'waiting for writers before build': [0, 5, 'lockers'],
  'building index: scanning table': [5, 55, 'blocks'],
  'building index: sorting live tuples': [55, 60, null],
  'building index: loading tuples in tree': [60, 80, 'tuples'],
  'waiting for writers before validation': [80, 82, 'lockers'],
  'index validation: scanning index': [82, 86, 'blocks'],
  'index validation: sorting tuples': [86, 87, null],
  'index validation: scanning table': [87, 96, 'blocks'],
  'waiting for old snapshots': [96, 98, 'lockers'],
  'waiting for readers before marking dead': [98, 99, 'lockers'],
  'waiting for readers before dropping': [99, 100, 'lockers'],
};

/** Phases after which a plain (not CONCURRENTLY) build is done: it stretches over the whole gauge. */
const PLAIN_END = 80;

export function indexBuildFromRow(r: Record<string, any>): IndexBuild {
  const n = (v: unknown) => Number(v ?? 0);
  const blocks = { done: n(r.blocks_done), total: n(r.blocks_total) };
  const tuples = { done: n(r.tuples_done), total: n(r.tuples_total) };
  const lockers = {
    done: n(r.lockers_done),
    total: n(r.lockers_total),
    currentPid: r.current_locker_pid ? Number(r.current_locker_pid) : null,
  };
  const phase = String(r.phase ?? '');
  const counter = PHASES[phase]?.[2] ?? (blocks.total ? 'blocks' : tuples.total ? 'tuples' : null);
  const part = counter === 'blocks' ? blocks : counter === 'tuples' ? tuples : counter === 'lockers' ? lockers : null;
  const phasePercent = part && part.total > 0 ? Math.min(100, (100 * part.done) / part.total) : null;
  return {
    pid: Number(r.pid),
    index: r.index_name ?? trimStatement(String(r.query ?? '')),
    relation: r.table_name ?? undefined,
    command: String(r.command ?? ''),
    phase,
    percent: overallPercent(String(r.command ?? ''), phase, phasePercent),
    phasePercent: phasePercent === null ? null : round1(phasePercent),
    blocks,
    tuples,
    lockers,
    runningMs: r.running_ms === null || r.running_ms === undefined ? null : Number(r.running_ms),
  };
}

function overallPercent(command: string, phase: string, phasePercent: number | null): number | null {
  const place = PHASES[phase];
  if (!place) return phasePercent === null ? null : round1(phasePercent);
  const [start, end] = place;
  const within = start + ((end - start) * (phasePercent ?? 0)) / 100;
  const concurrently = /CONCURRENTLY/i.test(command);
  // A plain build ends after loading the tree: stretch 0-80 to 0-100.
  return round1(concurrently ? within : Math.min(100, (within * 100) / PLAIN_END));
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export function trimStatement(sql: string, max = 120): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The running migration as the engine's events tell it: statement i of n and its text. */
export interface RunningMigration {
  name: string;
  /** Migration i of n in this run (1-based). */
  index: number;
  count: number;
  startedAt: string;
  statement: { index: number; count: number; line: number; sql: string; pid: number; startedAt: string } | null;
  /** Statements finished in this migration, for its percent. */
  statementsDone: number;
  statements: number;
  percent: number;
  lockWait: { waitedMs: number; blockingPids: number[] } | null;
  /** The running statement builds an index: its phase and percent (pg_stat_progress_create_index). */
  indexBuild?: { phase: string; percent: number | null } | null;
}

/** Follows an engine event stream and keeps what the console shows about the migration in progress. */
export class MigrationProgress {
  current: RunningMigration | null = null;
  private unsubscribe: (() => void) | undefined;

  follow(events: EventStream): () => void {
    this.unsubscribe?.();
    this.unsubscribe = events.on((e) => this.apply(e));
    return () => this.unsubscribe?.();
  }

  apply(e: EngineEvent): void {
    switch (e.type) {
      case 'migration-start':
        this.current = {
          name: e.name,
          index: e.index,
          count: e.count,
          startedAt: e.at,
          statement: null,
          statementsDone: 0,
          statements: e.statements,
          percent: 0,
          lockWait: null,
        };
        break;
      case 'statement-start':
        if (!this.current || this.current.name !== e.name) return;
        this.current.statement = {
          index: e.index,
          count: e.count,
          line: e.line,
          sql: e.sql,
          pid: e.pid,
          startedAt: e.at,
        };
        this.current.statements = e.count;
        this.current.lockWait = null;
        break;
      case 'statement-end':
        if (!this.current || this.current.name !== e.name) return;
        this.current.statementsDone = Math.max(this.current.statementsDone, e.index);
        this.current.indexBuild = null;
        this.current.percent = e.count > 0 ? Math.round((100 * this.current.statementsDone) / e.count) : 100;
        this.current.lockWait = null;
        break;
      case 'index-progress':
        if (!this.current || this.current.name !== e.name) return;
        this.current.indexBuild = { phase: e.phase, percent: e.percent };
        // The migration's percent moves with its index build, not only at statement ends.
        if (e.percent !== null && this.current.statements > 0)
          this.current.percent = Math.round(
            (100 * (this.current.statementsDone + e.percent / 100)) / this.current.statements,
          );
        break;
      case 'lock-wait':
        if (!this.current || this.current.name !== e.name) return;
        this.current.lockWait = { waitedMs: e.waitedMs, blockingPids: e.blockingPids };
        break;
      case 'migration-end':
      case 'run-end':
        this.current = null;
        break;
    }
  }
}
