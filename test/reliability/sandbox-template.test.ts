// The sandbox's cluster comes from a template initialised once per machine (initdb was most of a
// rehearsal's scratch start, issue 26): the template sits in the user's cache folder, private, and
// every sandbox made from it answers only to its own password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startSandbox } from '../../src/sandbox/embedded.js';

const connects = async (url: string) => {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    return true;
  } catch (err) {
    expect((err as { code?: string }).code).toBe('28P01');
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
};

describe('the sandbox cluster template', () => {
  let cache: string;
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env.XDG_CACHE_HOME;
    cache = mkdtempSync(path.join(os.tmpdir(), 'cm-template-cache-'));
    process.env.XDG_CACHE_HOME = cache;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
    rmSync(cache, { recursive: true, force: true });
  });

  it("is made once in the private cache folder, and no sandbox answers to another one's password", async () => {
    const a = await startSandbox({ fromTemplate: true });
    let b: Awaited<ReturnType<typeof startSandbox>> | undefined;
    try {
      const base = path.join(cache, 'citadel-migrate', 'clusters');
      const templates = readdirSync(base);
      expect(templates).toHaveLength(1);
      expect(templates[0]).toMatch(/^pg-15\.\d+-[0-9a-f]{10}$/);
      expect(statSync(base).mode & 0o777).toBe(0o700);
      expect(statSync(path.join(base, templates[0]!)).mode & 0o777).toBe(0o700);
      b = await startSandbox({ fromTemplate: true });
      expect([a.cluster, b.cluster]).toEqual(['template', 'template']);
      expect(readdirSync(base)).toEqual(templates);
      expect(await connects(a.url('postgres'))).toBe(true);
      expect(await connects(b.url('postgres'))).toBe(true);
      // b's cluster is a copy of the same template as a's: each must have its own password's hash
      const aWithB = a.url('postgres').replace(a.password, b.password);
      const bWithA = b.url('postgres').replace(b.password, a.password);
      expect(await connects(aWithB)).toBe(false);
      expect(await connects(bWithA)).toBe(false);
    } finally {
      await a.stop();
      await b?.stop();
    }
  }, 120_000);
});
