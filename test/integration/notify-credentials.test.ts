// A notification URL with credentials (user-info, a token in the query): Node's fetch refuses
// user-info in a URL, so such a channel never heard anything, and the journal kept the path and the
// token in the clear. The credentials now go in an Authorization header; the journal and the screen
// show scheme, host and a hash of the path; a channel that cannot be told is said once on the screen.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { freshDatabase } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli } from '../helpers/cli.js';
import { teamChannel } from '../helpers/teamChannel.js';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));
const withSecrets = (url: string) => {
  const u = new URL(url);
  return `${u.protocol}//hookuser:s3cr%40tpw@${u.host}${u.pathname}?token=tok123secret`;
};

let db: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  db = await freshDatabase('notifycred');
});
afterAll(async () => db?.drop());

describe('a notification URL with credentials', () => {
  it('delivers, with the user-info as a Basic Authorization header and the query kept', async () => {
    const h = await teamChannel('ok');
    try {
      const r = await cli([
        'run',
        '--yes',
        '--database-url',
        db.url,
        '--migrations',
        makeMigrations({ '001_a': 'CREATE TABLE cred_a (id int);' }),
        '--journal-dir',
        tmp('cm-ncj-'),
        '--notify',
        withSecrets(h.url),
      ]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(h.bodies.map((b) => b.event)).toEqual(['run.started', 'run.finished']);
      expect(h.requests.map((q) => q.url)).toEqual([
        '/hooks/citadel?token=tok123secret',
        '/hooks/citadel?token=tok123secret',
      ]);
      expect(h.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('hookuser:s3cr@tpw').toString('base64')}`);
      expect(r.stderr).not.toMatch(/could not be told/);
    } finally {
      await h.close();
    }
  });

  it('that cannot deliver: the screen says so once, the journal and the screen show only scheme, host and a path hash', async () => {
    const h = await teamChannel(500);
    const journalDir = tmp('cm-ncj-');
    try {
      const r = await cli([
        'run',
        '--yes',
        '--database-url',
        db.url,
        '--migrations',
        makeMigrations({ '002_b': 'CREATE TABLE cred_b (id int);' }),
        '--journal-dir',
        journalDir,
        '--notify',
        withSecrets(h.url),
        '--allow-foreign-history',
      ]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(h.hits).toBe(6); // run.started and run.finished, three attempts each
      const origin = new URL(h.url).origin;
      const hash = createHash('sha256').update('/hooks/citadel?token=tok123secret').digest('hex').slice(0, 8);
      const shown = `${origin}/… (path ${hash})`;
      const told = r.stderr.split('\n').filter((l) => /could not be told/.test(l));
      expect(told).toEqual([
        `The team's channel ${shown} could not be told of run.started (HTTP 500 Internal Server Error); nothing more will be said about it here, and the journal records every notification that was not delivered.`,
      ]);
      const journal = readFileSync(
        path.join(journalDir, readdirSync(journalDir).find((f) => f.endsWith('.jsonl'))!),
        'utf8',
      );
      const failed = journal
        .split('\n')
        .filter((l) => l.includes('"notify.failed"'))
        .map((l) => JSON.parse(l).details.url);
      expect(failed).toEqual([shown, shown]);
      for (const secret of ['tok123secret', 's3cr', 'hookuser', '/hooks/citadel']) {
        expect(journal).not.toContain(secret);
        expect(r.stderr + r.stdout).not.toContain(secret);
      }
    } finally {
      await h.close();
    }
  });
});
