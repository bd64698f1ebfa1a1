import type { Context } from '../context.js';
import { withDb } from '../../postgres/connect.js';
import { readHistory } from '../../runbook/history.js';
import { migrationStates, type MigrationStatus } from '../../runbook/status.js';
import { print, printJson, columns } from '../output.js';
import { readJournalTail } from '../../journal/read.js';
import { journalFileFor } from '../../journal/journal.js';
import { explainInterrupted } from '../../engine/interrupted.js';
import { ExitCode } from '../errors.js';

export const STATE_SYMBOL: Record<MigrationStatus['state'], string> = {
  applied: '✓',
  pending: '·',
  failed: '✗',
  'rolled-back': '↺',
  modified: '!',
  'missing-locally': '?',
};

export async function loadStatus(ctx: Context): Promise<MigrationStatus[]> {
  const folder = await ctx.folder();
  const target = ctx.target();
  const rows = await withDb(target, (db) => readHistory(db), { applicationName: 'citadel-migrate status' });
  // The journal explains what the database cannot: an attempt whose process died part-way.
  const journal = readJournalTail(journalFileFor(target, ctx.opts.journalDir));
  return explainInterrupted(migrationStates(folder.migrations, rows), journal.lines);
}

export function renderStatus(states: MigrationStatus[], where: string): string {
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  const summary = [...counts].map(([k, v]) => `${v} ${k}`).join(', ');
  const table = columns([
    ['', 'migration', 'state', 'applied at'],
    ...states.map((s) => [STATE_SYMBOL[s.state], s.name, s.state, s.appliedAt ? s.appliedAt.replace('T', ' ').slice(0, 19) : '']),
  ]);
  const notes = states.filter((s) => s.note && (s.state !== 'applied' || /died/.test(s.note))).map((s) => `  ${STATE_SYMBOL[s.state]} ${s.name}: ${s.note}`);
  return [`${where}: ${states.length} migrations (${summary})`, '', table, ...(notes.length ? ['', ...notes] : [])].join('\n');
}

export default async function status(ctx: Context): Promise<number> {
  const states = await loadStatus(ctx);
  if (ctx.json) {
    printJson({ migrations: states.map(({ name, state, checksum, appliedAt, note, logs }) => ({ name, state, checksum, appliedAt, ...(note ? { note } : {}), ...(logs ? { logs } : {}) })) });
  } else {
    print(renderStatus(states, ctx.target().display));
  }
  return ExitCode.ok;
}
