import { describe, it, expect } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, json, BIN } from '../helpers/cli.js';
import { prismaStatus } from '../helpers/prisma.js';
import { readJournalFile } from '../../src/journal/read.js';

/**
 * kill -9 of a run at random points, with atomic, non-atomic (CONCURRENTLY) and failing
 * migrations. After each kill: status explains every migration, Prisma agrees, the journal's
 * complete lines parse and agree with the database, and a following run finishes the set.
 * `npm test` runs a few trials; `npm run test:soak` runs 60.
 */
const TRIALS = process.env.SOAK ? 60 : 8;
const SEED = Number(process.env.CRASH_SEED ?? 20261124);

const SET = {
  '1_atomic': { up: 'CREATE TABLE a (id int);\nSELECT pg_sleep(0.12);\nINSERT INTO a SELECT generate_series(1, 1000);', down: 'DROP TABLE IF EXISTS a;' },
  '2_concurrent': { up: 'CREATE TABLE b (id int);\nCREATE INDEX CONCURRENTLY b_idx ON b (id);\nSELECT pg_sleep(0.12);\nCREATE INDEX CONCURRENTLY b_idx2 ON b (id);', down: 'DROP TABLE IF EXISTS b;' },
  '3_atomic': { up: 'CREATE TABLE c (id int);\nSELECT pg_sleep(0.12);', down: 'DROP TABLE IF EXISTS c;' },
  '4_fails': { up: 'CREATE TABLE d (id int);\nSELECT pg_sleep(0.05);\nINSERT INTO missing_table VALUES (1);', down: 'DROP TABLE IF EXISTS d;' },
};
const TABLE: Record<string, string> = { '1_atomic': 'a', '2_concurrent': 'b', '3_atomic': 'c', '4_fails': 'd' };

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function orphanRunsGone(url: string) {
  // A killed client's backend finishes its current statement before it notices; wait for it.
  for (let i = 0; i < 100; i++) {
    const rows = await query(url, `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'citadel-migrate%' AND pid <> pg_backend_pid()`);
    if (!rows.length) return;
    await sleep(100);
  }
}

describe('kill -9 at random points loses nothing', () => {
  it(`${TRIALS} trials: status explains, Prisma agrees, the journal matches, the next run finishes`, async () => {
    const random = rng(SEED);
    const dir = makeMigrations(SET);
    const report = { trials: 0, killedMidMigration: 0, interruptedExplained: 0, failedNonAtomic: 0, inconsistencies: [] as string[] };
    for (let t = 0; t < TRIALS; t++) {
      const db = await freshDatabase('crash');
      const journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-crash-journal-'));
      const env = { CITADEL_JOURNAL_DIR: journalDir };
      const ctx = `trial ${t} (seed ${SEED})`;
      try {
        const child = execa('node', [BIN, 'run', '--yes', '--database-url', db.url, '--migrations', dir], { reject: false, stdin: 'ignore', env });
        await sleep(150 + Math.floor(random() * 900));
        child.kill('SIGKILL');
        await child;
        await orphanRunsGone(db.url);
        report.trials++;

        // 1. status explains every migration, and Prisma agrees
        const st = await cli(['status', '--json', '--database-url', db.url, '--migrations', dir], { env });
        expect(st.exitCode, `${ctx}: ${st.stderr}`).toBe(0);
        const states = json<{ migrations: { name: string; state: string; note?: string }[] }>(st).migrations;
        const p = await prismaStatus(db.url, dir);
        const pending = states.filter((m) => m.state === 'pending').map((m) => m.name);
        expect(p.pending, `${ctx}\n${p.output}`).toEqual(pending);
        if (!pending.length) expect(p.failed, `${ctx}\n${p.output}`).toEqual(states.filter((m) => m.state === 'failed').map((m) => m.name));

        for (const m of states) {
          expect(['applied', 'pending', 'failed'], `${ctx}: ${m.name}`).toContain(m.state);
          const exists = (await query(db.url, `SELECT 1 FROM pg_class WHERE relname = $1`, [TABLE[m.name]])).length > 0;
          if (m.state === 'applied' && !exists) report.inconsistencies.push(`${ctx}: ${m.name} applied but its table is missing`);
          if (m.state === 'pending' && exists) report.inconsistencies.push(`${ctx}: ${m.name} pending but its table exists`);
          if (m.state === 'failed' && m.name !== '2_concurrent' && m.name !== '4_fails') report.inconsistencies.push(`${ctx}: atomic ${m.name} left failed`);
          if (m.note?.startsWith('interrupted')) report.interruptedExplained++;
        }

        // 2. every complete journal line parses, and its last word on each migration matches the database
        const files = existsSync(journalDir) ? readdirSync(journalDir) : [];
        if (files.length) {
          const j = readJournalFile(path.join(journalDir, files[0]!));
          const lastLineNo = j.lines.length + j.unreadable.length;
          for (const bad of j.unreadable) if (bad.lineNo !== lastLineNo) report.inconsistencies.push(`${ctx}: journal line ${bad.lineNo} does not parse`);
          const ends = new Map<string, string>();
          const begun = new Set<string>();
          for (const l of j.lines) {
            if (l.action !== 'migration') continue;
            const d = (l.phase === 'begin' ? l.details : l.result) as { name: string; outcome?: string };
            if (l.phase === 'begin') begun.add(d.name);
            else ends.set(d.name, d.outcome!);
          }
          for (const m of states) {
            const end = ends.get(m.name);
            if (m.state === 'applied' && !begun.has(m.name)) report.inconsistencies.push(`${ctx}: ${m.name} applied but never journalled`);
            if (end === 'applied' && m.state !== 'applied') report.inconsistencies.push(`${ctx}: journal says ${m.name} applied, database says ${m.state}`);
            if (end === 'failed' && m.state !== 'failed') report.inconsistencies.push(`${ctx}: journal says ${m.name} failed, database says ${m.state}`);
            if (begun.has(m.name) && !end && m.state !== 'applied') report.killedMidMigration++;
          }
        }

        // 3. the next run finishes the set (a DBA resolves the half-done non-atomic migration first)
        if (states.find((m) => m.name === '2_concurrent')?.state === 'failed') {
          report.failedNonAtomic++;
          const rb = await cli(['rollback', '2_concurrent', '--run-down', '--yes', '--database-url', db.url, '--migrations', dir], { env });
          expect(rb.exitCode, `${ctx}: ${rb.stderr}`).toBe(0);
        }
        const again = await cli(['run', '--yes', '--wait', '--json', '--database-url', db.url, '--migrations', dir], { env });
        expect([0, 1], `${ctx}: ${again.stderr}`).toContain(again.exitCode);
        const final = json<{ migrations: { name: string; state: string }[] }>(await cli(['status', '--json', '--database-url', db.url, '--migrations', dir], { env })).migrations;
        expect(final.map((m) => m.state), ctx).toEqual(['applied', 'applied', 'applied', 'failed']);
        const pf = await prismaStatus(db.url, dir);
        expect(pf.failed, `${ctx}\n${pf.output}`).toEqual(['4_fails']);
      } finally {
        await db.drop();
      }
    }
    console.log(`kill -9 trials: ${JSON.stringify(report)}`);
    expect(report.inconsistencies).toEqual([]);
    expect(report.trials).toBe(TRIALS);
  }, 600_000);
});
