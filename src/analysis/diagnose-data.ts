// Diagnoses of failures caused by the data or the disk, not by the SQL: the rows that break a
// foreign key or a unique index (with the exact query that lists them, and the guide's remedy with
// its warning), and a full disk (what takes the space, and what the guide's remedies risk).
import { splitStatements } from '../engine/split.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { quoteIdent } from './names.js';
import { formatBytes } from './findings.js';
import type { DiagnosisContext, FailureInfo } from './failureInfo.js';

const q = (name: string) => quoteIdent(name);
const list = (cols: string[]) => cols.map(q).join(', ');

interface ForeignKey {
  child: string;
  parent: string;
  childColumns: string[];
  parentColumns: string[];
}

/** The foreign key from the failing statement itself (it is not in the catalog: its ADD was rolled back). */
async function foreignKeyOf(err: FailureInfo, ctx: DiagnosisContext): Promise<ForeignKey | undefined> {
  try {
    for (const s of await splitStatements(ctx.statement)) {
      const node = s.ast.AlterTableStmt;
      for (const item of node?.cmds ?? []) {
        const con = item.AlterTableCmd?.def?.Constraint;
        if (con?.contype !== 'CONSTR_FOREIGN' || (err.constraint && con.conname && con.conname !== err.constraint))
          continue;
        const names = (xs: any[]) => xs.map((x) => x.String?.sval as string);
        const parentColumns = names(con.pk_attrs ?? []);
        return {
          child: node.relation.relname,
          parent: con.pktable.relname,
          childColumns: names(con.fk_attrs ?? []),
          parentColumns: parentColumns.length ? parentColumns : ['id'],
        };
      }
    }
  } catch {
    // not parseable on its own: fall back to the catalog
  }
  if (!ctx.db || !err.constraint || !err.table) return undefined;
  const r = await ctx.db.query<{ child: string; parent: string; child_columns: string[]; parent_columns: string[] }>(
    sqlFile('diagnose_foreign_key'),
    [err.constraint, err.table],
  );
  const row = r.rows[0];
  return row
    ? { child: row.child, parent: row.parent, childColumns: row.child_columns, parentColumns: row.parent_columns }
    : undefined;
}

export async function diagnoseForeignKey(err: FailureInfo, ctx: DiagnosisContext): Promise<string> {
  const fk = await foreignKeyOf(err, ctx);
  if (!fk)
    return "rows reference parents that do not exist: find them with the guide's orphan query (Troubleshooting Issue 4) before running again";
  const notNull = fk.childColumns.map((c) => `c.${q(c)} IS NOT NULL`).join(' AND ');
  const match = fk.childColumns.map((c, i) => `p.${q(fk.parentColumns[i] ?? 'id')} = c.${q(c)}`).join(' AND ');
  const orphans = `SELECT c.* FROM ${q(fk.child)} c WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${q(fk.parent)} p WHERE ${match})`;
  const isAdd = /\bADD\s+CONSTRAINT\b|\bFOREIGN\s+KEY\b/i.test(ctx.statement);
  return [
    `rows of ${q(fk.child)} point to ${q(fk.parent)} rows that do not exist; list them: ${orphans};`,
    "then fix their parents, or delete them (the guide's Option 1: data is lost, back up first);",
    isAdd
      ? "the guide's Option 2 (session_replication_role = replica) does not help here: it skips foreign key triggers on writes, not this check, and leaves the orphans; ADD CONSTRAINT ... NOT VALID enforces new rows only"
      : "the guide's Option 2 (session_replication_role = replica) needs superuser and leaves the orphans in place: use it only if you accept that",
  ].join(' ');
}

/** Key (a, "userId")=(...) or Key (lower(email))=(...): the index's columns or expressions as written. */
function keyColumns(detail: string | undefined): string | undefined {
  const m = /^Key \((.*)\)=\(/s.exec(detail ?? '');
  return m?.[1];
}

async function uniqueTargetOf(err: FailureInfo, ctx: DiagnosisContext): Promise<{ table?: string; columns?: string }> {
  let table = err.table;
  let columns = keyColumns(err.detail);
  if (!table || !columns) {
    try {
      const [s] = await splitStatements(ctx.statement);
      const idx = s?.ast.IndexStmt;
      if (idx) {
        table ??= idx.relation?.relname;
        if (!columns) {
          const names = (idx.indexParams ?? []).map((p: any) => p.IndexElem?.name).filter(Boolean);
          if (names.length) columns = list(names);
        }
      }
    } catch {
      // keep what the error said
    }
  }
  return { table, columns };
}

export async function diagnoseUnique(err: FailureInfo, ctx: DiagnosisContext): Promise<string> {
  const { table, columns } = await uniqueTargetOf(err, ctx);
  if (!table || !columns)
    return "duplicate values break a unique constraint: find them with the guide's duplicates query (Troubleshooting Issue 5) before running again";
  const find = `SELECT ${columns}, count(*) FROM ${q(table)} GROUP BY ${columns} HAVING count(*) > 1 ORDER BY count(*) DESC`;
  return [
    `duplicates in ${q(table)} on (${columns}); list them: ${find};`,
    "then decide which row of each group to keep. The guide's delete keeps the row with the lowest ctid, which is not the oldest or the right one,",
    'and rows referencing the deleted ones cascade or fail: back up the table first.',
  ].join(' ');
}

export async function diagnoseDiskFull(_err: FailureInfo, ctx: DiagnosisContext): Promise<string> {
  let usage = '';
  if (ctx.db) {
    try {
      const r = await ctx.db.query<{ what: string; name: string; bytes: number }>(sqlFile('diagnose_disk_usage'));
      usage = r.rows
        .map((x) =>
          x.what === 'slot'
            ? `WAL kept for replication slot ${x.name} (${formatBytes(Number(x.bytes))})`
            : `${x.name} (${formatBytes(Number(x.bytes))})`,
        )
        .join(', ');
    } catch {
      // a server out of disk may refuse even this; the advice stands without it
    }
  }
  return [
    `the server's disk is full${usage ? `; largest: ${usage}` : ''}. Free space on the database host before running again.`,
    "The guide's remedies carry risks: never delete files in pg_wal by hand (it can corrupt the cluster; drop a stale replication slot or fix archiving instead);",
    'VACUUM FULL needs free space as large as the table and locks it (ACCESS EXCLUSIVE); remove temporary files only with no query running.',
  ].join(' ');
}
