// plan names the hazards of the pending migrations; where a lock-safe form of them exists, its last
// line says so and how to see and run it, so that the DBA who reads the warnings finds the way out.
import { describe, it, expect, afterAll } from 'vitest';
import { freshDatabase, query } from '../helpers/db.js';
import { cli } from '../helpers/cli.js';
import { makeMigrations } from '../helpers/folders.js';

const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const d of drops) await d();
});

describe('plan and the safe form', () => {
  it('points to plan --rewrite and run --rewrite when a pending migration has a safe form, and only then', async () => {
    const db = await freshDatabase('plan_safe');
    drops.push(db.drop);
    await query(db.url, `CREATE TABLE items (id serial PRIMARY KEY, sku text); INSERT INTO items (sku) VALUES ('a')`);
    const dir = makeMigrations({
      '1_new': 'CREATE TABLE notes (id int PRIMARY KEY, body text);',
      '2_index': 'CREATE INDEX "items_sku_idx" ON "items"("sku");',
    });
    const r = await cli(['plan', '--database-url', db.url, '--migrations', dir]);
    expect(r.exitCode, r.stderr).toBe(0);
    const last = r.stdout.trimEnd().split('\n').at(-1);
    expect(last).toBe(
      'Safe form: 2 steps, the application waits on nothing longer than a lock timeout (100 ms a try), for 1 migration (2_index): `citadel-migrate plan --rewrite` shows it step by step, `citadel-migrate run --rewrite` runs it.',
    );
    // up to the table that is new, nothing has a safer form: no such line
    const to = await cli(['plan', '--to', '1_new', '--database-url', db.url, '--migrations', dir]);
    expect(to.exitCode, to.stderr).toBe(0);
    expect(to.stdout).not.toContain('Safe form');
    // --json keeps its document
    const j = await cli(['plan', '--json', '--database-url', db.url, '--migrations', dir]);
    expect(j.stdout).not.toContain('Safe form');
  });
});
