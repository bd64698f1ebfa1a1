// The guide's per-migration "Expected Changes": every table, enum, column and index the manifest
// says a migration creates is looked up in the catalog and reported one by one.
import type { Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import type { ExpectedChanges } from '../runbook/manifest.js';

export type ExpectedKind = 'table' | 'enum' | 'column' | 'index';

export interface ExpectedItemResult {
  kind: ExpectedKind;
  name: string;
  status: 'pass' | 'fail';
  /** Why it fails (missing, or present but invalid). */
  problem?: string;
}

type Queryable = Pick<Db, 'query'>;

export async function checkExpected(db: Queryable, expected: ExpectedChanges): Promise<ExpectedItemResult[]> {
  const out: ExpectedItemResult[] = [];
  const missing = (kind: ExpectedKind, name: string, present: boolean, problem = 'missing'): ExpectedItemResult =>
    present ? { kind, name, status: 'pass' } : { kind, name, status: 'fail', problem };
  if (expected.tables.length) {
    const r = await db.query<{ name: string; present: boolean }>(sqlFile('expected_tables'), [expected.tables]);
    for (const row of r.rows) out.push(missing('table', row.name, row.present));
  }
  if (expected.enums.length) {
    const r = await db.query<{ name: string; present: boolean }>(sqlFile('expected_enums'), [expected.enums]);
    for (const row of r.rows) out.push(missing('enum', row.name, row.present));
  }
  if (expected.columns.length) {
    const r = await db.query<{ table: string; column: string; present: boolean }>(sqlFile('expected_columns'), [
      expected.columns.map((c) => c.table),
      expected.columns.map((c) => c.column),
    ]);
    for (const row of r.rows) out.push(missing('column', `${row.table}.${row.column}`, row.present));
  }
  if (expected.indexes.length) {
    const r = await db.query<{ name: string; present: boolean; valid: boolean }>(sqlFile('expected_indexes'), [
      expected.indexes,
    ]);
    for (const row of r.rows) {
      out.push(
        row.present && !row.valid
          ? {
              kind: 'index',
              name: row.name,
              status: 'fail',
              problem: 'present but INVALID (a failed concurrent build): drop it and create it again',
            }
          : missing('index', row.name, row.present),
      );
    }
  }
  return out;
}
