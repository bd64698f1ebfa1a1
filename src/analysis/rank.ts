// Plan's findings in the order a DBA should read them on this target: errors first, and within a
// severity the statement the application will feel most first (an ACCESS EXCLUSIVE rewrite of a
// large table before a SHARE lock on a small one), notes last. The same note on many migrations
// (require-enum-value-ordering on every ADD VALUE) is one group, not a page of lines.
import type { Finding } from './findings.js';
import { SEVERITY_ORDER, formatBytes, formatRows } from './findings.js';
import type { LockMode } from './locks.js';
import { statementAt } from './lint.js';

/** What ranking needs of a planned statement (plan.ts's PlannedStatement has all of it). */
export interface RankedStatement {
  line: number;
  kind: string;
  lock: LockMode | null;
  relation: string | null;
  rewrites: boolean;
  scans: boolean;
  relationBytes: number | null;
  estimatedRows: number | null;
}

export interface NoteGroup {
  rule: string;
  count: number;
  migrations: string[];
  /** The message of the first one (they say the same thing). */
  message: string;
  fix: string;
}

/** Notes of one rule on at least this many statements are shown as one group. */
export const GROUP_AT = 3;

const LOCK_FACTOR: Partial<Record<LockMode, number>> = {
  'ACCESS EXCLUSIVE': 4,
  EXCLUSIVE: 2,
  'SHARE ROW EXCLUSIVE': 2,
  SHARE: 2,
};

/** How much the application will feel the statement: lock strength x work x size on the target. */
export function dangerOf(s: RankedStatement | undefined, bytes?: number | null): number {
  if (!s) return 0;
  const lock = s.lock ? (LOCK_FACTOR[s.lock] ?? 1) : 0.5;
  const work = s.rewrites ? 3 : s.scans ? 2 : 1;
  const size = (s.relationBytes ?? bytes ?? 0) + 1;
  return lock * work * size;
}

export function rankFindings(
  findings: Finding[],
  statementsOf: (migration: string) => RankedStatement[] | undefined,
  runOrder: Map<string, number>,
): Finding[] {
  const sev = (f: Finding) => SEVERITY_ORDER.indexOf(f.severity);
  const danger = new Map<Finding, number>();
  for (const f of findings) {
    const stmts = statementsOf(f.migration);
    const s = f.statement !== null && !f.file && stmts ? statementAt(stmts, f.statement) : undefined;
    danger.set(f, dangerOf(s, f.relationBytes));
  }
  return [...findings].sort(
    (a, b) =>
      sev(a) - sev(b) ||
      danger.get(b)! - danger.get(a)! ||
      (runOrder.get(a.migration) ?? 0) - (runOrder.get(b.migration) ?? 0) ||
      (a.statement ?? 0) - (b.statement ?? 0),
  );
}

/** Notes (severity info) of one rule seen GROUP_AT times or more, in the order first met. */
export function groupNotes(findings: Finding[]): NoteGroup[] {
  const byRule = new Map<string, Finding[]>();
  for (const f of findings) if (f.severity === 'info') byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  return [...byRule]
    .filter(([, fs]) => fs.length >= GROUP_AT)
    .map(([rule, fs]) => ({
      rule,
      count: fs.length,
      migrations: [...new Set(fs.map((f) => f.migration))],
      message: fs[0]!.message,
      fix: fs[0]!.fix,
    }));
}

/** Large enough that a rewrite under ACCESS EXCLUSIVE stops the application for a noticeable time. */
const LARGE = (s: RankedStatement) => (s.relationBytes ?? 0) >= 10 * 1024 * 1024 || (s.estimatedRows ?? 0) >= 10_000;

/** A warning for each statement that rewrites an existing large table while holding ACCESS EXCLUSIVE. */
export function rewriteFindings(migration: string, statements: RankedStatement[]): Finding[] {
  return statements
    .filter((s) => s.rewrites && s.lock === 'ACCESS EXCLUSIVE' && s.relation && s.relationBytes !== null && LARGE(s))
    .map((s) => ({
      migration,
      statement: s.line,
      rule: 'table-rewrite',
      severity: 'warning' as const,
      message: `rewrites ${s.relation} (${formatBytes(s.relationBytes)}, ${formatRows(s.estimatedRows)}) while holding ACCESS EXCLUSIVE: every read and write of it waits until the rewrite ends, and it needs that much free disk again`,
      fix: 'measure it first (citadel-migrate rehearse --with-data); or do it without a rewrite: add a new column, backfill it in batches, switch the application over, drop the old one',
      source: 'runbook' as const,
      relation: s.relation,
      relationBytes: s.relationBytes,
      estimatedRows: s.estimatedRows,
    }));
}
