// Named prepared statements sent in one round trip (src/postgres/preparedBatch.ts), on a real server:
// the rows are those db.query returns, an error leaves the session usable, and a statement the
// session does not hold is told apart (what a transaction-mode pooler causes).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { freshDatabase } from '../helpers/db.js';
import { parseTarget } from '../../src/postgres/target.js';
import { connect, type Db } from '../../src/postgres/connect.js';
import { preparedStatementLost, sendPrepared, statementName } from '../../src/postgres/preparedBatch.js';

const TEXTS = [
  `SELECT count(*) AS n, now() AS at, array_agg(g ORDER BY g) AS ids, NULL::text AS nothing, true AS yes, 1.50::numeric AS price FROM generate_series(1, 3) g`,
  `SELECT 'a' AS name WHERE false`,
  `-- a comment first, as in the sql/ files
   SELECT oid::regclass::text AS rel, relkind FROM pg_class WHERE relname IN ('pg_class', 'pg_proc') ORDER BY 1`,
];
const batch = (texts: string[], parse = true) => texts.map((text) => ({ name: statementName(text), text, parse }));

describe('prepared batches', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let db: Db;
  beforeAll(async () => {
    database = await freshDatabase('prepared');
    db = await connect(parseTarget(database.url));
  });
  afterAll(async () => {
    await db?.end();
    await database?.drop();
  });

  it('returns for each statement the rows db.query returns, typed alike, prepared once and then only executed', async () => {
    const expected = [];
    for (const t of TEXTS) expected.push((await db.query(t)).rows);
    // now() differs from one transaction to the next; every other value and type is the same
    expected[0] = expected[0]!.map((r) => ({ ...r, at: expect.any(Date) }));
    expect(expected[0]).toEqual([
      { n: 3, at: expect.any(Date), ids: [1, 2, 3], nothing: null, yes: true, price: '1.50' },
    ]);

    const first = await sendPrepared(db, batch(TEXTS));
    const again = await sendPrepared(db, batch(TEXTS, false));
    expect(first.map((r) => r.rows)).toEqual(expected);
    expect(again.map((r) => r.rows)).toEqual(expected);
    const held = (await db.query(`SELECT name FROM pg_prepared_statements`)).rows.map((r) => r.name);
    expect(held).toEqual(expect.arrayContaining(TEXTS.map(statementName)));

    // one implicit transaction for the lot: every statement sees the same now()
    const [a, b] = await sendPrepared(db, batch([`SELECT now() AS t`, `SELECT pg_sleep(0.01), now() AS t`]));
    expect(a!.rows[0].t).toEqual(b!.rows[0].t);
  });

  it('rejects with the first error, leaves the session usable, and prepares again without tripping on what the failed batch left', async () => {
    const texts = [TEXTS[0]!, `SELECT 1 / (SELECT count(*) FROM pg_class WHERE false) AS boom`, TEXTS[2]!];
    await expect(sendPrepared(db, batch(texts))).rejects.toMatchObject({ code: '22012' });
    expect((await db.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    expect(db.getTransactionStatus()).toBe('I');
    // the first statement's Parse succeeded before the error: parsing it again is no 42P05
    const results = await sendPrepared(db, batch([TEXTS[0]!, TEXTS[2]!]));
    expect(results.map((r) => r.rows.length)).toEqual([1, 2]);
  });

  it('tells a statement the session does not hold (26000) from other errors, and the session stays usable', async () => {
    const missing = await sendPrepared(db, [{ name: 'citadel_never_prepared', text: 'SELECT 1', parse: false }]).catch(
      (e: unknown) => e,
    );
    expect(missing).toMatchObject({ code: '26000' });
    expect(preparedStatementLost(missing)).toBe(true);
    expect(preparedStatementLost(Object.assign(new Error('x'), { code: '42P05' }))).toBe(true);
    expect(preparedStatementLost(Object.assign(new Error('x'), { code: '57014' }))).toBe(false);
    expect((await db.query('SELECT 2 AS ok')).rows).toEqual([{ ok: 2 }]);
  });
});
