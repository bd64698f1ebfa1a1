import type { Target } from '../postgres/target.js';
import type { MigrationsFolder } from '../runbook/folder.js';
import type { Journal } from '../journal/journal.js';
import type { Project } from '../project/discover.js';
import type { ServerIdentity } from '../postgres/identity.js';
import type { Db } from '../postgres/connect.js';

/** Where a front end works: the console's header badge (the CLI always works LIVE). */
export type WorkspaceMode = 'live' | 'demo' | 'rehearsal' | 'plan';

/**
 * What the console and the commands work on: the target database, its migrations folder and
 * runbook, and its journal. Front-end options (--json, --yes, the terminal) are not here.
 * `resolveWorkspace` (resolveWorkspace.ts) makes one from a front end's settings, each part found
 * once, when first needed: a command that needs no database never parses a URL.
 */
export interface Workspace {
  /** LIVE is the only mode where a mistake cannot be thrown away: confirmations depend on it. */
  readonly mode: WorkspaceMode;
  target(): Target;
  folder(): Promise<MigrationsFolder>;
  migrationsDir(): string;
  /** The runbook manifest's file, when there is one (any Prisma folder works without). */
  runbookFile(): string | undefined;
  /**
   * The journal of the target database, keyed by the server's identity (so it connects once, the
   * first time it is asked for).
   */
  journal(): Promise<Journal>;
  /**
   * The server and database the target resolves to, read once from the server itself. `on`: a
   * session the caller opened on the target: read there when not known yet (no connection of its
   * own); known already, `on` must reach the same server, or the refusal says it would not `what`.
   */
  identity(on?: Pick<Db, 'query'>, what?: string): Promise<ServerIdentity>;
  /** The Prisma project the folder and URL were found in, as Prisma finds it. */
  project(): Project;
  /** One line saying where the folder and the URL come from. */
  source(): string;
  /** Notification URLs given on the command line (--notify), if any. */
  notifyUrls(): string[] | undefined;
  /** Shows a sentence that is not the action's result (a notification not delivered); none: not shown. */
  notice?: (sentence: string) => void;
  /** Fires on a stop (Ctrl-C, SIGTERM): the operation ends within 5 s, saying what it did and did not do. */
  signal?: AbortSignal;
}

/** The same workspace seen in another mode (the console's DEMO or REHEARSAL badge). */
export function withMode(ws: Workspace, mode: WorkspaceMode): Workspace {
  return {
    mode,
    target: () => ws.target(),
    folder: () => ws.folder(),
    migrationsDir: () => ws.migrationsDir(),
    runbookFile: () => ws.runbookFile(),
    journal: () => ws.journal(),
    identity: (on, what) => ws.identity(on, what),
    project: () => ws.project(),
    source: () => ws.source(),
    notifyUrls: () => ws.notifyUrls(),
    notice: ws.notice,
    signal: ws.signal,
  };
}
