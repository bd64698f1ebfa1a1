// Issue 26: the default backup folder is outside the project: $XDG_DATA_HOME/citadel-migrate/backups
// (else ~/.local/share/...), created 0700 and named in the output; --backup-dir still wins.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, statSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { cli, json } from '../helpers/cli.js';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));

describe('the default backup folder', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const journalDir = tmp('cm-dd-j-');
  beforeAll(async () => {
    db = await freshDatabase('defdir');
    await query(db.url, 'CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 20)');
  });
  afterAll(() => db.drop());

  it('is $XDG_DATA_HOME/citadel-migrate/backups, 0700, named in the output, not the current folder', async () => {
    const data = tmp('cm-dd-data-');
    const project = tmp('cm-dd-project-');
    const r = await cli(['backup', '--bundled', '--database-url', db.url, '--journal-dir', journalDir], {
      env: { XDG_DATA_HOME: data },
      cwd: project,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const dir = path.join(data, 'citadel-migrate', 'backups');
    expect(r.stdout).toMatch(new RegExp(`^Backup ${dir}/${db.name}_\\d{8}_\\d{6}\\.dump$`, 'm'));
    expect(r.stdout).toContain(
      `  in the default backup folder ${dir} (0700, outside the project; --backup-dir to choose another)`,
    );
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir).filter((f) => f.endsWith('.dump'))).toHaveLength(1);
    expect(existsSync(path.join(project, 'backups'))).toBe(false);
  });

  it('without XDG_DATA_HOME: ~/.local/share/citadel-migrate/backups; --backup-dir wins over both', async () => {
    const home = tmp('cm-dd-home-');
    const r = await cli(['backup', '--bundled', '--json', '--database-url', db.url, '--journal-dir', journalDir], {
      env: { XDG_DATA_HOME: undefined, HOME: home },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(path.dirname(json(r).path)).toBe(path.join(home, '.local', 'share', 'citadel-migrate', 'backups'));
    const chosen = tmp('cm-dd-chosen-');
    const c = await cli(
      ['backup', '--bundled', '--database-url', db.url, '--journal-dir', journalDir, '--backup-dir', chosen],
      { env: { HOME: home } },
    );
    expect(c.exitCode, c.stderr).toBe(0);
    expect(c.stdout).toMatch(new RegExp(`^Backup ${chosen}/`, 'm'));
    expect(c.stdout).not.toContain('default backup folder');
  });
});
