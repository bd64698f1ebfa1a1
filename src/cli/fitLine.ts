// Text for a terminal row of a given width: a line that overflows wraps, and a live line redrawn
// with \r then clears only its last row, leaving the others on screen at every redraw.

/** TEXT in at most N columns, cut after a whole word with an ellipsis (mid-word only if one word is wider). */
export function cutAtWord(text: string, n: number): string {
  if (text.length <= n) return text;
  if (n <= 1) return n === 1 ? '…' : '';
  const room = text.slice(0, n - 1);
  // Cut before the word the limit falls in (unless the text goes on with a space right there).
  const space = text[n - 1] === ' ' ? n - 1 : room.lastIndexOf(' ');
  const cut = space > 0 ? room.slice(0, space).trimEnd() : room;
  return `${cut}…`;
}

/** A migration name in N columns: its start (the timestamp) and its end kept, the middle elided. */
export function trimName(name: string, n: number): string {
  if (name.length <= n) return name;
  if (n <= 2) return name.slice(0, n);
  const head = Math.ceil((n - 1) * 0.6);
  return `${name.slice(0, head)}…${name.slice(name.length - (n - 1 - head))}`;
}

/** TEXT broken into rows of at most N columns, at spaces (a word wider than a row is cut). */
export function wrapWords(text: string, n: number): string[] {
  const rows: string[] = [];
  let row = '';
  for (const word of text.split(' ')) {
    let w = word;
    while (w.length > n) {
      if (row) rows.push(row);
      rows.push(w.slice(0, n));
      w = w.slice(n);
      row = '';
    }
    if (!row) row = w;
    else if (row.length + 1 + w.length <= n) row += ` ${w}`;
    else {
      rows.push(row);
      row = w;
    }
  }
  if (row) rows.push(row);
  return rows;
}

/**
 * The live line in fewer than COLUMNS columns (the last column would wrap on some terminals): the
 * name, the counts, the clock and the phase first; the name elided in its middle when long; the
 * SQL last, cut at a word, and left out when fewer than 10 columns remain for it.
 */
export function liveLine(name: string, stats: string, extra: string, sql: string, columns: number): string {
  const room = Math.max(20, columns - 1);
  const tail = `  ${stats}${extra ? `  ${extra}` : ''}`;
  const full = `▶ ${name}${tail}  ${sql}`;
  if (full.length <= room) return full;
  // The SQL only while the name keeps 24 columns (or all of itself) and the SQL 10.
  const withSql = room - 2 - tail.length - 12;
  if (withSql >= Math.min(name.length, 24)) {
    const head = `▶ ${trimName(name, withSql)}${tail}`;
    return `${head}  ${cutAtWord(sql, room - head.length - 2)}`;
  }
  return cutAtWord(`▶ ${trimName(name, Math.max(16, room - 2 - tail.length))}${tail}`, room);
}
