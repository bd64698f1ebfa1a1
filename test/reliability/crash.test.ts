import { describe, it, expect } from 'vitest';
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { client, freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, json, BIN, CLI_ENV } from '../helpers/cli.js';
import { expectPrismaAgrees, ourStatus, type OurState } from '../helpers/oracle.js';
import { journalFolder } from '../helpers/journal.js';
import { parseJournal } from '../../src/journal/read.js';
import type { JournalLine } from '../../src/journal/journal.js';

/**
 * kill -9 of a live run at moments chosen from its own progress: the journal (JSONL, each line
 * written before the work it announces) says when statement k of migration m has started, and the
 * run is killed then. Every trial must have killed a live process, mid-way; after each, status
 * explains every migration, Prisma agrees, the database holds exactly what the states say, every
 * journal line but a torn last one parses, and a following run finishes the set.
 * `npm test` kills once at each chosen moment; `npm run test:soak` 60 times at random moments.
 */
const SOAK = Boolean(process.env.SOAK);
const SEED = Number(process.env.CRASH_SEED ?? 20261124);

// Each targeted statement is a sleep, or followed by one: the kill lands while the migration runs.
const SET = {
  '1_atomic': {
    up: 'CREATE TABLE a (id int);\nSELECT pg_sleep(0.3);\nINSERT INTO a SELECT generate_series(1, 1000);',
    down: 'DROP TABLE IF EXISTS a;',
  },
  '2_concurrent': {
    up: 'CREATE TABLE b (id int);\nCREATE INDEX CONCURRENTLY b_idx ON b (id);\nSELECT pg_sleep(0.3);\nCREATE INDEX CONCURRENTLY b_idx2 ON b (id);',
    down: 'DROP TABLE IF EXISTS b;',
  },
  '3_atomic': { up: 'CREATE TABLE c (id int);\nSELECT pg_sleep(0.3);', down: 'DROP TABLE IF EXISTS c;' },
  '4_fails': {
    up: 'CREATE TABLE d (id int);\nSELECT pg_sleep(0.3);\nINSERT INTO missing_table VALUES (1);',
    down: 'DROP TABLE IF EXISTS d;',
  },
};
const NAMES = Object.keys(SET);
const TABLE: Record<string, string> = { '1_atomic': 'a', '2_concurrent': 'b', '3_atomic': 'c', '4_fails': 'd' };

/** A moment of the run: before its first statement (queued behind Prisma's lock), at a statement's start, or at a migration's end. */
type Moment = { kind: 'queued' } | { kind: 'statement'; name: string; index: number } | { kind: 'ended'; name: string };
const CHOSEN: Moment[] = [
  { kind: 'queued' },
  { kind: 'statement', name: '1_atomic', index: 2 },
  { kind: 'ended', name: '1_atomic' },
  { kind: 'statement', name: '2_concurrent', index: 2 },
  { kind: 'statement', name: '2_concurrent', index: 3 },
  { kind: 'statement', name: '3_atomic', index: 2 },
  { kind: 'statement', name: '4_fails', index: 2 },
];
const STATEMENTS: Record<string, number> = { '1_atomic': 3, '2_concurrent': 4, '3_atomic': 2, '4_fails': 3 };

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}
function randomMoment(random: () => number): Moment {
  const r = random();
  if (r < 0.1) return { kind: 'queued' };
  const name = NAMES[Math.floor(random() * NAMES.length)]!;
  if (r < 0.3 && name !== '4_fails') return { kind: 'ended', name };
  // 4_fails's last statement fails at once and the run ends: no live run to kill there.
  const last = name === '4_fails' ? STATEMENTS[name]! - 1 : STATEMENTS[name]!;
  return { kind: 'statement', name, index: 1 + Math.floor(random() * last) };
}
const describeMoment = (m: Moment) =>
  m.kind === 'queued'
    ? 'queued for the lock'
    : m.kind === 'ended'
      ? `${m.name} ended`
      : `${m.name} statement ${m.index} started`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function journalOf(dir: string): { lines: JournalLine[]; unreadable: { lineNo: number }[]; total: number } {
  const files = existsSync(dir) ? readdirSync(dir) : [];
  if (!files.length) return { lines: [], unreadable: [], total: 0 };
  const text = readFileSync(path.join(dir, files[0]!), 'utf8');
  const j = parseJournal(text);
  return { ...j, total: text.split('\n').filter((l) => l.trim()).length };
}

