// Migrations made ready to run (prepare.ts), kept as JSON under the SHA-256 of their text: a DBA
// runs `plan`, `status` or `rehearse` on the same files before `run`, and parsing every script again
// (the WebAssembly parser's start, then ~1 ms a script) was the largest part of `run`'s own time
// before its first statement. The key also holds the build's id, so a new build of citadel-migrate
// (whose step planning may differ) parses again; from the sources (no build id) nothing is cached.
// The cache is the user's own folder, like the runbook's (yamlCache.ts); still, an entry is used
// only if each statement's text is found, in order, in the script it claims to be cut from.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFolders } from '../folders.js';
import type { SqlStatement } from './split.js';
import type { Step } from './steps.js';

/** What prepare() computes from a script; the migration itself is not kept. */
export interface PreparedParts {
  statements: SqlStatement[];
  steps: Step[];
  atomic: boolean;
  ownTransactions: boolean;
  batches?: Map<number, number>;
}

interface Entry {
  statements: SqlStatement[];
  steps: { statements: number[]; autocommit: boolean }[];
  atomic: boolean;
  ownTransactions: boolean;
  batches?: [number, number][];
}

// scripts/bundle.mjs writes it beside the chunks: a hash of every file of the build.
const BUILD_ID_FILE = fileURLToPath(new URL('./build-id', import.meta.url));
let buildId: string | null | undefined;

function currentBuild(): string | null {
  if (buildId === undefined) {
    try {
      buildId = readFileSync(BUILD_ID_FILE, 'utf8').trim() || null;
    } catch {
      buildId = null;
    }
  }
  return buildId;
}

/** $XDG_CACHE_HOME/citadel-migrate/prepared, else ~/.cache/citadel-migrate/prepared. */
export function preparedCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'citadel-migrate', 'prepared');
}

function keyOf(build: string, sql: string, batching: boolean): string {
  return createHash('sha256').update(`prepared 1 ${build} batching=${batching}\n`).update(sql).digest('hex');
}

/** The cached parts for this script, or undefined (not cached, no build id, unreadable, not this script's). */
export function cachedPrepared(sql: string, batching: boolean, dir = preparedCacheDir()): PreparedParts | undefined {
  const build = currentBuild();
  if (!build || process.env.CITADEL_PARSE_CACHE === 'off') return undefined;
  let entry: Entry;
  try {
    entry = JSON.parse(readFileSync(path.join(dir, `${keyOf(build, sql, batching)}.json`), 'utf8')) as Entry;
  } catch {
    return undefined;
  }
  if (!fromThisScript(entry, sql)) return undefined;
  const { statements } = entry;
  return {
    statements,
    steps: entry.steps.map((s) => ({ statements: s.statements.map((i) => statements[i]!), autocommit: s.autocommit })),
    atomic: entry.atomic,
    ownTransactions: entry.ownTransactions,
    ...(entry.batches ? { batches: new Map(entry.batches) } : {}),
  };
}

function fromThisScript(entry: Entry, sql: string): boolean {
  if (!Array.isArray(entry.statements) || !Array.isArray(entry.steps)) return false;
  let from = 0;
  for (const [i, s] of entry.statements.entries()) {
    if (s?.index !== i || typeof s.sql !== 'string') return false;
    const at = sql.indexOf(s.sql, from);
    if (at < 0) return false;
    from = at + s.sql.length;
  }
  const n = entry.statements.length;
  return entry.steps.every((st) => st.statements.every((i) => Number.isInteger(i) && i >= 0 && i < n));
}

/** Keeps the parts for the next command; a cache that cannot be written is skipped. */
export function rememberPrepared(sql: string, batching: boolean, parts: PreparedParts, dir = preparedCacheDir()): void {
  const build = currentBuild();
  if (!build || process.env.CITADEL_PARSE_CACHE === 'off') return;
  const index = new Map(parts.statements.map((s, i) => [s, i]));
  const entry: Entry = {
    statements: parts.statements,
    steps: parts.steps.map((s) => ({ statements: s.statements.map((x) => index.get(x)!), autocommit: s.autocommit })),
    atomic: parts.atomic,
    ownTransactions: parts.ownTransactions,
    ...(parts.batches ? { batches: [...parts.batches] } : {}),
  };
  try {
    makeFolders(dir, 0o700);
    const file = path.join(dir, `${keyOf(build, sql, batching)}.json`);
    // Written aside and renamed: a second terminal's command never reads half a file.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, JSON.stringify(entry), { mode: 0o600 });
    renameSync(partial, file);
  } catch {
    // a read-only or full home: the next command parses again
  }
}
