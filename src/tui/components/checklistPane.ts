import type { ChecklistItemView, ChecklistState, CheckStatus } from '../state.js';
import { frame, seg, windowOf, type Line } from '../lines.js';
import { SYMBOL, type Colour } from '../theme.js';
import { oneLine } from '../format.js';

export const CHECK_SYMBOL: Record<CheckStatus, { sym: string; color?: Colour; word: string }> = {
  pass: { sym: SYMBOL.pass, color: 'green', word: 'pass' },
  warn: { sym: SYMBOL.warn, color: 'yellow', word: 'warn' },
  fail: { sym: SYMBOL.fail, color: 'red', word: 'FAIL' },
  manual: { sym: SYMBOL.manual, color: 'magenta', word: 'to confirm' },
  confirmed: { sym: SYMBOL.pass, color: 'green', word: 'confirmed' },
  running: { sym: '…', color: 'cyan', word: 'checking' },
};

const done = (items: ChecklistItemView[]) => items.filter((i) => i.status === 'pass' || i.status === 'confirmed').length;

export function checklistTitle(s: ChecklistState, group?: { name: string; items: ChecklistItemView[] }): string {
  if (!s.available) return 'Checklist';
  const all = `Checklist ${done(s.items)}/${s.items.length}`;
  return group ? `${all} · ${group.name} ${done(group.items)}/${group.items.length}` : all;
}

function itemLine(item: ChecklistItemView, selected: boolean, roomy: boolean): Line {
  const st = CHECK_SYMBOL[item.status];
  const text = roomy && item.evidence ? `${item.title}: ${oneLine(item.evidence)}` : item.status === 'pass' && item.evidence ? oneLine(item.evidence) : item.title;
  return [
    seg(selected ? '›' : ' ', { bold: true }),
    seg(st.sym, { color: st.color, bold: item.status === 'fail' }),
    seg(' '),
    seg(text, { inverse: selected }),
    // The item is done by a runbook action: `a` runs it.
    ...(item.action ? [seg(` [${item.action}]`, { dim: true })] : []),
  ];
}

export function checklistPane(s: ChecklistState, selected: number, w: number, h: number, focused: boolean, roomy = false): Line[] {
  const rows = Math.max(0, h - 2);
  let body: Line[];
  if (!s.available) body = [[seg(' '), seg(s.note ?? 'not available yet', { dim: true })]];
  else if (s.items.length === 0) body = [[seg(' '), seg(s.note ?? 'checking…', { dim: true })]];
  else if (s.items.length <= rows) body = s.items.map((item, i) => itemLine(item, focused && i === selected, roomy));
  else {
    // Too short for every item: the selected item's group, whole (↑/↓ cross into the next group).
    const name = s.items[selected]?.group;
    const members = s.items.map((item, i) => ({ item, i })).filter((x) => x.item.group === name);
    if (name !== undefined && members.length <= rows) {
      body = members.map(({ item, i }) => itemLine(item, focused && i === selected, roomy));
      return frame(checklistTitle(s, { name, items: members.map((m) => m.item) }), body, w, h, focused);
    }
    const win = windowOf(s.items, selected, rows);
    body = win.rows.map((item, i) => itemLine(item, focused && win.start + i === selected, roomy));
  }
  return frame(checklistTitle(s), body, w, h, focused);
}
