// Pieces of SQL for the safe forms. Identifiers come from the parse tree (already folded to lower
// case where unquoted), so quoting them always names the same object the file names.
import type { LockMode } from '../locks.js';

export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export const qualified = (rv: { schemaname?: string; relname?: string }): string =>
  rv.schemaname ? `${ident(rv.schemaname)}.${ident(rv.relname ?? '')}` : ident(rv.relname ?? '');

/** A byte range of a statement's text (the parser's locations are byte offsets). */
export function bytesBetween(sql: string, from: number, to?: number): string {
  return Buffer.from(sql, 'utf8')
    .subarray(from, to ?? undefined)
    .toString('utf8')
    .trim();
}

/** What the application cannot do while a lock is held (`long`: for the whole step, not an instant). */
export function holdsFor(lock: LockMode | null, long: boolean): string {
  const span = long ? 'for the whole step' : 'for an instant (the wait for the lock is bounded)';
  switch (lock) {
    case null:
    case 'ACCESS SHARE':
    case 'ROW SHARE':
    case 'SHARE UPDATE EXCLUSIVE':
      return 'nothing (reads and writes go on)';
    case 'ROW EXCLUSIVE':
      return long ? 'the rows it changes, for the whole step' : 'the rows of one batch, for one short transaction';
    case 'SHARE':
    case 'SHARE ROW EXCLUSIVE':
    case 'EXCLUSIVE':
      return `writes, ${span}`;
    case 'ACCESS EXCLUSIVE':
      return `reads and writes, ${span}`;
  }
}
