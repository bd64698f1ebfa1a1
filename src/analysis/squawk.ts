// Runs squawk (squawk-cli, a maintained PostgreSQL migration linter) on migration files and returns
// its findings as they are. Its rules are not ours to rewrite; lint.ts decides which matter here.
import { createRequire } from 'node:module';
import path from 'node:path';
import { execa } from 'execa';

export interface SquawkFinding {
  /** Absolute path of the linted file. */
  file: string;
  /** 1-based line (squawk reports 0-based lines). */
  line: number;
  rule: string;
  level: string;
  message: string;
  help: string | null;
}

export interface SquawkOptions {
  /** e.g. "15.18": rules depend on what the server can do without a rewrite. */
  pgVersion?: string;
  /** The files run inside one transaction (our executor wraps an atomic migration in one). */
  inTransaction: boolean;
  /** Kills squawk: a console that quits does not wait up to a second for a lint nobody will read. */
  signal?: AbortSignal;
}

function squawkBin(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('squawk-cli/package.json');
  return path.join(path.dirname(pkg), 'js', 'bin', 'squawk');
}

export class SquawkUnavailable extends Error {}

/** Lints the files in one squawk process; an empty list costs nothing. */
export async function runSquawk(files: string[], opts: SquawkOptions): Promise<SquawkFinding[]> {
  if (!files.length) return [];
  let bin: string;
  try {
    bin = squawkBin();
  } catch {
    throw new SquawkUnavailable('squawk-cli is not installed');
  }
  const args = [bin, '--reporter', 'json', '--no-error-on-unmatched-pattern'];
  if (opts.pgVersion) args.push('--pg-version', opts.pgVersion);
  args.push(opts.inTransaction ? '--assume-in-transaction' : '--no-assume-in-transaction');
  // Paths after "--" so that a folder named like an option is still a path.
  args.push('--', ...files);
  const r = await execa(process.execPath, args, {
    reject: false,
    timeout: 60_000,
    cwd: path.dirname(files[0]!),
    stdin: 'ignore',
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
  });
  if (opts.signal?.aborted) throw new SquawkUnavailable('squawk was stopped');
  // squawk exits 1 when it found something; anything else without JSON is a failure to run it.
  const out = String(r.stdout ?? '').trim();
  let raw: any[];
  try {
    raw = out ? JSON.parse(out) : [];
  } catch {
    throw new SquawkUnavailable(
      `squawk did not run (exit ${r.exitCode}): ${
        String(r.stderr ?? '')
          .trim()
          .split('\n')[0] ?? ''
      }`,
    );
  }
  if (!Array.isArray(raw)) throw new SquawkUnavailable('squawk returned something other than a list of findings');
  return raw.map((f) => ({
    file: path.resolve(path.dirname(files[0]!), String(f.file)),
    line: Number(f.line ?? 0) + 1,
    rule: String(f.rule_name ?? 'unknown'),
    level: String(f.level ?? 'Warning'),
    message: String(f.message ?? ''),
    help: f.help ? String(f.help) : null,
  }));
}
