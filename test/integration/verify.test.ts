import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query, client } from '../helpers/db.js';
import { cli, json } from '../helpers/cli.js';
import { copyBundled, makeMigrations } from '../helpers/folders.js';
import { readMigrationsFolder } from '../../src/runbook/folder.js';
import { ensureHistoryTable, insertStarted, markFinished } from '../../src/runbook/history.js';

const FIRST = '20251117022438_add_password_reset_table';
const ORG = 'organization_module';

/** Applies migrations as Prisma would (script, then a finished history row), without the engine. */
async function apply(url: string, dir: string, names: string[]) {
  const folder = await readMigrationsFolder(dir);
  const c = await client(url);
  try {
    await ensureHistoryTable(c);
    for (const name of names) {
      const m = folder.migrations.find((x) => x.name === name)!;
      await c.query(m.sql);
      await markFinished(c, await insertStarted(c, name, m.checksum));
    }
  } finally {
    await c.end();
  }
}

describe('verify: expected changes item by item, integrity checks, post-migration setup', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const migrations = copyBundled();
  const journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-journal-'));
  const run = (args: string[]) =>
    cli(['verify', ...args, '--migrations', migrations, '--journal-dir', journalDir], {
      env: { DATABASE_URL: db.url },
    });

  beforeAll(async () => {
    db = await freshDatabase('verify');
    await apply(db.url, migrations, [FIRST, ORG]);
  });
  afterAll(() => db.drop());

  it('checks each applied migration of the runbook: every expected item present, integrity as one step', async () => {
    const r = await run(['--json']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const out = json(r);
    expect(out.migrations.map((m: { name: string }) => m.name)).toEqual([FIRST, ORG]);
    const first = out.migrations[0];
    expect(first.ok).toBe(true);
    expect(first.items.filter((i: { kind: string }) => i.kind === 'table')).toHaveLength(9);
    expect(first.items.find((i: { name: string }) => i.name === 'UserRole')).toMatchObject({
      kind: 'enum',
      status: 'pass',
    });
    expect(out.integrity.history).toMatchObject({ finished: 2, failed: [] });
    expect(out.integrity.tableCounts).toEqual([{ schema: 'public', tables: 22, foreign_keys: expect.any(Number) }]);
    expect(out.integrity.unvalidatedForeignKeys).toEqual([]);
  });

  it('exits 1 naming what is missing: a dropped index, a dropped column, an unvalidated foreign key', async () => {
    const d = await freshDatabase('verify_bad');
    try {
      await apply(d.url, migrations, [FIRST]);
      await query(d.url, `DROP INDEX "products_slug_key"; ALTER TABLE password_resets DROP COLUMN "userId" CASCADE`);
      await query(
        d.url,
        `ALTER TABLE orders ADD CONSTRAINT orders_extra_fk FOREIGN KEY ("userId") REFERENCES users(id) NOT VALID`,
      );
      const r = await cli(['verify', FIRST, '--migrations', migrations, '--journal-dir', journalDir], {
        env: { DATABASE_URL: d.url },
      });
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toMatch(/✗ products_slug_key: missing/);
      expect(r.stdout).toMatch(/✗ password_resets_userId_idx: missing/);
      expect(r.stdout).toMatch(/✓ tables 9\/9/);
      expect(r.stdout).toMatch(/✗ Integrity checks: .*\n.*foreign key\(s\) not validated: orders\.orders_extra_fk/);
    } finally {
      await d.drop();
    }
  });

  it('--setup runs the default roles and permissions; running it twice adds nothing', async () => {
    const count = async () =>
      (
        await query<{ roles: number; perms: number }>(
          db.url,
          `SELECT (SELECT count(*)::int FROM organization_roles) AS roles, (SELECT count(*)::int FROM permissions) AS perms`,
        )
      )[0];
    expect(await count()).toEqual({ roles: 0, perms: 0 });
    const once = await run([ORG, '--setup', '--json']);
    expect(once.exitCode, once.stderr).toBe(0);
    expect(json(once).setup.map((s: { id: string; rows: number }) => [s.id, s.rows])).toEqual([
      ['default-organization-roles', 3],
      ['default-permissions', 5],
    ]);
    expect(await count()).toEqual({ roles: 3, perms: 5 });
    const twice = await run([ORG, '--setup', '--analyze']);
    expect(twice.exitCode).toBe(0);
    expect(twice.stdout).toMatch(/setup organization_module default-organization-roles .*: 0 row\(s\) added/);
    expect(twice.stdout).toMatch(/ANALYZE done/);
    expect(await count()).toEqual({ roles: 3, perms: 5 });
  });

  it('without a manifest: integrity checks only, and says so', async () => {
    const dir = makeMigrations({ '1_a': 'SELECT 1;' });
    const r = await cli(['verify', '--migrations', dir, '--journal-dir', journalDir], {
      env: { DATABASE_URL: db.url },
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Integrity checks/);
    expect(r.stdout).toMatch(/no runbook manifest/);
  });
});
