// An action that runs psql must reach the server the command targets, not the one the user's PG*
// variables (PGPORT, PGSERVICE…) name: it gets the same resolved connection as pg_dump does.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { freshDatabase } from '../helpers/db.js';
import { cli } from '../helpers/cli.js';
import { copyBundled } from '../helpers/folders.js';

describe("an action's connection", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-action-conn-'));
  const migrations = copyBundled();
  const serviceFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'cm-action-svc-')), 'pg_service.conf');

  beforeAll(async () => {
    db = await freshDatabase('actconn');
    // a service that names another server (nothing listens on port 1)
    writeFileSync(serviceFile, '[elsewhere]\nhost=127.0.0.1\nport=1\ndbname=postgres\n');
    const runbook = path.join(migrations, 'runbook.yaml');
    const doc = parse(readFileSync(runbook, 'utf8'));
    doc.actions = { 'smoke-test': { command: ['psql', '-X', '-Atc', "select 'db=' || current_database()"] } };
    writeFileSync(runbook, stringify(doc));
  });
  afterAll(async () => db?.drop());

  for (const [what, env] of [
    ['PGPORT pointing elsewhere', { PGPORT: '1', PGHOST: '127.0.0.1', PGDATABASE: 'postgres' }],
    ['PGSERVICE naming another server', { PGSERVICEFILE: serviceFile, PGSERVICE: 'elsewhere' }],
  ] as const) {
    it(`reaches the target with ${what}`, async () => {
      const r = await cli(
        [
          'action',
          'smoke-test',
          '--yes',
          '--migrations',
          migrations,
          '--journal-dir',
          journalDir,
          '--database-url',
          db.url,
        ],
        { env },
      );
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toContain(`db=${db.name}`);
    });
  }
});
