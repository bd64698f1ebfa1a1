// A real terminal for end-to-end tests: tmux on a private socket, one session per test.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { notInstalled } from '../helpers/tools.js';

export class Tmux {
  readonly socket = `cm-e2e-${process.pid}-${randomBytes(3).toString('hex')}`;
  private n = 0;
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'cm-tmux-'));

  private tmux(args: string[]): string {
    try {
      return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
    } catch (err) {
      throw notInstalled(err, 'tmux', 'apt-get install tmux');
    }
  }

  /** Starts COMMAND (argv, no shell) in a new session of the given size; the pane stays after the command exits. */
  start(argv: string[], opts: { columns?: number; rows?: number; env?: Record<string, string> } = {}): string {
    const name = `s${++this.n}`;
    const env = Object.entries(opts.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    // remain-on-exit is set before the command starts (a server option set on a placeholder first).
    this.tmux(['-f', '/dev/null', 'new-session', '-d', '-s', `${name}-hold`, '-x', '20', '-y', '5', 'sleep 600']);
    this.tmux(['set-option', '-g', 'remain-on-exit', 'on']);
    // A shell in between records the exit code (and reaps the process at once).
    const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    // The pane stays alive a while after the command, so the terminal's state can be checked (a dead pane has no cursor).
    const script = `${quoted}; echo $? > ${this.file(name, 'exit')}; sleep 30`;
    this.tmux([
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      String(opts.columns ?? 80),
      '-y',
      String(opts.rows ?? 24),
      ...env,
      '--',
      'sh',
      '-c',
      script,
    ]);
    return name;
  }

  private file(name: string, what: string): string {
    return path.join(this.dir, `${name}.${what}`);
  }

  capture(name: string): string {
    return this.tmux(['capture-pane', '-p', '-t', name]);
  }

  keys(name: string, ...keys: string[]): void {
    this.tmux(['send-keys', '-t', name, ...keys]);
  }

  /** Literal text (no key-name lookup). */
  type(name: string, text: string): void {
    this.tmux(['send-keys', '-t', name, '-l', text]);
  }

  info(name: string, format: string): string {
    return this.tmux(['display-message', '-p', '-t', name, format]).trim();
  }

  /** The command's pid: the recording shell's only child. */
  pid(name: string): number {
    const shell = this.info(name, '#{pane_pid}');
    return Number(execFileSync('pgrep', ['-P', shell], { encoding: 'utf8' }).trim().split('\n')[0]);
  }

  /** The command's exit code once it has exited, else null. */
  exitCode(name: string): number | null {
    const f = this.file(name, 'exit');
    return existsSync(f) && readFileSync(f, 'utf8').trim() !== '' ? Number(readFileSync(f, 'utf8')) : null;
  }

  alternateScreen(name: string): boolean {
    return this.info(name, '#{alternate_on}') === '1';
  }

  kill(): void {
    try {
      this.tmux(['kill-server']);
    } catch {
      // already gone
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Polls PROBE until it gives something (the screen changes on its own time), or fails naming WHAT.
 * A WHAT that shows the screen is a function: the screen at the timeout, not the one at the start.
 */
export async function until<T>(
  probe: () => T | false | undefined,
  what: string | (() => string),
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}
