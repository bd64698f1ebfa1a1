import type { Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';

/** schema.table -> exact row count. */
export type RowCounts = Record<string, number>;

type Queryable = Pick<Db, 'query'>;

export async function exactRowCounts(db: Queryable): Promise<RowCounts> {
  const r = await db.query<{ schema: string; table: string; rows: number | string }>(sqlFile('exact_row_counts'));
  const out: RowCounts = {};
  for (const row of r.rows) out[`${row.schema}.${row.table}`] = Number(row.rows);
  return out;
}

export interface CountMismatch {
  table: string;
  /** null: the table is missing on that side. */
  source: number | null;
  restored: number | null;
}

export interface RestoreCheck {
  tables: number;
  rowsCompared: number;
  mismatches: CountMismatch[];
}

/** Table list and exact row counts, side by side; every difference is a mismatch. */
export function compareCounts(source: RowCounts, restored: RowCounts): RestoreCheck {
  const names = [...new Set([...Object.keys(source), ...Object.keys(restored)])].sort();
  const mismatches: CountMismatch[] = [];
  let rowsCompared = 0;
  for (const t of names) {
    const s = source[t] ?? null;
    const r = restored[t] ?? null;
    if (s !== null) rowsCompared += s;
    if (s !== r) mismatches.push({ table: t, source: s, restored: r });
  }
  return { tables: Object.keys(source).length, rowsCompared, mismatches };
}
