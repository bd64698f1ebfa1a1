import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lacks } from './tools.js';

/**
 * Small real file systems for the disk-full and read-only cases: a tmpfs of `bytes` (mounting needs
 * root, which CI has). Where it cannot be mounted the caller skips, except under CI=true, where the
 * reason fails the test with the way to fix it (tools.ts): a skipped safety test must not pass for a green run.
 */
const mounted: string[] = [];

export function mountTmpfs(bytes: number, opts: { readOnly?: boolean } = {}): string | { skip: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}${opts.readOnly ? ',ro' : ''},mode=0700`, 'tmpfs', dir], {
      stdio: 'pipe',
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const why = `none can be mounted here (${String((err as { stderr?: Buffer }).stderr ?? err).trim()})`;
    lacks('a small tmpfs', why, 'run the tests as root (CI does), or in a container with CAP_SYS_ADMIN');
    return { skip: why };
  }
  mounted.push(dir);
  return dir;
}

/** Unmounts what mountTmpfs mounted (afterAll). */
export function unmountAll(): void {
  for (const m of mounted.splice(0)) {
    try {
      execFileSync('umount', [m], { stdio: 'pipe' });
      rmSync(m, { recursive: true, force: true });
    } catch {
      // left mounted: nothing else to do in a teardown
    }
  }
}
