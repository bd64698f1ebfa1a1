import { lockTree, type LockGraph, type LockSession } from './locks.js';
import { trimStatement } from './progress.js';

/** 850 ms, 12s, 4m12s, 2h05m: how DBAs read waits and transaction ages. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '?';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '?';
  const sign = n < 0 ? '-' : '';
  let v = Math.abs(n);
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${sign}${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export interface TextStyle {
  /** Marks what must stand out (idle in transaction); identity when colour is off. */
  alarm: (s: string) => string;
  dim: (s: string) => string;
}

export const PLAIN: TextStyle = { alarm: (s) => s, dim: (s) => s };
export const ANSI: TextStyle = { alarm: (s) => `\x1b[1;31m${s}\x1b[0m`, dim: (s) => `\x1b[2m${s}\x1b[0m` };

function stateText(s: LockSession, style: TextStyle): string {
  if (s.state.startsWith('idle in transaction')) return style.alarm(`! ${s.state.toUpperCase()} ${duration(s.stateAgeMs)}`);
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
export function renderLockTree(graph: LockGraph, width = 100, style: TextStyle = PLAIN, thisDatabase?: string): string[] {
  const lines: string[] = [];
  for (const row of lockTree(graph)) {
    const s = row.session;
    const head: string[] = [String(s.pid)];
    if (s.wanted) head.push(`waits ${duration(s.wanted.waitingMs)} for ${s.wanted.mode} on ${s.wanted.object}`);
    else if (s.heldModes.length) head.push(`holds ${s.heldModes.join(', ')}${s.blocksOn.length ? ` on ${s.blocksOn.join(', ')}` : ''}`);
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
