import { describe, it, expect, afterAll } from 'vitest';
import { freshDatabase, client, query } from '../helpers/db.js';
import { waitUntil } from '../helpers/wait.js';
import {
  formFor,
  applyTraced,
  expectLocksWithinClaims,
  expectLongStepsHoldNothing,
  schemaOf,
  modeName,
} from '../helpers/rewrite.js';
import { stepsOf } from '../../src/analysis/rewrite/index.js';
import { runStep, backendPid } from '../../src/engine/rewriteSteps.js';

// A few thousand rows in two tables the application writes; the same schema in two databases: one
// gets the file as written, the other its safe form, and both must end with the same schema.
const SETUP = `
CREATE TABLE "User" (id serial PRIMARY KEY, email text, name varchar(20), nick varchar(10), score int);
INSERT INTO "User" (email, name, nick, score) SELECT 'u' || g || '@x', 'n' || g, 'k' || (g % 100), g FROM generate_series(1, 3000) g;
CREATE TABLE "Post" (id serial PRIMARY KEY, "userId" int, title text);
INSERT INTO "Post" ("userId", title) SELECT 1 + g % 3000, 't' FROM generate_series(1, 3000) g;
CREATE TABLE "Tag" (id int, label text);
INSERT INTO "Tag" SELECT g, 'l' || g FROM generate_series(1, 3000) g;
ANALYZE;`;

const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const d of drops) await d();
});

async function twins(): Promise<{ written: string; safe: string }> {
  const a = await freshDatabase('rw_a');
  const b = await freshDatabase('rw_b');
  drops.push(a.drop, b.drop);
  await query(a.url, SETUP);
  await query(b.url, SETUP);
  return { written: a.url, safe: b.url };
}

/** The file as written on one twin, its safe form traced on the other: same schema, locks within claims. */
async function check(sql: string, opts: { batchRows?: number; prepareSafe?: (url: string) => Promise<void> } = {}) {
  const { written, safe } = await twins();
  await query(written, sql);
  if (opts.prepareSafe) await opts.prepareSafe(safe);
  const form = await formFor(safe, sql, opts.batchRows);
  const traced = await applyTraced(safe, form);
  expectLocksWithinClaims(traced);
  expect(await schemaOf(safe)).toEqual(await schemaOf(written));
  return { form, traced, written, safe };
}

const rules = (f: Awaited<ReturnType<typeof check>>['form']) => f.statements.map((s) => s.rule);