function reached(lines: JournalLine[], m: Moment): boolean {
  return lines.some((l) => {
    const d = (l.phase === 'end' ? l.result : l.details) as { name?: string; index?: number } | undefined;
    if (m.kind === 'queued') return l.action === 'run.lock-busy';
    if (m.kind === 'ended') return l.action === 'migration' && l.phase === 'end' && d?.name === m.name;
    return l.action === 'migration.statement' && d?.name === m.name && d?.index === m.index;
  });
}

/** Where the run was when it died, from the journal it left: the stage counted in the report. */
function stageOf(lines: JournalLine[]): {
  stage: 'before first statement' | 'mid atomic' | 'mid non-atomic' | 'between migrations';
  open?: string;
} {
  const migrationLines = lines.filter((l) => l.action === 'migration');
  const last = migrationLines[migrationLines.length - 1];
  if (!last) return { stage: 'before first statement' };
  if (last.phase === 'end') return { stage: 'between migrations' };
  const d = last.details as { name: string; atomic: boolean };
  return { stage: d.atomic ? 'mid atomic' : 'mid non-atomic', open: d.name };
}

async function orphanRunsGone(url: string) {
  // A killed client's backend finishes its current statement before it notices; wait for it.
  for (let i = 0; i < 100; i++) {
    const rows = await query(
      url,
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'citadel-migrate%' AND pid <> pg_backend_pid()`,
    );
    if (!rows.length) return;
    await sleep(50);
  }
}

/** Kills a run of the set at the moment; returns how the process ended and the journal it left. */
async function killAt(url: string, dir: string, moment: Moment, env: Record<string, string>, journalDir: string) {
  // Queued: another session holds Prisma's advisory lock and the run waits for it (--wait).
  const lockHolder = moment.kind === 'queued' ? await client(url) : undefined;
  await lockHolder?.query('SELECT pg_advisory_lock(72707369)');
  try {
    const child = execa('node', [BIN, 'run', '--yes', '--wait', '--database-url', url, '--migrations', dir], {
      reject: false,
      stdin: 'ignore',
      env: { ...CLI_ENV, ...env },
    });
    let exited = false;
    void child.finally(() => (exited = true));
    const deadline = Date.now() + 30_000;
    while (!exited && !reached(journalOf(journalDir).lines, moment)) {
      if (Date.now() > deadline) throw new Error(`the run never reached: ${describeMoment(moment)}`);
      await sleep(5);
    }
    const sent = !exited && child.kill('SIGKILL');
    const r = await child;
    return { sent, signal: r.signal, exitCode: r.exitCode, stderr: String(r.stderr ?? '') };
  } finally {
    await lockHolder?.end();
  }
}

describe("kill -9 at moments chosen from the run's progress loses nothing", () => {
  const moments = SOAK
    ? Array.from(
        { length: 60 },
        (
          (random) => () =>
            randomMoment(random)
        )(rng(SEED)),
      )
    : CHOSEN;

  it(`${moments.length} trials: each kills a live run; status explains, Prisma agrees, the database and journal match, the next run finishes`, async () => {
    const dir = makeMigrations(SET);
    const stages: Record<string, number> = {
      'before first statement': 0,
      'mid atomic': 0,
      'mid non-atomic': 0,
      'between migrations': 0,
    };
    for (const [t, moment] of moments.entries()) {
      const db = await freshDatabase('crash');
      const j = journalFolder('cm-crash-journal-');
      const ctx = `trial ${t} (${describeMoment(moment)}${SOAK ? `, seed ${SEED}` : ''})`;
      try {
        const killed = await killAt(db.url, dir, moment, j.env, j.dir);
        // The process was alive when the signal went out, and the signal is what ended it.
        expect(killed.sent, `${ctx}: the run had already exited (${killed.exitCode})\n${killed.stderr}`).toBe(true);
        expect(killed.signal, ctx).toBe('SIGKILL');
        await orphanRunsGone(db.url);

        // 1. the stage the journal shows is the one the moment chose
        const journal = journalOf(j.dir);
        const { stage, open } = stageOf(journal.lines);
        stages[stage]!++;
        if (moment.kind === 'queued') expect(stage, ctx).toBe('before first statement');
        if (moment.kind === 'statement' && !SOAK) expect(open, ctx).toBe(moment.name);
        // every line parses but a torn last one (a kill mid-write)
        for (const bad of journal.unreadable)
          expect(bad.lineNo, `${ctx}: journal line ${bad.lineNo} does not parse`).toBe(journal.total);

        // 2. status explains every migration from what the journal and the database hold, and Prisma agrees
        const ours = await ourStatus(db.url, dir, j.env);
        await expectPrismaAgrees(db.url, dir, ours);
        const ended = new Map<string, string>();
        for (const l of journal.lines)
          if (l.action === 'migration' && l.phase === 'end')
            ended.set((l.result as { name: string }).name, (l.result as { outcome: string }).outcome);
        for (const m of ours)
          expect(
            await expected(db.url, m, ended, open),
            `${ctx}: ${m.name} is ${m.state}${m.note ? ` (${m.note})` : ''}`,
          ).toBe(true);

        // 3. intent before effect: whatever the database holds of a migration, the journal announced first
        const run = journal.lines.find((l) => l.action === 'run' && l.phase === 'begin');
        for (const m of ours) {
          const has = (await query(db.url, `SELECT 1 FROM pg_class WHERE relname = $1`, [TABLE[m.name]])).length > 0;
          if (has || m.state !== 'pending') {
            expect(
              (run?.details as { pending?: string[] })?.pending,
              `${ctx}: ${m.name} has effects the run's synced line never named`,
            ).toContain(m.name);
            expect(
              journal.lines.some(
                (l) =>
                  l.action === 'migration' && l.phase === 'begin' && (l.details as { name: string }).name === m.name,
              ),
              `${ctx}: ${m.name} has effects but no begun line`,
            ).toBe(true);
          }
        }

        // 4. the next run finishes the set (a DBA resolves a half-done non-atomic migration first)
        if (ours.find((m) => m.name === '2_concurrent')?.state === 'failed') {
          const rb = await cli(
            ['rollback', '2_concurrent', '--run-down', '--yes', '--database-url', db.url, '--migrations', dir],
            { env: j.env },
          );
          expect(rb.exitCode, `${ctx}: ${rb.stderr}`).toBe(0);
        }
        const again = await cli(['run', '--yes', '--json', '--database-url', db.url, '--migrations', dir], {
          env: j.env,
        });
        expect(again.exitCode, `${ctx}: ${again.stderr}`).toBe(1);
        expect(json<{ migrations: { name: string; outcome: string }[] }>(again).migrations.at(-1), ctx).toMatchObject({
          name: '4_fails',
          outcome: 'failed',
        });
        expect(
          (await ourStatus(db.url, dir, j.env)).map((m) => m.state),
          ctx,
        ).toEqual(['applied', 'applied', 'applied', 'failed']);
      } finally {
        await db.drop();
      }
    }
    console.log(`kill -9 trials: ${moments.length} killed a live run; by stage ${JSON.stringify(stages)}`);
  }, 600_000);
});

