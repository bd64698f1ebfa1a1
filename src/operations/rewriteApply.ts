// plan --rewrite --apply: the safe form written into the migrations folder as migrations Prisma can
// deploy (each step that must commit before the next in a file of its own, a CONCURRENTLY statement
// alone in its file), for teams that want the files to say what runs. Only for migrations no known
// database has applied: a file changed after a database applied it would be "modified" there.
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { readJournalTail } from '../journal/read.js';
import { stepsOf, type RewriteStep } from '../analysis/rewrite/index.js';
import type { RewritePlan } from './rewrite.js';
import type { Workspace } from './workspace.js';

export interface RewriteFile {
  folder: string;
  sql: string;
}

export interface RewriteApply {
  dir: string;
  /** Where the original folders go: beside the migrations folder. */
  originals: string;
  migrations: { name: string; files: RewriteFile[] }[];
}

/** Names the journals record as applied, by database: every database this host has run migrations on. */
function appliedInJournals(journalDir: string, names: Set<string>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  if (!existsSync(journalDir)) return out;
  for (const f of readdirSync(journalDir).filter((x) => x.endsWith('.jsonl'))) {
    for (const l of readJournalTail(path.join(journalDir, f)).lines) {
      if (l.phase !== 'end' && l.action !== 'skip') continue;
      const r = (l.result ?? l.details) as { name?: string; outcome?: string } | undefined;
      const applied = (l.action === 'migration' || l.action === 'rewrite.migration') && r?.outcome === 'applied';
      if (r?.name && names.has(r.name) && (applied || l.action === 'skip'))
        out.set(r.name, (out.get(r.name) ?? new Set()).add(l.database ?? l.target));
    }
  }
  return out;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Steps that may share one transaction (statements as written) go together; every other step alone. */
function filesOf(name: string, plan: RewritePlan['migrations'][number]): RewriteFile[] {
  const files: RewriteFile[] = [];
  let group: string[] = [];
  const flush = () => {
    if (group.length) files.push({ folder: `${name}_s${pad(files.length + 1)}`, sql: `${group.join(';\n\n')};\n` });
    group = [];
  };
  const total = stepsOf(plan.form).length;
  let n = 0;
  for (const st of plan.form.statements) {
    for (const step of st.steps) {
      n++;
      const sql = stepText(step);
      if (st.rule === 'as-written' && step.action.type === 'sql' && step.action.transactional) {
        group.push(sql);
        continue;
      }
      flush();
      group.push(`-- step ${n} of ${total} of ${name} (plan --rewrite): ${step.title}\n${sql}`);
      flush();
    }
  }
  flush();
  return files;
}

function stepText(step: RewriteStep): string {
  const a = step.action;
  if (a.type !== 'backfill') return a.sql;
  // One UPDATE for psql and Prisma (it locks rows, never the table); citadel-migrate runs it in batches.
  return `-- citadel: batch ${a.batchRows}\nUPDATE ${a.table} SET ${a.column} = ${a.value ?? 'DEFAULT'} WHERE ${a.todo ?? `${a.column} IS NULL`}`;
}

export function prepareRewriteApply(ws: Workspace, plan: RewritePlan, journalDir: string): RewriteApply {
  const dir = ws.migrationsDir();
  if (ws.project().bundled)
    throw new UserError(
      'The bundled runbook is part of the package and is never changed: copy it, then pass --migrations with the copy.',
      'bad-input',
    );
  const begun = plan.migrations.filter((m) => m.resume);
  if (begun.length)
    throw new UserError(
      `${begun.map((m) => m.name).join(', ')} ${begun.length === 1 ? 'was' : 'were'} begun on ${plan.target}: its file cannot change now; finish it with \`citadel-migrate run --rewrite\`.`,
      'refused',
    );
  const changed = plan.migrations.filter((m) => m.form.statements.some((s) => s.rule !== 'as-written'));
  const elsewhere = appliedInJournals(journalDir, new Set(changed.map((m) => m.name)));
  if (elsewhere.size)
    throw new UserError(
      `Not written: ${[...elsewhere].map(([n, dbs]) => `${n} is applied on ${dbs.size === 1 ? 'database' : 'databases'} ${[...dbs].sort().join(', ')}`).join('; ')} (their journals say so), and a changed file would read as modified there. Use \`citadel-migrate run --rewrite\` instead, which runs the safe form and keeps the file as written.`,
      'refused',
    );
  const originals = path.join(path.dirname(dir), `${path.basename(dir)}.before-rewrite`);
  for (const m of changed)
    if (existsSync(path.join(originals, m.name)))
      throw new UserError(
        `${path.join(originals, m.name)} exists already: move it away, then apply again.`,
        'bad-input',
      );
  return { dir, originals, migrations: changed.map((m) => ({ name: m.name, files: filesOf(m.name, m) })) };
}

export async function writeRewriteApply(ws: Workspace, a: RewriteApply): Promise<void> {
  const end = (await ws.journal()).begin('plan.rewrite-apply', {
    migrations: a.dir,
    originals: a.originals,
    written: a.migrations.map((m) => ({ name: m.name, folders: m.files.map((f) => f.folder) })),
  });
  try {
    if (!existsSync(a.originals)) mkdirSync(a.originals, { mode: 0o755 });
    for (const m of a.migrations) {
      for (const f of m.files) {
        mkdirSync(path.join(a.dir, f.folder));
        writeFileSync(path.join(a.dir, f.folder, 'migration.sql'), f.sql);
      }
      renameSync(path.join(a.dir, m.name), path.join(a.originals, m.name));
    }
    end({ ok: true });
  } catch (err) {
    end({ ok: false, error: (err as Error).message });
    throw err;
  }
}
