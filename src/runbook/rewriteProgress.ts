// How far a safe form got, kept in the `logs` of the migration's unfinished `_prisma_migrations` row
// (the row Prisma itself writes before a non-atomic script): the database, not a file on one host,
// says where a run killed between steps resumes. Prisma reads only finished_at and rolled_back_at,
// so it sees what it sees of any interrupted migration: a failed one, until the run completes it.
export const REWRITE_MARK = 'citadel-migrate run --rewrite: ';

export interface RewriteProgress {
  /** Steps completed, from the first. */
  done: number;
  total: number;
  /** The safe form's fingerprint (its steps' SQL): a resumed run refuses a safe form that changed. */
  form: string;
  /** The last key a running backfill committed. */
  after: string | null;
  /** The error that stopped the run, when one did. */
  error?: string;
}

export function formatRewriteProgress(p: RewriteProgress): string {
  const head = `${REWRITE_MARK}${p.done}/${p.total} steps done; form ${p.form}`;
  const after = p.after !== null ? `; backfill after ${JSON.stringify(p.after)}` : '';
  return `${head}${after}${p.error ? `\nstopped by: ${p.error}` : ''}`;
}

export function parseRewriteProgress(logs: string | null | undefined): RewriteProgress | null {
  if (!logs?.startsWith(REWRITE_MARK)) return null;
  const m =
    /^(\d+)\/(\d+) steps done; form ([0-9a-f]+)(?:; backfill after ("(?:[^"\\]|\\.)*"))?(?:\nstopped by: ([\s\S]*))?$/.exec(
      logs.slice(REWRITE_MARK.length),
    );
  if (!m) return null;
  return {
    done: Number(m[1]),
    total: Number(m[2]),
    form: m[3]!,
    after: m[4] ? (JSON.parse(m[4]) as string) : null,
    ...(m[5] ? { error: m[5] } : {}),
  };
}

/** The status note of a migration whose safe form stopped between steps. */
export function rewriteNote(p: RewriteProgress): string {
  const where = p.after !== null ? `, its backfill part-way` : '';
  return `its safe form stopped after step ${p.done} of ${p.total}${where}${p.error ? ` (${p.error})` : ''}: \`citadel-migrate run --rewrite\` resumes it at step ${p.done + 1}`;
}
