// Turns plan's fix proposals into file changes: shown as a diff first, then applied with a copy of
// everything they change kept aside. Only migrations nobody has applied are touched: an applied
// migration's checksum is recorded, and changing its file would make it "modified" for Prisma.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseDocument, isMap, isScalar, isSeq } from 'yaml';
import type { MigrationsFolder } from '../runbook/folder.js';
import type { PlanResult } from './plan.js';
import { rewriteEdits, applyEdits, lineDiff, type Edit, type Rename } from './fixes.js';

export interface FileChange {
  migration: string;
  file: string;
  before: Buffer;
  after: Buffer;
  edits: Edit[];
}

export interface FixSet {
  dir: string;
  changes: FileChange[];
  renames: Rename[];
  /** The runbook manifest with the renamed migrations' names updated. */
  manifest?: { file: string; before: string; after: string };
  /** Proposed fixes left out, and why (applied migrations, tokens that did not match). */
  refused: string[];
}

export async function collectFixes(folder: MigrationsFolder, plan: PlanResult, manifestFile?: string): Promise<FixSet> {
  const pendingOnly = new Set(plan.states.filter((s) => s.state === 'pending').map((s) => s.name));
  const refused: string[] = [];
  const changes: FileChange[] = [];
  const byMigration = new Map<string, typeof plan.fixes.rewrites>();
  for (const rw of plan.fixes.rewrites) byMigration.set(rw.migration, [...(byMigration.get(rw.migration) ?? []), rw]);
  for (const [name, rewrites] of byMigration) {
    const m = folder.migrations.find((x) => x.name === name);
    if (!m) continue;
    if (!pendingOnly.has(name)) {
      refused.push(`${name}: has rows in _prisma_migrations, so its file is left alone`);
      continue;
    }
    const { edits, skipped } = rewriteEdits(m.bytes, rewrites);
    if (skipped) refused.push(`${name}: ${skipped} reference(s) did not read as expected and were left alone`);
    if (edits.length)
      changes.push({ migration: name, file: m.sqlPath, before: m.bytes, after: applyEdits(m.bytes, edits), edits });
  }
  const renames = plan.fixes.renames.filter((r) => {
    if (pendingOnly.has(r.from)) return true;
    refused.push(`${r.from}: has rows in _prisma_migrations, so it is not renamed`);
    return false;
  });
  let manifest: FixSet['manifest'];
  if (manifestFile && renames.length) {
    const before = await fs.readFile(manifestFile, 'utf8');
    const after = renameInManifest(before, renames);
    if (after !== before) manifest = { file: manifestFile, before, after };
  }
  return { dir: folder.dir, changes, renames, manifest, refused };
}

/** Replaces the `name:` of renamed migrations in place, leaving comments and layout as they are. */
function renameInManifest(text: string, renames: Rename[]): string {
  const doc = parseDocument(text, { keepSourceTokens: true });
  const list = doc.get('migrations', true);
  if (!isSeq(list)) return text;
  const spans: { start: number; end: number; to: string }[] = [];
  for (const item of list.items) {
    if (!isMap(item)) continue;
    const node = item.get('name', true);
    if (!isScalar(node) || !node.range) continue;
    const r = renames.find((x) => x.from === node.value);
    if (r) spans.push({ start: node.range[0], end: node.range[1], to: r.to });
  }
  let out = text;
  for (const s of spans.sort((a, b) => b.start - a.start)) {
    const old = out.slice(s.start, s.end);
    const quote = old.startsWith('"') || old.startsWith("'") ? old[0] : '';
    out = out.slice(0, s.start) + quote + s.to + quote + out.slice(s.end);
  }
  return out;
}

export function isEmptyFixSet(f: FixSet): boolean {
  return !f.changes.length && !f.renames.length;
}

/** The same fixes aimed at a copy of the folder (the bundled runbook's fixes go to a copy of it). */
export function rebaseFixSet(f: FixSet, dir: string): FixSet {
  const moved = (file: string) =>
    file.startsWith(f.dir + path.sep) ? path.join(dir, path.relative(f.dir, file)) : file;
  return {
    ...f,
    dir,
    changes: f.changes.map((c) => ({ ...c, file: moved(c.file) })),
    ...(f.manifest ? { manifest: { ...f.manifest, file: moved(f.manifest.file) } } : {}),
  };
}

/** The diff a DBA reviews before saying yes. */
export function renderFixDiff(f: FixSet): string {
  const parts: string[] = [];
  for (const c of f.changes)
    parts.push(lineDiff(`${c.migration}/migration.sql`, c.before.toString('utf8'), c.after.toString('utf8')));
  for (const r of f.renames) parts.push(`rename from ${r.from}/\nrename to   ${r.to}/   (runs after ${r.after})`);
  if (f.manifest) parts.push(lineDiff(path.basename(f.manifest.file), f.manifest.before, f.manifest.after));
  return parts.join('\n\n');
}

/** Where the copies go: beside the migrations folder, so that no tool reads them as migrations. */
export function backupDirFor(dir: string, at = new Date()): string {
  const stamp = at.toISOString().replace(/[:.]/g, '-');
  return path.join(path.dirname(dir), '.citadel-backup', `${path.basename(dir)}-${stamp}`);
}

export interface AppliedFixes {
  backup: string;
  rewritten: string[];
  renamed: Rename[];
  manifest?: string;
}

/** Copies everything it will change into the backup folder, then changes it. */
export async function applyFixSet(f: FixSet, backup = backupDirFor(f.dir)): Promise<AppliedFixes> {
  await fs.mkdir(backup, { recursive: true, mode: 0o700 });
  for (const r of f.renames) await fs.cp(path.join(f.dir, r.from), path.join(backup, r.from), { recursive: true });
  for (const c of f.changes) {
    if (f.renames.some((r) => r.from === c.migration)) continue; // the folder copy holds it
    await fs.mkdir(path.join(backup, c.migration), { recursive: true });
    await fs.writeFile(path.join(backup, c.migration, path.basename(c.file)), c.before);
  }
  if (f.manifest) await fs.writeFile(path.join(backup, path.basename(f.manifest.file)), f.manifest.before);
  await fs.writeFile(
    path.join(backup, 'fixes.json'),
    JSON.stringify(
      {
        migrations: f.dir,
        rewritten: f.changes.map((c) => c.migration),
        renamed: f.renames,
        manifest: f.manifest?.file ?? null,
      },
      null,
      2,
    ) + '\n',
  );

  for (const c of f.changes) await writeAtomically(c.file, c.after);
  for (const r of f.renames) await fs.rename(path.join(f.dir, r.from), path.join(f.dir, r.to));
  if (f.manifest) await writeAtomically(f.manifest.file, Buffer.from(f.manifest.after, 'utf8'));
  return { backup, rewritten: f.changes.map((c) => c.migration), renamed: f.renames, manifest: f.manifest?.file };
}

/** A crash mid-write leaves either the old file or the new one, never half of each. */
async function writeAtomically(file: string, data: Buffer): Promise<void> {
  const st = await fs.stat(file);
  const tmp = `${file}.citadel-tmp-${process.pid}`;
  await fs.writeFile(tmp, data, { mode: st.mode & 0o777 });
  const fh = await fs.open(tmp, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, file);
}
