// The replication health queries' server time per refresh (issue 29, target <= 0.5 ms): a primary
// with one streaming standby and one inactive slot (test/helpers/standby.ts), the five queries of
// monitor/replication.ts run as the monitor runs them, each timed by the server with EXPLAIN
// (ANALYZE) (planning and execution apart: the monitor prepares its statements, so it plans once
// per session), median and p95 over 200 refreshes.
import pg from 'pg';
import { startReplicated } from '../test/helpers/standby.js';
import { sqlFile } from '../src/postgres/sqlFiles.js';
import { REPLICATION_QUERIES } from '../src/monitor/replication.js';

const REFRESHES = 200;
const r = await startReplicated();
try {
  await r.primary.createDatabase('app');
  const c = new pg.Client({ connectionString: r.primary.url('app') });
  await c.connect();
  await c.query(`SELECT pg_create_physical_replication_slot('bench_slot', true)`);
  await c.query('CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 10000) g');
  const perRefresh: { planning: number; execution: number }[] = [];
  const perQuery = new Map<string, number[]>(REPLICATION_QUERIES.map((q) => [q, []]));
  for (let i = 0; i < REFRESHES; i++) {
    let planning = 0;
    let execution = 0;
    for (const name of REPLICATION_QUERIES) {
      const text = sqlFile(name).replace(/^\s*--.*$/gm, '');
      const plan = (await c.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`)).rows[0]['QUERY PLAN'][0];
      planning += plan['Planning Time'];
      execution += plan['Execution Time'];
      perQuery.get(name)!.push(plan['Execution Time']);
    }
    perRefresh.push({ planning, execution });
  }
  await c.end();
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const exec = perRefresh.map((x) => x.execution);
  const plan = perRefresh.map((x) => x.planning);
  console.log(
    JSON.stringify(
      {
        bench: 'replicas: health queries per refresh (5 queries, 1 standby, 1 slot)',
        refreshes: REFRESHES,
        executionMs: { median: round(pct(exec, 0.5)), p95: round(pct(exec, 0.95)) },
        planningMs: { median: round(pct(plan, 0.5)), p95: round(pct(plan, 0.95)) },
        executionMedianMsByQuery: Object.fromEntries([...perQuery].map(([q, xs]) => [q, round(pct(xs, 0.5))])),
        targetExecutionMs: 0.5,
        met: pct(exec, 0.5) <= 0.5,
      },
      null,
      2,
    ),
  );
} finally {
  await r.stop();
}
