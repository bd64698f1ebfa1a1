import { mkdtempSync, mkdirSync, writeFileSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BUNDLED = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** A migrations folder made of NAME -> migration.sql (and optional down.sql). */
export function makeMigrations(spec: Record<string, string | { up: string; down?: string }>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-migs-'));
  for (const [name, body] of Object.entries(spec)) {
    mkdirSync(path.join(dir, name), { recursive: true });
    const up = typeof body === 'string' ? body : body.up;
    writeFileSync(path.join(dir, name, 'migration.sql'), up);
    if (typeof body !== 'string' && body.down !== undefined) writeFileSync(path.join(dir, name, 'down.sql'), body.down);
  }
  return dir;
}

/** A copy of the bundled runbook that a test may change. */
export function copyBundled(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-bundled-'));
  cpSync(BUNDLED, dir, { recursive: true });
  return dir;
}
