import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, appendFileSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, pgPassword, client } from '../helpers/db.js';
import { cli } from '../helpers/cli.js';
import { makeMigrations } from '../helpers/folders.js';
import { waitUntil } from '../helpers/wait.js';
import { Journal, journalFileFor } from '../../src/journal/journal.js';
import { parseTarget } from '../../src/postgres/target.js';
import { readServerIdentity } from '../../src/postgres/identity.js';
import { journalEngineEvents } from '../../src/journal/engineEvents.js';
import { EventStream } from '../../src/engine/events.js';

const STEP5 = 'add_performance_indexes';

describe('report: the journal as Markdown for the post-mortem', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-jr-'));
  const run = (args: string[]) =>
    cli(['report', ...args, '--journal-dir', journalDir], {
      env: { DATABASE_URL: db.url, USER: 'dba1', SUDO_USER: undefined },
    });

  beforeAll(async () => {
    db = await freshDatabase('report');
    const target = parseTarget(db.url);
    const c = await client(db.url);
    const file = journalFileFor(await readServerIdentity(c), journalDir);
    await c.end();
    const journal = new Journal(file, target.redacted);
    // Yesterday's rehearsal check, then tonight's session.
    journal.event('checklist.confirm', { id: 'team.dba-on-call', title: 'Have DBA available on call' });
    journal.begin('kill', {
      pid: 4242,
      how: 'cancel',
      session: { application: 'citadelbuy-worker', user: 'app', query: 'SELECT pg_sleep(600)' },
    })({ result: 'cancelled', ok: true });
    const stream = new EventStream();
    journalEngineEvents(stream, journal);
    const t = () => new Date().toISOString();
    stream.emit({
      type: 'run-start',
      at: t(),
      mode: 'live',
      target: target.redacted,
      pending: [STEP5, 'add_privacy_consent', 'organization_module'],
      lockHolderPid: 1,
    });
    stream.emit({ type: 'migration-start', at: t(), name: STEP5, index: 0, count: 3, statements: 2, atomic: false });
    stream.emit({ type: 'statement-end', at: t(), name: STEP5, index: 0, count: 2, durationMs: 5 });
    stream.emit({ type: 'migration-end', at: t(), name: STEP5, outcome: 'applied', durationMs: 21 * 60_000 });
    stream.emit({
      type: 'migration-start',
      at: t(),
      name: 'add_privacy_consent',
      index: 1,
      count: 3,
      statements: 9,
      atomic: true,
    });
    stream.emit({
      type: 'migration-end',
      at: t(),
      name: 'add_privacy_consent',
      outcome: 'failed',
      durationMs: 40,
      error: {
        code: '42P01',
        message: 'relation "User" does not exist',
        statement: 'ALTER TABLE "User" ADD COLUMN "deletedAt" TIMESTAMP(3)',
        position: 3,
        hint: 'the table is "users": replace "User" with "users" in migration.sql',
      },
    });
    // The console was killed in the middle of the next migration: a begin without an end ...
    stream.emit({
      type: 'migration-start',
      at: t(),
      name: 'organization_module',
      index: 2,
      count: 3,
      statements: 40,
      atomic: true,
    });
    journal.close();
    // ... and a line cut short by the kill.
    appendFileSync(file, '{"time":"2025-12-04T02:13:00.000Z","id":"abc","phase":"ev');
  });
  afterAll(() => db.drop());

  it('renders a killed session: timeline, durations against the estimates, failures with hints, interruptions, kills, confirmations', async () => {
    const r = await run([]);
    expect(r.exitCode, r.stderr).toBe(0);
    const md = r.stdout;
    expect(md).toMatch(/^# Migration report: report_\w+@127\.0\.0\.1/);
    expect(md).toMatch(/## Timeline\n\n\| time \(UTC\) \| who \| action \| what \|/);
    expect(md).toMatch(/\| add_performance_indexes \| applied \| 1\/2 \| 21 min \| 15-20 min \| over by 1 min \|/);
    expect(md).toMatch(
      /### add_privacy_consent\n\n- Error 42P01: relation "User" does not exist\n- Statement \(line 3\): `ALTER TABLE "User"/,
    );
    expect(md).toMatch(/- What to do: the table is "users"/);
    expect(md).toMatch(/\| organization_module \| interrupted \(no end recorded/);
    expect(md).toMatch(/Interrupted: run begun at .* has no end/);
    expect(md).toMatch(/\| team\.dba-on-call \(Have DBA available on call\) \| \w+@/);
    expect(md).toMatch(
      /## Sessions cancelled or terminated\n\n- .* kill cancel pid 4242 \(citadelbuy-worker, user app\): SELECT pg_sleep\(600\): cancelled/,
    );
    expect(md).toMatch(
      /## Unreadable journal lines[\s\S]*- line 11: `\{"time":"2025-12-04T02:13:00.000Z","id":"abc","phase":"ev`/,
    );
    expect(md).not.toContain(pgPassword());
  });

  it('--since today keeps tonight; --since last-run starts at the run; a bad value is a usage error', async () => {
    const since = await run(['--since', 'last-run']);
    expect(since.exitCode).toBe(0);
    expect(since.stdout).not.toMatch(/team\.dba-on-call/);
    expect(since.stdout).toMatch(/add_privacy_consent/);
    expect((await run(['--since', 'today'])).stdout).toMatch(/team\.dba-on-call/);
    expect((await run(['--since', '2999-01-01'])).stdout).toMatch(/No migration was run in this period/);
    const bad = await run(['--since', 'yesterday-ish']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--since yesterday-ish: .* use an ISO time/);
  });

  it('a plain folder run: no runbook named, each statement counted once, a lock wait as one readable line', async () => {
    const other = await freshDatabase('report_plain');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-jr-plain-'));
    try {
      const folder = makeMigrations({
        '1_one': 'CREATE TABLE accounts (id int);',
        '2_two': {
          up: 'CREATE TABLE ledger (id int);\nALTER TABLE accounts ADD COLUMN owner text;',
          down: 'DROP TABLE ledger;\nALTER TABLE accounts DROP COLUMN owner;',
        },
      });
      const env = { DATABASE_URL: other.url };
      const first = await cli(['run', '--yes', '--migrations', folder, '--to', '1_one', '--journal-dir', dir], { env });
      expect(first.exitCode, first.stderr).toBe(0);
      // An application holds a lock on accounts while the second migration wants it.
      const blocker = await client(other.url);
      await blocker.query('BEGIN; LOCK TABLE accounts IN ACCESS SHARE MODE');
      const pid = (await blocker.query('SELECT pg_backend_pid() AS p')).rows[0].p as number;
      // short lock timeouts: the one wait is many attempts (the report shows it as one row)
      const running = cli(['run', '--yes', '--migrations', folder, '--lock-timeout', '50ms', '--journal-dir', dir], {
        env,
      });
      // released once the run has given up on the lock four times (retries in its journal): a wait of
      // five attempts at least, however slow the machine
      const retries = () =>
        readdirSync(dir)
          .filter((f) => f.endsWith('.jsonl'))
          .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n'))
          .filter((l) => l.includes('"migration.retry"') && l.includes('"2_two"')).length;
      const waiting = async () =>
        (
          await blocker.query(
            `SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'accounts'::regclass`,
          )
        ).rows[0].n > 0;
      await waitUntil('the run to wait for the lock', waiting, 30_000);
      const heldFrom = Date.now();
      await waitUntil('four retries of 2_two in the journal', async () => retries() >= 4, 30_000);
      await blocker.query('COMMIT');
      const heldMs = Date.now() - heldFrom;
      const second = await running;
      await blocker.end();
      expect(second.exitCode, second.stderr).toBe(0);
      // rolled back and applied again: the journal now holds two attempts of 2_two
      const back = await cli(['rollback', '2_two', '--yes', '--migrations', folder, '--journal-dir', dir], { env });
      expect(back.exitCode, back.stderr).toBe(0);
      const again = await cli(['run', '--yes', '--migrations', folder, '--journal-dir', dir], { env });
      expect(again.exitCode, again.stderr).toBe(0);

      // run without --migrations: the bundled runbook is the default folder, but it was not used here
      const r = await cli(['report', '--journal-dir', dir], { env });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).not.toMatch(/Runbook|CitadelBuy/);
      expect(r.stdout).toMatch(/\| 1_one \| applied \| 1\/1 \|/);
      expect(r.stdout.match(/\| 2_two \| applied \| 2\/2 \|/g)).toHaveLength(2);
      const waits = r.stdout.split('\n').filter((l) => /\| lock wait \|/.test(l));
      expect(waits, waits.join('\n')).toHaveLength(1);
      const wait = new RegExp(
        `\\| 2_two statement 2 waited (\\d+(?:\\.\\d)?) (ms|s) over (\\d+) attempts for a lock held by (pid ${pid}|another session): got the lock, (the statement finished|the migration was applied) \\|$`,
      ).exec(waits[0]!);
      expect(wait, waits[0]).not.toBeNull();
      // the wait of every attempt, not one attempt's: at least as long as the lock was seen held
      // (less a rounding to 0.1 s), and not much longer (it starts with the statement)
      const [, amount, unit, attempts] = wait!;
      const waitedMs = Number(amount) * (unit === 's' ? 1000 : 1);
      expect(Number(attempts)).toBeGreaterThanOrEqual(5);
      expect(waitedMs, waits[0]).toBeGreaterThanOrEqual(heldMs - 100);
      expect(waitedMs, waits[0]).toBeLessThanOrEqual(heldMs + 1000);
      expect(r.stdout).not.toMatch(/waitedMs|blockingPids/);
      // the retries of that wait are in its row (attempts, total wait, outcome), not one row each
      expect(waits[0]).toMatch(/over \d+ attempts/);
      expect(r.stdout).not.toMatch(/\| migration\.retry \|/);
      // every row is a sentence: the rows saved before the rollback deleted them, never raw JSON
      expect(r.stdout).toMatch(
        /\| rollback\.rows \| 2_two: 1 _prisma_migrations row saved before the rollback deleted it \(applied \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, checksum [0-9a-f]{12}…\) \|/,
      );
      const timeline = r.stdout.slice(r.stdout.indexOf('## Timeline'), r.stdout.indexOf('## Migrations'));
      expect(timeline).not.toMatch(/[{}]|…\s*\|$/m);
    } finally {
      await other.drop();
    }
  });
});
