// `rehearse` against `run` of the same ~160 small migrations on an empty target (issue 26: the
// rehearsal must cost at most 2x the run). Alternating pairs, each on a fresh empty database; the
// rehearsal's own JSON says where its time went (scratch copy, migrations, the rest).
import { execa } from 'execa';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../src/sandbox/embedded.js';
import { generateCorpus } from './corpus.js';

const BIN = fileURLToPath(new URL('../bin/citadel-migrate', import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);

export async function benchRehearse(): Promise<Record<string, unknown>> {
  const sandbox = await startSandbox({ settings: { fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on' } });
  const corpus = generateCorpus(160);
  const env = { PGPASSWORD: sandbox.password, CITADEL_JOURNAL_DIR: `${corpus}-journal` };
  const runs: number[] = [];
  const rehearsals: number[] = [];
  let where: Record<string, number> = {};
  try {
    for (let i = 0; i < PAIRS; i++) {
      for (const which of i % 2 ? ['rehearse', 'run'] : ['run', 'rehearse']) {
        const db = `bench_${which}_${i}`;
        await sandbox.createDatabase(db);
        const t0 = performance.now();
        const r = await execa(
          'node',
          [BIN, which, ...(which === 'run' ? ['--yes'] : ['--json']), '--migrations', corpus],
          { env: { ...env, DATABASE_URL: sandbox.url(db) }, stdin: 'ignore' },
        );
        const ms = performance.now() - t0;
        if (which === 'run') runs.push(ms);
        else {
          rehearsals.push(ms);
          const doc = JSON.parse(r.stdout) as {
            copyMs: number;
            durationMs: number;
            migrations: { durationMs: number }[];
          };
          const migrationsMs = doc.migrations.reduce((n, m) => n + m.durationMs, 0);
          where = {
            processMs: Math.round(ms),
            rehearsalMs: doc.durationMs,
            scratchCopyMs: doc.copyMs,
            migrationsSqlMs: migrationsMs,
            otherMs: doc.durationMs - doc.copyMs - migrationsMs,
          };
        }
        await sandbox.dropDatabase(db);
      }
    }
  } finally {
    await sandbox.stop();
    rmSync(corpus, { recursive: true, force: true });
    rmSync(env.CITADEL_JOURNAL_DIR, { recursive: true, force: true });
  }
  const run = median(runs);
  const rehearse = median(rehearsals);
  return {
    migrations: 160,
    runMs: Math.round(run),
    rehearseMs: Math.round(rehearse),
    ratio: Number((rehearse / run).toFixed(2)),
    target: 'ratio <= 2',
    lastRehearsal: where,
    allRunMs: runs.map(Math.round),
    allRehearseMs: rehearsals.map(Math.round),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchRehearse(), null, 2));
}
