import { execa, type ResultPromise } from 'execa';
import type pg from 'pg';
import { client, query } from './db.js';
import { makeMigrations } from './folders.js';
import { BIN, CLI_ENV } from './cli.js';
import { waitUntil } from './wait.js';

// A real CREATE INDEX CONCURRENTLY that runs for as long as the test wants: the index expression
// calls gate(), which waits (pg_sleep, no lock wait: lock_timeout and the run's watcher see nothing
// blocking) while the test's session holds advisory lock 4242. The build is a live backend of a
// `citadel-migrate run` in a second process, as another terminal's run is.

export const GATE_KEY = 4242;

export interface GatedBuild {
  dir: string;
  run: ResultPromise;
  /** The run's backend building the index. */
  backendPid: number;
  open(): Promise<void>;
  close(): Promise<void>;
}

/** The table, gate() and a folder with one CONCURRENTLY migration (NAME); the gate starts closed. */
export async function gateSetup(url: string, name = '1_gate_idx'): Promise<{ dir: string; open: () => Promise<void> }> {
  await query(
    url,
    `CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 200);
    CREATE FUNCTION gate(x int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
    BEGIN
      WHILE NOT pg_try_advisory_lock_shared(${GATE_KEY}) LOOP PERFORM pg_sleep(0.02); END LOOP;
      PERFORM pg_advisory_unlock_shared(${GATE_KEY});
      RETURN x;
    END $$;`,
  );
  const dir = makeMigrations({ [name]: 'CREATE INDEX CONCURRENTLY t_gate_idx ON t (gate(id));' });
  const keeper: pg.Client = await client(url);
  await keeper.query('SELECT pg_advisory_lock($1)', [GATE_KEY]);
  let opened = false;
  const open = async () => {
    if (opened) return;
    opened = true;
    await keeper.query('SELECT pg_advisory_unlock($1)', [GATE_KEY]);
    await keeper.end();
  };
  return { dir, open };
}

/** The backend building an index in this database, once there is one. */
export const builderPid = (url: string) =>
  waitUntil(
    'the index build to start',
    async () => {
      const r = await query<{ pid: number }>(
        url,
        `SELECT pid FROM pg_stat_progress_create_index WHERE datid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      return r[0]?.pid;
    },
    20_000,
  );

export async function startGatedBuild(url: string, env: Record<string, string>): Promise<GatedBuild> {
  const { dir, open } = await gateSetup(url);
  const run = execa('node', [BIN, 'run', '--yes', '--database-url', url, '--migrations', dir], {
    reject: false,
    stdin: 'ignore',
    env: { ...CLI_ENV, ...env },
  });
  const backendPid = await builderPid(url);
  return {
    dir,
    run,
    backendPid,
    open,
    close: async () => {
      await open();
      run.kill();
      await run;
    },
  };
}
