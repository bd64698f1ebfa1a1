// An action's output is journalled and shown: the S3 credentials it inherits with the environment
// and the variables its runbook entry lists under secrets: must not be, whatever it prints.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { freshDatabase } from '../helpers/db.js';
import { cli } from '../helpers/cli.js';
import { copyBundled } from '../helpers/folders.js';

const SECRETS = {
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEXAMPLEsessiontoken',
  API_KEY_FROM_ENV: 'plainwordsecret',
  DEPLOY_TOKEN: 'tok-98765-deploy',
};

describe("secrets in an action's output", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-action-secrets-'));
  const migrations = copyBundled();

  beforeAll(async () => {
    db = await freshDatabase('actsecrets');
    const runbook = path.join(migrations, 'runbook.yaml');
    const doc = parse(readFileSync(runbook, 'utf8'));
    doc.actions = {
      'smoke-test': {
        command: [
          'sh',
          '-c',
          'echo "key=$AWS_SECRET_ACCESS_KEY session=$AWS_SESSION_TOKEN"; echo "api=$API_KEY_FROM_ENV" >&2; echo "deploy=$DEPLOY_TOKEN"; echo done',
        ],
        env: { DEPLOY_TOKEN: SECRETS.DEPLOY_TOKEN },
        secrets: ['DEPLOY_TOKEN', 'API_KEY_FROM_ENV'],
      },
      'maintenance-on': { command: ['true'], secrets: ['not a name'] },
    };
    writeFileSync(runbook, stringify(doc));
  });
  afterAll(async () => db?.drop());

  it('are masked in the journal and on the screen; the rest of the output is kept', async () => {
    const env = {
      DATABASE_URL: db.url,
      AWS_SECRET_ACCESS_KEY: SECRETS.AWS_SECRET_ACCESS_KEY,
      AWS_SESSION_TOKEN: SECRETS.AWS_SESSION_TOKEN,
      API_KEY_FROM_ENV: SECRETS.API_KEY_FROM_ENV,
    };
    const r = await cli(['action', 'smoke-test', '--yes', '--migrations', migrations, '--journal-dir', journalDir], {
      env,
    });
    // (the runbook's other action has a bad secrets: entry: the manifest is refused as a whole)
    expect(r.stderr).toMatch(
      /actions\.maintenance-on\.secrets lists environment variable names, and "not a name" is not one/,
    );
    expect(r.exitCode).toBe(2);

    const doc = parse(readFileSync(path.join(migrations, 'runbook.yaml'), 'utf8'));
    delete doc.actions['maintenance-on'];
    writeFileSync(path.join(migrations, 'runbook.yaml'), stringify(doc));
    const ok = await cli(['action', 'smoke-test', '--yes', '--migrations', migrations, '--journal-dir', journalDir], {
      env,
    });
    expect(ok.exitCode, ok.stderr).toBe(0);
    const screen = ok.stdout + ok.stderr;
    expect(screen).toMatch(/key=\*\*\* session=\*\*\*/);
    expect(screen).toMatch(/deploy=\*\*\*/);
    expect(screen).toMatch(/api=\*\*\*/);
    const journal = readFileSync(
      path.join(journalDir, readdirSync(journalDir).find((f) => f.endsWith('.jsonl'))!),
      'utf8',
    );
    const end = journal
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((l) => l.action === 'action' && l.phase === 'end');
    expect(end.result.output).toMatch(/key=\*\*\* session=\*\*\*\n/);
    expect(end.result.output).toMatch(/deploy=\*\*\*\n/);
    expect(end.result.output).toMatch(/api=\*\*\*\n/);
    expect(end.result.output).toMatch(/done\n/);
    for (const secret of Object.values(SECRETS)) {
      expect(journal).not.toContain(secret);
      expect(screen).not.toContain(secret);
    }
  });
});
