import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { parseTarget, type Target } from '../postgres/target.js';
import { readMigrationsFolder, type MigrationsFolder } from '../runbook/folder.js';
import { UserError } from './errors.js';
import type { Journal } from '../journal/journal.js';
import { openJournal } from '../journal/open.js';
import { withDb } from '../postgres/connect.js';
import { describeIdentity, readServerIdentity, type ServerIdentity } from '../postgres/identity.js';
import { printErr } from './output.js';
import type { Workspace } from '../operations/workspace.js';
import type { Ask } from '../operations/confirm.js';
import { terminalAsk } from './prompt.js';
import { findProject, describeProject, urlSourceWords, type Project } from '../project/discover.js';

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

/** What every command needs, resolved lazily so that `--help` touches nothing. */
export class Context implements Workspace {
  private folderPromise?: Promise<MigrationsFolder>;
  private folderMtimeMs: number | undefined;
  private journalInstance?: Promise<Journal>;
  private identityInstance?: Promise<ServerIdentity>;
  private projectInstance?: Project;
  /** The CLI always works on the database it is given: LIVE (the console shows other modes). */
  readonly mode = 'live' as const;
  /** Set by the CLI for the commands that print on a terminal (not the console, which draws a screen). */
  notice?: (sentence: string) => void;
  signal?: AbortSignal;
  constructor(readonly opts: GlobalOptions) {}

  /** The Prisma project of the working folder (or the bundled runbook), found once, as Prisma finds it. */
  project(): Project {
    this.projectInstance ??= findProject({
      cwd: process.cwd(),
      schema: this.opts.schema,
      migrations: this.opts.migrations,
      runbook: this.opts.runbook,
      databaseUrl: this.opts.databaseUrl,
      bundledDir: BUNDLED_MIGRATIONS,
      bundled: this.opts.bundled,
    });
    return this.projectInstance;
  }

  /** "prisma/migrations (from prisma/schema.prisma), URL from DIRECT_URL in .env" */
  source(): string {
    return describeProject(this.project());
  }

  notifyUrls(): string[] | undefined {
    return this.opts.notify;
  }

  get json(): boolean {
    return Boolean(this.opts.json);
  }

  target(): Target {
    const url = this.project().url;
    if (url.error) throw url.error;
    return { ...parseTarget(url.value), source: urlSourceWords(url) };
  }

  /** The server and database the target reaches, asked of the server once per command. */
  identity(): Promise<ServerIdentity> {
    this.identityInstance ??= withDb(this.target(), readServerIdentity, { applicationName: 'citadel-migrate' }).then(
      (id) => {
        if (this.opts.debug) printErr(`journal key: ${describeIdentity(id)}`);
        return id;
      },
    );
    return this.identityInstance;
  }

  /** The journal of this target (opened lazily, so read-only commands create no file). */
  journal(): Promise<Journal> {
    this.journalInstance ??= this.identity().then((id) => openJournal(this.target(), id, this.opts.journalDir));
    return this.journalInstance;
  }

  migrationsDir(): string {
    return this.project().migrationsDir;
  }

  /**
   * The migrations folder, read again when its directory changed (a migration added or removed by a
   * pull while the console runs): a long-lived console must not call an added folder "missing".
   */
  folder(): Promise<MigrationsFolder> {
    const dir = this.migrationsDir();
    const mtimeMs = directoryMtime(dir);
    if (!this.folderPromise || mtimeMs !== this.folderMtimeMs) {
      this.folderMtimeMs = mtimeMs;
      this.folderPromise = readMigrationsFolder(dir);
    }
    return this.folderPromise;
  }

  /** The runbook manifest: --runbook, else runbook.yaml beside the migrations, else none (any Prisma folder works). */
  runbookFile(): string | undefined {
    if (this.opts.runbook) {
      if (!existsSync(this.opts.runbook))
        throw new UserError(
          `The runbook file ${this.opts.runbook} does not exist: pass --runbook with the path of a runbook.yaml.`,
          'bad-input',
        );
      return path.resolve(this.opts.runbook);
    }
    const beside = path.join(this.migrationsDir(), 'runbook.yaml');
    return existsSync(beside) ? beside : undefined;
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

/** The directory's mtime (it changes when an entry is added or removed); undefined when it cannot be read. */
function directoryMtime(dir: string): number | undefined {
  try {
    return statSync(dir).mtimeMs;
  } catch {
    return undefined;
  }
}
