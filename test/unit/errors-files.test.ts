import { describe, it, expect } from 'vitest';
import { openSync } from 'node:fs';
import { describeFailure } from '../../src/errors.js';

/** EROFS has the shape of a SQLSTATE (five capitals): a file's error must never read as the database's. */
describe('file-system errors in words', () => {
  const errorOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return err;
    }
    throw new Error('no error');
  };

  it('a real EROFS/ENOENT from the file system is one sentence about the file, not "The database refused"', () => {
    const erofs = Object.assign(new Error("EROFS: read-only file system, open '/mnt/x.jsonl'"), {
      code: 'EROFS',
      syscall: 'open',
      path: '/mnt/x.jsonl',
      errno: -30,
    });
    expect(describeFailure(erofs)).toMatchObject({
      message: 'Cannot open /mnt/x.jsonl: the file system is read-only.',
      unexpected: false,
    });
    const missing = errorOf(() => openSync('/nonexistent-folder/x', 'r'));
    expect(describeFailure(missing).message).toBe('Cannot open /nonexistent-folder/x: no such file or folder.');
    expect(describeFailure(missing).message).not.toMatch(/SQLSTATE|database/);
  });

  it('a server error keeps its SQLSTATE', () => {
    const pgError = Object.assign(new Error('relation "x" does not exist'), { code: '42P01', severity: 'ERROR' });
    expect(describeFailure(pgError).message).toMatch(/^The database refused: .* \(SQLSTATE 42P01\)/);
  });
});
