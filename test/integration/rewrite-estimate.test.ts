import { describe, it, expect, afterAll } from 'vitest';
import { freshDatabase, query } from '../helpers/db.js';
import { cli, json } from '../helpers/cli.js';
import { makeMigrations } from '../helpers/folders.js';
import { FOUR, USERS_AND_POSTS } from '../helpers/rewrite.js';

// plan --rewrite: each step's estimated duration on this target, and where it comes from: the table's
// rows at the rate this server reads it, or what rehearse --rewrite --with-data measured for the step.

const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const d of drops) await d();
});

/** The estimate line under step N of the plan's text. */
function estimateOf(text: string, step: number): string {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.trimStart().startsWith(`${step}. `));
  expect(at, `no step ${step} in\n${text}`).toBeGreaterThanOrEqual(0);
  return lines[at + 2]!.trim();
}

describe('plan --rewrite estimates', () => {
  it("from the table's size and a rate measured here, then from the rehearsal's measure once there is one; each says which", async () => {
    const db = await freshDatabase('rwest');
    drops.push(db.drop);
    await query(db.url, USERS_AND_POSTS);
    const dir = makeMigrations({ '20250101000000_four': FOUR });
    const args = ['plan', '--rewrite', '--database-url', db.url, '--migrations', dir];

    const first = await cli(args);
    expect(first.exitCode, first.stderr).toBe(0);
    // a step that reads no rows, a scan (the check's validation), an index build
    expect(estimateOf(first.stdout, 1)).toBe('est. instant (reads no rows; a lock wait aside)');
    expect(estimateOf(first.stdout, 2)).toMatch(/^est\. \d+ ms \(3,000 rows at [\d,]+ rows\/s read here\)$/);
    expect(estimateOf(first.stdout, 5)).toMatch(/^est\. \d+ ms \(3,000 rows at [\d,]+ rows\/s read here\)$/);
    const doc = json(await cli([...args, '--json']));
    const steps = doc.migrations[0].statements.flatMap((s: any) => s.steps);
    expect(steps).toHaveLength(8);
    expect(steps[0].estimate).toEqual({ ms: 0, source: 'no-scan' });
    expect(steps[1].estimate).toMatchObject({ source: 'size-rate', rows: 3000 });
    expect(steps[1].estimate.rowsPerSecond).toBeGreaterThan(0);
    // an index reads the rows more than once: never estimated below the plain scan of the same table
    expect(steps[4].estimate.ms).toBeGreaterThanOrEqual(steps[1].estimate.ms);

    const rehearsal = await cli([
      'rehearse',
      '--rewrite',
      '--with-data',
      '--database-url',
      db.url,
      '--migrations',
      dir,
    ]);
    expect(rehearsal.exitCode, rehearsal.stderr).toBe(0);
    const second = await cli(args);
    for (const n of [1, 2, 5, 8])
      expect(estimateOf(second.stdout, n)).toMatch(/^est\. \d+ ms \(measured by rehearse --rewrite --with-data\)$/);
    const again = json(await cli([...args, '--json']));
    const measured = again.migrations[0].statements.flatMap((s: any) => s.steps.map((st: any) => st.estimate));
    expect(measured.map((e: any) => e.source)).toEqual(Array(8).fill('rehearsal'));
  });
});
