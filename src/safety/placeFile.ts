// A downloaded dump gets a name of its own in the backup folder without replacing anything there:
// the file already under that name may be the verified backup the journal recorded, and a record
// (.json) replaced beside it would describe another dump.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { sha256File, sidecarPath } from './backupFiles.js';

const exists = (p: string) =>
  fs.lstat(p).then(
    () => true,
    () => false,
  );

/** NAME, or NAME.from-s3[-N].dump when NAME is another file; the same bytes under NAME are reused. */
export async function placeWithoutReplacing(
  staged: string,
  dir: string,
  name: string,
  sha256: string,
): Promise<string> {
  const stem = name.replace(/\.dump$/, '');
  for (let n = 1; n < 100; n++) {
    const candidate = path.join(dir, n === 1 ? name : `${stem}.from-s3${n === 2 ? '' : `-${n - 1}`}.dump`);
    if (await exists(candidate)) {
      if ((await sha256File(candidate).catch(() => '')) !== sha256) continue;
      // The same bytes are already here: keep that file and its record.
      await fs.rm(staged, { force: true });
      await fs.rm(sidecarPath(staged), { force: true });
      return candidate;
    }
    if (await exists(sidecarPath(candidate))) continue;
    // link, not rename: it fails on a name someone took meanwhile instead of replacing it.
    try {
      await fs.link(staged, candidate);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    await fs.rm(staged, { force: true });
    await fs.link(sidecarPath(staged), sidecarPath(candidate)).catch(() => undefined);
    await fs.rm(sidecarPath(staged), { force: true });
    return candidate;
  }
  throw new Error(`no free name for ${name} in ${dir}`);
}
