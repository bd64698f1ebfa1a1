import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { execa } from 'execa';
import { adminUrl, freshDatabase, query } from '../helpers/db.js';
import { copyBundled, makeMigrations } from '../helpers/folders.js';
import { cli, BIN } from '../helpers/cli.js';

/**
 * Every command, run with a known password, and everything it leaves behind searched for it:
 * stdout, stderr, the journal, the report, backup files and their names, and the command line
 * of every process on the machine while the command runs (pg_dump, pg_restore, psql, prisma...).
 */
const PASSWORD = 'K3y-to-the/Citadel#2026?&x';
const ENCODED = encodeURIComponent(PASSWORD);

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? [p, ...walk(p)] : [p];
  });
}

/**
 * Reads /proc/PID/cmdline of every process, every 20 ms, for as long as the command runs: the lines
 * that hold a needle, and the child tools seen (so that a scan that sees nothing cannot pass).
 */
function watchCommandLines(needles: string[]) {
  const hits: string[] = [];
  const tools = new Set<string>();
  let stop = false;
  const tick = () => {
    if (stop) return;
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        if (argv.includes('vitest')) continue;
        if (needles.some((n) => argv.includes(n))) hits.push(`${pid}: ${argv.slice(0, 200)}`);
        const tool = /(?:^|\/)(pg_dump|pg_restore|psql|prisma)\s/.exec(argv)?.[1];
        if (tool) tools.add(tool);
      } catch {
        // the process ended between readdir and read
      }
    }
    setTimeout(tick, 20);
  };
  tick();
  return () => {
    stop = true;
    return { hits, tools };
  };
}

