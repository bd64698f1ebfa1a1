import type { Context } from '../context.js';
import { print, printJson, columns } from '../output.js';
import { ExitCode } from '../errors.js';
import {
  executeStatus,
  outstanding,
  prepareStatus,
  projectDocument,
  type IndexBeingBuilt,
  type Leftovers,
  type MigrationStatus,
  replicationDocument,
  replicationLines,
} from '../../operations/status.js';
import { leftoverLines } from '../../operations/statusNotes.js';

export const STATE_SYMBOL: Record<MigrationStatus['state'], string> = {
  applied: '✓',
  pending: '·',
  running: '▶',
  failed: '✗',
  'rolled-back': '↺',
  modified: '!',
  'missing-locally': '?',
};

export function renderStatus(
  states: MigrationStatus[],
  where: string,
  leftovers?: Leftovers,
  building: IndexBeingBuilt[] = [],
): string {
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  const summary = [...counts].map(([k, v]) => `${v} ${k}`).join(', ');
  const table = columns([
    ['', 'migration', 'state', 'applied at'],
    ...states.map((s) => [
      STATE_SYMBOL[s.state],
      s.name,
      s.state,
      s.appliedAt ? s.appliedAt.replace('T', ' ').slice(0, 19) : '',
    ]),
  ]);
  const notes = states
    .filter((s) => s.note && (s.state !== 'applied' || /died|did not finish/.test(s.note)))
    .map((s) => `  ${STATE_SYMBOL[s.state]} ${s.name}: ${s.note}`);
  const left = leftovers ? leftoverLines(leftovers, building).map((l) => `  ${l}`) : [];
  return [
    `${where}: ${states.length} migrations (${summary})`,
    '',
    table,
    ...(notes.length ? ['', ...notes] : []),
    ...(left.length ? ['', ...left] : []),
  ].join('\n');
}

export default async function status(ctx: Context): Promise<number> {
  const { plan } = prepareStatus(ctx);
  const { states, leftovers, indexesBeingBuilt, warnings, replication } = await executeStatus(ctx, plan, {
    replication: true,
  });
  if (ctx.json) {
    printJson({
      migrations: states.map(({ name, state, checksum, appliedAt, note, logs, running }) => ({
        name,
        state,
        checksum,
        appliedAt,
        ...(note ? { note } : {}),
        ...(logs ? { logs } : {}),
        ...(running ? { running } : {}),
      })),
      source: projectDocument(ctx.project()),
      ...(leftovers.advisoryLock ? { advisoryLockHeldBy: leftovers.advisoryLock } : {}),
      ...(leftovers.invalidIndexes.length ? { invalidIndexes: leftovers.invalidIndexes } : {}),
      ...(leftovers.expandColumns?.length ? { expandColumns: leftovers.expandColumns } : {}),
      ...(indexesBeingBuilt.length ? { indexesBeingBuilt } : {}),
      ...(warnings.length ? { warnings } : {}),
      ...(replication ? replicationDocument(replication.health, replication.touched) : {}),
    });
  } else {
    print(`Source: ${ctx.source()}`);
    print(renderStatus(states, ctx.target().display, leftovers, indexesBeingBuilt));
    if (warnings.length) print(['', ...warnings.map((w) => `! ${w}`)].join('\n'));
    if (replication) print(['', ...replicationLines(replication.health, replication.touched)].join('\n'));
  }
  // As `prisma migrate status`: 1 while a migration is pending or failed, so a script can gate on it.
  return outstanding(states).length ? ExitCode.failed : ExitCode.ok;
}