describe('safe rewrites, each on a real table', () => {
  it('CREATE [UNIQUE] INDEX is built CONCURRENTLY: writes go on while it waits, an INVALID leftover is dropped first', async () => {
    const sql = `CREATE UNIQUE INDEX "User_email_key" ON "User"("email");\nCREATE INDEX "Post_userId_idx" ON "Post"("userId");`;
    const { written, safe } = await twins();
    await query(written, sql);
    // An earlier attempt that stopped: an INVALID index of the same name.
    await query(safe, `INSERT INTO "User" (email) VALUES ('u1@x')`);
    await query(safe, `CREATE UNIQUE INDEX CONCURRENTLY "User_email_key" ON "User"("email")`).catch(() => undefined);
    await query(safe, `DELETE FROM "User" WHERE email = 'u1@x' AND id > 3000`);
    expect(
      await query(safe, `SELECT indisvalid FROM pg_index WHERE indexrelid = '"User_email_key"'::regclass`),
    ).toEqual([{ indisvalid: false }]);
    const form = await formFor(safe, sql);
    expect(rules(form)).toEqual(['index-concurrently', 'index-concurrently']);
    expect(stepsOf(form).map((s) => s.action.type === 'index' && s.action.sql)).toEqual([
      'CREATE UNIQUE INDEX CONCURRENTLY "User_email_key" ON "User"("email")',
      'CREATE INDEX CONCURRENTLY "Post_userId_idx" ON "Post"("userId")',
    ]);
    expectLongStepsHoldNothing(form);
    // A transaction with an old snapshot keeps each build waiting: meanwhile the application writes.
    const old = await client(safe);
    const app = await client(safe);
    let writes = 0;
    try {
      const traced = await applyTraced(safe, form, {
        during: async (pid) => {
          await old.query('BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM "Tag"');
          await waitUntil('the build to wait for the old snapshot', async () => {
            const r = await app.query(`SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1`, [pid]);
            return r.rows[0]?.wait_event_type === 'Lock';
          });
          await app.query("SET statement_timeout = '5s'");
          await app.query(`INSERT INTO "User" (email) VALUES ('w' || clock_timestamp())`);
          await app.query(`INSERT INTO "Post" ("userId") VALUES (1)`);
          writes += 2;
          await old.query('COMMIT');
        },
      });
      expect(writes).toBe(4);
      expectLocksWithinClaims(traced);
      // what the builds took, sampled while they waited
      expect(traced.map((t) => [...new Set(t.locks.filter((l) => l.granted).map((l) => modeName(l.mode)))])).toEqual([
        ['SHARE UPDATE EXCLUSIVE'],
        ['SHARE UPDATE EXCLUSIVE'],
      ]);
    } finally {
      await old.end();
      await app.end();
    }
    await query(safe, `DELETE FROM "User" WHERE id > 3000; DELETE FROM "Post" WHERE id > 3000`);
    expect(await schemaOf(safe)).toEqual(await schemaOf(written));
  });

  it('ADD FOREIGN KEY and ADD CHECK: NOT VALID, then VALIDATE in a transaction of its own', async () => {
    const { form, traced } = await check(
      `ALTER TABLE "Post" ADD CONSTRAINT "Post_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;\n` +
        `ALTER TABLE "User" ADD CONSTRAINT "User_score_check" CHECK (score > 0);`,
    );
    expect(rules(form)).toEqual(['constraint-not-valid', 'constraint-not-valid']);
    expectLongStepsHoldNothing(form);
    const sqls = stepsOf(form).map((s) => s.action.type === 'sql' && s.action.sql);
    expect(sqls[0]).toMatch(/NOT VALID$/);
    expect(sqls[1]).toBe('ALTER TABLE "Post" VALIDATE CONSTRAINT "Post_userId_fkey"');
    // the validations, traced before their COMMIT: no lock that stops a write on either table
    expect(traced[1]!.locks.map((l) => [l.relation, modeName(l.mode)]).sort()).toEqual([
      ['Post', 'ACCESS SHARE'],
      ['Post', 'SHARE UPDATE EXCLUSIVE'],
      ['User', 'ACCESS SHARE'],
      ['User', 'ROW SHARE'],
    ]);
    expect(traced[3]!.locks.map((l) => [l.relation, modeName(l.mode)]).filter(([, m]) => m !== 'ACCESS SHARE')).toEqual(
      [['User', 'SHARE UPDATE EXCLUSIVE']],
    );
  });

  it('ADD FOREIGN KEY NOT VALID waits for the referenced table first: an application writing parent then child is not caught in a lock cycle', async () => {
    const { safe } = await twins();
    const form = await formFor(
      safe,
      `ALTER TABLE "Post" ADD CONSTRAINT "Post_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id");`,
    );
    const add = stepsOf(form)[0]!;
    const app = await client(safe);
    const db = await client(safe);
    const watcher = await client(safe);
    try {
      // The application's usual order: the parent row, then the child's.
      await app.query('BEGIN');
      await app.query(`UPDATE "User" SET score = score + 1 WHERE id = 1`);
      const pid = await backendPid(db);
      const adding = runStep(db, add.action, { lockTimeoutMs: 10_000 });
      const waiting = async () =>
        (await watcher.query('SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted', [pid])).rowCount === 1;
      await waitUntil('the step waiting for the application', waiting);
      // While it waits for "User", it holds nothing on "Post" that the application's next write would queue behind.
      const held = await watcher.query(
        `SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
          WHERE l.pid = $1 AND l.granted AND c.relname = 'Post'`,
        [pid],
      );
      expect(held.rows).toEqual([]);
      // Before, the step held "Post" and waited for "User": this write closed a cycle and one side was killed.
      await app.query(`UPDATE "Post" SET title = 'x' WHERE id = 1`);
      await app.query('COMMIT');
      await adding;
      const fk = await watcher.query(`SELECT convalidated FROM pg_constraint WHERE conname = 'Post_userId_fkey'`);
      expect(fk.rows).toEqual([{ convalidated: false }]);
    } finally {
      await app.end();
      await db.end();
      await watcher.end();
    }
  });

  it('SET NOT NULL: a CHECK NOT VALID, VALIDATE, SET NOT NULL without a scan, the check dropped', async () => {
    const { form, traced } = await check(`ALTER TABLE "User" ALTER COLUMN "email" SET NOT NULL;`);
    expect(rules(form)).toEqual(['not-null-via-check']);
    expectLongStepsHoldNothing(form);
    expect(stepsOf(form).map((s) => [s.lock, s.scans])).toEqual([
      ['ACCESS EXCLUSIVE', false],
      ['SHARE UPDATE EXCLUSIVE', true],
      ['ACCESS EXCLUSIVE', false],
      ['ACCESS EXCLUSIVE', false],
    ]);
    expect(traced[1]!.locks.map((l) => modeName(l.mode)).filter((m) => m !== 'ACCESS SHARE')).toEqual([
      'SHARE UPDATE EXCLUSIVE',
    ]);
  });

  it('UNIQUE and PRIMARY KEY constraints: the unique index built concurrently, then ADD CONSTRAINT … USING INDEX', async () => {
    const { form } = await check(
      `ALTER TABLE "Tag" ADD CONSTRAINT "Tag_pkey" PRIMARY KEY ("id");\nALTER TABLE "Tag" ADD CONSTRAINT "Tag_label_key" UNIQUE ("label");`,
    );
    expect(rules(form)).toEqual(['unique-via-index', 'unique-via-index']);
    expectLongStepsHoldNothing(form);
    const sqls = stepsOf(form).map((s) => (s.action.type === 'backfill' ? '' : s.action.sql));
    expect(sqls[0]).toBe('CREATE UNIQUE INDEX CONCURRENTLY "Tag_pkey" ON "Tag" ("id")');
    // id is nullable: made NOT NULL through a validated check before it becomes the key
    expect(sqls.slice(1, 5).join('\n')).toMatch(/CHECK \("id" IS NOT NULL\) NOT VALID[\s\S]*SET NOT NULL/);
    expect(sqls[5]).toBe('ALTER TABLE "Tag" ADD CONSTRAINT "Tag_pkey" PRIMARY KEY USING INDEX "Tag_pkey"');
    expect(sqls[7]).toBe('ALTER TABLE "Tag" ADD CONSTRAINT "Tag_label_key" UNIQUE USING INDEX "Tag_label_key"');
  });

  it('widening type changes (varchar(n) to text, a larger n) are recognised as safe and left alone: no rewrite', async () => {
    const sql = `ALTER TABLE "User" ALTER COLUMN "name" SET DATA TYPE TEXT;\nALTER TABLE "User" ALTER COLUMN "nick" TYPE varchar(40);`;
    const before = await twins();
    const file = async (url: string) =>
      (await query<{ f: number }>(url, `SELECT relfilenode AS f FROM pg_class WHERE relname = 'User'`))[0]!.f;
    const form = await formFor(before.safe, sql);
    expect(rules(form)).toEqual(['widening', 'widening']);
    expect(stepsOf(form).every((s) => !s.rewrites && !s.scans)).toBe(true);
    const f0 = await file(before.safe);
    expectLocksWithinClaims(await applyTraced(before.safe, form));
    expect(await file(before.safe)).toBe(f0);
    await query(before.written, sql);
    expect(await schemaOf(before.safe)).toEqual(await schemaOf(before.written));
    // narrowing is not widening: it rewrites, so it gets the expand-and-contract form (rewrite-type.test.ts)
    const narrow = await formFor(before.safe, `ALTER TABLE "User" ALTER COLUMN "nick" TYPE varchar(5);`);
    expect(rules(narrow)).toEqual(['expand-contract']);
  });

  it('ADD COLUMN with a volatile default and NOT NULL: nullable column, default, batches by primary key, then NOT NULL', async () => {
    const sql = `ALTER TABLE "User" ADD COLUMN "token" UUID NOT NULL DEFAULT gen_random_uuid();`;
    const { form, traced, safe } = await check(sql, { batchRows: 700 });
    expect(rules(form)).toEqual(['add-column-backfill']);
    expectLongStepsHoldNothing(form);
    const sqls = stepsOf(form).map((s) => (s.action.type === 'backfill' ? 'backfill' : s.action.sql));
    expect(sqls.slice(0, 3)).toEqual([
      'ALTER TABLE "User" ADD COLUMN "token" UUID',
      'ALTER TABLE "User" ALTER COLUMN "token" SET DEFAULT gen_random_uuid()',
      'backfill',
    ]);
    // 3000 rows in batches that start at 700 and grow by at most 1.2x while they are fast (no fewer
    // than 4: 700 + 840 + 1008 < 3000): each batch its own transaction, holding rows only
    const batchLocks = traced[2]!.locks.map((l) => modeName(l.mode));
    const batches = batchLocks.filter((m) => m === 'ROW EXCLUSIVE').length;
    expect(batches).toBeGreaterThanOrEqual(4);
    expect(batches).toBeLessThanOrEqual(5);
    for (const m of batchLocks) expect(['ACCESS SHARE', 'ROW EXCLUSIVE']).toContain(m);
    // each row got its own value, as the volatile default gives it
    const [r] = await query<{ n: number; distinct: number }>(
      safe,
      `SELECT count(*)::int AS n, count(DISTINCT "token")::int AS distinct FROM "User" WHERE "token" IS NOT NULL`,
    );
    expect(r).toEqual({ n: 3000, distinct: 3000 });
  });

  it('ADD COLUMN … DEFAULT clock_timestamp(): the clock read once for the rows already there, no rewrite, no batches; new rows get the clock', async () => {
    const sql = `ALTER TABLE "User" ADD COLUMN "createdAt" TIMESTAMP(3) NOT NULL DEFAULT clock_timestamp();`;
    const file = async (url: string) =>
      (await query<{ f: number }>(url, `SELECT relfilenode AS f FROM pg_class WHERE relname = 'User'`))[0]!.f;
    const { written, safe } = await twins();
    const f0 = await file(safe);
    const [{ t: before }] = await query<{ t: string }>(safe, `SELECT localtimestamp(3)::text AS t`);
    const form = await formFor(safe, sql);
    expect(rules(form)).toEqual(['clock-read-once']);
    expect(stepsOf(form).map((s) => s.action.type === 'sql' && s.action.sql)).toEqual([
      'ALTER TABLE "User" ADD COLUMN "createdAt" TIMESTAMP(3) NOT NULL DEFAULT statement_timestamp()',
      'ALTER TABLE "User" ALTER COLUMN "createdAt" SET DEFAULT clock_timestamp()',
    ]);
    expect(stepsOf(form).every((s) => !s.scans && !s.rewrites && /for an instant/.test(s.holds))).toBe(true);
    expectLocksWithinClaims(await applyTraced(safe, form));
    // the table was not rewritten, and the rows already there share the time the first step ran
    expect(await file(safe)).toBe(f0);
    const [old] = await query<{ n: number; distinct: number; at: string }>(
      safe,
      `SELECT count(*)::int AS n, count(DISTINCT "createdAt")::int AS distinct, min("createdAt")::text AS at FROM "User"`,
    );
    expect(old).toMatchObject({ n: 3000, distinct: 1 });
    expect(old!.at >= before).toBe(true);
    // new rows get the clock as the file as written gives it: each its own instant
    await query(
      safe,
      `INSERT INTO "User" (email) VALUES ('a'); SELECT pg_sleep(0.01); INSERT INTO "User" (email) VALUES ('b')`,
    );
    const [fresh] = await query<{ distinct: number; after: boolean }>(
      safe,
      `SELECT count(DISTINCT "createdAt")::int AS distinct, bool_and("createdAt" > $1::timestamp) AS after FROM "User" WHERE id > 3000`,
      [old!.at],
    );
    expect(fresh).toEqual({ distinct: 2, after: true });
    await query(safe, `DELETE FROM "User" WHERE id > 3000`);
    await query(written, sql);
    expect(await schemaOf(safe)).toEqual(await schemaOf(written));
    // a default volatile for more than the clock still needs its batches
    const mixed = await formFor(
      safe,
      `ALTER TABLE "Post" ADD COLUMN "at" TIMESTAMP(3) DEFAULT clock_timestamp() + random() * interval '1 s';`,
    );
    expect(rules(mixed)).toEqual(['add-column-backfill']);
    // as is one that calls a function of the database, which may be volatile too
    await query(
      safe,
      `CREATE FUNCTION jitter() RETURNS interval LANGUAGE sql VOLATILE AS $$ SELECT random() * interval '1 s' $$`,
    );
    const own = await formFor(
      safe,
      `ALTER TABLE "Post" ADD COLUMN "at" TIMESTAMP(3) DEFAULT clock_timestamp() + jitter();`,
    );
    expect(rules(own)).toEqual(['add-column-backfill']);
    const truncated = await formFor(
      safe,
      `ALTER TABLE "Post" ADD COLUMN "at" TIMESTAMP(3) DEFAULT date_trunc('second', clock_timestamp());`,
    );
    expect(rules(truncated)).toEqual(['clock-read-once']);
    expect(stepsOf(truncated)[0]!.action).toMatchObject({
      sql: `ALTER TABLE "Post" ADD COLUMN "at" TIMESTAMP(3) DEFAULT date_trunc('second', statement_timestamp())`,
    });
  });

  it('a type change that rewrites the table and has no expand-and-contract form (a key) says what the application must do and runs as written, without pretending', async () => {
    const { form } = await check(`ALTER TABLE "Post" ALTER COLUMN "id" SET DATA TYPE BIGINT;`);
    expect(rules(form)).toEqual(['type-rewrite']);
    const [s] = form.statements;
    expect(s!.note).toMatch(/id is used by constraint Post_pkey on table "Post"/);
    expect(s!.note).toMatch(/have the application write both/);
    expect(s!.steps).toHaveLength(1);
    expect(s!.steps[0]).toMatchObject({ lock: 'ACCESS EXCLUSIVE', rewrites: true });
    expect(s!.steps[0]!.holds).toMatch(/reads and writes, for the whole step/);
  });

  it('a table the run creates is left as written: nobody waits on it', async () => {
    const { form } = await check(`CREATE TABLE "New" (id int, x text);\nCREATE INDEX "New_x_idx" ON "New"("x");`);
    expect(rules(form)).toEqual(['as-written', 'as-written']);
  });
});
