import type { GaugesState } from '../state.js';
import { frame, seg, type Line } from '../lines.js';
import { bar, bytes } from '../format.js';
import { SYMBOL } from '../theme.js';
import { formatBytes } from '../../format.js';
import type { ReplicationHealth } from '../../operations/types.js';

/** Lines the replication part takes: WAL, one per standby, one per slot (the layout adds up to 3). */
export function replicationLineCount(s: GaugesState): number {
  const r = s.replication;
  return r ? 1 + r.standbys.length + r.slots.length : 0;
}

const lagSeconds = (s: number | null) => (s === null ? '?' : s < 10 ? `${s.toFixed(1)}s` : `${Math.round(s)}s`);

/** WAL rate and archive backlog, then each standby's replay lag and each slot (an inactive one over max_wal_size warns). */
function replicationLines(r: ReplicationHealth): Line[] {
  const out: Line[] = [];
  const rate = r.wal.bytesPerSecond === null ? '?' : `${formatBytes(r.wal.bytesPerSecond)}/s`;
  const backlog = r.wal.archiveBacklogSegments;
  out.push([
    seg(' WAL '),
    seg(rate, { bold: true }),
    seg(backlog === null ? '' : `  archive ${backlog} behind`, { color: backlog ? 'yellow' : undefined }),
  ]);
  for (const s of r.standbys) {
    const caughtUp = s.replayLagBytes === 0;
    out.push([
      seg(` ${s.name} `),
      seg(caughtUp ? 'caught up' : `${lagSeconds(s.replayLagSeconds)} / ${formatBytes(s.replayLagBytes)} behind`, {
        color: caughtUp ? 'green' : 'yellow',
        bold: !caughtUp,
      }),
      seg(s.state === 'streaming' ? '' : ` ${s.state}`, { dim: true }),
    ]);
  }
  for (const sl of r.slots) {
    const warn = r.warnings.some((w) => w.startsWith(`replication slot ${sl.name} `));
    out.push([
      seg(` slot ${sl.name} `),
      seg(sl.active ? 'active' : 'inactive', { dim: sl.active }),
      seg(` ${formatBytes(sl.retainedBytes)}`),
      seg(warn ? ` ${SYMBOL.warn}` : '', { color: 'red', bold: true }),
    ]);
  }
  return out;
}

export function gaugesPane(s: GaugesState, w: number, h: number, focused: boolean, minFreePercent = 20): Line[] {
  const inner = Math.max(0, w - 2);
  const body: Line[] = [];
  if (!s.available) body.push([seg(' '), seg(s.note ?? 'not available yet', { dim: true })]);
  else {
    const growth =
      s.growthBytes !== undefined && s.growthBytes !== 0
        ? ` (${s.growthBytes > 0 ? '+' : ''}${bytes(s.growthBytes)})`
        : '';
    body.push([
      seg(' db '),
      seg(s.dbBytes === undefined ? 'size ?' : bytes(s.dbBytes), { bold: true }),
      seg(growth),
      seg(s.sizeNote ? ` (${s.sizeNote})` : '', { dim: true }),
      seg(s.stale ? `  ${SYMBOL.warn} stale` : '', { color: 'yellow' }),
    ]);
    if (s.diskFreePercent === undefined || s.diskFreePercent === null) {
      body.push([seg(' disk free unknown'), seg(s.diskNote ? ` (${s.diskNote})` : '', { dim: true })]);
    } else {
      const low = s.diskFreePercent < minFreePercent;
      const cells = Math.max(4, Math.min(20, inner - 22));
      body.push([
        seg(' disk '),
        seg(bar(1 - s.diskFreePercent / 100, cells), { color: low ? 'red' : 'green' }),
        seg(` ${Math.round(s.diskFreePercent)}% free`, { bold: low }),
        seg(low ? ` ${SYMBOL.warn} <${minFreePercent}%` : '', { color: 'red', bold: true }),
      ]);
    }
    if (s.replication) body.push(...replicationLines(s.replication));
    if (s.indexBuilds.length === 0) body.push([seg(' no index build running', { dim: true })]);
    for (const b of s.indexBuilds) {
      const pct = b.percent === null ? b.phase : `${Math.round(b.percent)}%`;
      body.push([
        seg(' idx build '),
        seg(pct, { color: 'cyan', bold: true }),
        seg(` ${b.index}`),
        seg(b.percent !== null ? ` ${b.phase}` : '', { dim: true }),
      ]);
    }
    for (const c of s.connections ?? [])
      body.push([seg(` ${c.count} conn `), seg(c.application || '(no application name)', { dim: true })]);
  }
  return frame('Disk / size', body, w, h, focused);
}
