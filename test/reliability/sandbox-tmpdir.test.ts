// Run as root, the embedded PostgreSQL runs as the postgres user. A private temporary folder (TMPDIR
// at 0700, as some bastion hosts give each login) keeps that user out, and initdb failed with only
// "Permission denied" on its password file: the sandbox (the demo's, a rehearsal's) now says which
// folder and what to do, before it makes anything.
import { describe, it, expect, afterAll } from 'vitest';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox } from '../../src/sandbox/embedded.js';
import { lacks } from '../helpers/tools.js';

const notRoot = lacks(
  'root',
  process.getuid?.() === 0 ? undefined : 'the tests do not run as root',
  'run them as root (sudo -E npm test), as CI does',
);
const closed = mkdtempSync(path.join(os.tmpdir(), 'cm-private-tmp-'));
afterAll(() => rmSync(closed, { recursive: true, force: true }));

describe.skipIf(notRoot)('the embedded PostgreSQL with a private TMPDIR, as root', () => {
  it('refuses in one sentence that names the folder and says what to do, and leaves nothing in it', async () => {
    chmodSync(closed, 0o700);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = closed;
    try {
      const err = await startSandbox().then(
        (s) => s.stop().then(() => new Error('the sandbox started')),
        (e: Error) => e,
      );
      expect(err.message).toBe(
        `The embedded PostgreSQL runs as the postgres user, who cannot enter ${closed} on the way to the temporary folder ${closed} (TMPDIR): set TMPDIR to a folder every user can enter, such as /tmp.`,
      );
      expect(readdirSync(closed)).toEqual([]);
      // once the postgres user can enter it, the same folder serves
      chmodSync(closed, 0o755);
      const s = await startSandbox();
      expect(s.dataDir.startsWith(`${closed}/`)).toBe(true);
      await s.stop();
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  }, 120_000);
});
