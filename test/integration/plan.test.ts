import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, existsSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { execa } from 'execa';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshDatabase, query } from '../helpers/db.js';
import { cli, json } from '../helpers/cli.js';
import { copyBundled } from '../helpers/folders.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/plan/', import.meta.url));
const fixture = (name: string) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), `cm-plan-${name}-`));
  cpSync(path.join(FIXTURES, name), path.join(dir, 'migrations'), { recursive: true });
  return path.join(dir, 'migrations');
};

let db: Awaited<ReturnType<typeof freshDatabase>>;
let journalDir: string;
const plan = (migrations: string, ...extra: string[]) =>
  cli(['plan', '--json', '--database-url', db.url, '--migrations', migrations, '--journal-dir', journalDir, ...extra]);

beforeAll(async () => {
  db = await freshDatabase('plan');
  journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-plan-journal-'));
  // What the lint and down.sql sets meet on the target: a big busy table, an empty one, users.
  await query(
    db.url,
    `
    CREATE TABLE orders (id bigint PRIMARY KEY, created timestamptz NOT NULL DEFAULT now());
    INSERT INTO orders SELECT g, now() FROM generate_series(1, 20000) g;
    CREATE TABLE archive (id bigint PRIMARY KEY, created timestamptz);
    CREATE TABLE users (id text PRIMARY KEY, email text);
    ANALYZE orders; ANALYZE archive;`,
  );
});
afterAll(async () => {
  await db?.drop();
});

describe('plan: runbook findings', () => {
  it('reports a relation used before the migration that creates it, once, with its line and a rename fix', async () => {
    const r = await plan(fixture('order'));
    expect(r.exitCode).toBe(1);
    const out = json(r);
    const found = out.findings.filter((f: any) => f.rule === 'used-before-created');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ migration: '002_invoices', statement: 8, severity: 'error', alsoAt: [10] });
    expect(found[0].message).toContain('003_customers');
    expect(found[0].fix).toContain('003_customers_002_invoices');
    expect(out.fixes.renames).toEqual([
      { from: '002_invoices', to: '003_customers_002_invoices', after: '003_customers' },
    ]);
  });

  it('reports a quoted identifier that differs from an existing relation in case, with every line to rewrite', async () => {
    const out = json(await plan(fixture('case')));
    const found = out.findings.filter((f: any) => f.rule === 'identifier-case');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ migration: '002_audit', statement: 3, severity: 'error', alsoAt: [13] });
    expect(found[0].message).toContain('"accounts"');
    expect(out.fixes.rewrites).toEqual([{ migration: '002_audit', from: 'Account', to: 'accounts', lines: [3, 13] }]);
    // the type "AccountRole" exists (created earlier in the run): no finding about it
    expect(out.findings.filter((f: any) => f.source === 'runbook')).toHaveLength(1);
  });

  it('reports a down.sql that drops what its migration did not create, and only that', async () => {
    const out = json(await plan(fixture('down')));
    const found = out.findings.filter((f: any) => f.rule === 'down-drops-uncreated');
    expect(found).toHaveLength(2);
    expect(found.map((f: any) => [f.file, f.statement])).toEqual([
      ['down.sql', 5],
      ['down.sql', 6],
    ]);
    expect(found[0].message).toContain('users.email');
    expect(found[1].message).toContain('"sessions"');
  });

  it('reports an applied migration whose file changed, and plans only what is pending', async () => {
    const dir = fixture('order');
    const other = await freshDatabase('planmod');
    try {
      await query(
        other.url,
        `CREATE TABLE "_prisma_migrations" (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz, migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0);
        INSERT INTO "_prisma_migrations" VALUES ('a', '${'0'.repeat(64)}', now(), '001_accounts', NULL, NULL, now(), 1);
        CREATE TABLE accounts (id text PRIMARY KEY);`,
      );
      const r = await cli(['plan', '--json', '--database-url', other.url, '--migrations', dir]);
      const out = json(r);
      expect(out.findings.filter((f: any) => f.rule === 'applied-modified')).toMatchObject([
        { migration: '001_accounts', severity: 'error', statement: null },
      ]);
      expect(out.migrations.map((m: any) => m.name)).toEqual(['002_invoices', '003_customers']);
    } finally {
      await other.drop();
    }
  });
});