/**
 * What a migration's state must be, given the journal's last word on it and what the database holds:
 * ended in the journal: that outcome; the one open when the run died: atomic ones left nothing
 * (pending, or applied if the kill came between its COMMIT and the answer), non-atomic ones are
 * Prisma's failed state; either way status says it was interrupted. Not begun: pending.
 */
async function expected(
  url: string,
  m: OurState,
  ended: Map<string, string>,
  open: string | undefined,
): Promise<boolean> {
  const hasTable = (await query(url, `SELECT 1 FROM pg_class WHERE relname = $1`, [TABLE[m.name]])).length > 0;
  const end = ended.get(m.name);
  if (end === 'applied') return m.state === 'applied' && hasTable;
  if (end) return m.state === end;
  if (m.name === open) {
    // Killed after its synced begin line: before its started row was committed (nothing of it
    // exists, pending), or after (Prisma's failed state, whatever it committed remains).
    if (m.name === '2_concurrent') {
      if (m.state === 'pending') return !hasTable && /^interrupted: .*nothing of it remains/.test(m.note ?? '');
      return m.state === 'failed' && /^interrupted: .* died part-way/.test(m.note ?? '');
    }
    if (m.state === 'applied') return hasTable && /died before it could journal/.test(m.note ?? '');
    return m.state === 'pending' && !hasTable && /^interrupted: .*nothing of it remains/.test(m.note ?? '');
  }
  return m.state === 'pending' && !hasTable;
}