describe('no password anywhere', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let url: string;
  const work = mkdtempSync(path.join(os.tmpdir(), 'cm-secrets-'));
  const journalDir = path.join(work, 'journal');
  const backupDir = path.join(work, 'backups');
  const env = { CITADEL_JOURNAL_DIR: journalDir };

  beforeAll(async () => {
    db = await freshDatabase('secrets');
    await query(adminUrl(), `DROP ROLE IF EXISTS secret_dba`).catch(() => undefined);
    await query(adminUrl(), `CREATE ROLE secret_dba LOGIN SUPERUSER PASSWORD '${PASSWORD.replace(/'/g, "''")}'`);
    url = db.url.replace(/\/\/postgres:[^@]*@/, `//secret_dba:${ENCODED}@`);
  });
  afterAll(async () => {
    await db.drop();
    await query(adminUrl(), `DROP ROLE IF EXISTS secret_dba`).catch(() => undefined);
  });

  it('every command, its files and its child processes', async () => {
    const bundled = copyBundled();
    const small = makeMigrations({
      '1_a': { up: 'CREATE TABLE a (id int);\nINSERT INTO a SELECT generate_series(1, 500);', down: 'DROP TABLE a;' },
      '2_b': { up: 'CREATE TABLE b (id int);', down: 'DROP TABLE b;' },
    });
    const base = ['--database-url', url];
    // [expected exit code, ...arguments]: every command must also do what it is asked
    const commands: [number, ...string[]][] = [
      [1, 'status', ...base, '--migrations', small], // pending, as prisma migrate status
      [1, 'status', '--json', ...base, '--migrations', small],
      [1, 'plan', ...base, '--migrations', bundled],
      [1, 'plan', '--json', ...base, '--migrations', bundled],
      [1, 'check', ...base, '--migrations', small, '--backup-dir', backupDir],
      [1, 'check', '--json', ...base, '--migrations', small, '--backup-dir', backupDir],
      [0, 'run', '--yes', ...base, '--migrations', small, '--to', '1_a'],
      [0, 'backup', '--bundled', ...base, '--backup-dir', backupDir],
      [0, 'backup', '--bundled', '--json', ...base, '--backup-dir', backupDir],
      [0, 'rehearse', '--json', ...base, '--migrations', small],
      [0, 'run', '--yes', '--json', ...base, '--migrations', small],
      [0, 'rollback', '2_b', '--yes', ...base, '--migrations', small],
      [0, 'skip', '2_b', '--reason', 'secret test', '--yes', ...base, '--migrations', small],
      [0, 'verify', ...base, '--migrations', small],
      [0, 'verify', '--json', ...base, '--migrations', bundled],
      [0, 'locks', ...base],
      [0, 'locks', '--json', ...base],
      [2, 'kill', '999999', '--yes', ...base],
      [0, 'report', ...base],
      [0, 'verify', '--performance', ...base, '--migrations', small],
      // the runbook's smoke-test (absent here) fails: its error and journal line name no password either
      [1, 'action', 'smoke-test', '--yes', ...base, '--migrations', bundled],
      // failures print the target too: a wrong password, a refused database, an unknown migration
      [3, 'status', '--database-url', url.replace(ENCODED, encodeURIComponent(`${PASSWORD}x`)), '--migrations', small],
      [3, 'status', '--database-url', url.replace(/\/[^/?]+$/, '/no_such_db'), '--migrations', small],
      [2, 'skip', 'nope', '--reason', 'x', '--yes', ...base, '--migrations', small],
      [
        3,
        'status',
        '--debug',
        '--database-url',
        url.replace(ENCODED, encodeURIComponent(`${PASSWORD}x`)),
        '--migrations',
        small,
      ],
    ];
    const leaks: string[] = [];
    const needles = [PASSWORD, ENCODED, 'K3y-to-the'];
    const codes: string[] = [];
    const unseen: string[] = [];
    for (const [code, ...args] of commands) {
      const stopWatching = watchCommandLines(needles);
      const r = await cli(args, { env, timeout: 120_000 });
      const { hits: cmdlineHits, tools } = stopWatching();
      // a backup runs pg_dump: the scan must have seen it, or it proves nothing about children
      if (args[0] === 'backup' && !tools.has('pg_dump')) unseen.push(`${args.slice(0, 2).join(' ')}: no pg_dump seen`);
      const label = args
        .filter((a) => !a.includes('secret_dba'))
        .slice(0, 3)
        .join(' ');
      if (r.exitCode !== code) codes.push(`${label}: exit ${r.exitCode}, expected ${code}`);
      for (const n of needles) {
        if (r.stdout.includes(n)) leaks.push(`${label}: stdout`);
        if (r.stderr.includes(n)) leaks.push(`${label}: stderr`);
      }
      // our own CLI gets the URL as an argument from this test; its children must not
      for (const h of cmdlineHits.filter((h) => !h.includes('bin/citadel-migrate')))
        leaks.push(`${label}: child process argv ${h}`);
    }
    for (const file of [...walk(journalDir), ...walk(backupDir)]) {
      if (statSync(file).isDirectory()) continue;
      if (needles.some((n) => file.includes(n))) leaks.push(`file name ${file}`);
      const text = readFileSync(file).toString('latin1');
      if (!file.endsWith('.dump') && needles.some((n) => text.includes(n))) leaks.push(`contents of ${file}`);
    }
    expect(walk(journalDir).length).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
    expect(codes).toEqual([]);
    expect(unseen).toEqual([]);
  }, 400_000);

  it('journal and backups are private: files 0600 in folders 0700', async () => {
    const files = [...walk(journalDir), ...walk(backupDir)];
    expect(files.length).toBeGreaterThan(2);
    for (const f of files) {
      const mode = statSync(f).mode & 0o777;
      expect(mode, f).toBe(statSync(f).isDirectory() ? 0o700 : 0o600);
    }
  });

  it('a running command shows no password in its own command line (/proc/PID/cmdline)', async () => {
    const slow = makeMigrations({ '1_slow': 'SELECT pg_sleep(2);' });
    const child = execa(
      'node',
      [BIN, 'run', '--yes', '--allow-foreign-history', '--database-url', url, '--migrations', slow],
      { reject: false, stdin: 'ignore', env: { ...env, NO_COLOR: '1' } },
    );
    // read it while the migration sleeps: the run is well past parsing its options
    let seen = '';
    for (let i = 0; i < 200 && !seen; i++) {
      const sleeping = await query(
        adminUrl(),
        `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'SELECT pg_sleep(2)%'`,
        [db.name],
      );
      if (sleeping.length) seen = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').replace(/\0+/g, ' ').trim();
      else await new Promise((r) => setTimeout(r, 50));
    }
    const r = await child;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(seen).toBe('citadel-migrate run');
    for (const n of [PASSWORD, ENCODED, 'K3y-to-the']) expect(seen).not.toContain(n);
  });
});