describe('plan: locks and lint', () => {
  it('gives each statement its lock, relation, size on the target and atomicity', async () => {
    const out = json(await plan(fixture('lint')));
    const [first, second] = out.migrations;
    expect(first).toMatchObject({ name: '001_events', atomic: true });
    expect(first.statements[0]).toMatchObject({
      line: 2,
      kind: 'CreateStmt',
      relation: 'events_new',
      relationBytes: null,
      transactional: true,
    });
    const byLine = Object.fromEntries(second.statements.map((s: any) => [s.line, s]));
    expect(byLine[5]).toMatchObject({
      kind: 'IndexStmt',
      lock: 'SHARE',
      relation: 'orders',
      scans: true,
      rewrites: false,
      transactional: true,
    });
    expect(byLine[5].estimatedRows).toBeGreaterThan(10_000);
    expect(byLine[5].relationBytes).toBeGreaterThan(100_000);
    expect(byLine[7]).toMatchObject({ relation: 'archive', estimatedRows: 0 });
  });

  it('keeps the lint finding on the big table, drops those on new or empty tables, and keeps the raw count', async () => {
    const out = json(await plan(fixture('lint')));
    const lint = out.findings.filter((f: any) => f.source === 'squawk');
    expect(lint.map((f: any) => [f.rule, f.statement, f.relation])).toEqual([
      ['require-concurrent-index-creation', 5, 'orders'],
    ]);
    expect(lint[0].severity).toBe('warning');
    expect(lint[0].fix).toMatch(/CONCURRENTLY/);
    expect(out.rawLintCount).toBeGreaterThan(lint.length);
    expect(out.droppedLint['empty-table']).toBeGreaterThanOrEqual(1);
    expect(out.droppedLint['table-created-in-this-run']).toBeGreaterThanOrEqual(1);
    const all = json(await plan(fixture('lint'), '--all'));
    expect(all.findings.filter((f: any) => f.source === 'squawk')).toHaveLength(all.rawLintCount);
    expect(all.rawLintCount).toBe(out.rawLintCount);
  });

  it('writes nothing to the target: not even the migrations table', async () => {
    const fresh = await freshDatabase('planro');
    try {
      const r = await cli(['plan', '--database-url', fresh.url, '--migrations', copyBundled()]);
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toContain('PLAN (dry run');
      expect(r.stdout).toMatch(/squawk raised \d+ findings/);
      const tables = await query(
        fresh.url,
        `SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace`,
      );
      expect(tables[0]!.n).toBe(0);
    } finally {
      await fresh.drop();
    }
  });
});

