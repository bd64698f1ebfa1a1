// Parsed runbook documents, cached as JSON under the text's SHA-256: parsing the bundled runbook's
// YAML is most of a cold start's CPU, and reading its JSON takes a millisecond. The build leaves the
// bundled runbook's document in dist/runbook-cache/ (so a fresh install starts fast); any other
// runbook is cached in the user's cache folder after its first parse. Only the text decides the
// document, so a cached one is never stale; a cache that cannot be read or written is skipped.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { makeFolders } from '../folders.js';

// dist/runbook-cache sits at the package root like sql/, the same relative path from src/ and dist/bundle/.
export const BUILT_CACHE_DIR = fileURLToPath(new URL('../../dist/runbook-cache/', import.meta.url));

/** Where documents parsed on this machine are kept (XDG_CACHE_HOME, else ~/.cache). */
export function userCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'citadel-migrate', 'runbook');
}

let parserVersion: string | undefined;
function parser(): string {
  if (parserVersion === undefined) {
    try {
      parserVersion = String(createRequire(import.meta.url)('yaml/package.json').version);
    } catch {
      parserVersion = 'unknown';
    }
  }
  return parserVersion;
}

/** The cache file's name for a text: a new parser version parses again. */
export function cacheKey(text: string): string {
  return `${createHash('sha256').update(`yaml ${parser()}\n`).update(text).digest('hex')}.json`;
}

export function cachedDocument(
  text: string,
  dirs: string[] = [BUILT_CACHE_DIR, userCacheDir()],
): { doc: unknown } | undefined {
  const key = cacheKey(text);
  for (const dir of dirs) {
    try {
      return { doc: JSON.parse(readFileSync(path.join(dir, key), 'utf8')) };
    } catch {
      // not cached here (or unreadable): the next place, then the parser
    }
  }
  return undefined;
}

/**
 * Keeps a parsed document for the next start; JSON must give back the same document, or nothing is
 * kept. The user's cache is private to the user (a runbook may name a webhook); the build's is
 * readable by everyone who runs the installed package.
 */
export function rememberDocument(text: string, doc: unknown, dir = userCacheDir(), shared = false): boolean {
  const json = JSON.stringify(doc);
  if (json === undefined || !isDeepStrictEqual(JSON.parse(json), doc)) return false;
  try {
    makeFolders(dir, shared ? 0o755 : 0o700);
    const file = path.join(dir, cacheKey(text));
    // Written aside and renamed: two consoles starting together never read half a file.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, json, { mode: shared ? 0o644 : 0o600 });
    renameSync(partial, file);
    return true;
  } catch {
    return false;
  }
}
