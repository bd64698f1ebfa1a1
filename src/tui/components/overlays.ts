// Full-width views that take the pane area: help, details, and confirmation dialogs.
import { keyLine } from '../keys.js';
import { frame, seg, windowOf, type Line } from '../lines.js';
import { dialogPrompt, type DialogState } from '../dialog.js';
import type { Details } from '../model.js';
import { wrapIndented, wrapText } from '../format.js';

/** The details lines wrapped to the view's width (long messages, SQL and queries are never cut). */
export function wrappedDetails(lines: string[], w: number, hang = 0): string[] {
  const inner = Math.max(10, w - 3);
  return lines.flatMap((l) => {
    const marked = l.startsWith('▶');
    const line = marked ? l : ` ${l}`;
    const keyed = /^( {2}|! )$/.test(line.slice(hang - 1, hang + 1)); // a key's line: its text starts at hang + 1
    if (!hang || !keyed || line.length <= inner || hang + 1 >= inner - 8) return wrapIndented(line, inner);
    // the continuation of a key's help goes under its text, so it never reads as the next key's line
    const [first = '', ...rest] = wrapIndented(' '.repeat(hang + 1) + line.slice(hang + 1), inner);
    return [line.slice(0, hang + 1) + first.slice(hang + 1), ...rest];
  });
}

/** The details view (and help, which is generated from the key table into details lines). */
export function detailsView(d: Details, scroll: number, w: number, h: number): Line[] {
  const rows = Math.max(0, h - 2);
  const lines = wrappedDetails(d.lines, w, d.hang);
  const start = Math.max(0, Math.min(scroll, Math.max(0, lines.length - rows + 1)));
  const body: Line[] = lines
    .slice(start, start + rows - 1)
    .map((l) => [
      seg(l, { bold: l.startsWith('▶') || l.startsWith(' ──'), color: l.startsWith('▶') ? 'cyan' : undefined }),
    ]);
  while (body.length < rows - 1) body.push([]);
  const keys = keyLine('details', ['up', 'down', 'page-down', 'close']);
  body.push([
    seg(
      ` ${keys}   ${lines.length ? `${start + 1}-${Math.min(lines.length, start + rows - 1)} of ${lines.length}` : ''}`,
      { dim: true },
    ),
  ]);
  return frame(d.title, body, w, h, true);
}

export function dialogView(d: DialogState, w: number, h: number): Line[] {
  const c = d.spec.confirm;
  const body: Line[] = [[]];
  for (const l of d.spec.lines) {
    // Indented list items keep their indent on the following lines.
    const indent = /^\s*/.exec(l)![0].length;
    wrapText(l, Math.max(10, w - 6 - indent)).forEach((part) =>
      body.push([seg('  ' + ' '.repeat(indent)), seg(part, { bold: part.startsWith('!') })]),
    );
  }
  body.push([]);
  if (c.kind === 'button') {
    const cancel = d.focus === 'cancel';
    body.push([
      seg('  '),
      seg(`${cancel ? '▶' : ' '}[ Cancel ]`, { inverse: cancel, bold: cancel }),
      seg('   '),
      seg(`${!cancel ? '▶' : ' '}[ ${c.verb} ]`, { inverse: !cancel, bold: !cancel, color: 'red' }),
    ]);
  } else if (c.kind === 'type' || c.kind === 'reason') {
    body.push([seg(c.kind === 'type' ? `  database name: ` : '  reason: '), seg(d.text + '█', { bold: true })]);
  }
  body.push([]);
  body.push([seg(`  ${dialogPrompt(d)}`, { dim: true })]);
  const rows = Math.max(0, h - 2);
  // Keep the buttons and prompt visible on a short screen: the explanation scrolls (↑/↓, PgUp/PgDn).
  if (body.length <= rows) return frame(d.spec.title, body, w, h, true);
  const tailN = c.kind === 'y' ? 2 : 4;
  const tail = body.slice(body.length - tailN);
  const text = body.slice(0, body.length - tailN);
  const room = Math.max(1, rows - tail.length - 1);
  const start = Math.min(d.scroll, Math.max(0, text.length - room));
  const more = `  ${start > 0 ? '↑ ' : ''}${start + room < text.length ? '↓ ' : ''}${keyLine('dialog', ['dialog-scroll-down'])}: lines ${start + 1}-${Math.min(text.length, start + room)} of ${text.length}`;
  const shown = [...text.slice(start, start + room), [seg(more, { dim: true })], ...tail];
  return frame(d.spec.title, shown, w, h, true);
}

export { windowOf };
