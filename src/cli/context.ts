import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { UserError } from './errors.js';
import { printErr } from './output.js';
import type { Workspace } from '../operations/workspace.js';
import { resolveWorkspace, type ResolvedWorkspace } from '../operations/resolveWorkspace.js';
import type { Ask } from '../operations/confirm.js';
import { terminalAsk } from './prompt.js';

export interface GlobalOptions {
  databaseUrl?: string;
  migrations?: string;
  schema?: string;
  runbook?: string;
  /** --bundled: the bundled CitadelBuy runbook, asked for. */
  bundled?: boolean;
  json?: boolean;
  yes?: boolean;
  debug?: boolean;
  journalDir?: string;
  /** --notify URLs (repeatable). */
  notify?: string[];
}

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BUNDLED_MIGRATIONS = path.join(PACKAGE_ROOT, 'migrations');

/**
 * The CLI's flags: the workspace they name is resolved below the front ends (resolveWorkspace), and
 * what is the terminal's alone (--json, --yes, asking) stays here. Operations are handed
 * `ctx.workspace`; the methods below let the commands read the same values.
 */
export class Context implements Workspace {
  readonly workspace: ResolvedWorkspace;
  /** The CLI always works on the database it is given: LIVE (the console shows other modes). */
  readonly mode = 'live' as const;
  constructor(readonly opts: GlobalOptions) {
    this.workspace = resolveWorkspace({
      cwd: process.cwd(),
      databaseUrl: opts.databaseUrl,
      migrations: opts.migrations,
      schema: opts.schema,
      runbook: opts.runbook,
      bundled: opts.bundled,
      bundledDir: BUNDLED_MIGRATIONS,
      journalDir: opts.journalDir,
      notify: opts.notify,
      onJournalKey: opts.debug ? (words) => printErr(`journal key: ${words}`) : undefined,
    });
  }

  /** Set by the CLI for the commands that print on a terminal (not the console, which draws a screen). */
  get notice(): ((sentence: string) => void) | undefined {
    return this.workspace.notice;
  }
  set notice(f: ((sentence: string) => void) | undefined) {
    this.workspace.notice = f;
  }

  get signal(): AbortSignal | undefined {
    return this.workspace.signal;
  }
  set signal(s: AbortSignal | undefined) {
    this.workspace.signal = s;
  }

  project() {
    return this.workspace.project();
  }

  source() {
    return this.workspace.source();
  }

  notifyUrls() {
    return this.workspace.notifyUrls();
  }

  get json(): boolean {
    return Boolean(this.opts.json);
  }

  target() {
    return this.workspace.target();
  }

  identity(on?: Parameters<Workspace['identity']>[0], what?: string) {
    return this.workspace.identity(on, what);
  }

  journal() {
    return this.workspace.journal();
  }

  migrationsDir() {
    return this.workspace.migrationsDir();
  }

  folder() {
    return this.workspace.folder();
  }

  runbookFile() {
    return this.workspace.runbookFile();
  }

  /**
   * How a destructive command confirms: null when --yes confirmed it already; the terminal's
   * questions on a TTY; without one, a refusal that names --yes.
   */
  confirmation(what: string): Ask | null {
    if (this.opts.yes) return null;
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      throw new UserError(
        `Refusing to ${what} without confirmation: there is no terminal to ask on, so pass --yes to confirm.`,
        'bad-input',
      );
    }
    return terminalAsk;
  }

  /**
   * Destructive commands: on a TTY the caller asks; without one, --yes is the only way through.
   * Returns true when the caller must ask.
   */
  needsConfirmation(what: string): boolean {
    return this.confirmation(what) !== null;
  }
}
