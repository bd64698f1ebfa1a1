import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { freshDatabase } from '../helpers/db.js';
import { BIN, CLI_ENV } from '../helpers/cli.js';
import { copyBundled, makeMigrations } from '../helpers/folders.js';
import { journalFolder } from '../helpers/journal.js';
import { stallProxy, type StallProxy } from '../helpers/stallProxy.js';
import { waitUntil } from '../helpers/wait.js';

/**
 * Issue 24, finding 14: SIGTERM and SIGINT end every command within 5 s, saying what the server
 * committed. kill, action, report and rehearse died silently on SIGTERM (exit 143, no sentence;
 * an action's command went on running); verify, plan and skip are guarded here too.
 */
let db: Awaited<ReturnType<typeof freshDatabase>>;
const migrations = makeMigrations({
  '1_a': 'CREATE TABLE stops_a (id int);',
  '2_b': 'CREATE TABLE stops_b (id int);',
});
beforeAll(async () => {
  db = await freshDatabase('stops');
  const r = await execa(
    'node',
    [BIN, 'run', '--yes', '--to', '1_a', '--migrations', migrations, '--database-url', db.url],
    {
      env: CLI_ENV,
      reject: false,
    },
  );
  expect(r.exitCode, String(r.stderr)).toBe(0);
});
afterAll(async () => {
  await db?.drop();
});

async function behindProxy(): Promise<{ proxy: StallProxy; url: string }> {
  const u = new URL(db.url);
  const proxy = await stallProxy(u.hostname, Number(u.port));
  u.hostname = '127.0.0.1';
  u.port = String(proxy.port);
  return { proxy, url: u.toString() };
}

function start(args: string[], url: string) {
  const j = journalFolder('cm-stops-');
  const child = execa('node', [BIN, ...args, '--database-url', url], {
    env: { ...CLI_ENV, ...j.env },
    reject: false,
    stdin: 'ignore',
    timeout: 60_000,
  });
  const out = { stderr: '' };
  child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
  return { child, out };
}

async function stop(child: ReturnType<typeof execa>, signal: 'SIGTERM' | 'SIGINT' = 'SIGTERM') {
  const t0 = Date.now();
  child.kill(signal);
  const r = await child;
  return { r, ms: Date.now() - t0 };
}

const lastLine = (s: string) => s.trim().split('\n').pop();

function runbookWith(actions: Record<string, unknown>): string {
  const dir = copyBundled();
  const runbook = path.join(dir, 'runbook.yaml');
  const doc = parse(readFileSync(runbook, 'utf8'));
  doc.actions = actions;
  writeFileSync(runbook, stringify(doc));
  return dir;
}

describe('a stop on a server that does not answer', () => {
  const cases: { command: string; args: () => Promise<string[]> | string[]; sentence: string; signal?: 'SIGINT' }[] = [
    {
      command: 'plan',
      args: () => ['plan', '--migrations', migrations],
      sentence: 'Stopped before plan had its answer from the server; nothing was changed (plan only reads).',
    },
    {
      command: 'verify',
      args: () => ['verify', '--migrations', migrations],
      sentence: 'Stopped before verify had its answer from the server; nothing was changed (verify only reads).',
      signal: 'SIGINT',
    },
    {
      command: 'skip',
      args: () => ['skip', '2_b', '--yes', '--reason', 'test', '--migrations', migrations],
      sentence: 'Stopped before the skip of 2_b began; nothing was changed.',
    },
    {
      command: 'report',
      args: () => ['report', '--migrations', migrations],
      sentence: 'Stopped before report had its answer from the server; nothing was changed (report only reads).',
    },
    {
      command: 'rehearse',
      args: () => ['rehearse', '--migrations', migrations],
      sentence:
        'Stopped before rehearse had its answer from the server; nothing was changed (rehearse only reads the target).',
      signal: 'SIGINT',
    },
    {
      command: 'kill',
      args: async () => ['kill', String(process.pid), '--yes'],
      sentence: `Stopped before session ${process.pid} was signalled; nothing was changed.`,
    },
    {
      command: 'action',
      args: () => [
        'action',
        'smoke-test',
        '--yes',
        '--migrations',
        runbookWith({ 'smoke-test': { command: ['sh', '-c', 'echo ran > /dev/null'] } }),
      ],
      sentence: 'Stopped before the action smoke-test started; nothing was run.',
    },
  ];
  for (const c of cases) {
    it(`ends ${c.command} within 5 s on ${c.signal ?? 'SIGTERM'}, with one sentence`, async () => {
      const { proxy, url } = await behindProxy();
      try {
        proxy.stallAll();
        const { child, out } = start(await c.args(), url);
        await waitUntil('the command to wait on the server', async () => proxy.accepted() > 0);
        const { r, ms } = await stop(child, c.signal);
        expect(r.exitCode, out.stderr).toBe(130);
        expect(ms, out.stderr).toBeLessThan(5000);
        expect(lastLine(out.stderr)).toBe(c.sentence);
        expect(out.stderr).not.toMatch(/\n\s+at /);
      } finally {
        await proxy.close();
      }
    });
  }
});

describe('a stop while the work is under way', () => {
  it("ends an action's command (its whole process group) within 5 s and says so", async () => {
    const marker = `stops-marker-${process.pid}-${Date.now()}`;
    const dir = runbookWith({
      'long-job': { command: ['sh', '-c', `echo job-$((40+2)); sleep 60; echo ${marker}`], timeout: '5m' },
    });
    const { child, out } = start(['action', 'long-job', '--yes', '--migrations', dir], db.url);
    // the command line is echoed first: its output is what says it runs
    await waitUntil('the action to start', async () => out.stderr.includes('job-42'));
    const { r, ms } = await stop(child);
    expect(r.exitCode, out.stderr).toBe(130);
    expect(ms).toBeLessThan(5000);
    expect(lastLine(out.stderr)).toMatch(/^Stopped: the action long-job was ended \(its whole process group\) after /);
    // nothing of it is left running
    await waitUntil('the sleep to be gone', async () => {
      const ps = await execa('ps', ['-eo', 'args'], { reject: false });
      return !String(ps.stdout).includes(`echo ${marker}`);
    });
  });
});
