// A run that retries many times behind a lock holder leaves nothing behind per attempt: the abort
// signal it is given (the console's q, the CLI's Ctrl-C) carries at most a couple of listeners at
// any moment, none after the run, and Node never warns of a listener leak (the console once showed
// "MaxListenersExceededWarning: Possible EventTarget memory leak detected" on its message line).
import { describe, expect, test } from 'vitest';
import { getEventListeners } from 'node:events';
import { rmSync } from 'node:fs';
import { freshDatabase, client } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli } from '../helpers/cli.js';
import { runMigrations } from '../../src/engine/run.js';
import { EventStream } from '../../src/engine/events.js';
import { parseTarget } from '../../src/postgres/target.js';
import { readMigrationsFolder } from '../../src/runbook/folder.js';
import { diagnoseFailure } from '../../src/analysis/hint.js';

describe('lock retries and listeners', () => {
  test('15 retries behind a holder: no listener left per attempt, no warning', async () => {
    const db = await freshDatabase('listeners');
    const dir = makeMigrations({ '1_t': 'CREATE TABLE t (id int);', '2_alter': 'ALTER TABLE t ADD COLUMN note text;' });
    const holder = await client(db.url);
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      expect((await cli(['run', '--yes', '--to', '1_t', '--database-url', db.url, '--migrations', dir])).exitCode).toBe(
        0,
      );
      await holder.query('BEGIN; SELECT * FROM t;'); // idle in transaction with ACCESS SHARE on t

      const abort = new AbortController();
      let most = 0;
      const sample = setInterval(() => (most = Math.max(most, getEventListeners(abort.signal, 'abort').length)), 5);
      const events = new EventStream();
      let retries = 0;
      events.on((e) => void (e.type === 'retry' && retries++));
      const r = await runMigrations({
        target: parseTarget(db.url),
        folder: await readMigrationsFolder(dir),
        events,
        lockTimeoutMs: 10,
        lockRetries: 15,
        signal: abort.signal,
        diagnose: diagnoseFailure,
      }).finally(() => clearInterval(sample));

      expect(r.outcome).toBe('failed');
      expect(retries).toBe(15);
      expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
      expect(most).toBeLessThanOrEqual(3);
      // Node reports a leak on the next tick after the eleventh listener.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => /MaxListeners/.test(w))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await holder.end();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
