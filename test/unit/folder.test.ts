import { describe, it, expect } from 'vitest';
import { mkdirSync, symlinkSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readMigrationsFolder, findMigration } from '../../src/runbook/folder.js';
import { checksum, checksumMatches } from '../../src/runbook/checksum.js';
import { makeMigrations, BUNDLED } from '../helpers/folders.js';

describe('migrations folder', () => {
  it('reads Prisma folders in name order and ignores plain files', async () => {
    const dir = makeMigrations({ '2_b': 'SELECT 2;', '1_a': 'SELECT 1;' });
    writeFileSync(path.join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
    const f = await readMigrationsFolder(dir);
    expect(f.migrations.map((m) => m.name)).toEqual(['1_a', '2_b']);
    expect(f.migrations[0]!.checksum).toBe(checksum('SELECT 1;'));
  });

  it("reads the bundled runbook: the guide's seven migrations in the guide's order, each with a down.sql", async () => {
    const f = await readMigrationsFolder(BUNDLED);
    expect(f.migrations.map((m) => m.name)).toEqual([
      '20251117022438_add_password_reset_table',
      '20251118154530_sync_schema_phase30',
      '20251119004754_add_vendor_management_system',
      '20251202_add_owner_relation_and_role_permissions',
      'add_performance_indexes',
      'add_privacy_consent',
      'organization_module',
    ]);
    expect(f.migrations.every((m) => m.downPath)).toBe(true);
  });

  it.each([
    ['a missing folder', () => '/nonexistent/migrations', /does not exist: pass --migrations/],
    ['an empty folder', () => mkdtempSync(path.join(os.tmpdir(), 'cm-empty-')), /holds no migrations/],
    [
      'a folder without migration.sql',
      () => {
        const d = makeMigrations({ '1_a': 'SELECT 1;' });
        mkdirSync(path.join(d, '2_b'));
        return d;
      },
      /"2_b" has no migration.sql/,
    ],
    [
      'a symlink out of the folder',
      () => {
        const d = makeMigrations({ '1_a': 'SELECT 1;' });
        const outside = makeMigrations({ x: 'SELECT 1;' });
        symlinkSync(path.join(outside, 'x'), path.join(d, '2_evil'));
        return d;
      },
      /outside the migrations folder/,
    ],
    [
      'names differing only in case',
      () => makeMigrations({ '1_a': 'SELECT 1;', '1_A': 'SELECT 1;' }),
      /differ only in letter case/,
    ],
  ])('refuses %s with a clear sentence', async (_what, make, msg) => {
    await expect(readMigrationsFolder(make())).rejects.toThrow(msg);
  });

  it('names the unknown migration and suggests near ones', async () => {
    const f = await readMigrationsFolder(makeMigrations({ '1_add_users': 'SELECT 1;' }));
    expect(() => findMigration(f, 'users')).toThrow(/no migration named "users".*1_add_users/);
  });

  it('treats CRLF and LF twins as the same checksum, as Prisma does', () => {
    expect(checksumMatches('a;\r\nb;\r\n', checksum('a;\nb;\n'))).toBe(true);
    expect(checksumMatches('a;\nb;\n', checksum('a;\r\nb;\r\n'))).toBe(true);
    expect(checksumMatches('a;\nb;\n', checksum('a;\nc;\n'))).toBe(false);
  });
});
