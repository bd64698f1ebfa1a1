// The runbook manifest (migrations/runbook.yaml): the migration guide as data. Every field is checked
// here, once, so the rest of the program can trust the types, and a mistake in a hand-edited manifest
// is reported as one sentence naming the file and the field instead of surfacing mid-run.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { readActions, type RunbookAction } from './actions.js';

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
export interface PostSetupStep { id: string; title: string; sql: string }

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
  thresholds: { minFreeDiskPercent: number };
  migrations: ManifestMigration[];
  /** Commands for the guide's steps outside the database (src/runbook/actions.ts). */
  actions: RunbookAction[];
  /** Where notifications are posted (besides --notify and CITADEL_NOTIFY_URL). */
  notify: string[];
  /** Where `backup` copies a verified backup (s3://bucket/prefix), unless --copy-to says otherwise. */
  copyTo?: string;
}

export class ManifestError extends Error {
  override name = 'ManifestError';
}

export const MANIFEST_FILE = 'runbook.yaml';

export function findManifestFor(migrationsDir: string): string | undefined {
  const file = path.join(migrationsDir, MANIFEST_FILE);
  return existsSync(file) ? file : undefined;
}

export async function loadManifest(file: string): Promise<RunbookManifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ManifestError(`${file}: cannot be read (${code})`);
  }
  return parseManifest(text, file);
}

type Obj = Record<string, unknown>;

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

/** Reads one mapping of the manifest; every failure names the field's path from the document root. */
export class Fields {
  constructor(private readonly source: string, readonly at: string, readonly obj: Obj) {}

  static of(source: string, at: string, value: unknown, required: string[], optional: string[] = []): Fields {
    const where = at || 'the manifest';
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new ManifestError(`${source}: ${where} must be a mapping (got ${show(value)})`);
    }
    const allowed = [...required, ...optional];
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        throw new ManifestError(`${source}: ${where} has an unknown field "${key}" (expected: ${allowed.join(', ')})`);
      }
    }
    for (const key of required) {
      if ((value as Obj)[key] === undefined) throw new ManifestError(`${source}: ${join(at, key)} is required`);
    }
    return new Fields(source, at, value as Obj);
  }

  fail(key: string, problem: string): never {
    throw new ManifestError(`${this.source}: ${join(this.at, key)} ${problem}`);
  }

  child(key: string, required: string[], optional: string[] = []): Fields {
    return Fields.of(this.source, join(this.at, key), this.obj[key], required, optional);
  }

  str(key: string): string {
    const v = this.obj[key];
    if (typeof v !== 'string' || v.trim() === '') this.fail(key, `must be a non-empty string (got ${show(v)})`);
    return v;
  }

  optStr(key: string): string | undefined {
    return this.obj[key] === undefined ? undefined : this.str(key);
  }

  num(key: string, opts: { integer?: boolean; min?: number; max?: number } = {}): number {
    const v = this.obj[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, `must be a number (got ${show(v)})`);
    if (opts.integer && !Number.isInteger(v)) this.fail(key, `must be a whole number (got ${v})`);
    if (opts.min !== undefined && v < opts.min) this.fail(key, `must be at least ${opts.min} (got ${v})`);
    if (opts.max !== undefined && v > opts.max) this.fail(key, `must be at most ${opts.max} (got ${v})`);
    return v;
  }

  bool(key: string): boolean {
    const v = this.obj[key];
    if (typeof v !== 'boolean') this.fail(key, `must be true or false (got ${show(v)})`);
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const v = this.obj[key];
    if (!values.includes(v as T)) this.fail(key, `must be one of ${values.join(', ')} (got ${show(v)})`);
    return v as T;
  }

  /** A list; an absent optional list reads as empty. */
  list<T>(key: string, read: (item: unknown, at: string) => T, optional = false): T[] {
    const v = this.obj[key];
    if (v === undefined && optional) return [];
    if (!Array.isArray(v)) this.fail(key, `must be a list (got ${show(v)})`);
    return v.map((item, i) => read(item, `${join(this.at, key)}[${i}]`));
  }

  /** An optional list of names or sentences. */
  strings(key: string): string[] {
    return this.list(key, (item, at) => {
      if (typeof item !== 'string' || item.trim() === '') {
        throw new ManifestError(`${this.source}: ${at} must be a non-empty string (got ${show(item)})`);
      }
      return item;
    }, true);
  }

  range<K extends string>(key: string, lo: K, hi: K): Record<K, number> {
    const r = this.child(key, [lo, hi]);
    const min = r.num(lo, { min: 0 });
    const max = r.num(hi, { min: 0 });
    if (min > max) r.fail(lo, `must not exceed ${hi} (${min} > ${max})`);
    return { [lo]: min, [hi]: max } as Record<K, number>;
  }
}

