// The data preflight's cost on a 1-million-row table: each kind of check alone (median of 3), on
// clean data (the common case: every row is read, none is shown), on a durable local server.
import pg from 'pg';
import { startSandbox } from '../src/sandbox/embedded.js';
import { splitStatements } from '../src/engine/split.js';
import { preflightChecks } from '../src/analysis/preflight-checks.js';
import { runPreflight } from '../src/analysis/preflight.js';

const ROWS = 1_000_000;
const CASES: Record<string, string> = {
  'SET NOT NULL': 'ALTER TABLE "Order" ALTER COLUMN "note" SET NOT NULL;',
  'CREATE UNIQUE INDEX': 'CREATE UNIQUE INDEX "Order_ref_key" ON "Order"("ref");',
  'ADD FOREIGN KEY':
    'ALTER TABLE "Order" ADD CONSTRAINT "Order_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id");',
  'ADD CHECK': 'ALTER TABLE "Order" ADD CONSTRAINT "Order_total_positive" CHECK ("total" >= 0);',
  'TYPE varchar(64)': 'ALTER TABLE "Order" ALTER COLUMN "note" SET DATA TYPE VARCHAR(64);',
  'TYPE bigint (cast)': 'ALTER TABLE "Order" ALTER COLUMN "total" SET DATA TYPE BIGINT;',
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const sandbox = await startSandbox();
  await sandbox.createDatabase('preflight');
  const db = new pg.Client({ connectionString: sandbox.url('preflight') });
  await db.connect();
  try {
    await db.query(`CREATE TABLE "Customer" (id int PRIMARY KEY);
      INSERT INTO "Customer" SELECT g FROM generate_series(1, 10000) g;
      CREATE TABLE "Order" (id bigint PRIMARY KEY, ref text, "customerId" int, total int, note text);
      INSERT INTO "Order" SELECT g, 'R' || g, 1 + g % 10000, g % 1000, 'note ' || g FROM generate_series(1, ${ROWS}) g;`);
    await db.query('VACUUM ANALYZE "Order"');
    await db.query('VACUUM ANALYZE "Customer"');
    const size = (await db.query(`SELECT pg_size_pretty(pg_total_relation_size('"Order"')) AS s`)).rows[0].s;
    const results: Record<string, number> = {};
    for (const [label, sql] of Object.entries(CASES)) {
      const checks = preflightChecks([{ name: 'm', sql, statements: await splitStatements(sql) }], () => true);
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const r = await runPreflight(db, checks, { statementTimeoutMs: 60_000 });
        times.push(performance.now() - t0);
        if (r.findings.length) throw new Error(`${label}: unexpected finding ${r.findings[0]!.message}`);
      }
      results[label] = Math.round(median(times));
    }
    console.log(
      JSON.stringify(
        { rows: ROWS, tableSize: size, msPerCheck: results, statementTimeoutInPlan: '5 s per check' },
        null,
        2,
      ),
    );
  } finally {
    await db.end();
    await sandbox.stop();
  }
}

await main();
