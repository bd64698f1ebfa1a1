// The runbook manifest (migrations/runbook.yaml): the migration guide as data. Every field is checked
// here, once, so the rest of the program can trust the types, and a mistake in a hand-edited manifest
// is reported as one sentence naming the file and the field instead of surfacing mid-run.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readActions, type RunbookAction } from './actions.js';
import { Fields, ManifestError, show } from './manifestFields.js';

export { ManifestError };

export const CHECKLIST_GROUPS = ['environment', 'backup', 'window', 'team', 'post'] as const;
export const CHECK_KINDS = ['auto', 'manual'] as const;
export const PRIORITIES = ['Low', 'Medium', 'High', 'Critical'] as const;
export const RISK_LEVELS = ['Low', 'Medium', 'High'] as const;

export type ChecklistGroup = (typeof CHECKLIST_GROUPS)[number];
export type CheckKind = (typeof CHECK_KINDS)[number];
export type Priority = (typeof PRIORITIES)[number];
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface ChecklistItemSpec {
  id: string;
  group: ChecklistGroup;
  title: string;
  /** auto: answered by a machine with evidence; manual: confirmed by a person. */
  check: CheckKind;
  guideCommand?: string;
  details: string[];
}

/** What verification looks for after the migration: only what the migration itself creates. */
export interface ExpectedChanges {
  tables: string[];
  enums: string[];
  /** Columns the migration adds to tables that existed before it. */
  columns: { table: string; column: string }[];
  indexes: string[];
}

/** sql is idempotent: running it twice adds nothing. */
export interface PostSetupStep {
  id: string;
  title: string;
  sql: string;
}

export interface ManifestMigration {
  name: string; // the migration's folder
  step: number;
  title: string;
  description: string;
  priority: Priority;
  estimate: { minMinutes: number; maxMinutes: number };
  risk: RiskLevel;
  breaking: boolean;
  breakingChanges: string[];
  /** Disk space the migration needs, in bytes. */
  storage: { minBytes: number; maxBytes: number };
  notes: string[];
  expected: ExpectedChanges;
  postSetup: PostSetupStep[];
}

export interface RunbookManifest {
  guide: string;
  guideVersion: string;
  checklist: ChecklistItemSpec[];
  /** maxBackupAgeHours: the checklist's backup items pass only on a backup younger than this (24). */
  /** maxLag: run's --max-lag when the command does not give one (2s, 64MB); off without standbys. */
  thresholds: { minFreeDiskPercent: number; maxBackupAgeHours?: number; maxLag?: string };
  migrations: ManifestMigration[];
  /** Commands for the guide's steps outside the database (src/runbook/actions.ts). */
  actions: RunbookAction[];
  /** Where notifications are posted (besides --notify and CITADEL_NOTIFY_URL). */
  notify: string[];
  /** Where `backup` copies a verified backup (s3://bucket/prefix), unless --copy-to says otherwise. */
  copyTo?: string;
}

export const MANIFEST_FILE = 'runbook.yaml';

export function findManifestFor(migrationsDir: string): string | undefined {
  const file = path.join(migrationsDir, MANIFEST_FILE);
  return existsSync(file) ? file : undefined;
}

function unique(source: string, items: { value: string; at: string }[], what: string): void {
  const seen = new Map<string, string>();
  for (const { value, at } of items) {
    const first = seen.get(value);
    if (first) throw new ManifestError(`${source}: ${at} repeats the ${what} "${value}" of ${first}`);
    seen.set(value, at);
  }
}

/**
 * Checks a parsed runbook document field by field (the YAML itself is read by loadManifest.ts, and
 * by manifestYaml.ts's parseManifest).
 */
