/** One thing plan wants the DBA to know before the window (DESIGN section 7, `plan --json`). */
export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  migration: string;
  /** 1-based line of the statement in its file (null: the finding is about the whole migration). */
  statement: number | null;
  rule: string;
  severity: Severity;
  message: string;
  /** The safe alternative or the concrete fix (empty when there is nothing better to say). */
  fix: string;
  /** migration.sql unless said otherwise (down.sql findings). */
  file?: string;
  /** Where it came from: our runbook analysis or squawk's lint. */
  source: 'runbook' | 'squawk' | 'preflight';
  /** The relation concerned and what it weighs on the target, for lint ranking. */
  relation?: string | null;
  relationBytes?: number | null;
  estimatedRows?: number | null;
  /** More places in the same migration with the same finding. */
  alsoAt?: number[];
}

export const SEVERITY_ORDER: Severity[] = ['error', 'warning', 'info'];

export { formatBytes } from '../format.js';

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined) return '?';
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  return String(n);
}

/** "~20k rows", or what is known when the table has no statistics (never analyzed). */
export function formatRows(n: number | null | undefined): string {
  return n === null || n === undefined ? 'row count unknown (no statistics)' : `~${formatCount(n)} rows`;
}
