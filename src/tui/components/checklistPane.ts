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

const done = (items: ChecklistItemView[]) =>
  items.filter((i) => i.status === 'pass' || i.status === 'confirmed').length;

export function checklistTitle(s: ChecklistState, group?: { name: string; items: ChecklistItemView[] }): string {
  if (!s.available) return 'Checklist';
  const all = `Checklist ${done(s.items)}/${s.items.length}`;
  return group ? `${all} · ${group.name} ${done(group.items)}/${group.items.length}` : all;
}

function itemLine(item: ChecklistItemView, selected: boolean, roomy: boolean): Line {
  const st = CHECK_SYMBOL[item.status];
  const text =
    roomy && item.evidence
      ? `${item.title}: ${oneLine(item.evidence)}`
      : item.status === 'pass' && item.evidence
        ? oneLine(item.evidence)
        : item.title;
  return [
    seg(selected ? '›' : ' ', { bold: true }),
    seg(st.sym, { color: st.color, bold: item.status === 'fail' }),
    seg(' '),
    seg(text, { inverse: selected }),
    // The item is done by a runbook action: `a` runs it.
    ...(item.action ? [seg(` [${item.action}]`, { dim: true })] : []),
  ];
}

export function checklistPane(
  s: ChecklistState,
  selected: number,
  w: number,
  h: number,
  focused: boolean,
  roomy = false,
): Line[] {
  const rows = Math.max(0, h - 2);
  let body: Line[];
  if (!s.available) body = [[seg(' '), seg(s.note ?? 'not available yet', { dim: true })]];
  else if (s.items.length === 0) body = [[seg(' '), seg(s.note ?? 'checking…', { dim: true })]];
  else if (s.items.length <= rows) body = s.items.map((item, i) => itemLine(item, focused && i === selected, roomy));
  else {
    // Too short for every item: the selected item's group whole, with the groups before it and then
    // after it that fit whole too (so the view stays put while ↑/↓ cross into a group already shown).
    const groups = groupsOf(s.items);
    const at = groups.findIndex((g) => g.members.some((m) => m.i === selected));
    const cost = (a: number, b: number) =>
      groups.slice(a, b + 1).reduce((n, g, k) => n + g.members.length + (k ? 1 : 0), 0);
    if (at >= 0 && groups[at]!.name !== undefined && cost(at, at) <= rows) {
      let [a, b] = [at, at];
      while (a > 0 && groups[a - 1]!.name !== undefined && cost(a - 1, b) <= rows) a--;
      while (b < groups.length - 1 && groups[b + 1]!.name !== undefined && cost(a, b + 1) <= rows) b++;
      body = groups
        .slice(a, b + 1)
        .flatMap((g, k) => [
          ...(k
            ? [[seg(' '), seg(`${g.name} ${done(g.members.map((m) => m.item))}/${g.members.length}`, { dim: true })]]
            : []),
          ...g.members.map(({ item, i }) => itemLine(item, focused && i === selected, roomy)),
        ]);
      return frame(
        checklistTitle(s, { name: groups[a]!.name!, items: groups[a]!.members.map((m) => m.item) }),
        body,
        w,
        h,
        focused,
      );
    }
    const win = windowOf(s.items, selected, rows);
    body = win.rows.map((item, i) => itemLine(item, focused && win.start + i === selected, roomy));
  }
  return frame(checklistTitle(s), body, w, h, focused);
}

/** Runs of consecutive items of one group, in the runbook's order. */
function groupsOf(
  items: ChecklistItemView[],
): { name: string | undefined; members: { item: ChecklistItemView; i: number }[] }[] {
  const out: { name: string | undefined; members: { item: ChecklistItemView; i: number }[] }[] = [];
  items.forEach((item, i) => {
    const last = out[out.length - 1];
    if (last && last.name === item.group) last.members.push({ item, i });
    else out.push({ name: item.group, members: [{ item, i }] });
  });
  return out;
}
