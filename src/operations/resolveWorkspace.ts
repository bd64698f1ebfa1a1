// The Workspace resolved once, below the front ends: the CLI parses its flags into WorkspaceSettings
// and the console is handed the result, so no operation calls back up into a front end for its
// target, folder, project or journal, and each is worked out a single time per command.
import path from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { parseTarget, type Target } from '../postgres/target.js';
import { withDb, type Db } from '../postgres/connect.js';
import { assertSameServer, describeIdentity, readServerIdentity, type ServerIdentity } from '../postgres/identity.js';
import { readMigrationsFolder, type MigrationsFolder } from '../runbook/folder.js';
import type { Journal } from '../journal/journal.js';
import { openJournal } from '../journal/open.js';
import { findProject, describeProject, urlSourceWords, type Project } from '../project/discover.js';
import { UserError } from '../errors.js';
import type { Workspace, WorkspaceMode } from './workspace.js';

/** What a front end was told: flags or their defaults, nothing resolved yet. */
export interface WorkspaceSettings {
  /** The folder the project is looked for from (the process's working folder). */
  cwd: string;
  databaseUrl?: string;
  migrations?: string;
  schema?: string;
  runbook?: string;
  /** --bundled: the bundled CitadelBuy runbook, asked for. */
  bundled?: boolean;
  /** Where the bundled runbook lives (the package's migrations/). */
  bundledDir: string;
  journalDir?: string;
  notify?: string[];
  mode?: WorkspaceMode;
  /** Told, in words, the identity the journal is keyed by once it is known (the CLI's --debug shows it). */
  onJournalKey?: (words: string) => void;
}

/** A value or the error that resolving it threw, kept: asked again, the same answer (or the same error). */
function once<T>(resolve: () => T): () => T {
  let kept: { value: T } | { error: unknown } | undefined;
  return () => {
    if (!kept) {
      try {
        kept = { value: resolve() };
      } catch (error) {
        kept = { error };
      }
    }
    if ('error' in kept) throw kept.error;
    return kept.value;
  };
}

/**
 * Resolves the workspace: the project and the target are found once (the first time a command needs
 * them, so that a command that needs no database never parses a URL, and each keeps its error for
 * whoever asks); the server's identity and the journal are asked of the server once, on a session
 * the caller already has open when it has one.
 */
export function resolveWorkspace(s: WorkspaceSettings): ResolvedWorkspace {
  return new ResolvedWorkspace(s);
}

export class ResolvedWorkspace implements Workspace {
  readonly mode: WorkspaceMode;
  notice?: (sentence: string) => void;
  signal?: AbortSignal;
  private readonly projectOnce: () => Project;
  private readonly targetOnce: () => Target;
  private identityPromise?: Promise<ServerIdentity>;
  private journalPromise?: Promise<Journal>;
  private folderPromise?: Promise<MigrationsFolder>;
  private folderMtimeMs: number | undefined;

  constructor(private readonly settings: WorkspaceSettings) {
    this.mode = settings.mode ?? 'live';
    this.projectOnce = once(() =>
      findProject({
        cwd: settings.cwd,
        schema: settings.schema,
        migrations: settings.migrations,
        runbook: settings.runbook,
        databaseUrl: settings.databaseUrl,
        bundledDir: settings.bundledDir,
        bundled: settings.bundled,
      }),
    );
    this.targetOnce = once(() => {
      const url = this.project().url;
      if (url.error) throw url.error;
      return { ...parseTarget(url.value), source: urlSourceWords(url) };
    });
  }

  /** The Prisma project of the working folder (or the bundled runbook), found once, as Prisma finds it. */
  project(): Project {
    return this.projectOnce();
  }

  target(): Target {
    return this.targetOnce();
  }

  /** "prisma/migrations (from prisma/schema.prisma), URL from DIRECT_URL in .env" */
  source(): string {
    return describeProject(this.project());
  }

  notifyUrls(): string[] | undefined {
    return this.settings.notify;
  }

  migrationsDir(): string {
    return this.project().migrationsDir;
  }

  /**
   * Looked for on every call: a runbook.yaml added beside the migrations while the console runs counts.
   */
  runbookFile(): string | undefined {
    return runbookFileOf(this.settings.runbook, this.migrationsDir());
  }

  /**
   * The server and database the target reaches, asked once per command. `on`: a session the caller
   * opened on the target (a run's own): read there when not known yet, so knowing it costs no
   * connection; known already, `on` must reach that same server, or nothing is done (`what` says what).
   */
  async identity(on?: Pick<Db, 'query'>, what = 'go on'): Promise<ServerIdentity> {
    if (this.identityPromise && on) {
      const id = await this.identityPromise;
      await assertSameServer(on, id, what);
      return id;
    }
    this.identityPromise ??= (
      on ? readServerIdentity(on) : withDb(this.target(), readServerIdentity, { applicationName: 'citadel-migrate' })
    ).then((id) => {
      this.settings.onJournalKey?.(describeIdentity(id));
      return id;
    });
    return this.identityPromise;
  }

  /** The journal of this target (opened on first use, so read-only commands create no file). */
  journal(): Promise<Journal> {
    this.journalPromise ??= this.identity().then((id) => openJournal(this.target(), id, this.settings.journalDir));
    return this.journalPromise;
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
}

/** The runbook manifest: --runbook, else runbook.yaml beside the migrations, else none (any Prisma folder works). */
function runbookFileOf(runbook: string | undefined, migrationsDir: string): string | undefined {
  if (runbook) {
    if (!existsSync(runbook))
      throw new UserError(
        `The runbook file ${runbook} does not exist: pass --runbook with the path of a runbook.yaml.`,
        'bad-input',
      );
    return path.resolve(runbook);
  }
  const beside = path.join(migrationsDir, 'runbook.yaml');
  return existsSync(beside) ? beside : undefined;
}

/** The directory's mtime (it changes when an entry is added or removed); undefined when it cannot be read. */
function directoryMtime(dir: string): number | undefined {
  try {
    return statSync(dir).mtimeMs;
  } catch {
    return undefined;
  }
}
