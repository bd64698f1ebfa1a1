// `run` against psql applying the same files (BEGIN; \i file; COMMIT; each, no bookkeeping):
// median of 3 alternating pairs, each on a fresh database. Target: ratio <= 1.25 (must be <= 1.5).
import { execa } from 'execa';
import { readdirSync, writeFileSync, statSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../src/sandbox/embedded.js';
import { generateCorpus } from './corpus.js';

const BIN = fileURLToPath(new URL('../bin/citadel-migrate', import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchEngine(): Promise<Record<string, unknown>> {
  // Durable settings, as on a production server: every COMMIT reaches the disk, for both sides.
  const sandbox = await startSandbox({ settings: { fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on' } });
  const corpus = generateCorpus(160);
  const folders = readdirSync(corpus)
    .filter((f) => statSync(path.join(corpus, f)).isDirectory())
    .sort();
  const script = path.join(corpus, 'psql-all.sql');
  writeFileSync(script, folders.map((f) => `BEGIN;\n\\i ${path.join(corpus, f, 'migration.sql')}\nCOMMIT;\n`).join(''));
  const env = { PGPASSWORD: sandbox.password, CITADEL_JOURNAL_DIR: `${corpus}-journal` };
  const console_: number[] = [];
  const psql: number[] = [];
  // The same run without the parse cache (src/engine/parseCache.ts): a first run of these files.
  const cold: number[] = [];
  try {
    // The warm figure is a run of files run (or rehearsed) before with this build: one untimed run first.
    await sandbox.createDatabase('bench_warm');
    await execa('node', [BIN, 'run', '--yes', '--migrations', corpus], {
      env: { ...env, DATABASE_URL: sandbox.url('bench_warm') },
      stdin: 'ignore',
    });
    await sandbox.dropDatabase('bench_warm');
    for (let i = 0; i < 3; i++) {
      for (const which of i % 2 ? ['psql', 'cold', 'console'] : ['console', 'cold', 'psql']) {
        const db = `bench_${which}_${i}`;
        await sandbox.createDatabase(db);
        // CREATE and DROP DATABASE leave the server writing back a checkpoint's pages: let that
        // finish before either side is timed, so neither pays for the other's cleanup.
        await execa(
          'psql',
          ['-X', '-q', '-h', '127.0.0.1', '-p', String(sandbox.port), '-U', 'postgres', '-d', db, '-c', 'CHECKPOINT'],
          { env },
        );
        await new Promise((r) => setTimeout(r, 300));
        const t0 = performance.now();
        if (which === 'console' || which === 'cold') {
          await execa('node', [BIN, 'run', '--yes', '--migrations', corpus], {
            env: { ...env, DATABASE_URL: sandbox.url(db), ...(which === 'cold' ? { CITADEL_PARSE_CACHE: 'off' } : {}) },
            stdin: 'ignore',
          });
          (which === 'cold' ? cold : console_).push(performance.now() - t0);
        } else {
          await execa(
            'psql',
            [
              '-X',
              '-q',
              '-v',
              'ON_ERROR_STOP=1',
              '-h',
              '127.0.0.1',
              '-p',
              String(sandbox.port),
              '-U',
              'postgres',
              '-d',
              db,
              '-f',
              script,
            ],
            { env },
          );
          psql.push(performance.now() - t0);
        }
        await sandbox.dropDatabase(db);
      }
    }
  } finally {
    await sandbox.stop();
    rmSync(corpus, { recursive: true, force: true });
    rmSync(env.CITADEL_JOURNAL_DIR, { recursive: true, force: true });
  }
  const c = median(console_);
  const p = median(psql);
  // The two runs of a pair are seconds apart, so their ratio is the least touched by this
  // machine's speed drifting between pairs: reported beside the ratio of the medians.
  const pairRatios = console_.map((ms, i) => Number((ms / psql[i]!).toFixed(2)));
  return {
    migrations: folders.length,
    consoleMs: Math.round(c),
    psqlMs: Math.round(p),
    ratio: Number((c / p).toFixed(2)),
    medianPairRatio: median(pairRatios),
    pairRatios,
    // without the parse cache, as the first run of files never run or rehearsed here
    coldMs: Math.round(median(cold)),
    coldRatio: Number((median(cold) / p).toFixed(2)),
    coldPairRatios: cold.map((ms, i) => Number((ms / psql[i]!).toFixed(2))),
    target: 'ratio <= 1.25 (must be <= 1.5)',
    allConsoleMs: console_.map(Math.round),
    allPsqlMs: psql.map(Math.round),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchEngine(), null, 2));
}
