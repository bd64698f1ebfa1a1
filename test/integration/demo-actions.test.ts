// The demo's runbook actions drive the simulated application for real: workers-stop takes the four
// worker sessions away ("worker sessions: 0 (were 4)"), maintenance-on the web tier's, and the
// reverse actions bring them back; the checks see it in pg_stat_activity.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase } from '../helpers/db.js';
import { cli } from '../helpers/cli.js';
import { copyBundled } from '../helpers/folders.js';
import { startTraffic, type Traffic } from '../../src/sandbox/traffic.js';
import { useDemoActions } from '../../src/sandbox/demoActions.js';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));

describe("the demo runbook's actions", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let traffic: Traffic;
  const migrations = copyBundled();
  const control = tmp('cm-demo-control-');
  const journalDir = tmp('cm-demo-journal-');
  const action = (name: string) =>
    cli(['action', name, '--yes', '--database-url', db.url, '--migrations', migrations, '--journal-dir', journalDir]);

  beforeAll(async () => {
    db = await freshDatabase('demoact');
    useDemoActions(path.join(migrations, 'runbook.yaml'), control, db.url);
    // Without the schema the simulated application just waits, connected: one web and four worker sessions.
    traffic = startTraffic({ url: db.url, orders: 0, controlDir: control });
    await new Promise((r) => setTimeout(r, 1500));
  });
  afterAll(async () => {
    await traffic?.stop();
    await db.drop();
  });

  it('stops and starts the simulated workers and web tier, with the checks that prove it', async () => {
    const stop = await action('workers-stop');
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.stderr).toContain('citadelbuy-worker: stopping (demo)');
    expect(stop.stdout).toContain('✓ worker sessions: 0 (were 4)');
    const on = await action('maintenance-on');
    expect(on.stdout).toContain('✓ application sessions: 0 (were 1)');

    const off = await action('maintenance-off');
    expect(off.exitCode, off.stderr).toBe(0);
    expect(off.stdout).toContain('✓ application sessions: 1 (were 0)');
    const start = await action('workers-start');
    expect(start.exitCode, start.stderr).toBe(0);
    expect(start.stdout).toMatch(/✓ worker sessions: [1-4] \(were 0\)/);
  });
});
