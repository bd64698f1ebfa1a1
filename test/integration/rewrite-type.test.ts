import { describe, it, expect, afterAll } from 'vitest';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { freshDatabase, client, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { BIN, CLI_ENV, cli, json } from '../helpers/cli.js';
import { expectPrismaAgrees } from '../helpers/oracle.js';
import { waitUntil } from '../helpers/wait.js';
import {
  applyTraced,
  expectLocksWithinClaims,
  expectLongStepsHoldNothing,
  formFor,
  schemaOf,
} from '../helpers/rewrite.js';
import { prisma } from '../helpers/prisma.js';
import { stepsOf } from '../../src/analysis/rewrite/index.js';
import { runStep } from '../../src/engine/rewriteSteps.js';
import { ensureHistoryTable } from '../../src/runbook/history.js';

// "balance" is what the application writes; "shadow" gets the same value in the same statement, so
// that after the swap every row's balance can be compared with what was written to it.
const SETUP = `
CREATE TABLE "Account" (id serial PRIMARY KEY, balance int NOT NULL DEFAULT 0, shadow int, small smallint, label varchar(20));
INSERT INTO "Account" (balance, shadow, small, label) SELECT g * 7, g * 7, g % 100, 'l' || g FROM generate_series(1, 3000) g;
UPDATE "Account" SET small = NULL WHERE id % 10 = 0;
CREATE TABLE "Order" (id serial PRIMARY KEY, "accountId" int REFERENCES "Account"(id), amount int);
INSERT INTO "Order" ("accountId", amount) SELECT 1 + g % 3000, g FROM generate_series(1, 3000) g;
ANALYZE;`;

/** Each row the backfill touches costs `ms`: the run lasts long enough for writes (or a kill) to land in it. */
const slowRows = (ms: number) => `
CREATE FUNCTION slow_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(${ms / 1000}); RETURN NEW; END $$;
CREATE TRIGGER slow_row BEFORE UPDATE ON "Account" FOR EACH ROW WHEN (current_setting('application_name') LIKE 'citadel%') EXECUTE FUNCTION slow_row();`;

const BIGINT = `-- AlterTable
ALTER TABLE "Account" ALTER COLUMN "balance" SET DATA TYPE BIGINT;
`;

const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const d of drops) await d();
});
async function database(prefix: string, extra = '') {
  const db = await freshDatabase(prefix);
  drops.push(db.drop);
  await query(db.url, SETUP + extra);
  return db;
}
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Nothing of the expand is left: no new column, no trigger or function, no helper check. */
async function expectNothingLeft(url: string) {
  expect(
    await query(
      url,
      `SELECT (SELECT count(*) FROM pg_attribute WHERE attname LIKE '%citadel%' AND NOT attisdropped)::int AS columns,
              (SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%citadel%')::int AS triggers,
              (SELECT count(*) FROM pg_proc WHERE proname LIKE '%citadel%')::int AS functions,
              (SELECT count(*) FROM pg_constraint WHERE conname LIKE '%citadel%')::int AS checks`,
    ),
  ).toEqual([{ columns: 0, triggers: 0, functions: 0, checks: 0 }]);
}

