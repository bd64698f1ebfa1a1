// The guide's "Performance Validation" after a run: the 20 largest tables, how much the indexes the
// run created are used (and whether one is invalid or unused), the slowest statements when
// pg_stat_statements is there, each compared with the figures taken before the run when the
// journal has them (an earlier `verify --performance`).
import type { Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import type { JournalLine } from '../journal/journal.js';
import type { LocalMigration } from '../runbook/folder.js';
import { journalled, lastRunStart } from './journalFacts.js';
import { PERFORMANCE_JOURNAL } from './journalItems.js';

export interface TableFigure {
  schema: string;
  table: string;
  totalBytes: number;
  rowsEstimate: number;
  /** Size before the run, when the journal has it. */
  beforeBytes?: number;
}

export interface IndexFigure {
  index: string;
  table: string | null;
  present: boolean;
  valid: boolean;
  scans: number;
  tuplesRead: number;
  bytes: number;
}

export interface SlowStatement {
  queryid: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  query: string;
}

export interface PerformanceReport {
  tables: TableFigure[];
  /** Where the index names came from. */
  indexSource: 'journal' | 'folder' | 'none';
  indexes: IndexFigure[];
  invalid: string[];
  unused: string[];
  statements: { available: true; rows: SlowStatement[] } | { available: false; reason: string };
  /** When the figures compared with were taken, if any. */
  before?: string;
}

/** CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] name: the index names a statement creates. */
const CREATE_INDEX =
  /\bCREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*))/gi;

export function createdIndexNames(sql: string): string[] {
  const out: string[] = [];
  for (const m of sql.matchAll(CREATE_INDEX))
    out.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!.toLowerCase());
  return out;
}

/** The indexes the latest run created (its statements in the journal), else those of the applied migrations' files. */
export function indexesOfRun(
  journal: JournalLine[],
  applied: LocalMigration[],
): { source: PerformanceReport['indexSource']; names: string[] } {
  const runAt = lastRunStart(journal);
  if (runAt) {
    const names = journal
      .filter((l) => l.action === 'migration.statement' && l.time >= runAt)
      .flatMap((l) => createdIndexNames(String((l.details as { sql?: string })?.sql ?? '')));
    if (names.length) return { source: 'journal', names: [...new Set(names)] };
  }
  const names = [...new Set(applied.flatMap((m) => createdIndexNames(m.sql)))];
  return { source: names.length ? 'folder' : 'none', names };
}

/** The table sizes of the latest `verify --performance` taken before the latest run. */
function figuresBefore(
  journal: JournalLine[],
): { at: string; tables: { schema: string; table: string; totalBytes: number }[] } | undefined {
  const runAt = lastRunStart(journal);
  if (!runAt) return undefined;
  const p = journalled<Record<string, unknown>, { tables?: { schema: string; table: string; totalBytes: number }[] }>(
    journal,
    PERFORMANCE_JOURNAL,
  )
    .filter((x) => x.at < runAt && x.result?.tables)
    .at(-1);
  return p ? { at: p.at, tables: p.result!.tables! } : undefined;
}

export async function performanceReport(
  db: Pick<Db, 'query'>,
  journal: JournalLine[],
  applied: LocalMigration[],
): Promise<PerformanceReport> {
  const before = figuresBefore(journal);
  const sizeBefore = new Map(before?.tables.map((t) => [`${t.schema}.${t.table}`, t.totalBytes]));
  const tables = (
    await db.query<{ schema: string; table: string; total_bytes: string; rows_estimate: string }>(
      sqlFile('largest_tables'),
    )
  ).rows.map((r): TableFigure => {
    const b = sizeBefore.get(`${r.schema}.${r.table}`);
    return {
      schema: r.schema,
      table: r.table,
      totalBytes: Number(r.total_bytes),
      rowsEstimate: Number(r.rows_estimate),
      ...(b !== undefined ? { beforeBytes: b } : {}),
    };
  });

  const { source, names } = indexesOfRun(journal, applied);
  const indexes = names.length
    ? (
        await db.query<{
          index: string;
          table: string | null;
          present: boolean;
          valid: boolean;
          scans: string;
          tuples_read: string;
          bytes: string;
        }>(sqlFile('new_index_usage'), [names])
      ).rows.map((r) => ({
        index: r.index,
        table: r.table,
        present: r.present,
        valid: r.valid,
        scans: Number(r.scans),
        tuplesRead: Number(r.tuples_read),
        bytes: Number(r.bytes),
      }))
    : [];

  let statements: PerformanceReport['statements'];
  const installed = (await db.query<{ installed: boolean }>(sqlFile('pg_stat_statements_installed'))).rows[0]!
    .installed;
  if (!installed)
    statements = {
      available: false,
      reason:
        'pg_stat_statements is not installed in this database (CREATE EXTENSION pg_stat_statements, with the library in shared_preload_libraries): slowest statements not shown',
    };
  else {
    try {
      const rows = (
        await db.query<{ queryid: string; calls: string; total_ms: number; mean_ms: number; query: string }>(
          sqlFile('slowest_statements'),
        )
      ).rows;
      statements = {
        available: true,
        rows: rows.map((r) => ({
          queryid: r.queryid,
          calls: Number(r.calls),
          totalMs: r.total_ms,
          meanMs: r.mean_ms,
          query: r.query,
        })),
      };
    } catch (err) {
      statements = {
        available: false,
        reason: `pg_stat_statements is installed but cannot be read (${(err as Error).message}): add it to shared_preload_libraries and restart, or grant pg_read_all_stats`,
      };
    }
  }

  return {
    tables,
    indexSource: source,
    indexes,
    invalid: indexes.filter((i) => i.present && !i.valid).map((i) => i.index),
    unused: indexes.filter((i) => i.present && i.valid && i.scans === 0).map((i) => i.index),
    statements,
    ...(before ? { before: before.at } : {}),
  };
}
