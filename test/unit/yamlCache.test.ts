import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import {
  BUILT_CACHE_DIR,
  cacheKey,
  cachedDocument,
  rememberDocument,
  userCacheDir,
} from '../../src/runbook/yamlCache.js';
import { loadManifest } from '../../src/runbook/loadManifest.js';
import { parseManifest, readYaml } from '../../src/runbook/manifestYaml.js';

const BUNDLED = fileURLToPath(new URL('../../migrations/runbook.yaml', import.meta.url));
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'cm-yaml-cache-'));

describe('the runbook parse cache', () => {
  it('gives back the document the parser gives, and a changed text is parsed again', () => {
    const dir = tmp();
    const text = readFileSync(BUNDLED, 'utf8');
    expect(rememberDocument(text, readYaml(text, 'r'), dir)).toBe(true);
    expect(cachedDocument(text, [dir])?.doc).toEqual(readYaml(text, 'r'));
    expect(cachedDocument(`${text}\n# edited`, [dir])).toBeUndefined();
    // private to the user: a runbook may name a webhook
    expect(statSync(path.join(dir, cacheKey(text))).mode & 0o077).toBe(0);
  });

  it('keeps nothing JSON would change, and a corrupt or unwritable cache only costs a parse', () => {
    const dir = tmp();
    expect(rememberDocument('x: .inf', readYaml('x: .inf', 'r'), dir)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    writeFileSync(path.join(dir, cacheKey('a: 1')), '{"a": ');
    expect(cachedDocument('a: 1', [dir])).toBeUndefined();
    // A cache folder that cannot be made, even by root (CI runs as root): its parent is a file.
    const aFile = path.join(tmp(), 'not-a-folder');
    writeFileSync(aFile, '');
    expect(rememberDocument('a: 1', { a: 1 }, path.join(aFile, 'sub'))).toBe(false);
    expect(cachedDocument('a: 1', [path.join(aFile, 'sub')])).toBeUndefined();
    // and one root could write to: a folder without write permission
    const locked = tmp();
    chmodSync(locked, 0o500);
    const asRoot = process.getuid?.() === 0;
    expect(rememberDocument('a: 1', { a: 1 }, path.join(locked, 'sub'))).toBe(asRoot);
  });

  it('the build leaves the bundled runbook parsed, so a first start skips the YAML parser', () => {
    const text = readFileSync(BUNDLED, 'utf8');
    expect(cachedDocument(text, [BUILT_CACHE_DIR])?.doc).toEqual(readYaml(text, 'r'));
  });

  it('loadManifest reads a new runbook once through the parser, then from the cache, with the same result', async () => {
    const dir = tmp();
    const file = path.join(dir, 'runbook.yaml');
    const doc = readYaml(readFileSync(BUNDLED, 'utf8'), 'r') as { guideVersion: string };
    doc.guideVersion = `cache test ${process.pid} ${Date.now()}`;
    writeFileSync(file, stringify(doc));
    const text = readFileSync(file, 'utf8');
    expect(cachedDocument(text, [userCacheDir()])).toBeUndefined();
    const first = await loadManifest(file);
    expect(cachedDocument(text, [userCacheDir()])?.doc).toEqual(doc);
    expect(first).toEqual(parseManifest(text, file));
    // a mistake is still reported with the file and the field, cached or not
    const broken = path.join(dir, 'broken.yaml');
    writeFileSync(broken, stringify({ ...doc, thresholds: { minFreeDiskPercent: 'lots' } }));
    await expect(loadManifest(broken)).rejects.toThrow(`${broken}: thresholds.minFreeDiskPercent must be a number`);
    await expect(loadManifest(broken)).rejects.toThrow(`${broken}: thresholds.minFreeDiskPercent must be a number`);
  });

  it("the tests cache in their own folder, not in the user's home", () => {
    expect(userCacheDir().startsWith(os.tmpdir())).toBe(true);
  });
});