export function checkManifest(doc: unknown, source: string): RunbookManifest {
  const root = Fields.of(
    source,
    '',
    doc,
    ['guide', 'guideVersion', 'checklist', 'thresholds', 'migrations'],
    ['actions', 'notify', 'copyTo'],
  );
  const guide = root.str('guide');
  const guideVersion = root.str('guideVersion');

  const checklist = root.list('checklist', (item, at): ChecklistItemSpec => {
    const f = Fields.of(source, at, item, ['id', 'group', 'title', 'check'], ['guideCommand', 'details']);
    const [id, group, title, check] = [
      f.str('id'),
      f.oneOf('group', CHECKLIST_GROUPS),
      f.str('title'),
      f.oneOf('check', CHECK_KINDS),
    ];
    const guideCommand = f.optStr('guideCommand');
    return {
      id,
      group,
      title,
      check,
      ...(guideCommand === undefined ? {} : { guideCommand }),
      details: f.strings('details'),
    };
  });
  unique(
    source,
    checklist.map((c, i) => ({ value: c.id, at: `checklist[${i}].id` })),
    'id',
  );

  const thresholds = root.child('thresholds', ['minFreeDiskPercent'], ['maxBackupAgeHours', 'maxLag']);
  const migrations = root.list('migrations', (item, at) => readMigration(source, at, item));
  migrations.forEach((m, i) => {
    if (m.step !== i + 1) {
      throw new ManifestError(
        `${source}: migrations[${i}].step must be ${i + 1}, the migrations are listed in step order (got ${m.step})`,
      );
    }
  });
  unique(
    source,
    migrations.map((m, i) => ({ value: m.name, at: `migrations[${i}].name` })),
    'name',
  );

  const actions = readActions(source, root.obj.actions);
  const notify = typeof root.obj.notify === 'string' ? [root.str('notify')] : root.strings('notify');
  for (const [i, url] of notify.entries()) {
    if (!/^https?:\/\/[^\s]+$/.test(url))
      throw new ManifestError(`${source}: notify[${i}] must be an http(s) URL (got ${show(url)})`);
  }
  const copyTo = root.optStr('copyTo');
  if (copyTo !== undefined && !/^s3:\/\/[^/\s]+/.test(copyTo))
    root.fail('copyTo', `must be an s3://bucket/prefix location (got ${show(copyTo)})`);
  const known = new Set(checklist.map((c) => c.id));
  for (const a of actions) {
    for (const id of a.proves) {
      if (!known.has(id))
        throw new ManifestError(`${source}: actions.${a.name}.proves names "${id}", which is not a checklist item id`);
    }
  }

  return {
    guide,
    guideVersion,
    checklist,
    thresholds: {
      minFreeDiskPercent: thresholds.num('minFreeDiskPercent', { min: 0, max: 100 }),
      ...(thresholds.obj.maxBackupAgeHours === undefined
        ? {}
        : { maxBackupAgeHours: thresholds.num('maxBackupAgeHours', { min: 0 }) }),
      ...(thresholds.obj.maxLag === undefined ? {} : { maxLag: lagText(thresholds) }),
    },
    migrations,
    actions,
    notify,
    ...(copyTo ? { copyTo } : {}),
  };
}

function readMigration(source: string, at: string, item: unknown): ManifestMigration {
  const f = Fields.of(
    source,
    at,
    item,
    ['name', 'step', 'title', 'description', 'priority', 'estimate', 'risk', 'breaking', 'storage', 'expected'],
    ['breakingChanges', 'notes', 'postSetup'],
  );
  const name = f.str('name');
  // The name is a folder of the migrations directory; a path here would point outside it.
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.'))
    f.fail('name', `must be a folder name (got ${show(name)})`);
  const step = f.num('step', { integer: true, min: 1 });
  const title = f.str('title');
  const description = f.str('description');
  const priority = f.oneOf('priority', PRIORITIES);
  const estimate = f.range('estimate', 'minMinutes', 'maxMinutes');
  const risk = f.oneOf('risk', RISK_LEVELS);
  const breaking = f.bool('breaking');
  const breakingChanges = f.strings('breakingChanges');
  if (!breaking && breakingChanges.length > 0) f.fail('breakingChanges', 'must be empty when breaking is false');
  const storage = f.range('storage', 'minBytes', 'maxBytes');
  const notes = f.strings('notes');

  const e = f.child('expected', [], ['tables', 'enums', 'columns', 'indexes']);
  const expected: ExpectedChanges = {
    tables: e.strings('tables'),
    enums: e.strings('enums'),
    columns: e.list(
      'columns',
      (c, cat) => {
        const cf = Fields.of(source, cat, c, ['table', 'column']);
        return { table: cf.str('table'), column: cf.str('column') };
      },
      true,
    ),
    indexes: e.strings('indexes'),
  };

  const postSetup = f.list(
    'postSetup',
    (p, pat): PostSetupStep => {
      const pf = Fields.of(source, pat, p, ['id', 'title', 'sql']);
      return { id: pf.str('id'), title: pf.str('title'), sql: pf.str('sql') };
    },
    true,
  );
  unique(
    source,
    postSetup.map((p, i) => ({ value: p.id, at: `${at}.postSetup[${i}].id` })),
    'id',
  );

  return {
    name,
    step,
    title,
    description,
    priority,
    estimate,
    risk,
    breaking,
    breakingChanges,
    storage,
    notes,
    expected,
    postSetup,
  };
}

/** thresholds.maxLag as --max-lag takes it: a duration (2s, 500ms) or a size of WAL (64MB). */
function lagText(f: Fields): string {
  const text = String(f.obj.maxLag).trim();
  if (!/^\d+(\.\d+)?\s*(ms|s|m|min|h|b|kb|mb|gb|tb)$/i.test(text))
    f.fail('maxLag', `must be a duration such as 2s or a size of WAL such as 64MB (got ${show(text)})`);
  return text;
}