describe('plan --apply-fixes', () => {
  it('refuses without a terminal unless --yes, and changes nothing', async () => {
    const dir = fixture('case');
    const before = readFileSync(path.join(dir, '002_audit', 'migration.sql'), 'utf8');
    const r = await cli([
      'plan',
      '--apply-fixes',
      '--database-url',
      db.url,
      '--migrations',
      dir,
      '--journal-dir',
      journalDir,
    ]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toContain('+ALTER TABLE "accounts"');
    expect(r.stderr).toMatch(/--yes/);
    expect(readFileSync(path.join(dir, '002_audit', 'migration.sql'), 'utf8')).toBe(before);
  });

  it('rewrites only the relation references, keeps a copy, and journals it', async () => {
    const dir = fixture('case');
    const before = readFileSync(path.join(dir, '002_audit', 'migration.sql'), 'utf8');
    const r = await cli([
      'plan',
      '--apply-fixes',
      '--yes',
      '--database-url',
      db.url,
      '--migrations',
      dir,
      '--journal-dir',
      journalDir,
    ]);
    expect(r.exitCode).toBe(0);
    const after = readFileSync(path.join(dir, '002_audit', 'migration.sql'), 'utf8');
    expect(after).toBe(
      before
        .replace('ALTER TABLE "Account"', 'ALTER TABLE "accounts"')
        .replace('public."Account"', 'public."accounts"'),
    );
    expect(after).toContain('"role" "AccountRole"');
    expect(after).toContain(`DEFAULT 'Account'`);
    const backups = path.join(path.dirname(dir), '.citadel-backup');
    const [backup] = readdirSync(backups);
    expect(readFileSync(path.join(backups, backup!, '002_audit', 'migration.sql'), 'utf8')).toBe(before);
    const journal = readFileSync(path.join(journalDir, readdirSync(journalDir)[0]!), 'utf8');
    expect(journal).toContain('"action":"plan.apply-fixes"');
    const again = json(await plan(dir));
    expect(again.findings.filter((f: any) => f.severity === 'error')).toEqual([]);
  });

  it('renames folders so a migration runs after the one it depends on', async () => {
    const dir = fixture('order');
    const r = await cli([
      'plan',
      '--apply-fixes',
      '--yes',
      '--database-url',
      db.url,
      '--migrations',
      dir,
      '--journal-dir',
      journalDir,
    ]);
    expect(r.exitCode).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['001_accounts', '003_customers', '003_customers_002_invoices']);
    expect(existsSync(path.join(dir, '003_customers_002_invoices', 'migration.sql'))).toBe(true);
    expect(json(await plan(dir)).findings.filter((f: any) => f.severity === 'error')).toEqual([]);
  });

  it('never changes a migration that has rows in _prisma_migrations', async () => {
    const dir = fixture('case');
    const before = readFileSync(path.join(dir, '002_audit', 'migration.sql'), 'utf8');
    const other = await freshDatabase('planrb');
    try {
      // 002_audit failed once and was marked rolled back: the next run applies it again, but its
      // name and checksum are on record, so plan proposes the fix and leaves the file alone.
      await query(
        other.url,
        `CREATE TABLE "_prisma_migrations" (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz, migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0);
        INSERT INTO "_prisma_migrations" VALUES ('b', 'x', NULL, '002_audit', 'failed', now(), now(), 0);`,
      );
      const r = await cli([
        'plan',
        '--apply-fixes',
        '--yes',
        '--database-url',
        other.url,
        '--migrations',
        dir,
        '--journal-dir',
        journalDir,
      ]);
      expect(r.stderr).toContain('002_audit: has rows in _prisma_migrations');
      expect(r.stdout).toContain('No fixes to apply');
      expect(readFileSync(path.join(dir, '002_audit', 'migration.sql'), 'utf8')).toBe(before);
    } finally {
      await other.drop();
    }
  });

  it("never writes the package's own migrations/: the bundled runbook's fixes go to a copy in the working folder", async () => {
    // an installed copy of the package, so that the bug (if back) damages that copy and not the repository
    const pkg = mkdtempSync(path.join(os.tmpdir(), 'cm-installed-'));
    for (const part of ['bin', 'dist', 'sql', 'migrations', 'package.json'])
      cpSync(path.join(REPO, part), path.join(pkg, part), { recursive: true });
    symlinkSync(path.join(REPO, 'node_modules'), path.join(pkg, 'node_modules'));
    const snapshot = (dir: string) =>
      readdirSync(dir, { recursive: true })
        .map(String)
        .sort()
        .map(
          (f) =>
            `${f}:${statSync(path.join(dir, f)).isFile() ? readFileSync(path.join(dir, f), 'utf8').length : 'dir'}`,
        );
    const before = snapshot(path.join(pkg, 'migrations'));
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'cm-fixes-cwd-'));
    const fresh = await freshDatabase('planfixcopy');
    try {
      // outside a project, as in the issue: plan (read-only) shows the bundled runbook
      const r = await execa(
        'node',
        [
          path.join(pkg, 'bin/citadel-migrate'),
          'plan',
          '--apply-fixes',
          '--yes',
          '--database-url',
          fresh.url,
          '--journal-dir',
          journalDir,
        ],
        { cwd, reject: false, stdin: 'ignore', env: { NO_COLOR: '1' } },
      );
      expect(r.exitCode, r.stderr).toBe(0);
      expect(snapshot(path.join(pkg, 'migrations'))).toEqual(before);
      const copy = path.join(cwd, 'citadelbuy-migrations');
      expect(r.stdout).toContain(
        `The bundled runbook is part of the package and was not changed: the fixes were applied to a copy in ${copy}.`,
      );
      expect(r.stdout).toContain('Run `citadel-migrate plan --migrations citadelbuy-migrations` again to check');
      expect(readdirSync(copy)).toContain('organization_module_add_performance_indexes');
      expect(readFileSync(path.join(copy, 'add_privacy_consent', 'migration.sql'), 'utf8')).not.toContain('"User"');
      // the copy is a project's folder now: fixed again in place, and a second copy is refused
      const again = await execa(
        'node',
        [
          path.join(pkg, 'bin/citadel-migrate'),
          'plan',
          '--apply-fixes',
          '--yes',
          '--bundled',
          '--database-url',
          fresh.url,
          '--journal-dir',
          journalDir,
        ],
        { cwd, reject: false, stdin: 'ignore', env: { NO_COLOR: '1' } },
      );
      expect(again.exitCode).toBe(2);
      expect(again.stderr).toContain(
        `its copy ${copy} exists already: pass --migrations citadelbuy-migrations to fix that copy`,
      );
    } finally {
      await fresh.drop();
      rmSync(pkg, { recursive: true, force: true });
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('fixes the bundled runbook: step 6 rewritten, steps 4 and 5 moved after organization_module', async () => {
    const dir = copyBundled();
    const fresh = await freshDatabase('planfix');
    const r = await cli([
      'plan',
      '--apply-fixes',
      '--yes',
      '--json',
      '--database-url',
      fresh.url,
      '--migrations',
      dir,
      '--journal-dir',
      journalDir,
    ]);
    await fresh.drop();
    expect(r.exitCode).toBe(0);
    expect(json(r)).toMatchObject({ applied: true });
    const names = readdirSync(dir).filter((n) => !n.includes('.'));
    expect(names).toContain('organization_module_20251202_add_owner_relation_and_role_permissions');
    expect(names).toContain('organization_module_add_performance_indexes');
    const step6 = readFileSync(path.join(dir, 'add_privacy_consent', 'migration.sql'), 'utf8');
    expect(step6).not.toContain('"User"');
    expect(step6.match(/"users"/g)).toHaveLength(5);
    expect(readFileSync(path.join(dir, 'runbook.yaml'), 'utf8')).toContain(
      '- name: organization_module_add_performance_indexes',
    );
  });
});
