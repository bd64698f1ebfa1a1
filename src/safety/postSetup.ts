// Post-migration setup (the guide's default roles and permissions, ANALYZE) as explicit steps. The
// manifest's SQL is written to be idempotent; each step runs as one transaction and reports the
// rows it added, so running it twice visibly adds nothing.
import type { Db } from '../postgres/connect.js';
import type { PostSetupStep } from '../runbook/manifest.js';

export interface SetupStepResult {
  migration: string;
  id: string;
  title: string;
  status: 'done' | 'failed';
  rows: number;
  durationMs: number;
  error?: string;
}

export async function runSetupStep(
  db: Pick<Db, 'query'>,
  migration: string,
  step: PostSetupStep,
): Promise<SetupStepResult> {
  const t0 = Date.now();
  try {
    await db.query('BEGIN');
    const r = await db.query(step.sql);
    await db.query('COMMIT');
    // A multi-statement script returns one result per statement.
    const results = Array.isArray(r) ? r : [r];
    const rows = results.reduce(
      (n: number, x: { rowCount?: number | null; command?: string }) =>
        n + (x.command === 'INSERT' || x.command === 'UPDATE' || x.command === 'DELETE' ? (x.rowCount ?? 0) : 0),
      0,
    );
    return { migration, id: step.id, title: step.title, status: 'done', rows, durationMs: Date.now() - t0 };
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    return {
      migration,
      id: step.id,
      title: step.title,
      status: 'failed',
      rows: 0,
      durationMs: Date.now() - t0,
      error: (err as Error).message,
    };
  }
}

/** ANALYZE of the whole database: the guide's "update table statistics" after large changes. */
export async function runAnalyze(db: Pick<Db, 'query'>): Promise<{ durationMs: number }> {
  const t0 = Date.now();
  await db.query('ANALYZE');
  return { durationMs: Date.now() - t0 };
}
