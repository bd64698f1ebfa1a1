import type { ExpandLeftover, Leftovers } from '../engine/leftovers.js';
import type { IndexBeingBuilt } from '../monitor/liveRun.js';
import type { StatusReport } from './status.js';

/** What a dead run left behind on the server (advisory lock, invalid indexes), and the builds under way. */
export function leftoverLines(l: Leftovers, building: IndexBeingBuilt[] = []): string[] {
  const out: string[] = [];
  for (const b of building)
    out.push(
      `▶ index ${b.name} is being built by pid ${b.pid} (${b.phase}${b.percent === null ? '' : `, ${Math.round(b.percent)}%`}): INVALID until the build ends`,
    );
  if (l.advisoryLock)
    out.push(
      `! Prisma's advisory lock is still held by backend pid ${l.advisoryLock.pid} of the run (pid ${l.advisoryLock.runPid}) that died: no run can start until it ends (\`citadel-migrate kill ${l.advisoryLock.pid} --terminate\`)`,
    );
  for (const i of l.invalidIndexes) out.push(`! ${invalidIndexLine(i)}`);
  for (const c of l.expandColumns ?? []) out.push(`! ${expandLine(c)}`);
  return out;
}

const quoted = (name: string) =>
  name
    .split('.')
    .map((p) => `"${p.replace(/"/g, '""')}"`)
    .join('.');

/** The new column of a type change's safe form stopped before its swap: run --rewrite completes it. */
export function expandLine(c: ExpandLeftover): string {
  const what = `column ${c.table}.${c.column}${c.trigger ? ` and its trigger ${c.trigger} are` : ' is'}`;
  if (c.rewrite)
    return `${what} left by the interrupted safe form of ${c.rewrite}: \`citadel-migrate run --rewrite\` completes it${c.trigger ? ` (until then every write to ${c.table} also fills that column)` : ''}`;
  const schema = c.table.includes('.') ? `${quoted(c.table.split('.')[0]!)}.` : '';
  const drops = [
    ...(c.trigger
      ? [
          `DROP TRIGGER ${quoted(c.trigger)} ON ${quoted(c.table)}; DROP FUNCTION ${schema}${quoted(c.trigger.replace(/^zz_/, ''))}();`,
        ]
      : []),
    `ALTER TABLE ${quoted(c.table)} DROP COLUMN ${quoted(c.column)};`,
  ];
  return `${what} left by an interrupted safe form of a type change that no pending migration resumes: remove ${c.trigger ? 'them' : 'it'} with ${drops.join(' ')}`;
}

/** An INVALID index: an interrupted safe form's is rebuilt by the next run --rewrite, any other is dropped by hand. */
export function invalidIndexLine(i: Leftovers['invalidIndexes'][number]): string {
  return i.rewrite
    ? `index ${i.name} is INVALID (left by the interrupted safe form of ${i.rewrite}): \`citadel-migrate run --rewrite\` drops it and builds it again (it slows writes and serves no reads until then)`
    : `index ${i.name} is INVALID (left by a cancelled CREATE INDEX CONCURRENTLY?): it slows writes and serves no reads; remove it with ${i.drop}`;
}

/** Everything `status` says beside the table: the warnings a run would refuse on, then the leftovers. */
export function statusNotes(r: Pick<StatusReport, 'warnings' | 'leftovers' | 'indexesBeingBuilt'>): string[] {
  return [...r.warnings.map((w) => `! ${w}`), ...leftoverLines(r.leftovers, r.indexesBeingBuilt)];
}