/** Every row's balance is what the application last wrote to it (its shadow), and its type is bigint. */
async function expectValuesKept(url: string, rows: number) {
  expect(
    await query(
      url,
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE balance IS DISTINCT FROM shadow)::int AS differ,
              format_type((SELECT atttypid FROM pg_attribute WHERE attrelid = '"Account"'::regclass AND attname = 'balance'), NULL) AS type
       FROM "Account"`,
    ),
  ).toEqual([{ n: rows, differ: 0, type: 'bigint' }]);
}

/** The application: single-row inserts and updates of balance (and its shadow) until stopped. */
function writer(url: string) {
  let stop = false;
  let writes = 0;
  let c: pg.Client | undefined;
  const done = (async () => {
    c = await client(url);
    for (let i = 1; !stop; i++) {
      const v = 100_000 + i;
      if (i % 3 === 0) await c.query('INSERT INTO "Account" (balance, shadow) VALUES ($1::int, $1::int)', [v]);
      else
        await c.query('UPDATE "Account" SET balance = $1::int, shadow = $1::int WHERE id = $2', [
          v,
          1 + ((i * 37) % 3000),
        ]);
      writes++;
    }
    await c.end();
  })();
  // a failed write fails the test in stop(), not as an unhandled rejection
  done.catch(() => undefined);
  return {
    writes: () => writes,
    stop: async () => {
      stop = true;
      await done;
      return writes;
    },
  };
}

describe('a type change that rewrites the table: expand and contract', () => {
  it('plan --rewrite shows the steps (new column and trigger, batched copy, check, one short swap) with their locks', async () => {
    const db = await database('rwt_plan');
    const dir = makeMigrations({ '20250101000000_bigint': BIGINT });
    const r = await cli(['plan', '--rewrite', '--batch-rows', '500', '--database-url', db.url, '--migrations', dir]);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toContain('(1 statement as written, 5 steps in the safe form)');
    expect(out).toContain(
      'as written: ACCESS EXCLUSIVE on Account, rewrites it; holds reads and writes, for the whole step',
    );
    expect(out).toContain('safe form [expand-contract]: expand and contract');
    expect(out).toMatch(
      /1\. add "balance__citadel_new" BIGINT .*\n.*ALTER TABLE "Account" ADD COLUMN IF NOT EXISTS "balance__citadel_new" BIGINT[\s\S]*?CREATE TRIGGER "zz_Account_balance__citadel_sync" BEFORE INSERT OR UPDATE ON "Account"[\s\S]*?ACCESS EXCLUSIVE on Account; holds reads and writes, for an instant/,
    );
    expect(out).toMatch(
      /2\. UPDATE "Account" SET "balance__citadel_new" = "balance" WHERE "id" IN \(next 500 keys\) AND .*\n\s+ROW EXCLUSIVE on Account, scans it; holds the rows of one batch, for one short transaction/,
    );
    expect(out).toMatch(/3\. ALTER TABLE "Account" ADD CONSTRAINT "Account_balance__citadel_not_null" CHECK/);
    expect(out).toMatch(
      /4\. ALTER TABLE "Account" VALIDATE CONSTRAINT .*\n\s+SHARE UPDATE EXCLUSIVE on Account, scans it; holds nothing/,
    );
    expect(out).toMatch(
      /5\. swap: [\s\S]*?ALTER TABLE "Account" DROP COLUMN "balance"[\s\S]*?RENAME COLUMN "balance__citadel_new" TO "balance"[\s\S]*?SET NOT NULL[\s\S]*?SET DEFAULT 0[\s\S]*?\n\s+ACCESS EXCLUSIVE on Account; holds reads and writes, for an instant/,
    );
    const doc = json(await cli(['plan', '--rewrite', '--json', '--database-url', db.url, '--migrations', dir]));
    expect(doc.migrations[0].statements[0].rule).toBe('expand-contract');
    expect(doc.migrations[0].statements[0].steps[1]).toMatchObject({
      sql: 'UPDATE "Account" SET "balance__citadel_new" = "balance" WHERE "id" IN (next 5000 keys) AND "balance__citadel_new" IS DISTINCT FROM "balance"',
      lock: 'ROW EXCLUSIVE',
      batches: { key: '"id"', rows: 5000 },
    });
  });

  it('the steps take no lock stronger than they claim; ACCESS EXCLUSIVE only for instants (no scan, no rewrite); same schema as written', async () => {
    const written = await database('rwt_lw');
    const safe = await database('rwt_ls');
    const sql = `ALTER TABLE "Account" ALTER COLUMN "balance" SET DATA TYPE BIGINT;\nALTER TABLE "Account" ALTER COLUMN "small" SET DATA TYPE INTEGER USING ("small"::INTEGER);`;
    await query(written.url, sql);
    const file = async () =>
      (await query<{ f: number }>(safe.url, `SELECT relfilenode AS f FROM pg_class WHERE relname = 'Account'`))[0]!.f;
    const f0 = await file();
    const form = await formFor(safe.url, sql, 400);
    expect(form.statements.map((s) => s.rule)).toEqual(['expand-contract', 'expand-contract']);
    expectLongStepsHoldNothing(form);
    for (const s of stepsOf(form))
      if (s.lock === 'ACCESS EXCLUSIVE') expect(s.scans || s.rewrites, s.title).toBe(false);
    const traced = await applyTraced(safe.url, form);
    expectLocksWithinClaims(traced);
    // the table was never rewritten
    expect(await file()).toBe(f0);
    expect(await schemaOf(safe.url)).toEqual(await schemaOf(written.url));
    expect(await query(safe.url, `SELECT count(*)::int AS n FROM "Account" WHERE small IS NULL`)).toEqual([{ n: 300 }]);
    expect(await query(safe.url, `SELECT sum(balance)::text AS s, sum(small)::text AS t FROM "Account"`)).toEqual(
      await query(written.url, `SELECT sum(balance)::text AS s, sum(small)::text AS t FROM "Account"`),
    );
    await expectNothingLeft(safe.url);
    // A run killed after the swap committed but before the row was finished resumes: the form made from
    // the target as the swap left it is the same form.
    expect((await formFor(safe.url, sql, 400)).fingerprint).toBe(form.fingerprint);
  });

  it('run --rewrite under concurrent writes: the type, NOT NULL and default as written, every row its value, nothing left, the checksum recorded, Prisma agrees', async () => {
    const written = await database('rwt_rw');
    const safe = await database('rwt_rs', slowRows(1));
    const dir = makeMigrations({ '20250101000000_bigint': BIGINT });
    expect((await cli(['run', '--yes', '--database-url', written.url, '--migrations', dir])).exitCode).toBe(0);

    const app = writer(safe.url);
    const child = cli([
      'run',
      '--rewrite',
      '--yes',
      '--batch-rows',
      '50',
      '--database-url',
      safe.url,
      '--migrations',
      dir,
    ]);
    // the application writes while the trigger keeps the new column: between the expand and the swap
    const trigger = async () =>
      (await query(safe.url, `SELECT 1 FROM pg_trigger WHERE tgname = 'zz_Account_balance__citadel_sync'`)).length > 0;
    await waitUntil('the expand', trigger);
    const atExpand = app.writes();
    await waitUntil('the swap', async () => !(await trigger()), 60_000);
    expect(app.writes() - atExpand).toBeGreaterThan(20);
    const r = await child;
    const writes = await app.stop();
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('▶ 20250101000000_bigint: safe form, 5 steps');
    expect(writes).toBeGreaterThan(50);
    const inserted = Math.floor(writes / 3);
    await expectValuesKept(safe.url, 3000 + inserted);
    await expectNothingLeft(safe.url);
    expect(await schemaOf(safe.url)).toEqual(await schemaOf(written.url));
    const [row] = await query(
      safe.url,
      'SELECT checksum, finished_at IS NOT NULL AS finished, logs FROM _prisma_migrations',
    );
    expect(row).toEqual({
      checksum: sha(path.join(dir, '20250101000000_bigint', 'migration.sql')),
      finished: true,
      logs: null,
    });
    expect((await expectPrismaAgrees(safe.url, dir)).map((s) => s.state)).toEqual(['applied']);
  });

  it('killed (kill -9) in the middle of the copy, then between steps: status names the half-done expand, run --rewrite completes it', async () => {
    const written = await database('rwt_kw');
    // Function statistics on (sessions opened from now on), to count the copy trigger's calls.
    const safe = await database(
      'rwt_ks',
      `${slowRows(2)}\nDO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET track_functions = ''pl''', current_database()); END $$;`,
    );
    const syncCalls = async () =>
      (
        await query<{ n: number }>(
          safe.url,
          `SELECT coalesce(sum(calls), 0)::int AS n FROM pg_stat_user_functions WHERE funcname = 'Account_balance__citadel_sync'`,
        )
      )[0]!.n;
    const dir = makeMigrations({ '20250101000000_bigint': BIGINT });
    expect((await cli(['run', '--yes', '--database-url', written.url, '--migrations', dir])).exitCode).toBe(0);
    const logs = async () =>
      (await query<{ logs: string | null }>(safe.url, 'SELECT logs FROM _prisma_migrations').catch(() => []))[0]
        ?.logs ?? '';
    const gone = () =>
      waitUntil('the killed run to leave the server', async () => {
        const rows = await query(
          safe.url,
          `SELECT 1 FROM pg_stat_activity WHERE application_name = 'citadel-migrate run --rewrite'`,
        );
        return rows.length === 0;
      });
    const args = ['run', '--rewrite', '--yes', '--batch-rows', '5', '--database-url', safe.url, '--migrations', dir];
    const start = () =>
      execa('node', [BIN, ...args], { reject: false, stdin: 'ignore', env: CLI_ENV, extendEnv: true });

    // 1. in the middle of the copy
    let child = start();
    await waitUntil('the copy to commit a few batches', async () => /backfill after "\d\d+"/.test(await logs()));
    // While the run is alive, its new column and trigger are its work in progress, not a leftover.
    const live = await cli(['status', '--database-url', safe.url, '--migrations', dir]);
    expect(live.stdout).not.toContain('left by the interrupted safe form');
    expect(live.stdout).not.toMatch(/\bfailed\b/);
    expect(live.stdout).toContain('running');
    child.kill('SIGKILL');
    await child;
    await gone();
    // The copy's own rows already agree when the trigger fires, and its WHEN spares them the
    // function call: only the application's write calls it.
    await query(safe.url, 'UPDATE "Account" SET balance = balance + 1, shadow = shadow + 1 WHERE id = 1');
    await waitUntil('the application write to be counted', async () => (await syncCalls()) >= 1);
    expect(await syncCalls()).toBe(1);
    const status = await cli(['status', '--database-url', safe.url, '--migrations', dir]);
    expect(status.stdout).toContain(
      '! column Account.balance__citadel_new and its trigger zz_Account_balance__citadel_sync are left by the interrupted safe form of 20250101000000_bigint: `citadel-migrate run --rewrite` completes it (until then every write to Account also fills that column)',
    );
    expect(status.stdout).toContain('`citadel-migrate run --rewrite` resumes it at step 2');

    // Meanwhile the application inserts a row through a BEFORE trigger of its own that changes the
    // value: the copy fires after it (triggers fire in name order), so the new column gets what is stored.
    await query(
      safe.url,
      `CREATE FUNCTION round_even() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.balance := NEW.balance / 2 * 2; RETURN NEW; END $$;
       CREATE TRIGGER round_even BEFORE INSERT ON "Account" FOR EACH ROW EXECUTE FUNCTION round_even();
       INSERT INTO "Account" (balance, shadow) VALUES (7, 6);`,
    );

    // 2. between steps: the check step waits for a lock an open transaction holds, and is killed there
    const reader = await client(safe.url);
    await reader.query('BEGIN; SELECT count(*) FROM "Account"');
    child = start();
    await waitUntil(
      'the copy to end and the next step to wait',
      async () => /: 2\/5 steps done; form [0-9a-f]+$/.test(await logs()),
      60_000,
    ).catch(async () => {
      throw new Error(`logs: ${await logs()}`);
    });
    child.kill('SIGKILL');
    await child;
    await reader.query('ROLLBACK');
    await reader.end();
    await gone();
    expect((await cli(['status', '--database-url', safe.url, '--migrations', dir])).stdout).toContain(
      '`citadel-migrate run --rewrite` resumes it at step 3',
    );

    const resumed = await cli([...args.slice(0, 3), '--json', ...args.slice(3)]);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(json(resumed).migrations).toEqual([
      expect.objectContaining({ name: '20250101000000_bigint', outcome: 'applied', steps: 5, resumedAt: 3 }),
    ]);
    await expectValuesKept(safe.url, 3001);
    await expectNothingLeft(safe.url);
    expect(await schemaOf(safe.url)).toEqual(await schemaOf(written.url));
    expect((await expectPrismaAgrees(safe.url, dir)).map((s) => s.state)).toEqual(['applied']);
    expect((await cli(['status', '--database-url', safe.url, '--migrations', dir])).stdout).not.toContain(
      'citadel_new',
    );
  });

  it('refused where the application must help: the primary key, a foreign key; the sentence says why, and it runs as written', async () => {
    const db = await database('rwt_ref', 'CREATE PUBLICATION rwt_orders FOR TABLE "Order";');
    const dir = makeMigrations({
      '20250101000000_ids':
        'ALTER TABLE "Account" ALTER COLUMN "id" SET DATA TYPE BIGINT;\nALTER TABLE "Order" ALTER COLUMN "accountId" SET DATA TYPE BIGINT;\nALTER TABLE "Account" ALTER COLUMN "shadow" SET DATA TYPE BIGINT USING ("balance"::BIGINT);\nALTER TABLE "Order" ALTER COLUMN "amount" SET DATA TYPE BIGINT;\n',
    });
    const r = await cli(['plan', '--rewrite', '--database-url', db.url, '--migrations', dir]);
    expect(r.exitCode, r.stderr).toBe(0);
    const notes = r.stdout.split('\n').filter((l) => l.includes('safe form [type-rewrite]'));
    expect(notes).toHaveLength(4);
    expect(notes[0]).toContain(
      'no safe form runs without the application here: id is used by constraint Account_pkey on table "Account", constraint Order_accountId_fkey on table "Order", sequence "Account_id_seq", which a new column would not inherit.',
    );
    expect(notes[1]).toContain(
      'no safe form runs without the application here: accountId is used by constraint Order_accountId_fkey on table "Order"',
    );
    expect(notes[2]).toContain('the USING expression is not a plain cast of shadow');
    expect(notes[3]).toContain(
      "Order is published for logical replication, and a subscriber's table would not have the new column",
    );
    expect(r.stdout).toMatch(
      /1\. ALTER TABLE "Account" ALTER COLUMN "id" SET DATA TYPE BIGINT\n\s+ACCESS EXCLUSIVE on Account, rewrites it/,
    );
  });

  it('plan --rewrite --apply writes Prisma-deployable files (the trigger, the batch directive, the swap); deployed, the schema is as written', async () => {
    const written = await database('rwt_aw');
    const target = await database('rwt_at');
    const NAME = '20250101000000_bigint';
    const dir = makeMigrations({ [NAME]: BIGINT });
    expect((await cli(['run', '--yes', '--database-url', written.url, '--migrations', dir])).exitCode).toBe(0);
    const env = { CITADEL_JOURNAL_DIR: mkdtempSync(path.join(os.tmpdir(), 'cm-rwt-')) };
    const r = await cli(['plan', '--rewrite', '--apply', '--yes', '--database-url', target.url, '--migrations', dir], {
      env,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${NAME} becomes 5 migrations:`);
    const made = readdirSync(dir)
      .filter((f) => !f.includes('.'))
      .sort();
    expect(made).toEqual(Array.from({ length: 5 }, (_, i) => `${NAME}_s0${i + 1}`));
    expect(readFileSync(path.join(dir, `${NAME}_s02`, 'migration.sql'), 'utf8')).toContain(
      '-- citadel: batch 5000\nUPDATE "Account" SET "balance__citadel_new" = "balance" WHERE "balance__citadel_new" IS DISTINCT FROM "balance";\n',
    );
    // Prisma itself deploys the folder (onto a database with a history table, as one Prisma manages is)
    const c = await client(target.url);
    await ensureHistoryTable(c);
    await c.end();
    const deployed = await prisma(['migrate', 'deploy'], target.url, dir);
    expect(deployed.output).toContain('All migrations have been successfully applied.');
    await expectValuesKept(target.url, 3000);
    await expectNothingLeft(target.url);
    expect(await schemaOf(target.url)).toEqual(await schemaOf(written.url));
    expect((await expectPrismaAgrees(target.url, dir)).every((s) => s.state === 'applied')).toBe(true);
  });
  it('rehearse --rewrite traces it on a copy: as written the table is rewritten under ACCESS EXCLUSIVE; in the safe form nothing rewrites it', async () => {
    const db = await database('rwt_reh');
    const dir = makeMigrations({ '20250101000000_bigint': BIGINT });
    const r = await cli(['rehearse', '--rewrite', '--with-data', '--database-url', db.url, '--migrations', dir]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/▶ 20250101000000_bigint {2}applied: as written \d+ ms, safe form [\d.]+ m?s \(5 steps\)/);
    const rows = r.stdout.split('\n').map((l) => l.trim().replace(/\s{2,}/g, ' | '));
    expect(rows.find((l) => l.startsWith('as written'))).toMatch(
      /^as written \| ACCESS EXCLUSIVE on Account \| rewrote \| /,
    );
    const safe = rows.filter((l) => l.startsWith('safe '));
    expect(safe).toHaveLength(5);
    for (const l of safe) expect(l).not.toMatch(/rewrote/);
    expect(safe[1]).toMatch(/^safe 2\. copy balance into .* \| ROW EXCLUSIVE on Account \| scanned \| /);
    expect(safe[4]).toMatch(/^safe 5\. swap: .* \| ACCESS EXCLUSIVE on Account \| no scan \| /);
    // the target is only read
    expect(await query(db.url, `SELECT to_regclass('_prisma_migrations') AS h`)).toEqual([{ h: null }]);
  });
  it("varchar(n) to a smaller n: expand and contract; a longer value fails as it fails the file as written, the application's too", async () => {
    const written = await database('rwt_vw');
    const safe = await database('rwt_vs');
    const sql = `ALTER TABLE "Account" ALTER COLUMN "label" SET DATA TYPE VARCHAR(8);`;
    await query(written.url, sql);
    const form = await formFor(safe.url, sql, 700);
    expect(form.statements[0]!.rule).toBe('expand-contract');
    expect(form.statements[0]!.note).toContain(
      "a longer value fails the copy as it fails the file as written, and from the first step the application's writes of one fail as they will after it",
    );
    const steps = stepsOf(form);
    expect(steps).toHaveLength(3);
    const run = async (url: string, from: number, to = steps.length) => {
      const c = await client(url);
      try {
        for (const s of steps.slice(from, to)) await runStep(c, s.action, { lockTimeoutMs: 200 });
      } finally {
        await c.end();
      }
    };
    await run(safe.url, 0, 1);
    await expect(query(safe.url, `UPDATE "Account" SET label = 'much too long' WHERE id = 1`)).rejects.toThrow(
      'value too long for type character varying(8)',
    );
    await run(safe.url, 1);
    expect(await schemaOf(safe.url)).toEqual(await schemaOf(written.url));
    const labels = `SELECT md5(string_agg(coalesce(label, '-'), ',' ORDER BY id)) AS h, count(label)::int AS n FROM "Account"`;
    expect(await query(safe.url, labels)).toEqual(await query(written.url, labels));
    await expectNothingLeft(safe.url);

    // a longer value already there: the copy stops on it, as the file as written would
    const long = await database('rwt_vl');
    await query(long.url, `UPDATE "Account" SET label = 'much too long' WHERE id = 2000`);
    await expect(query(long.url, sql)).rejects.toThrow('value too long for type character varying(8)');
    const c = await client(long.url);
    try {
      const f = await formFor(long.url, sql, 700);
      await runStep(c, stepsOf(f)[0]!.action, { lockTimeoutMs: 200 });
      await expect(runStep(c, stepsOf(f)[1]!.action, { lockTimeoutMs: 200 })).rejects.toThrow(
        'value too long for type character varying(8)',
      );
    } finally {
      await c.end();
    }
  });
  it('a leftover no history row records (an attempt rolled back, its trigger dropped, stale values): run --rewrite takes it over', async () => {
    const written = await database('rwt_ow');
    const safe = await database('rwt_os');
    const dir = makeMigrations({ '20250101000000_bigint': BIGINT });
    expect((await cli(['run', '--yes', '--database-url', written.url, '--migrations', dir])).exitCode).toBe(0);
    const form = await formFor(safe.url, BIGINT);
    const c = await client(safe.url);
    await runStep(c, stepsOf(form)[0]!.action, { lockTimeoutMs: 200 });
    await c.end();
    await query(
      safe.url,
      `UPDATE "Account" SET balance__citadel_new = balance WHERE id <= 1000;
       DROP TRIGGER "zz_Account_balance__citadel_sync" ON "Account";
       UPDATE "Account" SET balance = balance + 1, shadow = shadow + 1 WHERE id % 7 = 0;`,
    );
    const status = await cli(['status', '--database-url', safe.url, '--migrations', dir]);
    expect(status.stdout).toContain(
      'column Account.balance__citadel_new is left by an interrupted safe form of a type change that no pending migration resumes: remove it with ALTER TABLE "Account" DROP COLUMN "balance__citadel_new";',
    );
    const r = await cli(['run', '--rewrite', '--yes', '--database-url', safe.url, '--migrations', dir]);
    expect(r.exitCode, r.stderr).toBe(0);
    await expectValuesKept(safe.url, 3000);
    await expectNothingLeft(safe.url);
    expect(await schemaOf(safe.url)).toEqual(await schemaOf(written.url));
  });
});
