import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { findManifestFor, ManifestError } from '../../src/runbook/manifest.js';
import { loadManifest } from '../../src/runbook/loadManifest.js';
import { parseManifest } from '../../src/runbook/manifestYaml.js';

const migrationsDir = fileURLToPath(new URL('../../migrations/', import.meta.url));
const folders = readdirSync(migrationsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const sqlOf = (folder: string, file: string) => readFileSync(path.join(migrationsDir, folder, file), 'utf8');

describe('the bundled CitadelBuy manifest', async () => {
  const file = findManifestFor(migrationsDir);
  const m = await loadManifest(file ?? 'missing');

  it('is found next to the migrations and loads', () => {
    expect(file).toBe(path.join(migrationsDir, 'runbook.yaml'));
    expect(m.guide).toBe('CitadelBuy Database Migration Execution Guide');
    expect(m.guideVersion).toBe('1.0');
    expect(m.thresholds.minFreeDiskPercent).toBe(20);
  });

  it('lists the 7 migrations in folder-name order, each folder with migration.sql and down.sql', () => {
    expect(m.migrations.map((x) => x.name)).toEqual(folders);
    expect(folders).toHaveLength(7);
    expect(m.migrations.map((x) => x.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const f of folders)
      expect(readdirSync(path.join(migrationsDir, f)).sort()).toEqual(['down.sql', 'migration.sql']);
  });

  it("has the guide's 15 pre-migration items in its 4 groups and its 12 post-migration tasks, in order", () => {
    expect(m.checklist).toHaveLength(27);
    expect(m.checklist.filter((c) => c.group !== 'post')).toHaveLength(15);
    const groups = m.checklist.map((c) => c.group).filter((g, i, all) => all.indexOf(g) === i);
    expect(groups).toEqual(['environment', 'backup', 'window', 'team', 'post']);
    expect(m.checklist.filter((c) => c.check === 'auto').map((c) => c.id)).toEqual([
      'env.connection',
      'env.migration-status',
      'env.disk-space',
      'env.database-size',
      'backup.create',
      'backup.verify',
      'backup.offsite',
      'window.maintenance-mode',
      'window.background-jobs',
      'post.services-restart',
      'post.smoke-test',
      'post.performance',
      'post.query-logging',
      'post.maintenance-off',
      'post.workers-start',
      'post.archive-backups',
    ]);
    expect(m.checklist.find((c) => c.id === 'env.connection')?.guideCommand).toBe(
      'psql $DATABASE_URL -c "SELECT version();"',
    );
  });

  it("carries the guide's figures", () => {
    const total = m.migrations.reduce((s, x) => [s[0] + x.estimate.minMinutes, s[1] + x.estimate.maxMinutes], [0, 0]);
    expect(total).toEqual([45, 63]); // "Total Estimated Duration: 45-63 minutes"
    expect(m.migrations.filter((x) => x.breaking).map((x) => x.step)).toEqual([2, 7]);
    expect(m.migrations[1].storage).toEqual({ minBytes: 2 * 1024 ** 3, maxBytes: 5 * 1024 ** 3 });
    expect(m.migrations[5].notes.join(' ')).toContain('"User"');
  });

  it('expects of step 5 exactly the idx_ indexes its SQL creates, and its down.sql drops exactly those', () => {
    const created = [...sqlOf(folders[4], 'migration.sql').matchAll(/CREATE INDEX IF NOT EXISTS "([^"]+)"/g)].map(
      (x) => x[1],
    );
    const dropped = [...sqlOf(folders[4], 'down.sql').matchAll(/DROP INDEX IF EXISTS "([^"]+)"/g)].map((x) => x[1]);
    const expected = m.migrations[4].expected.indexes;
    expect(expected).toEqual(created);
    expect([...dropped].sort()).toEqual([...created].sort());
    expect(expected.length).toBeGreaterThanOrEqual(110);
    expect(expected.every((n) => n.startsWith('idx_'))).toBe(true);
    expect(expected.filter((n) => n.endsWith('_covering')).length).toBeGreaterThanOrEqual(6);
  });

  it('expects of step 6 the four privacy tables and the two columns on users', () => {
    const e = m.migrations[5].expected;
    expect(e.tables).toEqual(['ConsentLog', 'DataDeletionRequest', 'DataExportRequest', 'AgreedTerms']);
    expect(e.columns).toEqual([
      { table: 'users', column: 'deletedAt' },
      { table: 'users', column: 'processingRestricted' },
    ]);
  });

  it("expects only tables that the migration's own SQL creates", () => {
    m.migrations.forEach((x, i) => {
      const sql = sqlOf(folders[i], 'migration.sql');
      for (const t of x.expected.tables) expect(sql, `${x.name} ${t}`).toContain(`CREATE TABLE "${t}" (`);
      for (const e of x.expected.enums) expect(sql, `${x.name} ${e}`).toContain(`CREATE TYPE "${e}" AS ENUM`);
    });
  });

  it("offers the guide's post-migration setup", () => {
    expect(m.migrations[6].postSetup.map((p) => p.id)).toEqual(['default-organization-roles', 'default-permissions']);
    expect(m.migrations[4].postSetup.map((p) => p.sql.trim())).toEqual(['ANALYZE;']);
  });
});

/** A small valid manifest; each case below breaks one field of it. */
function valid(): any {
  return {
    guide: 'G',
    guideVersion: '1.0',
    checklist: [
      {
        id: 'env.connection',
        group: 'environment',
        title: 'Verify database connection',
        check: 'auto',
        guideCommand: 'psql',
      },
      { id: 'team.channel', group: 'team', title: 'Set up channel', check: 'manual' },
    ],
    thresholds: { minFreeDiskPercent: 20 },
    migrations: [1, 2, 3].map((step) => ({
      name: `m${step}`,
      step,
      title: 'T',
      description: 'D',
      priority: 'High',
      estimate: { minMinutes: 2, maxMinutes: 3 },
      risk: 'Low',
      breaking: false,
      breakingChanges: [],
      storage: { minBytes: 0, maxBytes: 10 },
      notes: [],
      expected: { tables: ['a'], enums: [], columns: [{ table: 'users', column: 'x' }], indexes: [] },
      postSetup: [{ id: 'p', title: 'P', sql: 'ANALYZE;' }],
    })),
  };
}

const errorOf = (text: string): string => {
  try {
    parseManifest(text, 'runbook.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ManifestError);
    return (err as Error).message;
  }
  throw new Error('no error');
};

describe('parseManifest', () => {
  it('accepts a valid manifest and fills the optional lists', () => {
    const doc = valid();
    delete doc.migrations[0].notes;
    delete doc.migrations[0].postSetup;
    const m = parseManifest(stringify(doc), 'runbook.yaml');
    expect(m.migrations[0]).toMatchObject({ notes: [], postSetup: [], estimate: { minMinutes: 2, maxMinutes: 3 } });
    expect(m.checklist[1].details).toEqual([]);
    expect(m.checklist[1]).not.toHaveProperty('guideCommand');
  });

  const cases: [string, (d: any) => void, string][] = [
    [
      'a string for a number',
      (d) => {
        d.migrations[2].estimate.maxMinutes = 'five';
      },
      'runbook.yaml: migrations[2].estimate.maxMinutes must be a number (got "five")',
    ],
    [
      'a missing field',
      (d) => {
        delete d.guide;
      },
      'runbook.yaml: guide is required',
    ],
    [
      'an unquoted version',
      (d) => {
        d.guideVersion = 1;
      },
      'runbook.yaml: guideVersion must be a non-empty string (got 1)',
    ],
    [
      'an empty title',
      (d) => {
        d.migrations[0].title = ' ';
      },
      'runbook.yaml: migrations[0].title must be a non-empty string (got " ")',
    ],
    [
      'an unknown check kind',
      (d) => {
        d.checklist[1].check = 'maybe';
      },
      'runbook.yaml: checklist[1].check must be one of auto, manual (got "maybe")',
    ],
    [
      'an unknown group',
      (d) => {
        d.checklist[0].group = 'env';
      },
      'runbook.yaml: checklist[0].group must be one of environment, backup, window, team, post (got "env")',
    ],
    [
      'an unknown priority',
      (d) => {
        d.migrations[1].priority = 'high';
      },
      'runbook.yaml: migrations[1].priority must be one of Low, Medium, High, Critical (got "high")',
    ],
    [
      'an unknown risk',
      (d) => {
        d.migrations[1].risk = 'Critical';
      },
      'runbook.yaml: migrations[1].risk must be one of Low, Medium, High (got "Critical")',
    ],
    [
      'a string for a boolean',
      (d) => {
        d.migrations[0].breaking = 'no';
      },
      'runbook.yaml: migrations[0].breaking must be true or false (got "no")',
    ],
    [
      'breaking changes of a non-breaking migration',
      (d) => {
        d.migrations[0].breakingChanges = ['x'];
      },
      'runbook.yaml: migrations[0].breakingChanges must be empty when breaking is false',
    ],
    [
      'a misspelt field',
      (d) => {
        d.migrations[0].prority = 'High';
      },
      'runbook.yaml: migrations[0] has an unknown field "prority" (expected: name, step, title, description, priority, ' +
        'estimate, risk, breaking, storage, expected, breakingChanges, notes, postSetup)',
    ],
    [
      'an unknown top-level field',
      (d) => {
        d.extra = 1;
      },
      'runbook.yaml: the manifest has an unknown field "extra" (expected: guide, guideVersion, checklist, thresholds, migrations, actions, notify, copyTo)',
    ],
    [
      'a shell string without shell: true',
      (d) => {
        d.actions = { 'workers-stop': { command: 'systemctl stop w' } };
      },
      'runbook.yaml: actions.workers-stop.command is a string: write it as a list of arguments (["systemctl", "stop", "citadelbuy-worker"]), or add shell: true to run it through /bin/sh',
    ],
    [
      'a check without patterns',
      (d) => {
        d.actions = { 'workers-stop': { command: ['true'], check: { sessions: { application: [], expect: 0 } } } };
      },
      'runbook.yaml: actions.workers-stop.check.sessions.application must name at least one application_name pattern (e.g. citadelbuy-worker%)',
    ],
    [
      'a check expecting words',
      (d) => {
        d.actions = {
          'workers-start': { command: ['true'], check: { sessions: { application: ['w%'], expect: 'back' } } },
        };
      },
      'runbook.yaml: actions.workers-start.check.sessions.expect must be a number of sessions (0 after a stop) or ">= N" (back after a start) (got "back")',
    ],
    [
      'a bad timeout',
      (d) => {
        d.actions = { 'smoke-test': { command: ['true'], timeout: 'soon' } };
      },
      'runbook.yaml: actions.smoke-test.timeout must be a duration such as 30s, 5m or a number of seconds (got "soon")',
    ],
    [
      'a misspelt action field',
      (d) => {
        d.actions = { 'smoke-test': { command: ['true'], cwdir: '/' } };
      },
      'runbook.yaml: actions.smoke-test has an unknown field "cwdir" (expected: command, title, shell, cwd, env, secrets, timeout, check, proves)',
    ],
    [
      'proving an item that does not exist',
      (d) => {
        d.actions = { 'smoke-test': { command: ['true'], proves: ['post.nothing'] } };
      },
      'runbook.yaml: actions.smoke-test.proves names "post.nothing", which is not a checklist item id',
    ],
    [
      'a copyTo that is not s3',
      (d) => {
        d.copyTo = '/mnt/backups';
      },
      'runbook.yaml: copyTo must be an s3://bucket/prefix location (got "/mnt/backups")',
    ],
    [
      'a notify that is not a URL',
      (d) => {
        d.notify = ['slack'];
      },
      'runbook.yaml: notify[0] must be an http(s) URL (got "slack")',
    ],
    [
      'a step out of order',
      (d) => {
        d.migrations[1].step = 3;
      },
      'runbook.yaml: migrations[1].step must be 2, the migrations are listed in step order (got 3)',
    ],
    [
      'a fractional step',
      (d) => {
        d.migrations[0].step = 1.5;
      },
      'runbook.yaml: migrations[0].step must be a whole number (got 1.5)',
    ],
    [
      'a duplicate name',
      (d) => {
        d.migrations[2].name = 'm1';
      },
      'runbook.yaml: migrations[2].name repeats the name "m1" of migrations[0].name',
    ],
    [
      'a path as a name',
      (d) => {
        d.migrations[0].name = '../etc';
      },
      'runbook.yaml: migrations[0].name must be a folder name (got "../etc")',
    ],
    [
      'a duplicate checklist id',
      (d) => {
        d.checklist[1].id = 'env.connection';
      },
      'runbook.yaml: checklist[1].id repeats the id "env.connection" of checklist[0].id',
    ],
    [
      'an inverted range',
      (d) => {
        d.migrations[0].estimate = { minMinutes: 5, maxMinutes: 3 };
      },
      'runbook.yaml: migrations[0].estimate.minMinutes must not exceed maxMinutes (5 > 3)',
    ],
    [
      'a negative size',
      (d) => {
        d.migrations[1].storage.minBytes = -1;
      },
      'runbook.yaml: migrations[1].storage.minBytes must be at least 0 (got -1)',
    ],
    [
      'a list for a mapping',
      (d) => {
        d.migrations[0].estimate = [2, 3];
      },
      'runbook.yaml: migrations[0].estimate must be a mapping (got a list)',
    ],
    [
      'a percentage over 100',
      (d) => {
        d.thresholds.minFreeDiskPercent = 120;
      },
      'runbook.yaml: thresholds.minFreeDiskPercent must be at most 100 (got 120)',
    ],
    [
      'a mapping for a list',
      (d) => {
        d.checklist = { id: 'x' };
      },
      'runbook.yaml: checklist must be a list (got a mapping)',
    ],
    [
      'a number in a list of names',
      (d) => {
        d.migrations[0].expected.tables = ['a', 7];
      },
      'runbook.yaml: migrations[0].expected.tables[1] must be a non-empty string (got 7)',
    ],
    [
      'a column without its table',
      (d) => {
        delete d.migrations[1].expected.columns[0].table;
      },
      'runbook.yaml: migrations[1].expected.columns[0].table is required',
    ],
    [
      'a post-setup step without SQL',
      (d) => {
        d.migrations[2].postSetup[0].sql = '';
      },
      'runbook.yaml: migrations[2].postSetup[0].sql must be a non-empty string (got "")',
    ],
    [
      'a duplicate post-setup id',
      (d) => {
        d.migrations[0].postSetup.push({ id: 'p', title: 'Q', sql: 'SELECT 1;' });
      },
      'runbook.yaml: migrations[0].postSetup[1].id repeats the id "p" of migrations[0].postSetup[0].id',
    ],
  ];
  it.each(cases)('rejects %s', (_, breakIt, message) => {
    const doc = valid();
    breakIt(doc);
    expect(errorOf(stringify(doc))).toBe(message);
  });

  it('rejects text that is not YAML, or not a mapping', () => {
    expect(errorOf('guide: [unclosed')).toMatch(/^runbook\.yaml: is not valid YAML \(.+\)$/);
    expect(errorOf('guide: a\nguide: b\n')).toMatch(/^runbook\.yaml: is not valid YAML \(.*unique.*\)$/);
    expect(errorOf('')).toBe('runbook.yaml: the manifest must be a mapping (got null)');
    expect(errorOf('- a\n- b\n')).toBe('runbook.yaml: the manifest must be a mapping (got a list)');
  });
});

describe('loadManifest and findManifestFor', () => {
  it('name the file they cannot read, and find no manifest where there is none', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'manifest-test-'));
    expect(findManifestFor(dir)).toBeUndefined();
    const missing = path.join(dir, 'runbook.yaml');
    await expect(loadManifest(missing)).rejects.toThrow(ManifestError);
    await expect(loadManifest(missing)).rejects.toThrow(`${missing}: cannot be read (ENOENT)`);
  });
});

describe('the bundled runbook actions', () => {
  it("names the guide's six actions, as argument lists, with checks by application name", async () => {
    const m = await loadManifest(fileURLToPath(new URL('../../migrations/runbook.yaml', import.meta.url)));
    expect(m.actions.map((a) => a.name).sort()).toEqual([
      'maintenance-off',
      'maintenance-on',
      'services-restart',
      'smoke-test',
      'workers-start',
      'workers-stop',
    ]);
    const stop = m.actions.find((a) => a.name === 'workers-stop')!;
    expect(stop.command).toEqual(['systemctl', 'stop', 'citadelbuy-worker']);
    expect(stop.shell).toBe(false);
    expect(stop.check).toEqual({
      label: 'worker sessions',
      application: ['citadelbuy-worker%'],
      expect: { exactly: 0 },
      waitMs: 60_000,
    });
    expect(m.actions.find((a) => a.name === 'workers-start')!.check!.expect).toEqual({ atLeast: 1 });
    expect(stop.proves).toEqual(['window.background-jobs']);
  });
});
