// The console draws text lines of known width, and pane frames around them, instead of letting the
// layout engine wrap: the screen's height is then exactly what layout.ts computed.
import { Text, Box } from 'ink';
import { colour, type Colour } from './theme.js';
import { cut, fit, width } from './format.js';

export interface Seg {
  t: string;
  color?: Colour;
  bold?: boolean;
  inverse?: boolean;
  dim?: boolean;
}
export type Line = Seg[];

export const seg = (t: string, style: Omit<Seg, 't'> = {}): Seg => ({ t, ...style });
export const lineText = (l: Line): string => l.map((s) => s.t).join('');

/** Cuts a line to n columns (segments kept) and pads it to exactly n. */
export function fitLine(l: Line, n: number): Line {
  const out: Line = [];
  let used = 0;
  for (const s of l) {
    if (used >= n) break;
    const room = n - used;
    const t = width(s.t) <= room ? s.t : cut(s.t, room);
    out.push({ ...s, t });
    used += width(t);
  }
  if (used < n) out.push({ t: ' '.repeat(n - used) });
  return out;
}

/** A line with text on the left and on the right, cut in the left part first. */
export function spread(left: Line, right: Line, n: number): Line {
  const rw = width(lineText(right));
  if (rw >= n) return fitLine(right, n);
  const leftFit = fitLine(left, Math.max(0, n - rw - (rw ? 1 : 0)));
  return [...leftFit, ...(rw ? [seg(' ')] : []), ...right];
}

/**
 * A pane: title in the top border, exactly h lines of exactly w columns. The focused pane has a
 * double border and a ▶ before its title, so focus reads without colour.
 */
export function frame(title: string, body: Line[], w: number, h: number, focused: boolean): Line[] {
  if (h <= 0 || w <= 0) return [];
  const b = focused
    ? { tl: '╔', tr: '╗', bl: '╚', br: '╝', h: '═', v: '║' }
    : { tl: '┌', tr: '┐', bl: '└', br: '┘', h: '─', v: '│' };
  const inner = Math.max(0, w - 2);
  const style = { color: focused ? ('cyan' as const) : undefined, bold: focused };
  const label = cut(` ${focused ? '▶ ' : ''}${title} `, Math.max(0, inner - 1));
  const top: Line = [seg(b.tl + b.h + label + b.h.repeat(Math.max(0, inner - 1 - width(label))) + b.tr, style)];
  if (h === 1) return [top];
  const rows = Math.max(0, h - 2);
  const out: Line[] = [top];
  for (let i = 0; i < rows; i++) out.push([seg(b.v, style), ...fitLine(body[i] ?? [], inner), seg(b.v, style)]);
  out.push([seg(b.bl + b.h.repeat(inner) + b.br, style)]);
  return out;
}

/** Rows start..start+n of a list, scrolled so that the selected row stays in view. */
export function windowOf<T>(items: T[], selected: number, n: number): { start: number; rows: T[] } {
  if (n <= 0) return { start: 0, rows: [] };
  const start = Math.max(0, Math.min(selected - Math.floor(n / 2), items.length - n));
  return { start, rows: items.slice(start, start + n) };
}

// SGR codes written here, one Text per line: a frame is ~25 Ink nodes instead of ~200, which is
// most of the cost of an idle refresh.
const FG: Record<string, number> = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  white: 37,
  gray: 90,
};

export function ansi(l: Line): string {
  let out = '';
  for (const s of l) {
    const on: string[] = [];
    const off: string[] = [];
    const c = colour(s.color);
    if (c) on.push(String(FG[c])), off.push('39');
    if (s.bold) on.push('1'), off.push('22');
    if (s.dim) on.push('2'), off.push('22');
    if (s.inverse) on.push('7'), off.push('27');
    out += on.length ? `\x1b[${on.join(';')}m${s.t}\x1b[${off.join(';')}m` : s.t;
  }
  return out;
}

/** Renders lines as they are: one Text per line, never wrapped. */
export function Lines({ lines, w }: { lines: Line[]; w: number }) {
  return (
    <Box flexDirection="column" width={w} flexShrink={0}>
      {lines.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a pane's lines are redrawn whole; the row number is their identity
        <Text key={i} wrap="truncate">
          {ansi(fitLine(l, w))}
        </Text>
      ))}
    </Box>
  );
}

export { fit };
