// `citadel-migrate action NAME`: the runbook's commands outside the database, run for real, with
// their checks against live sessions, their journal lines, and their failures.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { parse, stringify } from 'yaml';
import { freshDatabase, pgPassword } from '../helpers/db.js';
import { cli, json } from '../helpers/cli.js';
import { teamChannel } from '../helpers/teamChannel.js';
import { copyBundled } from '../helpers/folders.js';
import { waitUntil } from '../helpers/wait.js';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));
const WORKERS = new URL('../fixtures/actions/workers.mjs', import.meta.url).pathname;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("action: the runbook's commands outside the database", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let workers: ResultPromise;
  const journalDir = tmp('cm-actions-journal-');
  const work = tmp('cm-actions-');
  const migrations = copyBundled();
  const runbook = path.join(migrations, 'runbook.yaml');
  const env = () => ({ DATABASE_URL: db.url, USER: 'dba1', SUDO_USER: undefined });
  const run = (name: string, extra: string[] = []) =>
    cli(['action', name, '--yes', '--migrations', migrations, '--journal-dir', journalDir, ...extra], { env: env() });
  const journal = () =>
    readFileSync(path.join(journalDir, readdir()), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  const readdir = () => readdirSync(journalDir).find((f) => f.endsWith('.jsonl'))!;

  beforeAll(async () => {
    db = await freshDatabase('actions');
    workers = execa('node', [WORKERS, db.url, '4'], { reject: false });
    await new Promise<void>((resolve) => workers.stdout!.once('data', () => resolve()));
    const doc = parse(readFileSync(runbook, 'utf8'));
    doc.actions = {
      'workers-stop': {
        command: ['kill', String(workers.pid)],
        timeout: '10s',
        check: { sessions: { label: 'worker sessions', application: ['citadelbuy-worker%'], expect: 0, wait: '10s' } },
        proves: ['window.background-jobs'],
      },
      'smoke-test': {
        command: ['sh', '-c', `echo checking orders; echo "password ${pgPassword()}"; echo ok`],
        proves: ['post.smoke-test'],
      },
      'services-restart': { command: ['no-such-command-citadel'] },
      'maintenance-on': { command: ['sh', '-c', `sleep 60 & echo $! > ${work}/child.pid; wait`], timeout: '1s' },
      'maintenance-off': { command: ['sh', '-c', 'echo "cannot reach the load balancer" >&2; exit 3'] },
    };
    writeFileSync(runbook, stringify(doc));
  });
  afterAll(async () => {
    workers?.kill();
    await db.drop();
  });

  it('workers-stop stops the workers and proves it: worker sessions 0 (were 4), journalled, and the checklist item passes', async () => {
    const r = await run('workers-stop');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(`$ kill ${workers.pid}  (then: worker sessions expected 0)`);
    expect(r.stdout).toMatch(/✓ workers-stop: done in .* \(exit 0\)\n  ✓ worker sessions: 0 \(were 4\)/);
    const end = journal()
      .filter((l) => l.action === 'action' && l.phase === 'end')
      .at(-1);
    expect(end.result).toMatchObject({ outcome: 'ok', exitCode: 0, check: { before: 4, after: 0, ok: true } });
    const begin = journal().find((l) => l.id === end.id && l.phase === 'begin');
    expect(begin.details).toMatchObject({ name: 'workers-stop', command: `kill ${workers.pid}` });

    const c = await cli(
      ['check', '--json', '--migrations', migrations, '--backup-dir', tmp('cm-nobk-'), '--journal-dir', journalDir],
      { env: env() },
    );
    const item = json(c).items.find((i: { id: string }) => i.id === 'window.background-jobs');
    expect(item.status).toBe('pass');
    expect(item.evidence).toMatch(/^worker sessions: 0 \(were 4 before workers-stop at \d{4}-.*, by dba1\)$/);
    expect(item.action).toBe('workers-stop');
  });

  it('streams the output and journals it redacted; a post-migration item waits for a run; the team is told', async () => {
    const hook = await teamChannel();
    const posted = hook.bodies;
    const r = await cli(['action', 'smoke-test', '--yes', '--migrations', migrations, '--journal-dir', journalDir], {
      env: { ...env(), CITADEL_NOTIFY_URL: hook.url },
    });
    await hook.close();
    expect(posted).toEqual([
      expect.objectContaining({
        event: 'action.finished',
        action: 'smoke-test',
        outcome: 'ok',
        who: 'dba1',
        migration: null,
      }),
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('checking orders');
    expect(r.stderr).not.toContain(pgPassword());
    const end = journal()
      .filter((l) => l.action === 'action' && l.phase === 'end')
      .at(-1);
    expect(end.result.output).toBe('checking orders\npassword ***\nok\n');
    const c = await cli(
      ['check', '--json', '--migrations', migrations, '--backup-dir', tmp('cm-nobk-'), '--journal-dir', journalDir],
      { env: env() },
    );
    expect(json(c).items.find((i: { id: string }) => i.id === 'post.smoke-test')).toMatchObject({
      status: 'manual',
      evidence: 'after the migrations: run `citadel-migrate action smoke-test`',
    });
  });

  it('a missing command, a non-zero exit and a timeout fail clearly; a timeout ends the whole process group', async () => {
    const missing = await run('services-restart');
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain(
      'The command "no-such-command-citadel" of the action services-restart was not found: install it on this machine or fix actions.services-restart.command in the runbook.',
    );

    const failed = await run('maintenance-off');
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain(
      'The action maintenance-off failed (exit 3): cannot reach the load balancer; fix what it reports and run it again.',
    );

    const slow = await run('maintenance-on');
    expect(slow.exitCode).toBe(1);
    expect(slow.stderr).toContain(
      'The action maintenance-on did not finish within 1 s: it was stopped (its whole process group)',
    );
    const child = Number(readFileSync(path.join(work, 'child.pid'), 'utf8'));
    await waitUntil('the sleep started by the action is gone too', async () => !alive(child), 5000);
    const outcomes = journal()
      .filter((l) => l.action === 'action' && l.phase === 'end')
      .slice(-3)
      .map((l) => [l.result.outcome, l.result.exitCode]);
    expect(outcomes[0]).toEqual(['missing-command', null]);
    expect(outcomes[1]).toEqual(['failed', 3]);
    expect(outcomes[2]![0]).toBe('timeout');
  });

  it('asks first: without a terminal --yes is required; an unknown action lists the known ones', async () => {
    const r = await cli(['action', 'smoke-test', '--migrations', migrations, '--journal-dir', journalDir], {
      env: env(),
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('Refusing to run the action smoke-test (sh -c');
    expect(r.stderr).toContain('pass --yes to confirm');
    const u = await run('deploy');
    expect(u.exitCode).toBe(2);
    expect(u.stderr).toMatch(
      /The runbook .*runbook.yaml has no action "deploy" \(it has: workers-stop, smoke-test, services-restart, maintenance-on, maintenance-off\)/,
    );
    expect(existsSync(runbook)).toBe(true);
  });
});
