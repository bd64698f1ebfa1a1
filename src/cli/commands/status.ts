import type { Context } from '../context.js';
import { withDb } from '../../postgres/connect.js';
import { readHistory } from '../../runbook/history.js';
import { migrationStates, type MigrationStatus } from '../../runbook/status.js';
import { print, printJson, columns } from '../output.js';
import { readJournalTail } from '../../journal/read.js';
import { journalFileFor } from '../../journal/journal.js';
import { explainInterrupted, deadRunPids } from '../../engine/interrupted.js';
import { findLeftovers, type Leftovers } from '../../engine/leftovers.js';
import { ExitCode } from '../errors.js';
import { detectPooler, poolerWarning } from '../../postgres/pooler.js';
import { folderMismatch } from '../../runbook/folderMatch.js';
import { projectDocument } from '../../project/discover.js';

export const STATE_SYMBOL: Record<MigrationStatus['state'], string> = {
  applied: '✓',
  pending: '·',
  failed: '✗',
  'rolled-back': '↺',
  modified: '!',
  'missing-locally': '?',
};

export async function loadStatus(ctx: Context): Promise<MigrationStatus[]> {
  return (await loadStatusReport(ctx)).states;
}

/** The states (explained by the journal), what a dead run left on the server, and what a run would refuse: the wrong folder, a transaction pooler. */
export async function loadStatusReport(ctx: Context): Promise<{ states: MigrationStatus[]; leftovers: Leftovers; warnings: string[] }> {
  const folder = await ctx.folder();
  const target = ctx.target();
  // The journal explains what the database cannot: an attempt whose process died part-way.
  const journal = readJournalTail(journalFileFor(target, ctx.opts.journalDir));
  const { rows, leftovers, pooler } = await withDb(
    target,
    async (db) => ({ rows: await readHistory(db), leftovers: await findLeftovers(db, deadRunPids(journal.lines)), pooler: await detectPooler(target, db) }),
    { applicationName: 'citadel-migrate status' },
  );
  const warnings = [folderMismatch(folder, rows)?.message, poolerWarning(target, pooler, ctx.project().directUrlVariable)].filter((w): w is string => Boolean(w));
  return { states: explainInterrupted(migrationStates(folder.migrations, rows), journal.lines, leftovers), leftovers, warnings };
}

/** Lines about what a dead run left behind on the server (advisory lock, invalid indexes). */
export function renderLeftovers(l: Leftovers): string[] {
  const out: string[] = [];
  if (l.advisoryLock) out.push(`  ! Prisma's advisory lock is still held by backend pid ${l.advisoryLock.pid} of the run (pid ${l.advisoryLock.runPid}) that died: no run can start until it ends (\`citadel-migrate kill ${l.advisoryLock.pid} --terminate\`)`);
  for (const i of l.invalidIndexes) out.push(`  ! index ${i.name} is INVALID (left by a cancelled CREATE INDEX CONCURRENTLY?): it slows writes and serves no reads; remove it with ${i.drop}`);
  return out;
}

export function renderStatus(states: MigrationStatus[], where: string, leftovers?: Leftovers): string {
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  const summary = [...counts].map(([k, v]) => `${v} ${k}`).join(', ');
  const table = columns([
    ['', 'migration', 'state', 'applied at'],
    ...states.map((s) => [STATE_SYMBOL[s.state], s.name, s.state, s.appliedAt ? s.appliedAt.replace('T', ' ').slice(0, 19) : '']),
  ]);
  const notes = states.filter((s) => s.note && (s.state !== 'applied' || /died/.test(s.note))).map((s) => `  ${STATE_SYMBOL[s.state]} ${s.name}: ${s.note}`);
  const left = leftovers ? renderLeftovers(leftovers) : [];
  return [`${where}: ${states.length} migrations (${summary})`, '', table, ...(notes.length ? ['', ...notes] : []), ...(left.length ? ['', ...left] : [])].join('\n');
}

export default async function status(ctx: Context): Promise<number> {
  const { states, leftovers, warnings } = await loadStatusReport(ctx);
  if (ctx.json) {
    printJson({
      migrations: states.map(({ name, state, checksum, appliedAt, note, logs }) => ({ name, state, checksum, appliedAt, ...(note ? { note } : {}), ...(logs ? { logs } : {}) })),
      source: projectDocument(ctx.project()),
      ...(leftovers.advisoryLock ? { advisoryLockHeldBy: leftovers.advisoryLock } : {}),
      ...(leftovers.invalidIndexes.length ? { invalidIndexes: leftovers.invalidIndexes } : {}),
      ...(warnings.length ? { warnings } : {}),
    });
  } else {
    print(`Source: ${ctx.source()}`);
    print(renderStatus(states, ctx.target().display, leftovers));
    if (warnings.length) print(['', ...warnings.map((w) => `! ${w}`)].join('\n'));
  }
  return ExitCode.ok;
}
