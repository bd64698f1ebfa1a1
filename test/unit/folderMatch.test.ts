import { describe, it, expect } from 'vitest';
import { folderMismatch } from '../../src/runbook/folderMatch.js';
import type { HistoryRow } from '../../src/runbook/history.js';
import type { MigrationsFolder } from '../../src/runbook/folder.js';

const folder = (...names: string[]): MigrationsFolder => ({
  dir: '/srv/app/prisma/migrations',
  migrations: names.map((name) => ({ name }) as MigrationsFolder['migrations'][number]),
});
const applied = (...names: string[]): HistoryRow[] =>
  names.map((migration_name, i) => ({
    id: String(i),
    checksum: 'x',
    finished_at: new Date(),
    migration_name,
    logs: null,
    rolled_back_at: null,
    started_at: new Date(),
    applied_steps_count: 1,
  }));

describe('the wrong folder', () => {
  it('a fresh database, or a folder that carries the history on, is fine', () => {
    expect(folderMismatch(folder('1_a', '2_b'), [])).toBeUndefined();
    expect(folderMismatch(folder('1_a', '2_b', '3_c'), applied('1_a', '2_b'))).toBeUndefined();
    // a few old migrations squashed away locally: still this project's folder
    expect(folderMismatch(folder('3_c', '4_d', '5_e'), applied('1_a', '3_c', '4_d'))).toBeUndefined();
  });

  it('refuses a folder with none of the applied migrations, naming the folder, the counts and the override', () => {
    const m = folderMismatch(
      folder('20251117_demo', '20251118_demo2'),
      applied('2024_01_init', '2024_02_users', '2024_03_orders'),
      '/srv/app',
    )!;
    expect(m).toMatchObject({ applied: 3, missingLocally: 3, inFolder: 2, newestApplied: '2024_03_orders' });
    expect(m.message).toBe(
      "This is not the database's migrations folder: none of the database's 3 applied migrations (newest 2024_03_orders) is among the 2 in prisma/migrations; run in the project's folder or pass --schema/--migrations for the right one, or pass --allow-foreign-history if you mean to apply this folder anyway.",
    );
  });

  it('refuses a folder that would apply older migrations while most of the history is missing locally', () => {
    const m = folderMismatch(folder('1_a', '2_old_demo', '9_z'), applied('1_a', '5_x', '6_y', '7_w'))!;
    expect(m).toMatchObject({ applied: 4, missingLocally: 3, olderPending: 1, newestApplied: '7_w' });
    expect(m.message).toMatch(
      /3 of the database's 4 applied migrations \(newest 7_w\) are missing from .*, whose 3 migrations include 1 older one the database never had/,
    );
    // the same folder without the older stranger is only behind, not foreign
    expect(folderMismatch(folder('1_a', '9_z'), applied('1_a', '5_x', '6_y', '7_w'))).toBeUndefined();
  });
});