const join = (at: string, key: string): string => (at ? `${at}.${key}` : key);

function unique(source: string, items: { value: string; at: string }[], what: string): void {
  const seen = new Map<string, string>();
  for (const { value, at } of items) {
    const first = seen.get(value);
    if (first) throw new ManifestError(`${source}: ${at} repeats the ${what} "${value}" of ${first}`);
    seen.set(value, at);
  }
}

export function parseManifest(text: string, source: string): RunbookManifest {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new ManifestError(`${source}: is not valid YAML (${first})`);
  }
  const root = Fields.of(source, '', doc, ['guide', 'guideVersion', 'checklist', 'thresholds', 'migrations'], ['actions', 'notify', 'copyTo']);
  const guide = root.str('guide');
  const guideVersion = root.str('guideVersion');

  const checklist = root.list('checklist', (item, at): ChecklistItemSpec => {
    const f = Fields.of(source, at, item, ['id', 'group', 'title', 'check'], ['guideCommand', 'details']);
    const [id, group, title, check] = [f.str('id'), f.oneOf('group', CHECKLIST_GROUPS), f.str('title'), f.oneOf('check', CHECK_KINDS)];
    const guideCommand = f.optStr('guideCommand');
    return { id, group, title, check, ...(guideCommand === undefined ? {} : { guideCommand }), details: f.strings('details') };
  });
  unique(source, checklist.map((c, i) => ({ value: c.id, at: `checklist[${i}].id` })), 'id');

  const thresholds = root.child('thresholds', ['minFreeDiskPercent']);
  const migrations = root.list('migrations', (item, at) => readMigration(source, at, item));
  migrations.forEach((m, i) => {
    if (m.step !== i + 1) {
      throw new ManifestError(`${source}: migrations[${i}].step must be ${i + 1}, the migrations are listed in step order (got ${m.step})`);
    }
  });
  unique(source, migrations.map((m, i) => ({ value: m.name, at: `migrations[${i}].name` })), 'name');

  const actions = readActions(source, root.obj.actions);
  const notify = typeof root.obj.notify === 'string' ? [root.str('notify')] : root.strings('notify');
  for (const [i, url] of notify.entries()) {
    if (!/^https?:\/\/[^\s]+$/.test(url)) throw new ManifestError(`${source}: notify[${i}] must be an http(s) URL (got ${show(url)})`);
  }
  const copyTo = root.optStr('copyTo');
  if (copyTo !== undefined && !/^s3:\/\/[^/\s]+/.test(copyTo)) root.fail('copyTo', `must be an s3://bucket/prefix location (got ${show(copyTo)})`);
  const known = new Set(checklist.map((c) => c.id));
  for (const a of actions) {
    for (const id of a.proves) {
      if (!known.has(id)) throw new ManifestError(`${source}: actions.${a.name}.proves names "${id}", which is not a checklist item id`);
    }
  }

  return {
    guide,
    guideVersion,
    checklist,
    thresholds: { minFreeDiskPercent: thresholds.num('minFreeDiskPercent', { min: 0, max: 100 }) },
    migrations,
    actions,
    notify,
    ...(copyTo ? { copyTo } : {}),
  };
}

function readMigration(source: string, at: string, item: unknown): ManifestMigration {
  const f = Fields.of(source, at, item,
    ['name', 'step', 'title', 'description', 'priority', 'estimate', 'risk', 'breaking', 'storage', 'expected'],
    ['breakingChanges', 'notes', 'postSetup'],
  );
  const name = f.str('name');
  // The name is a folder of the migrations directory; a path here would point outside it.
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.')) f.fail('name', `must be a folder name (got ${show(name)})`);
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
    columns: e.list('columns', (c, cat) => {
      const cf = Fields.of(source, cat, c, ['table', 'column']);
      return { table: cf.str('table'), column: cf.str('column') };
    }, true),
    indexes: e.strings('indexes'),
  };

  const postSetup = f.list('postSetup', (p, pat): PostSetupStep => {
    const pf = Fields.of(source, pat, p, ['id', 'title', 'sql']);
    return { id: pf.str('id'), title: pf.str('title'), sql: pf.str('sql') };
  }, true);
  unique(source, postSetup.map((p, i) => ({ value: p.id, at: `${at}.postSetup[${i}].id` })), 'id');

  return { name, step, title, description, priority, estimate, risk, breaking, breakingChanges, storage, notes, expected, postSetup };
}
