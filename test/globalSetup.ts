import type { TestProject } from 'vitest/node';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../src/sandbox/embedded.js';

let sandbox: Sandbox | undefined;
// Runbooks parsed by the tests are cached here, not in the user's ~/.cache (the workers and the CLI
// processes they start inherit it).
const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'cm-test-cache-'));
process.env.XDG_CACHE_HOME = cacheHome;

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgPassword: string;
    pgPort: number;
    pgSocketDir: string;
    pgDataDir: string;
  }
}

/** One real PostgreSQL 15 for the whole test run (started in ~0.6 s), removed at the end. */
export async function setup(project: TestProject) {
  try {
    sandbox = await startSandbox();
  } catch (err) {
    // One sentence for the DBA running `npm test`, not a stack from inside the server's start.
    const message = `The test database could not be started: ${(err as Error).message}`;
    const e = new Error(message);
    e.stack = message;
    throw e;
  }
  project.provide('pgAdminUrl', sandbox.url('postgres'));
  project.provide('pgPassword', sandbox.password);
  project.provide('pgPort', sandbox.port);
  project.provide('pgSocketDir', sandbox.socketDir);
  project.provide('pgDataDir', sandbox.dataDir);
}

export async function teardown() {
  await sandbox?.stop();
  rmSync(cacheHome, { recursive: true, force: true });
}
