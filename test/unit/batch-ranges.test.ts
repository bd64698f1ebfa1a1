import { describe, it, expect } from 'vitest';
import { rangedSql, parseProgress, progressText } from '../../src/engine/batch.js';

describe('a batched statement restricted to a key range', () => {
  it('keeps its own condition whole, in parentheses (an OR must not swallow the range)', () => {
    expect(rangedSql('UPDATE t SET n = 1 WHERE a = 1 OR b = 2', 't.id')).toBe(
      'UPDATE t SET n = 1 WHERE (a = 1 OR b = 2) AND t.id >= $1 AND t.id < $2',
    );
  });
  it('adds a WHERE when there is none, before RETURNING', () => {
    expect(rangedSql('DELETE FROM t RETURNING id', 't.id')).toBe(
      'DELETE FROM t WHERE t.id >= $1 AND t.id < $2 RETURNING id',
    );
  });
  it('is not fooled by WHERE inside strings, comments, dollar quotes or a subquery', () => {
    const sql = "UPDATE t SET s = 'where', d = $x$ where $x$ /* where */ WHERE id IN (SELECT id FROM u WHERE ok)";
    expect(rangedSql(sql, 't.id')).toBe(
      "UPDATE t SET s = 'where', d = $x$ where $x$ /* where */ WHERE (id IN (SELECT id FROM u WHERE ok)) AND t.id >= $1 AND t.id < $2",
    );
  });
  it('reads its progress back from the first line of the logs, a failure below it', () => {
    const p = { statement: 1, doneBelow: '1501', rows: 1500 };
    expect(parseProgress(`${progressText(p)}\n\nMigration name: m1`)).toEqual(p);
    expect(parseProgress('Migration name: m1')).toBeUndefined();
  });
});
