// Header, message line and footer.
import type { ConsoleState, HeaderState, MessageLevel } from '../state.js';
import { seg, spread, type Line } from '../lines.js';
import { SYMBOL, type Colour } from '../theme.js';
import { minuteClock, trimMiddle } from '../format.js';
import { keyLine } from '../keys.js';

const BADGE: Record<HeaderState['mode'], { text: string; color?: Colour }> = {
  live: { text: ' LIVE ', color: 'red' },
  demo: { text: ' DEMO ', color: 'cyan' },
  rehearsal: { text: ' REHEARSAL ', color: 'yellow' },
  plan: { text: ' PLAN ', color: 'blue' },
};

export function headerLine(h: HeaderState, w: number, now = new Date()): Line {
  const b = BADGE[h.mode];
  // Below 100 columns the product name gives way to what matters: target, mode, user.
  const name = w >= 100 ? ' citadel-migrate  ' : ' ';
  const server = h.server ? ` (${h.server})` : ' (connecting…)';
  const right = `${minuteClock(now)}  ? help `;
  // The mode badge must never be cut off: a long target gives way in its middle instead.
  const room = w - name.length - server.length - 2 - b.text.length - `  user: ${h.user}`.length - right.length - 1;
  const left: Line = [
    seg(name, { bold: true }),
    seg(trimMiddle(h.target, Math.max(8, room))),
    seg(server, { dim: !h.server }),
    seg('  '),
    seg(b.text, { color: b.color, inverse: true, bold: true }),
    seg(`  user: ${h.user}`),
  ];
  return spread(left, [seg(right)], w);
}

const LEVEL: Record<MessageLevel, { sym: string; color?: Colour }> = {
  info: { sym: '·' },
  ok: { sym: SYMBOL.pass, color: 'green' },
  warn: { sym: SYMBOL.warn, color: 'yellow' },
  error: { sym: SYMBOL.fail, color: 'red' },
};

export function messageLine(s: ConsoleState, spinner: string): Line {
  if (s.busy) return [seg(` ${spinner} `, { color: 'cyan' }), seg(s.busy)];
  if (!s.message) return [seg('')];
  const l = LEVEL[s.message.level];
  return [
    seg(` ${l.sym} `, { color: l.color, bold: true }),
    seg(s.message.text, { color: s.message.level === 'error' ? 'red' : undefined }),
  ];
}

export function footerLine(hints: { actions: string[]; always: string[] }, w: number): Line {
  // Whole hints only (a hint cut in half reads as a different key), and help/quit always fit.
  const tail = hints.always.join('  ');
  let text = '';
  for (const h of hints.actions) {
    const next = `${text} ${h} `;
    if (next.length + tail.length + 1 > w) break;
    text = next;
  }
  return spread([seg(text, { bold: true })], [seg(tail + ' ', { dim: true })], w);
}

/** The search line that replaces the message line while / is open. */
export function searchLine(text: string, missing = false): Line {
  return [
    seg(' / ', { color: 'cyan', bold: true }),
    seg(text + '█', { bold: true }),
    seg(missing ? `  no migration name contains "${text}"` : '', { color: 'yellow' }),
    seg(`   ${keyLine('search', ['search-accept', 'search-cancel'])}`, { dim: true }),
  ];
}
