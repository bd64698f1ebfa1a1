import { describe, it, expect, afterAll } from 'vitest';
import { freshDatabase, query } from '../helpers/db.js';
import { cli, json } from '../helpers/cli.js';
import { makeMigrations } from '../helpers/folders.js';
import { FOUR, USERS_AND_POSTS } from '../helpers/rewrite.js';

// rehearse --rewrite: each pending migration as written and in its safe form, traced on a copy,
// side by side per statement (locks taken, rewrite or scan, duration); the target is only read.

const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const d of drops) await d();
});

/** The row of `label` under the statement at `line` (rows are "label  locks  rewrite/scan  duration"). */
function rowOf(text: string, line: number, label: string): string {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`  line ${line}: `));
  expect(at, `no statement at line ${line} in\n${text}`).toBeGreaterThanOrEqual(0);
  const next = lines.findIndex((l, i) => i > at && !l.startsWith('    '));
  const row = lines.slice(at + 1, next < 0 ? undefined : next).find((l) => l.trimStart().startsWith(label));
  expect(row, `no row "${label}" under line ${line} in\n${text}`).toBeTruthy();
  return row!.trim().replace(/\s{2,}/g, ' | ');
}

describe('rehearse --rewrite', () => {
  it('shows each statement as written and its safe form side by side, as traced on a copy; the target is untouched', async () => {
    const db = await freshDatabase('rehrw');
    drops.push(db.drop);
    await query(db.url, USERS_AND_POSTS);
    const dir = makeMigrations({
      '20250101000000_four': FOUR,
      '20250102000000_stamp': 'ALTER TABLE "Post" ADD COLUMN "token" UUID NOT NULL DEFAULT gen_random_uuid();\n',
    });
    const r = await cli(['rehearse', '--rewrite', '--with-data', '--database-url', db.url, '--migrations', dir]);
    expect(r.exitCode, r.stderr).toBe(0);
    const text = r.stdout;
    expect(text).toMatch(/^REHEARSAL --rewrite of .* \(schema and data, copied in .*\): the target is untouched\./);
    expect(text).toMatch(/▶ 20250101000000_four {2}applied: as written \d+ ms, safe form [\d.]+ m?s \(8 steps\)/);
    const ms = String.raw`\d+ ms`;
    // SET NOT NULL: as written it scans under ACCESS EXCLUSIVE; safe, only the validation scans, under SHARE UPDATE EXCLUSIVE
    expect(rowOf(text, 2, 'as written')).toMatch(
      new RegExp(`^as written \\| ACCESS EXCLUSIVE on User \\| scanned \\| ${ms}$`),
    );
    expect(rowOf(text, 2, 'safe 1.')).toMatch(
      /^safe 1\. add CHECK \(email IS NOT NULL\) NOT V.* \| ACCESS EXCLUSIVE on User \| no scan \| /,
    );
    expect(rowOf(text, 2, 'safe 2.')).toMatch(
      /^safe 2\. validate the check.* \| SHARE UPDATE EXCLUSIVE on User \| scanned \| /,
    );
    expect(rowOf(text, 2, 'safe 3.')).toMatch(/^safe 3\. SET NOT NULL.* \| ACCESS EXCLUSIVE on User \| no scan \| /);
    // CREATE UNIQUE INDEX: SHARE (writes stop) as written; built concurrently in the safe form
    expect(rowOf(text, 5, 'as written')).toMatch(/^as written \| SHARE on User \| scanned \| /);
    expect(rowOf(text, 5, 'safe 5.')).toMatch(
      /^safe 5\. build the index concurrently \| ~?SHARE UPDATE EXCLUSIVE on User \| scanned \| /,
    );
    // the foreign key: SHARE ROW EXCLUSIVE on both tables and a scan as written; NOT VALID, then validated
    expect(rowOf(text, 11, 'as written')).toMatch(
      /^as written \| SHARE ROW EXCLUSIVE on (User, Post|Post, User) \| scanned \| /,
    );
    expect(rowOf(text, 11, 'safe 8.')).toMatch(
      /^safe 8\. validate it.* \| SHARE UPDATE EXCLUSIVE on Post, ROW SHARE on User \| scanned \| /,
    );
    // a volatile default rewrites the table as written; the safe form fills it in batches under ROW EXCLUSIVE
    expect(rowOf(text, 1, 'as written')).toMatch(/^as written \| ACCESS EXCLUSIVE on Post \| rewrote \| /);
    expect(rowOf(text, 1, 'safe 3.')).toMatch(
      /^safe 3\. fill existing rows in batches.* \| ROW EXCLUSIVE on Post \| scanned \| /,
    );

    // --json: the same, in one document
    const j = json(await cli(['rehearse', '--rewrite', '--json', '--database-url', db.url, '--migrations', dir]));
    expect(j).toMatchObject({ mode: 'rehearsal', rewrite: true, copy: 'schema' });
    expect(j.migrations[0].statements[0]).toMatchObject({
      line: 2,
      rule: 'not-null-via-check',
      asWritten: { locks: [{ relation: 'User', mode: 'ACCESS EXCLUSIVE' }] },
    });
    expect(j.migrations[0].statements[0].safe).toHaveLength(4);

    // the target is only read
    expect(
      await query(db.url, `SELECT to_regclass('"User_email_key"') AS i, to_regclass('_prisma_migrations') AS h`),
    ).toEqual([{ i: null, h: null }]);
  });
});
