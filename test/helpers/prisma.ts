import { execa } from 'execa';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ORACLE_DIR = fileURLToPath(new URL('../prisma-oracle/', import.meta.url));
const PRISMA_BIN = fileURLToPath(new URL('../../node_modules/.bin/prisma', import.meta.url));

/** What `prisma migrate status` printed, and the states it implies per migration name. */
export interface PrismaStatus {
  exitCode: number;
  output: string;
  pending: string[];
  failed: string[];
  modified: string[];
  missingLocally: string[];
  upToDate: boolean;
}

/** What Prisma prints once its writes are committed. */
const WRITTEN = /marked as (applied|rolled back)\.|All migrations have been successfully applied\./;

/** Runs the real Prisma CLI offline (DESIGN section 3): the JS schema engine via @prisma/adapter-pg. */
export async function prisma(
  args: string[],
  databaseUrl: string,
  migrationsDir: string,
  opts: { env?: Record<string, string> } = {},
) {
  const child = execa(PRISMA_BIN, [...args, '--config', path.join(ORACLE_DIR, 'prisma.config.ts')], {
    cwd: ORACLE_DIR,
    reject: false,
    stdin: 'ignore',
    timeout: 60_000,
    // A clean environment: nothing of the test runner's leaks into the oracle.
    extendEnv: false,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      ORACLE_DATABASE_URL: databaseUrl,
      ORACLE_MIGRATIONS_DIR: path.resolve(migrationsDir),
      PRISMA_SCHEMA_ENGINE_BINARY: '/bin/true',
      PRISMA_QUERY_ENGINE_LIBRARY: '/bin/true',
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
      NO_COLOR: '1',
      ...opts.env,
    },
    all: true,
  });
  // After a successful `migrate resolve` or `migrate deploy` the CLI idles about 10 s before it exits
  // (measured: 10.5 s and 11.1 s against 0.6 s for `status`); the writes are committed once it says
  // so, so we do not wait for that.
  let all = '';
  child.all?.on('data', (chunk: Buffer) => {
    all += chunk.toString();
    if (WRITTEN.test(all)) setTimeout(() => child.kill('SIGTERM'), 150);
  });
  const r = await child;
  const output = r.all ?? all;
  const done = WRITTEN.test(output);
  return { exitCode: done ? 0 : (r.exitCode ?? -1), output };
}

/** Lines of migration names that follow a heading, up to the next blank line. */
function namesAfter(output: string, heading: RegExp): string[] {
  const lines = output.split('\n');
  const i = lines.findIndex((l) => heading.test(l));
  if (i < 0) return [];
  const out: string[] = [];
  for (let j = i + 1; j < lines.length; j++) {
    const l = lines[j]!.trim();
    if (!l) {
      if (out.length) break;
      continue;
    }
    if (/\s/.test(l)) break;
    out.push(l);
  }
  return out;
}

/**
 * The migrations Prisma's own diagnosis finds edited after they were applied. `migrate status` prints
 * nothing about them, but computes them (diagnoseMigrationHistory) and shows that result in its debug log.
 */
function editedIn(output: string): string[] {
  const m = /"diagnoseResult": ("(?:[^"\\]|\\.)*")/.exec(output);
  if (!m) throw new Error(`prisma migrate status showed no diagnosis (DEBUG=prisma:migrate:status):\n${output}`);
  return (JSON.parse(JSON.parse(m[1]!)) as { editedMigrationNames: string[] }).editedMigrationNames;
}

export async function prismaStatus(databaseUrl: string, migrationsDir: string): Promise<PrismaStatus> {
  const { exitCode, output } = await prisma(['migrate', 'status'], databaseUrl, migrationsDir, {
    env: { DEBUG: 'prisma:migrate:status' },
  });
  return {
    exitCode,
    output,
    pending: namesAfter(output, /have not yet been applied/),
    failed: namesAfter(output, /have failed/),
    modified: editedIn(output),
    missingLocally: namesAfter(output, /missing from the local migrations directory/),
    upToDate: /Database schema is up to date/.test(output),
  };
}
