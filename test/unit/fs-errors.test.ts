import { describe, it, expect } from 'vitest';
import { rmdirSync } from 'node:fs';
import { describeFailure } from '../../src/errors.js';

describe('file-system errors are not SQLSTATEs', () => {
  const real = (() => {
    try {
      rmdirSync('/'); // EBUSY (or EPERM / EACCES): five capital letters, like a SQLSTATE
    } catch (err) {
      return err;
    }
    throw new Error('removing / succeeded');
  })();

  it.each([
    ['a real one from the file system', real],
    [
      'EROFS as the journal gets it',
      Object.assign(new Error("EROFS: read-only file system, open '/j/x.jsonl'"), {
        code: 'EROFS',
        errno: -30,
        syscall: 'open',
        path: '/j/x.jsonl',
      }),
    ],
    [
      'ENOSPC',
      Object.assign(new Error('ENOSPC: no space left on device, write'), {
        code: 'ENOSPC',
        errno: -28,
        syscall: 'write',
      }),
    ],
    ['EPERM without syscall', Object.assign(new Error('EPERM: operation not permitted'), { code: 'EPERM' })],
  ])('%s', (_what, err) => {
    const d = describeFailure(err);
    expect(d.message).not.toMatch(/SQLSTATE|database refused/);
    expect(d.message).toMatch(/file|disk|permission/i);
  });

  it('a server error keeps its SQLSTATE', () => {
    expect(describeFailure(Object.assign(new Error('relation "x" does not exist'), { code: '42P01' })).message).toMatch(
      /SQLSTATE 42P01/,
    );
  });
});
