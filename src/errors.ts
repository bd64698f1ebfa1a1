/**
 * The one error type a user can cause or act on. It imports nothing, so every layer can raise it
 * without learning how a front end shows it: the CLI maps the kind to an exit code and adds
 * "--debug" advice, the console adds its key hints.
 */
export type ErrorKind =
  /** The user's input is wrong: a malformed URL, a missing folder, an unknown migration. */
  | 'bad-input'
  /** The input is fine but the database's or the folder's state forbids the action now. */
  | 'refused'
  /** The action ran and failed: a migration, a check, a tool. */
  | 'failed'
  /** The server cannot be reached or refuses the session. */
  | 'connection'
  /** A stop (Ctrl-C, SIGTERM) ended the action; the message says what was done and what was not. */
  | 'interrupted';

export class UserError extends Error {
  constructor(
    message: string,
    readonly kind: ErrorKind = 'bad-input',
    /** The driver's or the tool's own words, shown only when asked for (--debug, details view). */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/**
 * One line in the DBA's words for any failure, with no front-end advice: a UserError as it is, a
 * server error with its SQLSTATE and the way out, anything else as an unexpected error. The
 * caller redacts and adds its own advice (the CLI's --debug, the console's keys).
 */
export interface FailureDescription {
  message: string;
  kind: ErrorKind;
  detail?: string;
  /** Not a failure we know: the message is the raw text, and only the details can say more. */
  unexpected: boolean;
  /** A server error we have no specific advice for: the details (--debug) are the next step. */
  generic: boolean;
}

const NETWORK = /^(ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENETDOWN|ENOTFOUND|EAI_|EADDR)/;

export function describeFailure(err: unknown): FailureDescription {
  if (err instanceof UserError)
    return { message: err.message, kind: err.kind, detail: err.detail, unexpected: false, generic: false };
  // EROFS has the shape of a SQLSTATE: a file's error must not read as the database's refusal.
  if (isFileSystemError(err)) {
    const where = err.path ? ` ${err.path}` : '';
    const words = err.code === 'ENOENT' ? 'no such file or folder' : fileErrorWords(err);
    return {
      message: `Cannot ${err.syscall}${where}: ${words}.`,
      kind: 'failed',
      detail: err.message,
      unexpected: false,
      generic: false,
    };
  }
  const e = err as Error & { code?: string; syscall?: string; errno?: number };
  const text = e?.message ?? String(err);
  // The operating system's error codes (EROFS, EPERM, EBUSY...) can look like SQLSTATEs; no SQLSTATE
  // class starts with E.
  if (typeof e?.code === 'string' && (/^E[A-Z0-9_]+$/.test(e.code) || typeof e.syscall === 'string')) {
    if (NETWORK.test(e.code)) {
      return {
        message: `The network connection failed: ${text}; check the server and the network path, then try again.`,
        kind: 'connection',
        unexpected: false,
        generic: false,
      };
    }
    return {
      message: `A file-system error, not the database's: ${text}; check that path, its permissions and the free space there.`,
      kind: 'failed',
      unexpected: false,
      generic: false,
    };
  }
  if (typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
    const privilege = e.code === '42501';
    const lost = e.code.startsWith('08') || e.code.startsWith('57P');
    const what = privilege
      ? 'the role lacks a privilege for this: run as the owner of the schema and of _prisma_migrations, or have them GRANT it'
      : lost
        ? 'the connection to the server was lost: check the server, then try again'
        : 'check the message above';
    return {
      message: `The database refused: ${text} (SQLSTATE ${e.code}); ${what}.`,
      kind: e.code.startsWith('08') ? 'connection' : 'failed',
      unexpected: false,
      generic: !privilege && !lost,
    };
  }
  return { message: text, kind: 'failed', unexpected: true, generic: false };
}

/** What Node's file-system errors carry (errors.ts imports nothing, not even Node's types). */
export interface FileError extends Error {
  code: string;
  syscall: string;
  path?: string;
}

/** The file system's error in words (for "cannot be created or written (...)"); its code otherwise. */
export function fileErrorWords(err: unknown): string {
  const e = err as FileError;
  switch (e?.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOTDIR':
      return 'part of the path is a file, not a folder';
    case 'ENOENT':
      return 'this file system does not allow creating it';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full';
    case 'EIO':
      return 'the disk reported an input/output error';
    case 'EISDIR':
      return 'it is a folder';
    default:
      // Still the file system's, never the database's: say so, with the code for a search.
      return e?.code ? `a file-system error (${e.code})` : String((err as Error)?.message ?? err);
  }
}

/** A Node file-system error (it names its system call), as opposed to a server's error. */
export function isFileSystemError(err: unknown): err is FileError {
  const e = err as FileError;
  return (
    typeof e?.syscall === 'string' && typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code) && !NETWORK.test(e.code)
  );
}
