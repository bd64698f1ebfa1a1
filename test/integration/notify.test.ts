// Notifications against a real HTTP server on 127.0.0.1: what a failed run posts, the chat body for
// Slack/Teams, and a failing or silent server that never fails the run but is journalled.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { client, freshDatabase, pgPassword } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli } from '../helpers/cli.js';
import { teamChannel as hook } from '../helpers/teamChannel.js';
import { readJournalFile } from '../../src/journal/read.js';
import { Journal } from '../../src/journal/journal.js';
import { Notifier, chatText, isChatWebhook, urlForDisplay, type NotifyEvent } from '../../src/notify/notify.js';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));
const journalOf = (dir: string) =>
  readJournalFile(path.join(dir, readdirSync(dir).find((f) => f.endsWith('.jsonl'))!)).lines;

describe('notifications', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    db = await freshDatabase('notify');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('a failed run posts run.started, migration.failed and run.finished, with the target but never its password', async () => {
    const h = await hook('ok');
    const dir = makeMigrations({
      '001_ok': 'CREATE TABLE a (id int);',
      '002_bad': 'ALTER TABLE nope ADD COLUMN x int;',
    });
    try {
      const r = await cli(
        [
          'run',
          '--yes',
          '--database-url',
          db.url,
          '--migrations',
          dir,
          '--journal-dir',
          tmp('cm-nj-'),
          '--notify',
          h.url,
        ],
        { env: { USER: 'dba1', SUDO_USER: undefined } },
      );
      expect(r.exitCode).toBe(1);
      expect(h.bodies.map((b) => b.event)).toEqual(['run.started', 'migration.failed', 'run.finished']);
      const failed = h.bodies[1] as NotifyEvent;
      expect(failed).toMatchObject({
        migration: '002_bad',
        outcome: 'failed',
        who: 'dba1',
        error: { code: '42P01', message: 'relation "nope" does not exist' },
      });
      expect(failed.target).toContain(db.name);
      expect(JSON.stringify(h.bodies)).not.toContain(pgPassword());
      expect(h.bodies[2]).toMatchObject({
        event: 'run.finished',
        outcome: 'failed',
        migration: '002_bad',
        applied: ['001_ok'],
      });
      expect(typeof h.bodies[2].durationMs).toBe('number');
    } finally {
      await h.close();
    }
  });

  it('a rollback and a kill each reach the team: the HTTP server receives them, with the target but never its password', async () => {
    const h = await hook('ok');
    const d = await freshDatabase('notify_rk');
    const dir = makeMigrations({ '001_t': { up: 'CREATE TABLE t (id int);', down: 'DROP TABLE t;' } });
    const journalDir = tmp('cm-nj-');
    const base = ['--yes', '--database-url', d.url, '--migrations', dir, '--journal-dir', journalDir];
    const holder = await client(d.url);
    try {
      expect((await cli(['run', ...base])).exitCode).toBe(0);
      const back = await cli(['rollback', '001_t', ...base, '--notify', h.url], {
        env: { USER: 'dba1', SUDO_USER: undefined },
      });
      expect(back.exitCode, back.stderr).toBe(0);
      expect(h.bodies.map((b) => b.event)).toEqual(['rollback']);
      expect(h.bodies[0]).toMatchObject({ migration: '001_t', outcome: 'done', kind: 'down-sql', who: 'dba1' });
      expect(h.bodies[0].target).toContain(d.name);

      // a session idle in a transaction, terminated
      await holder.query(`SET application_name = 'nightly-report'; BEGIN; SELECT 1`);
      const pid = (await holder.query('SELECT pg_backend_pid() AS p')).rows[0].p as number;
      const kill = await cli(
        ['kill', String(pid), '--terminate', '--yes', '--database-url', d.url, '--journal-dir', journalDir],
        { env: { CITADEL_NOTIFY_URL: h.url, USER: 'dba1', SUDO_USER: undefined } },
      );
      expect(kill.exitCode, kill.stderr).toBe(0);
      expect(h.bodies.map((b) => b.event)).toEqual(['rollback', 'kill']);
      expect(h.bodies[1]).toMatchObject({
        migration: null,
        outcome: 'done',
        pid,
        how: 'terminate',
        application: 'nightly-report',
        who: 'dba1',
      });
      expect(JSON.stringify(h.bodies)).not.toContain(pgPassword());
    } finally {
      await holder.end().catch(() => undefined);
      await h.close();
      await d.drop();
    }
  });

  it('a server answering 500 is retried, then given up: the run succeeds and the journal says the team was not told', async () => {
    const h = await hook(500);
    const journalDir = tmp('cm-nj-');
    const dir = makeMigrations({ '001_c': 'CREATE TABLE c (id int);' });
    try {
      const r = await cli(
        [
          'run',
          '--yes',
          '--allow-foreign-history',
          '--database-url',
          db.url,
          '--migrations',
          dir,
          '--journal-dir',
          journalDir,
        ],
        { env: { CITADEL_NOTIFY_URL: h.url } },
      );
      expect(r.exitCode, r.stderr).toBe(0);
      expect(h.hits).toBe(6); // run.started and run.finished, three attempts each
      const failures = journalOf(journalDir)
        .filter((l) => l.action === 'notify.failed')
        .map((l) => l.details);
      expect(failures).toEqual([
        {
          url: urlForDisplay(h.url),
          event: 'run.started',
          migration: null,
          attempts: 3,
          error: 'HTTP 500 Internal Server Error',
        },
        {
          url: urlForDisplay(h.url),
          event: 'run.finished',
          migration: null,
          attempts: 3,
          error: 'HTTP 500 Internal Server Error',
        },
      ]);
    } finally {
      await h.close();
    }
  });

  it('a server that never answers costs the caller nothing: send returns at once, the failure is journalled after the timeout', async () => {
    const h = await hook('silent');
    const file = path.join(tmp('cm-nj-'), 'j.jsonl');
    const journal = new Journal(file, 'postgres://x@h/db');
    const n = new Notifier([h.url], { target: 'h:5432/db', who: 'dba1', host: 'box' }, journal, {
      attempts: 2,
      timeoutMs: 300,
      backoffMs: 50,
    });
    try {
      const t0 = Date.now();
      n.send({ event: 'kill', migration: null, outcome: 'done' });
      expect(Date.now() - t0).toBeLessThan(250); // well before the first attempt's 300 ms timeout
      await n.settle();
      expect(h.hits).toBe(2);
      journal.close();
      expect(readJournalFile(file).lines.map((l) => l.details)).toEqual([
        { url: urlForDisplay(h.url), event: 'kill', migration: null, attempts: 2, error: 'no answer within 300 ms' },
      ]);
    } finally {
      await h.close();
    }
  });

  it('Slack and Teams webhooks get a chat message; others the JSON', () => {
    expect(isChatWebhook('https://hooks.slack.com/services/T0/B0/XYZ')).toBe(true);
    expect(isChatWebhook('https://contoso.webhook.office.com/webhookb2/abc')).toBe(true);
    expect(isChatWebhook('https://alerts.example.com/hooks/slack')).toBe(false);
    const e: NotifyEvent = {
      event: 'migration.failed',
      target: 'db.internal:5432/citadelbuy',
      who: 'dba1',
      host: 'ops1',
      at: '2025-12-04T02:00:00Z',
      migration: '002_bad',
      outcome: 'failed',
      durationMs: 1500,
      error: { code: '42P01', message: 'relation "nope" does not exist' },
    };
    expect(chatText(e)).toBe(
      '❌ citadel-migrate migration.failed 002_bad on db.internal:5432/citadelbuy: failed in 1.5 s (dba1@ops1)\n42P01: relation "nope" does not exist',
    );
  });
});
