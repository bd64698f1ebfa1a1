import { compactDuration as duration, formatBytes as bytes } from '../format.js';
import { lockTree, type LockGraph, type LockSession } from './locks.js';
import { trimStatement } from './progress.js';

export { duration, bytes };

export interface TextStyle {
  /** Marks what must stand out (idle in transaction); identity when colour is off. */
  alarm: (s: string) => string;
  dim: (s: string) => string;
}

export const PLAIN: TextStyle = { alarm: (s) => s, dim: (s) => s };
export const ANSI: TextStyle = { alarm: (s) => `\x1b[1;31m${s}\x1b[0m`, dim: (s) => `\x1b[2m${s}\x1b[0m` };

function stateText(s: LockSession, style: TextStyle): string {
  if (s.state.startsWith('idle in transaction'))
    return style.alarm(`! ${s.state.toUpperCase()} ${duration(s.stateAgeMs)}`);
  if (s.state === 'gone') return 'ended';
  return s.state || s.backendType;
}

function who(s: LockSession): string {
  const parts = [`user=${s.user || '?'}`, `app=${s.application || '(none)'}`];
  if (s.clientAddr) parts.push(s.clientAddr);
  if (s.database && s.state !== 'gone') parts.push(`db=${s.database}`);
  return parts.join(' ');
}

/** The blocker → waiters tree as text lines, `width` columns wide (queries are trimmed to fit). */
export function renderLockTree(
  graph: LockGraph,
  width = 100,
  style: TextStyle = PLAIN,
  thisDatabase?: string,
): string[] {
  const lines: string[] = [];
  for (const row of lockTree(graph)) {
    const s = row.session;
    const head: string[] = [String(s.pid)];
    if (s.wanted) head.push(`waits ${duration(s.wanted.waitingMs)} for ${s.wanted.mode} on ${s.wanted.object}`);
    else if (s.heldModes.length)
      head.push(`holds ${s.heldModes.join(', ')}${s.blocksOn.length ? ` on ${s.blocksOn.join(', ')}` : ''}`);
    else if (s.blocksOn.length) head.push(`blocks others on ${s.blocksOn.join(', ')}`);
    head.push(stateText(s, style));
    if (s.xactAgeMs !== null) head.push(`xact ${duration(s.xactAgeMs)}`);
    const whoText = thisDatabase && s.database === thisDatabase ? who({ ...s, database: '' }) : who(s);
    if (s.state !== 'gone') head.push(whoText);
    if (row.repeated) {
      lines.push(`${row.prefix}${s.pid} ${style.dim('(also waits here; shown above)')}`);
      continue;
    }
    lines.push(row.prefix + head.join('  '));
    if (s.query) {
      const room = Math.max(20, width - row.continuation.length - 2);
      lines.push(`${row.continuation}  ${style.dim(trimStatement(s.query, room))}`);
    }
  }
  return lines;
}
