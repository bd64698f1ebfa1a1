import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase } from '../helpers/db.js';
import { cli, json } from '../helpers/cli.js';
import { startGatedBuild } from '../helpers/gatedBuild.js';

describe('status while another terminal runs a CREATE INDEX CONCURRENTLY migration', () => {
  it('says running (pid, statement, phase, percent), the INVALID index is being built, no drop advice; failed only once no backend owns it', async () => {
    const db = await freshDatabase('st_running');
    const env = { CITADEL_JOURNAL_DIR: mkdtempSync(path.join(os.tmpdir(), 'cm-st-running-')) };
    // status runs from another journal, as from another host: the server alone must tell.
    const otherEnv = { CITADEL_JOURNAL_DIR: mkdtempSync(path.join(os.tmpdir(), 'cm-st-other-')) };
    const build = await startGatedBuild(db.url, env);
    try {
      const st = await cli(['status', '--database-url', db.url, '--migrations', build.dir], { env: otherEnv });
      expect(st.exitCode, st.stderr).toBe(0);
      expect(st.stdout).toMatch(/1 migrations \(1 running\)/);
      expect(st.stdout).toMatch(/▶ +1_gate_idx +running/);
      expect(st.stdout).toMatch(
        new RegExp(
          `1_gate_idx: running on backend pid ${build.backendPid} since .* UTC: statement 1 of 1, building index: scanning table \\d+%`,
        ),
      );
      expect(st.stdout).toMatch(
        new RegExp(
          `index t_gate_idx is being built by pid ${build.backendPid} \\(building index: scanning table, \\d+%\\)`,
        ),
      );
      expect(st.stdout).not.toMatch(/failed|FAILED|DROP INDEX|rollback|skip/);

      const sj = json(
        await cli(['status', '--json', '--database-url', db.url, '--migrations', build.dir], { env: otherEnv }),
      );
      expect(sj.migrations[0]).toMatchObject({
        name: '1_gate_idx',
        state: 'running',
        running: { pid: build.backendPid, statement: { index: 1, count: 1 }, phase: 'building index: scanning table' },
      });
      expect(typeof sj.migrations[0].running.percent).toBe('number');
      expect(Date.parse(sj.migrations[0].running.startedAt)).toBeGreaterThan(Date.now() - 60_000);
      expect(sj.invalidIndexes).toBeUndefined();
      expect(sj.indexesBeingBuilt).toEqual([
        {
          name: 't_gate_idx',
          pid: build.backendPid,
          phase: 'building index: scanning table',
          percent: expect.any(Number),
        },
      ]);

      const ck = json(
        await cli(
          [
            'check',
            '--json',
            '--database-url',
            db.url,
            '--migrations',
            build.dir,
            '--backup-dir',
            env.CITADEL_JOURNAL_DIR,
          ],
          { env: otherEnv },
        ),
      );
      const item = ck.items.find((i: { id: string }) => i.id === 'env.migration-status');
      expect(item.evidence).toMatch(new RegExp(`running: 1_gate_idx \\(pid ${build.backendPid}`));
      expect(item.evidence).not.toMatch(/failed|rollback or skip/);

      await build.open();
      const done = await build.run;
      expect(done.exitCode, String(done.stderr)).toBe(0);
      const after = json(
        await cli(['status', '--json', '--database-url', db.url, '--migrations', build.dir], { env: otherEnv }),
      );
      expect(after.migrations[0].state).toBe('applied');
    } finally {
      await build.close();
      await db.drop();
    }
  }, 90_000);
});
