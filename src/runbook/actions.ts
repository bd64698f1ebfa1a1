// The runbook's `actions:`: the guide's steps that happen outside the database (maintenance mode,
// background workers, restarts, smoke tests) as commands the console can run and prove. Read and
// checked with the rest of the manifest, so a typo in an action is one sentence at load time.
import { Fields, ManifestError } from './manifestFields.js';

/** The actions the guide names; a runbook may define others too. */
export const GUIDE_ACTIONS = [
  'maintenance-on',
  'maintenance-off',
  'workers-stop',
  'workers-start',
  'services-restart',
  'smoke-test',
] as const;

/** Live sessions whose application_name matches one of the LIKE patterns, compared with what is expected. */
export interface SessionCheck {
  /** How the sessions are called in evidence: "worker sessions". */
  label: string;
  /** LIKE patterns for pg_stat_activity.application_name, e.g. citadelbuy-worker%. */
  application: string[];
  /** exactly: the count must equal it (0 after workers-stop); atLeast: at least so many (back after workers-start). */
  expect: { exactly: number } | { atLeast: number };
  /** How long the sessions may take to go away or come back after the command, ms. */
  waitMs: number;
}

export interface RunbookAction {
  name: string;
  title: string;
  /** An argument list run without a shell, or (shell: true only) one shell string. */
  command: string[] | string;
  shell: boolean;
  cwd?: string;
  env: Record<string, string>;
  /** Environment variables (its env: or the console's) whose values are masked in its output. */
  secrets: string[];
  timeoutMs: number;
  check?: SessionCheck;
  /** Checklist items this action (with its check) proves done. */
  proves: string[];
}

export const DEFAULT_ACTION_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_CHECK_WAIT_MS = 30_000;

/** Seconds as a number, or "90s", "5m", "1h". */
function seconds(f: Fields, key: string): number | undefined {
  const v = f.obj[key];
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v * 1000;
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/.exec(v.trim()) : null;
  if (!m) f.fail(key, `must be a duration such as 30s, 5m or a number of seconds (got ${JSON.stringify(v)})`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  const ms = Number(m[1]) * unit;
  if (ms <= 0) f.fail(key, 'must be longer than 0');
  return ms;
}

function readCheck(source: string, at: string, value: unknown): SessionCheck {
  const c: Fields = Fields.of(source, at, value, ['sessions']);
  const s: Fields = c.child('sessions', ['application', 'expect'], ['label', 'wait']);
  const application = s.strings('application');
  if (!application.length)
    s.fail('application', 'must name at least one application_name pattern (e.g. citadelbuy-worker%)');
  const raw = s.obj.expect;
  let expect: SessionCheck['expect'];
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0) expect = { exactly: raw };
  else {
    const m = typeof raw === 'string' ? /^>=\s*(\d+)$/.exec(raw.trim()) : null;
    if (!m)
      s.fail(
        'expect',
        `must be a number of sessions (0 after a stop) or ">= N" (back after a start) (got ${JSON.stringify(raw)})`,
      );
    expect = { atLeast: Number(m[1]) };
  }
  return {
    label: s.optStr('label') ?? `sessions of ${application.join(', ')}`,
    application,
    expect,
    waitMs: seconds(s, 'wait') ?? DEFAULT_CHECK_WAIT_MS,
  };
}

export function readActions(source: string, value: unknown): RunbookAction[] {
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ManifestError(`${source}: actions must be a mapping of action names to actions`);
  }
  return Object.entries(value as Record<string, unknown>).map(([name, spec]): RunbookAction => {
    const at = `actions.${name}`;
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name))
      throw new ManifestError(`${source}: ${at}: an action's name is lower-case letters, digits and dashes`);
    const f: Fields = Fields.of(
      source,
      at,
      spec,
      ['command'],
      ['title', 'shell', 'cwd', 'env', 'secrets', 'timeout', 'check', 'proves'],
    );
    const shell = f.obj.shell === undefined ? false : f.bool('shell');
    const raw = f.obj.command;
    let command: string[] | string;
    if (typeof raw === 'string') {
      // A string would be split by a shell: quoting, globs and $VARS then mean something else than written.
      if (!shell)
        f.fail(
          'command',
          'is a string: write it as a list of arguments (["systemctl", "stop", "citadelbuy-worker"]), or add shell: true to run it through /bin/sh',
        );
      if (!raw.trim()) f.fail('command', 'must not be empty');
      command = raw;
    } else {
      command = f.strings('command');
      if (!command.length) f.fail('command', 'must be a non-empty list of arguments');
      if (shell)
        f.fail('shell', 'applies to a command written as one string; a list of arguments never goes through a shell');
    }
    const env: Record<string, string> = {};
    if (f.obj.env !== undefined) {
      const e: Fields = Fields.of(source, `${at}.env`, f.obj.env, [], Object.keys((f.obj.env ?? {}) as object));
      for (const k of Object.keys(e.obj)) {
        const v = e.obj[k];
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') e.fail(k, 'must be a string');
        env[k] = String(v);
      }
    }
    return {
      name,
      title: f.optStr('title') ?? name,
      command,
      shell,
      ...(f.optStr('cwd') ? { cwd: f.str('cwd') } : {}),
      env,
      secrets: secretNames(f),
      timeoutMs: seconds(f, 'timeout') ?? DEFAULT_ACTION_TIMEOUT_MS,
      ...(f.obj.check !== undefined ? { check: readCheck(source, `${at}.check`, f.obj.check) } : {}),
      proves: f.strings('proves'),
    };
  });
}

/** secrets: a list of environment variable names (API_TOKEN), checked like any other field. */
function secretNames(f: Fields): string[] {
  const names = f.strings('secrets');
  for (const n of names)
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n))
      f.fail('secrets', `lists environment variable names, and "${n}" is not one`);
  return names;
}

/** The command as a DBA would type it, for prompts and the journal. */
export function commandText(a: Pick<RunbookAction, 'command'>): string {
  if (typeof a.command === 'string') return a.command;
  return a.command.map((w) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** application_name LIKE pattern as a regular expression (for evidence already gathered). */
export function likeToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (ch === '%') re += '.*';
    else if (ch === '_') re += '.';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

export function expectText(e: SessionCheck['expect']): string {
  return 'exactly' in e ? String(e.exactly) : `at least ${e.atLeast}`;
}

export function meetsExpectation(count: number, e: SessionCheck['expect']): boolean {
  return 'exactly' in e ? count === e.exactly : count >= e.atLeast;
}
