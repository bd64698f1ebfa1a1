import { execa, type Options } from 'execa';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const BIN = fileURLToPath(new URL('../../bin/citadel-migrate', import.meta.url));

/**
 * The journal folder of this test file (each file runs in its own worker): a test that does not
 * choose one never writes to the user's ~/.local/state, nor reads another file's lines.
 */
export const FILE_JOURNAL_DIR = mkdtempSync(path.join(os.tmpdir(), 'cm-file-journal-'));
process.once('exit', () => rmSync(FILE_JOURNAL_DIR, { recursive: true, force: true }));

/** The default backup folder's parent of this test file: a backup without --backup-dir never writes to ~/.local/share. */
export const FILE_DATA_DIR = mkdtempSync(path.join(os.tmpdir(), 'cm-file-data-'));
process.once('exit', () => rmSync(FILE_DATA_DIR, { recursive: true, force: true }));

/** The environment a spawned CLI gets unless a test says otherwise. */
export const CLI_ENV = {
  DATABASE_URL: undefined,
  NO_COLOR: '1',
  CITADEL_JOURNAL_DIR: FILE_JOURNAL_DIR,
  XDG_DATA_HOME: FILE_DATA_DIR,
};

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would, with no terminal (stdin closed). */
export async function cli(
  args: string[],
  opts: { env?: Record<string, string | undefined>; timeout?: number } & Options = {},
): Promise<CliResult> {
  const { env, timeout, ...rest } = opts;
  const r = await execa('node', [BIN, ...args], {
    reject: false,
    stdin: 'ignore',
    timeout: timeout ?? 60_000,
    env: { ...CLI_ENV, ...env },
    extendEnv: true,
    ...rest,
  } as Options);
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

export function json<T = any>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${r.exitCode}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}
