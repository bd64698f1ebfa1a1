// Pane sizes from the terminal size. Ink redraws the whole screen (and flickers) when its output is
// as tall as the terminal, so the frame is rows - 1 lines: header, panes, message, footer.

export interface Size {
  columns: number;
  rows: number;
}

export interface Layout {
  /** Lines the whole frame takes (rows - 1). */
  height: number;
  width: number;
  /** Lines of the pane area (between header and message line). */
  body: number;
  left: number;
  right: number;
  checklist: number;
  migrations: number;
  locks: number;
  gauges: number;
  /** Extra detail lines under the migration rows (running statement, failure hint). */
  migrationExtra: number;
  /** Wide enough to show evidence, statement text and queries inline. */
  roomy: boolean;
  tooSmall: boolean;
}

export const MIN_SIZE: Size = { columns: 80, rows: 24 };

/** The most items one checklist group has (a short Checklist pane shows one group at a time). */
export function largestGroup(items: { group?: string }[]): number {
  const n = new Map<string, number>();
  for (const i of items) if (i.group !== undefined) n.set(i.group, (n.get(i.group) ?? 0) + 1);
  return Math.max(0, ...n.values());
}

export function layout(
  size: Size,
  counts: { migrations: number; gauges?: number; replication?: number; checklist?: { group?: string }[] },
): Layout {
  const width = Math.max(20, size.columns);
  const height = Math.max(4, size.rows - 1);
  const body = Math.max(0, height - 3);
  const left = Math.floor(width / 2);
  const right = width - left;
  const tooSmall = size.columns < MIN_SIZE.columns || size.rows < MIN_SIZE.rows;

  // The checklist keeps room for its largest group (it shows one group at a time when short), and
  // shows every item when that leaves the migrations half the height; the migrations get every row
  // they need plus room for what the running or failed one has to say; the checklist takes the rest.
  const items = counts.checklist ?? [];
  const checklistAll = items.length + 2;
  // A long group (the post-migration tasks) must not squeeze the migrations: it scrolls instead.
  const checklistMin = Math.min(checklistAll, Math.max(4, Math.min(largestGroup(items) + 2, Math.floor(body / 2))));
  const checklistWant = body - checklistAll >= body / 2 ? checklistAll : checklistMin;
  const migrationExtra = body >= 30 ? 3 : body >= 24 ? 2 : 1;
  const wantMigrations = Math.max(1, counts.migrations) + 2 + migrationExtra;
  const migrations = Math.max(3, Math.min(wantMigrations, body - Math.max(4, checklistWant)));
  const checklist = body - migrations;

  // Disk / size: the three gauges (more on a tall screen), locks get the rest.
  // Replication's lines (WAL, standbys, slots: at most 3) come on top, taken from the locks.
  const gaugeLines = (counts.gauges ?? (body >= 30 ? 8 : body >= 24 ? 5 : 3)) + Math.min(3, counts.replication ?? 0);
  const gauges = Math.max(3, Math.min(gaugeLines + 2, body - 4));
  const locks = body - gauges;

  return {
    height,
    width,
    body,
    left,
    right,
    checklist,
    migrations,
    locks,
    gauges,
    migrationExtra: Math.max(0, Math.min(migrationExtra, migrations - 2 - counts.migrations)),
    roomy: width >= 120,
    tooSmall,
  };
}
