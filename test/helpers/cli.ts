import { execa, type Options } from 'execa';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/citadel-migrate', import.meta.url));

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would, with no terminal (stdin closed). */
export async function cli(args: string[], opts: { env?: Record<string, string | undefined>; timeout?: number } & Options = {}): Promise<CliResult> {
  const { env, timeout, ...rest } = opts;
  const r = await execa('node', [BIN, ...args], {
    reject: false,
    stdin: 'ignore',
    timeout: timeout ?? 60_000,
    env: { DATABASE_URL: undefined, NO_COLOR: '1', ...env },
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
