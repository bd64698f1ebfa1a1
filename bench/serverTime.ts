// What a monitoring tool costs the server, measured from the outside, the same way for any tool:
//  - the server's statement log (log_min_duration_statement = 0, the application name in every
//    line's prefix): the logged durations of the tool's statements, summed; the extended protocol
//    logs parse, bind and execute separately, and all of them count;
//  - the CPU time of the tool's backend processes (/proc/PID/schedstat, nanoseconds), which also
//    holds what the log does not time (protocol handling, the commit, writing the log lines).
// The server must run on this machine, started with serverLogSettings and onLog = log.write.
import { execFileSync } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import type pg from 'pg';

/** Server settings for the statement log: every statement, with its time and application. */
export const serverLogSettings = {
  log_min_duration_statement: '0',
  // %n: Unix epoch with milliseconds, for windows; {%a}: the application name
  log_line_prefix: '%n {%a} ',
};

const LINE = /^(\d+\.\d+) \{(.*?)\} LOG:  duration: (\d+\.\d+) ms  (statement|parse|bind|execute)\b/;

export interface LoggedTime {
  /** Logged server time per second of the window, ms. */
  msPerSecond: number;
  /** Log lines counted (statements, or parse/bind/execute steps). */
  lines: number;
  byApplication: Record<string, { ms: number; lines: number }>;
}

/** The server's stderr, kept in a file and read back by time window. */
export class ServerLog {
  private readonly out: WriteStream;
  constructor(readonly path: string) {
    this.out = createWriteStream(path, { flags: 'a' });
  }

  write = (chunk: string): void => {
    this.out.write(chunk);
  };

  /** Waits until everything written so far is in the file. */
  async flush(): Promise<void> {
    await new Promise<void>((resolve) => this.out.write('', () => resolve()));
  }

  close(): void {
    this.out.end();
  }

  /** Durations logged between two instants (epoch ms) by the applications `which` accepts. */
  async timeOf(which: (application: string) => boolean, fromMs: number, toMs: number): Promise<LoggedTime> {
    await this.flush();
    const byApplication: LoggedTime['byApplication'] = {};
    let ms = 0;
    let lines = 0;
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      const m = LINE.exec(line);
      if (!m) continue;
      const at = Number(m[1]) * 1000;
      if (at < fromMs || at > toMs || !which(m[2]!)) continue;
      const d = Number(m[3]);
      const app = (byApplication[m[2]!] ??= { ms: 0, lines: 0 });
      app.ms += d;
      app.lines++;
      ms += d;
      lines++;
    }
    for (const a of Object.values(byApplication)) a.ms = Math.round(a.ms * 1000) / 1000;
    return { msPerSecond: Math.round((ms / ((toMs - fromMs) / 1000)) * 1000) / 1000, lines, byApplication };
  }
}

/** The backends serving the applications `which` accepts, right now. */
export async function backendPids(admin: pg.Client, which: (application: string) => boolean): Promise<number[]> {
  const rows = (
    await admin.query<{ pid: number; app: string }>(
      `SELECT pid, application_name AS app FROM pg_stat_activity WHERE backend_type = 'client backend'`,
    )
  ).rows;
  return rows.filter((r) => which(r.app)).map((r) => r.pid);
}

/** CPU time each process has run so far, ms (nanosecond resolution); a process gone is left out. */
export function cpuMs(pids: number[]): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const pid of pids) {
    try {
      byPid.set(pid, Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6);
    } catch {
      // exited
    }
  }
  return byPid;
}

/** CPU ms run between two readings, by the processes present in both. */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, t] of after) if (before.has(pid)) ms += t - before.get(pid)!;
  return ms;
}

/** A private tmux server for the curses programs compared here. */
export class Terminal {
  private readonly socket = `cm-bench-monitor-${process.pid}`;
  /** `env` goes to the tmux server, whose sessions inherit it: secrets stay off command lines. */
  constructor(env: Record<string, string>) {
    // A session that holds the tmux server up between the measured ones.
    execFileSync(
      'tmux',
      ['-L', this.socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'hold', '-x', '20', '-y', '5', 'sleep 3600'],
      { env: { ...process.env, ...env }, stdio: 'ignore' },
    );
  }

  static available(): boolean {
    return hasProgram('tmux');
  }

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  start(name: string, opts: { cwd?: string; columns?: number; rows?: number }, command: string[]): void {
    this.tmux(
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      String(opts.columns ?? 120),
      '-y',
      String(opts.rows ?? 40),
      ...(opts.cwd ? ['-c', opts.cwd] : []),
      '--',
      ...command,
    );
  }

  screen(name: string): string {
    try {
      return this.tmux('capture-pane', '-p', '-t', name);
    } catch {
      return '';
    }
  }

  async waitFor(name: string, probe: (screen: string) => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!probe(this.screen(name))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen:\n${this.screen(name)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async quit(name: string, key = 'q'): Promise<void> {
    try {
      this.tmux('send-keys', '-t', name, key);
      await new Promise((r) => setTimeout(r, 500));
      this.tmux('kill-session', '-t', name);
    } catch {
      // it exited by itself
    }
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // not running
    }
  }
}

export function hasProgram(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
