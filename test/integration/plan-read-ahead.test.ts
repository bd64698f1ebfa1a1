// Issue 25: the console reads the run dialog's plan ahead, and the Locks pane the tables of the next
// migration; a single migration of tens of thousands of statements was parsed and analysed in one
// synchronous piece on the console's main loop, so q waited seconds for it. The reads the console
// makes (operations/consoleReads.ts), timed from the main loop: its longest stall while the script is
// read must be far shorter than one parse of that script on this machine, whatever the machine's speed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { client, freshDatabase } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { readMigrationsFolder, type MigrationsFolder } from '../../src/runbook/folder.js';
import { splitStatements } from '../../src/engine/split.js';
import { readPlan, statementsOf, tablesOf } from '../../src/operations/consoleReads.js';

const STATEMENTS = 12_000;

let db: Awaited<ReturnType<typeof freshDatabase>>;
let conn: pg.Client;
let folder: MigrationsFolder;
/** One parse of the script on the main loop, now, on this machine (ms): the bound's unit. */
let parseMs: number;

beforeAll(async () => {
  db = await freshDatabase('plan_ahead');
  conn = await client(db.url);
  const sql = Array.from(
    { length: STATEMENTS },
    (_, i) => `CREATE TABLE big_${i} (id int PRIMARY KEY, name text NOT NULL DEFAULT 'x');`,
  ).join('\n');
  folder = await readMigrationsFolder(makeMigrations({ '20260101000000_big': sql }));
  await splitStatements('SELECT 1'); // the parser's first load is not the parse
  // The shorter of two parses: a moment the machine took the CPU away does not widen the bound.
  parseMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    await splitStatements(sql);
    parseMs = Math.min(parseMs, performance.now() - t0);
  }
}, 120_000);

afterAll(async () => {
  await conn?.end();
  await db?.drop();
});

/** The work's result and the longest time the main loop did not get a turn while it ran. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  let last = performance.now();
  let worst = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 2);
  try {
    const result = await work();
    return { result, stallMs: Math.max(worst, performance.now() - last) };
  } finally {
    clearInterval(tick);
  }
}

describe("the console's reads of a huge migration leave its main loop free (q is handled)", {
  timeout: 180_000,
}, () => {
  it('the run dialog’s plan, read ahead', async () => {
    const { result, stallMs } = await longestStall(() => readPlan(conn, folder, new AbortController().signal));
    expect(result.migrations[0]!.statements).toHaveLength(STATEMENTS);
    expect(result.migrations[0]!.statements[STATEMENTS - 1]!.line).toBe(STATEMENTS);
    expect(stallMs, `longest stall, against one parse of ${Math.round(parseMs)} ms`).toBeLessThan(parseMs / 2);
  });

  it('a plan read ahead ends when the console closes, without waiting for the parse', async () => {
    const closing = new AbortController();
    const reading = readPlan(conn, folder, closing.signal);
    let closedAt = 0;
    // The console closes while the script is being parsed; the read must end before a parse could have.
    const close = setTimeout(() => {
      closedAt = performance.now();
      closing.abort();
    }, 50);
    const outcome = await reading.then(
      () => 'read',
      (err: Error) => err.message,
    );
    clearTimeout(close);
    expect(outcome).toMatch(/stopped/);
    expect(closedAt, 'the close was handled while the read was on its way').toBeGreaterThan(0);
  });

  it('the tables the next migration locks (Locks pane) and its statements (details view)', async () => {
    const tables = await longestStall(() => tablesOf(folder.migrations[0]!));
    expect(tables.result.size).toBe(0); // it creates its tables: it locks none that exist
    expect(tables.stallMs, `longest stall, against one parse of ${Math.round(parseMs)} ms`).toBeLessThan(parseMs / 2);
    const m = folder.migrations[0]!;
    const statements = await longestStall(() => statementsOf(m.sql, `${m.name}/migration.sql`));
    expect(statements.result).toHaveLength(STATEMENTS);
    expect(statements.result[1]).toMatchObject({ line: 2, sql: expect.stringMatching(/^CREATE TABLE big_1 \(/) });
    expect(statements.stallMs, `longest stall, against one parse of ${Math.round(parseMs)} ms`).toBeLessThan(
      parseMs / 2,
    );
  });
});