describe('a password on the command line, on a terminal', () => {
  it('is warned about once, with the ways to keep it off; DATABASE_URL is not', async () => {
    const db = await freshDatabase('pwwarn');
    try {
      const small = makeMigrations({ '1_a': 'CREATE TABLE a (id int);' });
      const onTerminal = (command: string, extraEnv: Record<string, string> = {}) =>
        execa('script', ['-qec', command, '/dev/null'], {
          reject: false,
          stdin: 'ignore',
          env: { NO_COLOR: '1', CITADEL_JOURNAL_DIR: mkdtempSync(path.join(os.tmpdir(), 'cm-warn-')), ...extraEnv },
        });
      const given = await onTerminal(`node ${BIN} status --database-url '${db.url}' --migrations ${small}`);
      expect(given.exitCode).toBe(1); // 1_a is pending, as prisma migrate status exits
      const warnings = String(given.stdout)
        .split(/\r?\n/)
        .filter((l) => l.startsWith('Warning: the password in --database-url'));
      expect(warnings).toEqual([
        'Warning: the password in --database-url can be seen by other users of this host (ps) while a command starts: set DATABASE_URL, or keep the password in ~/.pgpass (or the file PGPASSFILE names) instead.',
      ]);
      const fromEnv = await onTerminal(`node ${BIN} status --migrations ${small}`, { DATABASE_URL: db.url });
      expect(fromEnv.exitCode).toBe(1);
      expect(String(fromEnv.stdout)).not.toContain('Warning');
      const help = await cli(['--help']);
      expect(help.stdout.replace(/\s+/g, ' ')).toMatch(
        /--database-url <url> .*keep the password out of it: set DATABASE_URL, or use ~\/\.pgpass or PGPASSFILE/,
      );
    } finally {
      await db.drop();
    }
  });
});

/**
 * A password that is an ordinary word inside names and paths: masked where it stands as a secret,
 * while the user name (sandbox_dba) and the data directory (/tmp/citadel-sandbox-.../data) stay readable.
 */
describe('a password that is also a word of the user name and the data directory', () => {
  const WEAK = 'sandbox';
  const ROLE = 'sandbox_dba';
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let url: string;
  const work = mkdtempSync(path.join(os.tmpdir(), 'cm-weak-'));
  const journalDir = path.join(work, 'journal');
  const env = { CITADEL_JOURNAL_DIR: journalDir };

  beforeAll(async () => {
    db = await freshDatabase('weakpw');
    await query(adminUrl(), `DROP ROLE IF EXISTS ${ROLE}`).catch(() => undefined);
    await query(adminUrl(), `CREATE ROLE ${ROLE} LOGIN SUPERUSER PASSWORD '${WEAK}'`);
    url = db.url.replace(/\/\/postgres:[^@]*@/, `//${ROLE}:${WEAK}@`);
  });
  afterAll(async () => {
    await db.drop();
    await query(adminUrl(), `DROP ROLE IF EXISTS ${ROLE}`).catch(() => undefined);
  });

  it('never printed as a secret; names and paths printed whole', async () => {
    expect(inject('pgDataDir')).toContain(WEAK);
    const small = makeMigrations({ '1_a': 'CREATE TABLE a (id int);' });
    const base = ['--database-url', url, '--migrations', small];
    const asSecret = new RegExp(`:${WEAK}@|password\\s*=\\s*'?${WEAK}\\b|PGPASSWORD=${WEAK}\\b|'${WEAK}'`, 'i');
    const outputs: Record<string, string> = {};
    for (const [code, ...args] of [
      [1, 'check', ...base, '--backup-dir', path.join(work, 'backups')],
      [0, 'run', '--yes', ...base],
      [0, 'status', '--json', ...base],
      [0, 'report', ...base],
      [3, 'status', ...base.map((a) => a.replace(`:${WEAK}@`, `:${WEAK}x@`))],
    ] as [number, ...string[]][]) {
      const r = await cli(args, { env });
      expect(r.exitCode, `${args[0]}: ${r.stderr}`).toBe(code);
      outputs[args[0]!] = (outputs[args[0]!] ?? '') + r.stdout + r.stderr;
      expect(r.stdout + r.stderr, args[0]).not.toMatch(asSecret);
      expect(r.stdout + r.stderr, args[0]).not.toMatch(/\*\*\*_dba|citadel-\*\*\*|\*\*\*ql:/);
    }
    expect(outputs.check).toContain(`under ${inject('pgDataDir')}`);
    expect(outputs.status).toContain(`Password authentication failed for user "${ROLE}"`);
    const journal = walk(journalDir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('');
    expect(journal).toContain(`"target":"postgresql://${ROLE}@127.0.0.1:${inject('pgPort')}/${db.name}"`);
    expect(journal).not.toMatch(asSecret);
    expect(journal).not.toContain('***');
  }, 120_000);
});
