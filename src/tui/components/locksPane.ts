import type { LockRow, LocksState } from '../state.js';
import { frame, seg, spread, windowOf, type Line } from '../lines.js';
import { SYMBOL } from '../theme.js';
import { duration, oneLine } from '../format.js';

/** "idle in transaction" is the classic blocker: it stands out in words and a warning sign. */
const idleInTxn = (r: LockRow) => r.state.startsWith('idle in transaction');

/** A session that holds a lock the next (or running) migration needs: nothing waits yet, but the run would. */
function riskLine(r: LockRow, selected: boolean, roomy: boolean): Line {
  const idle = idleInTxn(r);
  const state = idle ? 'idle in txn' : r.state;
  return [
    seg(selected ? '›' : ' ', { bold: true }),
    seg(String(r.pid), { bold: true, inverse: selected }),
    seg(` ${SYMBOL.warn} `, { color: 'red', bold: true }),
    seg(`${state} ${duration(r.xactAgeMs)}`, { color: idle ? 'red' : 'yellow', bold: idle }),
    seg(` holds ${r.holds ?? r.relation ?? ''}`),
    seg(r.application ? ` app=${r.application}` : '', { dim: true }),
    seg(roomy ? ` ${oneLine(r.query)}` : ''),
  ];
}

function lockLine(r: LockRow, selected: boolean, w: number, roomy: boolean): Line {
  if (r.kind === 'risk') return riskLine(r, selected, roomy);
  const indent = r.depth > 0 ? ' '.repeat((r.depth - 1) * 2) + '└ ' : '';
  const pid = seg(String(r.pid), { bold: true, inverse: selected });
  const app = r.application ? ` app=${r.application}` : '';
  if (r.depth > 0 || r.waitingMs !== undefined) {
    // A waiter: what it wants to do and how long it has waited.
    const right = r.waitingMs !== undefined ? [seg(`waits ${duration(r.waitingMs)}`, { color: 'yellow' })] : [];
    const what = `${r.relation ? r.relation + ' ' : ''}${r.mode ? r.mode.replace(/Lock$/, '') + ' ' : ''}${roomy ? oneLine(r.query) : ''}`;
    return spread(
      [
        seg(selected ? '›' : ' ', { bold: true }),
        seg(indent),
        pid,
        seg(' '),
        seg(what || oneLine(r.query)),
        seg(roomy ? app : '', { dim: true }),
      ],
      right,
      w,
    );
  }
  // A root blocker: its state, how old its transaction is, who it is.
  const idle = idleInTxn(r);
  const state = idle ? `${SYMBOL.warn} idle in txn` : r.state;
  const age = r.xactAgeMs !== undefined ? ` ${duration(r.xactAgeMs)}` : '';
  return [
    seg(selected ? '›' : ' ', { bold: true }),
    pid,
    seg(' '),
    seg(state + age, { color: idle ? 'red' : undefined, bold: idle }),
    seg(app, { dim: !idle }),
    seg(roomy ? ` ${oneLine(r.query)}` : ''),
  ];
}

export function locksPane(
  s: LocksState,
  selected: number,
  w: number,
  h: number,
  focused: boolean,
  roomy = false,
): Line[] {
  const rows = Math.max(0, h - 2);
  const inner = Math.max(0, w - 2);
  let body: Line[];
  if (!s.available) body = [[seg(' '), seg(s.note ?? 'not available yet', { dim: true })]];
  else if (s.rows.length === 0)
    body = [
      [
        seg(' '),
        seg(SYMBOL.pass, { color: 'green' }),
        seg(' no session waits for a lock'),
        ...(s.note ? [seg(` (${s.note})`, { dim: true })] : []),
      ],
    ];
  else {
    const win = windowOf(s.rows, selected, rows);
    body = win.rows.map((r, i) => lockLine(r, focused && win.start + i === selected, inner, roomy));
  }
  const waiting = s.rows.filter((r) => r.depth > 0).length;
  const risks = s.rows.filter((r) => r.kind === 'risk');
  const title = [waiting ? `${waiting} waiting` : '', risks.length ? `${risks.length} could block` : '']
    .filter(Boolean)
    .join(', ');
  return frame(title ? `Locks: ${title}` : 'Locks', body, w, h, focused);
}
